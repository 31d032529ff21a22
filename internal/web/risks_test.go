package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
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

func TestRiskPlanPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		web := e.as(f.Users[isms.RoleAuditor])
		web.get("/o/acme/risks/plan").expect(t, http.StatusOK, "Nothing in the plan yet").lacks(t, `class="pager"`)

		approve5x5(t, db, owner)
		ctrl, err := db.CreateControl(ctx, mgr, isms.Control{Meta: isms.Meta{Ref: "BK-1"}, Title: "Nightly backups", Theme: "Technological"})
		if err != nil {
			t.Fatal(err)
		}
		var risks []isms.Risk
		for i := 1; i <= 52; i++ {
			r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: fmt.Sprintf("Plan risk %02d", i), Priority: i, Treatment: []isms.TreatmentOption{"modify"},
				Inherent: isms.Rating{Likelihood: 4, Consequence: 4}, Residual: isms.Rating{Likelihood: 1, Consequence: 1}})
			if err != nil {
				t.Fatal(err)
			}
			risks = append(risks, r)
		}
		// Not in the plan: neither a treatment option nor an action.
		if _, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Plan risk untreated", Priority: 60}); err != nil {
			t.Fatal(err)
		}
		first, last := risks[0], risks[51]
		if err := db.LinkRisk(ctx, mgr, first.ID, "control", ctrl.ID, ""); err != nil {
			t.Fatal(err)
		}
		done, err := db.CreateAction(ctx, mgr, isms.Action{Title: "Encrypt the laptops", ResponsibleID: mgr.UserID, DueDate: "2020-03-12", ServesType: "risk", ServesID: first.ID})
		if err != nil {
			t.Fatal(err)
		}
		done.Status, done.CompletionEvidence = isms.ActionDone, "BitLocker report"
		if _, err := db.UpdateAction(ctx, mgr, done, done.Version); err != nil {
			t.Fatal(err)
		}
		overdue, err := db.CreateAction(ctx, mgr, isms.Action{Title: "Patch the firewall", ResponsibleID: mgr.UserID, DueDate: "2020-04-01", ServesType: "risk", ServesID: last.ID})
		if err != nil {
			t.Fatal(err)
		}

		// The first page lists fifty risks in priority order; the figures
		// above it cover the whole plan.
		wholePlan := []string{`<p class="card-figure">52</p>`, `<p class="card-figure">1<small> / 2</small>`, `<p class="card-figure overdue">1</p>`}
		p1 := web.get("/o/acme/risks/plan").expect(t, http.StatusOK, append(wholePlan, "Showing 50 of 52",
			`<a class="ref" href="/o/acme/risks/`+first.ID+`">`+first.Ref+`</a>`, "Plan risk 01", "Plan risk 50",
			`<span class="ref">BK-1</span> Nightly backups`,
			`<span class="mono">`+done.Ref+`</span> Encrypt the laptops · `+f.Users[isms.RoleISMSManager].Name+` · <time datetime="2020-03-12">12 Mar 2020</time> · Done</div>`,
			`<span class="pill pill-neutral">Plan not approved</span>`, `<span aria-disabled="true">← Previous</span>`)...).
			lacks(t, "Plan risk 51", "Plan risk untreated", "Patch the firewall", `rel="prev"`)
		if n := strings.Count(p1.body, `<a class="title-link"`); n != 50 {
			t.Fatalf("first page lists %d risks", n)
		}
		next := html.UnescapeString(regexpFind(t, `<a href="([^"]+)" rel="next">`, p1.body))

		// The next page has the rest, with the same figures.
		p2 := web.get(next).expect(t, http.StatusOK, append(wholePlan, "Showing 2 of 52", "Plan risk 51", "Plan risk 52",
			`<span class="mono">`+overdue.Ref+`</span> Patch the firewall`, `<time datetime="2020-04-01">01 Apr 2020</time> · Open <span class="overdue">`,
			`<span aria-disabled="true">Next →</span>`)...).
			lacks(t, "Plan risk 50", "Plan risk untreated", "Encrypt the laptops", `rel="next"`)
		prev := html.UnescapeString(regexpFind(t, `<a href="([^"]+)" rel="prev">`, p2.body))
		web.get(prev).expect(t, http.StatusOK, "Showing 50 of 52", "Plan risk 01", "Plan risk 50").lacks(t, "Plan risk 51")

		web.get("/o/acme/risks/plan?cursor=nonsense").expect(t, http.StatusUnprocessableEntity)
	})
}

func TestRiskHeatMapPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		web := e.as(f.Users[isms.RoleAuditor])
		web.get("/o/acme/risks/heatmap").expect(t, http.StatusOK, `href="/o/acme/risks/criteria"`).lacks(t, "<svg")
		approve5x5(t, db, owner)
		crit, _, err := db.CurrentCriteria(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		var rs []isms.Risk
		for _, title := range []string{"Laptop theft", "Phishing"} {
			r, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: title, Treatment: []isms.TreatmentOption{"modify"},
				Inherent: isms.Rating{Likelihood: 4, Consequence: 4}, Residual: isms.Rating{Likelihood: 1, Consequence: 1}})
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		if _, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Not rated"}); err != nil {
			t.Fatal(err)
		}
		x, err := db.CreateAction(ctx, mgr, isms.Action{Title: "Encrypt the laptops", ResponsibleID: mgr.UserID, ServesType: "risk", ServesID: rs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		x.Status, x.CompletionEvidence = isms.ActionDone, "BitLocker report"
		if _, err := db.UpdateAction(ctx, mgr, x, x.Version); err != nil {
			t.Fatal(err)
		}

		// Both risks start in one cell and are expected in another; the
		// one whose actions are done stands at its expected cell already.
		cell := "/o/acme/risks?criteria_id=" + crit.ID + "&amp;inherent_cell=4-4"
		page := web.get("/o/acme/risks/heatmap").expect(t, http.StatusOK, "1 risk is not rated yet.",
			`<a href="`+cell+`" aria-label="Likelihood Likely, consequence Major, level High: 2 risks">`,
			`<a href="/o/acme/risks?criteria_id=`+crit.ID+`&amp;residual_cell=1-1" aria-label="Likelihood Rare, consequence Negligible, level Low: 2 risks">`,
			`<g role="img" aria-label="Likelihood Likely, consequence Major, level High: 1 risks">`,
			`<g role="img" aria-label="Likelihood Rare, consequence Negligible, level Low: 1 risks">`,
			`text-decoration="underline">2</text>`)
		if n := strings.Count(page.body, `<svg class="heatmap"`); n != 3 {
			t.Fatalf("%d heat maps", n)
		}
		web.get(html.UnescapeString(cell)).expect(t, http.StatusOK, "2 risks match", "Laptop theft", "Phishing")
	})
}
