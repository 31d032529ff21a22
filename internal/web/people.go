package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// peopleSorts are the People list's sortable columns; the first is the
// default.
var peopleSorts = []string{"name", "email", "job_title", "department", "start_date", "updated_at"}

// peopleParams are the People list's query parameters.
type peopleParams struct {
	Q, Department, Account, Archived string
	Sort                             string // a column of peopleSorts
	Desc                             bool
	Cursor                           string
}

func parsePeopleParams(q url.Values) peopleParams {
	p := peopleParams{
		Q: strings.TrimSpace(q.Get("q")), Department: q.Get("department"), Account: q.Get("account"),
		Archived: q.Get("archived"), Cursor: q.Get("cursor"),
	}
	s := q.Get("sort")
	p.Desc = strings.HasPrefix(s, "-")
	p.Sort = strings.TrimPrefix(s, "-")
	if !contains(peopleSorts, p.Sort) {
		p.Sort, p.Desc = peopleSorts[0], false
	}
	if p.Account != "none" {
		p.Account = ""
	}
	switch isms.ArchivedFilter(p.Archived) {
	case isms.ArchivedOnly, isms.ArchivedInclude:
	default:
		p.Archived = ""
	}
	return p
}

// sortParam is the sort as it appears in URLs ("-name" for descending).
func (p peopleParams) sortParam() string {
	if p.Desc {
		return "-" + p.Sort
	}
	return p.Sort
}

// values encodes the parameters, leaving out defaults.
func (p peopleParams) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", p.Q)
	set("department", p.Department)
	set("account", p.Account)
	set("archived", p.Archived)
	if s := p.sortParam(); s != peopleSorts[0] {
		v.Set("sort", s)
	}
	set("cursor", p.Cursor)
	return v
}

func (p peopleParams) query() isms.ListQuery {
	q := isms.ListQuery{Q: p.Q, Sort: p.Sort, Desc: p.Desc, Cursor: p.Cursor, Archived: isms.ArchivedFilter(p.Archived),
		Limit: isms.DefaultLimit, Filters: map[string]string{}}
	if p.Department != "" {
		q.Filters["department"] = p.Department
	}
	if p.Account == "none" {
		q.Filters["user_id"] = "-"
	}
	return q
}

// filtered reports whether anything narrows the list.
func (p peopleParams) filtered() bool {
	return p.Q != "" || p.Department != "" || p.Account != "" || p.Archived != ""
}

type peopleList struct {
	Params      peopleParams
	SortValue   string
	Departments []option
	Archived    []option
	Headers     []headerCell
	Chips       []chip
	ClearURL    string
	Page        isms.Page[isms.Person]
	Rows        []personRow
	Body        template.HTML // the table's rows
	Filtered    bool
	NextURL     string
	PrevURL     string
	CanWrite    bool
	ExportURL   string
}

// personRow is one line of the list with its links and dates made ready,
// so the template only places them. Its fields are its own, not embedded:
// templates find an embedded field by a slow search on every use.
type personRow struct {
	Ref, Name, Email, JobTitle, Department string
	Archived                               bool
	URL, ManagerURL, ManagerName           string
	StartDate, Start                       string // ISO, and as the organisation writes dates
	Updated, UpdatedISO                    string
}

// peopleRows writes the People table's rows.
func peopleRows(tr i18n.Translator, rows []personRow) template.HTML {
	archived, none := tr.T("web.people.archived_pill"), tr.T("web.none")
	m := newMarkup(len(rows))
	for _, r := range rows {
		m.recordCells(r.URL, r.Ref, r.Name, "", pillIf(r.Archived, "pill-muted", archived))
		m.cell("", r.Email)
		m.cell("", r.JobTitle)
		m.cell("", r.Department)
		m.raw("<td>")
		if r.ManagerURL != "" {
			m.link("", r.ManagerURL, r.ManagerName)
		} else {
			m.none(none)
		}
		m.raw(`</td><td class="num">`)
		if r.StartDate != "" {
			m.time(r.StartDate, r.Start)
		}
		m.raw(`</td><td class="num">`)
		m.time(r.UpdatedISO, r.Updated)
		m.raw("</td></tr>")
	}
	return m.html()
}

