package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// jsonCol scans a JSON text column into v.
type jsonCol struct{ v any }

func (j jsonCol) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, j.v)
}

func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

var riskCriteria = &table[isms.RiskCriteria]{
	name:       "risk_criteria",
	recordType: "risk_criteria",
	fields:     isms.RiskCriteriaFields,
	columns: []string{"number", "status", "name", "approach", "currency", "notes", "likelihood", "consequence",
		"dimensions", "levels", "matrix", "accept_level", "category_acceptance", "approved_by", "approved_at", "based_on_id"},
	meta: func(c *isms.RiskCriteria) *isms.Meta { return &c.Meta },
	dest: func(c *isms.RiskCriteria) []any {
		return []any{&c.Number, &c.Status, &c.Name, &c.Approach, &c.Currency, &c.Notes,
			jsonCol{&c.Likelihood}, jsonCol{&c.Consequence}, jsonCol{&c.Dimensions}, jsonCol{&c.Levels}, jsonCol{&c.Matrix},
			&c.AcceptLevel, jsonCol{&c.CategoryAcceptance}, nullText{&c.ApprovedBy}, optTime{&c.ApprovedAt}, &c.BasedOnID}
	},
	values: func(c *isms.RiskCriteria) []any {
		var at any
		if c.ApprovedAt != nil {
			at = isms.FormatTime(*c.ApprovedAt)
		}
		return []any{c.Number, string(c.Status), c.Name, string(c.Approach), c.Currency, c.Notes,
			jsonValue(c.Likelihood), jsonValue(c.Consequence), jsonValue(c.Dimensions), jsonValue(c.Levels), jsonValue(c.Matrix),
			c.AcceptLevel, jsonValue(c.CategoryAcceptance), orNull(c.ApprovedBy), at, c.BasedOnID}
	},
	fieldsOf:    func(c *isms.RiskCriteria) map[string]any { return c.Fields() },
	extra:       []extraColumn{{"approved_by_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = risk_criteria.approved_by), '')"}},
	extraDest:   func(c *isms.RiskCriteria) []any { return []any{&c.ApprovedByName} },
	sorts:       map[string]string{"number": "number"},
	defaultSort: "number",
}

// optTime scans a nullable TimeLayout text column into a *time.Time.
type optTime struct{ p **time.Time }

func (o optTime) Scan(src any) error {
	var s string
	if err := (nullText{&s}).Scan(src); err != nil {
		return err
	}
	if s == "" {
		*o.p = nil
		return nil
	}
	t, err := isms.ParseTime(s)
	if err != nil {
		return err
	}
	*o.p = &t
	return nil
}

// criteriaWhere reads the organisation's criteria version matching cond.
func (t *tx) criteriaWhere(orgID, cond string, args ...any) (isms.RiskCriteria, bool, error) {
	row := t.QueryRow(`SELECT `+riskCriteria.selectList()+` FROM risk_criteria WHERE org_id = $1 AND `+cond, append([]any{orgID}, args...)...)
	c, err := riskCriteria.scan(row)
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Normalize()
	return c, true, nil
}

func (t *tx) currentCriteria(orgID string) (isms.RiskCriteria, bool, error) {
	return t.criteriaWhere(orgID, `status = 'approved'`)
}

func (t *tx) draftCriteria(orgID string) (isms.RiskCriteria, bool, error) {
	return t.criteriaWhere(orgID, `status = 'draft' AND archived_at IS NULL`)
}

// CurrentCriteria returns the approved risk criteria in force in the
// actor's organisation; false when none has been approved yet. Every role
// that reads registers may read it.
func (db *DB) CurrentCriteria(ctx context.Context, a isms.Actor) (isms.RiskCriteria, bool, error) {
	var c isms.RiskCriteria
	var ok bool
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return c, false, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		c, ok, err = t.keptCurrentCriteria(a.OrgID)
		return err
	})
	return c, ok, err
}

// DraftCriteria returns the organisation's draft criteria version, if any.
func (db *DB) DraftCriteria(ctx context.Context, a isms.Actor) (isms.RiskCriteria, bool, error) {
	var c isms.RiskCriteria
	var ok bool
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return c, false, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		c, ok, err = t.draftCriteria(a.OrgID)
		return err
	})
	return c, ok, err
}

