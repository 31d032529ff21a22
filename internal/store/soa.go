package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
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

// today returns the date in the organisation's time zone. The zone is
// kept until the organisation's records change (a change of its settings
// is audited): the SoA page, the controls list and a control's page each
// need the date.
func (t *tx) today(orgID string) (string, error) {
	v, err := t.kept(orgID, "time zone", func() (any, error) {
		var tz string
		err := t.QueryRow(`SELECT time_zone FROM organisations WHERE id = $1`, orgID).Scan(&tz)
		return tz, err
	})
	if err != nil {
		return "", err
	}
	return isms.Organisation{TimeZone: v.(string)}.Today(t.now), nil
}

// soaLines derives the SoA of the organisation from its active controls,
// the records linked to them and its active evidence.
func (t *tx) soaLines(orgID string) ([]isms.SoALine, string, error) {
	return t.soaLinesOf(orgID, "", false, "")
}

// soaLinesOf derives the SoA lines of every active control, or of the one
// control with controlID, as of today (the organisation's date when
// empty). An overview counts each control's evidence and lists only the
// expired pieces (see isms.SoASource), which is all its warnings need.
func (t *tx) soaLinesOf(orgID, controlID string, overview bool, today string) ([]isms.SoALine, string, error) {
	src := isms.SoASource{Justifying: map[string][]isms.RecordRef{}, Evidence: map[string][]isms.EvidenceRef{}, Today: today}
	var err error
	if src.Today == "" {
		if src.Today, err = t.today(orgID); err != nil {
			return nil, "", err
		}
	}
	// Every query below reads links arriving at controls (l) joined to the
	// records they come from; cond confines them to the one control. Each
	// join is a CROSS JOIN with the side to read first on the left (the
	// links, or the few archived or expired pieces of evidence): SQLite
	// keeps that order, PostgreSQL plans it as any join.
	cond, args := "", []any{orgID}
	if controlID == "" {
		if src.Controls, err = allActive(t, controls, orgID); err != nil {
			return nil, "", err
		}
	} else {
		c, err := controls.get(t, orgID, controlID)
		if err != nil {
			return nil, "", err
		}
		src.Controls = []isms.Control{c}
		cond, args = ` AND l.to_id = $2`, append(args, controlID)
	}
	// The justifying records of every register, in one statement.
	var justifying []string
	for _, typ := range slices.Sorted(maps.Keys(isms.JustifyingLinks)) {
		lk, ok := linkable[typ]
		if !ok {
			continue // that register does not exist in this version
		}
		justifying = append(justifying, `SELECT '`+typ+`', l.to_id, x.id, x.`+lk.ref+`, x.`+lk.title+` FROM record_links l CROSS JOIN `+lk.table+` x
			WHERE l.org_id = $1 AND l.to_type = 'control' AND l.from_type = '`+typ+`'
			AND x.org_id = l.org_id AND x.id = l.from_id AND x.archived_at IS NULL`+cond)
	}
	if len(justifying) > 0 {
		err := t.each(strings.Join(justifying, " UNION ALL "), args, func(rows *sql.Rows) error {
			var to string
			var r isms.RecordRef
			if err := rows.Scan(&r.Type, &to, &r.ID, &r.Ref, &r.Title); err != nil {
				return err
			}
			src.Justifying[to] = append(src.Justifying[to], r)
			return nil
		})
		if err != nil {
			return nil, "", err
		}
	}
	scanEvidence := func(rows *sql.Rows) error {
		var to string
		var e isms.EvidenceRef
		if err := rows.Scan(&to, &e.ID, &e.Ref, &e.Title, &e.ValidUntil); err != nil {
			return err
		}
		src.Evidence[to] = append(src.Evidence[to], e)
		return nil
	}
	if !overview && controlID != "" {
		if src.Evidence[controlID], err = t.controlEvidence(orgID, controlID, 0); err != nil {
			return nil, "", err
		}
		return isms.BuildSoA(src), src.Today, nil
	}
	if !overview {
		err := t.each(`SELECT l.to_id, e.id, e.ref, e.title, e.valid_until`+linkedEvidence+cond, args, scanEvidence)
		if err != nil {
			return nil, "", err
		}
		return isms.BuildSoA(src), src.Today, nil
	}
	// The evidence of each control is every evidence link to it less the
	// links from archived evidence: a link's ends are checked when it is
	// made and records are archived, never deleted. Counting only the few
	// archived pieces spares looking up every linked one.
	src.EvidenceCounts = map[string]int{}
	count := func(sign int) func(*sql.Rows) error {
		return func(rows *sql.Rows) error {
			var to string
			var n int
			if err := rows.Scan(&to, &n); err != nil {
				return err
			}
			src.EvidenceCounts[to] += sign * n
			return nil
		}
	}
	if err := t.each(`SELECT l.to_id, COUNT(*) FROM record_links l
		WHERE l.org_id = $1 AND l.to_type = 'control' AND l.from_type = 'evidence'`+cond+` GROUP BY l.to_id`, args, count(1)); err != nil {
		return nil, "", err
	}
	if err := t.each(`SELECT l.to_id, COUNT(*) FROM evidence e CROSS JOIN record_links l
		WHERE e.org_id = $1 AND e.archived_at IS NOT NULL
		AND l.org_id = e.org_id AND l.from_type = 'evidence' AND l.from_id = e.id AND l.to_type = 'control'`+cond+` GROUP BY l.to_id`, args, count(-1)); err != nil {
		return nil, "", err
	}
	todayArg := "$" + strconv.Itoa(len(args)+1)
	if err := t.each(`SELECT l.to_id, e.id, e.ref, e.title, e.valid_until FROM evidence e CROSS JOIN record_links l
		WHERE e.org_id = $1 AND e.archived_at IS NULL AND e.valid_until > '' AND e.valid_until < `+todayArg+`
		AND l.org_id = e.org_id AND l.from_type = 'evidence' AND l.from_id = e.id AND l.to_type = 'control'`+cond,
		append(args, src.Today), scanEvidence); err != nil {
		return nil, "", err
	}
	return isms.BuildSoA(src), src.Today, nil
}

