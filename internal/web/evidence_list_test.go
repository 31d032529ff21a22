package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// TestEvidenceExpiryViews checks the evidence list's expiry views: the
// counts above the list link to them on every view, and each view shows
// only its evidence, in reference order, with kind, owner and dates, on
// the page and in the htmx fragment.
func TestEvidenceExpiryViews(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, contrib := f.Owner(), f.Users[isms.RoleContributor]
		soonDay := isms.AddDays(f.Org.Today(time.Now()), 10)
		add := func(x isms.Evidence) isms.Evidence {
			t.Helper()
			x, err := db.CreateEvidence(ctx, owner, x, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		pen := add(isms.Evidence{Title: "Pen test report", Kind: isms.EvidenceNote, Description: "Findings", OwnerID: contrib.ID,
			CollectedOn: "2019-05-01", ValidUntil: "2020-05-01"})
		training := add(isms.Evidence{Title: "Training log", Kind: isms.EvidenceLink, URL: "https://lms.example.com/log", ValidUntil: soonDay})
		add(isms.Evidence{Title: "Access policy", Kind: isms.EvidenceNote, Description: "No end"})
		fw := add(isms.Evidence{Title: "Firewall review", Kind: isms.EvidenceLink, URL: "https://fw.example.com", ValidUntil: "2021-01-31"})
		old := add(isms.Evidence{Title: "Old scan", Kind: isms.EvidenceNote, Description: "Gone", ValidUntil: "2019-01-01"})
		if _, err := db.ArchiveEvidence(ctx, owner, old.ID, old.Version, true); err != nil {
			t.Fatal(err)
		}
		c := e.as(f.Users[isms.RoleOwner])

		counts := []string{`<a href="/o/acme/evidence?expiry=expired">2 pieces of evidence have expired.</a>`,
			`<a href="/o/acme/evidence?expiry=soon">1 piece expires within 30 days.</a>`}
		penRow := `<tr><td><a class="ref" href="/o/acme/evidence/` + pen.ID + `">` + pen.Ref + `</a></td><td><a class="title-link" href="/o/acme/evidence/` + pen.ID +
			`">Pen test report</a></td><td>Note</td><td>` + contrib.Name + `</td><td class="num"><time datetime="2019-05-01">01 May 2019</time></td>` +
			`<td class="num"><span class="overdue">`
		penDue := `<time datetime="2020-05-01">01 May 2020</time> <span class="visually-hidden">Expired</span></span></td></tr>`
		fwRow := `">Firewall review</a></td><td>Link</td><td></td><td class="num"></td><td class="num"><span class="overdue">`
		trainingRow := `">Training log</a></td><td>Link</td><td></td><td class="num"></td><td class="num"><time datetime="` + soonDay + `">`

		all := c.get("/o/acme/evidence").expect(t, 200, counts...).lacks(t, "Old scan")
		listRows(t, all.body, 4)

		for _, headers := range [][]string{nil, {"HX-Request", "true", "HX-Target", "results"}} {
			expired := c.get("/o/acme/evidence?expiry=expired", headers...).
				expect(t, 200, append(counts, penRow, penDue, fwRow, "2 pieces of evidence</p>")...).lacks(t, "Training log", "Access policy", "Old scan")
			listRows(t, expired.body, 2)
			if strings.Index(expired.body, penRow) > strings.Index(expired.body, fwRow) {
				t.Errorf("expired evidence not in reference order: %s after %s", pen.Ref, fw.Ref)
			}
			soon := c.get("/o/acme/evidence?expiry=soon", headers...).
				expect(t, 200, append(counts, trainingRow, training.Ref, "1 piece of evidence</p>")...).lacks(t, "Pen test report", "Firewall review", `class="overdue"`)
			listRows(t, soon.body, 1)
		}
		archived := c.get("/o/acme/evidence?archived=archived&expiry=expired").
			expect(t, 200, `">Old scan</a> <span class="pill pill-muted">Archived</span></td><td>Note</td>`, `<time datetime="2019-01-01">01 Jan 2019</time> <span class="visually-hidden">Expired</span>`)
		listRows(t, archived.body, 1)
		c.get("/o/acme/evidence?kind=file&expiry=expired").expect(t, 200, "No evidence matches these filters.").lacks(t, `class="title-link"`)

		e.as(f.Users[isms.RoleStaff]).get("/o/acme/evidence?expiry=expired").expect(t, 403)
	})
}