// CriteriaVersion returns one criteria version of the organisation.
func (db *DB) CriteriaVersion(ctx context.Context, a isms.Actor, id string) (isms.RiskCriteria, error) {
	var c isms.RiskCriteria
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return c, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		c, err = riskCriteria.get(t, a.OrgID, id)
		c.Normalize()
		return err
	})
	return c, err
}

// CriteriaVersions lists every criteria version of the organisation,
// newest first, discarded drafts included (they are archived).
func (db *DB) CriteriaVersions(ctx context.Context, a isms.Actor) ([]isms.RiskCriteria, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.RiskCriteria
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = t.keptCriteria(a.OrgID)
		return err
	})
	return out, err
}

// keptCriteria is criteriaVersions kept until the organisation's records
// change (the risk and asset lists show levels and scales from them on
// every view, and decoding them was a twentieth of those pages); each
// caller gets its own copy.
func (t *tx) keptCriteria(orgID string) ([]isms.RiskCriteria, error) {
	vs, err := t.sharedCriteria(orgID)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, nil
	}
	out := make([]isms.RiskCriteria, len(vs))
	for i, c := range vs {
		out[i] = c.Clone()
	}
	return out, nil
}

// keptCurrentCriteria is currentCriteria from the kept versions: the
// approved version in force, the caller's own copy; false when none is.
func (t *tx) keptCurrentCriteria(orgID string) (isms.RiskCriteria, bool, error) {
	vs, err := t.sharedCriteria(orgID)
	for _, v := range vs {
		if v.Status == isms.CriteriaApproved {
			return v.Clone(), true, err
		}
	}
	return isms.RiskCriteria{}, false, err
}

// sharedCriteria returns the organisation's criteria versions, newest
// first, kept until its records change; callers must not change them.
func (t *tx) sharedCriteria(orgID string) ([]isms.RiskCriteria, error) {
	v, err := t.kept(orgID, "risk_criteria", func() (any, error) { return t.criteriaVersions(orgID) })
	if err != nil {
		return nil, err
	}
	return v.([]isms.RiskCriteria), nil
}

