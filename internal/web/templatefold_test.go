package web

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
	"testing"
	"text/template/parse"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// foldSource prints messages by literal key in every context a page uses,
// inside conditionals, loops and called templates, next to actions that
// cannot be folded (a key from data, a URL, a script, an unquoted value).
const foldSource = `{{define "cell"}}<td title="{{t "k.title"}}">{{t "k.cell" "A&B"}}</td>{{end}}` +
	`{{define "page"}}<html><head><title>{{t "k.title"}}</title></head><body>` +
	`<h1 class="{{t "k.class"}}">{{t "k.amp"}} {{.Name}}</h1>` +
	`{{if .Show}}<p>{{t "k.if"}}</p>{{else}}<p>{{t "k.else"}}</p>{{end}}` +
	`{{range .Items}}<li data-x='{{t "k.single"}}'>{{.}} {{t "k.range"}}</li>{{else}}{{t "k.empty"}}{{end}}` +
	`{{with .Name}}<span>{{t "k.with" .}} {{t "k.num" 30 -2 "s"}} {{t "k.float" 1.5}}</span>{{end}}` +
	`<a href="/x?q={{t "k.url"}}">{{t .Key}}</a><input value={{t "k.unquoted"}}>` +
	`<textarea>{{t "k.area"}}</textarea><script>var s = {{t "k.js"}};</script>` +
	`{{template "cell" .}}{{- t "k.trim" -}} end</body></html>{{end}}`

// foldMessagesFunc is a catalogue whose messages hold every character the
// escapers replace, and which counts its lookups.
func foldMessagesFunc(calls *int) func(string, ...any) string {
	return func(key string, args ...any) string {
		*calls++
		msg := `<b>"` + key + `" & 'it' + more` + "\x00" + ` ünï</b>`
		for _, a := range args {
			msg += fmt.Sprint(" [", a, "]")
		}
		return msg
	}
}

func foldTestSet(t *testing.T, calls *int) *template.Template {
	t.Helper()
	return template.Must(template.New("set").Funcs(template.FuncMap{"t": foldMessagesFunc(calls)}).Parse(foldSource))
}

// Folded messages read exactly as the escaped actions they replace, in
// every context and branch, and a render looks up only the messages that
// cannot be folded.
func TestFoldMessagesRendersAsBefore(t *testing.T) {
	datas := []map[string]any{
		{"Name": "Tom & Jerry", "Show": true, "Items": []string{"one", "<two>"}, "Key": "k.data"},
		{"Name": "", "Show": false, "Items": nil, "Key": "k.other"},
	}
	var plainCalls, foldCalls int
	plain := foldTestSet(t, &plainCalls)
	folded := newBoundSet(foldTestSet(t, &foldCalls), foldMessagesFunc(&foldCalls))
	for i, data := range datas {
		if i == 0 { // the first render prepares the set
			if err := folded.execute(io.Discard, "page", data); err != nil {
				t.Fatal(err)
			}
		}
		plainCalls, foldCalls = 0, 0
		var want, got strings.Builder
		if err := plain.ExecuteTemplate(&want, "page", data); err != nil {
			t.Fatal(err)
		}
		if err := folded.execute(&got, "page", data); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("data %d:\n got %s\nwant %s", i, got.String(), want.String())
		}
		// Left to each render: the key from data, the URL, the unquoted
		// value and the script; "k.with" takes its argument from data and
		// "k.float" a number that is not an integer.
		wantCalls := 4
		if data["Name"] != "" {
			wantCalls += 2
		}
		if foldCalls != wantCalls || plainCalls <= foldCalls {
			t.Errorf("data %d: folded set looked up %d messages (want %d), unfolded %d", i, foldCalls, wantCalls, plainCalls)
		}
	}
}

// A bound set folds the messages of a page, and of everything the page
// calls, when the page is first rendered; pages not yet rendered are left
// as parsed.
func TestBoundSetsFoldWhatTheyRender(t *testing.T) {
	ts, err := loadTemplates(func(s string) string { return "/static/" + s })
	if err != nil {
		t.Fatal(err)
	}
	set, err := ts.get(isms.Organisation{})
	if err != nil {
		t.Fatal(err)
	}
	// messages counts the actions printing a message by literal key in
	// HTML text, and how many of them are escaped.
	messages := func(name string) (all, escaped int) {
		tmpl := set.Lookup(name)
		if tmpl == nil || tmpl.Tree == nil {
			t.Fatalf("no template %s", name)
		}
		walkActions(tmpl.Tree.Root.Nodes, func(src string) {
			if strings.HasPrefix(src, `{{t "`) && !strings.Contains(src, " .") && !strings.Contains(src, " $") {
				all++
				if strings.Contains(src, "_html_template_htmlescaper") {
					escaped++
				}
			}
		})
		return all, escaped
	}
	if all, _ := messages("risk_list/content"); all == 0 {
		t.Fatal("the risk list prints no message by key before it is rendered")
	}
	set.prepare("risk_list/doc")
	for _, name := range []string{"risk_list/doc", "risk_list/content", "risk_list/results", "app_start"} {
		if _, escaped := messages(name); escaped > 0 {
			t.Errorf("%s: %d message actions left after the page was prepared", name, escaped)
		}
	}
	if all, escaped := messages("controls_detail/content"); all == 0 || escaped > 0 {
		t.Errorf("a page not rendered yet: %d message actions, %d of them escaped", all, escaped)
	}
}

// walkActions calls fn with the source of every action under nodes.
func walkActions(nodes []parse.Node, fn func(string)) {
	for _, n := range nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			fn(n.String())
		case *parse.IfNode:
			walkActions(n.List.Nodes, fn)
			if n.ElseList != nil {
				walkActions(n.ElseList.Nodes, fn)
			}
		case *parse.RangeNode:
			walkActions(n.List.Nodes, fn)
			if n.ElseList != nil {
				walkActions(n.ElseList.Nodes, fn)
			}
		case *parse.WithNode:
			walkActions(n.List.Nodes, fn)
			if n.ElseList != nil {
				walkActions(n.ElseList.Nodes, fn)
			}
		}
	}
}

// Pages that share templates render correctly when their first renders,
// which fold them, run at the same time as renders of each other.
func TestBoundSetPreparesPagesConcurrently(t *testing.T) {
	const src = `{{define "cell"}}<td title="{{t "k.title"}}">{{t "k.cell"}} {{.}}</td>{{end}}` +
		`{{define "a"}}<p>{{t "k.a"}}</p>{{template "cell" .}}{{end}}` +
		`{{define "b"}}<h1>{{t "k.b"}}</h1>{{template "cell" .}}{{template "a" .}}{{end}}` +
		`{{define "c"}}<title>{{t "k.c"}}</title>{{template "b" .}}{{end}}`
	msg := func(key string, _ ...any) string { return "<" + key + ">" }
	plain := template.Must(template.New("").Funcs(template.FuncMap{"t": msg}).Parse(src))
	want := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		var b strings.Builder
		if err := plain.ExecuteTemplate(&b, name, "x&y"); err != nil {
			t.Fatal(err)
		}
		want[name] = b.String()
	}
	set := newBoundSet(template.Must(template.New("").Funcs(template.FuncMap{"t": msg}).Parse(src)), msg)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				name := []string{"a", "b", "c"}[(i+j)%3]
				var b strings.Builder
				if err := set.execute(&b, name, "x&y"); err != nil {
					t.Error(err)
					return
				}
				if b.String() != want[name] {
					t.Errorf("%s: %s, want %s", name, b.String(), want[name])
					return
				}
			}
		}()
	}
	wg.Wait()
}
