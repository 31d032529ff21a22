package store

import (
	"database/sql"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// heatMapCounts is what the heat maps count, read in SQL rather than risk
// by risk: the organisation's active risks rated under one criteria
// version, grouped by everything that places them on the three maps, and
// the numbers of risks rated under older versions or not rated at all.
type heatMapCounts struct {
	groups         []heatMapGroup
	older, unrated int
}

// heatMapGroup is n risks alike in their inherent and residual cells,
// treatment options and treatment actions: risk stands for them all, with
// ActionsTotal and ActionsDone set to 0/0 (no actions that count), 1/1
// (every one done) or 1/0 (some still open), which is all that
// Risk.CurrentResidual asks of them.
type heatMapGroup struct {
	risk isms.Risk
	n    int
}

// heatMapCounts counts the heat maps of criteria version critID, kept
// until the organisation's records change.
func (t *tx) heatMapCounts(orgID, critID string) (heatMapCounts, error) {
	v, err := t.kept(orgID, "risk heat maps\x00"+critID, func() (any, error) {
		var c heatMapCounts
		// state is 0 when no treatment action counts, 1 when every one is
		// done, 2 when some are open. It matters only when the residual is
		// rated (see Risk.CurrentResidual), so other risks skip the look-up.
		err := t.each(`SELECT inherent_likelihood, inherent_consequence, residual_likelihood, residual_consequence, treatment,
				CASE WHEN residual_likelihood <= 0 OR residual_consequence <= 0 THEN 0
				ELSE COALESCE((SELECT MAX(CASE WHEN x.`+actionDone+` THEN 1 ELSE 2 END) `+actionsOfRisk+` AND x.`+actionCounts+`), 0) END,
				COUNT(*)
			FROM risks WHERE org_id = $1 AND criteria_id = $2 AND archived_at IS NULL AND inherent_rank > 0
			GROUP BY 1, 2, 3, 4, 5, 6`,
			[]any{orgID, critID}, func(rows *sql.Rows) error {
				var g heatMapGroup
				var state int
				r := &g.risk
				if err := rows.Scan(&r.Inherent.Likelihood, &r.Inherent.Consequence, &r.Residual.Likelihood, &r.Residual.Consequence,
					treatmentCol{&r.Treatment}, &state, &g.n); err != nil {
					return err
				}
				switch state {
				case 1:
					r.ActionsTotal, r.ActionsDone = 1, 1
				case 2:
					r.ActionsTotal = 1
				}
				c.groups = append(c.groups, g)
				return nil
			})
		if err != nil {
			return nil, err
		}
		if err := t.QueryRow(`SELECT COUNT(*) FROM risks WHERE org_id = $1 AND archived_at IS NULL AND criteria_id IS NOT NULL AND criteria_id <> $2`,
			orgID, critID).Scan(&c.older); err != nil {
			return nil, err
		}
		if err := t.QueryRow(`SELECT COUNT(*) FROM risks WHERE org_id = $1 AND archived_at IS NULL AND inherent_rank = 0`, orgID).Scan(&c.unrated); err != nil {
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		return heatMapCounts{}, err
	}
	return v.(heatMapCounts), nil // kept: read, never changed
}
