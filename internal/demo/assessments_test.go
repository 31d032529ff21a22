package demo

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestGenerateAssessments: a demo firm has two closed broad assessments
// about a year apart with changes between them, the next one due within
// the month, and one open run.
func TestGenerateAssessments(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, a := generated(t, db, Options{Scale: 0.1, Seed: 5})
		runs, err := db.Assessments(ctx, a, isms.ListQuery{Limit: 50})
		if err != nil || runs.Total != 3 {
			t.Fatalf("runs %d %v", runs.Total, err)
		}
		closed, err := db.ClosedAssessments(ctx, a)
		if err != nil || len(closed) != 2 {
			t.Fatalf("closed runs %d %v", len(closed), err)
		}
		if closed[0].Date >= closed[1].Date || closed[1].Date >= isms.FormatTime(closed[1].CreatedAt)[:10] {
			t.Fatalf("dates %s, %s: want two past dates in order", closed[0].Date, closed[1].Date)
		}
		_, _, cmp, err := db.CompareAssessments(ctx, a, closed[0].ID, closed[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Up) == 0 || len(cmp.Down) == 0 || len(cmp.Added) != 1 || len(cmp.Removed) != 1 || len(cmp.Unchanged) == 0 {
			t.Fatalf("comparison: %d up, %d down, %d added, %d removed, %d unchanged",
				len(cmp.Up), len(cmp.Down), len(cmp.Added), len(cmp.Removed), len(cmp.Unchanged))
		}
		trend, err := db.AssessmentTrend(ctx, a)
		if err != nil || len(trend) != 2 || trend[0].Total == 0 {
			t.Fatalf("trend %+v %v", trend, err)
		}
		due, err := db.NextBroadAssessment(ctx, a)
		if err != nil || due.State != isms.DueSoon || due.LastID != closed[1].ID {
			t.Fatalf("due %+v %v", due, err)
		}
	})
}
