package store

import (
	"context"
	"io"
	"os"
	"sort"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

var evidenceTable = &table[isms.Evidence]{
	name:       "evidence",
	recordType: "evidence",
	refPrefix:  "E",
	fields:     isms.EvidenceFields,
	columns: []string{"title", "description", "kind", "owner_id", "collected_on", "valid_until", "url",
		"file_name", "file_size", "content_type", "sha256"},
	meta: func(e *isms.Evidence) *isms.Meta { return &e.Meta },
	dest: func(e *isms.Evidence) []any {
		return []any{&e.Title, &e.Description, &e.Kind, nullText{&e.OwnerID}, &e.CollectedOn, &e.ValidUntil, &e.URL,
			&e.FileName, &e.FileSize, &e.ContentType, &e.SHA256}
	},
	values: func(e *isms.Evidence) []any {
		return []any{e.Title, e.Description, string(e.Kind), orNull(e.OwnerID), e.CollectedOn, e.ValidUntil, e.URL,
			e.FileName, e.FileSize, e.ContentType, e.SHA256}
	},
	fieldsOf:  func(e *isms.Evidence) map[string]any { return e.Fields() },
	extra:     []extraColumn{{"owner_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = evidence.owner_id), '')"}},
	extraDest: func(e *isms.Evidence) []any { return []any{&e.OwnerName} },
	sorts: map[string]string{
		"ref": refSortKey, "title": "lower(title)", "collected_on": "collected_on", "valid_until": "valid_until",
		"updated_at": "updated_at",
	},
	defaultSort: "ref",
	filters:     map[string]string{"kind": "kind", "owner_id": "owner_id"},
	conds: map[string]func(string, func(any) string) (string, error){
		// control=<id>: evidence linked to that control.
		"control": func(v string, arg func(any) string) (string, error) {
			return "id IN (SELECT l.from_id FROM record_links l WHERE l.org_id = $1 AND l.from_type = 'evidence' AND l.to_type = 'control' AND l.to_id = " + arg(v) + ")", nil
		},
		// valid_before=YYYY-MM-DD: expires (or expired) before that day.
		"valid_before": func(v string, arg func(any) string) (string, error) {
			if !isms.ValidDate(v) {
				return "", isms.Invalid("valid_before", "validation.date")
			}
			return "valid_until > '' AND valid_until < " + arg(v), nil
		},
		// valid_from=YYYY-MM-DD: still valid on that day (or no end).
		"valid_from": func(v string, arg func(any) string) (string, error) {
			if !isms.ValidDate(v) {
				return "", isms.Invalid("valid_from", "validation.date")
			}
			return "(valid_until = '' OR valid_until >= " + arg(v) + ")", nil
		},
	},
	search:        []string{"ref", "title", "description", "file_name", "url"},
	searchIndexed: true,
	// The list page shows no description, link or file: only the title,
	// kind, owner and dates. The evidence_brief index holds every column
	// a brief list reads (migration 00018); the two change together.
	brief:   []string{"description", "url", "file_name", "file_size", "content_type", "sha256"},
	lookups: []string{"owner_name"},
	users:   func(e *isms.Evidence) []userRef { return []userRef{{e.OwnerID, &e.OwnerName, nil}} },
}

// Expiry filters of the evidence list, resolved against the
// organisation's today.
const (
	ExpiryExpired = "expired" // valid-until date has passed
	ExpirySoon    = "soon"    // still valid, expires within isms.ExpiringSoonDays
)

// EvidenceList lists the organisation's evidence. The filter "expiry"
// takes ExpiryExpired or ExpirySoon.
func (db *DB) EvidenceList(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Evidence], error) {
	var page isms.Page[isms.Evidence]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) (err error) {
		today := "" // only the expiry filter needs it
		if _, ok := q.Filters["expiry"]; ok {
			if today, err = t.today(a.OrgID); err != nil {
				return err
			}
		}
		page, err = t.evidenceList(a.OrgID, today, q)
		return err
	})
	return page, err
}

