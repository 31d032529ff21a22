package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// dimsCol scans stored per-dimension consequence values.
type dimsCol struct{ m *map[string]int }

func (d dimsCol) Scan(src any) error {
	var s string
	if err := (nullText{&s}).Scan(src); err != nil {
		return err
	}
	*d.m = isms.ParseDims(s)
	return nil
}

// treatmentCol scans stored treatment options.
type treatmentCol struct{ o *[]isms.TreatmentOption }

func (c treatmentCol) Scan(src any) error {
	var s string
	if err := (nullText{&s}).Scan(src); err != nil {
		return err
	}
	*c.o = isms.ParseTreatment(s)
	return nil
}

// boolCol scans an INTEGER 0/1 column.
type boolCol struct{ b *bool }

func (c boolCol) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		*c.b = x != 0
	case bool:
		*c.b = x
	case nil:
		*c.b = false
	default:
		return fmt.Errorf("bool column: unexpected %T", src)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// actionsOfRisk counts a risk's treatment actions; cancelled and archived
// ones do not count (actionCounts), done ones are counted apart
// (actionDone).
const (
	actionsOfRisk = `FROM actions x WHERE x.org_id = risks.org_id AND x.serves_type = 'risk' AND x.serves_id = risks.id AND x.archived_at IS NULL`
	actionCounts  = `status <> 'cancelled'`
	actionDone    = `status = 'done'`
)

var risks = &table[isms.Risk]{
	name:       "risks",
	recordType: "risk",
	refPrefix:  "R",
	fields:     isms.RiskFields,
	columns: []string{"kind", "title", "description", "causes", "impacts", "category", "owner_id", "cia", "existing_controls",
		"criteria_id", "criteria_number",
		"inherent_likelihood", "inherent_consequence", "inherent_dims", "inherent_level", "inherent_rank",
		"residual_likelihood", "residual_consequence", "residual_dims", "residual_level", "residual_rank",
		"treatment", "treatment_notes", "priority", "sort_priority", "next_review", "status",
		"plan_approved_at", "accepted_until", "accept_concession"},
	meta: func(r *isms.Risk) *isms.Meta { return &r.Meta },
	dest: func(r *isms.Risk) []any {
		var sortPriority int
		return []any{&r.Kind, &r.Title, &r.Description, &r.Causes, &r.Impacts, &r.Category, nullText{&r.OwnerID}, &r.CIA, &r.ExistingControls,
			nullText{&r.CriteriaID}, &r.CriteriaNumber,
			&r.Inherent.Likelihood, &r.Inherent.Consequence, dimsCol{&r.Inherent.Dims}, &r.Inherent.Level, &r.Inherent.Rank,
			&r.Residual.Likelihood, &r.Residual.Consequence, dimsCol{&r.Residual.Dims}, &r.Residual.Level, &r.Residual.Rank,
			treatmentCol{&r.Treatment}, &r.TreatmentNotes, &r.Priority, &sortPriority, &r.NextReview, &r.Status,
			&r.PlanApprovedAt, &r.AcceptedUntil, boolCol{&r.AcceptConcession}}
	},
	values: func(r *isms.Risk) []any {
		return []any{string(r.Kind), r.Title, r.Description, r.Causes, r.Impacts, r.Category, orNull(r.OwnerID), r.CIA, r.ExistingControls,
			orNull(r.CriteriaID), r.CriteriaNumber,
			r.Inherent.Likelihood, r.Inherent.Consequence, r.Inherent.DimsText(), r.Inherent.Level, r.Inherent.Rank,
			r.Residual.Likelihood, r.Residual.Consequence, r.Residual.DimsText(), r.Residual.Level, r.Residual.Rank,
			isms.TreatmentText(r.Treatment), r.TreatmentNotes, r.Priority, r.SortPriority(), r.NextReview, string(r.Status),
			r.PlanApprovedAt, r.AcceptedUntil, boolInt(r.AcceptConcession)}
	},
	fieldsOf: func(r *isms.Risk) map[string]any { return r.Fields() },
	extra: []extraColumn{
		{"owner_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = risks.owner_id), '')"},
		{"actions_total", "(SELECT COUNT(*) " + actionsOfRisk + " AND x." + actionCounts + ")"},
		{"actions_done", "(SELECT COUNT(*) " + actionsOfRisk + " AND x." + actionDone + ")"},
	},
	extraDest: func(r *isms.Risk) []any { return []any{&r.OwnerName, &r.ActionsTotal, &r.ActionsDone} },
	sorts: map[string]string{
		"ref": refSortKey, "title": "lower(title)", "priority": "sort_priority", "level": "inherent_rank", "residual": "residual_rank",
		"next_review": "next_review", "status": "status", "updated_at": "updated_at", "created_at": "created_at",
	},
	defaultSort: "priority",
	filters: map[string]string{
		"status": "status", "owner_id": "owner_id", "kind": "kind", "inherent_level": "inherent_level",
		"residual_level": "residual_level", "category": "category", "criteria_id": "criteria_id",
	},
	conds: map[string]func(string, func(any) string) (string, error){
		// inherent_cell=L-C and residual_cell=L-C select one matrix cell
		// (heat map clicks; combine with criteria_id).
		"inherent_cell": cellCond("inherent"),
		"residual_cell": cellCond("residual"),
		// acceptance=none|valid|expired|concession.
		// Risks adds "@<today>" so that the store's clock decides.
		"acceptance": func(v string, arg func(any) string) (string, error) {
			v, today, ok := strings.Cut(v, "@")
			if !ok || !isms.ValidDate(today) {
				today = time.Now().UTC().Format(isms.DateLayout)
			}
			switch v {
			case "none":
				return "accepted_until = ''", nil
			case "valid":
				return "accepted_until <> '' AND accepted_until >= " + arg(today), nil
			case "expired":
				return "accepted_until > '' AND accepted_until < " + arg(today), nil
			case "concession":
				return "accepted_until <> '' AND accept_concession = 1", nil
			}
			return "", isms.Invalid("acceptance", "validation.choice")
		},
		// review_before=YYYY-MM-DD: next review due before that day.
		"review_before": func(v string, arg func(any) string) (string, error) {
			if !isms.ValidDate(v) {
				return "", isms.Invalid("review_before", "validation.date")
			}
			return "next_review > '' AND next_review < " + arg(v), nil
		},
	},
	search:        []string{"title", "description", "ref", "category"},
	searchIndexed: true,
	brief: []string{"description", "causes", "impacts", "existing_controls", "treatment_notes", "inherent_dims", "residual_dims",
		"cia", "inherent_rank", "residual_rank", "priority", "sort_priority", "plan_approved_at"},
	lookups: []string{"owner_name", "actions_total", "actions_done"},
	users:   func(r *isms.Risk) []userRef { return []userRef{{r.OwnerID, &r.OwnerName, nil}} },
	fillLookups: func(t *tx, orgID string, rs []isms.Risk) error {
		counts, err := t.riskActionCounts(orgID)
		if err != nil {
			return err
		}
		for i := range rs {
			c := counts[rs[i].ID]
			rs[i].ActionsTotal, rs[i].ActionsDone = c[0], c[1]
		}
		return nil
	},
}

