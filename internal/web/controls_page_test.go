package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// TestControlPagesReadTheSame: a control's page shows its evidence,
// warnings and history the same whether or not the statement was just
// viewed (and its overview kept), and the controls list filters, groups
// and counts controls with their warnings.
func TestControlPagesReadTheSame(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		byRef := controlsByRef(t, db, owner)
		var err error
		backup := byRef["A.8.13"]
		backup.Decision, backup.Justification, backup.Status = isms.DecisionIncluded, "Customers require it", isms.StatusImplemented
		if backup, err = db.UpdateControl(ctx, owner, backup, backup.Version); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct{ title, until string }{{"Restore log", "2099-01-01"}, {"Old restore test", "2025-05-01"}, {"Tape inventory", ""}} {
			if _, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: x.title, Kind: isms.EvidenceNote, Description: "x", ValidUntil: x.until},
				[]string{backup.ID}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Mobile device management",
			Theme: "Technological", ControlTypes: []string{"Preventive"}, OwnerID: owner.UserID}); err != nil {
			t.Fatal(err)
		}
		user := e.as(f.Users[isms.RoleOwner])

		path := "/o/acme/controls/" + backup.ID
		first := user.get(path).expect(t, http.StatusOK, "Evidence E-002 “Old restore test” expired on",
			`<a class="ref" href="/o/acme/evidence/`, ">Tape inventory</a>", "valid until ", "Customers require it")
		user.get("/o/acme/soa").expect(t, http.StatusOK, `<span class="row-count">94</span>`, "Evidence E-002 “Old restore test” expired on",
			`title="Evidence E-002 “Old restore test” expired on`)
		if again := user.get(path).expect(t, http.StatusOK); again.body != first.body {
			t.Errorf("the control's page changed once the statement was viewed:\n%s\nwas\n%s", excerpt(again.body), excerpt(first.body))
		}

		user.get("/o/acme/controls?status=implemented").expect(t, http.StatusOK, "1 control matches", "A.8.13", `<span class="pill pill-warning">1</span>`).
			lacks(t, "A.5.1<", "MDM-1")
		user.get("/o/acme/controls?kind=custom&group=none").expect(t, http.StatusOK, "1 control matches", "MDM-1", "All controls", `<span class="row-count">1 control</span>`)
		user.get("/o/acme/controls?mine=yes&group=control_type").expect(t, http.StatusOK, "1 control matches", "MDM-1", "Preventive").lacks(t, "A.8.13")
		user.get("/o/acme/controls?decision=none").expect(t, http.StatusOK, "93 controls match", "MDM-1").lacks(t, ">A.8.13<")
		user.get("/o/acme/controls?q=backup").expect(t, http.StatusOK, "A.8.13", "Information backup")
		user.get("/o/acme/controls").expect(t, http.StatusOK, "94 controls match", `<span class="row-count">37 controls</span>`, "MDM-1")
	})
}
