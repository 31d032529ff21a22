package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// riskAction adds a treatment action due on due (or "") to risk r, in
// state st.
func riskAction(t *testing.T, db *store.DB, a isms.Actor, r isms.Risk, due string, st isms.ActionStatus) isms.Action {
	t.Helper()
	ctx := context.Background()
	x, err := db.CreateAction(ctx, a, isms.Action{Title: "Treat " + r.Title, ResponsibleID: a.UserID, DueDate: due, ServesType: "risk", ServesID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st != isms.ActionOpen {
		x.Status, x.CompletionEvidence = st, "Report"
		if x, err = db.UpdateAction(ctx, a, x, x.Version); err != nil {
			t.Fatal(err)
		}
	}
	return x
}

// heatMapsOf counts the heat maps from the risks themselves, one by one.
func heatMapsOf(c isms.RiskCriteria, active []isms.Risk) isms.RiskHeatMaps {
	hm := isms.RiskHeatMaps{Criteria: c, Inherent: isms.NewCounts(c), Residual: isms.NewCounts(c), Current: isms.NewCounts(c)}
	for _, r := range active {
		if r.Inherent.Rank == 0 {
			hm.Unrated++
		}
		if r.CriteriaID != "" && r.CriteriaID != c.ID {
			hm.Older++
		}
		if r.CriteriaID == c.ID && r.Inherent.Rank > 0 {
			r.Inherent.AddTo(hm.Inherent)
			r.Residual.AddTo(hm.Residual)
			r.CurrentResidual().AddTo(hm.Current)
		}
	}
	return hm
}

func TestRiskHeatMapsCountRisks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		if _, ok, err := db.RiskHeatMaps(ctx, mgr); ok || err != nil {
			t.Fatalf("heat maps before criteria: %v %v", ok, err)
		}
		v1 := approvedCriteria(t, db, owner, isms.Preset3x3)
		rating := func(l, c int) isms.Rating { return isms.Rating{Likelihood: l, Consequence: c} }
		add := func(title string, in, res isms.Rating, opts ...isms.TreatmentOption) isms.Risk {
			t.Helper()
			r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: title, OwnerID: mgr.UserID, Inherent: in, Residual: res, Treatment: opts})
			if err != nil {
				t.Fatalf("create %s: %v", title, err)
			}
			return r
		}
		act := func(r isms.Risk, st isms.ActionStatus, archived bool) {
			t.Helper()
			x := riskAction(t, db, mgr, r, "", st)
			if archived {
				if _, err := db.ArchiveAction(ctx, mgr, x.ID, x.Version, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		add("Rated under version 1", rating(3, 2), rating(1, 2), "modify")
		add("Not rated yet", isms.Rating{}, isms.Rating{})

		v2 := revisedCriteria(t, db, mgr, owner, isms.Preset5x5)
		allDone := add("All actions done", rating(4, 4), rating(2, 3), "modify")
		act(allDone, isms.ActionDone, false)
		act(allDone, isms.ActionCancelled, false)
		someOpen := add("One action open", rating(4, 4), rating(2, 3), "modify")
		act(someOpen, isms.ActionDone, false)
		act(someOpen, isms.ActionInProgress, false)
		add("Retained", rating(5, 5), rating(3, 3), "retain")
		retainedCancelled := add("Retained, action cancelled", rating(5, 5), rating(3, 3), "retain")
		act(retainedCancelled, isms.ActionCancelled, false)
		add("Retained and shared", rating(5, 4), rating(3, 3), "retain", "share")
		add("No residual rating", rating(3, 2), isms.Rating{}, "modify")
		archivedDone := add("Done action archived", rating(3, 2), rating(1, 1), "modify")
		act(archivedDone, isms.ActionDone, true)
		add("Untreated", rating(1, 5), isms.Rating{})
		gone := add("Archived risk", rating(2, 2), rating(1, 1), "modify")
		act(gone, isms.ActionDone, false)
		gone, _ = db.Risk(ctx, mgr, gone.ID)
		if _, err := db.ArchiveRisk(ctx, mgr, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		add("Not rated under version 2", isms.Rating{}, isms.Rating{}, "avoid")

		check := func(step string) isms.RiskHeatMaps {
			t.Helper()
			hm, ok, err := db.RiskHeatMaps(ctx, f.Actors[isms.RoleAuditor])
			if err != nil || !ok || hm.Criteria.ID != v2.ID {
				t.Fatalf("%s: heat maps %v %v", step, ok, err)
			}
			active, err := db.ActiveRisks(ctx, mgr)
			if err != nil {
				t.Fatal(err)
			}
			want := heatMapsOf(hm.Criteria, active)
			got := [...]any{hm.Inherent, hm.Residual, hm.Current, hm.Older, hm.Unrated}
			if exp := [...]any{want.Inherent, want.Residual, want.Current, want.Older, want.Unrated}; !reflect.DeepEqual(got, exp) {
				t.Fatalf("%s: inherent, residual, current, older, unrated\n got %v\nwant %v", step, got, exp)
			}
			return hm
		}
		hm := check("first")
		// What a reader of the maps sees, spelt out: [likelihood-1][consequence-1].
		if hm.Older != 1 || hm.Unrated != 2 || v1.ID == v2.ID {
			t.Fatalf("older %d, unrated %d", hm.Older, hm.Unrated)
		}
		if hm.Inherent[3][3] != 2 || hm.Inherent[4][4] != 2 || hm.Inherent[2][1] != 2 || hm.Inherent[1][1] != 0 {
			t.Fatalf("inherent %v", hm.Inherent)
		}
		if hm.Residual[1][2] != 2 || hm.Residual[2][2] != 3 || hm.Residual[0][0] != 1 {
			t.Fatalf("residual %v", hm.Residual)
		}
		// At their residual now: all actions done, and the two only retained.
		if hm.Current[1][2] != 1 || hm.Current[3][3] != 1 || hm.Current[2][2] != 2 || hm.Current[4][4] != 0 ||
			hm.Current[4][3] != 1 || hm.Current[2][1] != 2 || hm.Current[0][0] != 0 {
			t.Fatalf("current %v", hm.Current)
		}
		// Finishing the open action moves its risk on the current map at once.
		open, err := db.Actions(ctx, mgr, isms.ListQuery{Filters: map[string]string{"status": string(isms.ActionInProgress)}})
		if err != nil || len(open.Items) != 1 {
			t.Fatalf("open actions %d %v", len(open.Items), err)
		}
		x := open.Items[0]
		x.Status, x.CompletionEvidence = isms.ActionDone, "Report"
		if _, err := db.UpdateAction(ctx, mgr, x, x.Version); err != nil {
			t.Fatal(err)
		}
		if hm = check("after the last action is done"); hm.Current[1][2] != 2 || hm.Current[3][3] != 0 {
			t.Fatalf("current after done %v", hm.Current)
		}
	})
}
