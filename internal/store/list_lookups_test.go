package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// Every record of a full list, of an export's read of every active record
// and of the treatment plan is the record as read on its own: the names, email addresses
// and counts a list fills in from kept values match what a single read
// selects with the record, for a member, a member who has left the
// organisation and nobody.
func TestFullListsMatchSingleReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr, contrib := f.Owner(), f.Actors[isms.RoleISMSManager], f.Actors[isms.RoleContributor]
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}

		boss, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Mia Manager", Email: "mia@acme.test"})
		must(err)
		_, err = db.CreatePerson(ctx, owner, isms.Person{Name: "Ray Report", Email: "ray@acme.test", ManagerID: boss.ID, UserID: contrib.UserID})
		must(err)
		_, err = db.CreateAsset(ctx, owner, isms.Asset{Name: "Laptop fleet", Type: "hardware", OwnerID: owner.UserID, CustodianID: contrib.UserID})
		must(err)
		_, err = db.CreateAsset(ctx, owner, isms.Asset{Name: "Payroll", Type: "information", OwnerID: contrib.UserID})
		must(err)
		_, err = db.CreateAsset(ctx, owner, isms.Asset{Name: "Printer", Type: "hardware"})
		must(err)
		_, err = db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Backup report", Kind: isms.EvidenceNote, Description: "Restored on Monday", OwnerID: contrib.UserID}, nil, nil)
		must(err)
		risk, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Lost laptop", OwnerID: contrib.UserID})
		must(err)
		_, err = db.CreateRisk(ctx, owner, isms.Risk{Title: "Flood"})
		must(err)
		_, err = db.CreateAction(ctx, owner, isms.Action{Title: "Encrypt disks", ServesType: "risk", ServesID: risk.ID, ResponsibleID: contrib.UserID})
		must(err)
		_, err = db.CreateAction(ctx, owner, isms.Action{Title: "Enrol in MDM", ServesType: "risk", ServesID: risk.ID,
			Status: isms.ActionDone, CompletionEvidence: "Report attached", ResponsibleID: owner.UserID})
		must(err)
		ctrls, err := db.Controls(ctx, owner, isms.ListQuery{Limit: 1})
		must(err)
		ctrl := ctrls.Items[0]
		ctrl.OwnerID = contrib.UserID
		_, err = db.UpdateControl(ctx, owner, ctrl, ctrl.Version)
		must(err)
		approvedCriteria(t, db, owner, isms.Preset5x5)
		run, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: "2025-03-01", Scope: "Whole firm", ParticipantIDs: []string{mgr.UserID}})
		must(err)
		_, err = db.CloseAssessment(ctx, mgr, run.ID, run.Version)
		must(err)

		check := func(step string) {
			t.Helper()
			all := isms.ListQuery{Limit: isms.MaxLimit}
			person, asset, rsk := readBy(ctx, owner, db.Person), readBy(ctx, owner, db.Asset), readBy(ctx, owner, db.Risk)
			action, control := readBy(ctx, owner, db.Action), readBy(ctx, owner, db.Control)
			people := sameAsRead(t, step+": people", person)(pageItems(db.People(ctx, owner, all)))
			sameAsRead(t, step+": active people", person)(db.ActivePeople(ctx, owner))
			assets := sameAsRead(t, step+": assets", asset)(pageItems(db.Assets(ctx, owner, all)))
			sameAsRead(t, step+": active assets", asset)(db.ActiveAssets(ctx, owner))
			sameAsRead(t, step+": evidence", readBy(ctx, owner, db.Evidence))(pageItems(db.EvidenceList(ctx, owner, all)))
			risks := sameAsRead(t, step+": risks", rsk)(pageItems(db.Risks(ctx, owner, all)))
			sameAsRead(t, step+": active risks", rsk)(db.ActiveRisks(ctx, owner))
			sameAsRead(t, step+": actions", action)(pageItems(db.Actions(ctx, owner, all)))
			sameAsRead(t, step+": controls", control)(pageItems(db.Controls(ctx, owner, all)))
			sameAsRead(t, step+": active controls", control)(db.ActiveControls(ctx, owner))
			runs := sameAsRead(t, step+": assessments", readBy(ctx, owner, db.Assessment))(pageItems(db.Assessments(ctx, owner, all)))

			plan, err := db.RiskTreatmentPlan(ctx, owner)
			must(err)
			var planned []isms.Risk
			var planActions []isms.Action
			for _, e := range plan {
				planned, planActions = append(planned, e.Risk), append(planActions, e.Actions...)
			}
			sameAsRead(t, step+": the treatment plan's risks", rsk)(planned, nil)
			sameAsRead(t, step+": the treatment plan's actions", action)(planActions, nil)

			// What the lists fill in, spelled out.
			for _, p := range people {
				if p.Name == "Ray Report" && (p.ManagerName != "Mia Manager" || p.UserEmail != f.Users[isms.RoleContributor].Email) {
					t.Errorf("%s: listed %+v", step, p)
				}
			}
			for _, x := range assets {
				if x.Name == "Laptop fleet" && (x.OwnerEmail != f.Users[isms.RoleOwner].Email || x.CustodianName != f.Users[isms.RoleContributor].Name ||
					x.CustodianEmail != f.Users[isms.RoleContributor].Email) {
					t.Errorf("%s: listed %+v", step, x)
				}
			}
			for _, r := range risks {
				if r.ID == risk.ID && (r.OwnerName != f.Users[isms.RoleContributor].Name || r.ActionsTotal != 2 || r.ActionsDone != 1) {
					t.Errorf("%s: listed %+v", step, r)
				}
			}
			if len(runs) != 1 || runs[0].ClosedByName != f.Users[isms.RoleISMSManager].Name {
				t.Errorf("%s: listed %+v", step, runs)
			}
		}
		check("members")
		must(db.RemoveMember(ctx, owner, contrib.UserID))
		check("after a member left")
	})
}

// sameAsRead returns a check that each record of a list (read with the
// list's error) equals the record read alone; the check returns the list.
func sameAsRead[T any](t *testing.T, what string, read func(id string) (T, error)) func([]T, error) []T {
	return func(items []T, err error) []T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(items) == 0 {
			t.Errorf("%s: none listed", what)
		}
		for _, it := range items {
			id := reflect.ValueOf(it).FieldByName("ID").String()
			one, err := read(id)
			if err != nil {
				t.Fatalf("%s: read %s: %v", what, id, err)
			}
			if !reflect.DeepEqual(it, one) {
				t.Errorf("%s: listed\n%+v\nread alone\n%+v", what, it, one)
			}
		}
		return items
	}
}

// readBy is a store's read of one record by the actor, by id.
func readBy[T any](ctx context.Context, a isms.Actor, read func(context.Context, isms.Actor, string) (T, error)) func(string) (T, error) {
	return func(id string) (T, error) { return read(ctx, a, id) }
}

// pageItems is a page's records, with the error of its read.
func pageItems[T any](p isms.Page[T], err error) ([]T, error) { return p.Items, err }
