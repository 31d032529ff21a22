package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// entryView is one audit log entry as a reader sees it.
type entryView struct {
	Seq        int64
	At         time.Time
	Actor      string // name, or "System"
	Action     string // translated
	RecordType string // translated
	RecordID   string
	Ref, Name  string // the record's reference and name where it has them
	URL        string // link to the record, where there is a page for it
	Changed    []string
	Hash       string
	PrevHash   string
}

// describeEntry prepares an entry for display. names maps user ids to
// member names (for membership entries).
func describeEntry(tr i18n.Translator, e isms.AuditEntry, o isms.Organisation, names map[string]string) entryView {
	before, after := isms.DecodeFields(e.Before), isms.DecodeFields(e.After)
	fields := after
	if fields == nil {
		fields = before
	}
	ev := entryView{
		Seq: e.Seq, At: e.At, Actor: e.ActorName, Action: optional(tr, "action."+e.Action, e.Action),
		RecordType: optional(tr, "record."+e.RecordType, e.RecordType), RecordID: e.RecordID,
		Hash: e.Hash, PrevHash: e.PrevHash,
	}
	if e.ActorID == "" {
		ev.Actor = tr.T("web.audit.system")
	} else if ev.Actor == "" {
		ev.Actor = tr.T("web.audit.former_user")
	}
	switch e.RecordType {
	case "person":
		ev.Ref, ev.Name = text(fields["ref"]), text(fields["name"])
		ev.URL = orgPath(o.Slug, "/people/"+e.RecordID)
	case "membership":
		ev.Name = names[e.RecordID]
	case "organisation":
		ev.Name = text(fields["name"])
	}
	if e.Action == isms.ActionUpdate {
		for _, ch := range isms.Diff(auditSpecs(e.RecordType, before, after), before, after) {
			ev.Changed = append(ev.Changed, tr.T(ch.Label))
		}
	}
	return ev
}

