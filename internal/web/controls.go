package web

import (
	"context"
	"encoding/csv"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// controlParams are the controls register's query parameters.
type controlParams struct {
	Q, Theme, Status, Decision, Kind, Attr, Group, Sort, Mine string
}

var controlSorts = []string{"ref", "title", "status", "next_review", "updated_at"}

func parseControlParams(q url.Values) controlParams {
	p := controlParams{Q: strings.TrimSpace(q.Get("q")), Theme: q.Get("theme"), Status: q.Get("status"), Decision: q.Get("decision"),
		Kind: q.Get("kind"), Attr: q.Get("attr"), Group: q.Get("group"), Sort: q.Get("sort"), Mine: q.Get("mine")}
	if !contains(catalog.Themes, p.Theme) {
		p.Theme = ""
	}
	if !isms.ValidStatus(p.Status) {
		p.Status = ""
	}
	switch p.Decision {
	case "included", "excluded", "none":
	default:
		p.Decision = ""
	}
	switch p.Kind {
	case string(isms.ControlAnnexA), string(isms.ControlCustom):
	default:
		p.Kind = ""
	}
	if _, _, ok := ctlSplitAttr(p.Attr); !ok {
		p.Attr = ""
	}
	if p.Group != "none" && ctlAttributeSet(p.Group) == nil {
		p.Group = "theme"
	}
	if !contains(controlSorts, p.Sort) {
		p.Sort = "ref"
	}
	if p.Mine != "yes" {
		p.Mine = ""
	}
	return p
}

// ctlSplitAttr reads an attribute filter "control_type:Preventive".
func ctlSplitAttr(s string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(s, ":")
	set := ctlAttributeSet(name)
	return name, value, ok && set != nil && contains(set.Values, value)
}

func ctlAttributeSet(name string) *catalog.Attribute {
	for i := range catalog.Attributes {
		if catalog.Attributes[i].Name == name {
			return &catalog.Attributes[i]
		}
	}
	return nil
}

func (p controlParams) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": p.Q, "theme": p.Theme, "status": p.Status, "decision": p.Decision, "kind": p.Kind, "attr": p.Attr, "mine": p.Mine} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p.Group != "theme" {
		v.Set("group", p.Group)
	}
	if p.Sort != "ref" {
		v.Set("sort", p.Sort)
	}
	return v
}

func (p controlParams) query(a isms.Actor) isms.ListQuery {
	q := isms.ListQuery{Q: p.Q, Sort: p.Sort, Limit: isms.MaxLimit, Filters: map[string]string{}}
	for k, v := range map[string]string{"theme": p.Theme, "status": p.Status, "kind": p.Kind} {
		if v != "" {
			q.Filters[k] = v
		}
	}
	switch p.Decision {
	case "none":
		q.Filters["decision"] = "-"
	case "":
	default:
		q.Filters["decision"] = p.Decision
	}
	if name, value, ok := ctlSplitAttr(p.Attr); ok {
		q.Filters[name] = value
	}
	if p.Mine != "" {
		q.Filters["owner_id"] = a.UserID
	}
	return q
}

func (p controlParams) filtered() bool {
	return p.Q != "" || p.Theme != "" || p.Status != "" || p.Decision != "" || p.Kind != "" || p.Attr != "" || p.Mine != ""
}

type ctlGroup struct {
	ID, Title string
	Count     int           // its controls
	Body      template.HTML // the table's rows
	rows      *markup       // where the rows are written
}

// ctlRow writes the row of control ctl, with its number of SoA warnings,
// to a group's table; labels holds the words rows share.
func (m *markup) ctlRow(ctl *isms.Control, url string, warnings int, labels *ctlLabels, o isms.Organisation) {
	m.recordCells(url, ctl.Ref, ctl.Title, "", pillIf(ctl.Kind == isms.ControlCustom, "pill-info", labels.custom))
	m.raw("<td>")
	if ctl.OwnerName != "" {
		m.text(ctl.OwnerName)
	} else {
		m.mutedText(labels.none)
	}
	m.raw("</td><td>")
	st := labels.status(ctl.Status)
	m.pill(st.Class, st.Text)
	m.raw("</td><td>")
	d := labels.decision(ctl.Decision)
	m.pill(d.Class, d.Text)
	m.raw(`</td><td class="num">`)
	if ctl.NextReview != "" {
		m.time(ctl.NextReview, o.FormatCalendarDate(ctl.NextReview))
	}
	m.raw(`</td><td class="num">`)
	if warnings > 0 {
		m.pill("pill-warning", strconv.Itoa(warnings))
	} else {
		m.raw(`<span class="muted">0</span>`)
	}
	m.raw("</td></tr>")
}

// ctlLabels are the words the rows of the controls list and the SoA
// share, translated once for a page.
type ctlLabels struct {
	tr           i18n.Translator
	custom, none string
	statuses     map[isms.ControlStatus]pill
	decisions    map[isms.Decision]pill
}

