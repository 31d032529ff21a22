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

// The reads below are what the pipelined page and record reads
// (RiskPage, RiskRecord, EvidencePage) read together; the tests compare
// those with them, each read on its own.

// ActionsServing lists the actions linked to one record (e.g. a risk's
// treatment actions), oldest first.
func (db *DB) ActionsServing(ctx context.Context, a isms.Actor, servesType, servesID string) ([]isms.Action, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Action
	err := db.read(ctx, func(t *tx) error { return t.readTogether(actionsServing(a.OrgID, servesType, servesID, &out)) })
	return out, err
}

// RiskDecisions lists the approvals and acceptances of a risk, newest
// first, voided ones included.
func (db *DB) RiskDecisions(ctx context.Context, a isms.Actor, riskID string) ([]isms.RiskDecision, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.RiskDecision
	err := db.read(ctx, func(t *tx) error {
		if ok, err := risks.exists(t, a.OrgID, riskID, false); err != nil {
			return err
		} else if !ok {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		return t.readTogether(decisionsReading(a.OrgID, riskID, &out))
	})
	return out, err
}