// headerCell is one column heading, sortable when URL is set.
type headerCell struct {
	Label, URL, ARIASort, Class string
	Num                         bool
}

// chip is an active filter with the link that removes it.
type chip struct{ Label, URL string }

// peopleList shows the People register with search, filters, sorting and
// cursor paging. htmx requests get just the results region.
func (a *app) peopleList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parsePeopleParams(r.URL.Query())
	q := p.query()
	q.Brief = true
	page, err := a.DB.People(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	depts, err := a.DB.Departments(ctx, c.Actor)
	if err != nil {
		return err
	}
	base := orgPath(c.Org.Slug, "/people")
	link := func(change func(*peopleParams)) string {
		q := p
		q.Cursor = ""
		change(&q)
		return withQuery(base, q.values())
	}
	d := &peopleList{Params: p, SortValue: p.sortParam(), Page: page, CanWrite: c.Actor.Can(isms.PermWriteRegisters), ClearURL: base, Filtered: p.filtered()}
	d.Rows = make([]personRow, len(page.Items))
	for i, x := range page.Items {
		row := personRow{Ref: x.Ref, Name: x.Name, Email: x.Email, JobTitle: x.JobTitle, Department: x.Department,
			Archived: x.Archived(), URL: base + "/" + x.ID, StartDate: x.StartDate,
			Updated: c.Org.FormatDate(x.UpdatedAt), UpdatedISO: x.UpdatedAt.UTC().Format(time.RFC3339)}
		if x.ManagerID != "" {
			row.ManagerURL, row.ManagerName = base+"/"+x.ManagerID, x.ManagerName
		}
		if x.StartDate != "" {
			row.Start = c.Org.FormatCalendarDate(x.StartDate)
		}
		d.Rows[i] = row
	}
	d.Body = peopleRows(tr, d.Rows)
	d.Departments = append(d.Departments, option{"", tr.T("web.people.all_departments")})
	seen := false
	for _, dep := range depts {
		d.Departments = append(d.Departments, option{dep, dep})
		seen = seen || dep == p.Department
	}
	if p.Department != "" && !seen {
		d.Departments = append(d.Departments, option{p.Department, p.Department})
	}
	d.Archived = []option{
		{"", tr.T("web.people.show_active")}, {string(isms.ArchivedOnly), tr.T("web.people.show_archived")},
		{string(isms.ArchivedInclude), tr.T("web.people.show_all")},
	}
	headers := []struct {
		sort, label string
		num         bool
	}{
		{"", "field.ref", false}, {"name", "person.name", false}, {"email", "person.email", false},
		{"job_title", "person.job_title", false}, {"department", "person.department", false},
		{"", "person.manager", false}, {"start_date", "person.start_date", true}, {"updated_at", "web.people.updated", true},
	}
	for _, h := range headers {
		hc := headerCell{Label: tr.T(h.label), Num: h.num}
		if h.sort != "" {
			desc := false
			if h.sort == p.Sort {
				desc = !p.Desc
				hc.ARIASort, hc.Class = "ascending", "sort-asc"
				if p.Desc {
					hc.ARIASort, hc.Class = "descending", "sort-desc"
				}
			}
			hc.URL = link(func(q *peopleParams) { q.Sort, q.Desc = h.sort, desc })
		}
		d.Headers = append(d.Headers, hc)
	}
	if p.Q != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.people.chip_search", p.Q), link(func(q *peopleParams) { q.Q = "" })})
	}
	if p.Department != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.people.chip_department", p.Department), link(func(q *peopleParams) { q.Department = "" })})
	}
	if p.Account != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.people.chip_no_account"), link(func(q *peopleParams) { q.Account = "" })})
	}
	if p.Archived != "" {
		label := tr.T("web.people.show_archived")
		if p.Archived == string(isms.ArchivedInclude) {
			label = tr.T("web.people.show_all")
		}
		d.Chips = append(d.Chips, chip{label, link(func(q *peopleParams) { q.Archived = "" })})
	}
	if page.NextCursor != "" {
		d.NextURL = link(func(q *peopleParams) { q.Cursor = page.NextCursor })
	}
	if page.PrevCursor != "" {
		d.PrevURL = link(func(q *peopleParams) { q.Cursor = page.PrevCursor })
	}
	d.ExportURL = a.peopleExportURL(c, p)
	v := a.view(c, tr.T("web.people.title"), crumb{tr.T("web.nav.area.7"), orgPath(c.Org.Slug, "/areas/7")})
	v.Nav = "people"
	v.Data = d
	return a.render(w, r, http.StatusOK, "people", v)
}

