package report_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

func sampleAssessment(t *testing.T) report.RiskAssessment {
	t.Helper()
	r, crit := sampleRisk(t)
	c := crit["v1"]
	c.Status, c.ApprovedByName, c.Name = isms.CriteriaApproved, "Olivia Owner", "Acme risk method"
	at := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	c.ApprovedAt = &at
	r.ID = "r1"
	other := isms.Risk{Meta: isms.Meta{ID: "r2", Ref: "R-002"}, Title: "Zoë’s laptop theft", Kind: isms.RiskScenario, Status: isms.RiskIdentified}
	hm := isms.RiskHeatMaps{Criteria: c, Inherent: isms.NewCounts(c), Residual: isms.NewCounts(c), Current: isms.NewCounts(c), Unrated: 1}
	r.Inherent.AddTo(hm.Inherent)
	r.Residual.AddTo(hm.Residual)
	r.CurrentResidual().AddTo(hm.Current)
	plan := []isms.PlanEntry{{Risk: r, Actions: []isms.Action{
		{Meta: isms.Meta{Ref: "AC-001"}, Title: "Offline backups", ResponsibleName: "Rita", DueDate: "2026-04-30", Status: isms.ActionOpen},
	}, Controls: []isms.Link{{OtherRef: "A.8.13", OtherTitle: "Information backup"}}}}
	return report.RiskAssessment{Org: org, Criteria: c, HasCriteria: true, Versions: map[string]isms.RiskCriteria{"v1": c},
		Risks: []isms.Risk{r, other}, HeatMaps: hm, Plan: plan, Info: report.Info{ExportedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
}

// docxText returns the document part of a DOCX.
func docxText(t *testing.T, b []byte) (string, map[string]string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(data)
	}
	return parts["word/document.xml"], parts
}

func TestRiskAssessmentDOCX(t *testing.T) {
	ra := sampleAssessment(t)
	d := report.RiskAssessmentDocument(ra)
	// The sections, in order.
	var headings []string
	for _, b := range d.Blocks {
		if h, ok := b.(report.Heading); ok && h.Level == 1 {
			headings = append(headings, h.Text)
		}
	}
	want := "1. Method|2. Risk criteria|3. Results|4. Risks in order of priority|5. Risk treatment plan"
	if got := strings.Join(headings, "|"); got != want {
		t.Fatalf("sections:\n got %s\nwant %s", got, want)
	}
	// The matrix: highest likelihood first, five consequence columns.
	var matrix *report.Table
	for i, b := range d.Blocks {
		if h, ok := b.(report.Heading); ok && h.Text == "Risk matrix" {
			for _, nb := range d.Blocks[i+1:] {
				if tb, ok := nb.(report.Table); ok {
					matrix = &tb
					break
				}
			}
		}
	}
	if matrix == nil || len(matrix.Rows) != 5 || len(matrix.Header) != 6 || !strings.HasPrefix(matrix.Rows[0][0], "5 ") {
		t.Fatalf("matrix table: %+v", matrix)
	}
	var buf bytes.Buffer
	if err := report.WriteDOCX(&buf, d); err != nil {
		t.Fatal(err)
	}
	doc, parts := docxText(t, buf.Bytes())
	if parts["word/footer1.xml"] == "" || !strings.Contains(parts["word/footer1.xml"], " NUMPAGES ") {
		t.Error("no footer with page numbers")
	}
	for _, s := range []string{"Risk assessment report", "Acme Ltd", "Olivia Owner", "Acme risk method", "R-001", "Ransomware",
		"Zoë’s laptop theft", "Offline backups", "Rita", "A.8.13 Information backup", "Not rated", "High (4 × 4)", "<w:tblHeader/>"} {
		if !strings.Contains(doc, s) {
			t.Errorf("document lacks %q", s)
		}
	}
	convert(t, buf.Bytes(), "risk-report.docx", []string{"Risk assessment report", "1. Method", "Olivia Owner", "Ransomware", "Offline backups", "Page 2 of"})
}

func TestRiskAssessmentPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, report.RiskAssessmentDocument(sampleAssessment(t))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	pt, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is not installed; CI must run this test")
		}
		t.Skip("pdftotext not installed")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pt, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot read the PDF: %v", err)
	}
	for _, s := range []string{"Risk assessment report", "1. Method", "Olivia Owner", "2. Risk criteria", "3. Results", "R-001", "Offline backups", "Page 2 of", "Zoë"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
}

