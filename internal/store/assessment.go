package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// participantsCol scans the stored member ids of an assessment's
// participants (comma-separated).
type participantsCol struct{ ids *[]string }

func (c participantsCol) Scan(src any) error {
	var s string
	if err := (nullText{&s}).Scan(src); err != nil {
		return err
	}
	*c.ids = nil
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*c.ids = append(*c.ids, id)
		}
	}
	return nil
}

var assessments = &table[isms.Assessment]{
	name:       "risk_assessments",
	recordType: "assessment",
	refPrefix:  "RA",
	fields:     isms.AssessmentFields,
	columns: []string{"assessed_on", "scope", "trigger_kind", "participant_ids", "other_participants", "criteria_id", "notes",
		"status", "closed_at", "closed_by"},
	meta: func(x *isms.Assessment) *isms.Meta { return &x.Meta },
	dest: func(x *isms.Assessment) []any {
		return []any{&x.Date, &x.Scope, &x.Trigger, participantsCol{&x.ParticipantIDs}, &x.OtherParticipants, &x.CriteriaID, &x.Notes,
			&x.Status, optTime{&x.ClosedAt}, nullText{&x.ClosedBy}}
	},
	values: func(x *isms.Assessment) []any {
		var closed any
		if x.ClosedAt != nil {
			closed = isms.FormatTime(*x.ClosedAt)
		}
		return []any{x.Date, x.Scope, string(x.Trigger), strings.Join(x.ParticipantIDs, ","), x.OtherParticipants, x.CriteriaID, x.Notes,
			string(x.Status), closed, orNull(x.ClosedBy)}
	},
	fieldsOf: func(x *isms.Assessment) map[string]any { return x.Fields() },
	extra: []extraColumn{
		{"criteria_number", "COALESCE((SELECT c.number FROM risk_criteria c WHERE c.id = risk_assessments.criteria_id), 0)"},
		{"closed_by_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = risk_assessments.closed_by), '')"},
	},
	extraDest: func(x *isms.Assessment) []any { return []any{&x.CriteriaNumber, &x.ClosedByName} },
	// The list page shows neither the notes nor the participants.
	brief:   []string{"participant_ids", "other_participants", "notes"},
	lookups: []string{"closed_by_name"},
	users:   func(x *isms.Assessment) []userRef { return []userRef{{x.ClosedBy, &x.ClosedByName, nil}} },
	// The number of a run's lines comes from the kept counts of every
	// run: counting a run's thousand lines was a tenth of its page. (A
	// write keeps nothing: it counts afresh, and sees its own lines.)
	fill: func(t *tx, orgID string, xs []isms.Assessment) error {
		lines, err := t.snapshotSizes(orgID)
		if err != nil {
			return err
		}
		for i := range xs {
			xs[i].Lines = lines[xs[i].ID]
		}
		return nil
	},
	sorts: map[string]string{
		"date": "assessed_on", "ref": refSortKey, "updated_at": "updated_at", "created_at": "created_at",
	},
	defaultSort: "date",
	filters:     map[string]string{"status": "status", "trigger": "trigger_kind"},
	search:      []string{"scope", "ref", "notes"},
}

// snapshotSizes counts the snapshot lines of each of the organisation's
// runs, kept until its records change (callers must not change the map).
func (t *tx) snapshotSizes(orgID string) (map[string]int, error) {
	v, err := t.kept(orgID, "assessment snapshot sizes", func() (any, error) {
		sizes := map[string]int{}
		err := t.each(`SELECT assessment_id, COUNT(*) FROM risk_assessment_lines WHERE org_id = $1 GROUP BY assessment_id`,
			[]any{orgID}, func(rows *sql.Rows) error {
				var id string
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				sizes[id] = n
				return nil
			})
		return sizes, err
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]int), nil
}

// Assessments lists the organisation's risk assessment runs.
// Contributors, auditors and editors may read them.
func (db *DB) Assessments(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Assessment], error) {
	var page isms.Page[isms.Assessment]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = assessments.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// Assessment returns one run.
func (db *DB) Assessment(ctx context.Context, a isms.Actor, id string) (isms.Assessment, error) {
	var x isms.Assessment
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return x, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		x, err = assessments.get(t, a.OrgID, id)
		return err
	})
	return x, err
}

// AssessmentPage is a risk assessment run with its history.
type AssessmentPage struct {
	Assessment isms.Assessment
	History    []isms.HistoryEntry
}