// EvidenceRegister returns what the evidence list page shows, in one read:
// the page of evidence EvidenceList returns for q, and how many pieces of
// the organisation's active evidence have expired and expire within
// isms.ExpiringSoonDays, as the list's expiry filters would count them.
func (db *DB) EvidenceRegister(ctx context.Context, a isms.Actor, q isms.ListQuery) (page isms.Page[isms.Evidence], expired, soon int, err error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, 0, 0, err
	}
	err = db.read(ctx, func(t *tx) error {
		today, err := t.today(a.OrgID)
		if err != nil {
			return err
		}
		if page, err = t.evidenceList(a.OrgID, today, q); err != nil {
			return err
		}
		end := isms.AddDays(today, isms.ExpiringSoonDays+1)
		return t.counts(a.OrgID, `SELECT COALESCE(SUM(CASE WHEN valid_until < $2 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN valid_until >= $2 THEN 1 ELSE 0 END), 0)
			FROM evidence WHERE org_id = $1 AND archived_at IS NULL AND valid_until > '' AND valid_until < $3`, []any{a.OrgID, today, end}, &expired, &soon)
	})
	return page, expired, soon, err
}

// evidenceList lists the organisation's evidence, resolving the filter
// "expiry" against today, the organisation's date (which only that filter
// needs).
func (t *tx) evidenceList(orgID, today string, q isms.ListQuery) (isms.Page[isms.Evidence], error) {
	if exp, ok := q.Filters["expiry"]; ok {
		f := make(map[string]string, len(q.Filters)+1)
		for k, v := range q.Filters {
			if k != "expiry" {
				f[k] = v
			}
		}
		switch exp {
		case "":
		case ExpiryExpired:
			f["valid_before"] = today
		case ExpirySoon:
			f["valid_from"] = today
			f["valid_before"] = isms.AddDays(today, isms.ExpiringSoonDays+1)
		default:
			return isms.Page[isms.Evidence]{}, isms.Invalid("expiry", "validation.choice")
		}
		q.Filters = f
	}
	return evidenceTable.list(t, orgID, q)
}

// Evidence returns one piece of evidence.
func (db *DB) Evidence(ctx context.Context, a isms.Actor, id string) (isms.Evidence, error) {
	var e isms.Evidence
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return e, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		e, err = evidenceTable.get(t, a.OrgID, id)
		return err
	})
	return e, err
}

// EvidenceControls lists the controls a piece of evidence supports, as
// links with their references and titles.
func (db *DB) EvidenceControls(ctx context.Context, a isms.Actor, id string) ([]isms.Link, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Link
	err := db.read(ctx, func(t *tx) error {
		if ok, err := evidenceTable.exists(t, a.OrgID, id, false); err != nil {
			return err
		} else if !ok {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		ls, err := t.links(a.OrgID, "evidence", id, true)
		out = controlLinks(ls)
		return err
	})
	return out, err
}

// controlLinks are the links to controls among a piece of evidence's
// links, by the controls' references.
func controlLinks(ls []isms.Link) []isms.Link {
	var out []isms.Link
	for _, l := range ls {
		if l.ToType == "control" {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OtherRef < out[j].OtherRef })
	return out
}

// EvidencePage is a piece of evidence with what its page shows of other
// records.
type EvidencePage struct {
	Evidence isms.Evidence
	Controls []isms.Link   // the links to the controls it supports, by reference
	Requests []isms.Action // the actions serving it: requests for fresh evidence
	History  []isms.HistoryEntry
}

// EvidencePage reads a piece of evidence and what its page shows with it
// in one read: on PostgreSQL one round trip (see readTogether), and one
// more to name the controls, instead of six.
func (db *DB) EvidencePage(ctx context.Context, a isms.Actor, id string) (EvidencePage, error) {
	return db.evidencePage(ctx, a, id, true)
}

// EvidenceRecord reads a piece of evidence with the controls it supports
// (an EvidencePage without the requests and history) in one read: what
// the API gives for a piece of evidence, one round trip on PostgreSQL
// (and one to name the controls) instead of three.
func (db *DB) EvidenceRecord(ctx context.Context, a isms.Actor, id string) (EvidencePage, error) {
	return db.evidencePage(ctx, a, id, false)
}

func (db *DB) evidencePage(ctx context.Context, a isms.Actor, id string, full bool) (EvidencePage, error) {
	var p EvidencePage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		var ls []isms.Link
		with := []reading{linksReading(a.OrgID, "evidence", id, true, &ls)}
		if full {
			with = append(with, actionsServing(a.OrgID, "evidence", id, &p.Requests), evidenceTable.historyReading(a.OrgID, id, &p.History))
		}
		if err := evidenceTable.getTogether(t, a.OrgID, id, &p.Evidence, with...); err != nil {
			return err
		}
		err := t.nameLinks(a.OrgID, true, ls)
		p.Controls = controlLinks(ls)
		return err
	})
	return p, err
}