// riskActionCounts returns, for each risk of the organisation with
// treatment actions, how many count (all but cancelled ones) and how many
// are done: what a brief risk list shows, kept until the organisation's
// records change rather than counted twice per row of every page.
func (t *tx) riskActionCounts(orgID string) (map[string][2]int, error) {
	v, err := t.kept(orgID, "risk action counts", func() (any, error) {
		counts := map[string][2]int{}
		err := t.each(`SELECT serves_id, SUM(CASE WHEN `+actionCounts+` THEN 1 ELSE 0 END), SUM(CASE WHEN `+actionDone+` THEN 1 ELSE 0 END)
			FROM actions WHERE org_id = $1 AND serves_type = 'risk' AND archived_at IS NULL GROUP BY serves_id`, []any{orgID},
			func(rows *sql.Rows) error {
				var id string
				var c [2]int
				if err := rows.Scan(&id, &c[0], &c[1]); err != nil {
					return err
				}
				counts[id] = c
				return nil
			})
		return counts, err
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string][2]int), nil // kept: read, never changed
}

func cellCond(prefix string) func(string, func(any) string) (string, error) {
	return func(v string, arg func(any) string) (string, error) {
		ls, cs, ok := strings.Cut(v, "-")
		l, err1 := strconv.Atoi(ls)
		c, err2 := strconv.Atoi(cs)
		if !ok || err1 != nil || err2 != nil || l < 1 || c < 1 || l > isms.MaxScaleLevels || c > isms.MaxScaleLevels {
			return "", isms.Invalid(prefix+"_cell", "validation.cell")
		}
		return fmt.Sprintf("%s_likelihood = %s AND %s_consequence = %s", prefix, arg(l), prefix, arg(c)), nil
	}
}