func text(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// auditSpecs lists the fields of a record type for diffs, with their
// labels; unknown types show their raw field names.
func auditSpecs(recordType string, before, after map[string]any) []isms.FieldSpec {
	switch recordType {
	case "person":
		specs := append([]isms.FieldSpec{{Name: "ref", Label: "field.ref"}}, isms.PersonFields...)
		return append(specs, isms.FieldSpec{Name: "archived", Label: "field.archived"})
	case "organisation":
		return isms.OrgFields
	case "membership":
		return []isms.FieldSpec{{Name: "role", Label: "web.members.role"}}
	}
	seen := map[string]bool{}
	var names []string
	for _, m := range []map[string]any{before, after} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	sort.Strings(names)
	specs := make([]isms.FieldSpec, len(names))
	for i, n := range names {
		specs[i] = isms.FieldSpec{Name: n, Label: n}
	}
	return specs
}

// change is one row of a diff table, values ready to show.
type change struct {
	Label, Before, After string
	Changed              bool
}

// valueNames turns stored field values into what a reader understands:
// names instead of ids, translated roles and sizes, formatted dates.
type valueNames struct {
	tr     i18n.Translator
	org    isms.Organisation
	people map[string]string // person id → "P-001 Name"
	users  map[string]string // user id → name
}

func (n valueNames) show(field, v string) string {
	if v == "" {
		return ""
	}
	switch field {
	case "manager_id":
		if s, ok := n.people[v]; ok {
			return s
		}
	case "user_id":
		if s, ok := n.users[v]; ok {
			return s
		}
	case "archived":
		if v == "true" {
			return n.tr.T("web.yes")
		}
		return n.tr.T("web.no")
	case "role":
		return optional(n.tr, "role."+v, v)
	case "size_band":
		return optional(n.tr, "size."+v, v)
	case "start_date", "leave_date":
		return n.org.FormatCalendarDate(v)
	}
	return v
}

// changes renders a diff as rows.
func (n valueNames) changes(list []isms.FieldChange) []change {
	out := make([]change, len(list))
	for i, c := range list {
		out[i] = change{Label: n.tr.T(c.Label), Before: n.show(c.Field, c.Before), After: n.show(c.Field, c.After), Changed: true}
	}
	return out
}

// peopleNames resolves person ids to "ref name" for history and audit
// views; ids that no longer resolve are left out (the raw id is shown).
func (a *app) peopleNames(ctx context.Context, actor isms.Actor, ids map[string]bool) map[string]string {
	out := map[string]string{}
	if !actor.Can(isms.PermReadRegisters) {
		return out
	}
	for id := range ids {
		if p, err := a.DB.Person(ctx, actor, id); err == nil {
			out[id] = p.Ref + " " + p.Name
		}
	}
	return out
}

// auditRows writes the audit log table's rows.
func auditRows(tr i18n.Translator, o isms.Organisation, entries []entryView) template.HTML {
	m := newMarkup(len(entries))
	for _, e := range entries {
		seq := strconv.FormatInt(e.Seq, 10)
		m.raw("\n<tr><td class=\"num\"><a class=\"ref\"")
		m.urlAttr("href", orgPath(o.Slug, "/audit/"+seq))
		m.attr("aria-label", tr.T("web.audit.entry_title", e.Seq))
		m.raw(">#")
		m.text(seq)
		m.raw("</a></td><td>")
		m.time(e.At.UTC().Format(time.RFC3339), o.FormatDateTime(e.At))
		m.raw("</td>")
		m.cell("", e.Actor)
		m.cell("", e.Action)
		m.cell("", e.RecordType)
		m.raw("<td>")
		if e.URL != "" {
			m.raw("<a")
			m.urlAttr("href", e.URL)
			m.raw(">")
		}
		if e.Ref != "" {
			m.raw(`<span class="ref">`)
			m.text(e.Ref)
			m.raw("</span> ")
		}
		m.text(e.Name)
		if e.URL != "" {
			m.raw("</a>")
		}
		m.raw("</td>")
		m.cell("", strings.Join(e.Changed, ", "))
		m.raw("</tr>")
	}
	return m.html()
}

type auditPage struct {
	Form      *form
	Types     []option
	Actions   []option
	Actors    []option
	Entries   []entryView
	Body      template.HTML // the table's rows
	Filtered  bool
	OlderURL  string
	NewestURL string
}

// auditTypes and auditActions are the filter choices: what an
// organisation's chain records today.
var (
	auditTypes   = []string{"person", "membership", "organisation"}
	auditActions = []string{isms.ActionCreate, isms.ActionUpdate, isms.ActionArchive, isms.ActionRestore, isms.ActionDelete}
)

// auditPage lists the organisation's audit log, newest first, for owners
// and auditors.
func (a *app) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermReadAudit); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	q := r.URL.Query()
	f := newForm(nil).labelled(tr, map[string]string{"from": "web.audit.from", "to": "web.audit.to"})
	for _, k := range []string{"type", "action", "actor", "from", "to"} {
		f.Set(k, q.Get(k))
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	members, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &auditPage{Form: f}
	d.Types = append(d.Types, option{"", tr.T("web.audit.any_type")})
	for _, t := range auditTypes {
		d.Types = append(d.Types, option{t, tr.T("record." + t)})
	}
	d.Actions = append(d.Actions, option{"", tr.T("web.audit.any_action")})
	for _, act := range auditActions {
		d.Actions = append(d.Actions, option{act, tr.T("action." + act)})
	}
	d.Actors = append(d.Actors, option{"", tr.T("web.audit.anyone")})
	for _, m := range members {
		d.Actors = append(d.Actors, option{m.UserID, m.UserName})
	}
	filter := isms.AuditFilter{
		RecordType: f.Value("type"), Action: f.Value("action"), ActorID: f.Value("actor"),
		From: f.Value("from"), To: f.Value("to"), BeforeSeq: before, Limit: isms.DefaultLimit,
	}
	d.Filtered = filter.RecordType != "" || filter.Action != "" || filter.ActorID != "" || filter.From != "" || filter.To != ""
	status := http.StatusOK
	page, err := a.DB.AuditLog(ctx, c.Actor, filter)
	if err != nil {
		s, ok := f.take(tr, err, nil)
		if !ok {
			return err
		}
		status = s
	}
	names := memberNames(members)
	for _, e := range page.Items {
		d.Entries = append(d.Entries, describeEntry(tr, e, c.Org, names))
	}
	d.Body = auditRows(tr, c.Org, d.Entries)
	link := func(before int64) string {
		v := url.Values{}
		for _, k := range []string{"type", "action", "actor", "from", "to"} {
			if s := f.Value(k); s != "" {
				v.Set(k, s)
			}
		}
		if before > 0 {
			v.Set("before", strconv.FormatInt(before, 10))
		}
		return withQuery(orgPath(c.Org.Slug, "/audit"), v)
	}
	if page.NextSeq > 0 {
		d.OlderURL = link(page.NextSeq)
	}
	if before > 0 {
		d.NewestURL = link(0)
	}
	v := a.view(c, tr.T("web.audit.title"))
	v.Nav = "audit"
	v.Data = d
	return a.render(w, r, status, "audit", v)
}

type auditEntryPage struct {
	Entry   entryView
	Changes []change
}

// auditEntryPage shows one entry with every field before and after.
func (a *app) auditEntryPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermReadAudit); err != nil {
		return err
	}
	ctx := r.Context()
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq < 1 {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	page, err := a.DB.AuditLog(ctx, c.Actor, isms.AuditFilter{BeforeSeq: seq + 1, Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Items) == 0 || page.Items[0].Seq != seq {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	e := page.Items[0]
	members, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	tr := c.tr()
	names := memberNames(members)
	before, after := isms.DecodeFields(e.Before), isms.DecodeFields(e.After)
	ids := map[string]bool{}
	for _, m := range []map[string]any{before, after} {
		if id := text(m["manager_id"]); id != "" {
			ids[id] = true
		}
	}
	vn := valueNames{tr: tr, org: c.Org, people: a.peopleNames(ctx, c.Actor, ids), users: names}
	d := &auditEntryPage{Entry: describeEntry(tr, e, c.Org, names)}
	for _, s := range auditSpecs(e.RecordType, before, after) {
		b, af := text(before[s.Name]), text(after[s.Name])
		if b == "" && af == "" {
			continue
		}
		d.Changes = append(d.Changes, change{Label: tr.T(s.Label), Before: vn.show(s.Name, b), After: vn.show(s.Name, af), Changed: b != af})
	}
	v := a.view(c, tr.T("web.audit.entry_title", seq), crumb{tr.T("web.audit.title"), orgPath(c.Org.Slug, "/audit")})
	v.Nav = "audit"
	v.Data = d
	return a.render(w, r, http.StatusOK, "audit_entry", v)
}

// withQuery appends v to path as a query string.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
