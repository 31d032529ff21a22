package demo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestGenerateRiskTreatments: a demo firm's treatment plan is carried out
// by actions. Every risk treated by other than retaining it has one to
// three actions named for its scenario, owned by the risk's owner; retained
// and untreated risks have none; and some plans are finished, so that
// their risks stand at the expected residual rating.
func TestGenerateRiskTreatments(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	_, a := generated(t, db, Options{Scale: 0.1, Seed: 5})
	plan, err := db.RiskTreatmentPlan(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	withActions, finished, served := 0, 0, 0
	for _, e := range plan {
		r := e.Risk
		if len(r.Treatment) == 0 || r.Treatment[0] == isms.TreatRetain {
			if len(e.Actions) != 0 {
				t.Errorf("%s (%v) has %d actions", r.Ref, r.Treatment, len(e.Actions))
			}
			continue
		}
		if len(e.Actions) < 1 || len(e.Actions) > 3 {
			t.Errorf("%s (%v) has %d treatment actions, want 1–3", r.Ref, r.Treatment, len(e.Actions))
			continue
		}
		withActions++
		served += len(e.Actions)
		i := slices.IndexFunc(riskScenarios, func(s riskScenario) bool { return strings.HasPrefix(r.Title, s.title+" (") })
		if i < 0 {
			t.Fatalf("%s %q is none of the scenarios", r.Ref, r.Title)
		}
		seen := map[string]bool{}
		for _, x := range e.Actions {
			if !slices.Contains(riskScenarios[i].actions, x.Title) || seen[x.Title] {
				t.Errorf("%s %q: action %q is not one of its scenario's, or comes twice", r.Ref, r.Title, x.Title)
			}
			seen[x.Title] = true
			if x.ResponsibleID != r.OwnerID || x.ServesType != "risk" || x.ServesID != r.ID {
				t.Errorf("%s: action %s responsible %s serves %s %s; want the owner %s and the risk", r.Ref, x.Ref, x.ResponsibleID, x.ServesType, x.ServesID, r.OwnerID)
			}
		}
		if r.ActionsTotal > 0 && r.ActionsDone == r.ActionsTotal && r.Residual.Rated() {
			finished++
			if !r.CurrentResidual().Same(r.Residual) {
				t.Errorf("%s: every action done but its current rating is not the residual", r.Ref)
			}
		}
	}
	if withActions < 30 || finished == 0 {
		t.Fatalf("%d of %d plan entries have treatment actions, %d finished", withActions, len(plan), finished)
	}
	// Every action serving a risk is in the plan but those of the risk the
	// assessment history archived.
	inPlan := map[string]bool{}
	for _, e := range plan {
		inPlan[e.Risk.ID] = true
	}
	byRisk, _ := db.Actions(ctx, a, isms.ListQuery{Filters: map[string]string{"serves_type": "risk"}, Limit: isms.MaxLimit})
	outside := map[string]bool{}
	for _, x := range byRisk.Items {
		if !inPlan[x.ServesID] {
			outside[x.ServesID] = true
		}
	}
	if byRisk.Total != len(byRisk.Items) || len(outside) > 1 || byRisk.Total-served > 3 {
		t.Fatalf("%d actions serve risks, the plan shows %d; %d risks outside the plan", byRisk.Total, served, len(outside))
	}
	for id := range outside {
		if r, err := db.Risk(ctx, a, id); err != nil || r.ArchivedAt == nil {
			t.Fatalf("risk %s has actions but is not in the plan: %+v %v", id, r.Ref, err)
		}
	}
	today := time.Now().UTC().Format(isms.DateLayout)
	overdue, _ := db.Actions(ctx, a, isms.ListQuery{Filters: map[string]string{"serves_type": "risk", "open": "yes", "due_before": today}})
	if overdue.Total == 0 {
		t.Fatal("no treatment action is overdue")
	}
}
