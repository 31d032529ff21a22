package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// planShown is what the plan's page shows of an entry.
func planShown(e isms.PlanEntry) string {
	r := e.Risk
	s := fmt.Sprintf("%s %s %q owner=%q %v residual=%s current=%s approved=%t accepted=%s |", r.ID, r.Ref, r.Title, r.OwnerName,
		r.Treatment, r.Residual.Level, r.CurrentResidual().Level, r.PlanApprovedAt != "", r.AcceptedUntil)
	for _, x := range e.Actions {
		s += fmt.Sprintf(" %s %s %q %q %s %s;", x.ID, x.Ref, x.Title, x.ResponsibleName, x.DueDate, x.Status)
	}
	s += " |"
	for _, l := range e.Controls {
		s += fmt.Sprintf(" %s %s %q;", l.ToID, l.OtherRef, l.OtherTitle)
	}
	return s
}

// planPages walks the plan in pages of two and gives what shown says of
// each entry, after checking that the whole plan, which reads everything
// itself, says the same.
func planPages(t *testing.T, db *store.DB, a isms.Actor, today string, shown func(isms.PlanEntry) string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	cursor := ""
	for {
		page, _, err := db.RiskTreatmentPlanPage(ctx, a, cursor, 2, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			out = append(out, shown(e))
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	full, err := db.RiskTreatmentPlan(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var whole []string
	for _, e := range full {
		whole = append(whole, shown(e))
	}
	if !reflect.DeepEqual(whole, out) {
		t.Fatalf("whole plan\n%q\npages\n%q", whole, out)
	}
	return out
}

func TestRiskTreatmentPlanPages(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr, auditor := f.Owner(), f.Actors[isms.RoleISMSManager], f.Actors[isms.RoleAuditor]
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
		const today = "2026-03-01"
		approvedCriteria(t, db, owner, isms.Preset5x5)
		ctrl, err := db.CreateControl(ctx, mgr, isms.Control{Meta: isms.Meta{Ref: "BK-1"}, Title: "Backups", Theme: "Technological"})
		if err != nil {
			t.Fatal(err)
		}
		var risks []isms.Risk
		add := func(r isms.Risk) isms.Risk {
			t.Helper()
			r, err := db.CreateRisk(ctx, mgr, r)
			if err != nil {
				t.Fatalf("create %s: %v", r.Title, err)
			}
			risks = append(risks, r)
			return r
		}
		act := func(r isms.Risk, due string, st isms.ActionStatus) isms.Action {
			t.Helper()
			return riskAction(t, db, mgr, r, due, st)
		}
		rated := isms.Rating{Likelihood: 4, Consequence: 4}
		for i := 1; i <= 7; i++ {
			r := add(isms.Risk{Title: fmt.Sprintf("Risk %d", i), Priority: i, OwnerID: mgr.UserID, Treatment: []isms.TreatmentOption{"modify"},
				Inherent: rated, Residual: isms.Rating{Likelihood: 2, Consequence: 2}})
			switch i {
			case 1:
				act(r, "2026-02-01", isms.ActionOpen) // overdue
				act(r, "", isms.ActionDone)
				if err := db.LinkRisk(ctx, mgr, r.ID, "control", ctrl.ID, "Daily"); err != nil {
					t.Fatal(err)
				}
				// A control archived since it was linked is still named.
				old, err := db.CreateControl(ctx, mgr, isms.Control{Meta: isms.Meta{Ref: "AR-1"}, Title: "Retired check", Theme: "Technological"})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.LinkRisk(ctx, mgr, r.ID, "control", old.ID, ""); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ArchiveControl(ctx, mgr, old.ID, old.Version, true); err != nil {
					t.Fatal(err)
				}
			case 4:
				act(r, "2026-04-01", isms.ActionDone)
				act(r, "2026-01-01", isms.ActionCancelled)
			}
		}
		onlyAction := add(isms.Risk{Title: "Action, no option", Priority: 8})
		act(onlyAction, "2026-05-01", isms.ActionInProgress)
		add(isms.Risk{Title: "Neither option nor action", Priority: 9})
		archivedAction := act(onlyAction, "2026-01-15", isms.ActionOpen)
		if _, err := db.ArchiveAction(ctx, mgr, archivedAction.ID, archivedAction.Version, true); err != nil {
			t.Fatal(err)
		}
		gone := add(isms.Risk{Title: "Archived", Priority: 10, Treatment: []isms.TreatmentOption{"avoid"}})
		act(gone, "2026-01-20", isms.ActionOpen)
		gone, _ = db.Risk(ctx, mgr, gone.ID)
		if _, err := db.ArchiveRisk(ctx, mgr, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}

		full, err := db.RiskTreatmentPlan(ctx, auditor)
		if err != nil || len(full) != 8 {
			t.Fatalf("whole plan: %d entries, %v", len(full), err)
		}
		for _, e := range full {
			var named []string
			for _, l := range e.Controls {
				named = append(named, l.OtherRef+" "+l.OtherTitle)
			}
			if e.Risk.Title == "Risk 1" && !reflect.DeepEqual(named, []string{"AR-1 Retired check", "BK-1 Backups"}) {
				t.Fatalf("controls of Risk 1: %q, want both, by reference", named)
			}
		}
		var want []string
		for _, e := range full {
			want = append(want, planShown(e))
		}
		wantProgress := isms.Progress(full, today)
		if wantProgress != (isms.PlanProgress{Actions: 4, Done: 2, Overdue: 1, Open: 2}) {
			t.Fatalf("whole plan's progress %+v", wantProgress)
		}

		// Pages of three walk the whole plan in its order, each with the
		// totals of the whole plan.
		var got []string
		var prevs []string
		cursor := ""
		for n := 1; ; n++ {
			page, progress, err := db.RiskTreatmentPlanPage(ctx, auditor, cursor, 3, today)
			if err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
			if page.Total != 8 || progress != wantProgress {
				t.Fatalf("page %d: total %d, progress %+v", n, page.Total, progress)
			}
			if (n == 1) != (page.PrevCursor == "") {
				t.Fatalf("page %d: previous %q", n, page.PrevCursor)
			}
			for _, e := range page.Items {
				got = append(got, planShown(e))
			}
			prevs = append(prevs, page.PrevCursor)
			if page.NextCursor == "" {
				if n != 3 || len(page.Items) != 2 {
					t.Fatalf("last page %d holds %d", n, len(page.Items))
				}
				break
			}
			if len(page.Items) != 3 {
				t.Fatalf("page %d holds %d", n, len(page.Items))
			}
			cursor = page.NextCursor
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("pages\n got %q\nwant %q", got, want)
		}
		// Previous from the last page is the second one again.
		back, _, err := db.RiskTreatmentPlanPage(ctx, auditor, prevs[2], 3, today)
		if err != nil || len(back.Items) != 3 || planShown(back.Items[0]) != want[3] || back.NextCursor == "" || back.PrevCursor == "" {
			t.Fatalf("back to page 2: %d items, %v", len(back.Items), err)
		}
		first, _, _ := db.RiskTreatmentPlanPage(ctx, auditor, back.PrevCursor, 3, today)
		if len(first.Items) != 3 || planShown(first.Items[0]) != want[0] || first.PrevCursor != "" {
			t.Fatalf("back to page 1: %d items, previous %q", len(first.Items), first.PrevCursor)
		}
		e := first.Items[0]
		if e.Risk.Ref != risks[0].Ref || e.Risk.OwnerName == "" || len(e.Actions) != 2 || e.Actions[0].DueDate != "2026-02-01" ||
			e.Actions[0].ResponsibleName == "" || len(e.Controls) != 2 || e.Controls[1].OtherTitle != "Backups" {
			t.Fatalf("first entry %s", planShown(e))
		}

		// Doing the overdue action shows at once.
		x := full[0].Actions[0]
		x.Status, x.CompletionEvidence = isms.ActionDone, "Report"
		if _, err := db.UpdateAction(ctx, mgr, x, x.Version); err != nil {
			t.Fatal(err)
		}
		if _, p, err := db.RiskTreatmentPlanPage(ctx, auditor, "", 3, today); err != nil || p != (isms.PlanProgress{Actions: 4, Done: 3, Open: 1}) {
			t.Fatalf("progress after done %+v %v", p, err)
		}

		if _, _, err := db.RiskTreatmentPlanPage(ctx, auditor, "not-a-cursor", 3, today); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
		if _, _, err := db.RiskTreatmentPlanPage(ctx, isms.Actor{OrgID: f.Org.ID}, "", 3, today); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("no role: %v", err)
		}
	})
}

