package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The Actions pages: the register of every plan in the ISMS, one action's
// page with its progress notes and history, the form with the five
// questions of clause 6.2, and "My actions" for every member.

var actionListSpec = &listSpec{
	sorts:   []string{"due_date", "title", "status", "updated_at"},
	filters: []string{"status", "responsible_id", "overdue"},
}

var myActionsSpec = &listSpec{sorts: []string{"due_date", "title", "status", "updated_at"}, filters: []string{"show"}}

// zoneToday is today's date in the organisation's time zone.
func zoneToday(o isms.Organisation) string {
	return time.Now().In(o.Location()).Format(isms.DateLayout)
}

// actionRow is one action as a list shows it.
type actionRow struct {
	isms.Action
	IsOverdue  bool
	StatusText string
	StatusPill string
	ServesURL  string
	ServesText string
}

// statusPill is the pill class of an action status.
func statusPill(s isms.ActionStatus) string {
	switch s {
	case isms.ActionInProgress:
		return "pill-info"
	case isms.ActionDone:
		return "pill-success"
	case isms.ActionCancelled:
		return "pill-muted"
	}
	return "pill-neutral"
}

// servedPaths are the pages of the record types an action can serve.
var servedPaths = map[string]string{
	"risk": "/risks/", "asset": "/assets/", "threat": "/threats/", "vulnerability": "/vulnerabilities/", "person": "/people/",
}

func actionRowOf(tr i18n.Translator, slug, today string, x isms.Action) actionRow {
	row := actionRow{Action: x, IsOverdue: x.Overdue(today), StatusText: tr.T("action_status." + string(x.Status)), StatusPill: statusPill(x.Status)}
	if x.ServesType != "" {
		row.ServesText = optional(tr, "record."+x.ServesType, x.ServesType)
		if p, ok := servedPaths[x.ServesType]; ok {
			row.ServesURL = orgPath(slug, p+x.ServesID)
		}
	}
	return row
}

// actionListRow is one line of an action list with its links and dates
// made ready, so the template only places them. Its fields are its own,
// not embedded: templates find an embedded field by a slow search on
// every use.
type actionListRow struct {
	Ref, Title, URL       string
	Archived              bool
	Responsible           string
	DueDate, Due          string // ISO, and as the organisation writes dates
	Overdue               bool
	Status, StatusPill    string
	ServesText, ServesURL string
}

// actionListText holds what every row of an action list shares, looked
// up once per page.
type actionListText struct {
	org            isms.Organisation
	base, today    string
	status, serves *labelCache
}

func newActionListText(tr i18n.Translator, org isms.Organisation, today string) *actionListText {
	return &actionListText{org: org, base: orgPath(org.Slug, "/actions/"), today: today,
		status: newLabelCache(tr, "action_status."), serves: newLabelCache(tr, "record.")}
}

// row is the list line of action x.
func (t *actionListText) row(x isms.Action) actionListRow {
	row := actionListRow{Ref: x.Ref, Title: x.Title, URL: t.base + x.ID, Archived: x.Archived(),
		Responsible: x.ResponsibleName, DueDate: x.DueDate, Overdue: x.Overdue(t.today),
		Status: t.status.get(string(x.Status)), StatusPill: statusPill(x.Status)}
	if x.DueDate != "" {
		row.Due = t.org.FormatCalendarDate(x.DueDate)
	}
	if x.ServesType != "" {
		row.ServesText = t.serves.get(x.ServesType)
		if p, ok := servedPaths[x.ServesType]; ok {
			row.ServesURL = orgPath(t.org.Slug, p+x.ServesID)
		}
	}
	return row
}

type actionList struct {
	listPage
	Rows        []actionListRow
	Body        template.HTML // the table's rows
	Statuses    []option
	Responsible []option
	CanCreate   bool
	Mine        bool
	Show        []option

	// The row texts every page shares.
	ArchivedPill, Nobody, Overdue, NoDueDate, None string
}