// Risks lists the risk register.
func (db *DB) Risks(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Risk], error) {
	var page isms.Page[isms.Risk]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		if v := q.Filters["acceptance"]; v != "" {
			today, err := t.today(a.OrgID)
			if err != nil {
				return err
			}
			q.Filters = copyFilters(q.Filters)
			q.Filters["acceptance"] = strings.SplitN(v, "@", 2)[0] + "@" + today
		}
		var err error
		page, err = risks.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

func copyFilters(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Risk returns one risk.
func (db *DB) Risk(ctx context.Context, a isms.Actor, id string) (isms.Risk, error) {
	var r isms.Risk
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return r, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		r, err = risks.get(t, a.OrgID, id)
		return err
	})
	return r, err
}

// CanEditRisk reports whether the actor may change risk r: owners and
// ISMS managers any risk, contributors the risks they own.
func CanEditRisk(a isms.Actor, r isms.Risk) bool {
	return canEditRisk(a, r) == nil
}

func canEditRisk(a isms.Actor, r isms.Risk) error {
	if a.Can(isms.PermWriteRegisters) || (a.Can(isms.PermWriteOwned) && r.OwnerID != "" && r.OwnerID == a.UserID) {
		return nil
	}
	return isms.Errorf(isms.KindForbidden, "error.forbidden")
}

// CanDecideRisk reports whether the actor may approve the treatment plan
// of r and accept its residual risk: its risk owner, or an organisation
// owner.
func CanDecideRisk(a isms.Actor, r isms.Risk) bool {
	return a.OrgID != "" && a.UserID != "" && ((r.OwnerID != "" && r.OwnerID == a.UserID) || a.Role == isms.RoleOwner)
}

