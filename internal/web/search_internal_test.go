package web

import (
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// refSearchHits is the search page's list items as the template wrote
// them before hitsHTML.
const refSearchHits = `{{define "hits"}}{{range .}}
    <li>
      <a class="ref" href="{{.URL}}">{{.Ref}}</a>
      <a href="{{.URL}}">{{.Title}}</a>
      {{with .Detail}}<span class="muted">{{.}}</span>{{end}}
    </li>
    {{end}}{{end}}`

// The search page's hits written in Go are what the template wrote, for
// text, details and URLs that need escaping, unsafe schemes, and none.
func TestSearchHitsAreWhatTheTemplateWrote(t *testing.T) {
	ref := refTemplate(isms.Organisation{}, refSearchHits)
	for name, hits := range map[string][]searchHit{
		"none": nil,
		"plain": {{Ref: "R-001", Title: "Backup failure", Detail: "Operations", URL: "/o/acme/risks/01a2"},
			{Ref: "A-002", Title: "Laptop", URL: "/o/acme/assets/01b3"}},
		"escaping": {
			{Ref: `R-<1>&"x"`, Title: `Risk & <script>alert('x')</script>`, Detail: `Café · "Ops" & <Dev>`, URL: "/o/b&b/risks/a b\"c'd(e)%zz%41é"},
			{Ref: "P-1", Title: "Zoë O'Brien", Detail: "Lead · Finance", URL: "javascript:alert(1)"},
			{Ref: "E-9", Title: "x", URL: "/o/acme/evidence/a%4"},
		},
	} {
		sameAsTemplate(t, name, ref, "hits", hits, string(hitsHTML(hits)))
	}
}
