package web

import (
	"html/template"
	"strings"
	"testing"
)

// The markup writer escapes text and attribute values as html/template
// does, so a table written in Go reads the same as one from a template.
func TestMarkupEscapesLikeTemplates(t *testing.T) {
	tpl := template.Must(template.New("").Parse(`<td class="{{.}}">{{.}}</td><abbr title="{{.}}">x</abbr>`))
	for _, s := range []string{
		"plain", `<script>alert("x")</script>`, "Tom & Jerry's", "a+b=c", "\x00nul", "ünïcødé — ok", `"'<>&+`, "",
	} {
		var want strings.Builder
		if err := tpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		var m markup
		m.raw("<td")
		m.attr("class", s)
		m.raw(">")
		m.text(s)
		m.raw("</td><abbr")
		m.attr("title", s)
		m.raw(">x</abbr>")
		if got := string(m.html()); got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want.String())
		}
	}
}

// A record's opening cells link its reference and title and mark it
// archived only when it is.
func TestRecordCells(t *testing.T) {
	var m markup
	m.recordCells("/o/acme/risks/1", "R-001", "Fire & flood", "wrap", pillIf(true, "pill-muted", "Archived"), pill{"pill-warning", ""})
	got := string(m.html())
	for _, want := range []string{
		`<a class="ref" href="/o/acme/risks/1">R-001</a>`,
		`<td class="wrap"><a class="title-link" href="/o/acme/risks/1">Fire &amp; flood</a> <span class="pill pill-muted">Archived</span></td>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in %s", want, got)
		}
	}
	m = markup{}
	m.recordCells("/x", "R-002", "Active", "", pillIf(false, "pill-muted", "Archived"))
	if got := string(m.html()); strings.Contains(got, "Archived") || !strings.Contains(got, "<td><a class=\"title-link\"") {
		t.Errorf("active record: %s", got)
	}
}

// Options written in Go read as the template loop they replace wrote them,
// whatever the values hold and whether the current value is a string or a
// named string type.
func TestOptionsLikeTemplates(t *testing.T) {
	type role string
	tpl := template.Must(template.New("").Parse(
		`{{range .Opts}}<option value="{{.Value}}"{{if eq .Value $.Sel}} selected{{end}}>{{.Label}}</option>{{end}}`))
	opts := []option{{"", "Any"}, {"a&b", `Tom & "Jerry"`}, {`<x>`, "<script>"}, {"é", "ünïcødé"}, {"plain", "Plain"}}
	for _, sel := range []any{"", "a&b", `<x>`, "é", "none", role("plain")} {
		var want strings.Builder
		s := sel
		if r, ok := sel.(role); ok {
			s = string(r)
		}
		if err := tpl.Execute(&want, map[string]any{"Opts": opts, "Sel": s}); err != nil {
			t.Fatal(err)
		}
		if got := string(optionsHTML(opts, sel)); got != want.String() {
			t.Errorf("selected %q:\n got %s\nwant %s", sel, got, want.String())
		}
	}
	if got := string(optionsHTML(opts, 3)); strings.Contains(got, "selected") {
		t.Errorf("a number selected an option: %s", got)
	}
}
