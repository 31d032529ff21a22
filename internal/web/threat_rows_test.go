package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The threat and vulnerability rows written in Go read exactly as the
// template loop they replace wrote them, whatever the entries hold:
// markup and quotes in titles, references and catalogue ids, categories
// and controls the catalogues do not know, no controls at all.
func TestThreatListRowsLikeTemplates(t *testing.T) {
	tpl := template.Must(template.New("").Funcs(template.FuncMap{"t": translator(isms.Organisation{}).T}).Parse(
		`{{range .Rows}}
      <tr>
        <td><a class="ref" href="{{printf "%s%s" $.Base .ID}}">{{.Ref}}</a></td>
        <td class="wrap"><a class="title-link" href="{{printf "%s%s" $.Base .ID}}">{{.Title}}</a>{{if .Archived}} <span class="pill pill-muted">{{t "web.reg.archived_pill"}}</span>{{end}}{{with .CatalogueID}} <span class="muted small">{{t "web.threats.from_catalogue" .}}</span>{{end}}</td>
        <td>{{.CategoryText}}</td>
        <td class="mono small">{{range $i, $c := .ControlRefs}}{{if $i}}, {{end}}<abbr title="{{$c.Title}}">{{$c.ID}}</abbr>{{end}}</td>
      </tr>
      {{end}}`))
	tr := translator(isms.Organisation{})
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	archived := isms.Meta{ID: "a2", Ref: "T-002", ArchivedAt: &at}
	entries := []isms.Threat{
		{Meta: isms.Meta{ID: "a1", Ref: "T-001"}, Title: "Phishing email", CatalogueID: "T-01", Category: "deliberate", Controls: []string{"5.17", "8.7"}},
		{Meta: archived, Title: `<script>alert("x")</script> & Tom's + co`, Category: "technical", Controls: []string{"7.4"}},
		{Meta: isms.Meta{ID: "a 3?x=<y>&z", Ref: `T-"3"&<`}, Title: "", CatalogueID: `T-<01>&"'`, Category: `odd<&>"`, Controls: []string{"99.9", "<b>", "5.1"}},
		{Meta: isms.Meta{ID: "a4", Ref: "V-004"}, Title: "ünïcødé — ok\x00", Category: "physical"},
	}
	for n := 0; n <= len(entries); n++ {
		var rows []threatRow
		for _, x := range entries[:n] {
			rows = append(rows, threatRowOf(tr, x))
		}
		var want strings.Builder
		if err := tpl.Execute(&want, map[string]any{"Base": "/o/acme/threats/", "Rows": rows}); err != nil {
			t.Fatal(err)
		}
		if got := string(threatListRows(tr, "/o/acme/threats/", entries[:n])); got != want.String() {
			t.Errorf("%d rows:\n got %s\nwant %s", n, got, want.String())
		}
	}
}
