package demo

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestGenerate(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sum, a := generated(t, db, Options{Scale: 0.2, Seed: 7})
		if sum.Orgs != 1 || sum.People != 50 || sum.Users < 7 {
			t.Fatalf("summary %+v", sum)
		}
		all, err := db.People(ctx, a, isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500})
		if err != nil || all.Total != 50 {
			t.Fatalf("people %d %v", all.Total, err)
		}
		withManager := 0
		for _, p := range all.Items {
			if p.ManagerID != "" {
				withManager++
			}
		}
		if withManager < 40 {
			t.Fatalf("only %d people have a manager", withManager)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n < 50 {
			t.Fatalf("audit %d %+v %v", n, brk, err)
		}
		// Same seed, same content.
		_, a2 := generated(t, db, Options{Scale: 0.2, Seed: 7, SlugPrefix: "again"})
		all2, _ := db.People(ctx, a2, isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500, Sort: "email"})
		all1, _ := db.People(ctx, a, isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500, Sort: "email"})
		for i := range all1.Items {
			if all1.Items[i].Email != all2.Items[i].Email || all1.Items[i].JobTitle != all2.Items[i].JobTitle {
				t.Fatalf("seeded content differs at %d: %s vs %s", i, all1.Items[i].Email, all2.Items[i].Email)
			}
		}
	})
}

// generated makes the demonstration firms of opt and returns what was made
// and the first firm's owner, signed in to it.
func generated(t *testing.T, db *store.DB, opt Options) (Summary, isms.Actor) {
	t.Helper()
	ctx := context.Background()
	sum, err := Generate(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByEmail(ctx, sum.OwnerEmails[0])
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.ActorFor(ctx, u.ID, sum.Slugs[0])
	if err != nil {
		t.Fatal(err)
	}
	return sum, a
}