// linkedEvidence is the FROM and WHERE of a query for the active evidence
// linked to the organisation's ($1) controls: links l to evidence e, read
// link by link.
const linkedEvidence = ` FROM record_links l CROSS JOIN evidence e
	WHERE l.org_id = $1 AND l.to_type = 'control' AND l.from_type = 'evidence'
	AND e.org_id = l.org_id AND e.id = l.from_id AND e.archived_at IS NULL`

// soaLine returns the SoA line of one control, archived or not, kept per
// control and day until the organisation's records change: a control's
// page read its justifying records and its eighty-odd pieces of evidence
// on every view, a third of the page. The overview of the statement, when
// one is kept for today, has the line of every active control but for its
// evidence: only that is then read to derive it.
func (t *tx) soaLine(orgID, controlID string) (isms.SoALine, error) {
	s, ok, today, err := t.overviewAtHand(orgID)
	if err != nil {
		return isms.SoALine{}, err
	}
	v, err := t.kept(orgID, "soa line\x00"+today+"\x00"+controlID, func() (any, error) {
		if ok {
			for i := range s.Lines {
				if s.Lines[i].Control.ID == controlID {
					line, err := t.completeLine(orgID, s.Lines[i], s.Today)
					return keptLine{line}, err
				}
			}
		}
		lines, _, err := t.soaLinesOf(orgID, controlID, false, today)
		if err != nil {
			return nil, err
		}
		if len(lines) != 1 {
			return nil, isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		return keptLine{lines[0]}, nil
	})
	if err != nil {
		return isms.SoALine{}, err
	}
	return copyLine(v.(keptLine).SoALine), nil
}

// keptLine is a control's SoA line as soaLine keeps it.
type keptLine struct{ isms.SoALine }

// keptBytes is about what the line holds: the control, and a string
// header and the bytes of each reference's texts.
func (k keptLine) keptBytes() int {
	n := 1024 + len(k.Control.Implementation) + len(k.Control.Justification) + len(k.Control.Effectiveness)
	for _, e := range k.Evidence {
		n += 64 + len(e.ID) + len(e.Ref) + len(e.Title) + len(e.ValidUntil)
	}
	for _, r := range append(slices.Clip(k.Risks), k.Requirements...) {
		n += 80 + len(r.ID) + len(r.Ref) + len(r.Title)
	}
	return n + 24*len(k.Warnings)
}

// copyLine returns l with its lists copied, for a caller that may change
// them: a kept line is shared.
func copyLine(l isms.SoALine) isms.SoALine {
	copyControlLists(&l.Control)
	l.Risks, l.Requirements = slices.Clone(l.Risks), slices.Clone(l.Requirements)
	l.Evidence, l.Warnings = slices.Clone(l.Evidence), slices.Clone(l.Warnings)
	return l
}

// copyControlLists gives c copies of its lists, which it shares with the
// kept control it was copied from.
func copyControlLists(c *isms.Control) {
	c.ControlTypes, c.SecurityProperties, c.CybersecurityConcepts = slices.Clone(c.ControlTypes), slices.Clone(c.SecurityProperties), slices.Clone(c.CybersecurityConcepts)
	c.OperationalCapabilities, c.SecurityDomains, c.RelatedIDs = slices.Clone(c.OperationalCapabilities), slices.Clone(c.SecurityDomains), slices.Clone(c.RelatedIDs)
}

// completeLine returns the line of the full statement for over, a line
// of the overview: BuildSoA's line of the same control and justifying
// records with all of the control's evidence. The control's lists are
// copied: the overview's are shared.
func (t *tx) completeLine(orgID string, over isms.SoALine, today string) (isms.SoALine, error) {
	c := over.Control
	copyControlLists(&c)
	evidence, err := t.controlEvidence(orgID, c.ID, over.EvidenceCount)
	if err != nil {
		return isms.SoALine{}, err
	}
	return isms.BuildSoA(isms.SoASource{
		Controls:   []isms.Control{c},
		Justifying: map[string][]isms.RecordRef{c.ID: append(slices.Clone(over.Risks), over.Requirements...)},
		Evidence:   map[string][]isms.EvidenceRef{c.ID: evidence},
		Today:      today,
	})[0], nil
}

// controlEvidence reads the active evidence linked to one control, in any
// order (nil for none); n is how many pieces there are likely to be.
func (t *tx) controlEvidence(orgID, controlID string, n int) ([]isms.EvidenceRef, error) {
	var out []isms.EvidenceRef
	if n > 0 {
		out = make([]isms.EvidenceRef, 0, n)
	}
	err := t.each(`SELECT e.id, e.ref, e.valid_until, e.title`+linkedEvidence+` AND l.to_id = $2`, []any{orgID, controlID},
		func(rows *sql.Rows) error {
			var e isms.EvidenceRef
			if err := rows.Scan(&e.ID, &e.Ref, &e.ValidUntil, &e.Title); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// each runs q and calls fn for every row.
func (t *tx) each(q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := t.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SoALine reads one control, archived or not, with its SoA line (its
// justification, evidence and warnings), without deriving the whole
// statement.
func (db *DB) SoALine(ctx context.Context, a isms.Actor, controlID string) (isms.SoALine, error) {
	var line isms.SoALine
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return line, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		line, err = t.soaLine(a.OrgID, controlID)
		return err
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
	return db.soa(ctx, a, false)
}

// SoAOverview is SoA for showing the statement rather than exporting it:
// each line counts its evidence (EvidenceCount) but lists only the expired
// pieces its warnings name. Everything else is as SoA returns it.
func (db *DB) SoAOverview(ctx context.Context, a isms.Actor) (SoA, error) {
	return db.soa(ctx, a, true)
}

func (db *DB) soa(ctx context.Context, a isms.Actor, overview bool) (SoA, error) {
	var s SoA
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return s, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		if overview {
			s, err = t.keptOverview(a.OrgID)
		} else {
			s, err = t.deriveSoA(a.OrgID, false)
		}
		return err
	})
	return s, err
}

// SoAPage returns what the SoA page shows: the overview, as SoAOverview
// returns it, and the published versions, as SoAVersions lists them, in
// one read. Both are shared: callers read them and never change them.
func (db *DB) SoAPage(ctx context.Context, a isms.Actor) (SoA, []isms.SoAVersion, error) {
	var s SoA
	var vs []isms.SoAVersion
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return s, vs, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		if s, err = t.keptOverview(a.OrgID); err != nil {
			return err
		}
		v, err := t.kept(a.OrgID, "soa versions", func() (any, error) { return t.soaVersions(a.OrgID) })
		if err == nil {
			vs = v.([]isms.SoAVersion)
		}
		return err
	})
	return s, vs, err
}

// overviewKey names the overview kept for the day today: its expiry
// warnings depend on the date.
func overviewKey(today string) string { return "soa overview " + today }

// keptOverview returns the organisation's overview (see SoAOverview). The
// SoA page and the controls list show it on every view: it is kept until
// the organisation's records change, for the day. Its lines are shared:
// callers read them and never change them.
func (t *tx) keptOverview(orgID string) (SoA, error) {
	today, err := t.today(orgID)
	if err != nil {
		return SoA{}, err
	}
	v, err := t.kept(orgID, overviewKey(today), func() (any, error) { return t.deriveSoA(orgID, true) })
	if err != nil {
		return SoA{}, err
	}
	return v.(SoA), nil
}

// overviewAtHand returns the organisation's overview if one is kept for
// today, without deriving it: for a view that needs only part of it. It
// returns today's date either way.
func (t *tx) overviewAtHand(orgID string) (s SoA, ok bool, today string, err error) {
	if today, err = t.today(orgID); err != nil || t.write {
		return s, false, today, err
	}
	seq, err := t.keptHead(orgID)
	if err != nil {
		return s, false, today, err
	}
	v, ok := t.db.kept.get(orgID, seq, t.gen, overviewKey(today))
	if !ok {
		return s, false, today, nil
	}
	return v.(SoA), true, today, nil
}

// deriveSoA builds the organisation's statement; see SoA and SoAOverview.
func (t *tx) deriveSoA(orgID string, overview bool) (SoA, error) {
	var s SoA
	var err error
	if s.Lines, s.Today, err = t.soaLinesOf(orgID, "", overview, ""); err != nil {
		return s, err
	}
	s.Summary = isms.Summarize(s.Lines)
	// Compare fingerprints rather than decoding the latest version;
	// neither looks at evidence.
	var number int
	var fp string
	err = t.QueryRow(`SELECT number, fingerprint FROM soa_versions WHERE org_id = $1 ORDER BY number DESC LIMIT 1`, orgID).Scan(&number, &fp)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	} else if err != nil {
		return s, err
	}
	s.Latest = number
	if fp != "" {
		s.Changed = fp != isms.SoAFingerprint(isms.Entries(s.Lines))
		return s, nil
	}
	latest, _, err := t.latestSoA(orgID) // a version from before fingerprints
	if err != nil {
		return s, err
	}
	s.Changed = len(isms.DiffSoA(latest.Entries, isms.Entries(s.Lines))) > 0
	return s, nil
}

// soaListColumns are a version's columns without its entries.
const soaListColumns = `v.id, v.org_id, v.number, v.approved_at, v.approved_by, v.approver_role, v.note,
	v.controls, v.included, v.excluded, v.undecided, v.implemented, v.warnings, COALESCE(u.name, '')`

const soaColumns = soaListColumns + `, v.entries`

const soaFrom = ` FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by`

// scanSoAVersion reads a row of soaListColumns, followed by the entries
// when entries is true.
func scanSoAVersion(row interface{ Scan(...any) error }, entries bool) (isms.SoAVersion, error) {
	var v isms.SoAVersion
	var at, js string
	s := &v.Summary
	dest := []any{&v.ID, &v.OrgID, &v.Number, &at, &v.ApprovedBy, &v.ApproverRole, &v.Note,
		&s.Controls, &s.Included, &s.Excluded, &s.Undecided, &s.Implemented, &s.Warnings, &v.ApproverName}
	if entries {
		dest = append(dest, &js)
	}
	if err := row.Scan(dest...); err != nil {
		return v, err
	}
	var err error
	if v.ApprovedAt, err = isms.ParseTime(at); err != nil {
		return v, err
	}
	if !entries {
		return v, nil
	}
	if err := json.Unmarshal([]byte(js), &v.Entries); err != nil {
		return v, fmt.Errorf("SoA version %d: %w", v.Number, err)
	}
	return v, nil
}

// soaVersion reads version number n with its entries.
func (t *tx) soaVersion(orgID string, n int) (isms.SoAVersion, error) {
	return scanSoAVersion(t.QueryRow(`SELECT `+soaColumns+soaFrom+` WHERE v.org_id = $1 AND v.number = $2`, orgID, n), true)
}

func (t *tx) latestSoA(orgID string) (isms.SoAVersion, bool, error) {
	v, err := scanSoAVersion(t.QueryRow(`SELECT `+soaColumns+soaFrom+` WHERE v.org_id = $1 ORDER BY v.number DESC LIMIT 1`, orgID), true)
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
		s := isms.Summarize(lines)
		v = isms.SoAVersion{ID: newID(), OrgID: a.OrgID, Number: latest.Number + 1, ApprovedAt: t.now, ApprovedBy: a.UserID,
			ApproverName: a.UserName, ApproverRole: a.Role, Note: note, Summary: s, Entries: entries}
		if _, err := t.Exec(`INSERT INTO soa_versions (id, org_id, number, approved_at, approved_by, approver_role, note, entries, fingerprint,
			controls, included, excluded, undecided, implemented, warnings)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			v.ID, v.OrgID, v.Number, t.nowText(), v.ApprovedBy, string(v.ApproverRole), v.Note, string(b), isms.SoAFingerprint(v.Entries),
			s.Controls, s.Included, s.Excluded, s.Undecided, s.Implemented, s.Warnings); err != nil {
			return err
		}
		return t.audit(a.OrgID, a.UserID, "soa_version", v.ID, "approve", nil, map[string]any{
			"number": v.Number, "note": v.Note, "controls": s.Controls, "included": s.Included, "excluded": s.Excluded,
			"warnings": s.Warnings, "approver_role": string(a.Role),
		})
	})
	return v, err
}

// SoAVersions lists the published versions, newest first, with their
// summaries but without their entries.
func (db *DB) SoAVersions(ctx context.Context, a isms.Actor) ([]isms.SoAVersion, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.SoAVersion
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = t.soaVersions(a.OrgID)
		return err
	})
	return out, err
}

func (t *tx) soaVersions(orgID string) ([]isms.SoAVersion, error) {
	var out []isms.SoAVersion
	err := t.each(`SELECT `+soaListColumns+soaFrom+` WHERE v.org_id = $1 ORDER BY v.number DESC`, []any{orgID},
		func(rows *sql.Rows) error {
			v, err := scanSoAVersion(rows, false)
			if err != nil {
				return err
			}
			out = append(out, v)
			return nil
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
		v, err = t.soaVersion(a.OrgID, n)
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
			v, err := t.soaVersion(a.OrgID, n)
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
