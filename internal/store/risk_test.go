package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func fieldErr(err error, field string) string {
	e, ok := err.(*isms.Error)
	if !ok {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Msg.Key
		}
	}
	return ""
}

// approvedCriteria starts the preset as a draft and approves it.
func approvedCriteria(t *testing.T, db *store.DB, owner isms.Actor, preset string) isms.RiskCriteria {
	t.Helper()
	ctx := context.Background()
	d, err := db.StartCriteria(ctx, owner, preset)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.ApproveCriteria(ctx, owner, d.ID, d.Version)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// revisedCriteria revises the criteria in force into preset (mgr drafts,
// owner approves) and returns the new version.
func revisedCriteria(t *testing.T, db *store.DB, mgr, owner isms.Actor, preset string) isms.RiskCriteria {
	t.Helper()
	ctx := context.Background()
	draft, err := db.ReviseCriteria(ctx, mgr)
	if err != nil {
		t.Fatal(err)
	}
	next, _ := isms.Preset(preset)
	next.ID, next.Version = draft.ID, draft.Version
	if _, err := db.UpdateCriteriaDraft(ctx, mgr, next, draft.Version); err != nil {
		t.Fatal(err)
	}
	c, err := db.ApproveCriteria(ctx, owner, draft.ID, draft.Version+1)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRiskCriteriaLifecycle(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr, contrib := f.Owner(), f.Actors[isms.RoleISMSManager], f.Actors[isms.RoleContributor]
		// A new organisation has no criteria.
		if _, ok, err := db.CurrentCriteria(ctx, owner); ok || err != nil {
			t.Fatalf("criteria before any: %v %v", ok, err)
		}
		if _, err := db.StartCriteria(ctx, contrib, isms.Preset5x5); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor starts criteria: %v", err)
		}
		d, err := db.StartCriteria(ctx, mgr, isms.Preset5x5)
		if err != nil || d.Number != 1 || d.Status != isms.CriteriaDraft {
			t.Fatalf("start: %+v %v", d, err)
		}
		if _, err := db.StartCriteria(ctx, mgr, isms.Preset3x3); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("second draft: %v", err)
		}
		// An unpainted cell is refused and nothing is written.
		bad := d.Clone()
		bad.Matrix[2][1] = ""
		if _, err := db.UpdateCriteriaDraft(ctx, mgr, bad, d.Version); fieldErr(err, "matrix.3.2") != "validation.matrix_unpainted" {
			t.Fatalf("unpainted cell: %v", err)
		}
		again, _ := db.CriteriaVersion(ctx, mgr, d.ID)
		if again.Version != d.Version || again.Matrix[2][1] == "" {
			t.Fatal("invalid draft was written")
		}
		// Editing works with the right version; a stale one conflicts.
		ed := d.Clone()
		ed.AcceptLevel = "medium"
		d2, err := db.UpdateCriteriaDraft(ctx, mgr, ed, d.Version)
		if err != nil || d2.AcceptLevel != "medium" || d2.Version != d.Version+1 {
			t.Fatalf("edit draft: %+v %v", d2, err)
		}
		if _, err := db.UpdateCriteriaDraft(ctx, mgr, ed, d.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale edit: %v", err)
		}
		// Only an owner approves; who and when are recorded.
		if _, err := db.ApproveCriteria(ctx, mgr, d2.ID, d2.Version); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("manager approves: %v", err)
		}
		v1, err := db.ApproveCriteria(ctx, owner, d2.ID, d2.Version)
		if err != nil || v1.Status != isms.CriteriaApproved || v1.ApprovedBy != owner.UserID || v1.ApprovedAt == nil || v1.ApprovedByName == "" {
			t.Fatalf("approve: %+v %v", v1, err)
		}
		if _, err := db.UpdateCriteriaDraft(ctx, mgr, v1, v1.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("edit approved criteria in place: %v", err)
		}
		cur, ok, err := db.CurrentCriteria(ctx, f.Actors[isms.RoleAuditor])
		if !ok || err != nil || cur.ID != v1.ID {
			t.Fatalf("current for auditor: %v %v", ok, err)
		}
		// Changing approved criteria makes a new version; approving it supersedes the old.
		v2d, err := db.ReviseCriteria(ctx, mgr)
		if err != nil || v2d.Number != 2 || v2d.BasedOnID != v1.ID || v2d.Status != isms.CriteriaDraft {
			t.Fatalf("revise: %+v %v", v2d, err)
		}
		if _, err := db.ApproveCriteria(ctx, owner, v2d.ID, v2d.Version); err != nil {
			t.Fatal(err)
		}
		vs, _ := db.CriteriaVersions(ctx, owner)
		if len(vs) != 2 || vs[0].Status != isms.CriteriaApproved || vs[1].Status != isms.CriteriaSuperseded {
			t.Fatalf("versions %+v", vs)
		}
		// Another organisation sees none of it.
		g := storetest.Seed(t, db, "other")
		if _, err := db.CriteriaVersion(ctx, g.Owner(), v1.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org criteria: %v", err)
		}
		if _, ok, _ := db.CurrentCriteria(ctx, g.Owner()); ok {
			t.Fatal("other org has criteria")
		}
	})
}