type personPage struct {
	Person   isms.Person
	Reports  []isms.Person
	UserName string // the linked account's member name
	History  []historyView
	CanWrite bool
	Notice   string
}

// historyView is one change in a record's history.
type historyView struct {
	Actor   string
	Action  string
	At      time.Time
	Changes []change
}

// personPage shows one person: fields, related records and history.
func (a *app) personPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showPerson(w, r, c, r.PathValue("id"), http.StatusOK, "")
}

func (a *app) showPerson(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	pp, err := a.DB.PersonPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	p := pp.Person
	users := map[string]string{}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		users = memberNames(ms)
	}
	d := &personPage{Person: p, Reports: pp.Reports, UserName: users[p.UserID], CanWrite: c.Actor.Can(isms.PermWriteRegisters), Notice: notice}
	known := map[string]string{}
	if m := pp.Manager; m.ID != "" {
		known[m.ID] = m.Ref + " " + m.Name
	}
	d.History = a.history(ctx, c, tr, pp.History, users, known)
	v := a.view(c, p.Name, crumb{tr.T("web.nav.area.7"), orgPath(c.Org.Slug, "/areas/7")}, crumb{tr.T("web.people.title"), orgPath(c.Org.Slug, "/people")})
	v.Nav = "people"
	v.Data = d
	return a.render(w, r, status, "person", v)
}

// history prepares a record's history, newest first, with manager and
// account ids shown as names: people's from known ("ref name" by id), or
// else looked up.
func (a *app) history(ctx context.Context, c *reqCtx, tr i18n.Translator, hist []isms.HistoryEntry, users, known map[string]string) []historyView {
	ids := map[string]bool{}
	for _, h := range hist {
		for _, ch := range h.Changes {
			if ch.Field == "manager_id" {
				for _, id := range []string{ch.Before, ch.After} {
					if _, ok := known[id]; id != "" && !ok {
						ids[id] = true
					}
				}
			}
		}
	}
	names := a.peopleNames(ctx, c.Actor, ids)
	for id, n := range known {
		names[id] = n
	}
	vn := valueNames{tr: tr, org: c.Org, people: names, users: users}
	out := make([]historyView, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		ev := describeEntry(tr, h.AuditEntry, c.Org, users)
		out = append(out, historyView{Actor: ev.Actor, Action: ev.Action, At: h.At, Changes: vn.changes(h.Changes)})
	}
	return out
}

type personForm struct {
	Form        *form
	Person      isms.Person // the person being edited; zero when adding
	Editing     bool
	Managers    []option // choices when the directory is small enough for a select
	ManagerRefs dataList // suggestions when it is not
	ManagerText bool
	Users       []option
	Departments dataList
	Action      string
}

// personValues are a person's form values.
func personValues(p isms.Person) map[string]string {
	return map[string]string{
		"name": p.Name, "email": p.Email, "job_title": p.JobTitle, "department": p.Department,
		"manager_id": p.ManagerID, "start_date": p.StartDate, "leave_date": p.LeaveDate, "user_id": p.UserID,
	}
}

func personFromForm(f *form) isms.Person {
	return isms.Person{
		Name: f.Value("name"), Email: f.Value("email"), JobTitle: f.Value("job_title"), Department: f.Value("department"),
		StartDate: f.Value("start_date"), LeaveDate: f.Value("leave_date"), UserID: f.Value("user_id"),
	}
}

