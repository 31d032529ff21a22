package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// riskSorts are the register's sortable columns; the first is the default.
var riskSorts = []string{"priority", "ref", "title", "level", "residual", "status", "next_review", "updated_at"}

// riskFilterNames are the list's filters, as query parameters and store
// filter names.
var riskFilterNames = []string{"status", "inherent_level", "residual_level", "owner_id", "kind", "category", "acceptance",
	"inherent_cell", "residual_cell", "criteria_id"}

// riskParams are the register list's query parameters.
type riskParams struct {
	Q, Archived, Cursor string
	Filters             map[string]string
	Sort                string
	Desc                bool
}

func parseRiskParams(q url.Values) riskParams {
	p := riskParams{Q: strings.TrimSpace(q.Get("q")), Archived: q.Get("archived"), Cursor: q.Get("cursor"), Filters: map[string]string{}}
	for _, k := range riskFilterNames {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			p.Filters[k] = v
		}
	}
	s := q.Get("sort")
	p.Desc = strings.HasPrefix(s, "-")
	p.Sort = strings.TrimPrefix(s, "-")
	if !contains(riskSorts, p.Sort) {
		p.Sort, p.Desc = riskSorts[0], false
	}
	switch isms.ArchivedFilter(p.Archived) {
	case isms.ArchivedOnly, isms.ArchivedInclude:
	default:
		p.Archived = ""
	}
	return p
}

func (p riskParams) sortParam() string {
	if p.Desc {
		return "-" + p.Sort
	}
	return p.Sort
}

func (p riskParams) values() url.Values {
	v := url.Values{}
	if p.Q != "" {
		v.Set("q", p.Q)
	}
	for k, x := range p.Filters {
		v.Set(k, x)
	}
	if p.Archived != "" {
		v.Set("archived", p.Archived)
	}
	if s := p.sortParam(); s != riskSorts[0] {
		v.Set("sort", s)
	}
	if p.Cursor != "" {
		v.Set("cursor", p.Cursor)
	}
	return v
}

func (p riskParams) query() isms.ListQuery {
	q := isms.ListQuery{Q: p.Q, Sort: p.Sort, Desc: p.Desc, Cursor: p.Cursor, Archived: isms.ArchivedFilter(p.Archived),
		Limit: isms.DefaultLimit, Filters: map[string]string{}}
	for k, v := range p.Filters {
		q.Filters[k] = v
	}
	return q
}

func (p riskParams) with(change func(*riskParams)) riskParams {
	q := p
	q.Cursor = ""
	q.Filters = map[string]string{}
	for k, v := range p.Filters {
		q.Filters[k] = v
	}
	change(&q)
	return q
}

// criteriaSet is every criteria version of an organisation, to show
// ratings made under any of them.
type criteriaSet struct{ isms.CriteriaSet }

func (a *app) criteriaSet(ctx context.Context, actor isms.Actor) (criteriaSet, error) {
	cs, err := a.DB.CriteriaSet(ctx, actor)
	return criteriaSet{cs}, err
}

// riskRow is a risk with its levels ready to show.
type riskRow struct {
	isms.Risk
	InherentLv, ResidualLv, CurrentLv levelView
	Old                               bool // rated under an older criteria version
	Acceptance                        isms.AcceptanceState
	Acceptable                        bool // inherent level within the acceptance criteria
	ReviewOverdue                     bool
}

func (cs criteriaSet) row(r isms.Risk, today string) riskRow {
	c := cs.ByID[r.CriteriaID]
	cur := r.CurrentResidual()
	row := riskRow{Risk: r, InherentLv: levelOf(c, r.Inherent.Level), ResidualLv: levelOf(c, r.Residual.Level), CurrentLv: levelOf(c, cur.Level),
		Old: r.CriteriaID != "" && cs.Has && r.CriteriaID != cs.Current.ID, Acceptance: r.Acceptance(today)}
	if r.Inherent.Rated() {
		row.Acceptable = c.Acceptable(r.Inherent.Level, r.Category)
	}
	row.ReviewOverdue = r.NextReview != "" && r.NextReview < today
	return row
}

func orgToday(o isms.Organisation) string { return time.Now().In(o.Location()).Format(isms.DateLayout) }

type riskList struct {
	Params     riskParams
	SortValue  string
	Statuses   []option
	Levels     []option
	Owners     []option
	Kinds      []option
	Acceptance []option
	Archived   []option
	Headers    []headerCell
	Chips      []chip
	ClearURL   string
	Page       isms.Page[isms.Risk]
	Rows       []riskListRow
	Body       template.HTML // the table's rows
	Labels     riskListLabels
	Filtered   bool
	NextURL    string
	PrevURL    string
	CanCreate  bool
	ExportURL  string
	HasCrit    bool
	Preset     string
	CanSetUp   bool
}

// riskListRow is one line of the register with its link, dates and labels
// made ready, so the template only places them. Its fields are its own, not
// embedded: templates find an embedded field by a slow search on every use.
type riskListRow struct {
	Ref, Title, URL                   string
	Archived                          bool
	OldLabel                          string // set when rated under an older criteria version
	KindLabel, Category, OwnerName    string
	InherentLv, ResidualLv, CurrentLv levelView
	StatusLabel                       string
	Expired, Concession               bool   // acceptance lapsed; valid acceptance as a concession
	NextReview, NextReviewText        string // ISO, and as the organisation writes dates
	ReviewOverdue                     bool
}

// riskListLabels are the labels every row may show, translated once per
// page.
type riskListLabels struct {
	Archived, NoOwner, Expired, Concession, Overdue string
}

// rows writes the risk register table's rows.
func (d *riskList) rows() template.HTML {
	m := newMarkup(len(d.Rows))
	for _, r := range d.Rows {
		m.recordTitle(r.URL, r.Ref, r.Title, "title-cell", pillIf(r.Archived, "pill-muted", d.Labels.Archived), pill{"pill-warning", r.OldLabel})
		m.raw(`<br><span class="muted small">`)
		m.text(r.KindLabel)
		if r.Category != "" {
			m.raw(" · ")
			m.text(r.Category)
		}
		m.raw("</span></td><td>")
		if r.OwnerName != "" {
			m.text(r.OwnerName)
		} else {
			m.mutedText(d.Labels.NoOwner)
		}
		m.raw("</td>")
		m.levelCell(r.InherentLv)
		m.levelCell(r.ResidualLv)
		m.levelCell(r.CurrentLv)
		m.raw("<td>")
		m.pill("pill-neutral", r.StatusLabel)
		m.pills(pillIf(r.Expired, "pill-danger", d.Labels.Expired), pillIf(r.Concession, "pill-warning", d.Labels.Concession))
		m.raw(`</td><td class="num">`)
		if r.NextReview != "" {
			m.time(r.NextReview, r.NextReviewText)
		}
		if r.ReviewOverdue {
			m.raw(` <span class="overdue">` + overdueIcon + " ")
			m.text(d.Labels.Overdue)
			m.raw("</span>")
		}
		m.raw("</td></tr>")
	}
	return m.html()
}

