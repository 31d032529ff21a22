package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// areaClauses are the management-system clauses with an overview page, in
// the order of the standard.
var areaClauses = []string{"4", "5", "6", "7", "8", "9", "10"}

type areaPage struct {
	Clause     catalog.Clause
	Subclauses []subclause
}

type subclause struct {
	catalog.Clause
	Served []servedBy
}

// servedBy names a Holdfast register that serves a subclause today.
type servedBy struct {
	Label, URL, Note string
}

// area shows one clause of the standard: what it is about in plain
// words, its subclauses, what documented information each requires, and
// which Holdfast registers serve it today.
func (a *app) area(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id := r.PathValue("clause")
	if !contains(areaClauses, id) {
		return isms.Errorf(isms.KindNotFound, "web.error.no_page")
	}
	cat, err := catalog.Load()
	if err != nil {
		return isms.Internal(err)
	}
	tr := c.tr()
	d := &areaPage{}
	for _, cl := range cat.ClausesUnder(id) {
		if cl.ID == id {
			d.Clause = cl
			continue
		}
		d.Subclauses = append(d.Subclauses, subclause{Clause: cl, Served: a.servedBy(tr, c, cl.ID)})
	}
	v := a.view(c, tr.T("web.area.title", d.Clause.Title, id))
	v.Nav = "area-" + id
	v.Data = d
	return a.render(w, r, http.StatusOK, "area", v)
}

// servedBy lists the registers that exist today for a subclause. Only
// real registers are named; links appear where the member may open them.
func (a *app) servedBy(tr i18n.Translator, c *reqCtx, clause string) []servedBy {
	var out []servedBy
	switch clause {
	case "7.2", "7.3":
		s := servedBy{Label: tr.T("web.nav.people"), Note: tr.T("web.area.people_note")}
		if c.Actor.Can(isms.PermReadRegisters) {
			s.URL = orgPath(c.Org.Slug, "/people")
		}
		out = append(out, s)
	case "7.5.3":
		s := servedBy{Label: tr.T("web.nav.audit"), Note: tr.T("web.area.audit_note")}
		if c.Actor.Can(isms.PermReadAudit) {
			s.URL = orgPath(c.Org.Slug, "/audit")
		}
		out = append(out, s)
	}
	return out
}

// controlThemes are the Annex A themes in catalogue order.
var controlThemes = []string{"Organizational", "People", "Physical", "Technological"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
