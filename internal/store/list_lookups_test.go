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
			people, err := db.People(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": people", people.Items, func(id string) (isms.Person, error) { return db.Person(ctx, owner, id) })
			active, err := db.ActivePeople(ctx, owner)
			must(err)
			sameAsRead(t, step+": active people", active, func(id string) (isms.Person, error) { return db.Person(ctx, owner, id) })
			assets, err := db.Assets(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": assets", assets.Items, func(id string) (isms.Asset, error) { return db.Asset(ctx, owner, id) })
			activeAssets, err := db.ActiveAssets(ctx, owner)
			must(err)
			sameAsRead(t, step+": active assets", activeAssets, func(id string) (isms.Asset, error) { return db.Asset(ctx, owner, id) })
			evidence, err := db.EvidenceList(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": evidence", evidence.Items, func(id string) (isms.Evidence, error) { return db.Evidence(ctx, owner, id) })
			risks, err := db.Risks(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": risks", risks.Items, func(id string) (isms.Risk, error) { return db.Risk(ctx, owner, id) })
			activeRisks, err := db.ActiveRisks(ctx, owner)
			must(err)
			sameAsRead(t, step+": active risks", activeRisks, func(id string) (isms.Risk, error) { return db.Risk(ctx, owner, id) })
			actions, err := db.Actions(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": actions", actions.Items, func(id string) (isms.Action, error) { return db.Action(ctx, owner, id) })
			controls, err := db.Controls(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": controls", controls.Items, func(id string) (isms.Control, error) { return db.Control(ctx, owner, id) })
			activeControls, err := db.ActiveControls(ctx, owner)
			must(err)
			sameAsRead(t, step+": active controls", activeControls, func(id string) (isms.Control, error) { return db.Control(ctx, owner, id) })
			runs, err := db.Assessments(ctx, owner, all)
			must(err)
			sameAsRead(t, step+": assessments", runs.Items, func(id string) (isms.Assessment, error) { return db.Assessment(ctx, owner, id) })

			plan, err := db.RiskTreatmentPlan(ctx, owner)
			must(err)
			var planned []isms.Risk
			var planActions []isms.Action
			for _, e := range plan {
				planned, planActions = append(planned, e.Risk), append(planActions, e.Actions...)
			}
			sameAsRead(t, step+": the treatment plan's risks", planned, func(id string) (isms.Risk, error) { return db.Risk(ctx, owner, id) })
			sameAsRead(t, step+": the treatment plan's actions", planActions, func(id string) (isms.Action, error) { return db.Action(ctx, owner, id) })

			// What the lists fill in, spelled out.
			for _, p := range people.Items {
				if p.Name == "Ray Report" && (p.ManagerName != "Mia Manager" || p.UserEmail != f.Users[isms.RoleContributor].Email) {
					t.Errorf("%s: listed %+v", step, p)
				}
			}
			for _, x := range assets.Items {
				if x.Name == "Laptop fleet" && (x.OwnerEmail != f.Users[isms.RoleOwner].Email || x.CustodianName != f.Users[isms.RoleContributor].Name ||
					x.CustodianEmail != f.Users[isms.RoleContributor].Email) {
					t.Errorf("%s: listed %+v", step, x)
				}
			}
			for _, r := range risks.Items {
				if r.ID == risk.ID && (r.OwnerName != f.Users[isms.RoleContributor].Name || r.ActionsTotal != 2 || r.ActionsDone != 1) {
					t.Errorf("%s: listed %+v", step, r)
				}
			}
			if len(runs.Items) != 1 || runs.Items[0].ClosedByName != f.Users[isms.RoleISMSManager].Name {
				t.Errorf("%s: listed %+v", step, runs.Items)
			}
		}
		check("members")
		must(db.RemoveMember(ctx, owner, contrib.UserID))
		check("after a member left")
	})
}

// sameAsRead checks that each listed record equals the record read alone.
func sameAsRead[T any](t *testing.T, what string, items []T, read func(id string) (T, error)) {
	t.Helper()
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
}