// riskList shows the risk register with search, filters, sorting and
// paging; htmx requests get just the results.
func (a *app) riskList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parseRiskParams(r.URL.Query())
	q := p.query()
	q.Brief = true
	page, err := a.DB.Risks(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	base := orgPath(c.Org.Slug, "/risks")
	link := func(change func(*riskParams)) string { return withQuery(base, p.with(change).values()) }
	d := &riskList{Params: p, SortValue: p.sortParam(), Page: page, ClearURL: base, HasCrit: cs.Has,
		CanCreate: c.Actor.Can(isms.PermWriteOwned), CanSetUp: c.Actor.Can(isms.PermWriteRegisters),
		Preset: isms.SuggestedPreset(c.Org.SizeBand)}
	d.Filtered = p.Q != "" || len(p.Filters) > 0 || p.Archived != ""
	today := orgToday(c.Org)
	d.Labels = riskListLabels{Archived: tr.T("web.common.archived"), NoOwner: tr.T("web.risks.no_owner"),
		Expired: tr.T("web.risks.acceptance.expired"), Concession: tr.T("web.risks.acceptance.concession"), Overdue: tr.T("web.risks.overdue")}
	kinds, statuses := newLabelCache(tr, "risk_kind."), newLabelCache(tr, "risk_status.")
	d.Rows = make([]riskListRow, len(page.Items))
	for i, x := range page.Items {
		rr := cs.row(x, today)
		row := riskListRow{Ref: x.Ref, Title: x.Title, URL: base + "/" + x.ID, Archived: x.Archived(),
			KindLabel: kinds.get(string(x.Kind)), Category: x.Category, OwnerName: x.OwnerName,
			InherentLv: rr.InherentLv, ResidualLv: rr.ResidualLv, CurrentLv: rr.CurrentLv, StatusLabel: statuses.get(string(x.Status)),
			Expired: rr.Acceptance == isms.AcceptanceExpired, Concession: x.AcceptConcession && rr.Acceptance == isms.AcceptanceValid,
			NextReview: x.NextReview, ReviewOverdue: rr.ReviewOverdue}
		if rr.Old {
			row.OldLabel = tr.T("web.risks.old_criteria", x.CriteriaNumber)
		}
		if x.NextReview != "" {
			row.NextReviewText = c.Org.FormatCalendarDate(x.NextReview)
		}
		d.Rows[i] = row
	}
	d.Body = d.rows()
	d.Statuses = append([]option{{"", tr.T("web.risks.any_status")}}, statusOptions(tr)...)
	d.Levels = []option{{"", tr.T("web.risks.any_level")}}
	if cs.Has {
		for i := len(cs.Current.Levels) - 1; i >= 0; i-- {
			l := cs.Current.Levels[i]
			d.Levels = append(d.Levels, option{l.Key, l.Label})
		}
	}
	owners, err := a.riskOwnerOptions(ctx, c, "")
	if err != nil {
		return err
	}
	d.Owners = append([]option{{"", tr.T("web.risks.any_owner")}, {"-", tr.T("web.risks.no_owner")}}, owners...)
	d.Kinds = append([]option{{"", tr.T("web.risks.any_kind")}}, kindOptions(tr)...)
	d.Acceptance = []option{{"", tr.T("web.risks.any_acceptance")}, {"none", tr.T("web.risks.acceptance.none")},
		{"valid", tr.T("web.risks.acceptance.valid")}, {"expired", tr.T("web.risks.acceptance.expired")}, {"concession", tr.T("web.risks.acceptance.concession")}}
	d.Archived = []option{{"", tr.T("web.reg.show_active")}, {string(isms.ArchivedOnly), tr.T("web.reg.show_archived")},
		{string(isms.ArchivedInclude), tr.T("web.reg.show_all")}}
	headers := []struct {
		sort, label string
		num         bool
	}{
		{"ref", "field.ref", false}, {"title", "risk.title", false}, {"", "risk.owner", false}, {"level", "risk.inherent_level", false},
		{"residual", "risk.residual_level", false}, {"", "web.risks.current_level", false}, {"status", "risk.status", false},
		{"next_review", "risk.next_review", true},
	}
	for _, h := range headers {
		hc := headerCell{Label: tr.T(h.label), Num: h.num}
		if h.sort != "" {
			desc := h.sort == "level" || h.sort == "residual"
			if h.sort == p.Sort {
				desc = !p.Desc
				hc.ARIASort, hc.Class = "ascending", "sort-asc"
				if p.Desc {
					hc.ARIASort, hc.Class = "descending", "sort-desc"
				}
			}
			hc.URL = link(func(q *riskParams) { q.Sort, q.Desc = h.sort, desc })
		}
		d.Headers = append(d.Headers, hc)
	}
	if p.Q != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.common.chip_search", p.Q), link(func(q *riskParams) { q.Q = "" })})
	}
	for _, k := range riskFilterNames {
		v, ok := p.Filters[k]
		if !ok {
			continue
		}
		label := tr.T("web.risks.chip."+k, a.filterValueLabel(tr, cs, d, k, v))
		d.Chips = append(d.Chips, chip{label, link(func(q *riskParams) { delete(q.Filters, k) })})
	}
	if p.Archived != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.reg.show_archived"), link(func(q *riskParams) { q.Archived = "" })})
	}
	if page.NextCursor != "" {
		d.NextURL = link(func(q *riskParams) { q.Cursor = page.NextCursor })
	}
	if page.PrevCursor != "" {
		d.PrevURL = link(func(q *riskParams) { q.Cursor = page.PrevCursor })
	}
	d.ExportURL = withQuery(orgPath(c.Org.Slug, "/risks/export.xlsx"), p.with(func(*riskParams) {}).values())
	v := a.view(c, tr.T("web.risks.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, http.StatusOK, "risk_list", v)
}

// filterValueLabel shows a filter's value the way the user picked it.
func (a *app) filterValueLabel(tr i18n.Translator, cs criteriaSet, d *riskList, k, v string) string {
	find := func(opts []option) string {
		for _, o := range opts {
			if o.Value == v {
				return o.Label
			}
		}
		return v
	}
	switch k {
	case "status":
		return find(d.Statuses)
	case "inherent_level", "residual_level":
		return find(d.Levels)
	case "owner_id":
		return find(d.Owners)
	case "kind":
		return find(d.Kinds)
	case "acceptance":
		return find(d.Acceptance)
	case "criteria_id":
		if c, ok := cs.ByID[v]; ok {
			return strconv.Itoa(c.Number)
		}
	case "inherent_cell", "residual_cell":
		if cs.Has {
			ls, vs, _ := strings.Cut(v, "-")
			l, _ := strconv.Atoi(ls)
			n, _ := strconv.Atoi(vs)
			if l >= 1 && l <= len(cs.Current.Likelihood) && n >= 1 && n <= len(cs.Current.Consequence) {
				return cs.Current.Likelihood[l-1].Label + " × " + cs.Current.Consequence[n-1].Label
			}
		}
	}
	return v
}

func statusOptions(tr i18n.Translator) []option {
	var out []option
	for _, s := range isms.RiskStatuses {
		out = append(out, option{string(s), tr.T("risk_status." + string(s))})
	}
	return out
}

func kindOptions(tr i18n.Translator) []option {
	var out []option
	for _, k := range isms.RiskKinds {
		out = append(out, option{string(k), tr.T("risk_kind." + string(k))})
	}
	return out
}

// riskOwnerOptions lists the members who may own risks (owners, ISMS
// managers, contributors). only limits it to one user id.
func (a *app) riskOwnerOptions(ctx context.Context, c *reqCtx, only string) ([]option, error) {
	if !c.Actor.Can(isms.PermReadMembers) {
		return nil, nil
	}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, m := range ms {
		if !m.Role.Can(isms.PermWriteOwned) || (only != "" && m.UserID != only) {
			continue
		}
		out = append(out, option{m.UserID, m.UserName})
	}
	return out, nil
}

// riskPage is the detail page of one risk.
type riskPage struct {
	Row          riskRow
	Criteria     isms.RiskCriteria // the version it was rated under
	Current      isms.RiskCriteria
	HasCurrent   bool
	Inherent     ratingView
	Residual     ratingView
	CurrentRes   ratingView
	Treatment    []string
	CIA          []string
	Links        []linkGroup
	LinkURL      string // the page that links a record, for editors
	Actions      []actionView
	Decisions    []decisionView
	History      []historyView
	CanEdit      bool
	CanArchive   bool
	CanDecide    bool
	Members      []option
	ActionForm   *form
	DecisionForm *form
	Notice       string
	Today        string
	AcceptLevel  levelView
	ResidualOK   bool
}

type ratingView struct {
	Rated       bool
	Likelihood  string
	Consequence string
	Dims        []dimView
	Level       levelView
	EAL         string
}

type dimView struct{ Label, Value string }

type linkGroup struct {
	Type, Label string
	Links       []isms.Link
}

type actionView struct {
	isms.Action
	Overdue bool
}

type decisionView struct {
	isms.RiskDecision
	Level levelView
}

// rateView describes a rating under criteria c.
func rateView(tr i18n.Translator, c isms.RiskCriteria, r isms.Rating, currency string) ratingView {
	if !r.Rated() {
		return ratingView{}
	}
	v := ratingView{Rated: true, Level: levelOf(c, r.Level)}
	if r.Likelihood <= len(c.Likelihood) {
		v.Likelihood = fmt.Sprintf("%d · %s", r.Likelihood, c.Likelihood[r.Likelihood-1].Label)
	}
	if r.Consequence <= len(c.Consequence) {
		v.Consequence = fmt.Sprintf("%d · %s", r.Consequence, c.Consequence[r.Consequence-1].Label)
	}
	for _, d := range c.Dimensions {
		if n := r.Dims[d.Key]; n > 0 && n <= len(c.Consequence) {
			v.Dims = append(v.Dims, dimView{d.Label, fmt.Sprintf("%d · %s", n, c.Consequence[n-1].Label)})
		}
	}
	if c.Approach == isms.ApproachQuantitative {
		if eal, ok := c.ExpectedAnnualLoss(r.Likelihood, r.Consequence); ok {
			v.EAL = tr.T("web.risks.eal_value", money(eal), currency)
		}
	}
	return v
}

// money shows an amount with thousands separators and no decimals.
func money(f float64) string {
	s := strconv.FormatInt(int64(f+0.5), 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// riskLinkTypes are the kinds of record a risk links to, in display order.
var riskLinkTypes = []string{"asset", "threat", "vulnerability", "control", "risk"}

// riskPage shows one risk: ratings, evaluation, treatment, links, actions,
// the owner's decisions and history.
func (a *app) riskPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showRisk(w, r, c, r.PathValue("id"), http.StatusOK, nil)
}

// riskForms are the detail page's inline forms, when one is re-shown with
// problems.
type riskForms struct {
	action, decision *form
	notice           string
}

func (a *app) showRisk(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, forms *riskForms) error {
	ctx := r.Context()
	tr := c.tr()
	p, err := a.DB.RiskPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	x := p.Risk
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	today := orgToday(c.Org)
	crit := cs.ByID[x.CriteriaID]
	d := &riskPage{Row: cs.row(x, today), Criteria: crit, Current: cs.Current, HasCurrent: cs.Has, Today: today,
		CanEdit: store.CanEditRisk(c.Actor, x), CanArchive: c.Actor.Can(isms.PermWriteRegisters), CanDecide: store.CanDecideRisk(c.Actor, x) && !x.Archived(),
		ActionForm: newForm(nil), DecisionForm: newForm(nil)}
	if forms != nil {
		if forms.action != nil {
			d.ActionForm = forms.action
		}
		if forms.decision != nil {
			d.DecisionForm = forms.decision
		}
		d.Notice = forms.notice
	}
	if x.OwnerID == "" && c.Actor.Can(isms.PermWriteRegisters) {
		d.CanDecide = !x.Archived()
	}
	d.Inherent = rateView(tr, crit, x.Inherent, crit.Currency)
	d.Residual = rateView(tr, crit, x.Residual, crit.Currency)
	d.CurrentRes = rateView(tr, crit, x.CurrentResidual(), crit.Currency)
	if x.CriteriaID != "" {
		d.AcceptLevel = levelOf(crit, crit.AcceptLevelFor(x.Category).Key)
		d.ResidualOK = x.Residual.Rated() && crit.Acceptable(x.Residual.Level, x.Category)
	}
	for _, o := range x.Treatment {
		d.Treatment = append(d.Treatment, tr.T("treatment."+string(o)))
	}
	for _, l := range x.CIA {
		d.CIA = append(d.CIA, tr.T("web.risks.cia."+string(l)))
	}
	for _, typ := range riskLinkTypes {
		g := linkGroup{Type: typ, Label: tr.T("web.risks.links." + typ)}
		for _, l := range p.Links {
			if l.ToType == typ {
				g.Links = append(g.Links, l)
			}
		}
		if len(g.Links) > 0 || store.Linkable(typ) {
			d.Links = append(d.Links, g)
		}
	}
	if d.CanEdit {
		d.LinkURL = orgPath(c.Org.Slug, "/risks/"+x.ID+"/links/new")
		owners, err := a.riskOwnerOptions(ctx, c, "")
		if err != nil {
			return err
		}
		if !c.Actor.Can(isms.PermWriteRegisters) {
			owners, _ = a.riskOwnerOptions(ctx, c, c.Actor.UserID)
		}
		d.Members = owners
	}
	for _, ac := range p.Actions {
		d.Actions = append(d.Actions, actionView{Action: ac, Overdue: ac.Overdue(today)})
	}
	for _, dc := range p.Decisions {
		d.Decisions = append(d.Decisions, decisionView{RiskDecision: dc, Level: levelOf(cs.ByID[dc.CriteriaID], dc.Residual.Level)})
	}
	hist := p.History
	users := map[string]string{}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		users = memberNames(ms)
	}
	d.History = a.riskHistory(c, tr, hist, users, cs)
	v := a.view(c, x.Title, crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, status, "risk_detail", v)
}

// riskHistory prepares a risk's history, newest first, showing owners by
// name, levels by label and options in words.
func (a *app) riskHistory(c *reqCtx, tr i18n.Translator, hist []isms.HistoryEntry, users map[string]string, cs criteriaSet) []historyView {
	out := make([]historyView, 0, len(hist))
	levelLabels, dimLabels := map[string]string{}, map[string]string{}
	for _, v := range cs.ByID {
		for _, l := range v.Levels {
			if _, ok := levelLabels[l.Key]; !ok {
				levelLabels[l.Key] = l.Label
			}
		}
		for _, d := range v.Dimensions {
			if _, ok := dimLabels[d.Key]; !ok {
				dimLabels[d.Key] = d.Label
			}
		}
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		ev := describeEntry(tr, h.AuditEntry, c.Org, users)
		var ch []change
		for _, f := range h.Changes {
			show := func(v string) string {
				switch f.Field {
				case "owner_id":
					if n, ok := users[v]; ok {
						return n
					}
				case "inherent_level", "residual_level":
					if l, ok := levelLabels[v]; ok {
						return l
					}
				case "kind":
					return optional(tr, "risk_kind."+v, v)
				case "status":
					return optional(tr, "risk_status."+v, v)
				case "archived", "accept_concession":
					if v == "true" {
						return tr.T("web.yes")
					}
					if v == "false" {
						return tr.T("web.no")
					}
				case "next_review", "accepted_until":
					return c.Org.FormatCalendarDate(v)
				case "treatment":
					var parts []string
					for _, o := range isms.ParseTreatment(v) {
						parts = append(parts, optional(tr, "treatment."+string(o), string(o)))
					}
					return strings.Join(parts, ", ")
				case "plan_approved_at":
					if t, err := isms.ParseTime(v); err == nil {
						return c.Org.FormatDateTime(t)
					}
				case "inherent_dims", "residual_dims":
					// Per-dimension consequences, e.g. "Financial 3, Reputation 2".
					dims := isms.ParseDims(v)
					var parts []string
					for _, k := range slices.Sorted(maps.Keys(dims)) {
						label := dimLabels[k]
						if label == "" {
							label = k
						}
						parts = append(parts, fmt.Sprintf("%s %d", label, dims[k]))
					}
					return strings.Join(parts, ", ")
				}
				if v == "0" && strings.HasSuffix(f.Field, "_likelihood") || v == "0" && strings.HasSuffix(f.Field, "_consequence") || v == "0" && f.Field == "priority" {
					return ""
				}
				return v
			}
			b, af := show(f.Before), show(f.After)
			if b == af {
				continue
			}
			ch = append(ch, change{Label: tr.T(f.Label), Before: b, After: af, Changed: true})
		}
		out = append(out, historyView{Actor: ev.Actor, Action: ev.Action, At: h.At, Changes: ch})
	}
	return out
}

// riskForm is the data of the create/edit form.
type riskForm struct {
	Form       *form
	Risk       isms.Risk
	Editing    bool
	Action     string
	Kinds      []option
	Owners     []option
	CIA        []checkOption
	Treatment  []checkOption
	Criteria   isms.RiskCriteria
	HasCrit    bool
	Old        bool // rated under an older criteria version
	CurNumber  int
	Likely     []option
	Conseq     []option
	Dims       []dimField
	Categories dataList
	Assets     []option
	Threats    []option
	Vulns      []option
	CanOwnAny  bool
}

type checkOption struct {
	Name, Value, Label, Hint string
	Checked                  bool
}

type dimField struct{ Key, Label, Inherent, Residual string }

func riskValues(x isms.Risk) map[string]string {
	m := map[string]string{
		"kind": string(x.Kind), "title": x.Title, "description": x.Description, "causes": x.Causes, "impacts": x.Impacts,
		"category": x.Category, "owner_id": x.OwnerID, "cia": x.CIA, "existing_controls": x.ExistingControls,
		"criteria_id": x.CriteriaID, "treatment": isms.TreatmentText(x.Treatment), "treatment_notes": x.TreatmentNotes,
		"next_review": x.NextReview,
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	m["priority"] = num(x.Priority)
	m["inherent_likelihood"], m["inherent_consequence"] = num(x.Inherent.Likelihood), num(x.Inherent.Consequence)
	m["residual_likelihood"], m["residual_consequence"] = num(x.Residual.Likelihood), num(x.Residual.Consequence)
	for k, v := range x.Inherent.Dims {
		m["inherent_dims."+k] = num(v)
	}
	for k, v := range x.Residual.Dims {
		m["residual_dims."+k] = num(v)
	}
	return m
}

// riskFromForm reads a submitted risk; numbers that do not parse are
// recorded on f.
func riskFromForm(r *http.Request, f *form, tr i18n.Translator) isms.Risk {
	x := isms.Risk{
		Kind: isms.RiskKind(f.Value("kind")), Title: f.Value("title"), Description: f.Value("description"), Causes: f.Value("causes"),
		Impacts: f.Value("impacts"), Category: f.Value("category"), OwnerID: f.Value("owner_id"), ExistingControls: f.Value("existing_controls"),
		CriteriaID: f.Value("criteria_id"), TreatmentNotes: f.Value("treatment_notes"), NextReview: f.Value("next_review"),
	}
	x.CIA = strings.Join(r.PostForm["cia"], "")
	f.Set("cia", isms.NormalizeCIA(x.CIA))
	for _, o := range r.PostForm["treatment"] {
		x.Treatment = append(x.Treatment, isms.TreatmentOption(o))
	}
	f.Set("treatment", isms.TreatmentText(x.Treatment))
	num := func(name string) int {
		n, ok := isms.ParseLevelValue(f.Value(name))
		if !ok {
			f.addError(name, tr.T("validation.number"))
		}
		return n
	}
	x.Priority = num("priority")
	x.Inherent.Likelihood, x.Inherent.Consequence = num("inherent_likelihood"), num("inherent_consequence")
	x.Residual.Likelihood, x.Residual.Consequence = num("residual_likelihood"), num("residual_consequence")
	for k := range r.PostForm {
		for _, side := range []string{"inherent", "residual"} {
			if dim, ok := strings.CutPrefix(k, side+"_dims."); ok {
				n := num(k)
				if n == 0 {
					continue
				}
				rt := &x.Inherent
				if side == "residual" {
					rt = &x.Residual
				}
				if rt.Dims == nil {
					rt.Dims = map[string]int{}
				}
				rt.Dims[dim] = n
			}
		}
	}
	return x
}

func (a *app) riskForm(ctx context.Context, c *reqCtx, f *form, self isms.Risk) (*riskForm, error) {
	tr := c.tr()
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return nil, err
	}
	rf := &riskForm{Form: f, Risk: self, Editing: self.ID != "", Kinds: kindOptions(tr), CanOwnAny: c.Actor.Can(isms.PermWriteRegisters)}
	rf.Action = orgPath(c.Org.Slug, "/risks/new")
	if rf.Editing {
		rf.Action = orgPath(c.Org.Slug, "/risks/"+self.ID+"/edit")
	}
	only := ""
	if !rf.CanOwnAny {
		only = c.Actor.UserID
	}
	owners, err := a.riskOwnerOptions(ctx, c, only)
	if err != nil {
		return nil, err
	}
	if rf.CanOwnAny {
		rf.Owners = append([]option{{"", tr.T("web.risks.no_owner")}}, owners...)
	} else {
		rf.Owners = owners
	}
	cia := f.Value("cia")
	for _, l := range []string{"C", "I", "A"} {
		rf.CIA = append(rf.CIA, checkOption{Name: "cia", Value: l, Label: tr.T("web.risks.cia." + l), Checked: strings.Contains(cia, l)})
	}
	chosen := isms.ParseTreatment(f.Value("treatment"))
	for _, o := range isms.TreatmentOptions {
		ck := false
		for _, x := range chosen {
			ck = ck || x == o
		}
		rf.Treatment = append(rf.Treatment, checkOption{Name: "treatment", Value: string(o), Label: tr.T("treatment." + string(o)),
			Hint: tr.T("treatment." + string(o) + ".hint"), Checked: ck})
	}
	// The rating selects follow the criteria the risk is rated under.
	critID := f.Value("criteria_id")
	if critID == "" && cs.Has {
		critID = cs.Current.ID
		f.Set("criteria_id", critID)
	}
	if crit, ok := cs.ByID[critID]; ok {
		rf.Criteria, rf.HasCrit = crit, true
		rf.Old = cs.Has && crit.ID != cs.Current.ID
		rf.CurNumber = cs.Current.Number
		rf.Likely = append([]option{{"", tr.T("web.risks.not_rated")}}, scaleOptions(crit.Likelihood)...)
		rf.Conseq = append([]option{{"", tr.T("web.risks.not_rated")}}, scaleOptions(crit.Consequence)...)
		for _, d := range crit.Dimensions {
			rf.Dims = append(rf.Dims, dimField{Key: d.Key, Label: d.Label, Inherent: "inherent_dims." + d.Key, Residual: "residual_dims." + d.Key})
		}
	}
	cats, err := a.DB.RiskCategories(ctx, c.Actor)
	if err != nil {
		return nil, err
	}
	rf.Categories.ID = "risk-categories"
	for _, cat := range cats {
		rf.Categories.Options = append(rf.Categories.Options, option{Value: cat})
	}
	if crit, ok := cs.ByID[critID]; ok {
		for _, r := range crit.CategoryAcceptance {
			rf.Categories.Options = append(rf.Categories.Options, option{Value: r.Category})
		}
	}
	if !rf.Editing {
		for typ, dst := range map[string]*[]option{"asset": &rf.Assets, "threat": &rf.Threats, "vulnerability": &rf.Vulns} {
			opts, err := a.DB.LinkOptions(ctx, c.Actor, typ)
			if err != nil {
				return nil, err
			}
			if len(opts) > 0 {
				*dst = append(*dst, option{"", tr.T("web.risks.choose")})
			}
			for _, o := range opts {
				*dst = append(*dst, option{o.ID, o.Ref + " " + o.Title})
			}
		}
	}
	return rf, nil
}

func scaleOptions(s []isms.ScaleLevel) []option {
	out := make([]option, len(s))
	for i, l := range s {
		out[i] = option{strconv.Itoa(l.Value), fmt.Sprintf("%d · %s", l.Value, l.Label)}
	}
	return out
}

func (a *app) renderRiskForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Risk) error {
	tr := c.tr()
	rf, err := a.riskForm(r.Context(), c, f, self)
	if err != nil {
		return err
	}
	title := tr.T("web.risks.new_title")
	crumbs := []crumb{{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, {tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")}}
	if rf.Editing {
		title = tr.T("web.risks.edit_title", self.Ref)
		crumbs = append(crumbs, crumb{self.Ref, orgPath(c.Org.Slug, "/risks/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "risks"
	v.Data = rf
	return a.render(w, r, status, "risk_form", v)
}

// newRiskPage shows the empty risk form; contributors get themselves as
// owner.
func (a *app) newRiskPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	f := newForm(map[string]string{"kind": r.URL.Query().Get("kind")})
	if f.Value("kind") == "" {
		f.Set("kind", string(isms.RiskScenario))
	}
	if !c.Actor.Can(isms.PermWriteRegisters) {
		f.Set("owner_id", c.Actor.UserID)
	}
	return a.renderRiskForm(w, r, c, http.StatusOK, f, isms.Risk{})
}

func riskLabels() map[string]string {
	m := specLabels(isms.RiskFields)
	m["criteria_id"] = "risk.criteria_version"
	m["asset_id"], m["threat_id"], m["vulnerability_id"] = "web.risks.links.asset", "web.risks.links.threat", "web.risks.links.vulnerability"
	return m
}

// createRisk adds a risk (with its asset, threat and vulnerability for an
// asset-based risk) and opens it.
func (a *app) createRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, riskLabels())
	x := riskFromForm(r, f, tr)
	if f.Invalid() {
		return a.renderRiskForm(w, r, c, http.StatusUnprocessableEntity, f, isms.Risk{})
	}
	var links []isms.Link
	for _, typ := range []string{"asset", "threat", "vulnerability"} {
		if id := f.Value(typ + "_id"); id != "" {
			links = append(links, isms.Link{ToType: typ, ToID: id})
		}
	}
	x, err := a.DB.CreateRisk(r.Context(), c.Actor, x, links...)
	if err != nil {
		if status, ok := f.take(tr, err, map[string]string{"to": "asset_id"}); ok {
			return a.renderRiskForm(w, r, c, status, f, isms.Risk{})
		}
		return err
	}
	a.flash(r, tr.T("web.risks.created", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+x.ID))
}

// editRiskPage shows the risk form filled in.
func (a *app) editRiskPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	x, err := a.DB.Risk(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditRisk(c.Actor, x) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	f := newForm(riskValues(x))
	f.Set("version", strconv.Itoa(x.Version))
	return a.renderRiskForm(w, r, c, http.StatusOK, f, x)
}

// updateRisk saves an edit made at the version in the form.
func (a *app) updateRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.DB.Risk(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditRisk(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, riskLabels())
	base, err := f.version()
	if err != nil {
		return err
	}
	x := riskFromForm(r, f, tr)
	if f.Invalid() {
		return a.renderRiskForm(w, r, c, http.StatusUnprocessableEntity, f, cur)
	}
	x.ID = cur.ID
	x, err = a.DB.UpdateRisk(ctx, c.Actor, x, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderRiskForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.risks.saved", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+x.ID))
}

func (a *app) archiveRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setRiskArchived(w, r, c, true)
}

func (a *app) restoreRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setRiskArchived(w, r, c, false)
}

func (a *app) setRiskArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: requireWrite,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveRisk(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
			return a.showRisk(w, r, c, id, status, &riskForms{notice: notice})
		},
		path: "/risks", restored: "web.risks.restored", archived: "web.risks.archived",
	}, archive)
}

