package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestImportEvidence(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		c := controlByRef(t, db, owner, "A.5.1")
		rows := []store.EvidenceRow{
			{Evidence: isms.Evidence{Title: "Policy page", Kind: isms.EvidenceLink, URL: "https://intranet.example.com/policy"}, ControlIDs: []string{c.ID, c.ID}},
			{Evidence: isms.Evidence{Title: "Review minutes", Kind: isms.EvidenceNote, Description: "Reviewed in March.", OwnerID: f.Users[isms.RoleContributor].ID}, ControlIDs: []string{c.ID}},
		}
		if _, err := db.ImportEvidence(ctx, f.Actors[isms.RoleContributor], rows); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor import: %v", err)
		}
		// One bad row: nothing is written.
		bad := append([]store.EvidenceRow{}, rows...)
		bad = append(bad, store.EvidenceRow{Evidence: isms.Evidence{Title: "Elsewhere", Kind: isms.EvidenceNote, Description: "x", OwnerID: "nobody"}})
		var ie *store.ImportError
		if _, err := db.ImportEvidence(ctx, owner, bad); !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Row != 3 {
			t.Fatalf("bad row: %v", err)
		}
		if n, _ := db.EvidenceList(ctx, owner, isms.ListQuery{}); n.Total != 0 {
			t.Fatalf("partial import kept %d", n.Total)
		}
		got, err := db.ImportEvidence(ctx, owner, rows)
		if err != nil || len(got) != 2 || got[0].Ref != "E-001" {
			t.Fatalf("import %v %v", got, err)
		}
		if ev, _ := db.ControlEvidence(ctx, owner, c.ID); len(ev) != 2 {
			t.Fatalf("linked evidence %d", len(ev))
		}
		if h, _ := db.EvidenceHistory(ctx, owner, got[1].ID); len(h) != 1 || h[0].Action != isms.ActionCreate {
			t.Fatalf("history %+v", h)
		}
	})
}
