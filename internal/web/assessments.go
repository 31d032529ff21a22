package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The risk assessment pages (clause 8.2): the list of runs with the due
// date of the next broad assessment and the trend of levels, one run with
// its frozen snapshot, the form, closing a run, and comparing two runs.

var assessmentListSpec = &listSpec{sorts: []string{"date", "ref", "updated_at"}, desc: true, filters: []string{"status", "trigger"}}

// assessmentRow is one run as a list shows it.
type assessmentRow struct {
	isms.Assessment
	TriggerText string
	StatusText  string
	StatusPill  string
}

func assessmentRowOf(tr i18n.Translator, x isms.Assessment) assessmentRow {
	row := assessmentRow{Assessment: x, TriggerText: optional(tr, "assessment_trigger."+string(x.Trigger), string(x.Trigger)),
		StatusText: optional(tr, "assessment_status."+string(x.Status), string(x.Status)), StatusPill: "pill-info"}
	if x.Closed() {
		row.StatusPill = "pill-success"
	}
	return row
}

// dueView is the banner about the next broad assessment.
type dueView struct {
	State   string
	Message string
}

func dueViewOf(tr i18n.Translator, o isms.Organisation, d isms.AssessmentDue) dueView {
	v := dueView{State: string(d.State)}
	due, last := o.FormatCalendarDate(d.DueDate), o.FormatCalendarDate(d.LastDate)
	switch d.State {
	case isms.DueNever:
		v.Message = tr.T("web.assess.due_never")
	case isms.DueOverdue:
		v.Message = tr.T("web.assess.due_overdue", due, last)
	case isms.DueSoon:
		v.Message = tr.T("web.assess.due_soon", due, d.Days, last)
	default:
		v.Message = tr.T("web.assess.due_later", due, last)
	}
	return v
}

type assessmentList struct {
	listPage
	Rows      []assessmentRow
	Statuses  []option
	Triggers  []option
	CanManage bool
	Due       dueView
	Trend     template.HTML
	TrendRows []trendRow
	HasClosed bool
}

func assessmentTriggerOptions(tr i18n.Translator) []option {
	var out []option
	for _, t := range isms.AssessmentTriggers {
		out = append(out, option{string(t), tr.T("assessment_trigger." + string(t))})
	}
	return out
}

