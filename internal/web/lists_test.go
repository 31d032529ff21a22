package web_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// TestRegisterListRows checks what a row of the asset, action and evidence
// lists shows: its links, dates, shared labels and the archived pill.
func TestRegisterListRows(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		staffUser := f.Users[isms.RoleStaff]

		base, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Payroll database", Type: isms.AssetType("information"), Classification: isms.ClassRestricted, Confidentiality: 3})
		if err != nil {
			t.Fatal(err)
		}
		app, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Payroll app", Type: isms.AssetType("application"), OwnerID: owner.UserID, DependsOn: []string{base.Ref}})
		if err != nil {
			t.Fatal(err)
		}
		old, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Old fax", Type: isms.AssetType("hardware")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveAsset(ctx, owner, old.ID, old.Version, true); err != nil {
			t.Fatal(err)
		}
		c := e.as(f.Users[isms.RoleOwner])
		assets := c.get("/o/acme/assets?archived=all").expect(t, 200,
			`<a class="ref" href="/o/acme/assets/`+app.ID+`">`+app.Ref+`</a>`,
			`<a class="title-link" href="/o/acme/assets/`+base.ID+`">Payroll database</a>`,
			`<span class="pill pill-danger">Restricted</span>`, `<abbr title="Confidentiality`, `>C</abbr> 3 `, `>I</abbr> – `,
			`<td class="mono small">`+base.Ref+`</td>`, `<span class="muted" aria-label="None">—</span>`,
			`Old fax</a> <span class="pill pill-muted">Archived</span>`, "No owner")
		assets.lacks(t, "Payroll app</a> <span")

		late, err := db.CreateAction(ctx, owner, isms.Action{Title: "Renew the certificate", ResponsibleID: staffUser.ID, DueDate: "2020-02-03",
			ServesType: "asset", ServesID: app.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAction(ctx, owner, isms.Action{Title: "Write the plan"}); err != nil {
			t.Fatal(err)
		}
		c.get("/o/acme/actions").expect(t, 200,
			`<a class="title-link" href="/o/acme/actions/`+late.ID+`">Renew the certificate</a>`,
			`<time datetime="2020-02-03">03 Feb 2020</time> (overdue)</span>`, `href="/o/acme/assets/`+app.ID+`">Asset</a>`,
			`<span class="muted">No due date</span>`, `<span class="muted">Nobody yet</span>`, "<td>"+staffUser.Name+"</td>")
		e.as(staffUser).get("/o/acme/my-actions").expect(t, 200, "Renew the certificate", `<time datetime="2020-02-03">03 Feb 2020</time>`).
			lacks(t, "Write the plan", "Nobody yet")

		expired, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Pen test report", Kind: isms.EvidenceNote, Description: "Findings",
			CollectedOn: "2019-05-01", ValidUntil: "2020-05-01"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		gone, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Old policy", Kind: isms.EvidenceNote, Description: "Superseded"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveEvidence(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		c.get("/o/acme/evidence").expect(t, 200,
			`<a class="title-link" href="/o/acme/evidence/`+expired.ID+`">Pen test report</a>`, "<td>Note</td>",
			`<time datetime="2019-05-01">01 May 2019</time>`,
			`<time datetime="2020-05-01">01 May 2020</time> <span class="visually-hidden">Expired</span>`).lacks(t, "Old policy")
		c.get("/o/acme/evidence?archived=archived").expect(t, 200, `Old policy</a> <span class="pill pill-muted">Archived</span>`)
	})
}