// personForm gathers the choices of the person form. self is the person
// being edited (zero when adding).
func (a *app) personForm(ctx context.Context, c *reqCtx, f *form, self isms.Person) (*personForm, error) {
	tr := c.tr()
	pf := &personForm{Form: f, Person: self, Editing: self.ID != ""}
	pf.Action = orgPath(c.Org.Slug, "/people/new")
	if pf.Editing {
		pf.Action = orgPath(c.Org.Slug, "/people/"+self.ID+"/edit")
	}
	all, err := a.DB.People(ctx, c.Actor, isms.ListQuery{Limit: isms.MaxLimit, Sort: "name"})
	if err != nil {
		return nil, err
	}
	if all.Total > isms.MaxLimit {
		// Too many for a select: the manager is entered by reference.
		pf.ManagerText = true
		pf.ManagerRefs.ID = "manager-refs"
		for _, p := range all.Items {
			if p.ID != self.ID {
				pf.ManagerRefs.Options = append(pf.ManagerRefs.Options, option{p.Ref, p.Name})
			}
		}
	} else {
		pf.Managers = append(pf.Managers, option{"", tr.T("web.people.no_manager")})
		cur, found := f.Value("manager_id"), false
		for _, p := range all.Items {
			if p.ID == self.ID {
				continue
			}
			label := p.Name
			if p.JobTitle != "" {
				label += " — " + p.JobTitle
			}
			pf.Managers = append(pf.Managers, option{p.ID, label})
			found = found || p.ID == cur
		}
		if cur != "" && !found {
			// The current manager is archived: keep them selectable.
			if m, err := a.DB.Person(ctx, c.Actor, cur); err == nil {
				pf.Managers = append(pf.Managers, option{cur, m.Name})
			}
		}
	}
	pf.Users = append(pf.Users, option{"", tr.T("web.people.no_account")})
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			pf.Users = append(pf.Users, option{m.UserID, m.UserName + " (" + m.UserEmail + ")"})
		}
	}
	depts, err := a.DB.Departments(ctx, c.Actor)
	if err != nil {
		return nil, err
	}
	pf.Departments.ID = "departments"
	for _, dep := range depts {
		pf.Departments.Options = append(pf.Departments.Options, option{Value: dep})
	}
	return pf, nil
}

func (a *app) renderPersonForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Person) error {
	ctx := r.Context()
	tr := c.tr()
	pf, err := a.personForm(ctx, c, f, self)
	if err != nil {
		return err
	}
	if pf.ManagerText && !f.has("manager_ref") {
		// Show the current manager by reference.
		if id := f.Value("manager_id"); id != "" {
			if m, err := a.DB.Person(ctx, c.Actor, id); err == nil {
				f.Set("manager_ref", m.Ref)
			}
		}
	}
	title := tr.T("web.people.new_title")
	crumbs := []crumb{{tr.T("web.nav.area.7"), orgPath(c.Org.Slug, "/areas/7")}, {tr.T("web.people.title"), orgPath(c.Org.Slug, "/people")}}
	if pf.Editing {
		title = tr.T("web.people.edit_title", self.Name)
		crumbs = append(crumbs, crumb{self.Name, orgPath(c.Org.Slug, "/people/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "people"
	v.Data = pf
	return a.render(w, r, status, "person_form", v)
}

// newPersonPage shows the empty person form.
func (a *app) newPersonPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderPersonForm(w, r, c, http.StatusOK, newForm(nil), isms.Person{})
}

// managerFromForm returns the manager's id: chosen in a select, or typed
// as a reference when the directory is large.
func (a *app) managerFromForm(ctx context.Context, c *reqCtx, f *form) (string, error) {
	if !f.has("manager_ref") {
		return f.Value("manager_id"), nil
	}
	ref := strings.TrimSpace(f.Value("manager_ref"))
	if ref == "" {
		return "", nil
	}
	page, err := a.DB.People(ctx, c.Actor, isms.ListQuery{Q: ref, Archived: isms.ArchivedInclude, Limit: 20})
	if err != nil {
		return "", err
	}
	for _, p := range page.Items {
		if strings.EqualFold(p.Ref, ref) {
			return p.ID, nil
		}
	}
	f.addError("manager_id", c.tr().T("validation.unknown_person"))
	return "", nil
}

// personInput reads a submitted person; problems found before the store
// sees it (an unknown manager reference) are recorded on f.
func (a *app) personInput(ctx context.Context, c *reqCtx, f *form) (isms.Person, error) {
	p := personFromForm(f)
	mid, err := a.managerFromForm(ctx, c, f)
	if err != nil {
		return p, err
	}
	p.ManagerID = mid
	f.Set("manager_id", mid)
	if f.Invalid() {
		// Report the other fields' problems too, in one go.
		q := p
		q.Normalize()
		if err := q.Validate(); err != nil {
			f.take(c.tr(), err, nil)
		}
	}
	return p, nil
}

// createPerson adds a person and opens their page.
func (a *app) createPerson(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.PersonFields))
	p, err := a.personInput(ctx, c, f)
	if err != nil {
		return err
	}
	if f.Invalid() {
		return a.renderPersonForm(w, r, c, http.StatusUnprocessableEntity, f, isms.Person{})
	}
	p, err = a.DB.CreatePerson(ctx, c.Actor, p)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderPersonForm(w, r, c, status, f, isms.Person{})
		}
		return err
	}
	a.flash(r, tr.T("web.people.created", p.Name))
	return redirect(w, r, orgPath(c.Org.Slug, "/people/"+p.ID))
}

