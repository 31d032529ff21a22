package demo

import (
	"context"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestGenerateRegisters: a demo firm gets the starter catalogue, eight
// assets per person with dependencies, and forty actions per person of
// which some are overdue and some done.
func TestGenerateRegisters(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	sum, a := generated(t, db, Options{Scale: 0.1, Seed: 3})
	assets, err := db.Assets(ctx, a, isms.ListQuery{Limit: isms.MaxLimit})
	if err != nil || assets.Total != sum.People*8 {
		t.Fatalf("assets %d for %d people: %v", assets.Total, sum.People, err)
	}
	deps := 0
	for _, x := range assets.Items {
		deps += len(x.DependsOn)
	}
	if deps < assets.Total/2 {
		t.Fatalf("only %d dependencies among %d assets", deps, assets.Total)
	}
	th, _ := db.Threats(ctx, a, isms.KindThreat, isms.ListQuery{})
	if th.Total < 38 {
		t.Fatalf("%d threats", th.Total)
	}
	all, _ := db.Actions(ctx, a, isms.ListQuery{})
	today := time.Now().UTC().Format(isms.DateLayout)
	overdue, _ := db.Actions(ctx, a, isms.ListQuery{Filters: map[string]string{"open": "yes", "due_before": today}})
	done, _ := db.Actions(ctx, a, isms.ListQuery{Filters: map[string]string{"status": "done"}})
	// Evidence requests (actions serving controls or evidence) come from
	// the SoA generator; the plan actions are forty per person.
	requests := 0
	for _, st := range []string{"control", "evidence", "evidence_request"} {
		p, _ := db.Actions(ctx, a, isms.ListQuery{Filters: map[string]string{"serves_type": st}})
		requests += p.Total
	}
	if all.Total-requests != sum.People*actionsPerPerson || overdue.Total == 0 || done.Total == 0 {
		t.Fatalf("actions %d, overdue %d, done %d", all.Total, overdue.Total, done.Total)
	}
}