func newCtlLabels(tr i18n.Translator) *ctlLabels {
	l := &ctlLabels{tr: tr, custom: tr.T("control.kind.custom"), none: tr.T("web.none"),
		statuses: make(map[isms.ControlStatus]pill, len(isms.ControlStatuses)), decisions: make(map[isms.Decision]pill, 3)}
	for _, st := range isms.ControlStatuses {
		l.statuses[st] = controlStatusPill(tr, st)
	}
	for _, d := range []isms.Decision{isms.DecisionNone, isms.DecisionIncluded, isms.DecisionExcluded} {
		l.decisions[d] = soaDecisionPill(tr, d)
	}
	return l
}

// status is how a control's status is shown.
func (l *ctlLabels) status(s isms.ControlStatus) pill {
	if p, ok := l.statuses[s]; ok {
		return p
	}
	return controlStatusPill(l.tr, s)
}

// decision is how a control's SoA decision is shown.
func (l *ctlLabels) decision(d isms.Decision) pill {
	if p, ok := l.decisions[d]; ok {
		return p
	}
	return soaDecisionPill(l.tr, d)
}

// controlStatusPill is how a control's implementation status is shown.
func controlStatusPill(tr i18n.Translator, s isms.ControlStatus) pill {
	class := "pill-muted"
	switch s {
	case isms.StatusImplemented:
		class = "pill-success"
	case isms.StatusPartial:
		class = "pill-info"
	case isms.StatusPlanned:
		class = "pill-neutral"
	}
	return pill{class, tr.T("control.status." + string(s))}
}

// soaDecisionPill is how a control's SoA decision is shown.
func soaDecisionPill(tr i18n.Translator, d isms.Decision) pill {
	switch d {
	case isms.DecisionIncluded:
		return pill{"pill-success", tr.T("soa.decision.included")}
	case isms.DecisionExcluded:
		return pill{"pill-neutral", tr.T("soa.decision.excluded")}
	}
	return pill{"pill-warning", tr.T("soa.decision.none")}
}

type ctlOptGroup struct {
	Label   string
	Options []option
}

type controlsList struct {
	Params     controlParams
	Themes     []option
	Statuses   []option
	Decisions  []option
	Kinds      []option
	AttrGroups []ctlOptGroup
	GroupBy    []option
	Sorts      []option
	Groups     []ctlGroup
	Total      int
	More       bool
	Filtered   bool
	ClearURL   string
	Chips      []chip
	CanWrite   bool
}

// controlOptions are the choices shared by the list filters and forms.
func ctlThemeOptions(tr i18n.Translator, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, th := range catalog.Themes {
		out = append(out, option{th, tr.T("theme." + th)})
	}
	return out
}

func ctlStatusOptions(tr i18n.Translator, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, s := range isms.ControlStatuses {
		out = append(out, option{string(s), tr.T("control.status." + string(s))})
	}
	return out
}

