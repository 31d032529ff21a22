package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestActions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib, staff := f.Owner(), f.Actors[isms.RoleContributor], f.Actors[isms.RoleStaff]
		x, err := db.CreateAction(ctx, owner, isms.Action{Title: "Enable MFA on email", ResponsibleID: contrib.UserID, DueDate: "2020-01-31",
			Resources: "2 days of IT time", Evaluation: "All mailboxes report MFA enabled", ServesType: "risk", ServesID: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		if x.Ref != "A-001" || x.Status != isms.ActionOpen || x.ResponsibleName == "" {
			t.Fatalf("created %+v", x)
		}
		// Overdue: open with a past due date.
		page, err := db.Actions(ctx, owner, isms.ListQuery{Filters: map[string]string{"open": "yes", "due_before": "2026-01-01"}})
		if err != nil || page.Total != 1 || !page.Items[0].Overdue("2026-01-01") {
			t.Fatalf("overdue list %d %v", page.Total, err)
		}
		// The responsible contributor sees it in their actions and may update it.
		mine, err := db.MyActions(ctx, contrib, isms.ListQuery{})
		if err != nil || mine.Total != 1 {
			t.Fatalf("my actions %d %v", mine.Total, err)
		}
		x.Status = isms.ActionDone
		if _, err := db.UpdateAction(ctx, contrib, x, 1); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("done without evidence: %v", err)
		}
		x.CompletionEvidence = "Admin console report attached"
		done, err := db.UpdateAction(ctx, contrib, x, 1)
		if err != nil || done.CompletedAt == "" || done.Version != 2 {
			t.Fatalf("complete: %+v %v", done, err)
		}
		// But cannot hand it to someone else, and staff cannot touch it.
		done.ResponsibleID = owner.UserID
		if _, err := db.UpdateAction(ctx, contrib, done, 2); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("reassign by contributor: %v", err)
		}
		if _, err := db.AddActionNote(ctx, staff, x.ID, "hello"); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff note: %v", err)
		}
		if _, err := db.AddActionNote(ctx, contrib, x.ID, "Rolled out to finance first"); err != nil {
			t.Fatal(err)
		}
		notes, err := db.ActionNotes(ctx, contrib, x.ID)
		if err != nil || len(notes) != 1 || notes[0].AuthorName == "" {
			t.Fatalf("notes %+v %v", notes, err)
		}
		// Contributors may create only their own; a non-member cannot be responsible.
		if _, err := db.CreateAction(ctx, contrib, isms.Action{Title: "Someone else's", ResponsibleID: owner.UserID}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor creating for another: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if _, err := db.CreateAction(ctx, owner, isms.Action{Title: "x", ResponsibleID: g.Owner().UserID}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("non-member responsible: %v", err)
		}
		if _, err := db.Action(ctx, g.Owner(), x.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org read: %v", err)
		}
		serving, err := db.ActionsServing(ctx, owner, "risk", "r1")
		if err != nil || len(serving) != 1 {
			t.Fatalf("serving %d %v", len(serving), err)
		}
		h, err := db.ActionHistory(ctx, owner, x.ID)
		if err != nil || len(h) != 2 {
			t.Fatalf("history %d %v", len(h), err)
		}
	})
}

// TestCreateActions: a batch of actions is created whole, each audited and
// numbered, or not at all when one of them is invalid or not allowed.
func TestCreateActions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		batch := []isms.Action{{Title: "Patch the firewall"}, {Title: "Review admin accounts", ResponsibleID: contrib.UserID}}
		if err := db.CreateActions(ctx, owner, batch); err != nil {
			t.Fatal(err)
		}
		page, err := db.Actions(ctx, owner, isms.ListQuery{Sort: "title"})
		if err != nil || page.Total != 2 || page.Items[0].Ref == page.Items[1].Ref {
			t.Fatalf("after a batch of two: %+v %v", page.Items, err)
		}
		for _, x := range page.Items {
			if h, err := db.ActionHistory(ctx, owner, x.ID); err != nil || len(h) != 1 || h[0].Action != "create" {
				t.Errorf("history of %s: %+v %v", x.Ref, h, err)
			}
		}
		// One invalid action (no title) stops the whole batch.
		if err := db.CreateActions(ctx, owner, []isms.Action{{Title: "Fine"}, {Title: " "}}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("batch with an untitled action: %v", err)
		}
		// A contributor may only create actions they are responsible for.
		err = db.CreateActions(ctx, contrib, []isms.Action{{Title: "Mine", ResponsibleID: contrib.UserID}, {Title: "Someone else's"}})
		if isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor's batch with another's action: %v", err)
		}
		// An action for someone who is not a member fails in the
		// transaction, after the first was inserted: neither stays.
		err = db.CreateActions(ctx, owner, []isms.Action{{Title: "First"}, {Title: "Second", ResponsibleID: "no-such-user"}})
		if err == nil {
			t.Fatal("an action for a non-member was accepted")
		}
		if page, _ := db.Actions(ctx, owner, isms.ListQuery{}); page.Total != 2 {
			t.Fatalf("%d actions after refused batches; want the first batch's 2", page.Total)
		}
	})
}

