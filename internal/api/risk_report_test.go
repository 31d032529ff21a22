package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestRiskReportDownloads fetches the risk assessment report as Word and
// PDF: readers get the document with the organisation's risks, staff are
// refused.
func TestRiskReportDownloads(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			ctx := context.Background()
			if _, err := e.db.CreateRisk(ctx, e.f.Owner(), isms.Risk{Title: "Ransomware on the file server"}); err != nil {
				t.Fatal(err)
			}
			day := time.Now().In(e.f.Org.Location()).Format("2006-01-02")
			for ext, magic := range map[string]string{"docx": "PK", "pdf": "%PDF"} {
				r := e.do(t, "GET", "/api/v1/orgs/acme/risks/report."+ext, e.tokens[isms.RoleAuditor], nil)
				if r.status != 200 || !bytes.HasPrefix(r.body, []byte(magic)) {
					t.Fatalf("%s: %d %.200s", ext, r.status, r.body)
				}
				if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="acme-risk-assessment-`+day+`.`+ext+`"` {
					t.Errorf("Content-Disposition %q", cd)
				}
				if ext == "docx" && !strings.Contains(string(unzipPart(t, r.body, "word/document.xml")), "Ransomware on the file server") {
					t.Error("the report lacks the risk")
				}
				if r := e.do(t, "GET", "/api/v1/orgs/acme/risks/report."+ext, e.tokens[isms.RoleStaff], nil); r.status != 403 {
					t.Errorf("staff get the %s report: %d", ext, r.status)
				}
			}
		})
	}
}

// unzipPart returns one part of a zip archive (an Office document).
func unzipPart(t *testing.T, b []byte, name string) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}