// setRows fills the list's rows and the texts they share.
func (d *actionList) setRows(tr i18n.Translator, org isms.Organisation, today string, items []isms.Action) {
	text := newActionListText(tr, org, today)
	d.Rows = make([]actionListRow, len(items))
	for i, x := range items {
		d.Rows[i] = text.row(x)
	}
	d.ArchivedPill, d.Nobody, d.None = tr.T("web.reg.archived_pill"), tr.T("web.actions.nobody"), tr.T("web.none")
	d.Overdue, d.NoDueDate = tr.T("web.actions.overdue"), tr.T("web.actions.no_due_date")
	d.Body = d.rows()
}

// rows writes the action table's rows; a member's own list leaves out the
// responsible column.
func (d *actionList) rows() template.HTML {
	m := newMarkup(len(d.Rows))
	for _, r := range d.Rows {
		m.recordCells(r.URL, r.Ref, r.Title, "wrap", pillIf(r.Archived, "pill-muted", d.ArchivedPill))
		if !d.Mine {
			m.raw("<td>")
			if r.Responsible != "" {
				m.text(r.Responsible)
			} else {
				m.mutedText(d.Nobody)
			}
			m.raw("</td>")
		}
		m.raw(`<td class="num">`)
		switch {
		case r.DueDate == "":
			m.mutedText(d.NoDueDate)
		case r.Overdue:
			m.raw(`<span class="overdue">` + overdueIcon + " ")
			m.time(r.DueDate, r.Due)
			m.raw(" ")
			m.text(d.Overdue)
			m.raw("</span>")
		default:
			m.time(r.DueDate, r.Due)
		}
		m.raw("</td><td>")
		m.pill(r.StatusPill, r.Status)
		m.raw("</td><td>")
		switch {
		case r.ServesText == "":
			m.none(d.None)
		case r.ServesURL != "":
			m.link("", r.ServesURL, r.ServesText)
		default:
			m.text(r.ServesText)
		}
		m.raw("</td></tr>")
	}
	return m.html()
}

func actionStatusOptions(tr i18n.Translator, all string) []option {
	out := []option{{"", all}}
	for _, s := range isms.ActionStatuses {
		out = append(out, option{string(s), tr.T("action_status." + string(s))})
	}
	return out
}

