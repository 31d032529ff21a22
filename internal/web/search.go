package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// searchHit is one record found by the global search.
type searchHit struct {
	Ref, Title, Detail, URL string
}

// searchGroup is what one register found.
type searchGroup struct {
	ID, Label string
	Total     int
	Hits      template.HTML // the list's items (hitsHTML)
	MoreURL   string        // the register's list filtered by the same words
}

type searchPage struct {
	Q         string
	Registers []string // what was searched, for the reader
	Groups    []searchGroup
	Total     int
}

// searchLimit is how many hits each register shows; the rest are one
// click away in the register itself.
const searchLimit = 5

// searchGroupOf shapes one register's page of matches for q.
func searchGroupOf[T any](c *reqCtx, q, id, label, path string, page isms.Page[T], hit func(T) searchHit) searchGroup {
	g := searchGroup{ID: id, Label: label, Total: page.Total}
	hits := make([]searchHit, 0, len(page.Items))
	for _, x := range page.Items {
		h := hit(x)
		h.URL = orgPath(c.Org.Slug, path+"/"+h.URL)
		hits = append(hits, h)
	}
	g.Hits = hitsHTML(hits)
	if page.Total > len(hits) {
		g.MoreURL = withQuery(orgPath(c.Org.Slug, path), map[string][]string{"q": {q}})
	}
	return g
}

// hitsHTML writes the list items of a register's hits: each its
// reference and title linked to the record, and its detail. Written in Go
// rather than in the template for the same reason as the register tables'
// rows (see markup): thirty hits were a sixth of the page's work.
func hitsHTML(hits []searchHit) template.HTML {
	m := &markup{}
	m.b.Grow(len(hits) * 256)
	for _, h := range hits {
		m.raw("\n    <li>\n      ")
		m.link("ref", h.URL, h.Ref)
		m.raw("\n      ")
		m.link("", h.URL, h.Title)
		m.raw("\n      ")
		if h.Detail != "" {
			m.raw(`<span class="muted">`)
			m.text(h.Detail)
			m.raw("</span>")
		}
		m.raw("\n    </li>\n    ")
	}
	return m.html()
}

// search looks for q in the active records of the organisation's main
// registers and shows the first few of each, most relevant register first.
func (a *app) search(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermReadRegisters); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := &searchPage{Q: q}
	labels := []string{"web.nav.people", "web.nav.risks", "web.nav.controls", "web.nav.assets", "web.nav.evidence", "web.nav.actions"}
	for _, l := range labels {
		d.Registers = append(d.Registers, tr.T(l))
	}
	if q != "" {
		f, err := a.DB.Search(ctx, c.Actor, isms.ListQuery{Q: q, Limit: searchLimit, Brief: true})
		if err != nil {
			return err
		}
		d.Groups = []searchGroup{
			searchGroupOf(c, q, "people", d.Registers[0], "/people", f.People, func(p isms.Person) searchHit {
				return searchHit{Ref: p.Ref, Title: p.Name, Detail: strings.Trim(p.JobTitle+" · "+p.Department, " ·"), URL: p.ID}
			}),
			searchGroupOf(c, q, "risks", d.Registers[1], "/risks", f.Risks, func(x isms.Risk) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.Category, URL: x.ID}
			}),
			searchGroupOf(c, q, "controls", d.Registers[2], "/controls", f.Controls, func(x isms.Control) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.Theme, URL: x.ID}
			}),
			searchGroupOf(c, q, "assets", d.Registers[3], "/assets", f.Assets, func(x isms.Asset) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Name, URL: x.ID}
			}),
			searchGroupOf(c, q, "evidence", d.Registers[4], "/evidence", f.Evidence, func(x isms.Evidence) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, URL: x.ID}
			}),
			searchGroupOf(c, q, "actions", d.Registers[5], "/actions", f.Actions, func(x isms.Action) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.ResponsibleName, URL: x.ID}
			}),
		}
		for _, g := range d.Groups {
			d.Total += g.Total
		}
	}
	v := a.view(c, tr.T("web.search.title"))
	v.Query = q
	v.Data = d
	return a.render(w, r, http.StatusOK, "search", v)
}
