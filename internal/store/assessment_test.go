package store_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestAssessmentSnapshotFreezesAndCompares(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		crit := approvedCriteria(t, db, owner, isms.Preset5x5)
		// Critical (5×5), Medium (3×2), unrated.
		ransom, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Ransomware", Inherent: isms.Rating{Likelihood: 5, Consequence: 5}})
		if err != nil {
			t.Fatal(err)
		}
		phish, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Phishing", Inherent: isms.Rating{Likelihood: 3, Consequence: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Supplier fails"}); err != nil {
			t.Fatal(err)
		}

		run, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: "2025-03-01", Scope: "Whole firm",
			ParticipantIDs: []string{owner.UserID, mgr.UserID}, OtherParticipants: "Jo from the auditors"})
		if err != nil {
			t.Fatal(err)
		}
		if run.Ref != "RA-001" || run.CriteriaID != crit.ID || run.Status != isms.AssessmentOpen || run.Trigger != isms.TriggerScheduled {
			t.Fatalf("created %+v", run)
		}
		if lines, _ := db.AssessmentSnapshot(ctx, mgr, run.ID); len(lines) != 0 {
			t.Fatal("an open run has a snapshot")
		}
		// Editing an open run works; a stale version conflicts.
		run.Notes = "Workshop with department heads"
		run2, err := db.UpdateAssessment(ctx, mgr, run, run.Version)
		if err != nil || run2.Version != run.Version+1 {
			t.Fatalf("update: %+v %v", run2, err)
		}
		if _, err := db.UpdateAssessment(ctx, mgr, run, run.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := db.CloseAssessment(ctx, mgr, run.ID, run.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale close: %v", err)
		}
		closed, err := db.CloseAssessment(ctx, mgr, run.ID, run2.Version)
		if err != nil || !closed.Closed() || closed.ClosedAt == nil || closed.ClosedBy != mgr.UserID || closed.Lines != 3 {
			t.Fatalf("close: %+v %v", closed, err)
		}
		lines, err := db.AssessmentSnapshot(ctx, mgr, run.ID)
		if err != nil || len(lines) != 3 {
			t.Fatalf("snapshot: %d %v", len(lines), err)
		}
		byTitle := map[string]isms.SnapshotLine{}
		for _, l := range lines {
			byTitle[l.Title] = l
		}
		if l := byTitle["Ransomware"]; l.Current.Label != "Critical" || l.Inherent.Rank != 4 || l.LevelCount != 4 || l.RiskRef != ransom.Ref {
			t.Fatalf("ransomware line %+v", l)
		}
		if byTitle["Supplier fails"].Current.Rated() {
			t.Fatal("unrated risk has a level")
		}

		// The snapshot does not follow later edits of the risks.
		ransom.Inherent = isms.Rating{Likelihood: 1, Consequence: 1}
		if _, err := db.UpdateRisk(ctx, mgr, ransom, ransom.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveRisk(ctx, mgr, phish.ID, phish.Version, true); err != nil {
			t.Fatal(err)
		}
		newer, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Laptop theft", Inherent: isms.Rating{Likelihood: 2, Consequence: 2}})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := db.AssessmentSnapshot(ctx, mgr, run.ID)
		for _, l := range again {
			if l.Title == "Ransomware" && l.Current.Label != "Critical" {
				t.Fatalf("closed snapshot changed with the risk: %+v", l)
			}
		}
		if len(again) != 3 {
			t.Fatalf("closed snapshot has %d lines", len(again))
		}

		// A closed run refuses edits, a second close, and keeps its record.
		closed.Scope = "Changed"
		if _, err := db.UpdateAssessment(ctx, mgr, closed, closed.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("edit of a closed run: %v", err)
		}
		if _, err := db.CloseAssessment(ctx, mgr, run.ID, closed.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("second close: %v", err)
		}
		if x, _ := db.Assessment(ctx, mgr, run.ID); x.Scope != "Whole firm" || x.Version != closed.Version {
			t.Fatalf("closed run changed: %+v", x)
		}

		// Compare with now: phishing removed (archived), laptop added,
		// ransomware down, supplier unchanged (still unrated).
		_, _, cmp, err := db.CompareAssessments(ctx, f.Actors[isms.RoleAuditor], run.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Added) != 1 || cmp.Added[0].RiskID != newer.ID || len(cmp.Removed) != 1 || cmp.Removed[0].RiskID != phish.ID ||
			len(cmp.Down) != 1 || cmp.Down[0].RiskID != ransom.ID || len(cmp.Up) != 0 || len(cmp.Unchanged) != 1 {
			t.Fatalf("compare with now: %+v", cmp)
		}
		// Compare two closed runs; an open run cannot be compared.
		run3, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: "2026-03-01", Scope: "Whole firm", Trigger: isms.TriggerIncident,
			OtherParticipants: "Sam"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := db.CompareAssessments(ctx, mgr, run.ID, run3.ID); fieldErr(err, "to") != "validation.assessment_not_closed" {
			t.Fatalf("compare with an open run: %v", err)
		}
		if _, err := db.CloseAssessment(ctx, mgr, run3.ID, run3.Version); err != nil {
			t.Fatal(err)
		}
		_, to, cmp2, err := db.CompareAssessments(ctx, mgr, run.ID, run3.ID)
		if err != nil || to.ID != run3.ID || cmp2.Changed() != cmp.Changed() {
			t.Fatalf("compare two runs: %+v %v", cmp2, err)
		}
		trend, err := db.AssessmentTrend(ctx, mgr)
		if err != nil || len(trend) != 2 || trend[0].Run.ID != run.ID || trend[0].Total != 3 || trend[0].Unrated != 1 || trend[1].Total != 3 {
			t.Fatalf("trend: %+v %v", trend, err)
		}
		// The incident run does not reset the yearly clock.
		due, err := db.NextBroadAssessment(ctx, mgr)
		if err != nil || due.LastID != run.ID || due.DueDate != "2026-03-01" {
			t.Fatalf("due: %+v %v", due, err)
		}
		// The history shows the close.
		h, err := db.AssessmentHistory(ctx, mgr, run.ID)
		if err != nil || len(h) != 3 {
			t.Fatalf("history: %d %v", len(h), err)
		}
	})
}