func TestRiskAssessmentWithoutCriteria(t *testing.T) {
	d := report.RiskAssessmentDocument(report.RiskAssessment{Org: org})
	var buf bytes.Buffer
	if err := report.WriteDOCX(&buf, d); err != nil {
		t.Fatal(err)
	}
	doc, _ := docxText(t, buf.Bytes())
	for _, s := range []string{"No risk criteria have been approved yet", "The register has no active risks"} {
		if !strings.Contains(doc, s) {
			t.Errorf("empty report lacks %q", s)
		}
	}
}

func TestParseRisks(t *testing.T) {
	// Headers in any case and spelling; read-only columns are read past.
	file := "REF;Title;Owner Email;Affects;Likelihood;Treatment options;Next review;Status;Planned controls\n" +
		"R-001;Ransomware;Rita@Example.org;Confidentiality, Availability;4 · Likely;Modify, share;2026-05-01;Planned;A.5.1, A.8.13\n" +
		"\n" +
		";New;;IA;Likely;retain;46143;;\n"
	rows, err := report.ParseRisks([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Line != 4 {
		t.Fatalf("rows: %+v", rows)
	}
	r := rows[0]
	if r.Ref != "R-001" || r.Owner != "Rita@Example.org" || r.Risk.CIA != "CA" || r.InherentLikelihood != "4 · Likely" ||
		isms.TreatmentText(r.Risk.Treatment) != "modify,share" || r.Risk.NextReview != "2026-05-01" || strings.Join(r.Controls, "|") != "A.5.1| A.8.13" && strings.Join(r.Controls, "|") != "A.5.1|A.8.13" {
		t.Errorf("row 1: %+v", r)
	}
	if r.Has("status") || !r.Has("owner") {
		t.Error("read-only column taken for import")
	}
	if rows[1].Risk.CIA != "IA" || rows[1].Risk.NextReview != "2026-05-01" {
		t.Errorf("row 2 (letters, date serial): %+v", rows[1].Risk)
	}
	// Bad cells are row problems, not file problems.
	rows, err = report.ParseRisks([]byte("title,cia,priority,next_review\nA,secrecy,high,tomorrow\n"))
	if err != nil || len(rows[0].Problems) != 3 {
		t.Fatalf("cell problems: %+v %v", rows, err)
	}
}

func TestRisksXLSXRoundTripsThroughParse(t *testing.T) {
	r, crit := sampleRisk(t)
	r.ID, r.OwnerID, r.Version = "r1", "u1", 3
	refs := isms.RiskExportRefs{OwnerEmail: map[string]string{"u1": "rita@example.org"},
		Controls: map[string][]string{"r1": {"A.8.13"}}, Assets: map[string][]string{"r1": {"AS-001"}}}
	r.NextReview = "2026-06-30"
	var b bytes.Buffer
	if err := report.RisksXLSX(&b, org, []isms.Risk{r}, crit, refs, report.Info{}); err != nil {
		t.Fatal(err)
	}
	rows, err := report.ParseRisks(b.Bytes())
	if err != nil || len(rows) != 1 {
		t.Fatalf("parse export: %v %v", rows, err)
	}
	got := rows[0]
	if got.Ref != "R-001" || got.Version != 3 || got.Owner != "rita@example.org" || got.Risk.Title != "Ransomware" ||
		got.Risk.Kind != isms.RiskScenario || got.Risk.CIA != "IA" || got.InherentLikelihood != "4 · Likely" ||
		got.ResidualConsequence == "" || strings.Join(got.Controls, ",") != "A.8.13" || strings.Join(got.Assets, ",") != "AS-001" ||
		got.Risk.NextReview != "2026-06-30" || isms.TreatmentText(got.Risk.Treatment) != "modify" || len(got.Problems) != 0 {
		t.Errorf("export read back: %+v", got)
	}
	// The Guide sheet documents every column.
	f := open(t, b.Bytes())
	guide, err := f.GetRows("Guide")
	if err != nil || len(guide) < len(report.RiskColumns)+1 {
		t.Fatalf("guide: %d rows %v", len(guide), err)
	}
}
