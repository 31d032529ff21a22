package store_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A list page names the owners of its records as the full list does:
// members, a member who has left the organisation, and nobody.
func TestBriefListsNameOwners(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		stays, err := db.CreateAction(ctx, owner, isms.Action{Title: "Patch servers", ResponsibleID: owner.UserID})
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := db.CreateAction(ctx, owner, isms.Action{Title: "Rotate keys", ResponsibleID: contrib.UserID})
		if err != nil {
			t.Fatal(err)
		}
		nobody, err := db.CreateAction(ctx, owner, isms.Action{Title: "Review access"})
		if err != nil {
			t.Fatal(err)
		}
		names := func(brief bool) map[string]string {
			t.Helper()
			p, err := db.Actions(ctx, owner, isms.ListQuery{Brief: brief})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, x := range p.Items {
				out[x.ID] = x.ResponsibleName
			}
			return out
		}
		check := func(step string) {
			t.Helper()
			full, brief := names(false), names(true)
			if full[stays.ID] != f.Users[isms.RoleOwner].Name || full[leaves.ID] != f.Users[isms.RoleContributor].Name || full[nobody.ID] != "" {
				t.Fatalf("%s: full list names %v", step, full)
			}
			for id, n := range full {
				if brief[id] != n {
					t.Errorf("%s: brief list names %q for %s, the full list %q", step, brief[id], id, n)
				}
			}
		}
		check("members")
		if err := db.RemoveMember(ctx, owner, contrib.UserID); err != nil {
			t.Fatal(err)
		}
		check("after the responsible left")
	})
}
