package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// SoA is the organisation's current (draft) Statement of Applicability.
type SoA struct {
	Lines   []isms.SoALine
	Summary isms.SoASummary
	// Today is the date (in the organisation's time zone) the warnings
	// were checked against.
	Today string
	// Latest is the newest published version's number (0 for none), and
	// Changed whether the draft differs from it.
	Latest  int
	Changed bool
}

// today returns the date in the organisation's time zone.
func (t *tx) today(orgID string) (string, error) {
	var tz string
	if err := t.QueryRow(`SELECT time_zone FROM organisations WHERE id = $1`, orgID).Scan(&tz); err != nil {
		return "", err
	}
	return isms.Organisation{TimeZone: tz}.Today(t.now), nil
}

// soaLines derives the SoA of the organisation from its active controls,
// the links arriving at them and its active evidence.
func (t *tx) soaLines(orgID string) ([]isms.SoALine, string, error) {
	return t.soaLinesOf(orgID, "")
}

// soaLinesOf derives the SoA lines of every active control, or of the one
// control with controlID (reading only that control's links and evidence).
func (t *tx) soaLinesOf(orgID, controlID string) ([]isms.SoALine, string, error) {
	today, err := t.today(orgID)
	if err != nil {
		return nil, "", err
	}
	var cs []isms.Control
	linkQ, linkArgs := `SELECT from_type, from_id, to_id FROM record_links WHERE org_id = $1 AND to_type = 'control'`, []any{orgID}
	if controlID == "" {
		if cs, err = allActive(t, controls, orgID); err != nil {
			return nil, "", err
		}
	} else {
		c, err := controls.get(t, orgID, controlID)
		if err != nil {
			return nil, "", err
		}
		cs = []isms.Control{c}
		linkQ += ` AND to_id = $2`
		linkArgs = append(linkArgs, controlID)
	}
	rows, err := t.Query(linkQ, linkArgs...)
	if err != nil {
		return nil, "", err
	}
	var links []isms.Link
	ids := map[string][]string{} // from type → ids
	var evidenceIDs []string
	for rows.Next() {
		l := isms.Link{ToType: "control"}
		if err := rows.Scan(&l.FromType, &l.FromID, &l.ToID); err != nil {
			rows.Close()
			return nil, "", err
		}
		links = append(links, l)
		if isms.JustifyingLinks[l.FromType] {
			ids[l.FromType] = append(ids[l.FromType], l.FromID)
		}
		if l.FromType == "evidence" {
			evidenceIDs = append(evidenceIDs, l.FromID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	refs := map[string]isms.RecordRef{}
	for typ, list := range ids {
		if err := t.refsOf(orgID, typ, list, true, refs); err != nil {
			return nil, "", err
		}
	}
	evidence := map[string]isms.EvidenceRef{}
	scanEvidence := func(q string, args ...any) error {
		er, err := t.Query(q, args...)
		if err != nil {
			return err
		}
		defer er.Close()
		for er.Next() {
			var e isms.EvidenceRef
			if err := er.Scan(&e.ID, &e.Ref, &e.Title, &e.ValidUntil); err != nil {
				return err
			}
			evidence[e.ID] = e
		}
		return er.Err()
	}
	const evidenceQ = `SELECT id, ref, title, valid_until FROM evidence WHERE org_id = $1 AND archived_at IS NULL`
	if controlID == "" {
		if err := scanEvidence(evidenceQ, orgID); err != nil {
			return nil, "", err
		}
	} else {
		if err := inChunks(orgID, evidenceIDs, func(in string, args []any) error {
			return scanEvidence(evidenceQ+` AND id IN `+in, args...)
		}); err != nil {
			return nil, "", err
		}
	}
	return isms.BuildSoA(cs, links, refs, evidence, today), today, nil
}

// SoALine derives the SoA line of one control (its justification,
// evidence and warnings) without deriving the whole statement.
func (db *DB) SoALine(ctx context.Context, a isms.Actor, controlID string) (isms.SoALine, error) {
	var line isms.SoALine
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return line, err
	}
	err := db.read(ctx, func(t *tx) error {
		lines, _, err := t.soaLinesOf(a.OrgID, controlID)
		if err != nil {
			return err
		}
		if len(lines) == 1 {
			line = lines[0]
		}
		return nil
	})
	return line, err
}

// inChunks calls fn for ids in chunks small enough for one IN list: in is
// "($2, $3, …)" and args holds orgID then the chunk's ids.
func inChunks(orgID string, ids []string, fn func(in string, args []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 200)
		args := []any{orgID}
		ph := make([]string, n)
		for i, id := range ids[:n] {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		ids = ids[n:]
		if err := fn("("+strings.Join(ph, ", ")+")", args); err != nil {
			return err
		}
	}
	return nil
}

// refsOf reads the reference and title of the records of one register
// among ids (only active ones with activeOnly) into refs, keyed "type:id",
// in one query per 200 ids.
func (t *tx) refsOf(orgID, typ string, ids []string, activeOnly bool, refs map[string]isms.RecordRef) error {
	lk, ok := linkable[typ]
	if !ok {
		return nil // that register does not exist in this version
	}
	cond := ""
	if activeOnly {
		cond = " AND archived_at IS NULL"
	}
	return inChunks(orgID, ids, func(in string, args []any) error {
		rows, err := t.Query(`SELECT id, `+lk.ref+`, `+lk.title+` FROM `+lk.table+` WHERE org_id = $1`+cond+` AND id IN `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := isms.RecordRef{Type: typ}
			if err := rows.Scan(&r.ID, &r.Ref, &r.Title); err != nil {
				return err
			}
			refs[typ+":"+r.ID] = r
		}
		return rows.Err()
	})
}

// SoA returns the current Statement of Applicability with its
// consistency warnings, and how it compares with the latest published
// version.
func (db *DB) SoA(ctx context.Context, a isms.Actor) (SoA, error) {
	var s SoA
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return s, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		if s.Lines, s.Today, err = t.soaLines(a.OrgID); err != nil {
			return err
		}
		s.Summary = isms.Summarize(s.Lines)
		// Compare fingerprints rather than decoding the latest version.
		var number int
		var fp string
		err = t.QueryRow(`SELECT number, fingerprint FROM soa_versions WHERE org_id = $1 ORDER BY number DESC LIMIT 1`, a.OrgID).Scan(&number, &fp)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		s.Latest = number
		if fp != "" {
			s.Changed = fp != isms.SoAFingerprint(isms.Entries(s.Lines))
			return nil
		}
		latest, _, err := t.latestSoA(a.OrgID) // a version from before fingerprints
		if err != nil {
			return err
		}
		s.Changed = len(isms.DiffSoA(latest.Entries, isms.Entries(s.Lines))) > 0
		return nil
	})
	return s, err
}