// checkRiskOwner: a risk owner is a member who may keep risks (owner, ISMS
// manager or contributor).
func (t *tx) checkRiskOwner(orgID, userID string) error {
	if userID == "" {
		return nil
	}
	var role string
	err := t.QueryRow(`SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&role)
	if err != nil || !isms.Role(role).Can(isms.PermWriteOwned) {
		return isms.Invalid("owner_id", "validation.risk_owner")
	}
	return nil
}

// rateRisk checks and computes r's ratings against the criteria they are
// made under. New ratings are always made under the current approved
// criteria; a risk rated under an older version keeps those ratings
// unchanged until it is re-rated under the current one.
func (t *tx) rateRisk(a isms.Actor, r *isms.Risk, cur *isms.Risk) error {
	crit, hasCrit, err := t.currentCriteria(a.OrgID)
	if err != nil {
		return err
	}
	rated := r.Inherent.Rated() || r.Residual.Rated() || r.Inherent.Likelihood+r.Inherent.Consequence+r.Residual.Likelihood+r.Residual.Consequence > 0 ||
		len(r.Inherent.Dims) > 0 || len(r.Residual.Dims) > 0
	if !rated {
		r.CriteriaID, r.CriteriaNumber = "", 0
		r.Inherent, r.Residual = isms.Rating{}, isms.Rating{}
		return nil
	}
	if r.CriteriaID == "" {
		if cur != nil && cur.CriteriaID != "" {
			r.CriteriaID = cur.CriteriaID
		} else if hasCrit {
			r.CriteriaID = crit.ID
		}
	}
	switch {
	case !hasCrit:
		return isms.Invalid("inherent_likelihood", "validation.no_criteria")
	case r.CriteriaID == crit.ID:
	case cur != nil && r.CriteriaID == cur.CriteriaID:
		// Still under the older version: only unchanged ratings may stay.
		if !r.Inherent.Same(cur.Inherent) || !r.Residual.Same(cur.Residual) {
			return isms.Invalid("inherent_likelihood", "validation.rerate_required", cur.CriteriaNumber, crit.Number)
		}
		r.Inherent, r.Residual, r.CriteriaNumber = cur.Inherent, cur.Residual, cur.CriteriaNumber
		return nil
	default:
		return isms.Invalid("criteria_id", "validation.criteria_version")
	}
	// A risk that is only retained keeps its inherent rating as residual.
	if !r.Residual.Rated() && r.Residual.Likelihood == 0 && r.Residual.Consequence == 0 && len(r.Residual.Dims) == 0 &&
		len(r.Treatment) > 0 && r.HasTreatment(isms.TreatRetain) && len(r.Treatment) == 1 {
		r.Residual = r.Inherent
	}
	var p isms.Problems
	in, err1 := crit.Rate("inherent", r.Inherent)
	res, err2 := crit.Rate("residual", r.Residual)
	for _, e := range []error{err1, err2} {
		if e != nil {
			for _, f := range isms.AsError(e).Fields {
				p.Add(f.Field, f.Msg.Key, f.Msg.Args...)
			}
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	if res.Rated() && !in.Rated() {
		return isms.Invalid("inherent_likelihood", "validation.inherent_first")
	}
	r.Inherent, r.Residual, r.CriteriaNumber = in, res, crit.Number
	return nil
}

// riskInput is the common part of creating and changing a risk.
func (t *tx) prepareRisk(a isms.Actor, r *isms.Risk, cur *isms.Risk) error {
	if err := t.checkRiskOwner(a.OrgID, r.OwnerID); err != nil {
		return err
	}
	if err := t.rateRisk(a, r, cur); err != nil {
		return err
	}
	if cur != nil {
		r.PlanApprovedAt, r.AcceptedUntil, r.AcceptConcession = cur.PlanApprovedAt, cur.AcceptedUntil, cur.AcceptConcession
		residualChanged := !r.Residual.Same(cur.Residual) || r.CriteriaID != cur.CriteriaID
		if residualChanged || isms.TreatmentText(r.Treatment) != isms.TreatmentText(cur.Treatment) {
			if err := t.voidDecisions(a, r.ID, isms.DecisionPlanApproval, "treatment_changed"); err != nil {
				return err
			}
			r.PlanApprovedAt = ""
		}
		if residualChanged {
			if err := t.voidDecisions(a, r.ID, isms.DecisionAcceptance, "residual_changed"); err != nil {
				return err
			}
			r.AcceptedUntil, r.AcceptConcession = "", false
		}
	}
	r.Status = r.DeriveStatus()
	return nil
}

// CreateRisk adds a risk to the register, with optional links from it
// (e.g. the asset, threat and vulnerability of an asset-based risk), all
// in one transaction. Owners and ISMS managers may create any risk;
// contributors only risks they own themselves (an empty owner becomes
// them). Ratings are made under the current approved criteria.
func (db *DB) CreateRisk(ctx context.Context, a isms.Actor, r isms.Risk, links ...isms.Link) (isms.Risk, error) {
	r.Meta = isms.Meta{}
	r.Normalize()
	switch {
	case a.Can(isms.PermWriteRegisters):
	case a.Can(isms.PermWriteOwned):
		if r.OwnerID == "" {
			r.OwnerID = a.UserID
		}
		if r.OwnerID != a.UserID {
			return r, isms.Invalid("owner_id", "validation.reassign_risk")
		}
	default:
		return r, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	r.PlanApprovedAt, r.AcceptedUntil, r.AcceptConcession = "", "", false
	err := db.write(ctx, func(t *tx) error {
		if err := t.prepareRisk(a, &r, nil); err != nil {
			return err
		}
		if err := risks.insert(t, a, &r); err != nil {
			return err
		}
		for _, l := range links {
			l.FromType, l.FromID = "risk", r.ID
			if err := t.link(a, l); err != nil {
				return err
			}
		}
		var err error
		r, err = risks.get(t, a.OrgID, r.ID)
		return err
	})
	return r, err
}

// UpdateRisk saves changes to a risk read at version base. Contributors
// may change only risks they own and cannot hand them to someone else.
// Changing the expected residual rating voids the owner's acceptance, and
// changing it or the treatment options voids the plan approval.
func (db *DB) UpdateRisk(ctx context.Context, a isms.Actor, r isms.Risk, base int) (isms.Risk, error) {
	if err := a.Require(isms.PermWriteOwned); err != nil {
		return r, err
	}
	r.Normalize()
	err := db.write(ctx, func(t *tx) error {
		cur, err := risks.get(t, a.OrgID, r.ID)
		if err != nil {
			return err
		}
		if err := canEditRisk(a, cur); err != nil {
			return err
		}
		if !a.Can(isms.PermWriteRegisters) && r.OwnerID != cur.OwnerID {
			return isms.Invalid("owner_id", "validation.reassign_risk")
		}
		if err := r.Validate(); err != nil {
			return err
		}
		if cur.Version != base {
			return t.stale(&cur.Meta)
		}
		if err := t.prepareRisk(a, &r, &cur); err != nil {
			return err
		}
		if err := risks.update(t, a, &r, base); err != nil {
			return err
		}
		r, err = risks.get(t, a.OrgID, r.ID)
		return err
	})
	return r, err
}

// ArchiveRisk archives (archive=true) or restores a risk read at version
// base. Owners and ISMS managers.
func (db *DB) ArchiveRisk(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Risk, error) {
	var r isms.Risk
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return r, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		r, err = risks.setArchived(t, a, id, base, archive)
		return err
	})
	return r, err
}

// RiskHistory lists a risk's changes, oldest first; re-ratings show the
// criteria version and the levels before and after.
func (db *DB) RiskHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = risks.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// LinkRisk links a risk to another record (an asset, threat,
// vulnerability or control). Whoever may edit the risk may link it. A
// record type that Holdfast does not know is an invalid-kind error.
func (db *DB) LinkRisk(ctx context.Context, a isms.Actor, riskID, toType, toID, note string) error {
	if err := a.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		cur, err := risks.get(t, a.OrgID, riskID)
		if err != nil {
			return err
		}
		if err := canEditRisk(a, cur); err != nil {
			return err
		}
		return t.link(a, isms.Link{FromType: "risk", FromID: riskID, ToType: toType, ToID: toID, Note: note})
	})
}

// UnlinkRisk removes a link from a risk; whoever may edit the risk may.
func (db *DB) UnlinkRisk(ctx context.Context, a isms.Actor, riskID, toType, toID string) error {
	if err := a.Require(isms.PermWriteOwned); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		cur, err := risks.get(t, a.OrgID, riskID)
		if err != nil {
			return err
		}
		if err := canEditRisk(a, cur); err != nil {
			return err
		}
		return t.unlink(a, isms.Link{FromType: "risk", FromID: riskID, ToType: toType, ToID: toID})
	})
}

// Linkable reports whether records of type typ can be linked (their
// register exists in this build).
func Linkable(typ string) bool { _, ok := linkable[typ]; return ok }

// LinkOption is a record offered in a link picker.
type LinkOption struct{ ID, Ref, Title string }

// LinkOptions lists up to 500 active records of type typ for a picker,
// ordered by reference; an unknown type gives none.
func (db *DB) LinkOptions(ctx context.Context, a isms.Actor, typ string) ([]LinkOption, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	l, ok := linkable[typ]
	if !ok {
		return nil, nil
	}
	var out []LinkOption
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT id, `+l.ref+`, `+l.title+` FROM `+l.table+` WHERE org_id = $1 AND archived_at IS NULL ORDER BY `+l.ref+` LIMIT 500`, a.OrgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o LinkOption
			if err := rows.Scan(&o.ID, &o.Ref, &o.Title); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// RiskCategories lists the categories in use, for filters and suggestions.
func (db *DB) RiskCategories(ctx context.Context, a isms.Actor) ([]string, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []string
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT DISTINCT category FROM risks WHERE org_id = $1 AND category <> '' AND archived_at IS NULL ORDER BY category LIMIT 200`, a.OrgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// ActiveRisks returns every active risk in priority order, for exports.
func (db *DB) ActiveRisks(ctx context.Context, a isms.Actor) ([]isms.Risk, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Risk
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = allActive(t, risks, a.OrgID)
		return err
	})
	return out, err
}

const decisionColumns = `d.id, d.risk_id, d.kind, d.decided_by, COALESCE(u.name, ''), d.decided_at, d.criteria_id, d.criteria_number,
	d.justification, d.concession, d.treatment, d.residual_likelihood, d.residual_consequence, d.residual_dims, d.residual_level,
	d.residual_rank, d.expires_on, d.voided_at, d.void_reason`

// decisionsReading reads a risk's decisions into out, newest first.
func decisionsReading(orgID, riskID string, out *[]isms.RiskDecision) reading {
	return reading{`SELECT ` + decisionColumns + ` FROM risk_decisions d LEFT JOIN users u ON u.id = d.decided_by
			WHERE d.org_id = $1 AND d.risk_id = $2 ORDER BY d.decided_at DESC, d.id DESC`, []any{orgID, riskID}, func(s scanner) error {
		var d isms.RiskDecision
		var at string
		if err := s.Scan(&d.ID, &d.RiskID, &d.Kind, &d.DecidedBy, &d.DecidedByName, &at, &d.CriteriaID, &d.CriteriaNumber,
			&d.Justification, boolCol{&d.Concession}, &d.Treatment, &d.Residual.Likelihood, &d.Residual.Consequence,
			dimsCol{&d.Residual.Dims}, &d.Residual.Level, &d.Residual.Rank, &d.ExpiresOn, optTime{&d.VoidedAt}, &d.VoidReason); err != nil {
			return err
		}
		d.DecidedAt, _ = isms.ParseTime(at)
		*out = append(*out, d)
		return nil
	}}
}

// RiskPage is a risk with what its page shows of other records.
type RiskPage struct {
	Risk      isms.Risk
	Links     []isms.Link // the links leaving it, with their other ends named
	Actions   []isms.Action
	Decisions []isms.RiskDecision // newest first
	History   []isms.HistoryEntry
}

// RiskPage reads a risk and what its page shows with it in one read: on
// PostgreSQL one round trip (see readTogether) instead of five.
func (db *DB) RiskPage(ctx context.Context, a isms.Actor, id string) (RiskPage, error) {
	return db.riskPage(ctx, a, id, true)
}

// RiskRecord reads a risk with its links, treatment actions and decisions
// (a RiskPage without the history) in one read: what the API gives for a
// risk, one round trip on PostgreSQL instead of four.
func (db *DB) RiskRecord(ctx context.Context, a isms.Actor, id string) (RiskPage, error) {
	return db.riskPage(ctx, a, id, false)
}

func (db *DB) riskPage(ctx context.Context, a isms.Actor, id string, history bool) (RiskPage, error) {
	var p RiskPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		with := []reading{linksReading(a.OrgID, "risk", id, true, &p.Links),
			actionsServing(a.OrgID, "risk", id, &p.Actions), decisionsReading(a.OrgID, id, &p.Decisions)}
		if history {
			with = append(with, risks.historyReading(a.OrgID, id, &p.History))
		}
		if err := risks.getTogether(t, a.OrgID, id, &p.Risk, with...); err != nil {
			return err
		}
		return t.nameLinks(a.OrgID, true, p.Links)
	})
	return p, err
}

func decisionFields(d isms.RiskDecision) map[string]any {
	voided := ""
	if d.VoidedAt != nil {
		voided = isms.FormatTime(*d.VoidedAt)
	}
	return map[string]any{
		"risk_id": d.RiskID, "kind": string(d.Kind), "decided_by": d.DecidedBy, "criteria_id": d.CriteriaID,
		"criteria_number": d.CriteriaNumber, "justification": d.Justification, "concession": d.Concession,
		"treatment": d.Treatment, "residual_likelihood": d.Residual.Likelihood, "residual_consequence": d.Residual.Consequence,
		"residual_level": d.Residual.Level, "expires_on": d.ExpiresOn, "voided_at": voided, "void_reason": d.VoidReason,
	}
}

// voidDecisions voids the risk's standing decisions of one kind.
func (t *tx) voidDecisions(a isms.Actor, riskID string, kind isms.DecisionKind, reason string) error {
	rows, err := t.Query(`SELECT id FROM risk_decisions WHERE org_id = $1 AND risk_id = $2 AND kind = $3 AND voided_at IS NULL`, a.OrgID, riskID, string(kind))
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := t.Exec(`UPDATE risk_decisions SET voided_at = $1, void_reason = $2 WHERE org_id = $3 AND id = $4`, t.nowText(), reason, a.OrgID, id); err != nil {
			return err
		}
		if err := t.audit(a.OrgID, a.UserID, "risk_decision", id, isms.ActionUpdate,
			map[string]any{"voided_at": ""}, map[string]any{"voided_at": t.nowText(), "void_reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

// decide records a risk owner's decision on the risk read at version base
// and applies it to the risk.
func (db *DB) decide(ctx context.Context, a isms.Actor, id string, base int, kind isms.DecisionKind, in isms.AcceptInput) (isms.Risk, error) {
	var r isms.Risk
	if err := a.Require(isms.PermWriteOwned); err != nil {
		return r, err
	}
	in.Justification, in.ExpiresOn = isms.Clean(in.Justification), isms.Clean(in.ExpiresOn)
	err := db.write(ctx, func(t *tx) error {
		cur, err := risks.get(t, a.OrgID, id)
		if err != nil {
			return err
		}
		if cur.OwnerID != "" && !CanDecideRisk(a, cur) {
			return isms.Errorf(isms.KindForbidden, "error.not_risk_owner")
		}
		if cur.OwnerID == "" && !a.Can(isms.PermWriteRegisters) {
			return isms.Errorf(isms.KindForbidden, "error.not_risk_owner")
		}
		if cur.Version != base {
			return t.stale(&cur.Meta)
		}
		if cur.Archived() {
			return isms.Errorf(isms.KindConflict, "error.already_archived")
		}
		crit, ok, err := t.currentCriteria(a.OrgID)
		if err != nil {
			return err
		}
		if !ok {
			return isms.Errorf(isms.KindConflict, "error.no_criteria")
		}
		today, err := t.today(a.OrgID)
		if err != nil {
			return err
		}
		d := isms.RiskDecision{
			ID: newID(), RiskID: id, Kind: kind, DecidedBy: a.UserID, DecidedAt: t.now, CriteriaID: crit.ID, CriteriaNumber: crit.Number,
			Justification: in.Justification, Treatment: isms.TreatmentText(cur.Treatment), Residual: cur.Residual,
		}
		r = cur
		switch kind {
		case isms.DecisionPlanApproval:
			if err := isms.CheckPlanApproval(cur, in); err != nil {
				return err
			}
			if cur.CriteriaID != crit.ID {
				return isms.Invalid("criteria", "validation.rerate_before_accept")
			}
			r.PlanApprovedAt = t.nowText()
		case isms.DecisionAcceptance:
			if err := isms.CheckAcceptance(crit, cur, in, today); err != nil {
				return err
			}
			d.Concession = !crit.Acceptable(cur.Residual.Level, cur.Category)
			d.ExpiresOn = isms.AcceptanceExpiry(cur, in, today)
			r.AcceptedUntil, r.AcceptConcession = d.ExpiresOn, d.Concession
			if r.NextReview == "" || r.NextReview < today || r.NextReview > d.ExpiresOn {
				r.NextReview = d.ExpiresOn
			}
		}
		if err := t.voidDecisions(a, id, kind, "superseded"); err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO risk_decisions (id, org_id, risk_id, kind, decided_by, decided_at, criteria_id, criteria_number,
			justification, concession, treatment, residual_likelihood, residual_consequence, residual_dims, residual_level, residual_rank, expires_on, void_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '')`,
			d.ID, a.OrgID, id, string(kind), a.UserID, t.nowText(), crit.ID, crit.Number, d.Justification, boolInt(d.Concession),
			d.Treatment, d.Residual.Likelihood, d.Residual.Consequence, d.Residual.DimsText(), d.Residual.Level, d.Residual.Rank, d.ExpiresOn); err != nil {
			return err
		}
		if err := t.audit(a.OrgID, a.UserID, "risk_decision", d.ID, isms.ActionCreate, nil, decisionFields(d)); err != nil {
			return err
		}
		r.Status = r.DeriveStatus()
		if err := risks.update(t, a, &r, base); err != nil {
			return err
		}
		r, err = risks.get(t, a.OrgID, id)
		return err
	})
	return r, err
}

