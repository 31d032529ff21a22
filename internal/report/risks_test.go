package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

func sampleRisk(t *testing.T) (isms.Risk, map[string]isms.RiskCriteria) {
	t.Helper()
	c, _ := isms.Preset(isms.Preset5x5)
	c.ID, c.Number = "v1", 1
	r := isms.Risk{Meta: isms.Meta{Ref: "R-001"}, Title: "Ransomware", Kind: isms.RiskScenario, OwnerName: "Rita", CIA: "IA",
		CriteriaID: "v1", CriteriaNumber: 1, Treatment: []isms.TreatmentOption{isms.TreatModify}, Status: isms.RiskAccepted,
		AcceptedUntil: "2099-01-31", AcceptConcession: true, PlanApprovedAt: "2026-03-01T10:00:00.000000Z"}
	var err error
	if r.Inherent, err = c.Rate("inherent", isms.Rating{Likelihood: 4, Consequence: 4}); err != nil {
		t.Fatal(err)
	}
	if r.Residual, err = c.Rate("residual", isms.Rating{Likelihood: 2, Consequence: 3}); err != nil {
		t.Fatal(err)
	}
	return r, map[string]isms.RiskCriteria{"v1": c}
}

func TestRisksXLSX(t *testing.T) {
	r, crit := sampleRisk(t)
	var b bytes.Buffer
	if err := report.RisksXLSX(&b, org, []isms.Risk{r}, crit, isms.RiskExportRefs{}, report.Info{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, b.Bytes())
	rows, err := f.GetRows("Risk register")
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %d %v", len(rows), err)
	}
	line := strings.Join(rows[1], "|")
	for _, want := range []string{"R-001", "Ransomware", "4 · Likely", "High", "Needs treatment", "Modify", "Medium", "Integrity, Availability", "Concession"} {
		if !strings.Contains(line, want) {
			t.Errorf("register row lacks %q: %s", want, line)
		}
	}
}

func TestTreatmentPlanXLSX(t *testing.T) {
	r, crit := sampleRisk(t)
	plan := []isms.PlanEntry{{Risk: r, Actions: []isms.Action{
		{Title: "Offline backups", ResponsibleName: "Rita", DueDate: "2000-01-01", Status: isms.ActionOpen},
		{Title: "Patch servers", ResponsibleName: "Sam", DueDate: "2099-01-01", Status: isms.ActionDone},
	}, Controls: []isms.Link{{OtherRef: "A.8.13", OtherTitle: "Information backup"}}}}
	var b bytes.Buffer
	if err := report.TreatmentPlanXLSX(&b, org, plan, crit, report.Info{}); err != nil {
		t.Fatal(err)
	}
	rows, err := open(t, b.Bytes()).GetRows("Risk treatment plan")
	if err != nil || len(rows) != 3 {
		t.Fatalf("one row per action: %d %v", len(rows), err)
	}
	first, second := strings.Join(rows[1], "|"), strings.Join(rows[2], "|")
	if !strings.Contains(first, "Offline backups") || !strings.Contains(first, "overdue") || !strings.Contains(first, "A.8.13 Information backup") {
		t.Errorf("first action row: %s", first)
	}
	if !strings.Contains(second, "Patch servers") || strings.Contains(second, "overdue") {
		t.Errorf("second action row: %s", second)
	}
}