func TestRiskRegisterScoringAndRoles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr, contrib, auditor, staff := f.Owner(), f.Actors[isms.RoleISMSManager], f.Actors[isms.RoleContributor], f.Actors[isms.RoleAuditor], f.Actors[isms.RoleStaff]
		// Rating before any criteria exist is refused.
		_, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Ransomware", Inherent: isms.Rating{Likelihood: 3, Consequence: 4}})
		if fieldErr(err, "inherent_likelihood") != "validation.no_criteria" {
			t.Fatalf("rating without criteria: %v", err)
		}
		c := approvedCriteria(t, db, owner, isms.Preset5x5)
		r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Ransomware on the file server", Category: "Operations", OwnerID: contrib.UserID,
			CIA: "ia", Inherent: isms.Rating{Likelihood: 4, Dims: map[string]int{"financial": 3, "operations": 4}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Ref != "R-001" || r.Inherent.Consequence != 4 || r.Inherent.Level != "high" || r.CriteriaID != c.ID || r.CriteriaNumber != 1 ||
			r.Status != isms.RiskAssessed || r.OwnerName == "" || r.CIA != "IA" {
			t.Fatalf("created %+v", r)
		}
		// A rating off the scales names the field; nothing is written.
		if _, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "x", Inherent: isms.Rating{Likelihood: 6, Consequence: 1}}); fieldErr(err, "inherent_likelihood") != "validation.scale_value" {
			t.Fatalf("off-scale rating: %v", err)
		}
		// Contributors create risks owned by themselves only, and edit only their own.
		mine, err := db.CreateRisk(ctx, contrib, isms.Risk{Title: "Lost phone"})
		if err != nil || mine.OwnerID != contrib.UserID {
			t.Fatalf("contributor create: %+v %v", mine, err)
		}
		if _, err := db.CreateRisk(ctx, contrib, isms.Risk{Title: "Someone else's", OwnerID: mgr.UserID}); fieldErr(err, "owner_id") != "validation.reassign_risk" {
			t.Fatalf("contributor creates for another: %v", err)
		}
		other, _ := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Supplier outage", OwnerID: mgr.UserID})
		other.Title = "Changed by contributor"
		if _, err := db.UpdateRisk(ctx, contrib, other, other.Version); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor edits another's risk: %v", err)
		}
		mine.Description = "Phones hold customer contacts"
		if _, err := db.UpdateRisk(ctx, contrib, mine, mine.Version); err != nil {
			t.Fatal(err)
		}
		mine.OwnerID = mgr.UserID
		if _, err := db.UpdateRisk(ctx, contrib, mine, mine.Version+1); fieldErr(err, "owner_id") != "validation.reassign_risk" {
			t.Fatalf("contributor hands risk away: %v", err)
		}
		// Auditors read everything and edit nothing; staff see nothing.
		if _, err := db.Risk(ctx, auditor, other.ID); err != nil {
			t.Fatal(err)
		}
		other.Title = "x"
		if _, err := db.UpdateRisk(ctx, auditor, other, other.Version); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor edits: %v", err)
		}
		if _, err := db.CreateRisk(ctx, auditor, isms.Risk{Title: "x"}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor creates: %v", err)
		}
		if _, err := db.Risks(ctx, staff, isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff lists: %v", err)
		}
		// The risk owner must be a member who can keep risks.
		if _, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "x", OwnerID: auditor.UserID}); fieldErr(err, "owner_id") != "validation.risk_owner" {
			t.Fatalf("auditor as risk owner: %v", err)
		}
		// Stale edits conflict.
		r.Title = "Ransomware"
		if _, err := db.UpdateRisk(ctx, mgr, r, r.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateRisk(ctx, mgr, r, r.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale: %v", err)
		}
		// Lists: filter by level and owner, sort by priority (highest first).
		page, err := db.Risks(ctx, auditor, isms.ListQuery{Filters: map[string]string{"inherent_level": "high"}})
		if err != nil || page.Total != 1 || page.Items[0].ID != r.ID {
			t.Fatalf("filter by level: %d %v", page.Total, err)
		}
		page, _ = db.Risks(ctx, auditor, isms.ListQuery{Sort: "priority"})
		if page.Total != 3 || page.Items[0].ID != r.ID {
			t.Fatalf("priority order: %+v", page.Items)
		}
		page, _ = db.Risks(ctx, auditor, isms.ListQuery{Filters: map[string]string{"inherent_cell": "4-4", "criteria_id": c.ID}})
		if page.Total != 1 {
			t.Fatalf("cell filter: %d", page.Total)
		}
		if _, err := db.Risks(ctx, auditor, isms.ListQuery{Filters: map[string]string{"inherent_cell": "9-x"}}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("bad cell filter: %v", err)
		}
		// Tenant isolation and links.
		g := storetest.Seed(t, db, "other")
		if _, err := db.Risk(ctx, g.Owner(), r.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org read: %v", err)
		}
		if err := db.LinkRisk(ctx, mgr, r.ID, "widget", "1", ""); fieldErr(err, "to") != "validation.link_type" {
			t.Fatalf("unknown link type: %v", err)
		}
		if err := db.LinkRisk(ctx, contrib, other.ID, "risk", r.ID, ""); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor links another's risk: %v", err)
		}
		if err := db.LinkRisk(ctx, contrib, mine.ID, "risk", r.ID, "same cause"); err != nil {
			t.Fatal(err)
		}
		ls, _ := db.LinksFrom(ctx, auditor, "risk", mine.ID)
		if len(ls) != 1 || ls[0].OtherRef != "R-001" {
			t.Fatalf("links %+v", ls)
		}
		// Archive: editors only.
		if _, err := db.ArchiveRisk(ctx, contrib, mine.ID, 2, true); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor archives: %v", err)
		}
		cur, _ := db.Risk(ctx, mgr, mine.ID)
		if _, err := db.ArchiveRisk(ctx, mgr, mine.ID, cur.Version, true); err != nil {
			t.Fatal(err)
		}
		if page, _ := db.Risks(ctx, mgr, isms.ListQuery{}); page.Total != 2 {
			t.Fatalf("after archive: %d", page.Total)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n == 0 {
			t.Fatalf("audit chain: %v %+v", err, brk)
		}
	})
}