// actionList shows every action with filters for status, responsible
// member and overdue.
func (a *app) actionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parseList(actionListSpec, orgPath(c.Org.Slug, "/actions"), r.URL.Query())
	today := zoneToday(c.Org)
	q := p.query()
	if q.Filters["overdue"] != "" {
		delete(q.Filters, "overdue")
		q.Filters["open"], q.Filters["due_before"] = "yes", today
	}
	q.Brief = true
	page, err := a.DB.Actions(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	names := map[string]string{}
	d := &actionList{Statuses: actionStatusOptions(tr, tr.T("web.actions.any_status")), CanCreate: c.Actor.Can(isms.PermWriteOwned)}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		names = memberNames(ms)
		d.Responsible = memberOptions(ms, tr.T("web.actions.anyone"))
		d.Responsible = append(d.Responsible, option{"-", tr.T("web.actions.nobody")})
	}
	label := func(name, v string) string {
		switch name {
		case "status":
			return tr.T("web.actions.chip_status", optional(tr, "action_status."+v, v))
		case "responsible_id":
			if v == "-" {
				return tr.T("web.actions.nobody")
			}
			return tr.T("web.actions.chip_responsible", orDefault(names[v], v))
		case "overdue":
			return tr.T("web.actions.overdue_only")
		}
		return v
	}
	cols := []column{{"", "field.ref", false}, {"title", "action.title", false}, {"", "action.responsible", false},
		{"due_date", "action.due_date", true}, {"status", "action.status", false}, {"", "web.actions.serves", false}}
	d.listPage = p.page(tr, cols, page.Total, len(page.Items), page.PrevCursor, page.NextCursor, label)
	d.setRows(tr, c.Org, today, page.Items)
	v := a.view(c, tr.T("web.actions.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "actions"
	v.Data = d
	return a.render(w, r, http.StatusOK, "action_list", v)
}

// myActions lists the actions the member is responsible for: open ones
// by default, soonest due first, overdue ones marked. Every role has it.
func (a *app) myActions(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	tr := c.tr()
	p := parseList(myActionsSpec, orgPath(c.Org.Slug, "/my-actions"), r.URL.Query())
	q := p.query()
	delete(q.Filters, "show")
	switch p.F["show"] {
	case "all":
		q.Filters["status"] = ""
	case "done":
		q.Filters["status"] = string(isms.ActionDone)
	default:
		delete(p.F, "show")
	}
	q.Brief = true
	page, err := a.DB.MyActions(r.Context(), c.Actor, q)
	if err != nil {
		return err
	}
	today := zoneToday(c.Org)
	d := &actionList{Mine: true, CanCreate: c.Actor.Can(isms.PermWriteOwned),
		Show: []option{{"", tr.T("web.actions.show_open")}, {"done", tr.T("web.actions.show_done")}, {"all", tr.T("web.actions.show_all")}}}
	cols := []column{{"", "field.ref", false}, {"title", "action.title", false}, {"due_date", "action.due_date", true},
		{"status", "action.status", false}, {"", "web.actions.serves", false}}
	d.listPage = p.page(tr, cols, page.Total, len(page.Items), page.PrevCursor, page.NextCursor, func(_, v string) string {
		if v == "all" {
			return tr.T("web.actions.show_all")
		}
		return tr.T("web.actions.show_done")
	})
	d.setRows(tr, c.Org, today, page.Items)
	v := a.view(c, tr.T("web.actions.mine_title"))
	v.Nav = "my-actions"
	v.Data = d
	return a.render(w, r, http.StatusOK, "action_list", v)
}

// canEditAction mirrors the store's rule, to decide what to offer:
// editors change any action, the responsible member their own.
func canEditAction(a isms.Actor, x isms.Action) bool {
	return a.Can(isms.PermWriteRegisters) || (x.ResponsibleID != "" && x.ResponsibleID == a.UserID)
}

type actionPage struct {
	Row        actionRow
	Notes      []isms.ActionNote
	History    []historyView
	CanEdit    bool
	CanArchive bool
	ServesRef  string
	ServesName string
	NoteForm   *form
	DoneForm   *form
	Notice     string
}

func (a *app) actionPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showAction(w, r, c, r.PathValue("id"), http.StatusOK, nil, nil, "")
}

// showAction renders one action; noteForm and doneForm carry a rejected
// submission back to the page.
func (a *app) showAction(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, noteForm, doneForm *form, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	p, err := a.DB.ActionPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	x, notes, hist := p.Action, p.Notes, p.History
	users := map[string]string{x.ResponsibleID: x.ResponsibleName, c.Actor.UserID: c.Actor.UserName}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		users = memberNames(ms)
	}
	if noteForm == nil {
		noteForm = newForm(nil)
	}
	if doneForm == nil {
		doneForm = newForm(map[string]string{"completion_evidence": x.CompletionEvidence})
	}
	d := &actionPage{Row: actionRowOf(tr, c.Org.Slug, zoneToday(c.Org), x), Notes: notes, CanEdit: canEditAction(c.Actor, x),
		CanArchive: c.Actor.Can(isms.PermWriteRegisters), NoteForm: noteForm, DoneForm: doneForm, Notice: notice}
	if x.ServesType != "" && c.Actor.Can(isms.PermReadRegisters) {
		d.ServesRef, d.ServesName, _ = a.DB.RecordLabel(ctx, c.Actor, x.ServesType, x.ServesID)
	}
	show := actionValue(tr, c.Org, users)
	d.History = recordHistory(tr, c.Org, hist, users, func(field, v string) string {
		if field == "serves_id" && v == x.ServesID && d.ServesRef != "" {
			return d.ServesRef + " " + d.ServesName
		}
		return show(field, v)
	})
	crumbs := []crumb{{tr.T("web.actions.mine_title"), orgPath(c.Org.Slug, "/my-actions")}}
	nav := "my-actions"
	if c.Actor.Can(isms.PermReadRegisters) {
		crumbs = []crumb{{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, {tr.T("web.actions.title"), orgPath(c.Org.Slug, "/actions")}}
		nav = "actions"
	}
	v := a.view(c, x.Title, crumbs...)
	v.Nav = nav
	v.Data = d
	return a.render(w, r, status, "action", v)
}