// controlsList shows the organisation's controls register: Annex A and
// custom controls, filtered and grouped by theme or by any ISO/IEC 27002
// attribute.
func (a *app) controlsList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	if err := c.Actor.Require(isms.PermReadRegisters); err != nil {
		return err
	}
	p := parseControlParams(r.URL.Query())
	q := p.query(c.Actor)
	// Grouped by an attribute, the rows need the controls' attributes,
	// which a brief list leaves out.
	q.Brief = p.Group == "theme" || p.Group == "none"
	page, soa, err := a.DB.ControlsOverview(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	warnings := map[string]int{} // of the controls that have any
	for i := range soa.Lines {
		if n := len(soa.Lines[i].Warnings); n > 0 {
			warnings[soa.Lines[i].Control.ID] = n
		}
	}
	base := orgPath(c.Org.Slug, "/controls")
	link := func(change func(*controlParams)) string {
		q := p
		change(&q)
		return withQuery(base, q.values())
	}
	d := &controlsList{Params: p, Total: page.Total, More: page.NextCursor != "", Filtered: p.filtered(), ClearURL: base,
		CanWrite: c.Actor.Can(isms.PermWriteRegisters)}
	d.Themes = ctlThemeOptions(tr, tr.T("web.ctl.all_themes"))
	d.Statuses = ctlStatusOptions(tr, tr.T("web.ctl.all_statuses"))
	d.Decisions = []option{{"", tr.T("web.ctl.all_decisions")}, {"included", tr.T("soa.decision.included")},
		{"excluded", tr.T("soa.decision.excluded")}, {"none", tr.T("soa.decision.none")}}
	d.Kinds = []option{{"", tr.T("web.ctl.all_kinds")}, {string(isms.ControlAnnexA), tr.T("control.kind.annex_a")}, {string(isms.ControlCustom), tr.T("control.kind.custom")}}
	d.GroupBy = []option{{"theme", tr.T("control.theme")}}
	for _, at := range catalog.Attributes {
		d.GroupBy = append(d.GroupBy, option{at.Name, tr.T("attr." + at.Name)})
		g := ctlOptGroup{Label: tr.T("attr." + at.Name)}
		for _, v := range at.Values {
			g.Options = append(g.Options, option{at.Name + ":" + v, tr.T("attr." + v)})
		}
		d.AttrGroups = append(d.AttrGroups, g)
	}
	d.GroupBy = append(d.GroupBy, option{"none", tr.T("web.ctl.group_none")})
	d.Sorts = []option{{"ref", tr.T("control.ref")}, {"title", tr.T("control.title")}, {"status", tr.T("control.status")},
		{"next_review", tr.T("control.next_review")}, {"updated_at", tr.T("web.common.updated")}}

	// Group: by theme, by the values of one attribute set (a control
	// appears under each of its values), or one list.
	var keys []string
	groups := map[string]*ctlGroup{}
	title := func(key string) string {
		switch {
		case p.Group == "none":
			return tr.T("web.ctl.all_controls")
		case p.Group == "theme":
			return tr.T("theme." + key)
		case key == "~none":
			return tr.T("web.ctl.no_value")
		}
		return tr.T("attr." + key)
	}
	// each calls fn with the key of every group ctl is in.
	each := func(ctl *isms.Control, fn func(key string)) {
		switch p.Group {
		case "none":
			fn("all")
		case "theme":
			fn(ctl.Theme)
		default:
			vals := ctl.AttributeValues(p.Group)
			if len(vals) == 0 {
				fn("~none")
			}
			for _, v := range vals {
				fn(v)
			}
		}
	}
	order := map[string]int{}
	switch {
	case p.Group == "theme":
		for i, th := range catalog.Themes {
			order[th] = i
		}
	case p.Group != "none":
		for i, v := range ctlAttributeSet(p.Group).Values {
			order[v] = i
		}
	}
	// The groups with their sizes first, so that each table's room is
	// made at once, then the rows.
	for i := range page.Items {
		each(&page.Items[i], func(key string) {
			g, ok := groups[key]
			if !ok {
				g = &ctlGroup{ID: "group-" + strings.ToLower(key), Title: title(key)}
				groups[key] = g
				keys = append(keys, key)
			}
			g.Count++
		})
	}
	for _, g := range groups {
		g.rows = newMarkup(g.Count)
	}
	labels := newCtlLabels(tr)
	for i := range page.Items {
		ctl := &page.Items[i]
		url, n := base+"/"+ctl.ID, warnings[ctl.ID]
		each(ctl, func(key string) { groups[key].rows.ctlRow(ctl, url, n, labels, c.Org) })
	}
	ctlSortKeys(keys, order)
	d.Groups = make([]ctlGroup, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		g.Body, g.rows = g.rows.html(), nil
		d.Groups = append(d.Groups, *g)
	}
	if p.Q != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.common.chip_search", p.Q), link(func(q *controlParams) { q.Q = "" })})
	}
	for _, f := range []struct {
		v     string
		label string
		clear func(*controlParams)
	}{
		{p.Theme, tr.T("theme." + p.Theme), func(q *controlParams) { q.Theme = "" }},
		{p.Status, tr.T("control.status." + p.Status), func(q *controlParams) { q.Status = "" }},
		{p.Decision, decisionFilterLabel(tr, p.Decision), func(q *controlParams) { q.Decision = "" }},
		{p.Kind, tr.T("control.kind." + p.Kind), func(q *controlParams) { q.Kind = "" }},
		{p.Attr, ctlAttrLabel(tr, p.Attr), func(q *controlParams) { q.Attr = "" }},
		{p.Mine, tr.T("web.ctl.mine"), func(q *controlParams) { q.Mine = "" }},
	} {
		if f.v != "" {
			d.Chips = append(d.Chips, chip{f.label, link(f.clear)})
		}
	}
	v := a.view(c, tr.T("web.ctl.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "controls"
	v.Data = d
	return a.render(w, r, http.StatusOK, "controls_list", v)
}

func decisionFilterLabel(tr i18n.Translator, d string) string {
	if d == "none" {
		return tr.T("soa.decision.none")
	}
	return tr.T("soa.decision." + d)
}

func ctlAttrLabel(tr i18n.Translator, s string) string {
	name, value, ok := ctlSplitAttr(s)
	if !ok {
		return ""
	}
	return tr.T("attr."+name) + ": " + tr.T("attr."+value)
}

// ctlSortKeys orders group keys by their position in order; unknown keys
// (no value) go last.
func ctlSortKeys(keys []string, order map[string]int) {
	pos := func(k string) int {
		if i, ok := order[k]; ok {
			return i
		}
		return 1 << 20
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && pos(keys[j]) < pos(keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// ctlAttrView is one attribute set of a control with its values' labels.
type ctlAttrView struct {
	Label  string
	Values []string
}

func controlAttributes(tr i18n.Translator, c isms.Control) []ctlAttrView {
	var out []ctlAttrView
	for _, at := range catalog.Attributes {
		av := ctlAttrView{Label: tr.T("attr." + at.Name)}
		for _, v := range c.AttributeValues(at.Name) {
			av.Values = append(av.Values, tr.T("attr."+v))
		}
		out = append(out, av)
	}
	return out
}

type controlPage struct {
	Control     isms.Control
	Description string
	Attributes  []ctlAttrView
	Line        isms.SoALine
	// The risks and evidence of Line as list items, written in Go (a
	// control may have a hundred pieces of evidence).
	RiskItems, EvidenceItems template.HTML
	// The control's decision and status as pills, as the soa-decision
	// and control-status templates show them.
	DecisionPill, StatusPill template.HTML
	Justification            string
	Warnings                 []string
	Predecessors             []catalog.Mapping2013
	NewIn2022                bool
	CSF                      []string
	Related                  []catalog.Control
	RelatedBy                []isms.Control // custom controls relating to this Annex A control
	Replaces                 []isms.Control // Annex A controls this custom control replaces
	Requests                 []isms.Action
	RequestForm              *form
	Members                  []option
	History                  []historyView
	CanEdit                  bool
	CanWrite                 bool
	Notice                   string
	// The control's long texts split into paragraphs.
	ImplParas, EffParas, LicensedParas []string
}

// paragraphs splits text at line breaks for display.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// controlPage shows one control: what it is about, how it is implemented,
// its SoA line with warnings, evidence, risks and history.
func (a *app) controlPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showControl(w, r, c, r.PathValue("id"), http.StatusOK, "", nil)
}

func (a *app) showControl(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string, reqForm *form) error {
	ctx := r.Context()
	tr := c.tr()
	// The control comes with its SoA line, the other controls and its
	// history, in one read.
	cp, err := a.DB.ControlPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	line := cp.Line
	ctl := line.Control
	d := &controlPage{Control: ctl, Attributes: controlAttributes(tr, ctl), CanEdit: store.CanEditControl(c.Actor, ctl),
		CanWrite: c.Actor.Can(isms.PermWriteRegisters), Notice: notice, RequestForm: reqForm,
		ImplParas: paragraphs(ctl.Implementation), EffParas: paragraphs(ctl.Effectiveness), LicensedParas: paragraphs(ctl.LicensedText)}
	if d.RequestForm == nil {
		d.RequestForm = newForm(map[string]string{"responsible_id": ctl.OwnerID,
			"title": tr.T("web.ctl.request_default", ctl.Ref, ctl.Title)})
	}
	d.Line = line
	d.DecisionPill, d.StatusPill = pillHTML(soaDecisionPill(tr, ctl.Decision)), pillHTML(controlStatusPill(tr, ctl.Status))
	d.RiskItems, d.EvidenceItems = controlRelatedItems(tr, c.Org, line)
	for _, o := range cp.Outlines {
		if o.ReplacedByID == ctl.ID {
			d.Replaces = append(d.Replaces, o)
		}
		if ctl.Kind == isms.ControlAnnexA && o.Kind == isms.ControlCustom && contains(o.RelatedIDs, ctl.CatalogID) {
			d.RelatedBy = append(d.RelatedBy, o)
		}
	}
	entries := isms.Entries([]isms.SoALine{d.Line})
	d.Justification = report.Justification(tr, entries[0])
	d.Warnings = ctlWarningTexts(tr, c.Org, d.Line.Warnings)
	cat := catalog.Must()
	if ctl.Kind == isms.ControlAnnexA {
		d.Description = catalog.Description(ctl.CatalogID)
		if ct, ok := cat.Control(ctl.CatalogID); ok {
			d.NewIn2022 = ct.NewIn2022
			for _, id := range ct.ISO2013IDs {
				if m, ok := cat.Successors(id); ok {
					d.Predecessors = append(d.Predecessors, m)
				}
			}
		}
		for _, m := range cat.CSFFor(ctl.CatalogID) {
			if m.Level == "subcategory" && !contains(d.CSF, m.CSFID) {
				d.CSF = append(d.CSF, m.CSFID)
			}
		}
	} else {
		d.Description = ctl.Description
		for _, id := range ctl.RelatedIDs {
			if ct, ok := cat.Control(id); ok {
				d.Related = append(d.Related, ct)
			}
		}
	}
	d.Requests = cp.Requests
	d.Members = ctlMemberOptions(cp.Members, tr.T("web.ctl.choose_member"))
	d.History = a.recordHistory(c, tr, cp.History, memberNames(cp.Members), controlNames(cp.Outlines, cp.History))
	v := a.view(c, ctl.Ref+" "+ctl.Title, crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.ctl.title"), orgPath(c.Org.Slug, "/controls")})
	v.Nav = "controls"
	v.Data = d
	return a.render(w, r, status, "controls_detail", v)
}

// pillHTML is p written as markup.pill writes it.
func pillHTML(p pill) template.HTML {
	var m markup
	m.pill(p.Class, p.Text)
	return m.html()
}

// controlRelatedItems writes the <li> items of a control's related risks
// and evidence, each list with its empty state.
func controlRelatedItems(tr i18n.Translator, o isms.Organisation, line isms.SoALine) (risks, evidence template.HTML) {
	m := &markup{}
	for _, r := range line.Risks {
		m.raw(`<li><span class="ref">`)
		m.text(r.Ref)
		m.raw("</span> ")
		m.text(r.Title)
		m.raw("</li>")
	}
	if len(line.Risks) == 0 {
		m.emptyItem(tr.T("web.ctl.no_risks"))
	}
	risks = m.html()
	m = &markup{}
	m.b.Grow(len(line.Evidence) * 256)
	// Every link starts with the same path; each date is formatted once.
	prefix := newURLPrefix(orgPath(o.Slug, "/evidence/"))
	until := map[string]string{}
	for i := range line.Evidence {
		e := &line.Evidence[i]
		m.raw("<li>")
		m.recordLinks(prefix, e.ID, e.Ref, e.Title)
		if e.ValidUntil != "" {
			s, ok := until[e.ValidUntil]
			if !ok {
				s = tr.T("web.ev.until", o.FormatCalendarDate(e.ValidUntil))
				until[e.ValidUntil] = s
			}
			m.raw(" ")
			m.mutedText(s)
		}
		m.raw("</li>")
	}
	if len(line.Evidence) == 0 {
		m.emptyItem(tr.T("web.ctl.no_evidence"))
	}
	return risks, m.html()
}

// ctlWarningTexts renders SoA warnings as sentences.
func ctlWarningTexts(tr i18n.Translator, o isms.Organisation, ws []isms.SoAWarning) []string {
	texts := newWarningTexts(tr, o)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = texts.text(w)
	}
	return out
}

// warningTexts renders SoA warnings as sentences, translating each kind
// and formatting each date once.
type warningTexts struct {
	tr     i18n.Translator
	o      isms.Organisation
	byKind map[isms.WarningKind]string
	dates  map[string]string
}

func newWarningTexts(tr i18n.Translator, o isms.Organisation) *warningTexts {
	return &warningTexts{tr: tr, o: o, byKind: map[isms.WarningKind]string{}, dates: map[string]string{}}
}

// text is warning w as a sentence: an expired piece of evidence is named.
func (t *warningTexts) text(w isms.SoAWarning) string {
	if w.Kind == isms.WarnEvidenceExpired && w.Evidence != nil {
		e := w.Evidence
		date, ok := t.dates[e.ValidUntil]
		if !ok {
			date = t.o.FormatCalendarDate(e.ValidUntil)
			t.dates[e.ValidUntil] = date
		}
		return t.tr.T("soa.warning.evidence_expired_named", e.Ref, e.Title, date)
	}
	s, ok := t.byKind[w.Kind]
	if !ok {
		s = t.tr.T("soa.warning." + string(w.Kind))
		t.byKind[w.Kind] = s
	}
	return s
}

func ctlMemberOptions(ms []isms.Membership, first string) []option {
	out := []option{{"", first}}
	for _, m := range ms {
		if m.Role == isms.RoleStaff {
			continue
		}
		out = append(out, option{m.UserID, m.UserName})
	}
	return out
}

// controlNames resolves the ids of the controls hist names (as
// replacements) among cs to "ref title", for history views.
func controlNames(cs []isms.Control, hist []isms.HistoryEntry) map[string]string {
	named := map[string]bool{}
	for _, h := range hist {
		for _, x := range h.Changes {
			if x.Field == "replaced_by_id" {
				named[x.Before], named[x.After] = true, true
			}
		}
	}
	out := make(map[string]string, len(named))
	for _, x := range cs {
		if named[x.ID] {
			out[x.ID] = x.Ref + " " + x.Title
		}
	}
	return out
}

// recordHistory prepares a control's or evidence's history, newest first,
// with member and control ids and coded values shown as words.
func (a *app) recordHistory(c *reqCtx, tr i18n.Translator, hist []isms.HistoryEntry, users, controls map[string]string) []historyView {
	show := func(field, v string) string {
		if v == "" {
			return ""
		}
		switch field {
		case "owner_id":
			if s, ok := users[v]; ok {
				return s
			}
		case "replaced_by_id":
			if s, ok := controls[v]; ok {
				return s
			}
		case "status":
			return optional(tr, "control.status."+v, v)
		case "decision":
			return optional(tr, "soa.decision."+v, v)
		case "exclusion_reason":
			return optional(tr, "control.reason."+v, v)
		case "kind":
			return optional(tr, "evidence.kind."+v, v)
		case "theme":
			return optional(tr, "theme."+v, v)
		case "archived":
			if v == "true" {
				return tr.T("web.yes")
			}
			return tr.T("web.no")
		case "last_review", "next_review", "collected_on", "valid_until":
			return c.Org.FormatCalendarDate(v)
		}
		return v
	}
	// The entries come with their changes worked out: they are described
	// by who did what, without their values decoded again.
	brief := make([]isms.HistoryEntry, len(hist))
	for i, h := range hist {
		brief[i] = h
		brief[i].Before, brief[i].After = "", ""
	}
	return recordHistory(tr, c.Org, brief, users, show)
}

type controlForm struct {
	Form       *form
	Control    isms.Control
	Editing    bool
	Custom     bool
	CanAssign  bool
	Action     string
	Themes     []option
	Statuses   []option
	Reasons    []option
	Members    []option
	Replacers  []option
	Attributes []ctlAttrChoice
	Decisions  []option
}

// ctlAttrChoice is one attribute set as checkboxes.
type ctlAttrChoice struct {
	Name, Label string
	Options     []ctlCheck
}

type ctlCheck struct {
	ID, Value, Label string
	Checked          bool
}

func controlValues(ctl isms.Control) map[string]string {
	v := map[string]string{
		"ref": ctl.Ref, "title": ctl.Title, "description": ctl.Description, "theme": ctl.Theme,
		"related_ids": strings.Join(ctl.RelatedIDs, ", "), "owner_id": ctl.OwnerID, "status": string(ctl.Status),
		"implementation": ctl.Implementation, "last_review": ctl.LastReview, "next_review": ctl.NextReview,
		"effectiveness": ctl.Effectiveness, "licensed_text": ctl.LicensedText, "decision": string(ctl.Decision),
		"justification": ctl.Justification, "exclusion_reason": string(ctl.ExclusionReason),
		"replaced_by_id": ctl.ReplacedByID, "exclusion_text": ctl.ExclusionText,
	}
	for _, at := range catalog.Attributes {
		v["attr_"+at.Name] = strings.Join(ctl.AttributeValues(at.Name), "|")
	}
	return v
}

// controlFromForm reads a submitted control form.
func controlFromForm(r *http.Request, f *form) isms.Control {
	ctl := isms.Control{
		Title: f.Value("title"), Description: f.Value("description"), Theme: f.Value("theme"),
		OwnerID: f.Value("owner_id"), Status: isms.ControlStatus(f.Value("status")), Implementation: f.Value("implementation"),
		LastReview: f.Value("last_review"), NextReview: f.Value("next_review"), Effectiveness: f.Value("effectiveness"),
		LicensedText: f.Value("licensed_text"), Decision: isms.Decision(f.Value("decision")), Justification: f.Value("justification"),
		ExclusionReason: isms.ExclusionReason(f.Value("exclusion_reason")), ReplacedByID: f.Value("replaced_by_id"),
		ExclusionText: f.Value("exclusion_text"),
	}
	ctl.Ref = f.Value("ref")
	for _, s := range strings.FieldsFunc(f.Value("related_ids"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		ctl.RelatedIDs = append(ctl.RelatedIDs, strings.TrimPrefix(strings.TrimPrefix(s, "A."), "a."))
	}
	set := map[string]*[]string{"control_type": &ctl.ControlTypes, "security_property": &ctl.SecurityProperties,
		"cybersecurity_concept": &ctl.CybersecurityConcepts, "operational_capability": &ctl.OperationalCapabilities, "security_domain": &ctl.SecurityDomains}
	for _, at := range catalog.Attributes {
		vals := r.PostForm["attr_"+at.Name]
		*set[at.Name] = vals
		f.Set("attr_"+at.Name, strings.Join(vals, "|"))
	}
	return ctl
}

var controlRename = map[string]string{"control_types": "attr_control_type", "security_properties": "attr_security_property",
	"cybersecurity_concepts": "attr_cybersecurity_concept", "operational_capabilities": "attr_operational_capability",
	"security_domains": "attr_security_domain"}

func (a *app) renderControlForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Control) error {
	ctx := r.Context()
	tr := c.tr()
	cf := &controlForm{Form: f, Control: self, Editing: self.ID != "", Custom: self.ID == "" || self.Kind == isms.ControlCustom,
		CanAssign: c.Actor.Can(isms.PermWriteRegisters)}
	cf.Action = orgPath(c.Org.Slug, "/controls/new")
	if cf.Editing {
		cf.Action = orgPath(c.Org.Slug, "/controls/"+self.ID+"/edit")
	}
	cf.Themes = ctlThemeOptions(tr, tr.T("web.ctl.choose_theme"))
	cf.Statuses = ctlStatusOptions(tr, "")
	cf.Reasons = []option{{"", tr.T("web.ctl.choose_reason")}}
	for _, rs := range isms.ExclusionReasons {
		cf.Reasons = append(cf.Reasons, option{string(rs), tr.T("control.reason." + string(rs))})
	}
	cf.Decisions = []option{{"", tr.T("soa.decision.none")}, {"included", tr.T("soa.decision.included")}, {"excluded", tr.T("soa.decision.excluded")}}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	cf.Members = ctlMemberOptions(ms, tr.T("web.ctl.no_owner"))
	customs, err := a.DB.CustomControls(ctx, c.Actor)
	if err != nil {
		return err
	}
	cf.Replacers = []option{{"", tr.T("web.ctl.choose_replacement")}}
	for _, x := range customs {
		if x.ID != self.ID {
			cf.Replacers = append(cf.Replacers, option{x.ID, x.Ref + " " + x.Title})
		}
	}
	for _, at := range catalog.Attributes {
		chosen := strings.Split(f.Value("attr_"+at.Name), "|")
		ac := ctlAttrChoice{Name: "attr_" + at.Name, Label: tr.T("attr." + at.Name)}
		for _, v := range at.Values {
			ac.Options = append(ac.Options, ctlCheck{ID: "attr_" + at.Name + "_" + v, Value: v, Label: tr.T("attr." + v), Checked: contains(chosen, v)})
		}
		cf.Attributes = append(cf.Attributes, ac)
	}
	title := tr.T("web.ctl.new_title")
	crumbs := []crumb{{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, {tr.T("web.ctl.title"), orgPath(c.Org.Slug, "/controls")}}
	if cf.Editing {
		title = tr.T("web.ctl.edit_title", self.Ref, self.Title)
		crumbs = append(crumbs, crumb{self.Ref, orgPath(c.Org.Slug, "/controls/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "controls"
	v.Data = cf
	return a.render(w, r, status, "controls_form", v)
}

func controlLabels() map[string]string {
	m := specLabels(isms.ControlFields)
	m["ref"] = "control.ref"
	for k, v := range controlRename {
		m[v] = m[k]
	}
	return m
}

// newControlPage shows the empty custom-control form.
func (a *app) newControlPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderControlForm(w, r, c, http.StatusOK, newForm(map[string]string{"status": string(isms.StatusNotStarted)}), isms.Control{})
}

// createControl adds a custom control.
func (a *app) createControl(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, controlLabels())
	ctl := controlFromForm(r, f)
	ctl, err := a.DB.CreateControl(r.Context(), c.Actor, ctl)
	if err != nil {
		if status, ok := f.take(tr, err, controlRename); ok {
			return a.renderControlForm(w, r, c, status, f, isms.Control{})
		}
		return err
	}
	a.flash(r, tr.T("web.ctl.created", ctl.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/controls/"+ctl.ID))
}

// editControlPage shows a control's form filled in, to those who may
// change it.
func (a *app) editControlPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctl, err := a.DB.Control(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditControl(c.Actor, ctl) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	f := newForm(controlValues(ctl))
	f.Set("version", strconv.Itoa(ctl.Version))
	return a.renderControlForm(w, r, c, http.StatusOK, f, ctl)
}

// updateControl saves a control edit made at the version in the form.
func (a *app) updateControl(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.DB.Control(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditControl(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, controlLabels())
	base, err := f.version()
	if err != nil {
		return err
	}
	ctl := controlFromForm(r, f)
	if !c.Actor.Can(isms.PermWriteRegisters) {
		// Contributors do not see the owner field: they keep the control.
		ctl.OwnerID = cur.OwnerID
	}
	ctl.ID = cur.ID
	ctl, err = a.DB.UpdateControl(ctx, c.Actor, ctl, base)
	if err != nil {
		if status, ok := f.take(tr, err, controlRename); ok {
			return a.renderControlForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.ctl.saved", ctl.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/controls/"+ctl.ID))
}

func (a *app) archiveControl(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setControlArchived(w, r, c, true)
}

func (a *app) restoreControl(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setControlArchived(w, r, c, false)
}

func (a *app) setControlArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: requireWrite,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveControl(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
			return a.showControl(w, r, c, id, status, notice, nil)
		},
		path: "/controls", restored: "web.ctl.restored", archived: "web.ctl.archived",
	}, archive)
}

// requestControlEvidence asks a member for evidence of a control by a
// date; the request becomes an action in their list.
func (a *app) requestControlEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	id := r.PathValue("id")
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	x, err := a.DB.RequestEvidence(r.Context(), c.Actor, "control", id, isms.Action{
		Title: f.Value("title"), ResponsibleID: f.Value("responsible_id"), DueDate: f.Value("due_date"), Description: f.Value("description"),
		Evaluation: tr.T("web.ctl.request_evaluation"),
	})
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showControl(w, r, c, id, status, "", f)
		}
		return err
	}
	a.flash(r, tr.T("web.ctl.requested", x.Ref, x.ResponsibleName))
	return redirect(w, r, orgPath(c.Org.Slug, "/controls/"+id)+"#requests")
}

type ctlLicensedPage struct {
	Form     *form
	Imported int
}

// licensedTextPage shows the licensed-text import: a CSV with columns id
// and text, uploaded or pasted.
func (a *app) licensedTextPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderLicensed(w, r, c, http.StatusOK, newForm(nil))
}

func (a *app) renderLicensed(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form) error {
	tr := c.tr()
	v := a.view(c, tr.T("web.ctl.licensed_title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.ctl.title"), orgPath(c.Org.Slug, "/controls")})
	v.Nav = "controls"
	v.Data = &ctlLicensedPage{Form: f}
	return a.render(w, r, status, "controls_licensed", v)
}

// importLicensedText stores the licensed text of every row, or none.
func (a *app) importLicensedText(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	tr := c.tr()
	if err := ctlParseUpload(r, a.maxUpload()); err != nil {
		return err
	}
	f := postedForm(r).labelled(tr, map[string]string{"file": "web.ctl.csv_file", "csv": "web.ctl.csv_text"})
	var src io.Reader = strings.NewReader(f.Value("csv"))
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		if hdr.Size > 0 {
			src = file
		}
	}
	rows, err := readLicensedCSV(src)
	if err != nil {
		f.addError("file", tr.Msg(isms.AsError(err).Fields[0].Msg))
		return a.renderLicensed(w, r, c, http.StatusUnprocessableEntity, f)
	}
	n, err := a.DB.ImportLicensedText(r.Context(), c.Actor, rows)
	if err != nil {
		var ie *store.ImportError
		if errors.As(err, &ie) {
			var msgs []string
			for _, re := range ie.Rows {
				for _, fe := range re.Fields {
					msgs = append(msgs, tr.T("web.ctl.import_row", re.Row, tr.Msg(fe.Msg)))
				}
			}
			f.addError("file", strings.Join(msgs, " "))
			return a.renderLicensed(w, r, c, http.StatusUnprocessableEntity, f)
		}
		if status, ok := f.take(tr, err, map[string]string{"id": "file"}); ok {
			return a.renderLicensed(w, r, c, status, f)
		}
		return err
	}
	a.flash(r, tr.T("web.ctl.imported", n))
	return redirect(w, r, orgPath(c.Org.Slug, "/controls"))
}