// A brief list, as the list pages ask for, leaves out the long texts and
// the meta no list shows, and nothing else; a full one, as the API and
// exports ask for, has them.
func TestBriefListLeavesOutLongTexts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		x, err := db.CreateAction(ctx, owner, isms.Action{Title: "Rotate keys", Description: "All service keys", Resources: "Half a day",
			Evaluation: "Key ages under 90 days", DueDate: "2031-02-03", ResponsibleID: owner.UserID})
		if err != nil {
			t.Fatal(err)
		}
		full, err := db.Actions(ctx, owner, isms.ListQuery{})
		if err != nil || len(full.Items) != 1 {
			t.Fatalf("full list: %v %v", full, err)
		}
		brief, err := db.Actions(ctx, owner, isms.ListQuery{Brief: true})
		if err != nil || len(brief.Items) != 1 {
			t.Fatalf("brief list: %v %v", brief, err)
		}
		got, want := brief.Items[0], full.Items[0]
		if want.Description != x.Description || want.Resources != x.Resources || want.Evaluation != x.Evaluation {
			t.Fatalf("full list lost texts: %+v", want)
		}
		if got.Description != "" || got.Resources != "" || got.Evaluation != "" {
			t.Fatalf("brief list kept long texts: %+v", got)
		}
		if got.Version != 0 || !got.CreatedAt.IsZero() || !got.UpdatedAt.IsZero() || got.CreatedBy != "" || got.OrgID != "" {
			t.Fatalf("brief list kept meta a list does not show: %+v", got.Meta)
		}
		if want.Version != 1 || want.CreatedAt.IsZero() || want.CreatedBy != owner.UserID {
			t.Fatalf("full list lost meta: %+v", want.Meta)
		}
		want.Description, want.Resources, want.Evaluation = "", "", ""
		want.Meta = isms.Meta{ID: want.ID, Ref: want.Ref, ArchivedAt: want.ArchivedAt}
		if got != want {
			t.Fatalf("brief list differs beyond the long texts:\n got %+v\nwant %+v", got, want)
		}
	})
}

// A filtered page reads nothing when nothing matches; on PostgreSQL, whose
// read connections keep one plan for each statement, a page of a few
// matches that the one plan would find only by walking more than maxWalk
// records is planned for its values. Either way the pages are the same.
func TestFilteredPagePlan(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			for i := range 12 {
				a := isms.Action{Title: fmt.Sprintf("Action %02d", i), DueDate: fmt.Sprintf("2027-01-%02d", 12-i)}
				if i%5 == 0 {
					a.Status = isms.ActionInProgress
				}
				if _, err := db.CreateAction(ctx, owner, a); err != nil {
					t.Fatal(err)
				}
			}
			started := isms.ListQuery{Filters: map[string]string{"status": string(isms.ActionInProgress)}, Limit: 1}
			titles := func() string {
				t.Helper()
				q, out := started, ""
				for {
					page, err := db.Actions(ctx, owner, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range page.Items {
						out += a.Title + ";"
					}
					if page.NextCursor == "" {
						return out
					}
					q.Cursor = page.NextCursor
				}
			}
			plan := func(q isms.ListQuery) (reads, forValues bool) {
				t.Helper()
				reads, forValues, err := db.ActionsPagePlan(ctx, owner, q)
				if err != nil {
					t.Fatal(err)
				}
				return reads, forValues
			}
			want := "Action 10;Action 05;Action 00;"
			if got := titles(); got != want {
				t.Fatalf("actions in progress, a page each: %q, want %q", got, want)
			}
			if reads, forValues := plan(started); !reads || forValues {
				t.Errorf("a short walk: reads %v, planned for its values %v; want a read on the one plan", reads, forValues)
			}
			db.SetMaxWalk(5) // 3 of 12 match: the walk reads all 12
			if reads, forValues := plan(started); !reads || forValues != (d == store.Postgres) {
				t.Errorf("a long walk: reads %v, planned for its values %v", reads, forValues)
			}
			if got := titles(); got != want {
				t.Fatalf("actions in progress planned for the filter: %q, want %q", got, want)
			}
			if reads, forValues := plan(isms.ListQuery{}); !reads || forValues {
				t.Errorf("no filter: reads %v, planned for its values %v", reads, forValues)
			}
			none := isms.ListQuery{Filters: map[string]string{"status": string(isms.ActionCancelled)}}
			if reads, _ := plan(none); reads {
				t.Error("a filter nothing matches reads a page")
			}
			page, err := db.Actions(ctx, owner, none)
			if err != nil || len(page.Items) != 0 || page.Total != 0 {
				t.Errorf("cancelled actions: %d, total %d, %v", len(page.Items), page.Total, err)
			}
		})
	}
}