// actionValue shows a stored action field to a reader.
func actionValue(tr i18n.Translator, o isms.Organisation, users map[string]string) func(field, v string) string {
	return func(field, v string) string {
		if v == "" {
			return ""
		}
		switch field {
		case "responsible_id":
			return orDefault(users[v], v)
		case "status":
			return optional(tr, "action_status."+v, v)
		case "due_date", "completed_at":
			return o.FormatCalendarDate(v)
		case "archived":
			if v == "true" {
				return tr.T("web.yes")
			}
			return tr.T("web.no")
		case "serves_type":
			return optional(tr, "record."+v, v)
		}
		return v
	}
}

type actionForm struct {
	Form        *form
	Action      isms.Action
	Editing     bool
	Responsible []option
	FixedOwner  string // shown instead of a choice when the member may not reassign
	Statuses    []option
	FormAction  string
	CancelURL   string
	ServesText  string
	CanReassign bool
}

func actionValues(x isms.Action) map[string]string {
	return map[string]string{
		"title": x.Title, "description": x.Description, "resources": x.Resources, "responsible_id": x.ResponsibleID,
		"due_date": x.DueDate, "evaluation": x.Evaluation, "status": string(x.Status), "completion_evidence": x.CompletionEvidence,
		"serves_type": x.ServesType, "serves_id": x.ServesID,
	}
}

