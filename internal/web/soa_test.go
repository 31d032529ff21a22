package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// TestSoAPage: each control's row counts its active evidence, and the
// warnings name the expired pieces, in the list and on the row; archived
// evidence counts for nothing. Approved versions are listed.
func TestSoAPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		byRef := controlsByRef(t, db, owner)
		var err error
		for _, ref := range []string{"A.8.13", "A.8.15"} {
			c := byRef[ref]
			c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Customers require it", isms.StatusImplemented
			if byRef[ref], err = db.UpdateControl(ctx, owner, c, c.Version); err != nil {
				t.Fatal(err)
			}
		}
		backup, logging := byRef["A.8.13"], byRef["A.8.15"]
		evidence := func(title, until string, archive bool, controls ...string) {
			t.Helper()
			x, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: title, Kind: isms.EvidenceNote, Description: "x", ValidUntil: until}, controls, nil)
			if err != nil {
				t.Fatal(err)
			}
			if archive {
				if _, err := db.ArchiveEvidence(ctx, owner, x.ID, x.Version, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		evidence("Restore log", "2099-01-01", false, backup.ID)      // E-001
		evidence("Old restore test", "2025-05-01", false, backup.ID) // E-002
		evidence("Withdrawn report", "2025-01-01", true, backup.ID)  // E-003
		evidence("Withdrawn log review", "", true, logging.ID)       // E-004
		evidence("Tape inventory", "", false, backup.ID, logging.ID) // E-005
		if _, err := db.PublishSoA(ctx, owner, "Board meeting"); err != nil {
			t.Fatal(err)
		}

		page := e.as(f.Users[isms.RoleAuditor]).get("/o/acme/soa").expect(t, http.StatusOK,
			`href="/o/acme/controls/`+backup.ID+`">A.8.13</a> <span>Evidence E-002 “Old restore test” expired on`,
			`title="Evidence E-002 “Old restore test” expired on`, "1 warning</span>",
			"Version 1", "Board meeting", "Matches approved version 1").
			lacks(t, "E-003", "E-004", "Withdrawn", "Marked implemented, but no evidence is linked.")
		for ref, want := range map[string]string{"A.8.13": "3", "A.8.15": "1", "A.5.1": "0"} {
			re := regexp.MustCompile(`(?s)">` + regexp.QuoteMeta(ref) + `</a></td>.*?<td class="num">(\d+)</td>`)
			if m := re.FindStringSubmatch(page.body); m == nil || m[1] != want {
				t.Errorf("%s evidence count %v, want %s", ref, m, want)
			}
		}

		// Archiving the last active piece of A.8.15 makes it warn.
		active, err := db.ControlEvidence(ctx, owner, logging.ID)
		if err != nil || len(active) != 1 {
			t.Fatalf("A.8.15's active evidence %+v, %v", active, err)
		}
		if _, err := db.ArchiveEvidence(ctx, owner, active[0].ID, active[0].Version, true); err != nil {
			t.Fatal(err)
		}
		e.as(f.Users[isms.RoleOwner]).get("/o/acme/soa").expect(t, http.StatusOK, "Marked implemented, but no evidence is linked.",
			`href="/o/acme/controls/`+logging.ID+`">A.8.15</a> <span>Marked implemented`)
	})
}

// controlsByRef returns the organisation's active controls by reference.
func controlsByRef(t *testing.T, db *store.DB, a isms.Actor) map[string]isms.Control {
	t.Helper()
	cs, err := db.ActiveControls(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]isms.Control{}
	for _, c := range cs {
		byRef[c.Ref] = c
	}
	return byRef
}