// ApproveRiskPlan records the risk owner's approval of the treatment plan
// of the risk read at version base. Only the risk owner, or an
// organisation owner, approves; the risk needs an owner, a rating under
// the current criteria, treatment options and an expected residual rating.
func (db *DB) ApproveRiskPlan(ctx context.Context, a isms.Actor, id string, base int, in isms.AcceptInput) (isms.Risk, error) {
	return db.decide(ctx, a, id, base, isms.DecisionPlanApproval, in)
}

// AcceptRisk records the risk owner's acceptance of the residual risk of
// the risk read at version base, with a justification. A residual level
// above the acceptance criteria needs in.Concession and is flagged. The
// acceptance lapses after its review date, and is voided when the
// residual rating changes.
func (db *DB) AcceptRisk(ctx context.Context, a isms.Actor, id string, base int, in isms.AcceptInput) (isms.Risk, error) {
	return db.decide(ctx, a, id, base, isms.DecisionAcceptance, in)
}

// RiskHeatMaps counts the organisation's active risks per matrix cell of
// the current criteria; ok is false when no criteria are approved yet.
func (db *DB) RiskHeatMaps(ctx context.Context, a isms.Actor) (isms.RiskHeatMaps, bool, error) {
	var hm isms.RiskHeatMaps
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return hm, false, err
	}
	var ok bool
	err := db.read(ctx, func(t *tx) error {
		var err error
		if hm.Criteria, ok, err = t.keptCurrentCriteria(a.OrgID); err != nil || !ok {
			return err
		}
		c, err := t.heatMapCounts(a.OrgID, hm.Criteria.ID)
		if err != nil {
			return err
		}
		hm.Inherent, hm.Residual, hm.Current = isms.NewCounts(hm.Criteria), isms.NewCounts(hm.Criteria), isms.NewCounts(hm.Criteria)
		for _, g := range c.groups {
			g.risk.Inherent.AddCount(hm.Inherent, g.n)
			g.risk.Residual.AddCount(hm.Residual, g.n)
			g.risk.CurrentResidual().AddCount(hm.Current, g.n)
		}
		hm.Older, hm.Unrated = c.older, c.unrated
		return nil
	})
	return hm, ok, err
}

