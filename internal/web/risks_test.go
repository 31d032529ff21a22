package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

func TestRiskLinkPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		x, err := db.CreateRisk(ctx, f.Owner(), isms.Risk{Title: "Ransomware"})
		if err != nil {
			t.Fatal(err)
		}
		asset, err := db.CreateAsset(ctx, f.Owner(), isms.Asset{Name: "File server", Type: isms.AssetHardware})
		if err != nil {
			t.Fatal(err)
		}
		riskURL := "/o/acme/risks/" + x.ID
		newURL := riskURL + "/links/new"
		target := "asset:" + asset.ID
		owner := e.as(f.Users[isms.RoleOwner])

		// The risk page links to the form instead of carrying its picker.
		owner.get(riskURL).expect(t, http.StatusOK, `href="`+newURL+`"`, "Link a record").
			lacks(t, `name="target"`, `value="`+target+`"`)
		owner.get(newURL).expect(t, http.StatusOK, "Link a record", x.Ref, "Ransomware", `href="`+riskURL+`"`,
			`<label for="target">Record to link`, `<optgroup label="Assets"><option value="`+target+`">`+asset.Ref+` File server</option>`,
			`action="`+riskURL+`/links"`)

		// A problem shows the form again with the input kept.
		owner.post(riskURL+"/links", url.Values{"target": {""}, "note": {"Stores the data"}}).
			expect(t, http.StatusUnprocessableEntity, "There is a problem", `href="#target"`, `aria-invalid="true"`,
				`aria-describedby="target-error"`, `value="Stores the data"`, `<optgroup label="Assets">`)
		owner.post(riskURL+"/links", url.Values{"target": {"asset:no-such-asset"}}).
			expect(t, http.StatusUnprocessableEntity, "There is a problem", `href="#target"`, "Link a record")

		// Success goes back to the risk, which lists the link.
		r := owner.post(riskURL+"/links", url.Values{"target": {target}, "note": {"Stores the data"}})
		owner.follow(r.redirectsTo(t, riskURL)).expect(t, http.StatusOK, "Link added.", asset.Ref, "Stores the data")

		// Members who may not edit the risk see neither the link nor the form.
		auditor := e.as(f.Users[isms.RoleAuditor])
		auditor.get(riskURL).expect(t, http.StatusOK).lacks(t, `href="`+newURL+`"`)
		auditor.get(newURL).expect(t, http.StatusForbidden)
		e.as(f.Users[isms.RoleContributor]).get(newURL).expect(t, http.StatusForbidden)
	})
}

func TestRiskListRows(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		x, err := db.CreateRisk(ctx, f.Owner(), isms.Risk{Title: "Ransomware", NextReview: "2020-03-12", Category: "Cyber"})
		if err != nil {
			t.Fatal(err)
		}
		e.as(f.Users[isms.RoleOwner]).get("/o/acme/risks").expect(t, http.StatusOK,
			`<a class="ref" href="/o/acme/risks/`+x.ID+`">`+x.Ref+`</a>`,
			`<a class="title-link" href="/o/acme/risks/`+x.ID+`">Ransomware</a>`,
			` · Cyber</span>`, `<span class="muted">No owner yet</span>`, "Event or scenario",
			`<time datetime="2020-03-12">12 Mar 2020</time>`, "overdue")
	})
}