// ControlEvidence lists the active evidence linked to a control.
func (db *DB) ControlEvidence(ctx context.Context, a isms.Actor, controlID string) ([]isms.Evidence, error) {
	page, err := db.EvidenceList(ctx, a, isms.ListQuery{Filters: map[string]string{"control": controlID}, Limit: isms.MaxLimit})
	return page.Items, err
}

// CanEditEvidence reports whether the actor may change e: owners and ISMS
// managers any evidence, contributors the evidence they own.
func CanEditEvidence(a isms.Actor, e isms.Evidence) bool {
	return a.Can(isms.PermWriteRegisters) || (a.Can(isms.PermWriteOwned) && e.OwnerID != "" && e.OwnerID == a.UserID)
}

// checkEvidence checks the owner is a member and every control exists.
func (t *tx) checkEvidence(a isms.Actor, e *isms.Evidence, controlIDs []string) error {
	var p isms.Problems
	if e.OwnerID != "" {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, e.OwnerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			p.Add("owner_id", "validation.not_member")
		}
	}
	for _, id := range controlIDs {
		ok, err := controls.exists(t, a.OrgID, id, true)
		if err != nil {
			return err
		}
		if !ok {
			p.Add("controls", "validation.not_a_control")
			break
		}
	}
	return p.Err()
}

// setEvidenceLinks makes the evidence → control links exactly controlIDs.
func (t *tx) setEvidenceLinks(a isms.Actor, evidenceID string, controlIDs []string) error {
	cur, err := t.links(a.OrgID, "evidence", evidenceID, true)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, id := range controlIDs {
		want[id] = true
	}
	have := map[string]bool{}
	for _, l := range cur {
		if l.ToType != "control" {
			continue
		}
		have[l.ToID] = true
		if !want[l.ToID] {
			if err := t.unlink(a, isms.Link{FromType: "evidence", FromID: evidenceID, ToType: "control", ToID: l.ToID}); err != nil {
				return err
			}
		}
	}
	for _, id := range controlIDs {
		if !have[id] {
			if err := t.link(a, isms.Link{FromType: "evidence", FromID: evidenceID, ToType: "control", ToID: id}); err != nil {
				return err
			}
		}
	}
	return nil
}

