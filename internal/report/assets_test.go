package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

func sampleAssets() []isms.Asset {
	at := time.Date(2025, 6, 30, 22, 15, 0, 0, time.UTC)
	return []isms.Asset{
		{Meta: isms.Meta{Ref: "AS-001", Version: 3, UpdatedAt: at}, Name: "CRM", Type: isms.AssetApplication, OwnerEmail: "ada@acme.test",
			CustodianText: "Outsourced IT", Location: "Cloud", Classification: isms.ClassConfidential, Confidentiality: 4, Integrity: 3,
			State: isms.AssetInUse, DependsOn: []string{"AS-002"}, Description: "=cmd|' /C calc'!A0"},
		{Meta: isms.Meta{Ref: "AS-002", Version: 1, UpdatedAt: at}, Name: "Customer data", Type: isms.AssetInformation, CustodianEmail: "bob@acme.test",
			Classification: isms.ClassRestricted, State: isms.AssetRetiring},
	}
}

// TestAssetsRoundTrip exports assets and reads the workbook back: every
// field survives, labels are turned back into values, and text that looks
// like a formula stays text.
func TestAssetsRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := report.AssetsXLSX(&buf, org, sampleAssets(), report.Info{ExportedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	rows, _ := f.GetRows("Assets")
	if got := strings.Join(rows[0], "|"); got != "Reference|Version|Name|Type|Description|Owner (email)|Custodian (email or name)|Location|Classification|Confidentiality|Integrity|Availability|Lifecycle state|Depends on|Last changed" {
		t.Fatalf("header %s", got)
	}
	if rows[1][3] != "Application or software" || rows[2][12] != "Retiring" {
		t.Fatalf("labels %q", rows[1:])
	}
	if formula, _ := f.GetCellFormula("Assets", "E2"); formula != "" {
		t.Fatalf("description became a formula %q", formula)
	}
	back, err := report.ParseAssets(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].Line != 2 || back[1].Line != 3 {
		t.Fatalf("rows %+v", back)
	}
	a := back[0]
	if a.Ref != "AS-001" || a.Version != 3 || a.Asset.Name != "CRM" || a.Asset.Type != isms.AssetApplication || a.Owner != "ada@acme.test" ||
		a.Custodian != "Outsourced IT" || a.Asset.Classification != isms.ClassConfidential || a.Asset.Confidentiality != 4 ||
		a.Asset.Integrity != 3 || a.Asset.Availability != 0 || a.Asset.State != isms.AssetInUse || fmt.Sprint(a.DependsOn) != "[AS-002]" ||
		a.Asset.Description != "=cmd|' /C calc'!A0" || len(a.Problems) != 0 {
		t.Fatalf("row 2 read back as %+v", a)
	}
	if b := back[1]; b.Custodian != "bob@acme.test" || b.Asset.State != isms.AssetRetiring || b.Asset.Classification != isms.ClassRestricted {
		t.Fatalf("row 3 read back as %+v", b)
	}
}

func TestParseAssetsCSV(t *testing.T) {
	// Semicolons, a byte order mark, headers in any case, a blank line.
	csv := "\xef\xbb\xbfNAME;Type;C;Depends On;lifecycle state\n\nLaptop;hardware;x;CRM, AS-004;in use\nCRM;Application or software;5;;\n"
	rows, err := report.ParseAssets([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 3 || rows[1].Line != 4 {
		t.Fatalf("rows %+v", rows)
	}
	if r := rows[0]; r.Asset.Type != isms.AssetHardware || r.Asset.State != isms.AssetInUse || fmt.Sprint(r.DependsOn) != "[CRM  AS-004]" ||
		len(r.Problems) != 1 || r.Problems[0].Field != "confidentiality" || !r.Present["depends_on"] || r.Present["owner"] {
		t.Fatalf("row 3 %+v", r)
	}
	if rows[1].Asset.Confidentiality != 5 || rows[1].Asset.Type != isms.AssetApplication {
		t.Fatalf("row 4 %+v", rows[1])
	}
}

func TestParseAssetsRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"missing and unknown columns", "Name,Colour,Colour\nx,y,z\n", []string{`Column "Colour" is not one Holdfast knows`, `Column "Type" (type) is missing`}},
		{"duplicate column", "name,type,Asset name\nx,hardware,y\n", []string{`Column "Asset name" appears twice`}},
		{"headings only", "name,type\n", []string{"no rows"}},
		{"empty", "\n\n", []string{"The file is empty"}},
		{"broken quotes", "name,type\n\"x,hardware\n", []string{"malformed near line"}},
		{"not UTF-8", "name,type\n\xff\xfe,hardware\n", []string{"UTF-8"}},
		{"broken workbook", "PK\x03\x04 not really a zip", []string{"could not be read"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.ParseAssets([]byte(tc.file))
			var ie *report.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an ImportError", err)
			}
			var msgs []string
			for _, p := range ie.Problems {
				msgs = append(msgs, i18n.Default.Msg(p))
			}
			all := strings.Join(msgs, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("messages %q lack %q", all, w)
				}
			}
		})
	}
}

// TestAssetTemplate checks the import template: it opens, explains every
// column, and ParseAssets accepts it as it is.
func TestAssetTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := report.AssetImportTemplate(&buf, org); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := fmt.Sprint(f.GetSheetList()); got != "[Assets Guide]" {
		t.Fatalf("sheets %s", got)
	}
	guide, _ := f.GetRows("Guide")
	if len(guide) < len(report.AssetColumns)+1 || guide[3][1] != "name" || !strings.Contains(guide[3][2], "Required") {
		t.Fatalf("guide %q", guide[:4])
	}
	rows, err := report.ParseAssets(buf.Bytes())
	if err != nil || len(rows) != 1 || rows[0].Asset.Type != isms.AssetApplication || rows[0].Ref != "" || len(rows[0].Problems) != 0 {
		t.Fatalf("template parses as %+v %v", rows, err)
	}
}