// My tasks' totals asked for alone (the dashboard's card) are those of its
// lists, open and overdue, and follow every change at once.
func TestMyActionsCounted(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		const today = "2026-03-01"
		add := func(title, due string, st isms.ActionStatus, who isms.Actor) isms.Action {
			t.Helper()
			x, err := db.CreateAction(ctx, owner, isms.Action{Title: title, ResponsibleID: who.UserID, DueDate: due})
			if err != nil {
				t.Fatal(err)
			}
			if st != isms.ActionOpen {
				x.Status, x.CompletionEvidence = st, "Report"
				if x, err = db.UpdateAction(ctx, owner, x, x.Version); err != nil {
					t.Fatal(err)
				}
			}
			return x
		}
		check := func(wantOpen, wantLate int) {
			t.Helper()
			open, err := db.MyActions(ctx, contrib, isms.ListQuery{CountOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			overdue, err := db.MyActions(ctx, contrib, isms.ListQuery{CountOnly: true, Filters: map[string]string{"due_before": today}})
			if err != nil || open.Total != wantOpen || overdue.Total != wantLate || len(open.Items)+len(overdue.Items) != 0 {
				t.Fatalf("counts %d open, %d overdue (%d records), %v; want %d, %d", open.Total, overdue.Total, len(open.Items)+len(overdue.Items), err, wantOpen, wantLate)
			}
			all, err := db.MyActions(ctx, contrib, isms.ListQuery{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			due, err := db.MyActions(ctx, contrib, isms.ListQuery{Limit: 1, Filters: map[string]string{"due_before": today}})
			if err != nil || all.Total != open.Total || due.Total != overdue.Total {
				t.Fatalf("My tasks lists %d open, %d overdue (%v); the counts say %d, %d", all.Total, due.Total, err, open.Total, overdue.Total)
			}
		}
		check(0, 0)
		late := add("Overdue", "2026-02-01", isms.ActionOpen, contrib)
		add("Due today", today, isms.ActionInProgress, contrib)
		add("No due date", "", isms.ActionOpen, contrib)
		add("Done late", "2026-01-01", isms.ActionDone, contrib)
		add("Cancelled", "2026-01-01", isms.ActionCancelled, contrib)
		add("Someone else's", "2026-01-01", isms.ActionOpen, owner)
		gone := add("Archived", "2026-01-01", isms.ActionOpen, contrib)
		if _, err := db.ArchiveAction(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		g := storetest.Seed(t, db, "globex")
		if _, err := db.CreateAction(ctx, g.Owner(), isms.Action{Title: "Theirs", DueDate: "2026-01-01", ResponsibleID: g.Owner().UserID}); err != nil {
			t.Fatal(err)
		}
		check(3, 1)
		// Finishing the overdue one shows at once.
		late.Status, late.CompletionEvidence = isms.ActionDone, "Report"
		if _, err := db.UpdateAction(ctx, contrib, late, late.Version); err != nil {
			t.Fatal(err)
		}
		check(2, 0)
		if _, err := db.MyActions(ctx, contrib, isms.ListQuery{CountOnly: true, Filters: map[string]string{"due_before": "01/03/2026"}}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("a bad day: %v", err)
		}
		if _, err := db.MyActions(ctx, isms.Actor{OrgID: f.Org.ID}, isms.ListQuery{CountOnly: true}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("no user: %v", err)
		}
	})
}
