package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

const (
	criteriaPath = "/api/v1/orgs/acme/risk-criteria"
	risksPath    = "/api/v1/orgs/acme/risks"
)

// jsonAt reads the value at a dotted path of a JSON object (e.g.
// "inherent.level.rank").
func jsonAt(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

func TestRiskCriteriaAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner, manager := e.tokens[isms.RoleOwner], e.tokens[isms.RoleISMSManager]
			if r := e.do(t, "GET", criteriaPath+"/current", owner, nil); r.status != 404 || !strings.Contains(r.problem(t).Detail, "No risk criteria") {
				t.Fatalf("current before approval %d %s", r.status, r.body)
			}
			if r := e.do(t, "GET", criteriaPath, e.tokens[isms.RoleStaff], nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}
			for _, role := range []isms.Role{isms.RoleContributor, isms.RoleAuditor} {
				if r := e.do(t, "POST", criteriaPath, e.tokens[role], map[string]any{"from": "5x5"}); r.status != 403 {
					t.Fatalf("%s start draft %d", role, r.status)
				}
			}
			r := e.do(t, "POST", criteriaPath, owner, map[string]any{"from": "9x9"})
			if r.status != 422 {
				t.Fatalf("unknown preset %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.from", "Choose one of")
			// Starting from the current version needs one.
			if r = e.do(t, "POST", criteriaPath, manager, map[string]any{"from": "current"}); r.status != 409 {
				t.Fatalf("copy of nothing %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", criteriaPath, manager, map[string]any{"from": "5x5"})
			draft := r.object(t)
			if r.status != 201 || draft["status"] != "draft" || draft["number"] != 1.0 || r.header.Get("Location") != criteriaPath+"/"+draft["id"].(string) {
				t.Fatalf("start draft %d %s", r.status, r.body)
			}
			if len(draft["likelihood"].([]any)) != 5 || len(draft["matrix"].([]any)) != 5 || len(draft["dimensions"].([]any)) != 5 || draft["accept_level"] != "low" {
				t.Fatalf("5x5 preset: %s", r.body)
			}
			draftURL := criteriaPath + "/" + draft["id"].(string)
			if r = e.do(t, "POST", criteriaPath, manager, map[string]any{"from": "3x3"}); r.status != 409 {
				t.Fatalf("second draft %d %s", r.status, r.body)
			}
			// The whole draft is checked: bad cells and unknown levels are named.
			r = e.do(t, "PATCH", draftURL, manager, map[string]any{"version": 1, "matrix": [][]string{{"low"}}})
			if r.status != 422 {
				t.Fatalf("matrix shape %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.matrix", "")
			bad := [][]string{
				{"low", "low", "low", "medium", "medium"},
				{"low", "low", "medium", "medium", "high"},
				{"low", "medium", "purple", "high", "high"},
				{"medium", "medium", "high", "high", "critical"},
				{"low", "high", "high", "critical", "critical"},
			}
			r = e.do(t, "PATCH", draftURL, manager, map[string]any{"version": 1, "matrix": bad, "accept_level": "nope"})
			if r.status != 422 {
				t.Fatalf("bad matrix %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.matrix.3.3", "")
			fieldError(t, r, "body.accept_level", "")
			r = e.do(t, "PATCH", draftURL, manager, map[string]any{"version": 1, "name": "Acme criteria", "currency": "gbp"})
			if r.status != 200 || r.object(t)["name"] != "Acme criteria" || r.object(t)["currency"] != "GBP" || r.object(t)["version"] != 2.0 {
				t.Fatalf("patch draft %d %s", r.status, r.body)
			}
			if len(r.object(t)["levels"].([]any)) != 4 {
				t.Fatalf("levels kept: %s", r.body)
			}
			r = e.do(t, "PATCH", draftURL, manager, map[string]any{"version": 1, "name": "Stale"})
			if r.status != 409 || !strings.Contains(r.problem(t).Detail, "changed by") {
				t.Fatalf("stale patch %d %s", r.status, r.body)
			}
			// Only an organisation owner approves.
			if r = e.do(t, "POST", draftURL+"/approve", manager, map[string]any{"version": 2}); r.status != 403 {
				t.Fatalf("manager approves %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", draftURL+"/approve", owner, map[string]any{"version": 2})
			if r.status != 200 || r.object(t)["status"] != "approved" || r.object(t)["approved_by"] != e.f.Users[isms.RoleOwner].ID {
				t.Fatalf("approve %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", draftURL, manager, map[string]any{"version": 3, "name": "Changed"}); r.status != 409 {
				t.Fatalf("patch approved %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", criteriaPath+"/current", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 || r.object(t)["id"] != draft["id"] {
				t.Fatalf("current %d %s", r.status, r.body)
			}
			// A risk rated under version 1, then version 2 approved: the
			// risk is on the re-rating worklist until it is re-rated.
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "Laptop theft", "owner_id": e.f.Users[isms.RoleContributor].ID,
				"inherent_likelihood": 4, "inherent_consequence": 3, "residual_likelihood": 2, "residual_consequence": 3, "treatment": []string{"modify"}})
			if r.status != 201 {
				t.Fatalf("create risk %d %s", r.status, r.body)
			}
			risk := r.object(t)
			r = e.do(t, "POST", criteriaPath, manager, map[string]any{"from": "current"})
			v2 := r.object(t)
			if r.status != 201 || v2["number"] != 2.0 || v2["based_on_id"] != draft["id"] || v2["name"] != "Acme criteria" {
				t.Fatalf("copy current %d %s", r.status, r.body)
			}
			v2URL := criteriaPath + "/" + v2["id"].(string)
			if r = e.do(t, "POST", v2URL+"/approve", owner, map[string]any{"version": 1}); r.status != 200 {
				t.Fatalf("approve v2 %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", criteriaPath, e.tokens[isms.RoleContributor], nil)
			if items := r.items(t); r.status != 200 || len(items) != 2 || items[0]["status"] != "approved" || items[1]["status"] != "superseded" {
				t.Fatalf("versions %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", criteriaPath+"/rerate", e.tokens[isms.RoleAuditor], nil)
			wl := r.object(t)
			items := r.items(t)
			if r.status != 200 || len(items) != 1 || items[0]["risk_id"] != risk["id"] || items[0]["criteria_number"] != 1.0 ||
				jsonAt(items[0], "suggested_inherent.level.key") != "high" || wl["criteria_number"] != 2.0 || len(wl["mappings"].([]any)) != 1 {
				t.Fatalf("worklist %d %s", r.status, r.body)
			}
			if items[0]["can_rerate"] != false {
				t.Fatalf("auditor may not re-rate: %s", r.body)
			}
			riskURL := risksPath + "/" + risk["id"].(string)
			if r = e.do(t, "POST", riskURL+"/rerate", e.tokens[isms.RoleAuditor], map[string]any{"version": 1}); r.status != 403 {
				t.Fatalf("auditor re-rates %d", r.status)
			}
			// The risk's owner (a contributor) applies the suggestion.
			r = e.do(t, "POST", riskURL+"/rerate", e.tokens[isms.RoleContributor], map[string]any{"version": 1})
			if r.status != 200 || r.object(t)["criteria_number"] != 2.0 || jsonAt(r.object(t), "inherent.level.key") != "high" {
				t.Fatalf("rerate %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", riskURL+"/rerate", owner, map[string]any{"version": 2}); r.status != 409 {
				t.Fatalf("rerate twice %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", criteriaPath+"/rerate", owner, nil); len(r.items(t)) != 0 {
				t.Fatalf("worklist after re-rating %s", r.body)
			}
			// Discarding a draft: owners and ISMS managers.
			r = e.do(t, "POST", criteriaPath, manager, map[string]any{"from": "3x3"})
			v3URL := criteriaPath + "/" + r.object(t)["id"].(string)
			if r = e.do(t, "POST", v3URL+"/discard", e.tokens[isms.RoleContributor], map[string]any{"version": 1}); r.status != 403 {
				t.Fatalf("contributor discards %d", r.status)
			}
			if r = e.do(t, "POST", v3URL+"/discard", manager, map[string]any{"version": 1}); r.status != 204 {
				t.Fatalf("discard %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", v3URL, owner, nil); r.status != 200 || r.object(t)["archived_at"] == nil {
				t.Fatalf("discarded draft %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", draftURL+"/history", owner, nil); r.status != 200 || len(r.items(t)) < 3 {
				t.Fatalf("history %d %s", r.status, r.body)
			}
			// Another organisation's owner sees nothing.
			if r = e.do(t, "GET", draftURL, e.outsider, nil); r.status != 404 {
				t.Fatalf("outsider %d", r.status)
			}
			if r = e.do(t, "GET", strings.Replace(draftURL, "/acme/", "/other/", 1), e.outsider, nil); r.status != 404 {
				t.Fatalf("other org's criteria through own org %d", r.status)
			}
		})
	}
}

// approvedCriteria approves the 5×5 preset for the test organisation.
func (e *env) approvedCriteria(t *testing.T) isms.RiskCriteria {
	t.Helper()
	ctx := context.Background()
	c, err := e.db.StartCriteria(ctx, e.f.Owner(), isms.Preset5x5)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = e.db.ApproveCriteria(ctx, e.f.Owner(), c.ID, c.Version); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRisksAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			ctx := context.Background()
			owner, manager, contrib := e.tokens[isms.RoleOwner], e.tokens[isms.RoleISMSManager], e.tokens[isms.RoleContributor]
			auditor, staff := e.tokens[isms.RoleAuditor], e.tokens[isms.RoleStaff]
			contribID, managerID := e.f.Users[isms.RoleContributor].ID, e.f.Users[isms.RoleISMSManager].ID
			// Rating needs approved criteria.
			r := e.do(t, "POST", risksPath, owner, map[string]any{"title": "Early", "inherent_likelihood": 2, "inherent_consequence": 2})
			if r.status != 422 {
				t.Fatalf("rating without criteria %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.inherent_likelihood", "")
			e.approvedCriteria(t)

			// Bad input names every field.
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "", "inherent_likelihood": 9, "inherent_consequence": 2,
				"treatment": []string{"take"}})
			if r.status != 422 {
				t.Fatalf("invalid create %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.title", "Enter")
			fieldError(t, r, "body.treatment", "")
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "Date", "next_review": "2030-02-30"})
			fieldError(t, r, "body.next_review", "YYYY-MM-DD")
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "Scale", "inherent_likelihood": 9, "inherent_consequence": 2})
			fieldError(t, r, "body.inherent_likelihood", "")
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "Dims", "inherent_likelihood": 2, "inherent_dims": map[string]int{"weather": 2}})
			fieldError(t, r, "body.inherent_dims.weather", "")
			r = e.do(t, "POST", risksPath, owner, map[string]any{"title": "Staff owner", "owner_id": e.f.Users[isms.RoleStaff].ID})
			fieldError(t, r, "body.owner_id", "")

			// An owner-less, highly rated risk with residual above the criteria.
			r = e.do(t, "POST", risksPath, manager, map[string]any{"title": "Ransomware on the file server", "category": "Cyber",
				"cia": "ca", "inherent_likelihood": 5, "inherent_dims": map[string]int{"financial": 4, "operations": 5},
				"residual_likelihood": 3, "residual_consequence": 3, "treatment": []string{"modify"}})
			if r.status != 201 || !strings.HasPrefix(r.header.Get("Location"), risksPath+"/") {
				t.Fatalf("create %d %s", r.status, r.body)
			}
			ransom := r.object(t)
			if ransom["ref"] != "R-001" || ransom["cia"] != "CA" || ransom["status"] != "planned" || ransom["owner_id"] != nil ||
				ransom["inherent_consequence"] != 5.0 || jsonAt(ransom, "inherent.level.key") != "critical" ||
				jsonAt(ransom, "residual.level.key") != "medium" || jsonAt(ransom, "current.level.key") != "critical" ||
				jsonAt(ransom, "evaluation.residual_acceptable") != false || jsonAt(ransom, "evaluation.accept_level.key") != "low" ||
				jsonAt(ransom, "evaluation.inherent_annual_loss") == nil {
				t.Fatalf("created %s", r.body)
			}
			ransomURL := risksPath + "/" + ransom["id"].(string)

			// Contributors add risks they own, and only those.
			r = e.do(t, "POST", risksPath, contrib, map[string]any{"title": "Phishing of finance staff", "inherent_likelihood": 3, "inherent_consequence": 2})
			phish := r.object(t)
			if r.status != 201 || phish["owner_id"] != contribID || phish["owner_name"] == "" {
				t.Fatalf("contributor create %d %s", r.status, r.body)
			}
			phishURL := risksPath + "/" + phish["id"].(string)
			r = e.do(t, "POST", risksPath, contrib, map[string]any{"title": "Someone else's", "owner_id": managerID})
			fieldError(t, r, "body.owner_id", "")
			for _, tok := range []string{auditor, staff} {
				if r = e.do(t, "POST", risksPath, tok, map[string]any{"title": "x"}); r.status != 403 {
					t.Fatalf("auditor/staff create %d", r.status)
				}
			}

			// PATCH: contributors change their own risks only; absent fields
			// stay, null clears; stale → 409.
			r = e.do(t, "PATCH", phishURL, contrib, map[string]any{"version": 1, "next_review": "2030-01-31", "priority": 2})
			if r.status != 200 || r.object(t)["next_review"] != "2030-01-31" || r.object(t)["priority"] != 2.0 || r.object(t)["title"] != "Phishing of finance staff" {
				t.Fatalf("contributor patch %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", phishURL, contrib, map[string]any{"version": 2, "next_review": nil, "inherent_likelihood": nil, "inherent_consequence": nil})
			if r.status != 200 || r.object(t)["next_review"] != nil || r.object(t)["priority"] != 2.0 || r.object(t)["inherent"] != nil || r.object(t)["status"] != "identified" {
				t.Fatalf("patch with nulls %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", phishURL, contrib, map[string]any{"version": 3, "owner_id": managerID}); r.status != 422 {
				t.Fatalf("contributor hands risk on %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", ransomURL, contrib, map[string]any{"version": 1, "title": "Mine now"}); r.status != 403 {
				t.Fatalf("contributor patches another's risk %d", r.status)
			}
			if r = e.do(t, "PATCH", ransomURL, auditor, map[string]any{"version": 1, "title": "x"}); r.status != 403 {
				t.Fatalf("auditor patch %d", r.status)
			}
			if r = e.do(t, "PATCH", ransomURL, manager, map[string]any{"version": 1, "residual_likelihood": 9}); r.status != 422 {
				t.Fatalf("bad residual %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", ransomURL, owner, map[string]any{"version": 1, "priority": 1})
			if r.status != 200 || r.object(t)["version"] != 2.0 {
				t.Fatalf("owner patch %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", ransomURL, manager, map[string]any{"version": 1, "priority": 3})
			if r.status != 409 || !strings.Contains(r.problem(t).Detail, "changed by") {
				t.Fatalf("stale patch %d %s", r.status, r.body)
			}

			// Lists: filters, sort, search, bad parameters.
			list := func(q string, tok string) []map[string]any {
				t.Helper()
				r := e.do(t, "GET", risksPath+q, tok, nil)
				if r.status != 200 {
					t.Fatalf("list %s: %d %s", q, r.status, r.body)
				}
				return r.items(t)
			}
			if got := list("?inherent_level=critical", auditor); len(got) != 1 || got[0]["id"] != ransom["id"] {
				t.Fatalf("level filter %v", got)
			}
			if got := list("?owner_id="+contribID, auditor); len(got) != 1 || got[0]["id"] != phish["id"] {
				t.Fatalf("owner filter %v", got)
			}
			if got := list("?inherent_cell=5-5&status=planned", auditor); len(got) != 1 {
				t.Fatalf("cell filter %v", got)
			}
			if got := list("?sort=-title", contrib); len(got) != 2 || got[0]["id"] != ransom["id"] {
				t.Fatalf("sort %v", got)
			}
			if got := list("?q=phishing", contrib); len(got) != 1 {
				t.Fatalf("search %v", got)
			}
			if got := list("?kind=opportunity", contrib); len(got) != 0 {
				t.Fatalf("kind %v", got)
			}
			if r = e.do(t, "GET", risksPath+"?sort=colour", owner, nil); r.status != 422 {
				t.Fatalf("bad sort %d", r.status)
			}
			fieldError(t, r, "query.sort", "")
			if r = e.do(t, "GET", risksPath+"?inherent_cell=9-9", owner, nil); r.status != 422 {
				t.Fatalf("bad cell %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", risksPath, staff, nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}

			// Links.
			asset, err := e.db.CreateAsset(ctx, e.f.Owner(), isms.Asset{Name: "File server", Type: isms.AssetHardware})
			if err != nil {
				t.Fatal(err)
			}
			if r = e.do(t, "POST", ransomURL+"/links", contrib, map[string]any{"to_type": "asset", "to_id": asset.ID}); r.status != 403 {
				t.Fatalf("contributor links another's risk %d", r.status)
			}
			r = e.do(t, "POST", ransomURL+"/links", manager, map[string]any{"to_type": "asset", "to_id": asset.ID, "note": "Holds the shares"})
			if r.status != 201 || len(r.items(t)) != 1 || r.items(t)[0]["ref"] != asset.Ref {
				t.Fatalf("link %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", ransomURL+"/links", manager, map[string]any{"to_type": "asset", "to_id": "nope"})
			fieldError(t, r, "body.to_id", "")
			r = e.do(t, "POST", ransomURL+"/links", manager, map[string]any{"to_type": "widget", "to_id": asset.ID})
			fieldError(t, r, "body.to_type", "")
			r = e.do(t, "GET", ransomURL, auditor, nil)
			detail := r.object(t)
			if r.status != 200 || len(detail["links"].([]any)) != 1 || detail["actions"] == nil || detail["decisions"] == nil {
				t.Fatalf("detail %d %s", r.status, r.body)
			}
			if r = e.do(t, "DELETE", ransomURL+"/links/asset/"+asset.ID, manager, nil); r.status != 204 {
				t.Fatalf("unlink %d %s", r.status, r.body)
			}
			if r = e.do(t, "DELETE", ransomURL+"/links/asset/"+asset.ID, manager, nil); r.status != 404 {
				t.Fatalf("unlink twice %d %s", r.status, r.body)
			}

			// Decisions. Without a risk owner, the plan cannot be approved.
			r = e.do(t, "POST", ransomURL+"/approve-plan", owner, map[string]any{"version": 2})
			if r.status != 422 {
				t.Fatalf("approve without owner %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.owner_id", "risk owner")
			r = e.do(t, "PATCH", ransomURL, manager, map[string]any{"version": 2, "owner_id": contribID})
			if r.status != 200 || r.object(t)["owner_id"] != contribID {
				t.Fatalf("assign owner %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", ransomURL+"/approve-plan", manager, map[string]any{"version": 3}); r.status != 403 {
				t.Fatalf("manager (not the risk owner) approves %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", ransomURL+"/approve-plan", contrib, map[string]any{"version": 3, "justification": "Backups and EDR"})
			if r.status != 200 || r.object(t)["status"] != "approved" || r.object(t)["plan_approved_at"] == nil {
				t.Fatalf("risk owner approves %d %s", r.status, r.body)
			}
			// Medium residual is above "low": acceptance needs a concession.
			r = e.do(t, "POST", ransomURL+"/accept", contrib, map[string]any{"version": 4, "justification": ""})
			if r.status != 422 {
				t.Fatalf("accept without justification %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.justification", "")
			fieldError(t, r, "body.concession", "Low")
			if r = e.do(t, "POST", ransomURL+"/accept", contrib, map[string]any{"version": 3, "justification": "x", "concession": true}); r.status != 409 {
				t.Fatalf("stale accept %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", ransomURL+"/accept", contrib, map[string]any{"version": 4, "justification": "Insurance covers the rest", "concession": true, "expires_on": "2099-12-31"})
			if r.status != 200 || r.object(t)["status"] != "accepted" || r.object(t)["accept_concession"] != true ||
				r.object(t)["accepted_until"] != "2099-12-31" || r.object(t)["acceptance"] != "valid" {
				t.Fatalf("accept %d %s", r.status, r.body)
			}
			if got := list("?acceptance=concession", auditor); len(got) != 1 || got[0]["id"] != ransom["id"] {
				t.Fatalf("acceptance filter %v", got)
			}
			r = e.do(t, "GET", ransomURL, auditor, nil)
			if decs := r.object(t)["decisions"].([]any); len(decs) != 2 || decs[0].(map[string]any)["kind"] != "acceptance" || decs[0].(map[string]any)["concession"] != true {
				t.Fatalf("decisions %s", r.body)
			}
			// Changing the residual rating voids the acceptance.
			r = e.do(t, "PATCH", ransomURL, contrib, map[string]any{"version": 5, "residual_likelihood": 1, "residual_consequence": 1})
			if r.status != 200 || r.object(t)["acceptance"] != "none" || r.object(t)["status"] != "planned" {
				t.Fatalf("residual change %d %s", r.status, r.body)
			}

			// Heat maps, treatment plan and exports.
			r = e.do(t, "GET", risksPath+"/heatmap", auditor, nil)
			hm := r.object(t)
			if r.status != 200 || fmt.Sprint(hm["inherent"].([]any)[4].([]any)[4]) != "1" || fmt.Sprint(hm["residual"].([]any)[0].([]any)[0]) != "1" ||
				fmt.Sprint(hm["current"].([]any)[4].([]any)[4]) != "1" || hm["unrated"] != 1.0 || len(hm["matrix"].([]any)) != 5 {
				t.Fatalf("heat map %d %s", r.status, r.body)
			}
			if _, err := e.db.CreateAction(ctx, e.f.Owner(), isms.Action{Title: "Offline backups", ServesType: "risk", ServesID: ransom["id"].(string), ResponsibleID: contribID}); err != nil {
				t.Fatal(err)
			}
			r = e.do(t, "GET", "/api/v1/orgs/acme/risk-treatment-plan", contrib, nil)
			plan := r.object(t)
			if r.status != 200 || len(r.items(t)) != 1 || jsonAt(plan, "progress.actions") != 1.0 || len(r.items(t)[0]["actions"].([]any)) != 1 {
				t.Fatalf("plan %d %s", r.status, r.body)
			}
			for _, p := range []string{risksPath + "/export.xlsx?owner_id=" + contribID, "/api/v1/orgs/acme/risk-treatment-plan/export.xlsx"} {
				r = e.do(t, "GET", p, auditor, nil)
				if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
					!strings.Contains(r.header.Get("Content-Disposition"), "acme-risk") || len(r.body) < 1000 {
					t.Fatalf("export %s: %d %s", p, r.status, r.header)
				}
			}
			if r = e.do(t, "GET", risksPath+"/export.xlsx", staff, nil); r.status != 403 {
				t.Fatalf("staff export %d", r.status)
			}

			// Archive and restore: owners and ISMS managers.
			if r = e.do(t, "POST", phishURL+"/archive", contrib, map[string]any{"version": 3}); r.status != 403 {
				t.Fatalf("contributor archives %d", r.status)
			}
			r = e.do(t, "POST", phishURL+"/archive", manager, map[string]any{"version": 3})
			if r.status != 200 || r.object(t)["archived_at"] == nil {
				t.Fatalf("archive %d %s", r.status, r.body)
			}
			if got := list("", auditor); len(got) != 1 {
				t.Fatalf("archived risk still listed %v", got)
			}
			if r = e.do(t, "POST", phishURL+"/restore", manager, map[string]any{"version": 4}); r.status != 200 || r.object(t)["archived_at"] != nil {
				t.Fatalf("restore %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", phishURL+"/history", auditor, nil); r.status != 200 || len(r.items(t)) != 5 {
				t.Fatalf("history %d %s", r.status, r.body)
			}

			// Other organisations: 404 whichever URL is used.
			if r = e.do(t, "GET", ransomURL, e.outsider, nil); r.status != 404 {
				t.Fatalf("outsider get %d", r.status)
			}
			if r = e.do(t, "PATCH", strings.Replace(ransomURL, "/acme/", "/other/", 1), e.outsider, map[string]any{"version": 6, "title": "x"}); r.status != 404 {
				t.Fatalf("other org's risk through own org %d", r.status)
			}
		})
	}
}