// AssessmentPage reads a run and its history in one read: on PostgreSQL
// one round trip (see readTogether) instead of two.
func (db *DB) AssessmentPage(ctx context.Context, a isms.Actor, id string) (AssessmentPage, error) {
	var p AssessmentPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		return assessments.getTogether(t, a.OrgID, id, &p.Assessment, assessments.historyReading(a.OrgID, id, &p.History))
	})
	return p, err
}

// checkAssessment checks what needs the database: participants are
// members, and the criteria version is one of the organisation's approved
// (or since superseded) versions.
func (t *tx) checkAssessment(orgID string, x isms.Assessment) error {
	for _, id := range x.ParticipantIDs {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return isms.Invalid("participant_ids", "validation.not_member")
		}
	}
	var status string
	err := t.QueryRow(`SELECT status FROM risk_criteria WHERE org_id = $1 AND id = $2 AND archived_at IS NULL`, orgID, x.CriteriaID).Scan(&status)
	if err != nil || status == string(isms.CriteriaDraft) {
		return isms.Invalid("criteria_id", "validation.assessment_criteria")
	}
	return nil
}

// CreateAssessment records a new, open assessment run (owners and ISMS
// managers). An empty criteria version means the current approved one.
func (db *DB) CreateAssessment(ctx context.Context, a isms.Actor, x isms.Assessment) (isms.Assessment, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	x.Meta = isms.Meta{}
	x.Status, x.ClosedAt, x.ClosedBy = isms.AssessmentOpen, nil, ""
	x.Normalize()
	err := db.write(ctx, func(t *tx) error {
		if x.CriteriaID == "" {
			crit, ok, err := t.currentCriteria(a.OrgID)
			if err != nil {
				return err
			}
			if !ok {
				return isms.Errorf(isms.KindConflict, "error.no_criteria")
			}
			x.CriteriaID = crit.ID
		}
		if err := x.Validate(); err != nil {
			return err
		}
		if err := t.checkAssessment(a.OrgID, x); err != nil {
			return err
		}
		if err := assessments.insert(t, a, &x); err != nil {
			return err
		}
		var err error
		x, err = assessments.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// UpdateAssessment saves changes to an open run read at version base
// (owners and ISMS managers). A closed run is refused: its record and
// snapshot are frozen.
func (db *DB) UpdateAssessment(ctx context.Context, a isms.Actor, x isms.Assessment, base int) (isms.Assessment, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	x.Normalize()
	err := db.write(ctx, func(t *tx) error {
		cur, err := assessments.get(t, a.OrgID, x.ID)
		if err != nil {
			return err
		}
		if cur.Closed() {
			return isms.Errorf(isms.KindConflict, "error.assessment_closed", cur.Ref)
		}
		if cur.Version != base {
			return t.stale(&cur.Meta)
		}
		x.Status, x.ClosedAt, x.ClosedBy = cur.Status, nil, ""
		if x.CriteriaID == "" {
			x.CriteriaID = cur.CriteriaID
		}
		if err := x.Validate(); err != nil {
			return err
		}
		if err := t.checkAssessment(a.OrgID, x); err != nil {
			return err
		}
		if err := assessments.update(t, a, &x, base); err != nil {
			return err
		}
		x, err = assessments.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// CloseAssessment closes the open run read at version base and, in the
// same transaction, freezes a snapshot of every active risk's inherent,
// residual and current rating with its level. Owners and ISMS managers.
func (db *DB) CloseAssessment(ctx context.Context, a isms.Actor, id string, base int) (isms.Assessment, error) {
	var x isms.Assessment
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := assessments.get(t, a.OrgID, id)
		if err != nil {
			return err
		}
		if cur.Closed() {
			return isms.Errorf(isms.KindConflict, "error.assessment_closed", cur.Ref)
		}
		if cur.Version != base {
			return t.stale(&cur.Meta)
		}
		if cur.Archived() {
			return isms.Errorf(isms.KindConflict, "error.already_archived")
		}
		lines, err := t.liveSnapshot(a.OrgID)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if err := t.insertSnapshotLine(a.OrgID, id, l); err != nil {
				return err
			}
		}
		x = cur
		now := t.now
		x.Status, x.ClosedAt, x.ClosedBy = isms.AssessmentClosed, &now, a.UserID
		if err := assessments.update(t, a, &x, base); err != nil {
			return err
		}
		if err := t.audit(a.OrgID, a.UserID, "assessment_snapshot", id, isms.ActionCreate, nil,
			map[string]any{"assessment_id": id, "ref": cur.Ref, "risks": len(lines)}); err != nil {
			return err
		}
		x, err = assessments.get(t, a.OrgID, id)
		return err
	})
	return x, err
}

// liveSnapshot describes every active risk as it stands now.
func (t *tx) liveSnapshot(orgID string) ([]isms.SnapshotLine, error) {
	versions, err := t.criteriaVersions(orgID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]isms.RiskCriteria, len(versions))
	for _, c := range versions {
		byID[c.ID] = c
	}
	rows, err := t.Query(`SELECT `+risks.selectList()+` FROM risks WHERE org_id = $1 AND archived_at IS NULL ORDER BY `+refSortKey+`, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.SnapshotLine
	for rows.Next() {
		r, err := risks.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, isms.SnapshotLineOf(byID[r.CriteriaID], r))
	}
	return out, rows.Err()
}

const snapshotColumns = `risk_id, risk_ref, title, category, owner_name, criteria_id, criteria_number, level_count,
	inherent_likelihood, inherent_consequence, inherent_level, inherent_label, inherent_colour, inherent_rank,
	residual_likelihood, residual_consequence, residual_level, residual_label, residual_colour, residual_rank,
	current_likelihood, current_consequence, current_level, current_label, current_colour, current_rank`

func (t *tx) insertSnapshotLine(orgID, assessmentID string, l isms.SnapshotLine) error {
	vals := []any{orgID, assessmentID, l.RiskID, l.RiskRef, l.Title, l.Category, l.OwnerName, orNull(l.CriteriaID), l.CriteriaNumber, l.LevelCount}
	for _, r := range []isms.SnapRating{l.Inherent, l.Residual, l.Current} {
		vals = append(vals, r.Likelihood, r.Consequence, r.Level, r.Label, r.Colour, r.Rank)
	}
	_, err := t.Exec(`INSERT INTO risk_assessment_lines (org_id, assessment_id, `+snapshotColumns+`) VALUES (`+placeholders(1, len(vals))+`)`, vals...)
	return err
}

func (t *tx) snapshotLines(orgID, assessmentID string) ([]isms.SnapshotLine, error) {
	return t.snapshotRange(orgID, assessmentID, "", nil)
}

// snapshotRange reads a run's snapshot lines in reference order, the
// query ending in more (a LIMIT and OFFSET) with its arguments, numbered
// from $3. A snapshot holds each active risk of one organisation once, so
// references are unique within a run and order its lines fully; it is the
// order of the index on (org_id, assessment_id, risk_ref), so that a page
// needs no sort of the run's lines.
func (t *tx) snapshotRange(orgID, assessmentID, more string, args []any) ([]isms.SnapshotLine, error) {
	rows, err := t.Query(`SELECT `+snapshotColumns+` FROM risk_assessment_lines WHERE org_id = $1 AND assessment_id = $2 ORDER BY risk_ref`+more,
		append([]any{orgID, assessmentID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.SnapshotLine
	for rows.Next() {
		var l isms.SnapshotLine
		dest := []any{&l.RiskID, &l.RiskRef, &l.Title, &l.Category, &l.OwnerName, nullText{&l.CriteriaID}, &l.CriteriaNumber, &l.LevelCount}
		for _, r := range []*isms.SnapRating{&l.Inherent, &l.Residual, &l.Current} {
			dest = append(dest, &r.Likelihood, &r.Consequence, &r.Level, &r.Label, &r.Colour, &r.Rank)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AssessmentSnapshot returns a run's frozen snapshot in reference order;
// an open run has none yet.
func (db *DB) AssessmentSnapshot(ctx context.Context, a isms.Actor, id string) ([]isms.SnapshotLine, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.SnapshotLine
	err := db.read(ctx, func(t *tx) error {
		if _, err := assessments.get(t, a.OrgID, id); err != nil {
			return err
		}
		var err error
		out, err = t.snapshotLines(a.OrgID, id)
		return err
	})
	return out, err
}

// keptSnapshot is a page of a run's snapshot as AssessmentSnapshotPage
// keeps it.
type keptSnapshot []isms.SnapshotLine

// keptBytes is about what the lines hold: the line and its texts.
func (k keptSnapshot) keptBytes() int {
	n := 0
	for _, l := range k {
		n += 400 + len(l.RiskID) + len(l.RiskRef) + len(l.Title) + len(l.Category) + len(l.OwnerName) + len(l.CriteriaID) +
			len(l.Inherent.Label) + len(l.Residual.Label) + len(l.Current.Label)
	}
	return n
}

// AssessmentSnapshotPage returns up to limit lines of a run's frozen
// snapshot, in the reference order of AssessmentSnapshot, skipping the
// first offset; the run's Lines counts them all. Contributors, auditors
// and editors may read it; an unknown run is not found.
func (db *DB) AssessmentSnapshotPage(ctx context.Context, a isms.Actor, id string, offset, limit int) ([]isms.SnapshotLine, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.SnapshotLine
	limit, offset = max(limit, 0), max(offset, 0)
	err := db.read(ctx, func(t *tx) error {
		// A closed run's page is kept: its lines do not change, and
		// reading fifty of them was a third of the page.
		v, err := t.kept(a.OrgID, fmt.Sprintf("snapshot page\x00%s\x00%d\x00%d", id, offset, limit), func() (any, error) {
			lines, err := t.snapshotRange(a.OrgID, id, ` LIMIT $3 OFFSET $4`, []any{limit, offset})
			return keptSnapshot(lines), err
		})
		if err != nil {
			return err
		}
		if out = slices.Clone([]isms.SnapshotLine(v.(keptSnapshot))); len(out) > 0 {
			return nil
		}
		// No lines: is there such a run? (Lines belong only to runs of
		// the organisation, so with lines it exists.)
		if ok, err := assessments.exists(t, a.OrgID, id, false); err != nil {
			return err
		} else if !ok {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		return nil
	})
	return out, err
}

// CompareAssessments compares the snapshot of closed run fromID with that
// of closed run toID, or with the risks as they stand now when toID is
// empty. It returns both runs (the second zero for "now").
func (db *DB) CompareAssessments(ctx context.Context, a isms.Actor, fromID, toID string) (from, to isms.Assessment, cmp isms.Comparison, err error) {
	if err = a.Require(isms.PermReadRegisters); err != nil {
		return
	}
	err = db.read(ctx, func(t *tx) error {
		var before, after []isms.SnapshotLine
		var err error
		if from, before, err = t.closedSnapshot(a.OrgID, "from", fromID); err != nil {
			return err
		}
		if toID == "" {
			after, err = t.liveSnapshot(a.OrgID)
		} else {
			to, after, err = t.closedSnapshot(a.OrgID, "to", toID)
		}
		if err != nil {
			return err
		}
		cmp = isms.CompareSnapshots(before, after)
		return nil
	})
	return
}

func (t *tx) closedSnapshot(orgID, field, id string) (isms.Assessment, []isms.SnapshotLine, error) {
	if id == "" {
		return isms.Assessment{}, nil, isms.Invalid(field, "validation.required")
	}
	x, err := assessments.get(t, orgID, id)
	if isms.ErrorKind(err) == isms.KindNotFound {
		return x, nil, isms.Invalid(field, "validation.assessment_unknown")
	}
	if err != nil {
		return x, nil, err
	}
	if !x.Closed() {
		return x, nil, isms.Invalid(field, "validation.assessment_not_closed")
	}
	lines, err := t.snapshotLines(orgID, id)
	return x, lines, err
}

// AssessmentTrend returns, for every closed run that is not archived,
// oldest first, its count of risks per current level.
func (db *DB) AssessmentTrend(ctx context.Context, a isms.Actor) ([]isms.TrendPoint, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.TrendPoint
	err := db.read(ctx, func(t *tx) error {
		v, err := t.kept(a.OrgID, "assessment trend", func() (any, error) { return t.assessmentTrend(a.OrgID) })
		if err != nil {
			return err
		}
		// Kept values are shared: hand out copies.
		for _, p := range v.([]isms.TrendPoint) {
			p.Levels = slices.Clone(p.Levels)
			p.Run.ParticipantIDs = slices.Clone(p.Run.ParticipantIDs)
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// assessmentTrend counts the snapshot lines of every closed, active run
// per current level in SQL: a few rows per run, however many risks it
// froze. Within a run the groups come in the order of their first line,
// as TrendOfCounts needs: references are unique within a run (see
// snapshotRange), so a group's least reference is its first line's.
func (t *tx) assessmentTrend(orgID string) ([]isms.TrendPoint, error) {
	runs, err := t.closedRuns(orgID)
	if err != nil {
		return nil, err
	}
	// One statement for every run: its groups, by run, in the order of
	// their first line. Whole numbers first: SQLite sorts the lines to
	// group them, and the rank and level count tell most of them apart.
	counts := map[string][]isms.TrendLevel{}
	err = t.each(`SELECT l.assessment_id, l.current_label, l.current_colour, l.current_rank, l.level_count, COUNT(*)
		FROM risk_assessments r CROSS JOIN risk_assessment_lines l
		WHERE r.org_id = $1 AND r.archived_at IS NULL AND r.status = 'closed'
		AND l.org_id = r.org_id AND l.assessment_id = r.id
		GROUP BY l.assessment_id, l.current_rank, l.level_count, l.current_label, l.current_colour
		ORDER BY l.assessment_id, MIN(l.risk_ref)`, []any{orgID}, func(rows *sql.Rows) error {
		var run string
		var c isms.TrendLevel
		if err := rows.Scan(&run, &c.Label, &c.Colour, &c.Rank, &c.Of, &c.Count); err != nil {
			return err
		}
		counts[run] = append(counts[run], c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]isms.TrendPoint, 0, len(runs))
	for _, r := range runs {
		out = append(out, isms.TrendOfCounts(r, counts[r.ID]))
	}
	return out, nil
}

func (t *tx) closedRuns(orgID string) ([]isms.Assessment, error) {
	rows, err := t.Query(`SELECT `+assessments.selectList()+` FROM risk_assessments
		WHERE org_id = $1 AND archived_at IS NULL AND status = 'closed' ORDER BY assessed_on, ref, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.Assessment
	for rows.Next() {
		x, err := assessments.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, assessments.fill(t, orgID, out)
}

// scheduledRunDates reads what the next broad assessment's due date needs
// of each closed, active, scheduled run: its id, reference and date, not
// its participants, criteria or line count (the dashboard asks on every
// view).
func (t *tx) scheduledRunDates(orgID string) ([]isms.Assessment, error) {
	rows, err := t.Query(`SELECT id, ref, assessed_on FROM risk_assessments
		WHERE org_id = $1 AND archived_at IS NULL AND status = 'closed' AND trigger_kind = $2`, orgID, string(isms.TriggerScheduled))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.Assessment
	for rows.Next() {
		x := isms.Assessment{Status: isms.AssessmentClosed, Trigger: isms.TriggerScheduled}
		if err := rows.Scan(&x.ID, &x.Ref, &x.Date); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ClosedAssessments lists the closed runs that are not archived, oldest
// first (for choosing runs to compare and for the due date).
func (db *DB) ClosedAssessments(ctx context.Context, a isms.Actor) ([]isms.Assessment, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Assessment
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = t.closedRuns(a.OrgID)
		return err
	})
	return out, err
}

// NextBroadAssessment works out when the organisation's next broad risk
// assessment is due, on the organisation's today.
func (db *DB) NextBroadAssessment(ctx context.Context, a isms.Actor) (isms.AssessmentDue, error) {
	var due isms.AssessmentDue
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return due, err
	}
	err := db.read(ctx, func(t *tx) error {
		// The dashboard shows it on every view: the runs are kept until
		// the organisation's records change, as is its time zone.
		runs, err := t.kept(a.OrgID, "scheduled runs", func() (any, error) { return t.scheduledRunDates(a.OrgID) })
		if err != nil {
			return err
		}
		today, err := t.today(a.OrgID)
		if err != nil {
			return err
		}
		due = isms.NextBroadAssessment(runs.([]isms.Assessment), today)
		return nil
	})
	return due, err
}

// ArchiveAssessment archives or restores a run (owners and ISMS
// managers). Archiving hides a run recorded by mistake; its snapshot is
// kept unchanged.
func (db *DB) ArchiveAssessment(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Assessment, error) {
	var x isms.Assessment
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		if x, err = assessments.setArchived(t, a, id, base, archive); err != nil {
			return err
		}
		x, err = assessments.get(t, a.OrgID, id)
		return err
	})
	return x, err
}

// AssessmentHistory lists a run's changes, oldest first.
func (db *DB) AssessmentHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = assessments.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}