// decideRisk records the risk owner's approval of the treatment plan or
// acceptance of the residual risk.
func (a *app) decideRisk(kind isms.DecisionKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		ctx := r.Context()
		id := r.PathValue("id")
		cur, err := a.DB.Risk(ctx, c.Actor, id)
		if err != nil {
			return err
		}
		if !store.CanDecideRisk(c.Actor, cur) && !(cur.OwnerID == "" && c.Actor.Can(isms.PermWriteRegisters)) {
			return isms.Errorf(isms.KindForbidden, "error.not_risk_owner")
		}
		if err := parseForm(r); err != nil {
			return err
		}
		tr := c.tr()
		f := postedForm(r).labelled(tr, map[string]string{"justification": "web.risks.justification", "concession": "web.risks.concession",
			"expires_on": "web.risks.expires_on", "owner_id": "risk.owner", "treatment": "risk.treatment",
			"residual_likelihood": "risk.residual_likelihood", "inherent_likelihood": "risk.inherent_likelihood", "criteria": "risk.criteria_version"})
		f.Set("kind", string(kind))
		base, err := f.version()
		if err != nil {
			return err
		}
		in := isms.AcceptInput{Justification: f.Value("justification"), Concession: f.Value("concession") == "yes", ExpiresOn: f.Value("expires_on")}
		var x isms.Risk
		key := "web.risks.plan_approved"
		if kind == isms.DecisionPlanApproval {
			x, err = a.DB.ApproveRiskPlan(ctx, c.Actor, id, base, in)
		} else {
			key = "web.risks.accepted"
			x, err = a.DB.AcceptRisk(ctx, c.Actor, id, base, in)
		}
		if err != nil {
			if status, ok := f.take(tr, err, nil); ok {
				return a.showRisk(w, r, c, id, status, &riskForms{decision: f})
			}
			return err
		}
		a.flash(r, tr.T(key, x.Ref))
		return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+x.ID))
	}
}

