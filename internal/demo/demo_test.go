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
		sum, err := Generate(ctx, db, Options{Scale: 0.2, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Orgs != 1 || sum.People != 50 || sum.Users < 7 {
			t.Fatalf("summary %+v", sum)
		}
		u, err := db.UserByEmail(ctx, sum.OwnerEmails[0])
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := db.ActorFor(ctx, u.ID, sum.Slugs[0])
		if err != nil {
			t.Fatal(err)
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
		sum2, err := Generate(ctx, db, Options{Scale: 0.2, Seed: 7, SlugPrefix: "again"})
		if err != nil {
			t.Fatal(err)
		}
		u2, _ := db.UserByEmail(ctx, sum2.OwnerEmails[0])
		a2, _, _ := db.ActorFor(ctx, u2.ID, sum2.Slugs[0])
		all2, _ := db.People(ctx, a2, isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500, Sort: "email"})
		all1, _ := db.People(ctx, a, isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500, Sort: "email"})
		for i := range all1.Items {
			if all1.Items[i].Email != all2.Items[i].Email || all1.Items[i].JobTitle != all2.Items[i].JobTitle {
				t.Fatalf("seeded content differs at %d: %s vs %s", i, all1.Items[i].Email, all2.Items[i].Email)
			}
		}
	})
}
