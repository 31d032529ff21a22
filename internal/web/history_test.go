package web

import (
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// refHistory is the template every detail page showed its history with,
// and refDiffTable the table of changes it called; historyHTML and
// diffTableHTML write what they wrote.
const refHistory = `{{define "ref-history"}}<ol class="history">
      {{range .}}
      <li class="history-entry">
        <p class="history-meta"><strong>{{.Actor}}</strong> · {{.Action}} · <time datetime="{{isotime .At}}">{{datetime .At}}</time></p>
        {{if .Changes}}{{template "ref-diff-table" .Changes}}{{end}}
      </li>
      {{end}}
    </ol>{{end}}`

const refDiffTable = `{{define "ref-diff-table"}}
<table class="diff">
  <thead><tr><th scope="col">{{t "web.history.field"}}</th><th scope="col">{{t "web.history.before"}}</th><th scope="col">{{t "web.history.after"}}</th></tr></thead>
  <tbody>
    {{range .}}
    <tr>
      <th scope="row">{{.Label}}</th>
      {{if .Changed}}
      <td>{{with .Before}}<del>{{.}}</del>{{else}}<span class="empty-value">{{t "web.history.empty"}}</span>{{end}}</td>
      <td>{{with .After}}<ins>{{.}}</ins>{{else}}<span class="empty-value">{{t "web.history.empty"}}</span>{{end}}</td>
      {{else}}
      <td>{{.Before}}</td><td>{{.After}}</td>
      {{end}}
    </tr>
    {{end}}
  </tbody>
</table>
{{end}}`

func TestHistoryIsWhatTheTemplateWrote(t *testing.T) {
	hostile := `<script>alert("x")</script> & 'quoted' +1 ` + "\x00 end"
	at := time.Date(2026, 3, 1, 23, 30, 5, 0, time.UTC)
	changes := []change{
		{Label: "Title", Before: "Old <b>", After: hostile, Changed: true},
		{Label: hostile, Before: "", After: "set", Changed: true},
		{Label: "Owner", Before: "Ada", After: "", Changed: true},
		{Label: "Same", Before: hostile, After: "", Changed: false},
		{Label: "Unchanged", Before: "a & b", After: "a & b"},
	}
	cases := map[string][]historyView{
		"none":             nil,
		"one, no changes":  {{Actor: hostile, Action: "Archived", At: at}},
		"several":          {{Actor: "Ada Rossi", Action: "Changed", At: at, Changes: changes}, {Actor: "", Action: hostile, At: at.Add(-time.Hour), Changes: changes[:1]}},
		"empty change set": {{Actor: "Ada", Action: "Created", At: at, Changes: []change{}}},
	}
	for _, org := range []isms.Organisation{
		{TimeZone: "Europe/London", DateFormat: "02 Jan 2006"},
		{TimeZone: "Pacific/Auckland", DateFormat: "2006-01-02"},
	} {
		ref := refTemplate(org, refHistory+refDiffTable)
		for name, hist := range cases {
			got := `<ol class="history">` + string(historyHTML(translator(org), org, hist)) + `</ol>`
			sameAsTemplate(t, org.TimeZone+", "+name+": history", ref, "ref-history", hist, got)
		}
		sameAsTemplate(t, "diff table", ref, "ref-diff-table", changes, string(diffTableHTML(translator(org), changes)))
	}
	// What a reader sees: the time in the organisation's zone, values
	// escaped, an empty value named.
	org := isms.Organisation{TimeZone: "Pacific/Auckland", DateFormat: "2006-01-02"}
	got := string(historyHTML(translator(org), org, cases["several"]))
	for _, must := range []string{`<time datetime="2026-03-01T23:30:05Z">2026-03-02 12:30</time>`, "&lt;script&gt;", `<del>Old &lt;b&gt;</del>`,
		`<span class="empty-value">`} {
		if !strings.Contains(got, must) {
			t.Errorf("history lacks %q", must)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Error("history holds an unescaped script")
	}
}