// riskLinkPage is the form that links a record to a risk: one select of
// the linkable records grouped by type, and a note.
type riskLinkPage struct {
	Form            *form
	Ref, RiskTitle  string
	RiskURL, Action string
	Groups          []linkChoiceGroup
}

// linkChoiceGroup is one type's records in the select, with the user's
// choice marked so the template only places them.
type linkChoiceGroup struct {
	Label   string
	Choices []linkChoice
}

type linkChoice struct {
	Value, Label string
	Selected     bool
}

// riskLinkLabels name the link form's fields in its error summary.
var riskLinkLabels = map[string]string{"target": "web.risks.link_target", "note": "web.risks.link_note"}

// editableRisk loads the risk of the request's path and checks that the
// actor may change it.
func (a *app) editableRisk(r *http.Request, c *reqCtx) (isms.Risk, error) {
	x, err := a.DB.Risk(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return x, err
	}
	if !store.CanEditRisk(c.Actor, x) {
		return x, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	return x, nil
}

// newRiskLinkPage shows the form that links a record to a risk.
func (a *app) newRiskLinkPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	x, err := a.editableRisk(r, c)
	if err != nil {
		return err
	}
	return a.renderRiskLink(w, r, c, http.StatusOK, newForm(nil), x)
}

// renderRiskLink shows the link form of risk x filled in from f, offering
// up to 500 active records of each linkable type.
func (a *app) renderRiskLink(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, x isms.Risk) error {
	ctx := r.Context()
	tr := c.tr()
	riskURL := orgPath(c.Org.Slug, "/risks/"+x.ID)
	d := &riskLinkPage{Form: f, Ref: x.Ref, RiskTitle: x.Title, RiskURL: riskURL, Action: riskURL + "/links"}
	chosen := f.Value("target")
	for _, typ := range riskLinkTypes {
		if !store.Linkable(typ) {
			continue
		}
		opts, err := a.DB.LinkOptions(ctx, c.Actor, typ)
		if err != nil {
			return err
		}
		g := linkChoiceGroup{Label: tr.T("web.risks.links." + typ), Choices: make([]linkChoice, 0, len(opts))}
		for _, o := range opts {
			if typ == "risk" && o.ID == x.ID {
				continue
			}
			v := typ + ":" + o.ID
			g.Choices = append(g.Choices, linkChoice{Value: v, Label: o.Ref + " " + o.Title, Selected: v == chosen})
		}
		if len(g.Choices) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	v := a.view(c, tr.T("web.risks.link_record"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")},
		crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")}, crumb{x.Ref, riskURL})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, status, "risk_link", v)
}

// linkRisk adds a link from a risk ("type:id" in the field "target").
func (a *app) linkRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.editableRisk(r, c)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, riskLinkLabels)
	typ, to, _ := strings.Cut(f.Value("target"), ":")
	if to == "" {
		f.addError("target", tr.T("validation.required"))
		return a.renderRiskLink(w, r, c, http.StatusUnprocessableEntity, f, cur)
	}
	if err := a.DB.LinkRisk(ctx, c.Actor, cur.ID, typ, to, f.Value("note")); err != nil {
		if status, ok := f.take(tr, err, map[string]string{"to": "target", "from": "target"}); ok {
			return a.renderRiskLink(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.risks.linked"))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+cur.ID))
}

// unlinkRisk removes a link from a risk.
func (a *app) unlinkRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := a.DB.Risk(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	if !store.CanEditRisk(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	msg := c.tr().T("web.risks.unlinked")
	if err := a.DB.UnlinkRisk(ctx, c.Actor, id, r.PostForm.Get("type"), r.PostForm.Get("to")); err != nil {
		if isms.ErrorKind(err) != isms.KindNotFound {
			return err
		}
		// Already gone (a second click, or someone else removed it).
		msg = c.tr().T("web.risks.already_unlinked")
	}
	a.flash(r, msg)
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+id))
}

// addRiskAction adds a treatment action to a risk.
func (a *app) addRiskAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := a.DB.Risk(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	if !store.CanEditRisk(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	x := isms.Action{Title: f.Value("title"), ResponsibleID: f.Value("responsible_id"), DueDate: f.Value("due_date"),
		Resources: f.Value("resources"), Evaluation: f.Value("evaluation"), ServesType: "risk", ServesID: cur.ID}
	if _, err := a.DB.CreateAction(ctx, c.Actor, x); err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showRisk(w, r, c, id, status, &riskForms{action: f})
		}
		if isms.ErrorKind(err) == isms.KindForbidden {
			f.addError("responsible_id", tr.T("web.risks.action_self"))
			return a.showRisk(w, r, c, id, http.StatusUnprocessableEntity, &riskForms{action: f})
		}
		return err
	}
	a.flash(r, tr.T("web.risks.action_added"))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/"+id)+"#treatment")
}

// rerateRisk applies the submitted (by default the suggested) ratings
// under the current criteria, from the re-rating worklist.
func (a *app) rerateRisk(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := a.DB.Risk(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	if !store.CanEditRisk(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r)
	base, err := f.version()
	if err != nil {
		return err
	}
	x := cur
	x.CriteriaID = f.Value("criteria_id")
	n := func(k string) int { v, _ := strconv.Atoi(f.Value(k)); return v }
	x.Inherent = isms.Rating{Likelihood: n("inherent_likelihood"), Consequence: n("inherent_consequence"), Dims: isms.ParseDims(f.Value("inherent_dims"))}
	x.Residual = isms.Rating{Likelihood: n("residual_likelihood"), Consequence: n("residual_consequence"), Dims: isms.ParseDims(f.Value("residual_dims"))}
	if _, err := a.DB.UpdateRisk(ctx, c.Actor, x, base); err != nil {
		if k := isms.ErrorKind(err); k == isms.KindInvalid || k == isms.KindConflict {
			a.flash(r, tr.T("web.risks.rerate_failed", cur.Ref, tr.Error(err)))
			return redirect(w, r, orgPath(c.Org.Slug, "/risks/rerate"))
		}
		return err
	}
	a.flash(r, tr.T("web.risks.rerated", cur.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/rerate"))
}

// heatMapPage shows inherent, expected residual and current residual risk
// as heat maps of the current criteria; cells link to the filtered list.
type heatMapPage struct {
	HasCrit                     bool
	Criteria                    isms.RiskCriteria
	Inherent, Residual, Current template.HTML
	Older, Unrated              int
	RerateURL, UnratedURL       string
	Legend                      []levelView
}

func (a *app) heatMapPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	hm, ok, err := a.DB.RiskHeatMaps(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &heatMapPage{HasCrit: ok, Criteria: hm.Criteria, Older: hm.Older, Unrated: hm.Unrated,
		RerateURL: orgPath(c.Org.Slug, "/risks/rerate"), UnratedURL: orgPath(c.Org.Slug, "/risks?status=identified")}
	if ok {
		// A cell links to the register filtered on it.
		list := orgPath(c.Org.Slug, "/risks") + "?criteria_id=" + url.QueryEscape(hm.Criteria.ID) + "&"
		cellURL := func(prefix string) func(l, v int) string {
			return func(l, v int) string {
				return list + prefix + "_cell=" + strconv.Itoa(l) + "-" + strconv.Itoa(v)
			}
		}
		d.Inherent = heatMap(tr, hm.Criteria, hm.Inherent, tr.T("web.risks.heatmap_inherent"), cellURL("inherent"))
		d.Residual = heatMap(tr, hm.Criteria, hm.Residual, tr.T("web.risks.heatmap_residual"), cellURL("residual"))
		// Current residual cells have no single stored rating to filter
		// on, so they are not links.
		d.Current = heatMap(tr, hm.Criteria, hm.Current, tr.T("web.risks.heatmap_current"), nil)
		for i := len(hm.Criteria.Levels) - 1; i >= 0; i-- {
			d.Legend = append(d.Legend, levelOf(hm.Criteria, hm.Criteria.Levels[i].Key))
		}
	}
	v := a.view(c, tr.T("web.risks.heatmap_title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, http.StatusOK, "risk_heatmap", v)
}

// planPage is a page of the risk treatment plan (clauses 6.1.3 e and
// 8.3): fifty risks at a time in priority order, under the figures of the
// whole plan.
type planPage struct {
	Total            int // risks in the whole plan
	Shown            int
	Progress         isms.PlanProgress
	Percent          int
	Body             template.HTML // the table's rows
	PrevURL, NextURL string
}

func (a *app) planPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	today := orgToday(c.Org)
	page, progress, err := a.DB.RiskTreatmentPlanPage(ctx, c.Actor, r.URL.Query().Get("cursor"), isms.DefaultLimit, today)
	if err != nil {
		return err
	}
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &planPage{Total: page.Total, Shown: len(page.Items), Progress: progress}
	if progress.Actions > 0 {
		d.Percent = progress.Done * 100 / progress.Actions
	}
	d.Body = planRows(tr, c.Org, cs, page.Items, orgPath(c.Org.Slug, "/risks/"), today)
	base := orgPath(c.Org.Slug, "/risks/plan")
	if page.PrevCursor != "" {
		d.PrevURL = withQuery(base, url.Values{"cursor": {page.PrevCursor}})
	}
	if page.NextCursor != "" {
		d.NextURL = withQuery(base, url.Values{"cursor": {page.NextCursor}})
	}
	v := a.view(c, tr.T("web.risks.plan_title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, http.StatusOK, "risk_plan", v)
}

// planRows writes the treatment plan table's rows: per risk its
// treatment options, planned controls, actions, expected and current
// residual levels, plan approval and acceptance. riskBase is the path a
// risk's id is appended to.
func planRows(tr i18n.Translator, o isms.Organisation, cs criteriaSet, entries []isms.PlanEntry, riskBase, today string) template.HTML {
	m := newMarkup(len(entries))
	options, statuses := newLabelCache(tr, "treatment."), newLabelCache(tr, "action_status.")
	noOwner, noActions, overdue := tr.T("web.risks.no_owner"), tr.T("web.risks.no_actions"), tr.T("web.risks.overdue")
	approved, notApproved, expired := tr.T("web.risks.plan_is_approved"), tr.T("web.risks.plan_not_approved"), tr.T("web.risks.acceptance.expired")
	for _, e := range entries {
		r := cs.row(e.Risk, today)
		u := riskBase + r.ID
		m.recordTitle(u, r.Ref, r.Title, "")
		m.raw(`<br><span class="muted small">`)
		if r.OwnerName != "" {
			m.text(r.OwnerName)
		} else {
			m.text(noOwner)
		}
		m.raw("</span></td><td>")
		for i, opt := range r.Treatment {
			if i > 0 {
				m.raw(", ")
			}
			m.text(options.get(string(opt)))
		}
		m.raw("</td><td>")
		for _, l := range e.Controls {
			m.raw(`<span class="ref">`)
			m.text(l.OtherRef)
			m.raw("</span> ")
			m.text(l.OtherTitle)
			m.raw("<br>")
		}
		if len(e.Controls) == 0 {
			m.mutedText("—")
		}
		m.raw("</td><td>")
		for _, x := range e.Actions {
			m.raw(`<div><span class="mono">`)
			m.text(x.Ref)
			m.raw("</span> ")
			m.text(x.Title)
			m.raw(" · ")
			m.text(x.ResponsibleName)
			if x.DueDate != "" {
				m.raw(" · ")
				m.time(x.DueDate, o.FormatCalendarDate(x.DueDate))
			}
			m.raw(" · ")
			m.text(statuses.get(string(x.Status)))
			if x.Overdue(today) {
				m.raw(` <span class="overdue">` + overdueIcon + " ")
				m.text(overdue)
				m.raw("</span>")
			}
			m.raw("</div>")
		}
		if len(e.Actions) == 0 {
			m.mutedText(noActions)
		}
		m.raw("</td>")
		m.levelCell(r.ResidualLv)
		m.levelCell(r.CurrentLv)
		m.raw("<td>")
		if r.PlanApprovedAt != "" {
			m.pill("pill-success", approved)
		} else {
			m.pill("pill-neutral", notApproved)
		}
		switch r.Acceptance {
		case isms.AcceptanceValid:
			m.raw("<br>")
			m.pill("pill-success", tr.T("web.risks.accepted_until", o.FormatCalendarDate(r.AcceptedUntil)))
		case isms.AcceptanceExpired:
			m.raw("<br>")
			m.pill("pill-danger", expired)
		}
		m.raw("</td></tr>")
	}
	return m.html()
}

// exportRisks sends the risks matching the list's filters as a workbook.
func (a *app) exportRisks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	q := parseRiskParams(r.URL.Query()).query()
	q.Cursor, q.Limit = "", isms.MaxLimit
	var list []isms.Risk
	for {
		page, err := a.DB.Risks(ctx, c.Actor, q)
		if err != nil {
			return err
		}
		list = append(list, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	refs, err := a.DB.RiskExportRefs(ctx, c.Actor)
	if err != nil {
		return err
	}
	now := time.Now()
	var buf bytes.Buffer
	if err := report.RisksXLSX(&buf, c.Org, list, cs.ByID, refs, report.Info{Version: a.Version, ExportedAt: now}); err != nil {
		return isms.Internal(err)
	}
	return sendRiskXLSX(w, &buf, fmt.Sprintf("%s-risks-%s.xlsx", c.Org.Slug, now.In(c.Org.Location()).Format(isms.DateLayout)))
}

// exportPlan sends the risk treatment plan as a workbook.
func (a *app) exportPlan(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	plan, err := a.DB.RiskTreatmentPlan(ctx, c.Actor)
	if err != nil {
		return err
	}
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	now := time.Now()
	var buf bytes.Buffer
	if err := report.TreatmentPlanXLSX(&buf, c.Org, plan, cs.ByID, report.Info{Version: a.Version, ExportedAt: now}); err != nil {
		return isms.Internal(err)
	}
	return sendRiskXLSX(w, &buf, fmt.Sprintf("%s-risk-treatment-plan-%s.xlsx", c.Org.Slug, now.In(c.Org.Location()).Format(isms.DateLayout)))
}

func sendRiskXLSX(w http.ResponseWriter, buf *bytes.Buffer, name string) error {
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
