package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// generateAssessments records the risk assessment history of a firm
// (clause 8.2): a broad assessment about two years ago, closed; the risk
// register then changes (some risks re-rated up or down, one risk
// archived, one added); a second broad assessment about a year later,
// closed, which puts the next one due within the month; and a run still
// open after a significant change. The changes are chosen by position,
// not by rng, so that the other generators' data stays as it was.
func generateAssessments(ctx context.Context, db *store.DB, a isms.Actor, memberIDs []string) error {
	today := time.Now().UTC()
	participants := []string{a.UserID}
	if len(memberIDs) > 0 {
		participants = append(participants, memberIDs[0]) // the ISMS manager
	}
	run := func(date time.Time, scope string, trigger isms.AssessmentTrigger, notes string, closeIt bool) error {
		x, err := db.CreateAssessment(ctx, a, isms.Assessment{Date: date.Format(isms.DateLayout), Scope: scope, Trigger: trigger,
			ParticipantIDs: participants, OtherParticipants: "External ISMS consultant", Notes: notes})
		if err != nil {
			return fmt.Errorf("assessment %q: %w", scope, err)
		}
		if closeIt {
			if _, err := db.CloseAssessment(ctx, a, x.ID, x.Version); err != nil {
				return fmt.Errorf("close %s: %w", x.Ref, err)
			}
		}
		return nil
	}
	first := today.AddDate(-1, -11, -10)
	if err := run(first, "Whole firm: offices, systems, suppliers and people", isms.TriggerScheduled,
		"Yearly workshop with department heads. Risks rated with the 5 × 5 criteria against the asset register.", true); err != nil {
		return err
	}
	if err := changeRisks(ctx, db, a); err != nil {
		return err
	}
	second := today.AddDate(0, -11, -10)
	if err := run(second, "Whole firm: offices, systems, suppliers and people", isms.TriggerScheduled,
		"Yearly review of every risk; new supplier and remote-working risks added.", true); err != nil {
		return err
	}
	return run(today.AddDate(0, 0, -3), "Move to the new customer relationship management system", isms.TriggerChange,
		"Risks of the migration and of the new supplier, reviewed with the project team.", false)
}

// changeRisks re-rates every fifth active risk (likelihood two steps
// down, or for one in four of them one step up), archives one and adds
// one.
func changeRisks(ctx context.Context, db *store.DB, a isms.Actor) error {
	var all []isms.Risk
	q := isms.ListQuery{Limit: 500, Sort: "ref"}
	for {
		page, err := db.Risks(ctx, a, q)
		if err != nil {
			return err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	for i, r := range all {
		if i%5 != 2 || !r.Inherent.Rated() {
			continue
		}
		r.Inherent.Level, r.Inherent.Rank = "", 0
		// Mostly lower after a year of treatment; one in four higher.
		switch {
		case i%20 == 2 && r.Inherent.Likelihood < 5, r.Inherent.Likelihood == 1:
			r.Inherent.Likelihood++
		default:
			r.Inherent.Likelihood = max(1, r.Inherent.Likelihood-2)
		}
		if _, err := db.UpdateRisk(ctx, a, r, r.Version); err != nil {
			return fmt.Errorf("re-rate %s: %w", r.Ref, err)
		}
	}
	if len(all) > 0 {
		r := all[len(all)-1]
		if _, err := db.ArchiveRisk(ctx, a, r.ID, r.Version, true); err != nil {
			return fmt.Errorf("archive %s: %w", r.Ref, err)
		}
	}
	_, err := db.CreateRisk(ctx, a, isms.Risk{Kind: isms.RiskScenario, Title: "Staff working from home on unmanaged devices",
		Category: "Remote working", CIA: "CI", Description: "Demonstration risk added at the second yearly assessment.",
		Inherent: isms.Rating{Likelihood: 4, Consequence: 3}})
	return err
}