// editPersonPage shows the person form filled in.
func (a *app) editPersonPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	p, err := a.DB.Person(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := newForm(personValues(p))
	f.Set("version", strconv.Itoa(p.Version))
	return a.renderPersonForm(w, r, c, http.StatusOK, f, p)
}

// updatePerson saves an edit made at the version in the form. If someone
// else saved in between, the form comes back with their name and the
// time, and the user's input kept.
func (a *app) updatePerson(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	cur, err := a.DB.Person(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postedForm(r).labelled(tr, specLabels(isms.PersonFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	p, err := a.personInput(ctx, c, f)
	if err != nil {
		return err
	}
	if f.Invalid() {
		return a.renderPersonForm(w, r, c, http.StatusUnprocessableEntity, f, cur)
	}
	p.ID = cur.ID
	p, err = a.DB.UpdatePerson(ctx, c.Actor, p, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderPersonForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.people.saved", p.Name))
	return redirect(w, r, orgPath(c.Org.Slug, "/people/"+p.ID))
}

// archivePerson and restorePerson move a person out of and back into the
// active directory.
func (a *app) archivePerson(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setArchived(w, r, c, true)
}

func (a *app) restorePerson(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setArchived(w, r, c, false)
}

func (a *app) setArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			p, err := a.DB.ArchivePerson(ctx, ac, id, base, archive)
			return p.Name, p.ID, err
		},
		show: a.showPerson, path: "/people", restored: "web.people.restored", archived: "web.people.archived",
	}, archive)
}

// peopleExportURL links the export to the list's current filters and sort.
func (a *app) peopleExportURL(c *reqCtx, p peopleParams) string {
	p.Cursor = ""
	return withQuery(orgPath(c.Org.Slug, "/people/export.xlsx"), p.values())
}

// exportPeople sends every person matching the list's filters as an Excel
// workbook. The workbook is built in memory first, so a failure is an
// error page rather than a truncated download.
func (a *app) exportPeople(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	q := parsePeopleParams(r.URL.Query()).query()
	q.Cursor, q.Limit = "", isms.MaxLimit
	var people []isms.Person
	for {
		page, err := a.DB.People(ctx, c.Actor, q)
		if err != nil {
			return err
		}
		people = append(people, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	now := time.Now()
	var buf bytes.Buffer
	if err := report.PeopleXLSXWith(&buf, c.Org, people, report.Info{Version: a.Version, ExportedAt: now}); err != nil {
		return isms.Internal(err)
	}
	name := fmt.Sprintf("%s-people-%s.xlsx", c.Org.Slug, now.In(c.Org.Location()).Format(isms.DateLayout))
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