// assessmentList shows every run, the due banner and the trend picture.
func (a *app) assessmentList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parseList(assessmentListSpec, orgPath(c.Org.Slug, "/assessments"), r.URL.Query())
	q := p.query()
	q.Brief = true
	page, err := a.DB.Assessments(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	due, err := a.DB.NextBroadAssessment(ctx, c.Actor)
	if err != nil {
		return err
	}
	trend, err := a.DB.AssessmentTrend(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &assessmentList{CanManage: c.Actor.Can(isms.PermWriteRegisters), Due: dueViewOf(tr, c.Org, due), HasClosed: len(trend) > 0,
		Statuses: []option{{"", tr.T("web.assess.any_status")}, {"open", tr.T("assessment_status.open")}, {"closed", tr.T("assessment_status.closed")}},
		Triggers: append([]option{{"", tr.T("web.assess.any_trigger")}}, assessmentTriggerOptions(tr)...)}
	if len(trend) > 0 {
		d.Trend = trendChart(tr, c.Org, trend)
		d.TrendRows = trendRows(tr, c.Org, trend)
	}
	label := func(name, v string) string {
		switch name {
		case "status":
			return tr.T("web.assess.chip_status", optional(tr, "assessment_status."+v, v))
		case "trigger":
			return tr.T("web.assess.chip_trigger", optional(tr, "assessment_trigger."+v, v))
		}
		return v
	}
	cols := []column{{"ref", "field.ref", false}, {"date", "assessment.date", true}, {"", "assessment.scope", false},
		{"", "assessment.trigger", false}, {"", "assessment.criteria", false}, {"", "assessment.status", false}, {"", "web.assess.risks_frozen", true}}
	d.listPage = p.page(tr, cols, page.Total, len(page.Items), page.PrevCursor, page.NextCursor, label)
	for _, x := range page.Items {
		d.Rows = append(d.Rows, assessmentRowOf(tr, x))
	}
	v := a.view(c, tr.T("web.assess.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")},
		crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "assessments"
	v.Data = d
	return a.render(w, r, http.StatusOK, "assessment_list", v)
}

// snapLevel is a frozen rating ready to show.
type snapLevel struct {
	Label, Class string
	Likelihood   int
	Consequence  int
	Rated        bool
}

func snapLevelOf(r isms.SnapRating, of int) snapLevel {
	return snapLevel{Label: r.Label, Class: levelClass(r.Rank, of), Likelihood: r.Likelihood, Consequence: r.Consequence, Rated: r.Rated()}
}

// snapshotPageSize is how many risks one page of a snapshot shows.
const snapshotPageSize = 50

// snapshotRows writes the rows of a snapshot's table: each risk with its
// criteria version and its three frozen ratings.
func snapshotRows(tr i18n.Translator, slug string, lines []isms.SnapshotLine) template.HTML {
	notRated := tr.T("web.assess.not_rated")
	m := newMarkup(len(lines))
	for _, l := range lines {
		m.raw("\n<tr><td>")
		m.link("ref", orgPath(slug, "/risks/"+l.RiskID), l.RiskRef)
		m.raw("</td>")
		m.cell("wrap", l.Title)
		m.raw("<td>")
		if l.CriteriaNumber != 0 {
			m.text(tr.T("web.assess.criteria_n", l.CriteriaNumber))
		} else {
			m.mutedText("—")
		}
		m.raw("</td>")
		for _, r := range [...]isms.SnapRating{l.Inherent, l.Residual, l.Current} {
			m.raw("<td>")
			if r.Rated() {
				m.pill(levelClass(r.Rank, l.LevelCount), r.Label)
				m.raw(" ")
				m.mutedText(strconv.Itoa(r.Likelihood) + " × " + strconv.Itoa(r.Consequence))
			} else {
				m.mutedText(notRated)
			}
			m.raw("</td>")
		}
		m.raw("</tr>")
	}
	return m.html()
}

// snapshotPager is the paging below a snapshot's table: which risks show,
// the links to the previous and next pages, and numbered links to the
// first, the last and the pages around the current one.
type snapshotPager struct {
	Shown            string
	PrevURL, NextURL string
	Pages            []pageLink
}

// pageLink is one numbered page link; Gap stands for pages left out.
type pageLink struct {
	N          int
	URL, Label string
	Current    bool
	Gap        bool
}

// snapshotPage reads which page of a snapshot of total risks the request
// asks for (?page=, from 1); a page past the end shows the last.
func snapshotPage(r *http.Request, total int) (page, pages int) {
	pages = max(1, (total+snapshotPageSize-1)/snapshotPageSize)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return min(page, pages), pages
}

// snapshotPagerOf links the pages of a snapshot of total risks shown at
// base, page of pages showing shown risks. The links lead back to the
// table's heading.
func snapshotPagerOf(tr i18n.Translator, base string, page, pages, shown, total int) snapshotPager {
	url := func(n int) string {
		if n == 1 {
			return base + "#snapshot-title"
		}
		return base + "?page=" + strconv.Itoa(n) + "#snapshot-title"
	}
	first := (page - 1) * snapshotPageSize
	p := snapshotPager{Shown: tr.T("web.assess.snapshot_shown", min(first+1, total), first+shown, total)}
	if pages < 2 {
		return p
	}
	if page > 1 {
		p.PrevURL = url(page - 1)
	}
	if page < pages {
		p.NextURL = url(page + 1)
	}
	link := func(n int) {
		p.Pages = append(p.Pages, pageLink{N: n, URL: url(n), Label: tr.T("web.pager.page", n), Current: n == page})
	}
	// The first and last pages and two either side of this one; a gap of
	// a single page shows that page instead.
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		switch {
		case n == last+2:
			link(last + 1)
		case n > last+2:
			p.Pages = append(p.Pages, pageLink{Gap: true})
		}
		link(n)
		last = n
	}
	return p
}

type assessmentPage struct {
	Row          assessmentRow
	Participants []string
	Others       []string
	Snapshot     template.HTML // the rows of this page of the snapshot
	Pager        snapshotPager
	History      []historyView
	CanManage    bool
	Notice       string
}

func (a *app) assessmentPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showAssessment(w, r, c, r.PathValue("id"), http.StatusOK, "")
}

