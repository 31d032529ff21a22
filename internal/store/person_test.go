package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestPeopleLifecycle(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		boss, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Ada Boss", Email: "ADA@acme.test", Department: "Board"})
		if err != nil {
			t.Fatal(err)
		}
		if boss.Ref != "P-001" || boss.Version != 1 || boss.Email != "ada@acme.test" {
			t.Fatalf("created %+v", boss)
		}
		p, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Bob Worker", ManagerID: boss.ID, StartDate: "2024-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		if p.ManagerName != "Ada Boss" || p.Ref != "P-002" {
			t.Fatalf("manager name %q ref %q", p.ManagerName, p.Ref)
		}
		// Stale edit refused with who changed it.
		p.JobTitle = "Engineer"
		p2, err := db.UpdatePerson(ctx, owner, p, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p2.Version != 2 || p2.JobTitle != "Engineer" {
			t.Fatalf("updated %+v", p2)
		}
		p.JobTitle = "Other"
		_, err = db.UpdatePerson(ctx, owner, p, 1)
		e := isms.AsError(err)
		if e.Kind != isms.KindConflict || e.Msg.Key != "error.stale" || e.Msg.Args[0] != "Owner of acme" {
			t.Fatalf("stale update: %v", err)
		}
		// Cycle.
		boss.ManagerID = p.ID
		if _, err := db.UpdatePerson(ctx, owner, boss, 1); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("cycle accepted: %v", err)
		}
		// Duplicate email.
		if _, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Dup", Email: "ada@acme.test"}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("duplicate email: %v", err)
		}
		// Archive and history.
		if _, err := db.ArchivePerson(ctx, owner, p.ID, 2, true); err != nil {
			t.Fatal(err)
		}
		page, err := db.People(ctx, owner, isms.ListQuery{})
		if err != nil || page.Total != 1 {
			t.Fatalf("active list %d %v", page.Total, err)
		}
		h, err := db.PersonHistory(ctx, owner, p.ID)
		if err != nil || len(h) != 3 {
			t.Fatalf("history %d %v", len(h), err)
		}
		if h[1].Action != "update" || len(h[1].Changes) != 1 || h[1].Changes[0].Field != "job_title" || h[1].Changes[0].After != "Engineer" {
			t.Fatalf("diff %+v", h[1].Changes)
		}
		// Staff cannot read, other org cannot see.
		if _, err := db.People(ctx, f.Actors[isms.RoleStaff], isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff read: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if _, err := db.Person(ctx, g.Owner(), p.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org read: %v", err)
		}
		n, brk, err := db.VerifyAuditLog(ctx)
		if err != nil || brk != nil || n == 0 {
			t.Fatalf("verify %d %+v %v", n, brk, err)
		}
	})
}

func TestPeoplePaging(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		for i := 0; i < 23; i++ {
			dept := "Ops"
			if i%2 == 0 {
				dept = "Sales"
			}
			if _, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: fmt.Sprintf("Person %02d", i), Department: dept}); err != nil {
				t.Fatal(err)
			}
		}
		for _, desc := range []bool{false, true} {
			var names []string
			q := isms.ListQuery{Limit: 5, Desc: desc}
			var cursors []string
			for {
				page, err := db.People(ctx, f.Owner(), q)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != 23 {
					t.Fatalf("total %d", page.Total)
				}
				for _, p := range page.Items {
					names = append(names, p.Name)
				}
				cursors = append(cursors, page.PrevCursor)
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			if len(names) != 23 {
				t.Fatalf("got %d names", len(names))
			}
			for i := 1; i < len(names); i++ {
				if (names[i-1] > names[i]) != desc {
					t.Fatalf("order broken at %d: %v (desc=%v)", i, names, desc)
				}
			}
			// Going back from the last page gives the page before it.
			prev, err := db.People(ctx, f.Owner(), isms.ListQuery{Limit: 5, Desc: desc, Cursor: cursors[len(cursors)-1]})
			if err != nil || len(prev.Items) != 5 || prev.Items[0].Name != names[15] {
				t.Fatalf("prev page %v %v", prev.Items, err)
			}
		}
		page, err := db.People(ctx, f.Owner(), isms.ListQuery{Filters: map[string]string{"department": "Sales"}, Q: "person 1"})
		if err != nil || page.Total != 5 {
			t.Fatalf("filtered total %d %v", page.Total, err)
		}
		if _, err := db.People(ctx, f.Owner(), isms.ListQuery{Sort: "password"}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("bad sort: %v", err)
		}
	})
}

// The people list names each person's manager from the organisation's
// managers' names, kept until its records change on any instance; with
// more managers than are kept, each page reads its own, with the same
// result and one statement more.
func TestPeopleListNamesManagersKept(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			create := func(name, manager string) isms.Person {
				p, err := db.CreatePerson(ctx, owner, isms.Person{Name: name, ManagerID: manager})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			ada := create("Ada", "")
			grace := create("Grace", ada.ID)
			create("Alan", grace.ID)
			create("Edsger", ada.ID)
			list := func(want string) (statements int) {
				t.Helper()
				_, r0 := db.Statements()
				page, err := db.People(store.WithReadMemo(ctx), owner, isms.ListQuery{Brief: true})
				if err != nil {
					t.Fatal(err)
				}
				_, r1 := db.Statements()
				got := ""
				for _, p := range page.Items {
					got += fmt.Sprintf("%s<%s ", p.Name, p.ManagerName)
				}
				if got != want {
					t.Fatalf("people and their managers: %q, want %q", got, want)
				}
				return int(r1 - r0)
			}
			list("Ada< Alan<Grace Edsger<Ada Grace<Ada ")
			kept := list("Ada< Alan<Grace Edsger<Ada Grace<Ada ")

			// A manager renamed on another instance is named anew.
			ada, err := other.Person(ctx, owner, ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			ada.Name = "Ada L."
			if _, err := other.UpdatePerson(ctx, owner, ada, ada.Version); err != nil {
				t.Fatal(err)
			}
			list("Ada L.< Alan<Grace Edsger<Ada L. Grace<Ada L. ")

			// More managers than are kept: each page reads its own.
			db.SetMaxKeptManagers(1)
			create("Barbara", "")
			list("Ada L.< Alan<Grace Barbara< Edsger<Ada L. Grace<Ada L. ")
			if n := list("Ada L.< Alan<Grace Barbara< Edsger<Ada L. Grace<Ada L. "); n != kept+1 {
				t.Fatalf("a list with its managers read: %d statements, kept: %d; want one more", n, kept)
			}
		})
	}
}
