package demo

import (
	"context"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestGenerateControlsAndEvidence(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		_, a := generated(t, db, Options{Scale: 0.2, Seed: 11})
		t.Logf("generated in %v", time.Since(start))
		s, err := db.SoA(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if s.Summary.Controls != 93 || s.Summary.Excluded != len(demoExclusions) || s.Summary.Included < 75 || s.Latest != 1 || !s.Changed {
			t.Fatalf("SoA summary %+v, latest %d, changed %v", s.Summary, s.Latest, s.Changed)
		}
		risky := 0
		for _, l := range s.Lines {
			if l.Control.Decision == isms.DecisionExcluded && (l.Control.ExclusionReason == "" || l.Control.ExclusionText == "") {
				t.Fatalf("%s excluded without reason", l.Control.Ref)
			}
			if l.Control.OwnerID == "" {
				t.Fatalf("%s has no owner", l.Control.Ref)
			}
			if len(l.Risks) > 0 {
				risky++
			}
		}
		if risky == 0 {
			t.Fatal("no control is relied on by a risk treatment")
		}
		all, err := db.EvidenceList(ctx, a, isms.ListQuery{Limit: 1})
		if err != nil || all.Total != 20*50+5 {
			t.Fatalf("evidence %d %v", all.Total, err)
		}
		files, _ := db.EvidenceList(ctx, a, isms.ListQuery{Limit: 10, Filters: map[string]string{"kind": "file"}})
		if files.Total != 5 {
			t.Fatalf("files %d", files.Total)
		}
		_, rc, err := db.OpenEvidenceFile(ctx, a, files.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		expired, _ := db.EvidenceList(ctx, a, isms.ListQuery{Limit: 1, Filters: map[string]string{"expiry": store.ExpiryExpired}})
		if expired.Total == 0 {
			t.Fatal("no expired evidence to show")
		}
		acts, err := db.Actions(ctx, a, isms.ListQuery{Limit: 500, Filters: map[string]string{"serves_type": "control"}})
		if err != nil || acts.Total < 4 {
			t.Fatalf("evidence requests %d %v", acts.Total, err)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n < 1000 {
			t.Fatalf("audit %d %+v %v", n, brk, err)
		}
	})
}
