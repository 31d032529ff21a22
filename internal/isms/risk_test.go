package isms

import (
	"encoding/json"
	"reflect"
	"testing"
)

func ratedRisk(t *testing.T, c RiskCriteria, il, ic, rl, rc int) Risk {
	t.Helper()
	r := Risk{Title: "Laptop stolen from a car", OwnerID: "u1", CriteriaID: c.ID}
	var err error
	if r.Inherent, err = c.Rate("inherent", Rating{Likelihood: il, Consequence: ic}); err != nil {
		t.Fatal(err)
	}
	if r.Residual, err = c.Rate("residual", Rating{Likelihood: rl, Consequence: rc}); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRiskValidateAndNormalize(t *testing.T) {
	r := Risk{Title: "  Phishing  ", CIA: "a, c", Treatment: []TreatmentOption{"share", "Modify", "share"}}
	r.Normalize()
	if r.Title != "Phishing" || r.CIA != "CA" || TreatmentText(r.Treatment) != "modify,share" || r.Kind != RiskScenario {
		t.Fatalf("normalized %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Treatment = []TreatmentOption{TreatTake}
	if riskFieldErrs(r.Validate())["treatment"] != "validation.take_needs_opportunity" {
		t.Fatal("take on a plain risk")
	}
	r.Kind = RiskOpportunity
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Treatment = []TreatmentOption{TreatAvoid, TreatRetain}
	if riskFieldErrs(r.Validate())["treatment"] != "validation.avoid_and_retain" {
		t.Fatal("avoid and retain")
	}
	r = Risk{Kind: "hunch"}
	errs := riskFieldErrs(r.Validate())
	if errs["kind"] != "validation.choice" || errs["title"] != "validation.required" {
		t.Fatalf("errors %v", errs)
	}
}

func TestAcceptanceRules(t *testing.T) {
	c, _ := Preset(Preset5x5)
	c.ID = "v1"
	today := "2026-03-01"
	// Residual low: acceptable without a concession, but a justification is needed.
	r := ratedRisk(t, c, 4, 4, 1, 2)
	if riskFieldErrs(CheckAcceptance(c, r, AcceptInput{}, today))["justification"] != "validation.required" {
		t.Fatal("justification required")
	}
	if err := CheckAcceptance(c, r, AcceptInput{Justification: "MFA and encryption in place"}, today); err != nil {
		t.Fatal(err)
	}
	// Residual high: a concession is required.
	r = ratedRisk(t, c, 5, 5, 4, 3)
	if riskFieldErrs(CheckAcceptance(c, r, AcceptInput{Justification: "budget"}, today))["concession"] != "validation.concession_required" {
		t.Fatal("concession required above criteria")
	}
	if err := CheckAcceptance(c, r, AcceptInput{Justification: "Board accepts until the new office opens", Concession: true}, today); err != nil {
		t.Fatal(err)
	}
	// No owner, no residual rating, or rated under an older version: refused.
	r.OwnerID = ""
	if riskFieldErrs(CheckAcceptance(c, r, AcceptInput{Justification: "x", Concession: true}, today))["owner_id"] != "validation.owner_required" {
		t.Fatal("owner required")
	}
	r = ratedRisk(t, c, 4, 4, 1, 2)
	r.CriteriaID = "v0"
	if riskFieldErrs(CheckAcceptance(c, r, AcceptInput{Justification: "x"}, today))["criteria"] != "validation.rerate_before_accept" {
		t.Fatal("old criteria")
	}
	if riskFieldErrs(CheckAcceptance(c, ratedRisk(t, c, 4, 4, 1, 2), AcceptInput{Justification: "x", ExpiresOn: "2025-01-01"}, today))["expires_on"] != "validation.date_past" {
		t.Fatal("expiry in the past")
	}
	// Plan approval needs an owner, options and a residual rating.
	p := ratedRisk(t, c, 4, 4, 0, 0)
	p.OwnerID = ""
	errs := riskFieldErrs(CheckPlanApproval(p, AcceptInput{}))
	if errs["owner_id"] != "validation.owner_required" || errs["treatment"] != "validation.treatment_required" || errs["residual_likelihood"] != "validation.residual_required" {
		t.Fatalf("plan approval errors %v", errs)
	}
}

func TestAcceptanceExpiry(t *testing.T) {
	today := "2026-03-01"
	r := Risk{}
	if got := AcceptanceExpiry(r, AcceptInput{}, today); got != "2027-03-01" {
		t.Fatalf("default expiry %s", got)
	}
	r.NextReview = "2026-09-30"
	if got := AcceptanceExpiry(r, AcceptInput{}, today); got != "2026-09-30" {
		t.Fatalf("review date expiry %s", got)
	}
	if got := AcceptanceExpiry(r, AcceptInput{ExpiresOn: "2026-06-30"}, today); got != "2026-06-30" {
		t.Fatalf("explicit expiry %s", got)
	}
	r.AcceptedUntil = "2026-09-30"
	if r.Acceptance("2026-09-30") != AcceptanceValid || r.Acceptance("2026-10-01") != AcceptanceExpired || (Risk{}).Acceptance(today) != AcceptanceNone {
		t.Fatal("acceptance state by date")
	}
}

func TestStatusAndCurrentResidual(t *testing.T) {
	c, _ := Preset(Preset5x5)
	c.ID = "v1"
	r := Risk{Title: "x"}
	if r.DeriveStatus() != RiskIdentified {
		t.Fatal("identified")
	}
	r = ratedRisk(t, c, 4, 4, 2, 2)
	if r.DeriveStatus() != RiskAssessed {
		t.Fatal("assessed")
	}
	r.Treatment = []TreatmentOption{TreatModify}
	if r.DeriveStatus() != RiskPlanned {
		t.Fatal("planned")
	}
	// Current residual: inherent until every treatment action is done.
	r.ActionsTotal, r.ActionsDone = 2, 1
	if r.CurrentResidual().Level != r.Inherent.Level {
		t.Fatal("current residual before actions are done")
	}
	r.ActionsDone = 2
	if r.CurrentResidual().Level != r.Residual.Level {
		t.Fatal("current residual after actions are done")
	}
	r.PlanApprovedAt = "2026-01-01T00:00:00.000000Z"
	if r.DeriveStatus() != RiskApproved {
		t.Fatal("approved")
	}
	r.AcceptedUntil = "2026-12-31"
	if r.DeriveStatus() != RiskAccepted {
		t.Fatal("accepted")
	}
	// Priority order: explicit first, then by level and score.
	hi, lo := ratedRisk(t, c, 5, 5, 0, 0), ratedRisk(t, c, 1, 2, 0, 0)
	if !(hi.SortPriority() < lo.SortPriority()) {
		t.Fatal("higher level sorts first")
	}
	lo.Priority = 1
	if !(lo.SortPriority() < hi.SortPriority()) {
		t.Fatal("explicit priority sorts first")
	}
}

// ParseDims reads stored dimensions without encoding/json when they are in
// the form DimsText writes; whatever the input, it must decode exactly as
// encoding/json does.
func FuzzParseDims(f *testing.F) {
	for _, s := range []string{
		`{"legal":1,"operations":2,"reputation":2}`, `{}`, `{"a":0}`, `{"a":10,"b":123456789}`, `{"a":1234567890}`,
		`{"a":01}`, `{"a":-1}`, `{"a":1.5}`, `{"a": 1}`, `{"a":1,}`, `{"a":1,"a":2}`, `{"a\"b":1}`, `{"a\u0062":1}`,
		`{"a":1`, `"a":1}`, `{a:1}`, `{"":2}`, `{"a":}`, `{"a"1}`, `null`, `[]`, `{"a":"1"}`, `{"é":3}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]int
		if s != "" && json.Unmarshal([]byte(s), &want) != nil {
			want = nil
		}
		got := ParseDims(s)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseDims(%q) = %v, encoding/json %v", s, got, want)
		}
	})
}

// The dimensions DimsText writes read back as they were.
func TestDimsRoundTrip(t *testing.T) {
	r := Rating{Dims: map[string]int{"financial": 3, "legal": 1, "operations": 12, "none": 0}}
	got := ParseDims(r.DimsText())
	want := map[string]int{"financial": 3, "legal": 1, "operations": 12}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of %s: %v", r.DimsText(), got)
	}
}
