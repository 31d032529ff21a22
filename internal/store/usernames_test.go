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

// The risk list counts each risk's treatment actions as the full list
// does: cancelled and archived ones do not count, done ones are counted
// apart, and a change shows in the next list.
func TestBriefRiskListCountsActions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Lost laptop"})
		if err != nil {
			t.Fatal(err)
		}
		bare, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Flood"})
		if err != nil {
			t.Fatal(err)
		}
		act := func(title string, status isms.ActionStatus) isms.Action {
			t.Helper()
			x := isms.Action{Title: title, ServesType: "risk", ServesID: r.ID, Status: status}
			if status == isms.ActionDone {
				x.CompletionEvidence = "Report attached"
			}
			x, err := db.CreateAction(ctx, owner, x)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		act("Encrypt disks", isms.ActionOpen)
		act("Enrol in MDM", isms.ActionDone)
		act("Buy locks", isms.ActionCancelled)
		gone := act("Old plan", isms.ActionOpen)
		if _, err := db.ArchiveAction(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		counts := func(brief bool) map[string][2]int {
			t.Helper()
			p, err := db.Risks(ctx, owner, isms.ListQuery{Brief: brief})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][2]int{}
			for _, x := range p.Items {
				out[x.ID] = [2]int{x.ActionsTotal, x.ActionsDone}
			}
			return out
		}
		want := func(step string, total, done int) {
			t.Helper()
			full, brief := counts(false), counts(true)
			if full[r.ID] != [2]int{total, done} || full[bare.ID] != [2]int{} {
				t.Fatalf("%s: full list counts %v, want %d of which %d done", step, full, total, done)
			}
			if brief[r.ID] != full[r.ID] || brief[bare.ID] != full[bare.ID] {
				t.Errorf("%s: brief list counts %v, full list %v", step, brief, full)
			}
		}
		want("created", 2, 1)
		act("Train staff", isms.ActionInProgress)
		want("one more", 3, 1)
	})
}

// The people list names each person's manager as the full list does,
// with one read for the page, and leaves the name empty without one.
func TestBriefPeopleListNamesManagers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		boss, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Ada Boss"})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Bea Report", "Cy Report"} {
			if _, err := db.CreatePerson(ctx, owner, isms.Person{Name: name, ManagerID: boss.ID}); err != nil {
				t.Fatal(err)
			}
		}
		managers := func(brief bool) map[string]string {
			t.Helper()
			p, err := db.People(ctx, owner, isms.ListQuery{Brief: brief})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, x := range p.Items {
				out[x.Name] = x.ManagerName
				if x.UpdatedAt.IsZero() {
					t.Errorf("brief=%v: %s without the time it was updated", brief, x.Name)
				}
			}
			return out
		}
		full, brief := managers(false), managers(true)
		if full["Bea Report"] != "Ada Boss" || full["Cy Report"] != "Ada Boss" || full["Ada Boss"] != "" {
			t.Fatalf("full list managers %v", full)
		}
		for name, m := range full {
			if brief[name] != m {
				t.Errorf("brief list names %q as %s's manager, the full list %q", brief[name], name, m)
			}
		}
	})
}
