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

// register names a Holdfast register that serves a subclause: its label,
// a note on how it serves it, where it lives and who may open it.
type register struct {
	label, note, path string
	perm              isms.Permission
}

// servedByRegisters maps subclauses to the registers that serve them today.
// Only registers that exist are named.
var servedByRegisters = map[string][]register{
	"6.1.1": {{"web.nav.risks", "web.area.isms_risks_note", "/risks", isms.PermReadRegisters}},
	"6.1.2": {
		{"web.criteria.title", "web.area.criteria_note", "/risks/criteria", isms.PermReadRegisters},
		{"web.nav.risks", "web.area.risks_note", "/risks", isms.PermReadRegisters},
		{"web.nav.assets", "web.area.assets_note", "/assets", isms.PermReadRegisters},
		{"web.nav.threats", "web.area.threats_note", "/threats", isms.PermReadRegisters},
		{"web.nav.vulnerabilities", "web.area.threats_note", "/vulnerabilities", isms.PermReadRegisters},
	},
	"6.1.3": {
		{"web.risks.plan_title", "web.area.plan_note", "/risks/plan", isms.PermReadRegisters},
		{"web.nav.soa", "web.area.soa_note", "/soa", isms.PermReadRegisters},
		{"web.nav.controls", "web.area.controls_note", "/controls", isms.PermReadRegisters},
	},
	"7.2":   {{"web.nav.people", "web.area.people_note", "/people", isms.PermReadRegisters}},
	"7.3":   {{"web.nav.people", "web.area.people_note", "/people", isms.PermReadRegisters}},
	"7.5.1": {{"web.nav.evidence", "web.area.evidence_note", "/evidence", isms.PermReadRegisters}},
	"7.5.3": {{"web.nav.audit", "web.area.audit_note", "/audit", isms.PermReadAudit}},
	"8.2":   {{"web.nav.assessments", "web.area.assessments_note", "/assessments", isms.PermReadRegisters}},
	"8.3": {
		{"web.risks.plan_title", "web.area.plan_note", "/risks/plan", isms.PermReadRegisters},
		{"web.nav.actions", "web.area.actions_note", "/actions", isms.PermReadRegisters},
	},
}

// servedBy lists the registers that serve a subclause today; links appear
// where the member may open them.
func (a *app) servedBy(tr i18n.Translator, c *reqCtx, clause string) []servedBy {
	var out []servedBy
	for _, r := range servedByRegisters[clause] {
		s := servedBy{Label: tr.T(r.label), Note: tr.T(r.note)}
		if c.Actor.Can(r.perm) {
			s.URL = orgPath(c.Org.Slug, r.path)
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
