package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
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

// Links written in Go carry their URL as html/template writes an href:
// unsafe schemes refused, characters a URL may not hold percent-encoded,
// valid escapes kept.
func TestMarkupLinksLikeTemplates(t *testing.T) {
	tpl := template.Must(template.New("").Parse(`<a href="{{.}}">x</a>`))
	for _, u := range []string{
		"/o/acme/risks/1", "/o/acme/risks?q=a b&sort=-title", `/o/a?q="x"'(y)<z>`, "/o/a?q=ünï+cødé", "/o/a?c=ab%3D%zz%4",
		"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "https://example.test/a?b=c", "mailto:a@b.test", "", "#top",
	} {
		var want strings.Builder
		if err := tpl.Execute(&want, u); err != nil {
			t.Fatal(err)
		}
		var m markup
		m.link("", u, "x")
		if got := string(m.html()); got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", u, got, want.String())
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

// A control's related risks and evidence are list items with escaped
// titles, links to the evidence and its validity, or the empty states.
func TestControlRelatedItems(t *testing.T) {
	tr := translator(isms.Organisation{})
	o := isms.Organisation{Slug: "acme", DateFormat: "2006-01-02"}
	risks, evidence := controlRelatedItems(tr, o, isms.SoALine{
		Risks:    []isms.RecordRef{{Type: "risk", ID: "r1", Ref: "R-001", Title: `Fire & "flood"`}},
		Evidence: []isms.EvidenceRef{{ID: "e1", Ref: "E-001", Title: "<Restore log>", ValidUntil: "2099-01-31"}, {ID: "e2", Ref: "E-002", Title: "Policy"}},
	})
	for _, want := range []string{`<li><span class="ref">R-001</span> Fire &amp; &#34;flood&#34;</li>`} {
		if !strings.Contains(string(risks), want) {
			t.Errorf("risks: missing %s in %s", want, risks)
		}
	}
	for _, want := range []string{
		`<li><a class="ref" href="/o/acme/evidence/e1">E-001</a> <a href="/o/acme/evidence/e1">&lt;Restore log&gt;</a> <span class="muted">valid until 2099-01-31</span></li>`,
		`<li><a class="ref" href="/o/acme/evidence/e2">E-002</a> <a href="/o/acme/evidence/e2">Policy</a></li>`,
	} {
		if !strings.Contains(string(evidence), want) {
			t.Errorf("evidence: missing %s in %s", want, evidence)
		}
	}
	risks, evidence = controlRelatedItems(tr, o, isms.SoALine{})
	if !strings.Contains(string(risks), `<li class="muted">No risk&#39;s treatment uses this control yet.</li>`) ||
		!strings.Contains(string(evidence), `<li class="muted">No evidence linked yet.</li>`) {
		t.Errorf("empty states: %s %s", risks, evidence)
	}
}

// A URL written as an escaped prefix and its rest reads as the whole URL
// written at once, whatever the rest holds.
func TestURLAfterWritesTheWholeURL(t *testing.T) {
	for _, prefix := range []string{"/o/acme/evidence/", "/o/a b&c/controls/", "/o/x%4/controls/", "evidence/", "/o/acme/e%", ""} {
		p := newURLPrefix(prefix)
		for _, rest := range []string{"01a24d33-cf72-7de6-8434-6d2861b658f8", "", "javascript:alert(1)", "a/b:c", "a b", "%41x", "1", "ünï&+\"'<>"} {
			var want strings.Builder
			urlInto(&want, prefix+rest)
			var m markup
			m.urlAfter(p, rest)
			if got := m.b.String(); got != want.String() {
				t.Errorf("%q + %q: %q, want %q", prefix, rest, got, want.String())
			}
			var link, whole markup
			link.linkAfter("ref", p, rest, "E-1 <x>")
			whole.link("ref", prefix+rest, "E-1 <x>")
			if link.b.String() != whole.b.String() {
				t.Errorf("%q + %q: link %s, want %s", prefix, rest, link.b.String(), whole.b.String())
			}
		}
	}
}
