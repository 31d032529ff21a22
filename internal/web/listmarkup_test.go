package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// refListParts are the templates every register list showed its header
// cells, chips and pager with; headCellsHTML, chipsHTML and pagerHTML
// write what they wrote.
const refListParts = `{{define "ref-head"}}{{range .}}<th scope="col"{{with .ARIASort}} aria-sort="{{.}}"{{end}}{{if .Num}} class="num"{{end}}>{{if .URL}}<a class="sort{{with .Class}} {{.}}{{end}}" href="{{.URL}}" hx-get="{{.URL}}" hx-target="#results" hx-push-url="true">{{.Label}}</a>{{else}}{{.Label}}{{end}}</th>
        {{end}}{{end}}
{{define "ref-chips"}}<ul class="chips" aria-label="{{t "web.filters.active"}}">
    {{range .Chips}}<li class="chip">{{.Label}} <a href="{{.URL}}"><span aria-hidden="true">×</span><span class="visually-hidden">{{t "web.filters.remove" .Label}}</span></a></li>{{end}}
    <li><a class="btn-link btn-sm" href="{{.ClearURL}}">{{t "web.filters.clear"}}</a></li>
  </ul>{{end}}
{{define "ref-pager"}}<nav class="pager" aria-label="{{t "web.pager.label"}}">
  <p>{{t "web.pager.showing" .Shown .Total}}</p>
  {{if or .PrevURL .NextURL}}
  <ul>
    <li>{{with .PrevURL}}<a href="{{.}}" rel="prev" hx-get="{{.}}" hx-target="#results" hx-push-url="true">{{t "web.pager.prev"}}</a>{{else}}<span aria-disabled="true">{{t "web.pager.prev"}}</span>{{end}}</li>
    <li>{{with .NextURL}}<a href="{{.}}" rel="next" hx-get="{{.}}" hx-target="#results" hx-push-url="true">{{t "web.pager.next"}}</a>{{else}}<span aria-disabled="true">{{t "web.pager.next"}}</span>{{end}}</li>
  </ul>
  {{end}}
</nav>{{end}}`

func TestListPartsAreWhatTheTemplatesWrote(t *testing.T) {
	hostile := `<script>alert("x")</script> & 'quoted' +1 ` + "\x00 end"
	urls := []string{
		"/o/acme/risks?q=backup&sort=-level",
		"/o/acme/risks?q=" + hostile,
		"javascript:alert(1)",
		"/o/acme/people?q=Zoë%20+%zz&x=a b",
		`/o/acme/assets?cursor=eyJ2Ijoid2Vi"IiwiaWQiOiIwMSJ9`,
	}
	org := isms.Organisation{TimeZone: "Europe/London", DateFormat: "02 Jan 2006"}
	ref := refTemplate(org, refListParts)
	tr := translator(org)
	same := func(what, name string, data any, got template.HTML) {
		t.Helper()
		sameAsTemplate(t, what, ref, name, data, string(got))
	}

	var heads []headerCell
	for i, u := range urls {
		heads = append(heads, headerCell{Label: "Title", URL: u}, headerCell{Label: hostile, URL: u, ARIASort: "descending", Class: "sort-desc", Num: i%2 == 0})
	}
	heads = append(heads, headerCell{Label: "Owner"}, headerCell{Label: hostile, Num: true}, headerCell{Label: "Due", ARIASort: `a"b`, Class: hostile})
	for _, hs := range [][]headerCell{nil, heads[:1], heads} {
		same("header cells", "ref-head", hs, headCellsHTML(hs))
	}

	for _, cs := range [][]chip{{{Label: "Search: backup", URL: urls[0]}}, {{Label: hostile, URL: urls[1]}, {Label: "x", URL: urls[2]}, {Label: "", URL: urls[3]}}} {
		for _, clear := range urls {
			data := struct {
				Chips    []chip
				ClearURL string
			}{cs, clear}
			same("chips", "ref-chips", data, chipsHTML(tr, cs, clear))
		}
	}

	for _, p := range []struct {
		shown, total  int
		prev, next    string
		mustHave, not string
	}{
		{0, 0, "", "", "Showing 0 of 0", "<ul>"},
		{50, 1000, "", urls[0], `<span aria-disabled="true">← Previous</span>`, `rel="prev"`},
		{50, 1000, urls[0], urls[1], `rel="prev"`, "aria-disabled"},
		{1, 1000, urls[2], "", `href="#ZgotmplZ"`, `rel="next"`},
		{50, 1000, urls[3], urls[4], `hx-target="#results"`, "aria-disabled"},
	} {
		data := struct {
			Shown, Total     int
			PrevURL, NextURL string
		}{p.shown, p.total, p.prev, p.next}
		got := pagerHTML(tr, p.shown, p.total, p.prev, p.next)
		same("pager", "ref-pager", data, got)
		if !strings.Contains(string(got), p.mustHave) || strings.Contains(string(got), p.not) {
			t.Errorf("pager %d of %d, prev %q next %q: want %q and no %q in %s", p.shown, p.total, p.prev, p.next, p.mustHave, p.not, got)
		}
	}
}