func TestRiskRerating(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		v1 := approvedCriteria(t, db, owner, isms.Preset3x3)
		r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Phishing", OwnerID: mgr.UserID,
			Inherent: isms.Rating{Likelihood: 3, Consequence: 2}, Residual: isms.Rating{Likelihood: 1, Consequence: 2}, Treatment: []isms.TreatmentOption{"modify"}})
		if err != nil || r.Inherent.Level != "high" || r.Residual.Level != "low" {
			t.Fatalf("create: %+v %v", r, err)
		}
		// Move to a 5×5: the risk stays tied to version 1.
		v2 := revisedCriteria(t, db, mgr, owner, isms.Preset5x5)
		r, _ = db.Risk(ctx, mgr, r.ID)
		if r.CriteriaID != v1.ID || r.Inherent.Level != "high" {
			t.Fatalf("risk moved with the criteria: %+v", r)
		}
		// Editing other fields keeps the old ratings; changing them under the old version is refused.
		r.Description = "Staff get convincing mails"
		if r, err = db.UpdateRisk(ctx, mgr, r, r.Version); err != nil || r.CriteriaID != v1.ID {
			t.Fatalf("edit under old criteria: %v", err)
		}
		changed := r
		changed.Inherent.Likelihood = 2
		if _, err := db.UpdateRisk(ctx, mgr, changed, r.Version); fieldErr(err, "inherent_likelihood") != "validation.rerate_required" {
			t.Fatalf("change old rating: %v", err)
		}
		// The worklist lists it with a suggestion and the level mapping.
		cur, items, maps, ok, err := db.RerateWorklist(ctx, f.Actors[isms.RoleAuditor])
		if err != nil || !ok || cur.ID != v2.ID || len(items) != 1 || items[0].From.ID != v1.ID {
			t.Fatalf("worklist %v %d %v", ok, len(items), err)
		}
		s := items[0].Suggest
		if s.Inherent.Likelihood != 5 || s.Inherent.Consequence != 3 || s.Inherent.Level != "high" || len(maps[v1.ID]) != 3 {
			t.Fatalf("suggestion %+v", s)
		}
		hm, _, _ := db.RiskHeatMaps(ctx, mgr)
		if hm.Older != 1 {
			t.Fatalf("heat map older %d", hm.Older)
		}
		// Re-rate under version 2: history keeps both.
		r.CriteriaID, r.Inherent, r.Residual = v2.ID, isms.Rating{Likelihood: 5, Consequence: 3}, isms.Rating{Likelihood: 2, Consequence: 3}
		r, err = db.UpdateRisk(ctx, mgr, r, r.Version)
		if err != nil || r.CriteriaNumber != 2 || r.Inherent.Level != "high" || r.Residual.Level != "medium" {
			t.Fatalf("re-rate: %+v %v", r, err)
		}
		h, _ := db.RiskHistory(ctx, mgr, r.ID)
		last := h[len(h)-1]
		var sawVersion, sawLevel bool
		for _, ch := range last.Changes {
			sawVersion = sawVersion || (ch.Field == "criteria_number" && ch.Before == "1" && ch.After == "2")
			sawLevel = sawLevel || (ch.Field == "residual_level" && ch.Before == "low" && ch.After == "medium")
		}
		if !sawVersion || !sawLevel {
			t.Fatalf("history of re-rating %+v", last.Changes)
		}
		if _, items, _, _, _ := db.RerateWorklist(ctx, mgr); len(items) != 0 {
			t.Fatalf("worklist after re-rating: %d", len(items))
		}
		hm, _, _ = db.RiskHeatMaps(ctx, mgr)
		if hm.Older != 0 || hm.Inherent[4][2] != 1 || hm.Residual[1][2] != 1 || hm.Current[4][2] != 1 {
			t.Fatalf("heat map %+v", hm)
		}
	})
}