func dedupe(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = isms.Clean(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CreateEvidence records a piece of evidence linked to controlIDs. A file
// comes as up (required for file evidence, refused for the others).
// Owners and ISMS managers may record any evidence; contributors evidence
// they own (it defaults to them). The file is kept under the data
// directory; the record and the file are stored together or not at all.
func (db *DB) CreateEvidence(ctx context.Context, a isms.Actor, e isms.Evidence, controlIDs []string, up *Upload) (isms.Evidence, error) {
	if !a.Can(isms.PermWriteRegisters) {
		if !a.Can(isms.PermWriteOwned) {
			return e, isms.Errorf(isms.KindForbidden, "error.forbidden")
		}
		if e.OwnerID == "" {
			e.OwnerID = a.UserID
		}
		if e.OwnerID != a.UserID {
			return e, isms.Invalid("owner_id", "validation.own_only")
		}
	}
	e.Meta = isms.Meta{}
	e.FileName, e.FileSize, e.ContentType, e.SHA256 = "", 0, "", ""
	if e.Kind == isms.EvidenceFile && up != nil {
		e.FileName = isms.SanitizeFileName(up.Name)
	}
	e.Normalize()
	if err := e.Validate(); err != nil {
		return e, err
	}
	if e.Kind == isms.EvidenceFile && up == nil {
		return e, isms.Invalid("file", "validation.file_required")
	}
	controlIDs = dedupe(controlIDs)
	var root *os.Root
	var tmpName string
	e.ID = newID() // the upload's temporary name; insert assigns the record id
	if e.Kind == isms.EvidenceFile {
		var err error
		if root, err = db.filesRoot(); err != nil {
			return e, err
		}
		defer root.Close()
		tmpName = uploadPath(a.OrgID, e.ID)
		sf, err := receive(root, tmpName, up)
		if err != nil {
			return e, err
		}
		defer removeQuietly(root, tmpName)
		e.FileSize, e.SHA256, e.ContentType = sf.size, sf.sha256, sf.contentType
	}
	var final string
	err := db.write(ctx, func(t *tx) error {
		if err := t.checkEvidence(a, &e, controlIDs); err != nil {
			return err
		}
		if err := evidenceTable.insert(t, a, &e); err != nil {
			return err
		}
		if err := t.setEvidenceLinks(a, e.ID, controlIDs); err != nil {
			return err
		}
		if root != nil {
			// Put the file in place last: if this fails nothing is stored;
			// if the commit fails the file is removed below.
			final = evidencePath(a.OrgID, e.ID)
			if err := root.Rename(tmpName, final); err != nil {
				return isms.Internal(err)
			}
		}
		var err error
		e, err = evidenceTable.get(t, a.OrgID, e.ID)
		return err
	})
	if err != nil && final != "" {
		removeQuietly(root, final)
	}
	return e, err
}

// UpdateEvidence saves changes to evidence read at version base. When
// controlIDs is not nil the evidence supports exactly those controls
// afterwards. up, if given, replaces the file (file evidence only).
// Contributors may change the evidence they own but not hand it on.
func (db *DB) UpdateEvidence(ctx context.Context, a isms.Actor, e isms.Evidence, base int, controlIDs []string, up *Upload) (isms.Evidence, error) {
	if !a.Can(isms.PermWriteRegisters) && !a.Can(isms.PermWriteOwned) {
		return e, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	var cur isms.Evidence
	if err := db.read(ctx, func(t *tx) error {
		var err error
		cur, err = evidenceTable.get(t, a.OrgID, e.ID)
		return err
	}); err != nil {
		return e, err
	}
	if !CanEditEvidence(a, cur) {
		return e, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if e.OwnerID != cur.OwnerID && !a.Can(isms.PermWriteRegisters) {
		return e, isms.Invalid("owner_id", "validation.reassign")
	}
	e.Meta = cur.Meta
	if cur.Kind == isms.EvidenceFile {
		e.FileName, e.FileSize, e.ContentType, e.SHA256 = cur.FileName, cur.FileSize, cur.ContentType, cur.SHA256
	}
	if e.Kind != isms.EvidenceFile {
		up = nil
	}
	if up != nil {
		e.FileName = isms.SanitizeFileName(up.Name)
	}
	e.Normalize()
	if err := e.Validate(); err != nil {
		return e, err
	}
	if e.Kind == isms.EvidenceFile && up == nil && cur.Kind != isms.EvidenceFile {
		return e, isms.Invalid("file", "validation.file_required")
	}
	if controlIDs != nil {
		controlIDs = dedupe(controlIDs)
		if controlIDs == nil {
			controlIDs = []string{}
		}
	}
	root, err := db.filesRoot()
	if err != nil {
		return e, err
	}
	defer root.Close()
	var tmpName string
	if up != nil {
		tmpName = uploadPath(a.OrgID, newID())
		sf, err := receive(root, tmpName, up)
		if err != nil {
			return e, err
		}
		defer removeQuietly(root, tmpName)
		e.FileSize, e.SHA256, e.ContentType = sf.size, sf.sha256, sf.contentType
	}
	err = db.write(ctx, func(t *tx) error {
		if err := t.checkEvidence(a, &e, controlIDs); err != nil {
			return err
		}
		if err := evidenceTable.update(t, a, &e, base); err != nil {
			return err
		}
		if controlIDs != nil {
			if err := t.setEvidenceLinks(a, e.ID, controlIDs); err != nil {
				return err
			}
		}
		if tmpName != "" {
			// The old file is replaced only once everything else is written.
			if err := root.Rename(tmpName, evidencePath(a.OrgID, e.ID)); err != nil {
				return isms.Internal(err)
			}
		} else if cur.Kind == isms.EvidenceFile && e.Kind != isms.EvidenceFile {
			if err := removeQuietly(root, evidencePath(a.OrgID, e.ID)); err != nil {
				return isms.Internal(err)
			}
		}
		var err error
		e, err = evidenceTable.get(t, a.OrgID, e.ID)
		return err
	})
	return e, err
}

// ArchiveEvidence archives or restores evidence; its file is kept.
// Owners and ISMS managers, or the contributor who owns it.
func (db *DB) ArchiveEvidence(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Evidence, error) {
	var e isms.Evidence
	if !a.Can(isms.PermWriteRegisters) && !a.Can(isms.PermWriteOwned) {
		return e, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := evidenceTable.get(t, a.OrgID, id)
		if err != nil {
			return err
		}
		if !CanEditEvidence(a, cur) {
			return isms.Errorf(isms.KindForbidden, "error.forbidden")
		}
		e, err = evidenceTable.setArchived(t, a, id, base, archive)
		return err
	})
	return e, err
}

// EvidenceHistory lists a piece of evidence's changes, oldest first.
func (db *DB) EvidenceHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = evidenceTable.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// OpenEvidenceFile opens the file of a piece of file evidence for
// download and records the download in the audit log. Every role that
// reads registers may download (auditors included).
func (db *DB) OpenEvidenceFile(ctx context.Context, a isms.Actor, id string) (isms.Evidence, io.ReadCloser, error) {
	var e isms.Evidence
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return e, nil, err
	}
	root, err := db.filesRoot()
	if err != nil {
		return e, nil, err
	}
	defer root.Close()
	var f *os.File
	err = db.write(ctx, func(t *tx) error {
		var err error
		if e, err = evidenceTable.get(t, a.OrgID, id); err != nil {
			return err
		}
		if e.Kind != isms.EvidenceFile || e.FileName == "" {
			return isms.Errorf(isms.KindNotFound, "error.no_file")
		}
		if f, err = root.Open(evidencePath(a.OrgID, e.ID)); err != nil {
			return isms.Internal(err)
		}
		return t.audit(a.OrgID, a.UserID, "evidence", e.ID, "download", nil,
			map[string]any{"file_name": e.FileName, "sha256": e.SHA256, "file_size": e.FileSize})
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return e, nil, err
	}
	return e, f, nil
}

// RequestEvidence asks a member for evidence by a date: it creates an
// action (clause 6.2's plan record) that appears in their actions,
// serving the control (servesType "control") or the evidence to renew
// ("evidence"). Owners and ISMS managers only.
func (db *DB) RequestEvidence(ctx context.Context, a isms.Actor, servesType, servesID string, x isms.Action) (isms.Action, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	x.Meta = isms.Meta{}
	x.ServesType, x.ServesID = servesType, servesID
	x.Status = isms.ActionOpen
	x.Normalize()
	var p isms.Problems
	if x.ResponsibleID == "" {
		p.Add("responsible_id", "validation.required")
	}
	if x.DueDate == "" {
		p.Add("due_date", "validation.required")
	}
	if err := x.Validate(); err != nil {
		for _, f := range isms.AsError(err).Fields {
			if !p.Has(f.Field) {
				p.Add(f.Field, f.Msg.Key, f.Msg.Args...)
			}
		}
	}
	if err := p.Err(); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		var ok bool
		var err error
		switch servesType {
		case "control":
			ok, err = controls.exists(t, a.OrgID, servesID, true)
		case "evidence":
			ok, err = evidenceTable.exists(t, a.OrgID, servesID, true)
		default:
			return isms.Invalid("serves_type", "validation.choice")
		}
		if err != nil {
			return err
		}
		if !ok {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		if err := t.checkAction(a, &x, ""); err != nil {
			return err
		}
		if err := actions.insert(t, a, &x); err != nil {
			return err
		}
		x, err = actions.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// EvidenceRow is one piece of evidence to import with the controls it
// supports.
type EvidenceRow struct {
	Evidence   isms.Evidence
	ControlIDs []string
}

// ImportEvidence records links and notes in bulk (owners and ISMS
// managers), all or none, in one transaction: every record and link is
// audited as if entered one by one. Files are uploaded one at a time with
// CreateEvidence. It is what the demonstration data and migrations from
// other tools use.
func (db *DB) ImportEvidence(ctx context.Context, a isms.Actor, rows []EvidenceRow) ([]isms.Evidence, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return nil, err
	}
	var bad []RowError
	for i := range rows {
		e := &rows[i].Evidence
		e.Meta = isms.Meta{}
		e.FileName, e.FileSize, e.ContentType, e.SHA256 = "", 0, "", ""
		e.Normalize()
		err := e.Validate()
		if err == nil && e.Kind == isms.EvidenceFile {
			err = isms.Invalid("file", "validation.file_required")
		}
		if err != nil {
			bad = append(bad, RowError{Row: i + 1, Fields: isms.AsError(err).Fields, Msg: isms.AsError(err).Msg})
		}
		rows[i].ControlIDs = dedupe(rows[i].ControlIDs)
	}
	if len(bad) > 0 {
		return nil, &ImportError{Rows: bad}
	}
	out := make([]isms.Evidence, 0, len(rows))
	err := db.write(ctx, func(t *tx) error {
		members := map[string]bool{}
		mr, err := t.Query(`SELECT user_id FROM memberships WHERE org_id = $1`, a.OrgID)
		if err != nil {
			return err
		}
		for mr.Next() {
			var id string
			if err := mr.Scan(&id); err != nil {
				mr.Close()
				return err
			}
			members[id] = true
		}
		mr.Close()
		if err := mr.Err(); err != nil {
			return err
		}
		known := map[string]bool{}
		for i := range rows {
			e := &rows[i].Evidence
			if e.OwnerID != "" && !members[e.OwnerID] {
				bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "owner_id", Msg: isms.M("validation.not_member")}}})
				continue
			}
			ok := true
			for _, id := range rows[i].ControlIDs {
				if !known[id] {
					exists, err := controls.exists(t, a.OrgID, id, true)
					if err != nil {
						return err
					}
					known[id] = exists
				}
				ok = ok && known[id]
			}
			if !ok {
				bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "controls", Msg: isms.M("validation.not_a_control")}}})
				continue
			}
			if err := evidenceTable.insert(t, a, e); err != nil {
				return err
			}
			for _, id := range rows[i].ControlIDs {
				if err := t.link(a, isms.Link{FromType: "evidence", FromID: e.ID, ToType: "control", ToID: id}); err != nil {
					return err
				}
			}
			out = append(out, *e)
		}
		if len(bad) > 0 {
			return &ImportError{Rows: bad}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
