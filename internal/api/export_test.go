package api_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestExportPeopleXLSX downloads the People register and opens it: every
// active person once (more than one page of the store's maximum), under
// the header row.
func TestExportPeopleXLSX(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			ctx := context.Background()
			for i := range isms.MaxLimit + 3 {
				if _, err := e.db.CreatePerson(ctx, e.f.Owner(), isms.Person{Name: fmt.Sprintf("Extra %03d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			gone, err := e.db.CreatePerson(ctx, e.f.Owner(), isms.Person{Name: "Gone Person"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.ArchivePerson(ctx, e.f.Owner(), gone.ID, 1, true); err != nil {
				t.Fatal(err)
			}
			want := 2 + isms.MaxLimit + 3

			r := e.do(t, "GET", people+"/export.xlsx", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Fatalf("Content-Type %q", ct)
			}
			day := time.Now().In(e.f.Org.Location()).Format("2006-01-02")
			if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="acme-people-`+day+`.xlsx"` {
				t.Fatalf("Content-Disposition %q", cd)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatalf("the export does not open: %v", err)
			}
			defer f.Close()
			rows, err := f.GetRows("People")
			if err != nil {
				t.Fatal(err)
			}
			header := []string{"Reference", "Name", "Email", "Job title", "Department", "Manager", "Start date", "Leaving date", "User account", "Last changed"}
			if fmt.Sprint(rows[0]) != fmt.Sprint(header) {
				t.Fatalf("header %q", rows[0])
			}
			if len(rows)-1 != want {
				t.Fatalf("%d data rows, want %d", len(rows)-1, want)
			}
			seen := map[string]bool{}
			for _, row := range rows[1:] {
				if seen[row[0]] || row[1] == "Gone Person" {
					t.Fatalf("row %q repeated or archived", row)
				}
				seen[row[0]] = true
			}
			if rows[1][1] != "Ada Boss" || rows[2][1] != "Bob Worker" || rows[2][5] != "Ada Boss" {
				t.Fatalf("first rows %q %q", rows[1], rows[2])
			}
		})
	}
}
