package web

import (
	"context"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

type evidenceParams struct {
	Q, Kind, Expiry, Archived, Cursor string
}

func parseEvidenceParams(q url.Values) evidenceParams {
	p := evidenceParams{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Expiry: q.Get("expiry"), Archived: q.Get("archived"), Cursor: q.Get("cursor")}
	switch isms.EvidenceKind(p.Kind) {
	case isms.EvidenceFile, isms.EvidenceLink, isms.EvidenceNote:
	default:
		p.Kind = ""
	}
	if p.Expiry != store.ExpiryExpired && p.Expiry != store.ExpirySoon {
		p.Expiry = ""
	}
	if p.Archived != string(isms.ArchivedOnly) {
		p.Archived = ""
	}
	return p
}

func (p evidenceParams) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": p.Q, "kind": p.Kind, "expiry": p.Expiry, "archived": p.Archived, "cursor": p.Cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// evidenceRow is one line of the evidence list with its link and dates
// made ready, so the template only places them. Its fields are its own,
// not embedded: templates find an embedded field by a slow search on
// every use.
type evidenceRow struct {
	Ref, Title, URL        string
	Archived               bool
	Kind, Owner            string
	CollectedOn, Collected string // ISO, and as the organisation writes dates
	ValidUntil, Valid      string // empty when it does not expire
	Expired                bool
}

// evidenceRowOf is the list line of evidence x; kinds translates its kind
// and today is the organisation's date.
func evidenceRowOf(org isms.Organisation, base, today string, kinds *labelCache, x isms.Evidence) evidenceRow {
	row := evidenceRow{Ref: x.Ref, Title: x.Title, URL: base + x.ID, Archived: x.Archived(),
		Kind: kinds.get(string(x.Kind)), Owner: x.OwnerName}
	if x.CollectedOn != "" {
		row.CollectedOn, row.Collected = x.CollectedOn, org.FormatCalendarDate(x.CollectedOn)
	}
	if x.ValidUntil != "" {
		row.ValidUntil, row.Valid, row.Expired = x.ValidUntil, org.FormatCalendarDate(x.ValidUntil), x.ValidUntil < today
	}
	return row
}

type evidenceList struct {
	Params    evidenceParams
	Page      isms.Page[isms.Evidence]
	Rows      []evidenceRow
	Body      template.HTML // the table's rows
	Kinds     []option
	Expiries  []option
	Chips     []chip
	ClearURL  string
	Filtered  bool
	NextURL   string
	PrevURL   string
	CanCreate bool
	Expired   int
	Soon      int

	// The row texts every page shares.
	ArchivedPill, ExpiredText string
}

// rows writes the evidence table's rows.
func (d *evidenceList) rows() template.HTML {
	m := newMarkup(len(d.Rows))
	for _, r := range d.Rows {
		m.recordCells(r.URL, r.Ref, r.Title, "", pillIf(r.Archived, "pill-muted", d.ArchivedPill))
		m.cell("", r.Kind)
		m.cell("", r.Owner)
		m.raw(`<td class="num">`)
		if r.CollectedOn != "" {
			m.time(r.CollectedOn, r.Collected)
		}
		m.raw(`</td><td class="num">`)
		if r.ValidUntil != "" {
			if r.Expired {
				m.raw(`<span class="overdue">` + overdueIcon + " ")
				m.time(r.ValidUntil, r.Valid)
				m.raw(` <span class="visually-hidden">`)
				m.text(d.ExpiredText)
				m.raw("</span></span>")
			} else {
				m.time(r.ValidUntil, r.Valid)
			}
		}
		m.raw("</td></tr>")
	}
	return m.html()
}

// evidenceList shows the evidence register, with the expired and
// soon-expiring evidence counted at the top.
func (a *app) evidenceList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parseEvidenceParams(r.URL.Query())
	q := isms.ListQuery{Q: p.Q, Cursor: p.Cursor, Archived: isms.ArchivedFilter(p.Archived), Filters: map[string]string{}, Brief: true}
	if p.Kind != "" {
		q.Filters["kind"] = p.Kind
	}
	if p.Expiry != "" {
		q.Filters["expiry"] = p.Expiry
	}
	page, expired, soon, err := a.DB.EvidenceRegister(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	base := orgPath(c.Org.Slug, "/evidence")
	link := func(change func(*evidenceParams)) string {
		x := p
		x.Cursor = ""
		change(&x)
		return withQuery(base, x.values())
	}
	d := &evidenceList{Params: p, Page: page, ClearURL: base, Filtered: p.Q != "" || p.Kind != "" || p.Expiry != "" || p.Archived != "",
		CanCreate: c.Actor.Can(isms.PermWriteRegisters) || c.Actor.Can(isms.PermWriteOwned), Expired: expired, Soon: soon}
	d.Kinds = []option{{"", tr.T("web.ev.all_kinds")}}
	for _, k := range isms.EvidenceKinds {
		d.Kinds = append(d.Kinds, option{string(k), tr.T("evidence.kind." + string(k))})
	}
	d.Expiries = []option{{"", tr.T("web.ev.any_expiry")}, {store.ExpiryExpired, tr.T("web.ev.expired")}, {store.ExpirySoon, tr.T("web.ev.soon", isms.ExpiringSoonDays)}}
	if p.Q != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.common.chip_search", p.Q), link(func(x *evidenceParams) { x.Q = "" })})
	}
	if p.Kind != "" {
		d.Chips = append(d.Chips, chip{tr.T("evidence.kind." + p.Kind), link(func(x *evidenceParams) { x.Kind = "" })})
	}
	if p.Expiry != "" {
		label := tr.T("web.ev.expired")
		if p.Expiry == store.ExpirySoon {
			label = tr.T("web.ev.soon", isms.ExpiringSoonDays)
		}
		d.Chips = append(d.Chips, chip{label, link(func(x *evidenceParams) { x.Expiry = "" })})
	}
	if p.Archived != "" {
		d.Chips = append(d.Chips, chip{tr.T("web.reg.show_archived"), link(func(x *evidenceParams) { x.Archived = "" })})
	}
	if page.NextCursor != "" {
		d.NextURL = link(func(x *evidenceParams) { x.Cursor = page.NextCursor })
	}
	if page.PrevCursor != "" {
		d.PrevURL = link(func(x *evidenceParams) { x.Cursor = page.PrevCursor })
	}
	today, kinds := c.Org.Today(time.Now()), newLabelCache(tr, "evidence.kind.")
	d.Rows = make([]evidenceRow, len(page.Items))
	for i, x := range page.Items {
		d.Rows[i] = evidenceRowOf(c.Org, base+"/", today, kinds, x)
	}
	d.ArchivedPill, d.ExpiredText = tr.T("web.common.archived"), tr.T("web.ev.expired")
	d.Body = d.rows()
	v := a.view(c, tr.T("web.ev.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "evidence"
	v.Data = d
	return a.render(w, r, http.StatusOK, "evidence_list", v)
}

type evidencePage struct {
	Evidence    isms.Evidence
	Controls    []isms.Link
	Requests    []isms.Action
	RequestForm *form
	Members     []option
	History     []historyView
	CanEdit     bool
	CanWrite    bool
	Expired     bool
	Soon        bool
	Notice      string
	Size        string // the file's size as people read it
}

func (a *app) evidencePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showEvidence(w, r, c, r.PathValue("id"), http.StatusOK, "", nil)
}

func (a *app) showEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string, reqForm *form) error {
	ctx := r.Context()
	tr := c.tr()
	p, err := a.DB.EvidencePage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	e := p.Evidence
	today := c.Org.Today(time.Now())
	d := &evidencePage{Evidence: e, Controls: p.Controls, Requests: p.Requests, CanEdit: store.CanEditEvidence(c.Actor, e), CanWrite: c.Actor.Can(isms.PermWriteRegisters),
		Expired: e.Expired(today), Soon: e.ExpiresSoon(today), Notice: notice, RequestForm: reqForm, Size: ctlHumanBytes(e.FileSize)}
	if d.RequestForm == nil {
		d.RequestForm = newForm(map[string]string{"responsible_id": e.OwnerID, "title": tr.T("web.ev.request_default", e.Ref, e.Title)})
	}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	d.Members = ctlMemberOptions(ms, tr.T("web.ctl.choose_member"))
	d.History = a.recordHistory(c, tr, p.History, memberNames(ms), nil)
	v := a.view(c, e.Ref+" "+e.Title, crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.ev.title"), orgPath(c.Org.Slug, "/evidence")})
	v.Nav = "evidence"
	v.Data = d
	return a.render(w, r, status, "evidence_detail", v)
}

type evidenceForm struct {
	Form      *form
	Evidence  isms.Evidence
	Editing   bool
	CanAssign bool
	Action    string
	Kinds     []option
	Members   []option
	Controls  []option
	Chosen    map[string]bool
	MaxUpload string
}

func evidenceValues(e isms.Evidence) map[string]string {
	return map[string]string{"title": e.Title, "description": e.Description, "kind": string(e.Kind), "owner_id": e.OwnerID,
		"collected_on": e.CollectedOn, "valid_until": e.ValidUntil, "url": e.URL}
}

func (a *app) renderEvidenceForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Evidence, chosen []string) error {
	ctx := r.Context()
	tr := c.tr()
	ef := &evidenceForm{Form: f, Evidence: self, Editing: self.ID != "", CanAssign: c.Actor.Can(isms.PermWriteRegisters),
		Chosen: map[string]bool{}, MaxUpload: ctlHumanBytes(a.maxUpload())}
	ef.Action = orgPath(c.Org.Slug, "/evidence/new")
	if ef.Editing {
		ef.Action = orgPath(c.Org.Slug, "/evidence/"+self.ID+"/edit")
	}
	for _, k := range isms.EvidenceKinds {
		ef.Kinds = append(ef.Kinds, option{string(k), tr.T("evidence.kind." + string(k))})
	}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	ef.Members = ctlMemberOptions(ms, tr.T("web.ctl.no_owner"))
	cs, err := a.DB.ActiveControls(ctx, c.Actor)
	if err != nil {
		return err
	}
	for _, x := range cs {
		ef.Controls = append(ef.Controls, option{x.ID, x.Ref + " " + x.Title})
	}
	for _, id := range chosen {
		ef.Chosen[id] = true
	}
	title := tr.T("web.ev.new_title")
	crumbs := []crumb{{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, {tr.T("web.ev.title"), orgPath(c.Org.Slug, "/evidence")}}
	if ef.Editing {
		title = tr.T("web.ev.edit_title", self.Ref)
		crumbs = append(crumbs, crumb{self.Ref, orgPath(c.Org.Slug, "/evidence/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "evidence"
	v.Data = ef
	return a.render(w, r, status, "evidence_form", v)
}

func canRecordEvidence(a isms.Actor) error {
	if a.Can(isms.PermWriteRegisters) || a.Can(isms.PermWriteOwned) {
		return nil
	}
	return isms.Errorf(isms.KindForbidden, "error.forbidden")
}

// newEvidencePage shows the empty evidence form; ?control=ID preselects
// the control it supports.
func (a *app) newEvidencePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := canRecordEvidence(c.Actor); err != nil {
		return err
	}
	f := newForm(map[string]string{"kind": string(isms.EvidenceFile), "owner_id": c.Actor.UserID})
	var chosen []string
	if id := r.URL.Query().Get("control"); id != "" {
		chosen = []string{id}
	}
	return a.renderEvidenceForm(w, r, c, http.StatusOK, f, isms.Evidence{}, chosen)
}

var evidenceLabels = func() map[string]string {
	m := specLabels(isms.EvidenceFields)
	m["file"], m["controls"] = "evidence.file", "evidence.controls"
	return m
}()

// evidenceInput reads a submitted evidence form and its file, if any.
func evidenceInput(r *http.Request, f *form, max int64) (isms.Evidence, []string, *store.Upload, func()) {
	e := isms.Evidence{Title: f.Value("title"), Description: f.Value("description"), Kind: isms.EvidenceKind(f.Value("kind")),
		OwnerID: f.Value("owner_id"), CollectedOn: f.Value("collected_on"), ValidUntil: f.Value("valid_until"), URL: f.Value("url")}
	controls := r.PostForm["controls"]
	if controls == nil {
		controls = []string{}
	}
	var up *store.Upload
	done := func() {}
	if file, hdr, err := r.FormFile("file"); err == nil {
		if hdr.Filename != "" {
			up = &store.Upload{Name: hdr.Filename, R: file, Max: max}
		}
		done = func() { file.Close() }
	}
	return e, controls, up, done
}

// createEvidence records evidence (with its file) and opens it.
func (a *app) createEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := canRecordEvidence(c.Actor); err != nil {
		return err
	}
	if err := ctlParseUpload(r, a.maxUpload()); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, evidenceLabels)
	e, controls, up, done := evidenceInput(r, f, a.maxUpload())
	defer done()
	e, err := a.DB.CreateEvidence(r.Context(), c.Actor, e, controls, up)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindTooLarge {
			f.addError("file", tr.Msg(isms.AsError(err).Msg))
			return a.renderEvidenceForm(w, r, c, http.StatusRequestEntityTooLarge, f, isms.Evidence{}, controls)
		}
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderEvidenceForm(w, r, c, status, f, isms.Evidence{}, controls)
		}
		return err
	}
	a.flash(r, tr.T("web.ev.created", e.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/evidence/"+e.ID))
}

func (a *app) editEvidencePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	e, err := a.DB.Evidence(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditEvidence(c.Actor, e) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	links, err := a.DB.EvidenceControls(ctx, c.Actor, e.ID)
	if err != nil {
		return err
	}
	var chosen []string
	for _, l := range links {
		chosen = append(chosen, l.ToID)
	}
	f := newForm(evidenceValues(e))
	f.Set("version", strconv.Itoa(e.Version))
	return a.renderEvidenceForm(w, r, c, http.StatusOK, f, e, chosen)
}

func (a *app) updateEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	cur, err := a.DB.Evidence(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !store.CanEditEvidence(c.Actor, cur) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := ctlParseUpload(r, a.maxUpload()); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, evidenceLabels)
	base, err := f.version()
	if err != nil {
		return err
	}
	e, controls, up, done := evidenceInput(r, f, a.maxUpload())
	defer done()
	if !c.Actor.Can(isms.PermWriteRegisters) {
		e.OwnerID = cur.OwnerID
	}
	e.ID = cur.ID
	e, err = a.DB.UpdateEvidence(ctx, c.Actor, e, base, controls, up)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindTooLarge {
			f.addError("file", tr.Msg(isms.AsError(err).Msg))
			return a.renderEvidenceForm(w, r, c, http.StatusRequestEntityTooLarge, f, cur, controls)
		}
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderEvidenceForm(w, r, c, status, f, cur, controls)
		}
		return err
	}
	a.flash(r, tr.T("web.ev.saved", e.Ref))
	return redirect(w, r, orgPath(c.Org.Slug, "/evidence/"+e.ID))
}