// RiskTreatmentPlan returns the risk treatment plan: every active risk
// with a treatment option or a treatment action, in priority order, with
// its actions (by due date) and planned controls.
func (db *DB) RiskTreatmentPlan(ctx context.Context, a isms.Actor) ([]isms.PlanEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.PlanEntry
	err := db.read(ctx, func(t *tx) error {
		rs, err := risks.records(t, a.OrgID, "archived_at IS NULL AND "+inPlan, "sort_priority, id")
		if err != nil {
			return err
		}
		index := map[string]int{}
		for _, r := range rs {
			index[r.ID] = len(out)
			out = append(out, isms.PlanEntry{Risk: r})
		}
		xs, err := actions.records(t, a.OrgID, "serves_type = 'risk' AND archived_at IS NULL", planActionOrder)
		if err != nil {
			return err
		}
		for _, x := range xs {
			if i, ok := index[x.ServesID]; ok {
				out[i].Actions = append(out[i].Actions, x)
			}
		}
		return t.plannedControls(a.OrgID, nil, func(l isms.Link) {
			if i, ok := index[l.FromID]; ok {
				out[i].Controls = append(out[i].Controls, l)
			}
		})
	})
	return out, err
}

// RerateWorklist lists the active risks still rated under an older
// criteria version, with suggested ratings under the current one and the
// suggested mapping of each older version's levels. ok is false when no
// criteria are approved.
func (db *DB) RerateWorklist(ctx context.Context, a isms.Actor) (cur isms.RiskCriteria, items []isms.RerateItem, mappings map[string][]isms.LevelMapping, ok bool, err error) {
	if err = a.Require(isms.PermReadRegisters); err != nil {
		return
	}
	err = db.read(ctx, func(t *tx) error {
		var err error
		if cur, ok, err = t.currentCriteria(a.OrgID); err != nil || !ok {
			return err
		}
		versions, err := t.criteriaVersions(a.OrgID)
		if err != nil {
			return err
		}
		byID := map[string]isms.RiskCriteria{}
		for _, v := range versions {
			byID[v.ID] = v
		}
		rows, err := t.Query(`SELECT `+risks.selectList()+` FROM risks WHERE org_id = $1 AND archived_at IS NULL
			AND criteria_id IS NOT NULL AND criteria_id <> $2 ORDER BY sort_priority, id LIMIT 500`, a.OrgID, cur.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		mappings = map[string][]isms.LevelMapping{}
		for rows.Next() {
			r, err := risks.scan(rows)
			if err != nil {
				return err
			}
			from := byID[r.CriteriaID]
			if _, seen := mappings[from.ID]; !seen {
				mappings[from.ID] = isms.SuggestLevelMapping(from, cur)
			}
			items = append(items, isms.RerateItem{Risk: r, From: from, Suggest: isms.SuggestRerating(from, cur, r)})
		}
		return rows.Err()
	})
	return
}