func (a *app) showAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	ap, err := a.DB.AssessmentPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	x, hist := ap.Assessment, ap.History
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	users := memberNames(ms)
	d := &assessmentPage{Row: assessmentRowOf(tr, x), CanManage: c.Actor.Can(isms.PermWriteRegisters), Notice: notice}
	for _, p := range x.ParticipantIDs {
		d.Participants = append(d.Participants, orDefault(users[p], p))
	}
	if x.OtherParticipants != "" {
		d.Others = strings.Split(x.OtherParticipants, "\n")
	}
	if x.Closed() && x.Lines > 0 {
		page, pages := snapshotPage(r, x.Lines)
		lines, err := a.DB.AssessmentSnapshotPage(ctx, c.Actor, id, (page-1)*snapshotPageSize, snapshotPageSize)
		if err != nil {
			return err
		}
		d.Snapshot = snapshotRows(tr, c.Org.Slug, lines)
		d.Pager = snapshotPagerOf(tr, orgPath(c.Org.Slug, "/assessments/"+x.ID), page, pages, len(lines), x.Lines)
	}
	d.History = recordHistory(tr, c.Org, hist, users, func(field, v string) string {
		if v == "" {
			return ""
		}
		switch field {
		case "trigger_kind":
			return optional(tr, "assessment_trigger."+v, v)
		case "status":
			return optional(tr, "assessment_status."+v, v)
		case "assessed_on":
			return c.Org.FormatCalendarDate(v)
		case "closed_at":
			if t, err := isms.ParseTime(v); err == nil {
				return c.Org.FormatDateTime(t)
			}
		case "closed_by":
			return orDefault(users[v], v)
		case "criteria_id":
			if v == x.CriteriaID {
				return tr.T("web.assess.criteria_n", x.CriteriaNumber)
			}
		case "participant_ids":
			var names []string
			for _, id := range strings.Split(v, ",") {
				names = append(names, orDefault(users[id], id))
			}
			return strings.Join(names, ", ")
		case "archived":
			if v == "true" {
				return tr.T("web.yes")
			}
			return tr.T("web.no")
		}
		return v
	})
	v := a.view(c, x.Ref+" "+x.Scope, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")},
		crumb{tr.T("web.assess.title"), orgPath(c.Org.Slug, "/assessments")})
	v.Nav = "assessments"
	v.Data = d
	return a.render(w, r, status, "assessment_detail", v)
}

type assessmentForm struct {
	Form         *form
	Editing      bool
	Self         isms.Assessment
	Triggers     []option
	Criteria     []option
	Participants []participantOption
	FormAction   string
	CancelURL    string
}

// participantOption is one member offered as a participant.
type participantOption struct {
	Value, Label string
	Checked      bool
}

func assessmentValues(x isms.Assessment) map[string]string {
	return map[string]string{
		"assessed_on": x.Date, "scope": x.Scope, "trigger_kind": string(x.Trigger), "participant_ids": strings.Join(x.ParticipantIDs, ","),
		"other_participants": x.OtherParticipants, "criteria_id": x.CriteriaID, "notes": x.Notes,
	}
}