// readLicensedCSV reads rows of "id,text"; a header row naming the
// columns is skipped.
func readLicensedCSV(src io.Reader) ([]store.LicensedText, error) {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, isms.Invalid("file", "validation.csv")
	}
	var out []store.LicensedText
	for i, rec := range recs {
		if len(rec) == 0 || len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			return nil, isms.Invalid("file", "validation.csv")
		}
		if i == 0 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "id") {
			continue
		}
		out = append(out, store.LicensedText{ID: strings.TrimPrefix(rec[0], "\ufeff"), Text: rec[1]})
	}
	if len(out) == 0 {
		return nil, isms.Invalid("file", "validation.import_empty")
	}
	return out, nil
}

type ctlMappingRow struct {
	Mapping  catalog.Mapping2013
	Controls []isms.Control
}

type ctlCSFRow struct {
	ID       string
	Function string
	Clauses  []string
	Controls []isms.Control
	Included int
	Covered  bool
}

type ctlMappingsPage struct {
	Rows2013   []ctlMappingRow
	New        []isms.Control
	CSF        []ctlCSFRow
	CSFCovered int
}

// controlMappings shows where each 2013 control went and which NIST CSF
// 2.0 subcategories the organisation's SoA covers.
func (a *app) controlMappings(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	cs, err := a.DB.ActiveControls(ctx, c.Actor)
	if err != nil {
		return err
	}
	byCat := map[string]isms.Control{}
	for _, x := range cs {
		if x.CatalogID != "" {
			byCat[x.CatalogID] = x
		}
	}
	cat := catalog.Must()
	d := &ctlMappingsPage{}
	for _, m := range cat.Mappings2013 {
		row := ctlMappingRow{Mapping: m}
		for _, id := range m.IDs2022 {
			row.Controls = append(row.Controls, byCat[id])
		}
		d.Rows2013 = append(d.Rows2013, row)
	}
	for _, ct := range cat.NewControls() {
		d.New = append(d.New, byCat[ct.ID])
	}
	for _, s := range cat.CSFSubcategories() {
		row := ctlCSFRow{ID: s.ID, Function: s.Function, Clauses: s.Clauses}
		for _, id := range s.Controls {
			x := byCat[id]
			row.Controls = append(row.Controls, x)
			if x.Decision == isms.DecisionIncluded {
				row.Included++
			}
		}
		row.Covered = row.Included > 0
		if row.Covered {
			d.CSFCovered++
		}
		d.CSF = append(d.CSF, row)
	}
	v := a.view(c, tr.T("web.ctl.mappings_title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.ctl.title"), orgPath(c.Org.Slug, "/controls")})
	v.Nav = "controls"
	v.Data = d
	return a.render(w, r, http.StatusOK, "controls_mappings", v)
}

// ctlParseUpload parses a multipart form whose body may be up to max bytes
// of file plus the form's other fields.
func ctlParseUpload(r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(nil, r.Body, max+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return isms.Errorf(isms.KindTooLarge, "error.file_too_large", ctlHumanBytes(max))
		}
		if errors.Is(err, http.ErrNotMultipart) {
			return parseForm(r)
		}
		return isms.Errorf(isms.KindInvalid, "error.invalid")
	}
	return nil
}

// ctlHumanBytes renders a size limit as people read it.
func ctlHumanBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	if n >= 1<<10 {
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// maxUpload is the configured upload limit (20 MiB by default).
func (a *app) maxUpload() int64 {
	if a.MaxUpload > 0 {
		return a.MaxUpload
	}
	return DefaultMaxUpload
}

// DefaultMaxUpload is the upload limit when none is configured.
const DefaultMaxUpload = 20 << 20
