package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
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

func sampleSoA() report.SoA {
	entries := []isms.SoAEntry{
		{ControlID: "1", Ref: "A.5.1", Title: "Policies for information security", Theme: "Organizational", Decision: isms.DecisionIncluded,
			Justification: "Board decision", Risks: []isms.RecordRef{{Ref: "R-001", Title: "Ransomware"}}, Status: isms.StatusImplemented,
			Owner: "Ada Boss", Evidence: []isms.EvidenceRef{{Ref: "E-001", Title: "Signed policy"}}},
		{ControlID: "2", Ref: "A.7.4", Title: "Physical security monitoring", Theme: "Physical", Decision: isms.DecisionExcluded,
			ExclusionReason: "out_of_scope", ExclusionText: "No premises of our own", Status: isms.StatusNotApplicable},
		{ControlID: "3", Ref: "A.8.1", Title: "User end point devices", Theme: "Technological", Decision: isms.DecisionExcluded,
			ExclusionReason: "replaced", ReplacedBy: "MDM-1", ExclusionText: "Covered by MDM", Status: isms.StatusPlanned,
			Warnings: []isms.WarningKind{isms.WarnExcludedTreatsRisk}},
		{ControlID: "4", Ref: "MDM-1", Title: "Mobile device management – Zoë’s “rules”", Theme: "Technological", Decision: isms.DecisionNone,
			Status: isms.StatusPartial, Warnings: []isms.WarningKind{isms.WarnUndecided}},
	}
	for i := 0; i < 60; i++ {
		entries = append(entries, isms.SoAEntry{ControlID: fmt.Sprint(10 + i), Ref: fmt.Sprintf("C-%02d", i), Title: "Filler control to fill pages",
			Theme: "Technological", Decision: isms.DecisionIncluded, Justification: strings.Repeat("Long justification text. ", 6), Status: isms.StatusPlanned})
	}
	return report.SoA{Org: org, Number: 3, ApprovedAt: time.Date(2025, 7, 1, 8, 30, 0, 0, time.UTC), ApproverName: "Ada Boss",
		ApproverRole: isms.RoleOwner, Note: "Annual review", Entries: entries, Info: report.Info{Version: "1.2.3", ExportedAt: time.Date(2025, 7, 2, 9, 0, 0, 0, time.UTC)}}
}

func TestSoAXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := report.SoAXLSX(&buf, sampleSoA()); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := f.GetSheetList(); fmt.Sprint(got) != "[SoA About]" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("SoA")
	want := []string{"Control", "Title", "Theme", "Included", "Justification", "Linked risks", "Implementation status", "Owner", "Evidence", "Warnings"}
	if fmt.Sprint(rows[0]) != fmt.Sprint(want) {
		t.Fatalf("header %q", rows[0])
	}
	if r := rows[1]; r[0] != "A.5.1" || r[3] != "Included" || r[4] != "Treats risks: R-001 Ransomware. Board decision" || r[5] != "R-001 Ransomware" ||
		r[6] != "Implemented" || r[7] != "Ada Boss" || r[8] != "E-001 Signed policy" {
		t.Fatalf("row 1 %q", r)
	}
	if r := rows[3]; r[3] != "Excluded" || r[4] != "Replaced by custom control MDM-1. Covered by MDM" || r[9] == "" {
		t.Fatalf("row 3 %q", r)
	}
	if r := rows[2]; r[4] != "Outside the ISMS scope. No premises of our own" {
		t.Fatalf("row 2 %q", r)
	}
	about, _ := f.GetRows("About")
	text := fmt.Sprint(about)
	for _, s := range []string{"Version 3", "Ada Boss (Owner)", "Annual review", "Statement of Applicability"} {
		if !strings.Contains(text, s) {
			t.Errorf("About sheet lacks %q: %q", s, about)
		}
	}
}

func TestSoADOCX(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteDOCX(&buf, report.SoADocument(sampleSoA())); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(b)
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			// Every part is well-formed XML.
			d := xml.NewDecoder(bytes.NewReader(b))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed: %v", f.Name, err)
				}
			}
		}
	}
	for _, p := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/footer1.xml", "word/_rels/document.xml.rels"} {
		if parts[p] == "" {
			t.Fatalf("missing part %s", p)
		}
	}
	doc := parts["word/document.xml"]
	for _, s := range []string{`w:pStyle w:val="Title"`, "Statement of Applicability", "Version 3", `w:type="page"`, "<w:tblHeader/>",
		"Treats risks: R-001 Ransomware. Board decision", "Zoë’s “rules”", `w:orient="landscape"`, `footerReference`} {
		if !strings.Contains(doc, s) {
			t.Errorf("document.xml lacks %q", s)
		}
	}
	if !strings.Contains(parts["word/footer1.xml"], " PAGE ") || !strings.Contains(parts["word/footer1.xml"], " NUMPAGES ") {
		t.Error("footer has no page numbers")
	}
	convert(t, buf.Bytes(), "soa.docx", []string{"Statement of Applicability", "Version 3", "A.5.1", "Page 2 of"})
}

func TestSoAPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, report.SoADocument(sampleSoA())); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[len(b)-64:], []byte("%%EOF")) {
		t.Fatal("not a complete PDF")
	}
	if n := bytes.Count(b, []byte("/Type /Page\n")) + bytes.Count(b, []byte("/Type /Page ")) + bytes.Count(b, []byte("/Type/Page\n")); n < 2 {
		// gofpdf writes "/Type /Page" once per page.
		if bytes.Count(b, []byte("/Type /Page")) < 3 { // at least /Pages plus two pages
			t.Fatalf("expected a title page and a body page")
		}
	}
	pt, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "soa.pdf")
	os.WriteFile(path, b, 0o600)
	out, err := exec.Command(pt, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot read the PDF: %v", err)
	}
	text := string(out)
	for _, s := range []string{"Statement of Applicability", "Version 3", "Approved by", "A.5.1", "Page 1 of", "Page 2 of", "Zoë"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
}

func TestSoAXLSXOpensInLibreOffice(t *testing.T) {
	var buf bytes.Buffer
	if err := report.SoAXLSX(&buf, sampleSoA()); err != nil {
		t.Fatal(err)
	}
	convert(t, buf.Bytes(), "soa.xlsx", []string{"A.5.1", "Ransomware"})
}

// convert has LibreOffice turn a document into PDF and checks its text: a
// file LibreOffice cannot open is a bug.
func convert(t *testing.T, b []byte, name string, want []string) {
	t.Helper()
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("libreoffice is not installed; CI must run this test")
		}
		t.Log("LibreOffice conversion skipped: libreoffice is not on PATH")
		return
	}
	dir := t.TempDir()
	src := filepath.Join(dir, name)
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lo, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".pdf")
	pb, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(pb, []byte("%PDF")) {
		t.Fatalf("LibreOffice made no PDF of %s (%v)\n%s", name, err, out)
	}
	if pt, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command(pt, pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range want {
			if !strings.Contains(string(text), s) {
				t.Errorf("%s converted by LibreOffice lacks %q", name, s)
			}
		}
	}
}