func (a *app) renderAssessmentForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Assessment) error {
	ctx := r.Context()
	tr := c.tr()
	af := &assessmentForm{Form: f, Self: self, Editing: self.ID != "", Triggers: assessmentTriggerOptions(tr),
		FormAction: orgPath(c.Org.Slug, "/assessments/new"), CancelURL: orgPath(c.Org.Slug, "/assessments")}
	if af.Editing {
		af.FormAction = orgPath(c.Org.Slug, "/assessments/"+self.ID+"/edit")
		af.CancelURL = orgPath(c.Org.Slug, "/assessments/"+self.ID)
	}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, id := range strings.Split(f.Value("participant_ids"), ",") {
		chosen[id] = true
	}
	for _, m := range ms {
		af.Participants = append(af.Participants, participantOption{m.UserID, m.UserName, chosen[m.UserID]})
	}
	versions, err := a.DB.CriteriaVersions(ctx, c.Actor)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.Status == isms.CriteriaDraft || v.Archived() {
			continue
		}
		af.Criteria = append(af.Criteria, option{v.ID, tr.T("web.assess.criteria_n", v.Number) + " · " + v.Name})
	}
	title := tr.T("web.assess.new_title")
	crumbs := []crumb{{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")}, {tr.T("web.assess.title"), orgPath(c.Org.Slug, "/assessments")}}
	if af.Editing {
		title = tr.T("web.assess.edit_title", self.Ref)
		crumbs = append(crumbs, crumb{self.Ref, orgPath(c.Org.Slug, "/assessments/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "assessments"
	v.Data = af
	return a.render(w, r, status, "assessment_form", v)
}

func (a *app) newAssessmentPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	crit, ok, err := a.DB.CurrentCriteria(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	if !ok {
		return isms.Errorf(isms.KindConflict, "error.no_criteria")
	}
	f := newForm(map[string]string{"assessed_on": zoneToday(c.Org), "trigger_kind": string(isms.TriggerScheduled),
		"criteria_id": crit.ID, "participant_ids": c.Actor.UserID})
	return a.renderAssessmentForm(w, r, c, http.StatusOK, f, isms.Assessment{})
}

// assessmentFromForm reads the posted run; participant_ids may repeat.
func assessmentFromForm(r *http.Request, f *form) isms.Assessment {
	ids := r.PostForm["participant_ids"]
	f.Set("participant_ids", strings.Join(ids, ","))
	return isms.Assessment{Date: f.Value("assessed_on"), Scope: f.Value("scope"), Trigger: isms.AssessmentTrigger(f.Value("trigger_kind")),
		ParticipantIDs: ids, OtherParticipants: f.Value("other_participants"), CriteriaID: f.Value("criteria_id"), Notes: f.Value("notes")}
}

func (a *app) createAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.AssessmentFields))
	x, err := a.DB.CreateAssessment(r.Context(), c.Actor, assessmentFromForm(r, f))
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderAssessmentForm(w, r, c, status, f, isms.Assessment{})
		}
		return err
	}
	a.flash(r, tr.T("web.assess.created", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/assessments/"+x.ID))
}

// editableAssessment reads a run the member may change, refusing others
// (and closed runs) before anything they sent is looked at.
func (a *app) editableAssessment(ctx context.Context, c *reqCtx, id string) (isms.Assessment, error) {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return isms.Assessment{}, err
	}
	x, err := a.DB.Assessment(ctx, c.Actor, id)
	if err != nil {
		return x, err
	}
	if x.Closed() {
		return x, isms.Errorf(isms.KindConflict, "error.assessment_closed", x.Ref)
	}
	return x, nil
}

func (a *app) editAssessmentPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	x, err := a.editableAssessment(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := newForm(assessmentValues(x))
	f.Set("version", strconv.Itoa(x.Version))
	return a.renderAssessmentForm(w, r, c, http.StatusOK, f, x)
}

func (a *app) updateAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.editableAssessment(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.AssessmentFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	x := assessmentFromForm(r, f)
	x.ID = cur.ID
	x, err = a.DB.UpdateAssessment(ctx, c.Actor, x, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderAssessmentForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.assess.saved", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/assessments/"+x.ID))
}

// closeAssessment closes a run and freezes its snapshot.
func (a *app) closeAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	id := r.PathValue("id")
	base, err := postedForm(r).version()
	if err != nil {
		return err
	}
	x, err := a.DB.CloseAssessment(r.Context(), c.Actor, id, base)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindConflict {
			return a.showAssessment(w, r, c, id, http.StatusConflict, tr.Error(err))
		}
		return err
	}
	a.flash(r, tr.T("web.assess.closed", x.Ref, x.Lines))
	return redirect(w, r, orgPath(c.Org.Slug, "/assessments/"+x.ID))
}

func (a *app) archiveAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setAssessmentArchived(w, r, c, true)
}

func (a *app) restoreAssessment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setAssessmentArchived(w, r, c, false)
}

func (a *app) setAssessmentArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: requireWrite,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveAssessment(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: a.showAssessment, path: "/assessments", restored: "web.reg.restored", archived: "web.reg.archived",
	}, archive)
}

// changeGroup is one kind of change on the compare page.
type changeGroup struct {
	Kind, Title string
	Rows        []changeRow
}

type changeRow struct {
	RiskID, RiskRef, Title string
	Before, After          *snapLevel
}

type comparePage struct {
	Runs     []option
	From, To string
	Compared bool
	FromRun  isms.Assessment
	ToRun    isms.Assessment
	Summary  string
	Groups   []changeGroup
	Form     *form
}