func TestAssessmentValidationAndRoles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		other := storetest.Seed(t, db, "other")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		good := isms.Assessment{Date: "2025-03-01", Scope: "Whole firm", OtherParticipants: "Jo"}
		// Without approved criteria there is nothing to assess against.
		if _, err := db.CreateAssessment(ctx, mgr, good); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("no criteria: %v", err)
		}
		approvedCriteria(t, db, owner, isms.Preset3x3)
		otherCrit := approvedCriteria(t, db, other.Owner(), isms.Preset3x3)
		for _, role := range []isms.Role{isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff} {
			if _, err := db.CreateAssessment(ctx, f.Actors[role], good); isms.ErrorKind(err) != isms.KindForbidden {
				t.Fatalf("%s creates a run: %v", role, err)
			}
		}
		bad := good
		bad.ParticipantIDs = []string{other.Owner().UserID}
		if _, err := db.CreateAssessment(ctx, mgr, bad); fieldErr(err, "participant_ids") != "validation.not_member" {
			t.Fatalf("outsider as participant: %v", err)
		}
		bad = good
		bad.CriteriaID = otherCrit.ID
		if _, err := db.CreateAssessment(ctx, mgr, bad); fieldErr(err, "criteria_id") != "validation.assessment_criteria" {
			t.Fatalf("another organisation's criteria: %v", err)
		}
		bad = good
		bad.Date, bad.OtherParticipants = "yesterday", ""
		err := func() error { _, err := db.CreateAssessment(ctx, mgr, bad); return err }()
		if fieldErr(err, "assessed_on") != "validation.date" || fieldErr(err, "participant_ids") != "validation.assessment_participants" {
			t.Fatalf("bad input: %v", err)
		}
		run, err := db.CreateAssessment(ctx, owner, good)
		if err != nil {
			t.Fatal(err)
		}
		// Contributors and auditors read; staff do not.
		for _, role := range []isms.Role{isms.RoleContributor, isms.RoleAuditor} {
			if _, err := db.Assessment(ctx, f.Actors[role], run.ID); err != nil {
				t.Fatalf("%s reads: %v", role, err)
			}
			if _, err := db.CloseAssessment(ctx, f.Actors[role], run.ID, run.Version); isms.ErrorKind(err) != isms.KindForbidden {
				t.Fatalf("%s closes: %v", role, err)
			}
		}
		if _, err := db.Assessments(ctx, f.Actors[isms.RoleStaff], isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff lists: %v", err)
		}
		// Another organisation does not see the run.
		if _, err := db.Assessment(ctx, other.Owner(), run.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("other org reads: %v", err)
		}
		if _, err := db.CloseAssessment(ctx, other.Owner(), run.ID, run.Version); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("other org closes: %v", err)
		}
		// Archive and restore.
		arch, err := db.ArchiveAssessment(ctx, mgr, run.ID, run.Version, true)
		if err != nil || !arch.Archived() {
			t.Fatalf("archive: %v", err)
		}
		if _, err := db.CloseAssessment(ctx, mgr, run.ID, arch.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("close archived: %v", err)
		}
		if _, err := db.ArchiveAssessment(ctx, mgr, run.ID, arch.Version, false); err != nil {
			t.Fatal(err)
		}
		page, err := db.Assessments(ctx, f.Actors[isms.RoleAuditor], isms.ListQuery{Filters: map[string]string{"status": "open"}})
		if err != nil || page.Total != 1 {
			t.Fatalf("list: %+v %v", page, err)
		}
		if due, _ := db.NextBroadAssessment(ctx, mgr); due.State != isms.DueNever {
			t.Fatalf("due without a closed run: %+v", due)
		}
	})
}
