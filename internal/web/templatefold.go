package web

import (
	"html/template"
	"io"
	"strings"
	"sync"
	"text/template/parse"
)

// A page prints most of its words by a literal catalogue key, {{t "key"}}.
// html/template turns each such action into two reflective calls on every
// render, the lookup and then the escaper for its context; for a list page
// that was a fifth of the template work. The message for a literal key is
// the same on every render of a bound set, so once html/template has
// escaped a template the action is replaced by its output: the message,
// escaped exactly as the escaper html/template chose would escape it. Only
// the escapers of HTML text, quoted attribute values and RCDATA are
// folded: all three escape a plain string alike (escapeInto). An action in
// any other context (a URL, a script) is left as it is and keeps being
// evaluated on each render.
//
// A template is folded when the first render that uses it is prepared:
// html/template escapes a template and everything it calls on its first
// execution, and escaping every page up front would keep the escaped form
// of pages nobody opens (a few megabytes of an idle server).

// foldableEscapers are the html/template escapers whose output for a plain
// string is escapeInto's.
var foldableEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_rcdataescaper": true,
}

// boundSet is a template set with its functions bound to one locale, and
// what of it has been prepared for rendering.
type boundSet struct {
	*template.Template
	t      func(string, ...any) string // the set's message lookup
	ready  sync.Map                    // names of templates prepared to render
	mu     sync.Mutex                  // held while preparing
	folded map[string]bool             // templates whose messages are folded
}

func newBoundSet(set *template.Template, t func(string, ...any) string) *boundSet {
	return &boundSet{Template: set, t: t, folded: map[string]bool{}}
}

// execute renders the template name with data, preparing it first.
func (b *boundSet) execute(w io.Writer, name string, data any) error {
	if _, ok := b.ready.Load(name); !ok {
		b.prepare(name)
	}
	return b.ExecuteTemplate(w, name, data)
}

// prepare has html/template escape name, and what it calls, and folds the
// messages of every template escaped for it. A render of another template
// never sees a template being folded: every template is escaped, and so
// first rendered, as part of one prepared name, under the lock.
func (b *boundSet) prepare(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.ready.Load(name); ok {
		return
	}
	// Executing escapes; with no data it stops at the first field and
	// writes nothing that matters. An escaping error shows again, to the
	// caller, when the template is rendered for real.
	_ = b.ExecuteTemplate(io.Discard, name, nil)
	b.foldFrom(name)
	b.ready.Store(name, true)
}

// foldFrom folds the messages of the template name and of every template
// it calls that has not been folded. Calls renamed by html/template to a
// copy escaped for another context name no template of the set and are
// left alone: their actions are evaluated on each render.
func (b *boundSet) foldFrom(name string) {
	if b.folded[name] {
		return
	}
	tmpl := b.Lookup(name)
	if tmpl == nil || tmpl.Tree == nil || tmpl.Tree.Root == nil {
		return
	}
	b.folded[name] = true
	var called []string
	foldList(tmpl.Tree.Root, b.t, &called)
	for _, c := range called {
		b.foldFrom(c)
	}
}

// foldList folds the messages of l and the lists within it, and adds the
// names of the templates they call to called.
func foldList(l *parse.ListNode, t func(string, ...any) string, called *[]string) {
	if l == nil {
		return
	}
	// texts[i] is node i's output when it is text or a folded action.
	texts := make([][]byte, len(l.Nodes))
	isText := make([]bool, len(l.Nodes))
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			texts[i], isText[i] = n.Text, true
		case *parse.ActionNode:
			if s, ok := foldAction(n, t); ok {
				texts[i], isText[i] = []byte(s), true
			}
		case *parse.TemplateNode:
			*called = append(*called, n.Name)
		case *parse.IfNode:
			foldList(n.List, t, called)
			foldList(n.ElseList, t, called)
		case *parse.RangeNode:
			foldList(n.List, t, called)
			foldList(n.ElseList, t, called)
		case *parse.WithNode:
			foldList(n.List, t, called)
			foldList(n.ElseList, t, called)
		}
	}
	// Each run of text becomes one text node: a new one, since a parsed
	// text node may be shared by the copies html/template makes of a
	// template for other contexts. A lone text node stays as it is.
	out := l.Nodes[:0]
	for i := 0; i < len(l.Nodes); {
		if !isText[i] {
			out = append(out, l.Nodes[i])
			i++
			continue
		}
		j, size := i, 0
		for ; j < len(l.Nodes) && isText[j]; j++ {
			size += len(texts[j])
		}
		if _, ok := l.Nodes[i].(*parse.TextNode); ok && j == i+1 {
			out = append(out, l.Nodes[i])
		} else {
			run := make([]byte, 0, size)
			for k := i; k < j; k++ {
				run = append(run, texts[k]...)
			}
			out = append(out, &parse.TextNode{NodeType: parse.NodeText, Pos: l.Nodes[i].Position(), Text: run})
		}
		i = j
	}
	clear(l.Nodes[len(out):])
	l.Nodes = out
}

// foldAction returns the output of a, escaped, when a is {{t "key" "arg"…}}
// with constant arguments, followed by one foldable escaper and nothing else.
func foldAction(a *parse.ActionNode, t func(string, ...any) string) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 2 {
		return "", false
	}
	call, esc := p.Cmds[0].Args, p.Cmds[1].Args
	if len(esc) != 1 || !foldableEscapers[ident(esc[0])] || len(call) < 2 || ident(call[0]) != "t" {
		return "", false
	}
	key, ok := call[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	args := make([]any, 0, len(call)-2)
	for _, arg := range call[2:] {
		v, ok := literal(arg)
		if !ok {
			return "", false
		}
		args = append(args, v)
	}
	var b strings.Builder
	escapeInto(&b, t(key.Text, args...))
	return b.String(), true
}

// literal returns the value text/template passes for a string or decimal
// integer constant: the string, or the number as an int.
func literal(n parse.Node) (any, bool) {
	switch n := n.(type) {
	case *parse.StringNode:
		return n.Text, true
	case *parse.NumberNode:
		digits := strings.TrimPrefix(n.Text, "-")
		if n.IsInt && digits != "" && strings.Trim(digits, "0123456789") == "" && int64(int(n.Int64)) == n.Int64 {
			return int(n.Int64), true
		}
	}
	return nil, false
}

// ident is the name n calls if it is an identifier (a function), or "".
func ident(n parse.Node) string {
	if id, ok := n.(*parse.IdentifierNode); ok {
		return id.Ident
	}
	return ""
}