// The plan's controls are kept between pages; a change of links shows at
// once, and an organisation with more links than are kept has each page's
// links read, in the same order.
func TestRiskTreatmentPlanControlsKept(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		const today = "2026-03-01"
		approvedCriteria(t, db, owner, isms.Preset5x5)
		control := func(ref, title string) isms.Control {
			t.Helper()
			c, err := db.CreateControl(ctx, mgr, isms.Control{Meta: isms.Meta{Ref: ref}, Title: title, Theme: "Technological"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		zeta, alpha := control("ZZ-1", "Zeta"), control("AA-1", "Alpha")
		var risks []isms.Risk
		for i := 1; i <= 3; i++ {
			r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: fmt.Sprintf("Risk %d", i), Priority: i, Treatment: []isms.TreatmentOption{"modify"}})
			if err != nil {
				t.Fatal(err)
			}
			risks = append(risks, r)
		}
		link := func(r isms.Risk, c isms.Control) {
			t.Helper()
			if err := db.LinkRisk(ctx, mgr, r.ID, "control", c.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Another organisation's links never show.
		g := storetest.Seed(t, db, "globex")
		approvedCriteria(t, db, g.Owner(), isms.Preset5x5)
		gc, err := db.CreateControl(ctx, g.Owner(), isms.Control{Meta: isms.Meta{Ref: "AA-0"}, Title: "Theirs", Theme: "Technological"})
		if err != nil {
			t.Fatal(err)
		}
		gr, err := db.CreateRisk(ctx, g.Owner(), isms.Risk{Title: "Theirs", Treatment: []isms.TreatmentOption{"modify"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LinkRisk(ctx, g.Owner(), gr.ID, "control", gc.ID, ""); err != nil {
			t.Fatal(err)
		}
		want := func(w ...string) {
			t.Helper()
			if got := planPages(t, db, mgr, today, func(e isms.PlanEntry) string {
				s := e.Risk.Title + ":"
				for _, l := range e.Controls {
					s += " " + l.OtherRef
				}
				return s
			}); !reflect.DeepEqual(got, w) {
				t.Fatalf("plan shows %q, want %q", got, w)
			}
		}
		want("Risk 1:", "Risk 2:", "Risk 3:")
		link(risks[0], zeta)
		want("Risk 1: ZZ-1", "Risk 2:", "Risk 3:")
		link(risks[0], alpha)
		link(risks[2], zeta)
		want("Risk 1: AA-1 ZZ-1", "Risk 2:", "Risk 3: ZZ-1")
		if err := db.UnlinkRisk(ctx, mgr, risks[0].ID, "control", zeta.ID); err != nil {
			t.Fatal(err)
		}
		want("Risk 1: AA-1", "Risk 2:", "Risk 3: ZZ-1")

		// More links than are kept: read page by page, the same.
		db.SetMaxKeptPlanLinks(1)
		link(risks[1], alpha)
		want("Risk 1: AA-1", "Risk 2: AA-1", "Risk 3: ZZ-1")
		link(risks[1], zeta)
		want("Risk 1: AA-1", "Risk 2: AA-1 ZZ-1", "Risk 3: ZZ-1")
	})
}

// The plan's treatment actions are kept between pages; every change to an
// action shows at once, another organisation's never show, and an
// organisation with more actions than are kept has each page's read, the
// same.
func TestRiskTreatmentPlanActionsKept(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		const today = "2026-03-01"
		approvedCriteria(t, db, owner, isms.Preset5x5)
		var risks []isms.Risk
		for i := 1; i <= 3; i++ {
			r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: fmt.Sprintf("Risk %d", i), Priority: i, Treatment: []isms.TreatmentOption{"modify"}})
			if err != nil {
				t.Fatal(err)
			}
			risks = append(risks, r)
		}
		act := func(r isms.Risk, title, due string) isms.Action {
			t.Helper()
			x, err := db.CreateAction(ctx, mgr, isms.Action{Title: title, ResponsibleID: mgr.UserID, DueDate: due, ServesType: "risk", ServesID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		change := func(x isms.Action, edit func(*isms.Action)) {
			t.Helper()
			x, err := db.Action(ctx, mgr, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			edit(&x)
			if _, err := db.UpdateAction(ctx, mgr, x, x.Version); err != nil {
				t.Fatal(err)
			}
		}
		// Another organisation's treatment actions never show.
		g := storetest.Seed(t, db, "globex")
		approvedCriteria(t, db, g.Owner(), isms.Preset5x5)
		gr, err := db.CreateRisk(ctx, g.Owner(), isms.Risk{Title: "Theirs", Treatment: []isms.TreatmentOption{"modify"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAction(ctx, g.Owner(), isms.Action{Title: "Their action", ServesType: "risk", ServesID: gr.ID}); err != nil {
			t.Fatal(err)
		}
		entry := func(e isms.PlanEntry) string {
			s := fmt.Sprintf("%s (%d/%d):", e.Risk.Title, e.Risk.ActionsDone, e.Risk.ActionsTotal)
			for _, x := range e.Actions {
				s += fmt.Sprintf(" %s %s %s %s %s;", x.Title, x.DueDate, x.Status, x.ResponsibleName, x.Ref)
			}
			return s
		}
		want := func(w ...string) {
			t.Helper()
			if got := planPages(t, db, mgr, today, entry); !reflect.DeepEqual(got, w) {
				t.Fatalf("plan shows\n%q\nwant\n%q", got, w)
			}
		}
		name := mgr.UserName
		if name == "" {
			t.Fatal("the manager has no name to show")
		}
		want("Risk 1 (0/0):", "Risk 2 (0/0):", "Risk 3 (0/0):")
		backup := act(risks[0], "Test the backup", "2026-05-01")
		want("Risk 1 (0/1): Test the backup 2026-05-01 open "+name+" "+backup.Ref+";", "Risk 2 (0/0):", "Risk 3 (0/0):")
		// By due date, those without one last.
		later := act(risks[0], "Write the runbook", "")
		mfa := act(risks[0], "Turn on MFA", "2026-04-01")
		scan := act(risks[2], "Scan the server", "2026-06-01")
		want("Risk 1 (0/3): Turn on MFA 2026-04-01 open "+name+" "+mfa.Ref+"; Test the backup 2026-05-01 open "+name+" "+backup.Ref+"; Write the runbook  open "+name+" "+later.Ref+";",
			"Risk 2 (0/0):", "Risk 3 (0/1): Scan the server 2026-06-01 open "+name+" "+scan.Ref+";")
		// Edits, a finished action, one moved to another risk, one archived.
		change(mfa, func(x *isms.Action) {
			x.Title, x.Status, x.CompletionEvidence = "Enforce MFA", isms.ActionDone, "Report"
		})
		change(later, func(x *isms.Action) { x.ServesID, x.DueDate = risks[1].ID, "2026-03-15" })
		b, _ := db.Action(ctx, mgr, backup.ID)
		if _, err := db.ArchiveAction(ctx, mgr, b.ID, b.Version, true); err != nil {
			t.Fatal(err)
		}
		want("Risk 1 (1/1): Enforce MFA 2026-04-01 done "+name+" "+mfa.Ref+";",
			"Risk 2 (0/1): Write the runbook 2026-03-15 open "+name+" "+later.Ref+";",
			"Risk 3 (0/1): Scan the server 2026-06-01 open "+name+" "+scan.Ref+";")

		// More actions than are kept: read page by page, the same.
		db.SetMaxKeptPlanActions(1)
		cancelled := act(risks[2], "Buy a scanner", "2026-05-15")
		change(cancelled, func(x *isms.Action) { x.Status = isms.ActionCancelled })
		want("Risk 1 (1/1): Enforce MFA 2026-04-01 done "+name+" "+mfa.Ref+";",
			"Risk 2 (0/1): Write the runbook 2026-03-15 open "+name+" "+later.Ref+";",
			"Risk 3 (0/1): Buy a scanner 2026-05-15 cancelled "+name+" "+cancelled.Ref+"; Scan the server 2026-06-01 open "+name+" "+scan.Ref+";")
	})
}