func (t *tx) criteriaVersions(orgID string) ([]isms.RiskCriteria, error) {
	rows, err := t.Query(`SELECT `+riskCriteria.selectList()+` FROM risk_criteria WHERE org_id = $1 ORDER BY number DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.RiskCriteria
	for rows.Next() {
		c, err := riskCriteria.scan(rows)
		if err != nil {
			return nil, err
		}
		c.Normalize()
		out = append(out, c)
	}
	return out, rows.Err()
}

// insertDraft stores c as the organisation's new draft version.
func (t *tx) insertDraft(a isms.Actor, c *isms.RiskCriteria) error {
	if _, ok, err := t.draftCriteria(a.OrgID); err != nil {
		return err
	} else if ok {
		return isms.Errorf(isms.KindConflict, "error.criteria_draft_exists")
	}
	if err := t.QueryRow(`SELECT COALESCE(MAX(number), 0) + 1 FROM risk_criteria WHERE org_id = $1`, a.OrgID).Scan(&c.Number); err != nil {
		return err
	}
	c.Status, c.ApprovedBy, c.ApprovedAt = isms.CriteriaDraft, "", nil
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return riskCriteria.insert(t, a, c)
}

// StartCriteria creates a draft from one of the presets (isms.Presets).
// Owners and ISMS managers only; there may be only one draft at a time.
func (db *DB) StartCriteria(ctx context.Context, a isms.Actor, preset string) (isms.RiskCriteria, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return isms.RiskCriteria{}, err
	}
	c, ok := isms.Preset(preset)
	if !ok {
		return c, isms.Invalid("preset", "validation.choice")
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.insertDraft(a, &c); err != nil {
			return err
		}
		var err error
		c, err = riskCriteria.get(t, a.OrgID, c.ID)
		c.Normalize()
		return err
	})
	return c, err
}

// ReviseCriteria starts a new draft version copied from the approved one:
// approved criteria are never changed in place. Owners and ISMS managers.
func (db *DB) ReviseCriteria(ctx context.Context, a isms.Actor) (isms.RiskCriteria, error) {
	var c isms.RiskCriteria
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return c, err
	}
	err := db.write(ctx, func(t *tx) error {
		cur, ok, err := t.currentCriteria(a.OrgID)
		if err != nil {
			return err
		}
		if !ok {
			return isms.Errorf(isms.KindConflict, "error.no_criteria")
		}
		c = cur.Clone()
		c.Meta, c.BasedOnID = isms.Meta{}, cur.ID
		if err := t.insertDraft(a, &c); err != nil {
			return err
		}
		c, err = riskCriteria.get(t, a.OrgID, c.ID)
		c.Normalize()
		return err
	})
	return c, err
}

// UpdateCriteriaDraft saves changes to the draft read at version base.
// The whole draft is validated on every save: a gap in a scale, an
// unpainted cell or an unknown acceptance level is refused with the
// offending field named. Owners and ISMS managers.
func (db *DB) UpdateCriteriaDraft(ctx context.Context, a isms.Actor, c isms.RiskCriteria, base int) (isms.RiskCriteria, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return c, err
	}
	c.Normalize()
	err := db.write(ctx, func(t *tx) error {
		cur, err := riskCriteria.get(t, a.OrgID, c.ID)
		if err != nil {
			return err
		}
		if cur.Status != isms.CriteriaDraft || cur.Archived() {
			return isms.Errorf(isms.KindConflict, "error.criteria_not_draft")
		}
		c.Number, c.Status, c.ApprovedBy, c.ApprovedAt, c.BasedOnID = cur.Number, cur.Status, "", nil, cur.BasedOnID
		if err := c.Validate(); err != nil {
			return err
		}
		if err := riskCriteria.update(t, a, &c, base); err != nil {
			return err
		}
		c, err = riskCriteria.get(t, a.OrgID, c.ID)
		c.Normalize()
		return err
	})
	return c, err
}

// ApproveCriteria approves the draft read at version base and puts it in
// force; the previously approved version becomes superseded. Only an
// organisation owner approves. Risks rated under the superseded version
// keep their ratings until they are re-rated.
func (db *DB) ApproveCriteria(ctx context.Context, a isms.Actor, id string, base int) (isms.RiskCriteria, error) {
	var c isms.RiskCriteria
	if err := a.Require(isms.PermManageOrg); err != nil {
		return c, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		if c, err = riskCriteria.get(t, a.OrgID, id); err != nil {
			return err
		}
		c.Normalize()
		if c.Version != base {
			return t.stale(&c.Meta)
		}
		if c.Status != isms.CriteriaDraft || c.Archived() {
			return isms.Errorf(isms.KindConflict, "error.criteria_not_draft")
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if old, ok, err := t.currentCriteria(a.OrgID); err != nil {
			return err
		} else if ok {
			old.Status = isms.CriteriaSuperseded
			if err := riskCriteria.update(t, a, &old, old.Version); err != nil {
				return err
			}
		}
		at := t.now
		c.Status, c.ApprovedBy, c.ApprovedAt = isms.CriteriaApproved, a.UserID, &at
		if err := riskCriteria.update(t, a, &c, base); err != nil {
			return err
		}
		c, err = riskCriteria.get(t, a.OrgID, id)
		c.Normalize()
		return err
	})
	return c, err
}

// DiscardCriteriaDraft archives the draft read at version base, so that a
// new one can be started. Owners and ISMS managers.
func (db *DB) DiscardCriteriaDraft(ctx context.Context, a isms.Actor, id string, base int) error {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		cur, err := riskCriteria.get(t, a.OrgID, id)
		if err != nil {
			return err
		}
		if cur.Status != isms.CriteriaDraft {
			return isms.Errorf(isms.KindConflict, "error.criteria_not_draft")
		}
		_, err = riskCriteria.setArchived(t, a, id, base, true)
		return err
	})
}

// CriteriaHistory lists a criteria version's changes, oldest first.
func (db *DB) CriteriaHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = riskCriteria.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// CriteriaSet returns every criteria version of the organisation, indexed,
// with the approved one in force.
func (db *DB) CriteriaSet(ctx context.Context, a isms.Actor) (isms.CriteriaSet, error) {
	vs, err := db.CriteriaVersions(ctx, a)
	if err != nil {
		return isms.CriteriaSet{}, err
	}
	return isms.NewCriteriaSet(vs), nil
}
