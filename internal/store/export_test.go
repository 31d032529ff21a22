package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// SetMaxKeptPlanLinks changes how many risk-to-control links the
// treatment plan keeps, so that a test can exceed it with a few.
func (db *DB) SetMaxKeptPlanLinks(n int) { db.maxPlanLinks = n }

// SetMaxKeptPlanActions changes how many treatment actions the treatment
// plan keeps, so that a test can exceed it with a few.
func (db *DB) SetMaxKeptPlanActions(n int) { db.maxPlanActions = n }

// SetMaxKeptManagers changes how many managers the people list keeps the
// names of.
func (db *DB) SetMaxKeptManagers(n int) { db.maxManagers = n }

// SetMaxOrderedMatches changes how many matches of a list are kept in the
// list's order, so that a test can exceed it with a few.
func (db *DB) SetMaxOrderedMatches(n int) { db.maxOrdered = n }

// SetMaxWalk changes how many records PostgreSQL's one plan for a
// filtered page may walk before the page is planned for its values.
func (db *DB) SetMaxWalk(n int) { db.maxWalk = n }

// ActionsPagePlan tells how a page of actions is read: whether it reads
// rows at all, and whether it is planned for its values.
func (db *DB) ActionsPagePlan(ctx context.Context, a isms.Actor, q isms.ListQuery) (reads, forValues bool, err error) {
	err = db.read(ctx, func(t *tx) error {
		l, err := actions.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		reads = l.read != nil
		forValues = reads && l.read.planned()
		return nil
	})
	return reads, forValues, err
}
