package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests use Europe/London wherever they run

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

var org = isms.Organisation{Slug: "acme", Name: "Acme Ltd", TimeZone: "Europe/London", DateFormat: "02 Jan 2006"}

func samplePeople(n int) []isms.Person {
	updated := time.Date(2025, 6, 30, 22, 15, 0, 0, time.UTC) // 23:15 in London
	out := []isms.Person{
		{Meta: isms.Meta{Ref: "P-001", UpdatedAt: updated}, Name: "Ada Boss", Email: "ada@acme.test", Department: "Board", StartDate: "2024-05-01"},
		{Meta: isms.Meta{Ref: "P-002", UpdatedAt: updated}, Name: "Zoë =SUM(A1)", JobTitle: "Engineer", ManagerName: "Ada Boss", StartDate: "2023-03-01", LeaveDate: "2025-12-31", UserEmail: "zoe@acme.test"},
	}
	for i := len(out); i < n; i++ {
		out = append(out, isms.Person{Meta: isms.Meta{Ref: fmt.Sprintf("P-%03d", i+1), UpdatedAt: updated}, Name: fmt.Sprintf("Person %d", i+1)})
	}
	return out[:n]
}

func open(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestPeopleXLSX(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2025, 7, 1, 8, 30, 0, 0, time.UTC)
	if err := report.PeopleXLSXWith(&buf, org, samplePeople(2), report.Info{Version: "1.2.3", ExportedAt: at}); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := f.GetSheetList(); fmt.Sprint(got) != "[People About]" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("People")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Reference", "Name", "Email", "Job title", "Department", "Manager", "Start date", "Leaving date", "User account", "Last changed"},
		{"P-001", "Ada Boss", "ada@acme.test", "", "Board", "", "01 May 2024", "", "", "30 Jun 2025 23:15"},
		{"P-002", "Zoë =SUM(A1)", "", "Engineer", "", "Ada Boss", "01 Mar 2023", "31 Dec 2025", "zoe@acme.test", "30 Jun 2025 23:15"},
	}
	if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
		t.Fatalf("rows\n%q\nwant\n%q", rows, want)
	}
	// Dates are real dates (serial numbers), not text.
	raw, _ := f.GetCellValue("People", "G2", excelize.Options{RawCellValue: true})
	if n, err := strconv.Atoi(raw); err != nil || n != 45413 {
		t.Fatalf("start date stored as %q", raw)
	}
	// Text that looks like a formula stays text.
	if formula, _ := f.GetCellFormula("People", "B3"); formula != "" {
		t.Fatalf("B3 became the formula %q", formula)
	}
	// Bold, frozen header row with filters.
	style, _ := f.GetCellStyle("People", "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Fatalf("header style %+v %v", s, err)
	}
	panes, err := f.GetPanes("People")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Fatalf("panes %+v %v", panes, err)
	}
	filter := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && strings.HasSuffix(dn.RefersTo, "$A$1:$J$3") {
			filter = true
		}
	}
	if !filter {
		t.Fatalf("no filter over A1:J3: %+v", f.GetDefinedName())
	}
	if w, _ := f.GetColWidth("People", "B"); w != 28 {
		t.Fatalf("column B width %v", w)
	}

	about, err := f.GetRows("About")
	if err != nil {
		t.Fatal(err)
	}
	wantAbout := [][]string{
		{"Organisation", "Acme Ltd"}, {"Register", "People"}, {"Exported at", "01 Jul 2025 09:30"},
		{"Time zone", "Europe/London"}, {"Records", "2"}, {"Holdfast version", "1.2.3"},
	}
	if fmt.Sprintf("%q", about) != fmt.Sprintf("%q", wantAbout) {
		t.Fatalf("about\n%q\nwant\n%q", about, wantAbout)
	}
}

func TestPeopleXLSXEmptyAndDefaults(t *testing.T) {
	var buf bytes.Buffer
	if err := report.PeopleXLSX(&buf, isms.Organisation{Name: "Bare"}, nil); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	rows, _ := f.GetRows("People")
	if len(rows) != 1 || rows[0][0] != "Reference" {
		t.Fatalf("rows %q", rows)
	}
	about, _ := f.GetRows("About")
	if len(about) != 5 || about[4][1] != "0" {
		t.Fatalf("about %q (no version row expected)", about)
	}
}

// TestPeopleXLSXLarge streams a large register.
func TestPeopleXLSXLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large export skipped in -short mode")
	}
	const n = 20000
	var buf bytes.Buffer
	if err := report.PeopleXLSX(&buf, org, samplePeople(n)); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	rows, err := f.Rows("People")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for rows.Next() {
		count++
	}
	if count != n+1 {
		t.Fatalf("%d rows, want %d", count, n+1)
	}
}

// TestPeopleXLSXOpensInLibreOffice converts the export to PDF: a file
// LibreOffice cannot open is a bug.
func TestPeopleXLSXOpensInLibreOffice(t *testing.T) {
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("libreoffice is not installed; CI must run this test (apt-get install libreoffice-calc-nogui)")
		}
		fmt.Fprintln(os.Stderr, "report: LibreOffice test skipped: libreoffice is not on PATH")
		t.Skip("libreoffice is not on PATH")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := report.PeopleXLSXWith(&buf, org, samplePeople(40), report.Info{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "acme-people.xlsx")
	if err := os.WriteFile(src, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A private profile lets this run beside other LibreOffice processes.
	cmd := exec.CommandContext(ctx, lo, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "acme-people.pdf"))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("no PDF produced (%v)\n%s", err, out)
	}
	if pt, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command(pt, filepath.Join(dir, "acme-people.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Ada Boss", "Leaving date", "01 May 2024"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	}
}