const soaColumns = `v.id, v.org_id, v.number, v.approved_at, v.approved_by, v.approver_role, v.note, v.entries, COALESCE(u.name, '')`

func scanSoAVersion(row interface{ Scan(...any) error }) (isms.SoAVersion, error) {
	var v isms.SoAVersion
	var at, entries string
	if err := row.Scan(&v.ID, &v.OrgID, &v.Number, &at, &v.ApprovedBy, &v.ApproverRole, &v.Note, &entries, &v.ApproverName); err != nil {
		return v, err
	}
	var err error
	if v.ApprovedAt, err = isms.ParseTime(at); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(entries), &v.Entries); err != nil {
		return v, fmt.Errorf("SoA version %d: %w", v.Number, err)
	}
	return v, nil
}

func (t *tx) latestSoA(orgID string) (isms.SoAVersion, bool, error) {
	v, err := scanSoAVersion(t.QueryRow(`SELECT `+soaColumns+` FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by
		WHERE v.org_id = $1 ORDER BY v.number DESC LIMIT 1`, orgID))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return v, false, nil
		}
		return v, false, err
	}
	return v, true, nil
}

// PublishSoA approves the current SoA into a new immutable, numbered
// version. Only owners and ISMS managers may approve it. Warnings do not
// block approval; each is kept with its line in the version.
func (db *DB) PublishSoA(ctx context.Context, a isms.Actor, note string) (isms.SoAVersion, error) {
	var v isms.SoAVersion
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return v, err
	}
	note = isms.Clean(note)
	if len([]rune(note)) > 2000 {
		return v, isms.Invalid("note", "validation.too_long", 2000)
	}
	err := db.write(ctx, func(t *tx) error {
		lines, _, err := t.soaLines(a.OrgID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return isms.Errorf(isms.KindInvalid, "error.soa_empty")
		}
		latest, ok, err := t.latestSoA(a.OrgID)
		if err != nil {
			return err
		}
		entries := isms.Entries(lines)
		if ok && len(isms.DiffSoA(latest.Entries, entries)) == 0 {
			return isms.Errorf(isms.KindConflict, "error.soa_unchanged", latest.Number)
		}
		b, err := json.Marshal(entries)
		if err != nil {
			return err
		}
		v = isms.SoAVersion{ID: newID(), OrgID: a.OrgID, Number: latest.Number + 1, ApprovedAt: t.now, ApprovedBy: a.UserID,
			ApproverName: a.UserName, ApproverRole: a.Role, Note: note, Entries: entries}
		if _, err := t.Exec(`INSERT INTO soa_versions (id, org_id, number, approved_at, approved_by, approver_role, note, entries, fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, v.ID, v.OrgID, v.Number, t.nowText(), v.ApprovedBy, string(v.ApproverRole), v.Note, string(b),
			isms.SoAFingerprint(v.Entries)); err != nil {
			return err
		}
		s := isms.Summarize(lines)
		return t.audit(a.OrgID, a.UserID, "soa_version", v.ID, "approve", nil, map[string]any{
			"number": v.Number, "note": v.Note, "controls": s.Controls, "included": s.Included, "excluded": s.Excluded,
			"warnings": s.Warnings, "approver_role": string(a.Role),
		})
	})
	return v, err
}

// SoAVersions lists the published versions, newest first, without their
// entries' detail beyond the summary.
func (db *DB) SoAVersions(ctx context.Context, a isms.Actor) ([]isms.SoAVersion, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.SoAVersion
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT `+soaColumns+` FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by
			WHERE v.org_id = $1 ORDER BY v.number DESC`, a.OrgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanSoAVersion(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// SoAVersion returns published version number n.
func (db *DB) SoAVersion(ctx context.Context, a isms.Actor, n int) (isms.SoAVersion, error) {
	var v isms.SoAVersion
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return v, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		v, err = scanSoAVersion(t.QueryRow(`SELECT `+soaColumns+` FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by
			WHERE v.org_id = $1 AND v.number = $2`, a.OrgID, n))
		return err
	})
	return v, err
}

// CompareSoA returns the changes from version "from" to version "to"; a
// number of 0 means the current draft.
func (db *DB) CompareSoA(ctx context.Context, a isms.Actor, from, to int) ([]isms.SoAChange, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.SoAChange
	err := db.read(ctx, func(t *tx) error {
		entries := func(n int) ([]isms.SoAEntry, error) {
			if n == 0 {
				lines, _, err := t.soaLines(a.OrgID)
				return isms.Entries(lines), err
			}
			v, err := scanSoAVersion(t.QueryRow(`SELECT `+soaColumns+` FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by
				WHERE v.org_id = $1 AND v.number = $2`, a.OrgID, n))
			return v.Entries, err
		}
		f, err := entries(from)
		if err != nil {
			return err
		}
		tt, err := entries(to)
		if err != nil {
			return err
		}
		out = isms.DiffSoA(f, tt)
		return nil
	})
	return out, err
}