func TestRiskApprovalAndAcceptance(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr, contrib := f.Owner(), f.Actors[isms.RoleISMSManager], f.Actors[isms.RoleContributor]
		day := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		approvedCriteria(t, db, owner, isms.Preset5x5)
		r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Laptop theft", Treatment: []isms.TreatmentOption{"modify"},
			Inherent: isms.Rating{Likelihood: 4, Consequence: 4}, Residual: isms.Rating{Likelihood: 4, Consequence: 3}})
		if err != nil || r.Status != isms.RiskPlanned {
			t.Fatalf("create %+v %v", r, err)
		}
		// Approving without an owner is refused.
		if _, err := db.ApproveRiskPlan(ctx, mgr, r.ID, r.Version, isms.AcceptInput{}); fieldErr(err, "owner_id") != "validation.owner_required" {
			t.Fatalf("approve without owner: %v", err)
		}
		r.OwnerID = contrib.UserID
		r, _ = db.UpdateRisk(ctx, mgr, r, r.Version)
		// Only the risk owner (or an organisation owner) decides.
		if _, err := db.ApproveRiskPlan(ctx, mgr, r.ID, r.Version, isms.AcceptInput{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("manager approves another's plan: %v", err)
		}
		r, err = db.ApproveRiskPlan(ctx, contrib, r.ID, r.Version, isms.AcceptInput{Justification: "Encryption and tracking cover it"})
		if err != nil || r.Status != isms.RiskApproved || r.PlanApprovedAt == "" {
			t.Fatalf("approve plan: %+v %v", r, err)
		}
		// Residual high is above the criteria: acceptance needs a concession; nothing half-written.
		if _, err := db.AcceptRisk(ctx, contrib, r.ID, r.Version, isms.AcceptInput{Justification: "Cost"}); fieldErr(err, "concession") != "validation.concession_required" {
			t.Fatalf("accept above criteria: %v", err)
		}
		if again, _ := db.Risk(ctx, mgr, r.ID); again.Version != r.Version || again.AcceptedUntil != "" {
			t.Fatal("refused acceptance changed the risk")
		}
		if ds, _ := db.RiskDecisions(ctx, mgr, r.ID); len(ds) != 1 {
			t.Fatalf("decisions after refusal: %d", len(ds))
		}
		r, err = db.AcceptRisk(ctx, contrib, r.ID, r.Version, isms.AcceptInput{Justification: "Replacement laptops budgeted next year", Concession: true})
		if err != nil || r.Status != isms.RiskAccepted || !r.AcceptConcession || r.AcceptedUntil != "2027-03-01" || r.NextReview != "2027-03-01" {
			t.Fatalf("accept with concession: %+v %v", r, err)
		}
		ds, _ := db.RiskDecisions(ctx, mgr, r.ID)
		if len(ds) != 2 || ds[0].Kind != isms.DecisionAcceptance || !ds[0].Concession || ds[0].CriteriaNumber != 1 || ds[0].DecidedByName == "" || ds[0].Residual.Level != "high" {
			t.Fatalf("decisions %+v", ds)
		}
		page, _ := db.Risks(ctx, mgr, isms.ListQuery{Filters: map[string]string{"acceptance": "concession"}})
		if page.Total != 1 {
			t.Fatalf("concession filter %d", page.Total)
		}
		// The acceptance lapses after its review date.
		db.Now = func() time.Time { return day.AddDate(1, 0, 1) }
		if page, _ := db.Risks(ctx, mgr, isms.ListQuery{Filters: map[string]string{"acceptance": "expired"}}); page.Total != 1 {
			t.Fatalf("expired filter %d", page.Total)
		}
		if r.Acceptance("2027-03-02") != isms.AcceptanceExpired {
			t.Fatal("acceptance should have expired")
		}
		db.Now = func() time.Time { return day }
		// Changing the residual rating voids the acceptance and the plan approval.
		r.Residual = isms.Rating{Likelihood: 2, Consequence: 2}
		r, err = db.UpdateRisk(ctx, contrib, r, r.Version)
		if err != nil || r.AcceptedUntil != "" || r.PlanApprovedAt != "" || r.Status != isms.RiskPlanned {
			t.Fatalf("after residual change %+v %v", r, err)
		}
		ds, _ = db.RiskDecisions(ctx, mgr, r.ID)
		for _, d := range ds {
			if d.VoidedAt == nil {
				t.Fatalf("decision not voided: %+v", d)
			}
		}
		// Within the criteria now: accepted without concession by an organisation owner.
		r, err = db.AcceptRisk(ctx, owner, r.ID, r.Version, isms.AcceptInput{Justification: "Low after treatment", ExpiresOn: "2026-09-30"})
		if err != nil || r.AcceptConcession || r.AcceptedUntil != "2026-09-30" {
			t.Fatalf("accept within criteria %+v %v", r, err)
		}
		// Treatment actions and the plan.
		x, err := db.CreateAction(ctx, contrib, isms.Action{Title: "Encrypt laptops", ResponsibleID: contrib.UserID, DueDate: "2026-02-01", ServesType: "risk", ServesID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := db.RiskTreatmentPlan(ctx, f.Actors[isms.RoleAuditor])
		if err != nil || len(plan) != 1 || len(plan[0].Actions) != 1 {
			t.Fatalf("plan %+v %v", plan, err)
		}
		if p := isms.Progress(plan, "2026-03-01"); p.Actions != 1 || p.Overdue != 1 || p.Done != 0 {
			t.Fatalf("progress %+v", p)
		}
		if cr := plan[0].Risk.CurrentResidual(); cr.Level != plan[0].Risk.Inherent.Level {
			t.Fatalf("current residual before done: %+v", cr)
		}
		x.Status, x.CompletionEvidence = isms.ActionDone, "BitLocker report"
		if _, err := db.UpdateAction(ctx, contrib, x, x.Version); err != nil {
			t.Fatal(err)
		}
		plan, _ = db.RiskTreatmentPlan(ctx, mgr)
		if cr := plan[0].Risk.CurrentResidual(); cr.Level != "low" {
			t.Fatalf("current residual after done: %+v", cr)
		}
		if p := isms.Progress(plan, "2026-03-01"); p.Done != 1 || p.Overdue != 0 {
			t.Fatalf("progress after done %+v", p)
		}
	})
}