func (a *app) archiveEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setEvidenceArchived(w, r, c, true)
}

func (a *app) restoreEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setEvidenceArchived(w, r, c, false)
}

func (a *app) setEvidenceArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: canRecordEvidence,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveEvidence(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
			return a.showEvidence(w, r, c, id, status, notice, nil)
		},
		path: "/evidence", restored: "web.ev.restored", archived: "web.ev.archived",
	}, archive)
}

// downloadEvidence sends an evidence file as an attachment (never shown
// inline, so an uploaded page cannot run in Holdfast's origin). The
// download is recorded in the audit log.
func (a *app) downloadEvidence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	e, rc, err := a.DB.OpenEvidenceFile(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.FileName}))
	h.Set("Content-Length", strconv.FormatInt(e.FileSize, 10))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = io.Copy(w, rc)
	return nil
}

// requestEvidenceRenewal asks a member to renew a piece of evidence.
func (a *app) requestEvidenceRenewal(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	id := r.PathValue("id")
	f := postedForm(r).labelled(tr, specLabels(isms.ActionFields))
	x, err := a.DB.RequestEvidence(r.Context(), c.Actor, "evidence", id, isms.Action{
		Title: f.Value("title"), ResponsibleID: f.Value("responsible_id"), DueDate: f.Value("due_date"), Description: f.Value("description"),
		Evaluation: tr.T("web.ctl.request_evaluation"),
	})
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showEvidence(w, r, c, id, status, "", f)
		}
		return err
	}
	a.flash(r, tr.T("web.ctl.requested", x.Ref, x.ResponsibleName))
	return redirect(w, r, orgPath(c.Org.Slug, "/evidence/"+id)+"#requests")
}
