package store_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A record's history begins with its creation and lists its changes in
// order; the history of a record that does not exist, or exists only in
// another organisation, is not found. So is an asset's list of users.
func TestHistoryOfRecordsAndOfNone(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := storetest.Seed(t, db, "acme").Owner()
		other := storetest.Seed(t, db, "other").Owner()
		x, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Mail server", Type: isms.AssetApplication})
		if err != nil {
			t.Fatal(err)
		}
		x.Location = "Cellar"
		if _, err := db.UpdateAsset(ctx, owner, x, x.Version); err != nil {
			t.Fatal(err)
		}
		h, err := db.AssetHistory(ctx, owner, x.ID)
		if err != nil || len(h) != 2 || h[0].Action != isms.ActionCreate || h[1].Action != isms.ActionUpdate {
			t.Fatalf("history of the asset: %+v %v, want its creation and its update", h, err)
		}
		if p, err := db.AssetPage(ctx, owner, x.ID); err != nil || len(p.UsedBy) != 0 {
			t.Fatalf("users of the asset: %v %v, want none", p.UsedBy, err)
		}
		for _, c := range []struct {
			who string
			a   isms.Actor
			id  string
		}{{"an unknown id", owner, "01a00000-0000-7000-8000-000000000000"}, {"another organisation's asset", other, x.ID}} {
			if h, err := db.AssetHistory(ctx, c.a, c.id); isms.ErrorKind(err) != isms.KindNotFound {
				t.Errorf("history of %s: %+v %v, want not found", c.who, h, err)
			}
			if p, err := db.AssetPage(ctx, c.a, c.id); isms.ErrorKind(err) != isms.KindNotFound {
				t.Errorf("page of %s: %+v %v, want not found", c.who, p, err)
			}
			if h, err := db.ActionHistory(ctx, c.a, c.id); isms.ErrorKind(err) != isms.KindNotFound {
				t.Errorf("action history of %s: %+v %v, want not found", c.who, h, err)
			}
		}
	})
}