func (a *app) renderActionForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Action) error {
	ctx := r.Context()
	tr := c.tr()
	af := &actionForm{Form: f, Action: self, Editing: self.ID != "", CanReassign: c.Actor.Can(isms.PermWriteRegisters)}
	af.FormAction, af.CancelURL = orgPath(c.Org.Slug, "/actions/new"), orgPath(c.Org.Slug, "/my-actions")
	if c.Actor.Can(isms.PermReadRegisters) {
		af.CancelURL = orgPath(c.Org.Slug, "/actions")
	}
	if af.Editing {
		af.FormAction = orgPath(c.Org.Slug, "/actions/"+self.ID+"/edit")
		af.CancelURL = orgPath(c.Org.Slug, "/actions/"+self.ID)
	}
	switch {
	case af.CanReassign:
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		af.Responsible = memberOptions(ms, tr.T("web.actions.nobody"))
	case af.Editing:
		af.FixedOwner = orDefault(self.ResponsibleName, tr.T("web.actions.nobody"))
	default: // contributors add actions they are responsible for
		af.FixedOwner = c.Actor.UserName
	}
	af.Statuses = actionStatusOptions(tr, "")[1:]
	if t := f.Value("serves_type"); t != "" {
		af.ServesText = optional(tr, "record."+t, t)
		if c.Actor.Can(isms.PermReadRegisters) {
			if ref, name, err := a.DB.RecordLabel(ctx, c.Actor, t, f.Value("serves_id")); err == nil {
				af.ServesText += " " + ref + " " + name
			}
		}
	}
	title := tr.T("web.actions.new_title")
	crumbs := []crumb{{tr.T("web.actions.title"), orgPath(c.Org.Slug, "/actions")}}
	if af.Editing {
		title = tr.T("web.actions.edit_title", self.Ref)
		crumbs = append(crumbs, crumb{self.Ref, orgPath(c.Org.Slug, "/actions/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "actions"
	v.Data = af
	return a.render(w, r, status, "action_form", v)
}

// newActionPage shows the empty form; ?serves_type=risk&serves_id=… links
// the new action to the record it serves.
func (a *app) newActionPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	q := r.URL.Query()
	f := newForm(map[string]string{"status": string(isms.ActionOpen), "serves_type": q.Get("serves_type"), "serves_id": q.Get("serves_id")})
	return a.renderActionForm(w, r, c, http.StatusOK, f, isms.Action{})
}

func actionFromForm(f *form) isms.Action {
	return isms.Action{
		Title: f.Value("title"), Description: f.Value("description"), Resources: f.Value("resources"),
		ResponsibleID: f.Value("responsible_id"), DueDate: f.Value("due_date"), Evaluation: f.Value("evaluation"),
		Status: isms.ActionStatus(f.Value("status")), CompletionEvidence: f.Value("completion_evidence"),
		ServesType: f.Value("serves_type"), ServesID: f.Value("serves_id"),
	}
}

func (a *app) createAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	x := actionFromForm(f)
	if !c.Actor.Can(isms.PermWriteRegisters) {
		x.ResponsibleID = c.Actor.UserID
	}
	x, err := a.DB.CreateAction(r.Context(), c.Actor, x)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderActionForm(w, r, c, status, f, isms.Action{})
		}
		return err
	}
	a.flash(r, tr.T("web.actions.created", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/actions/"+x.ID))
}

// editableAction reads an action the member may change, refusing others
// before anything they sent is looked at.
func (a *app) editableAction(ctx context.Context, c *reqCtx, id string) (isms.Action, error) {
	x, err := a.DB.Action(ctx, c.Actor, id)
	if err != nil {
		return x, err
	}
	if !canEditAction(c.Actor, x) {
		return x, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	return x, nil
}

func (a *app) editActionPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	x, err := a.editableAction(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := newForm(actionValues(x))
	f.Set("version", strconv.Itoa(x.Version))
	return a.renderActionForm(w, r, c, http.StatusOK, f, x)
}

func (a *app) updateAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.editableAction(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	x := actionFromForm(f)
	x.ID, x.ServesType, x.ServesID = cur.ID, cur.ServesType, cur.ServesID
	if !c.Actor.Can(isms.PermWriteRegisters) || !f.has("responsible_id") {
		// Only editors reassign, and only with the field on the form.
		x.ResponsibleID = cur.ResponsibleID
	}
	x, err = a.DB.UpdateAction(ctx, c.Actor, x, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderActionForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.actions.saved", x.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/actions/"+x.ID))
}

// completeAction marks an action done with the evidence given.
func (a *app) completeAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	x, err := a.editableAction(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	x.Status, x.CompletionEvidence = isms.ActionDone, f.Value("completion_evidence")
	done, err := a.DB.UpdateAction(ctx, c.Actor, x, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showAction(w, r, c, x.ID, status, nil, f, "")
		}
		return err
	}
	a.flash(r, tr.T("web.actions.completed", done.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/actions/"+done.ID))
}

// addActionNote records a progress note.
func (a *app) addActionNote(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	x, err := a.editableAction(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, map[string]string{"body": "web.actions.note"})
	if _, err := a.DB.AddActionNote(ctx, c.Actor, x.ID, f.Value("body")); err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showAction(w, r, c, x.ID, status, f, nil, "")
		}
		return err
	}
	a.flash(r, tr.T("web.actions.note_added"))
	return redirect(w, r, orgPath(c.Org.Slug, "/actions/"+x.ID+"#notes"))
}

func (a *app) archiveAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setActionArchived(w, r, c, true)
}

func (a *app) restoreAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setActionArchived(w, r, c, false)
}

func (a *app) setActionArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: requireWrite,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveAction(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
			return a.showAction(w, r, c, id, status, nil, nil, notice)
		},
		path: "/actions", restored: "web.reg.restored", archived: "web.reg.archived",
	}, archive)
}

// myActionsCard counts the member's open actions and how many of them are
// overdue, for the dashboard; nil when they have none.
type myActionsCard struct{ Open, Overdue int }

// myActionsCard asks My tasks for its two totals alone: counts are kept
// until the organisation's records change, so a dashboard usually runs no
// statement for them (reading a page of one action for each was two).
func (a *app) myActionsCard(r *http.Request, c *reqCtx) (*myActionsCard, error) {
	open, err := a.DB.MyActions(r.Context(), c.Actor, isms.ListQuery{CountOnly: true})
	if err != nil || open.Total == 0 {
		return nil, err
	}
	late, err := a.DB.MyActions(r.Context(), c.Actor, isms.ListQuery{CountOnly: true, Filters: map[string]string{"due_before": zoneToday(c.Org)}})
	if err != nil {
		return nil, err
	}
	return &myActionsCard{Open: open.Total, Overdue: late.Total}, nil
}
