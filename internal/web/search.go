package web

import (
	"context"
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
	Hits      []searchHit
	MoreURL   string // the register's list filtered by the same words
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

// searchIn runs q against one register's list and shapes the hits.
func searchIn[T any](ctx context.Context, c *reqCtx, q, id, label, path string,
	list func(context.Context, isms.Actor, isms.ListQuery) (isms.Page[T], error), hit func(T) searchHit) (searchGroup, error) {
	g := searchGroup{ID: id, Label: label}
	page, err := list(ctx, c.Actor, isms.ListQuery{Q: q, Limit: searchLimit, Brief: true})
	if err != nil {
		return g, err
	}
	g.Total = page.Total
	for _, x := range page.Items {
		h := hit(x)
		h.URL = orgPath(c.Org.Slug, path+"/"+h.URL)
		g.Hits = append(g.Hits, h)
	}
	if page.Total > len(g.Hits) {
		g.MoreURL = withQuery(orgPath(c.Org.Slug, path), map[string][]string{"q": {q}})
	}
	return g, nil
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
	var searches = []func() (searchGroup, error){
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "people", tr.T("web.nav.people"), "/people", a.DB.People, func(p isms.Person) searchHit {
				return searchHit{Ref: p.Ref, Title: p.Name, Detail: strings.Trim(p.JobTitle+" · "+p.Department, " ·"), URL: p.ID}
			})
		},
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "risks", tr.T("web.nav.risks"), "/risks", a.DB.Risks, func(x isms.Risk) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.Category, URL: x.ID}
			})
		},
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "controls", tr.T("web.nav.controls"), "/controls", a.DB.Controls, func(x isms.Control) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.Theme, URL: x.ID}
			})
		},
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "assets", tr.T("web.nav.assets"), "/assets", a.DB.Assets, func(x isms.Asset) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Name, URL: x.ID}
			})
		},
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "evidence", tr.T("web.nav.evidence"), "/evidence", a.DB.EvidenceList, func(x isms.Evidence) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, URL: x.ID}
			})
		},
		func() (searchGroup, error) {
			return searchIn(ctx, c, q, "actions", tr.T("web.nav.actions"), "/actions", a.DB.Actions, func(x isms.Action) searchHit {
				return searchHit{Ref: x.Ref, Title: x.Title, Detail: x.ResponsibleName, URL: x.ID}
			})
		},
	}
	labels := []string{"web.nav.people", "web.nav.risks", "web.nav.controls", "web.nav.assets", "web.nav.evidence", "web.nav.actions"}
	for _, l := range labels {
		d.Registers = append(d.Registers, tr.T(l))
	}
	if q != "" {
		for _, s := range searches {
			g, err := s()
			if err != nil {
				return err
			}
			d.Groups = append(d.Groups, g)
			d.Total += g.Total
		}
	}
	v := a.view(c, tr.T("web.search.title"))
	v.Query = q
	v.Data = d
	return a.render(w, r, http.StatusOK, "search", v)
}
