package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// templateKeys collects the constant keys passed to t and plural in every
// parsed template.
func templateKeys(t *testing.T) (keys, plurals map[string]bool) {
	t.Helper()
	ts, err := loadTemplates(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	keys, plurals = map[string]bool{}, map[string]bool{}
	var walk func(n parse.Node)
	walkPipe := func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, cmd := range p.Cmds {
			if len(cmd.Args) >= 2 {
				if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
					if s, ok := cmd.Args[1].(*parse.StringNode); ok {
						switch id.Ident {
						case "t":
							keys[s.Text] = true
						case "plural":
							plurals[s.Text] = true
						}
					}
				}
			}
			for _, arg := range cmd.Args {
				walk(arg)
			}
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walkPipe(n.Pipe)
		case *parse.PipeNode:
			walkPipe(n)
		case *parse.IfNode:
			walkPipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walkPipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walkPipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walkPipe(n.Pipe)
		}
	}
	for _, tpl := range ts.spare.Templates() {
		if tpl.Tree != nil {
			walk(tpl.Tree.Root)
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the template walk is broken", len(keys))
	}
	return keys, plurals
}

// TestTemplateKeysExist checks every catalogue key the templates use.
func TestTemplateKeysExist(t *testing.T) {
	keys, plurals := templateKeys(t)
	var missing []string
	for k := range keys {
		if !i18n.Has(k) {
			missing = append(missing, k)
		}
	}
	for k := range plurals {
		for _, form := range []string{".one", ".other"} {
			if !i18n.Has(k + form) {
				missing = append(missing, k+form)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("templates use keys missing from the catalogue:\n%s", strings.Join(missing, "\n"))
	}
}

// TestGoKeysExist checks the keys the Go code passes to the translator:
// every "web.…" string literal, and the keys built from catalogue and
// domain values.
func TestGoKeysExist(t *testing.T) {
	var missing []string
	check := func(k string) {
		if !i18n.Has(k) {
			missing = append(missing, k)
		}
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The first argument of a Plural call names a pair of keys.
		plural := map[token.Pos]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Plural" && len(call.Args) > 0 {
					if lit, ok := call.Args[0].(*ast.BasicLit); ok {
						plural[lit.Pos()] = true
					}
				}
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			if strings.HasPrefix(s, "web.") && !strings.HasSuffix(s, ".") {
				if plural[lit.Pos()] {
					check(s + ".one")
					check(s + ".other")
				} else {
					check(s)
				}
			}
			return true
		})
	}
	for _, id := range areaClauses {
		check("web.area." + id + ".lede")
		check("web.area." + id + ".intro")
		check("web.nav.area." + id)
	}
	cat := catalog.Must()
	for _, th := range controlThemes {
		check("web.controls.theme." + th)
		if len(cat.ControlsByTheme(th)) == 0 {
			t.Errorf("theme %s has no controls", th)
		}
	}
	for _, c := range cat.Controls {
		if !contains(controlThemes, c.Theme) {
			t.Errorf("control %s has theme %q, not shown", c.ID, c.Theme)
		}
		for _, v := range c.ControlTypes {
			check("web.controls.type." + v)
		}
		for _, v := range c.SecurityProperties {
			check("web.controls.property." + v)
		}
	}
	for _, r := range isms.Roles {
		check("role." + string(r))
		check("role." + string(r) + ".description")
	}
	for _, b := range isms.SizeBands {
		check("size." + string(b))
	}
	for _, a := range auditActions {
		check("action." + a)
	}
	for _, r := range auditTypes {
		check("record." + r)
	}
	for _, specs := range [][]isms.FieldSpec{auditSpecs("person", nil, nil), auditSpecs("organisation", nil, nil), auditSpecs("membership", nil, nil)} {
		for _, s := range specs {
			check(s.Label)
		}
	}
	for _, code := range []int{400, 403, 404, 409, 413, 422, 429, 500} {
		check(errorTitleKey(code))
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("Go code uses keys missing from the catalogue:\n%s", strings.Join(uniq(missing), "\n"))
	}
}

func uniq(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

var (
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	actionRE  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	wordRE    = regexp.MustCompile(`[A-Za-z]{2,}`)
	allowText = map[string]bool{"Holdfast": true}
)

// TestNoLiteralText checks that templates show no English of their own:
// every word a user reads comes from the catalogue (except the brand).
func TestNoLiteralText(t *testing.T) {
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFiles, p)
		if err != nil {
			return err
		}
		s := actionRE.ReplaceAllString(string(b), " ")
		s = tagRE.ReplaceAllString(s, " ")
		for _, w := range wordRE.FindAllString(s, -1) {
			if !allowText[w] {
				t.Errorf("%s: literal text %q; use the catalogue", p, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTemplatesParse proves every page parses into the one set, the
// layouts exist, and a page's own names do not collide with another's.
func TestTemplatesParse(t *testing.T) {
	ts, err := loadTemplates(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app_start", "app_end", "bare_start", "bare_end", "input", "select", "textarea", "error-summary", "login/doc", "people/content", "people/fragment"} {
		if ts.spare.Lookup(name) == nil {
			t.Errorf("template %q missing", name)
		}
	}
	if ts.spare.Lookup("content") != nil || ts.spare.Lookup("doc") != nil {
		t.Error("a page's own template escaped its page scope")
	}
	got := scopePage("p", `{{define "doc"}}{{template "row" .}}{{template "input" .}}{{end}}{{define "row"}}x{{end}}{{block "tail" .}}y{{end}}`)
	want := `{{define "p/doc"}}{{template "p/row" .}}{{template "input" .}}{{end}}{{define "p/row"}}x{{end}}{{block "p/tail" .}}y{{end}}`
	if got != want {
		t.Errorf("scopePage:\n got %s\nwant %s", got, want)
	}
}