// compareAssessments compares two closed runs, or a closed run with the
// register as it stands (to empty).
func (a *app) compareAssessments(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	runs, err := a.DB.ClosedAssessments(ctx, c.Actor)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &comparePage{From: q.Get("from"), To: q.Get("to"), Form: newForm(map[string]string{"from": q.Get("from"), "to": q.Get("to")}).
		labelled(tr, map[string]string{"from": "web.assess.compare_from", "to": "web.assess.compare_to"})}
	for i := len(runs) - 1; i >= 0; i-- {
		x := runs[i]
		d.Runs = append(d.Runs, option{x.ID, x.Ref + " · " + c.Org.FormatCalendarDate(x.Date) + " · " + clip(x.Scope, 40)})
	}
	if d.From == "" && len(runs) > 0 {
		// Default: the latest run against the one before it, or against now.
		d.From = runs[len(runs)-1].ID
		if len(runs) > 1 {
			d.From, d.To = runs[len(runs)-2].ID, runs[len(runs)-1].ID
		}
		d.Form.Set("from", d.From)
		d.Form.Set("to", d.To)
	}
	status := http.StatusOK
	if d.From != "" {
		from, to, cmp, err := a.DB.CompareAssessments(ctx, c.Actor, d.From, d.To)
		switch {
		case err == nil:
			d.Compared, d.FromRun, d.ToRun = true, from, to
			d.Summary = tr.T("web.assess.compare_summary", len(cmp.Added), len(cmp.Removed), len(cmp.Up), len(cmp.Down), len(cmp.Unchanged))
			for _, g := range []struct {
				kind isms.ChangeKind
				list []isms.SnapshotChange
			}{{isms.ChangeUp, cmp.Up}, {isms.ChangeDown, cmp.Down}, {isms.ChangeAdded, cmp.Added}, {isms.ChangeRemoved, cmp.Removed}, {isms.ChangeUnchanged, cmp.Unchanged}} {
				cg := changeGroup{Kind: string(g.kind), Title: tr.T("web.assess.change." + string(g.kind))}
				for _, ch := range g.list {
					row := changeRow{RiskID: ch.RiskID, RiskRef: ch.RiskRef, Title: ch.Title}
					if ch.Before != nil {
						s := snapLevelOf(ch.Before.Current, ch.Before.LevelCount)
						row.Before = &s
					}
					if ch.After != nil {
						s := snapLevelOf(ch.After.Current, ch.After.LevelCount)
						row.After = &s
					}
					cg.Rows = append(cg.Rows, row)
				}
				d.Groups = append(d.Groups, cg)
			}
		case isms.ErrorKind(err) == isms.KindInvalid:
			status, _ = d.Form.take(tr, err, nil)
		default:
			return err
		}
	}
	v := a.view(c, tr.T("web.assess.compare_title"), crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")},
		crumb{tr.T("web.assess.title"), orgPath(c.Org.Slug, "/assessments")})
	v.Nav = "assessments"
	v.Data = d
	return a.render(w, r, status, "assessment_compare", v)
}

// dashboardDue is the dashboard line about the next broad assessment:
// the sentence, its state (later, soon or overdue) and the state in words,
// so that it is not told by colour alone.
type dashboardDue struct {
	Text, State, StateText, URL string
}

// nextAssessmentDue is the dashboard line about the next broad
// assessment; nil for members who cannot read registers or when none has
// been closed yet.
func (a *app) nextAssessmentDue(r *http.Request, c *reqCtx) (*dashboardDue, error) {
	if !c.Actor.Can(isms.PermReadRegisters) {
		return nil, nil
	}
	d, err := a.DB.NextBroadAssessment(r.Context(), c.Actor)
	if err != nil || d.State == isms.DueNever {
		return nil, err
	}
	tr := c.tr()
	out := &dashboardDue{Text: tr.T("web.assess.dashboard_due", c.Org.FormatCalendarDate(d.DueDate)), State: string(d.State),
		URL: orgPath(c.Org.Slug, "/assessments")}
	switch d.State {
	case isms.DueOverdue:
		out.StateText = tr.T("web.assess.overdue")
	case isms.DueSoon:
		out.StateText = tr.T("web.assess.due_soon_tag")
	}
	return out, nil
}
