package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/server"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// Who may use each route. "all" is every member role; a route missing from
// these tables fails TestRouteMatrixIsComplete, so a new route cannot be
// added without deciding who may use it.
var (
	everyone = []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff}
	readers  = []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor, isms.RoleAuditor}
	editors  = []isms.Role{isms.RoleOwner, isms.RoleISMSManager}
	owners   = []isms.Role{isms.RoleOwner}
	auditors = []isms.Role{isms.RoleOwner, isms.RoleAuditor}
	// riskWriters may add risks (contributors add risks they own).
	riskWriters = []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}
)

// orgRoute is one route inside an organisation with the roles allowed.
type orgRoute struct {
	method, pattern string
	allowed         []isms.Role
	form            url.Values // body for POSTs (may be invalid: authorisation is checked first)
}

func webOrgRoutes() []orgRoute {
	return []orgRoute{
		{"GET", "/o/{org}", everyone, nil},
		{"GET", "/o/{org}/{$}", everyone, nil},
		// Search reads registers, which staff may not; the box is hidden for them.
		{"GET", "/o/{org}/search", readers, nil},
		{"GET", "/o/{org}/areas/{clause}", everyone, nil},
		{"GET", "/o/{org}/controls", readers, nil},
		{"GET", "/o/{org}/controls/new", editors, nil},
		{"POST", "/o/{org}/controls/new", editors, url.Values{"ref": {"M-1"}, "title": {"Matrix control"}, "theme": {"People"}}},
		{"GET", "/o/{org}/controls/mappings", readers, nil},
		{"GET", "/o/{org}/controls/licensed-text", editors, nil},
		{"POST", "/o/{org}/controls/licensed-text", editors, url.Values{"csv": {"9.99,x"}}},
		{"GET", "/o/{org}/controls/{id}", readers, nil},
		{"GET", "/o/{org}/controls/{id}/edit", editors, nil},
		{"POST", "/o/{org}/controls/{id}/edit", editors, url.Values{"status": {"planned"}, "version": {"1"}}},
		{"POST", "/o/{org}/controls/{id}/archive", editors, url.Values{"version": {"1"}}},
		{"POST", "/o/{org}/controls/{id}/restore", editors, url.Values{"version": {"1"}}},
		{"POST", "/o/{org}/controls/{id}/request", editors, url.Values{"title": {""}}},
		{"GET", "/o/{org}/soa", readers, nil},
		{"POST", "/o/{org}/soa/publish", editors, url.Values{"note": {"Matrix"}}},
		{"GET", "/o/{org}/soa/compare", readers, nil},
		{"GET", "/o/{org}/soa/export.xlsx", readers, nil},
		{"GET", "/o/{org}/soa/export.docx", readers, nil},
		{"GET", "/o/{org}/soa/export.pdf", readers, nil},
		{"GET", "/o/{org}/evidence", readers, nil},
		{"GET", "/o/{org}/evidence/new", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, nil},
		{"POST", "/o/{org}/evidence/new", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, url.Values{"title": {""}, "kind": {"note"}}},
		{"GET", "/o/{org}/evidence/{id}", readers, nil},
		{"GET", "/o/{org}/evidence/{id}/edit", editors, nil},
		{"POST", "/o/{org}/evidence/{id}/edit", editors, url.Values{"title": {""}, "kind": {"note"}, "version": {"1"}}},
		{"POST", "/o/{org}/evidence/{id}/archive", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/evidence/{id}/restore", editors, url.Values{"version": {"9"}}},
		{"GET", "/o/{org}/evidence/{id}/download", readers, nil},
		{"POST", "/o/{org}/evidence/{id}/request", editors, url.Values{"title": {""}}},
		{"GET", "/o/{org}/people", readers, nil},
		{"GET", "/o/{org}/people/new", editors, nil},
		{"POST", "/o/{org}/people/new", editors, url.Values{"name": {"Matrix Person"}}},
		{"GET", "/o/{org}/people/{id}", readers, nil},
		{"GET", "/o/{org}/people/{id}/edit", editors, nil},
		{"POST", "/o/{org}/people/{id}/edit", editors, url.Values{"name": {"Renamed"}, "version": {"1"}}},
		{"POST", "/o/{org}/people/{id}/archive", editors, url.Values{"version": {"1"}}},
		{"POST", "/o/{org}/people/{id}/restore", editors, url.Values{"version": {"1"}}},
		{"GET", "/o/{org}/members", readers, nil},
		{"POST", "/o/{org}/members", owners, url.Values{"email": {"new@example.test"}, "role": {"staff"}, "name": {"New"}, "password": {"a long enough password"}}},
		{"POST", "/o/{org}/members/{user}/role", owners, url.Values{"role": {"auditor"}, "version": {"1"}}},
		{"POST", "/o/{org}/members/{user}/remove", owners, nil},
		{"GET", "/o/{org}/settings", everyone, nil},
		{"POST", "/o/{org}/settings", owners, url.Values{"name": {"Changed"}, "version": {"1"}}},
		{"GET", "/o/{org}/audit", auditors, nil},
		{"GET", "/o/{org}/audit/{seq}", auditors, nil},
		{"GET", "/o/{org}/people/export.xlsx", readers, nil},
		{"GET", "/o/{org}/assets", readers, nil},
		{"GET", "/o/{org}/assets/export.xlsx", readers, nil},
		{"GET", "/o/{org}/assets/import", editors, nil},
		{"POST", "/o/{org}/assets/import", editors, url.Values{"data": {"bmFtZSx0eXBlCk1hdHJpeCBsYXB0b3AsaGFyZHdhcmUK"}}},
		{"GET", "/o/{org}/assets/import/template.xlsx", editors, nil},
		{"GET", "/o/{org}/assets/new", editors, nil},
		{"POST", "/o/{org}/assets/new", editors, url.Values{"name": {"Matrix server"}, "type": {"hardware"}}},
		{"GET", "/o/{org}/assets/{id}", readers, nil},
		{"GET", "/o/{org}/assets/{id}/edit", editors, nil},
		{"POST", "/o/{org}/assets/{id}/edit", editors, url.Values{"name": {"Renamed asset"}, "type": {"hardware"}, "version": {"1"}}},
		{"POST", "/o/{org}/assets/{id}/archive", editors, url.Values{"version": {"2"}}},
		{"POST", "/o/{org}/assets/{id}/restore", editors, url.Values{"version": {"3"}}},
		{"POST", "/o/{org}/starter-catalogue", editors, url.Values{"kind": {"threat"}}},
		{"GET", "/o/{org}/threats", readers, nil},
		{"GET", "/o/{org}/threats/new", editors, nil},
		{"POST", "/o/{org}/threats/new", editors, url.Values{"title": {"Matrix threat"}, "category": {"deliberate"}}},
		{"GET", "/o/{org}/threats/{id}", readers, nil},
		{"GET", "/o/{org}/threats/{id}/edit", editors, nil},
		{"POST", "/o/{org}/threats/{id}/edit", editors, url.Values{"title": {"Renamed"}, "category": {"deliberate"}, "version": {"1"}}},
		{"POST", "/o/{org}/threats/{id}/archive", editors, url.Values{"version": {"2"}}},
		{"POST", "/o/{org}/threats/{id}/restore", editors, url.Values{"version": {"3"}}},
		{"GET", "/o/{org}/vulnerabilities", readers, nil},
		{"GET", "/o/{org}/vulnerabilities/new", editors, nil},
		{"POST", "/o/{org}/vulnerabilities/new", editors, url.Values{"title": {"Matrix weakness"}, "category": {"process"}}},
		{"GET", "/o/{org}/vulnerabilities/{id}", readers, nil},
		{"GET", "/o/{org}/vulnerabilities/{id}/edit", editors, nil},
		{"POST", "/o/{org}/vulnerabilities/{id}/edit", editors, url.Values{"title": {"Renamed"}, "category": {"process"}, "version": {"1"}}},
		{"POST", "/o/{org}/vulnerabilities/{id}/archive", editors, url.Values{"version": {"2"}}},
		{"POST", "/o/{org}/vulnerabilities/{id}/restore", editors, url.Values{"version": {"3"}}},
		// The matrix action's responsible member is the staff member, who
		// may read and update it but not archive it.
		{"GET", "/o/{org}/actions", readers, nil},
		{"GET", "/o/{org}/actions/new", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, nil},
		{"POST", "/o/{org}/actions/new", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, url.Values{"title": {"Matrix plan"}, "status": {"open"}}},
		{"GET", "/o/{org}/actions/{id}", everyone, nil},
		{"GET", "/o/{org}/actions/{id}/edit", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, nil},
		{"POST", "/o/{org}/actions/{id}/edit", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, url.Values{"title": {"Matrix action"}, "status": {"in_progress"}, "version": {"1"}}},
		{"POST", "/o/{org}/actions/{id}/notes", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, url.Values{"body": {"Progress"}}},
		{"POST", "/o/{org}/actions/{id}/complete", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, url.Values{"completion_evidence": {"Done"}, "version": {"2"}}},
		{"POST", "/o/{org}/actions/{id}/archive", editors, url.Values{"version": {"3"}}},
		{"POST", "/o/{org}/actions/{id}/restore", editors, url.Values{"version": {"4"}}},
		{"GET", "/o/{org}/my-actions", everyone, nil},
		{"GET", "/o/{org}/risks", readers, nil},
		{"GET", "/o/{org}/risks/export.xlsx", readers, nil},
		{"GET", "/o/{org}/risks/import", editors, nil},
		{"POST", "/o/{org}/risks/import", editors, url.Values{"data": {"dGl0bGUKTWF0cml4IHJpc2sK"}}},
		{"GET", "/o/{org}/risks/report.docx", readers, nil},
		{"GET", "/o/{org}/risks/report.pdf", readers, nil},
		{"GET", "/o/{org}/risks/new", riskWriters, nil},
		{"POST", "/o/{org}/risks/new", riskWriters, url.Values{"title": {"Matrix risk"}, "kind": {"scenario"}}},
		{"GET", "/o/{org}/risks/heatmap", readers, nil},
		{"GET", "/o/{org}/risks/plan", readers, nil},
		{"GET", "/o/{org}/risks/plan.xlsx", readers, nil},
		{"GET", "/o/{org}/risks/rerate", readers, nil},
		{"GET", "/o/{org}/risks/criteria", readers, nil},
		{"POST", "/o/{org}/risks/criteria/start", editors, url.Values{"preset": {"none"}}},
		{"POST", "/o/{org}/risks/criteria/revise", editors, nil},
		{"GET", "/o/{org}/risks/criteria/edit", editors, nil},
		{"POST", "/o/{org}/risks/criteria/edit", editors, url.Values{"version": {"1"}}},
		{"POST", "/o/{org}/risks/criteria/approve", owners, url.Values{"id": {"x"}, "version": {"1"}}},
		{"POST", "/o/{org}/risks/criteria/discard", editors, url.Values{"id": {"x"}, "version": {"1"}}},
		{"GET", "/o/{org}/risks/{id}", readers, nil},
		{"GET", "/o/{org}/risks/{id}/edit", editors, nil},
		{"POST", "/o/{org}/risks/{id}/edit", editors, url.Values{"title": {"Renamed"}, "version": {"1"}}},
		{"POST", "/o/{org}/risks/{id}/archive", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/risks/{id}/restore", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/risks/{id}/approve", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/risks/{id}/accept", editors, url.Values{"version": {"9"}}},
		{"GET", "/o/{org}/risks/{id}/links/new", editors, nil},
		{"POST", "/o/{org}/risks/{id}/links", editors, url.Values{"target": {"widget:1"}}},
		{"POST", "/o/{org}/risks/{id}/links/remove", editors, url.Values{"type": {"widget"}, "to": {"1"}}},
		{"POST", "/o/{org}/risks/{id}/actions", editors, url.Values{"title": {""}}},
		{"POST", "/o/{org}/risks/{id}/rerate", editors, url.Values{"version": {"9"}}},
		{"GET", "/o/{org}/assessments", readers, nil},
		{"GET", "/o/{org}/assessments/new", editors, nil},
		{"POST", "/o/{org}/assessments/new", editors, url.Values{"scope": {""}}},
		{"GET", "/o/{org}/assessments/compare", readers, nil},
		{"GET", "/o/{org}/assessments/{id}", readers, nil},
		{"GET", "/o/{org}/assessments/{id}/edit", editors, nil},
		{"POST", "/o/{org}/assessments/{id}/edit", editors, url.Values{"scope": {""}, "version": {"1"}}},
		{"POST", "/o/{org}/assessments/{id}/close", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/assessments/{id}/archive", editors, url.Values{"version": {"9"}}},
		{"POST", "/o/{org}/assessments/{id}/restore", editors, url.Values{"version": {"9"}}},
	}
}

// apiOrgRoutes lists the JSON API's organisation operations.
func apiOrgRoutes() []orgRoute {
	return []orgRoute{
		{"GET", "/api/v1/orgs/{org}/members", readers, nil},
		{"GET", "/api/v1/orgs/{org}/people", readers, nil},
		{"POST", "/api/v1/orgs/{org}/people", editors, nil},
		{"GET", "/api/v1/orgs/{org}/people/export.xlsx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/people/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/people/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/people/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/people/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/people/{id}/history", readers, nil},
		{"GET", "/api/v1/orgs/{org}/audit-log", auditors, nil},
		{"GET", "/api/v1/orgs/{org}/assets", readers, nil},
		{"POST", "/api/v1/orgs/{org}/assets", editors, nil},
		{"GET", "/api/v1/orgs/{org}/assets/export.xlsx", readers, nil},
		{"POST", "/api/v1/orgs/{org}/assets/import", editors, nil},
		{"GET", "/api/v1/orgs/{org}/assets/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/assets/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/assets/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/assets/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/assets/{id}/history", readers, nil},
		{"POST", "/api/v1/orgs/{org}/starter-catalogue", editors, nil},
		{"GET", "/api/v1/orgs/{org}/threats", readers, nil},
		{"POST", "/api/v1/orgs/{org}/threats", editors, nil},
		{"GET", "/api/v1/orgs/{org}/threats/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/threats/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/threats/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/threats/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/threats/{id}/history", readers, nil},
		{"GET", "/api/v1/orgs/{org}/vulnerabilities", readers, nil},
		{"POST", "/api/v1/orgs/{org}/vulnerabilities", editors, nil},
		{"GET", "/api/v1/orgs/{org}/vulnerabilities/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/vulnerabilities/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/vulnerabilities/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/vulnerabilities/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/vulnerabilities/{id}/history", readers, nil},
		// The matrix action's responsible member is the staff member.
		{"GET", "/api/v1/orgs/{org}/actions", readers, nil},
		{"POST", "/api/v1/orgs/{org}/actions", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, nil},
		{"GET", "/api/v1/orgs/{org}/my-actions", everyone, nil},
		{"GET", "/api/v1/orgs/{org}/actions/{id}", everyone, nil},
		{"PATCH", "/api/v1/orgs/{org}/actions/{id}", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, nil},
		{"POST", "/api/v1/orgs/{org}/actions/{id}/complete", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, nil},
		{"GET", "/api/v1/orgs/{org}/actions/{id}/notes", everyone, nil},
		{"POST", "/api/v1/orgs/{org}/actions/{id}/notes", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleStaff}, nil},
		{"GET", "/api/v1/orgs/{org}/actions/{id}/history", everyone, nil},
		{"POST", "/api/v1/orgs/{org}/actions/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/actions/{id}/restore", editors, nil},
		// The matrix control (Annex A 5.1) and evidence have no owner, so
		// contributors may not change them.
		{"GET", "/api/v1/orgs/{org}/controls", readers, nil},
		{"POST", "/api/v1/orgs/{org}/controls", editors, nil},
		{"GET", "/api/v1/orgs/{org}/controls/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/controls/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/controls/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/controls/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/controls/{id}/history", readers, nil},
		{"POST", "/api/v1/orgs/{org}/controls/{id}/evidence-requests", editors, nil},
		{"GET", "/api/v1/orgs/{org}/risks/report.docx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risks/report.pdf", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/warnings", readers, nil},
		{"POST", "/api/v1/orgs/{org}/soa/versions", editors, nil},
		{"GET", "/api/v1/orgs/{org}/soa/versions", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/versions/{id}", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/diff", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/export.xlsx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/export.docx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/soa/export.pdf", readers, nil},
		{"GET", "/api/v1/orgs/{org}/evidence", readers, nil},
		{"POST", "/api/v1/orgs/{org}/evidence", []isms.Role{isms.RoleOwner, isms.RoleISMSManager, isms.RoleContributor}, nil},
		{"GET", "/api/v1/orgs/{org}/evidence/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/evidence/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/evidence/{id}/file", editors, nil},
		{"GET", "/api/v1/orgs/{org}/evidence/{id}/file", readers, nil},
		{"POST", "/api/v1/orgs/{org}/evidence/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/evidence/{id}/restore", editors, nil},
		{"GET", "/api/v1/orgs/{org}/evidence/{id}/history", readers, nil},
		{"POST", "/api/v1/orgs/{org}/evidence/{id}/renewal-requests", editors, nil},
		// Risk criteria: the matrix record is an approved version, so the
		// {id} rows come before /current, which needs one to answer 200.
		{"GET", "/api/v1/orgs/{org}/risk-criteria", readers, nil},
		{"POST", "/api/v1/orgs/{org}/risk-criteria", editors, nil},
		{"GET", "/api/v1/orgs/{org}/risk-criteria/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/risk-criteria/{id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risk-criteria/{id}/approve", owners, nil},
		{"POST", "/api/v1/orgs/{org}/risk-criteria/{id}/discard", editors, nil},
		{"GET", "/api/v1/orgs/{org}/risk-criteria/{id}/history", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risk-criteria/current", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risk-criteria/rerate", readers, nil},
		// Risks: the matrix risk has no owner, so contributors may not
		// change it; editors may (and decide for it while it has none).
		{"GET", "/api/v1/orgs/{org}/risks", readers, nil},
		{"POST", "/api/v1/orgs/{org}/risks", riskWriters, nil},
		{"GET", "/api/v1/orgs/{org}/risks/export.xlsx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risks/heatmap", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risk-treatment-plan", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risk-treatment-plan/export.xlsx", readers, nil},
		{"GET", "/api/v1/orgs/{org}/risks/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/risks/{id}", editors, nil},
		{"GET", "/api/v1/orgs/{org}/risks/{id}/history", readers, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/links", editors, nil},
		{"DELETE", "/api/v1/orgs/{org}/risks/{id}/links/{to_type}/{to_id}", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/approve-plan", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/accept", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/rerate", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/risks/{id}/restore", editors, nil},
		// Risk assessments: the matrix run is open, so PATCH comes before
		// close (a closed run answers 409 to every later change).
		{"GET", "/api/v1/orgs/{org}/assessments", readers, nil},
		{"POST", "/api/v1/orgs/{org}/assessments", editors, nil},
		{"GET", "/api/v1/orgs/{org}/assessments/compare", readers, nil},
		{"GET", "/api/v1/orgs/{org}/assessments/due", readers, nil},
		{"GET", "/api/v1/orgs/{org}/assessments/{id}", readers, nil},
		{"PATCH", "/api/v1/orgs/{org}/assessments/{id}", editors, nil},
		{"GET", "/api/v1/orgs/{org}/assessments/{id}/history", readers, nil},
		{"GET", "/api/v1/orgs/{org}/assessments/{id}/snapshot", readers, nil},
		{"POST", "/api/v1/orgs/{org}/assessments/{id}/close", editors, nil},
		{"POST", "/api/v1/orgs/{org}/assessments/{id}/archive", editors, nil},
		{"POST", "/api/v1/orgs/{org}/assessments/{id}/restore", editors, nil},
	}
}

// Routes outside organisations and who may use them.
var webOtherRoutes = map[string]string{
	"GET /{$}": "public", "GET /login": "public", "POST /login": "public", "POST /logout": "public",
	"GET /setup": "public", "POST /setup": "public", "/": "public",
	"GET /orgs/switch": "user", "GET /orgs/new": "user", "POST /orgs/new": "user",
	"GET /account/password": "user", "POST /account/password": "user", "GET /account/sessions": "user",
	"POST /account/sessions/{id}/revoke": "user", "GET /account/tokens": "user", "POST /account/tokens": "user",
	"POST /account/tokens/{id}/revoke": "user",
}

var routeRE = regexp.MustCompile(`(?m)^\s*(pub|user|org)\("([^"]+)"`)

// TestRouteMatrixIsComplete fails when a web route or API operation exists
// that the matrix below does not cover.
func TestRouteMatrixIsComplete(t *testing.T) {
	src, err := os.ReadFile("../web/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range webOrgRoutes() {
		known[r.method+" "+r.pattern] = true
	}
	for p := range webOtherRoutes {
		known[p] = true
	}
	found := routeRE.FindAllStringSubmatch(string(src), -1)
	if len(found) < 20 {
		t.Fatalf("found only %d routes in routes.go: has its shape changed?", len(found))
	}
	for _, m := range found {
		if !known[m[2]] {
			t.Errorf("web route %q (%s) is not in the role matrix", m[2], m[1])
		}
	}

	db := storetest.Open(t, store.SQLite)
	srv := httptest.NewServer(server.New(server.Config{}, db))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	apiKnown := map[string]bool{"GET /api/v1/orgs": true}
	for _, r := range apiOrgRoutes() {
		apiKnown[r.method+" "+r.pattern] = true
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			key := strings.ToUpper(method) + " " + path
			if !strings.HasPrefix(path, "/api/v1") {
				key = strings.ToUpper(method) + " /api/v1" + path
			}
			if !apiKnown[key] {
				t.Errorf("API operation %q is not in the role matrix", key)
			}
		}
	}
	if n < 5 {
		t.Fatalf("OpenAPI document lists only %d operations", n)
	}
}

// world is two organisations with a member of every role in the first and
// an owner in the second, each with a person, plus a browser session and
// an API token for every user.
type world struct {
	db       *store.DB
	srv      *httptest.Server
	a, b     storetest.Fixture
	personA  isms.Person
	personB  isms.Person
	browsers map[isms.Role]*http.Client
	tokens   map[isms.Role]string
	outsider *http.Client // owner of b, signed in
	outTok   string
	victims  int
}

const password = "matrix test password"

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, browsers: map[isms.Role]*http.Client{}, tokens: map[isms.Role]string{}}
	w.a = storetest.Seed(t, db, "alpha")
	w.b = storetest.Seed(t, db, "bravo")
	hash, _ := auth.HashPassword(password)
	var err error
	if w.personA, err = db.CreatePerson(ctx, w.a.Owner(), isms.Person{Name: "Alpha Person"}); err != nil {
		t.Fatal(err)
	}
	if w.personB, err = db.CreatePerson(ctx, w.b.Owner(), isms.Person{Name: "Bravo Person"}); err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(server.New(server.Config{}, db))
	t.Cleanup(w.srv.Close)
	signIn := func(u isms.User) (*http.Client, string) {
		if err := db.SetPassword(ctx, u.ID, hash, ""); err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(w.srv.URL+"/login", url.Values{"email": {u.Email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in %s: status %d", u.Email, resp.StatusCode)
		}
		secret, prefix, h := auth.NewAPIToken()
		if _, err := db.CreateToken(ctx, u.ID, "matrix", prefix, h); err != nil {
			t.Fatal(err)
		}
		return c, secret
	}
	for _, r := range everyone {
		w.browsers[r], w.tokens[r] = signIn(w.a.Users[r])
	}
	w.outsider, w.outTok = signIn(w.b.Users[isms.RoleOwner])
	return w
}

// path fills a pattern's wildcards with records of organisation f. A
// {user} is a fresh throwaway member, so that allowed role changes and
// removals never disturb the members the matrix signs in as.
func (w *world) path(t *testing.T, pattern string, f storetest.Fixture, person isms.Person) string {
	user := ""
	if strings.Contains(pattern, "{user}") {
		w.victims++
		m, _, err := w.db.AddMember(context.Background(), f.Owner(), store.NewMember{
			Email: fmt.Sprintf("victim%d@%s.test", w.victims, f.Org.Slug), Name: "Throwaway", Role: isms.RoleStaff, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		user = m.UserID
	}
	r := strings.NewReplacer("{org}", f.Org.Slug, "{$}", "", "{id}", w.recordID(t, pattern, person), "{clause}", "6", "{user}", user, "{seq}", "1")
	return r.Replace(pattern)
}

func (w *world) auditCount(t *testing.T) int {
	t.Helper()
	n, _, err := w.db.VerifyAuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (w *world) do(t *testing.T, c *http.Client, token, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	if token != "" && method != "GET" {
		body = strings.NewReader(`{"version":1}`)
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		c = http.DefaultClient
	} else if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func contains(roles []isms.Role, r isms.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// TestRoleMatrix walks every organisation route of the web UI and the API
// with every role: refused roles get 403 (or 404) and change nothing;
// allowed roles get past authorisation. A member of another organisation
// gets 404 on every route, and no request reaches another organisation's
// records through its own organisation's URLs.
func TestRoleMatrix(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		routes := append(webOrgRoutes(), apiOrgRoutes()...)
		for _, rt := range routes {
			api := strings.HasPrefix(rt.pattern, "/api/")
			for _, role := range everyone {
				p := w.path(t, rt.pattern, w.a, w.personA)
				before := w.auditCount(t)
				tok := ""
				if api {
					tok = w.tokens[role]
				}
				status, body := w.do(t, w.browsers[role], tok, rt.method, p, rt.form)
				allowed := contains(rt.allowed, role)
				name := fmt.Sprintf("%s %s as %s", rt.method, p, role)
				switch {
				case allowed && (status == 401 || status == 403 || status == 404 || status >= 500):
					t.Errorf("%s: allowed role refused with %d: %.200s", name, status, body)
				case !allowed && status != 403 && status != 404:
					t.Errorf("%s: refused role got %d", name, status)
				case !allowed && w.auditCount(t) != before:
					t.Errorf("%s: refused request changed records", name)
				}
			}
			// Another organisation's owner: 404, nothing changes.
			tok := ""
			if api {
				tok = w.outTok
			}
			p := w.path(t, rt.pattern, w.a, w.personA)
			before := w.auditCount(t)
			if status, _ := w.do(t, w.outsider, tok, rt.method, p, rt.form); status != 404 {
				t.Errorf("%s %s by another organisation's owner: %d, want 404", rt.method, p, status)
			}
			// Own organisation's URL, other organisation's record: 404.
			if strings.Contains(rt.pattern, "{id}") {
				p := w.path(t, rt.pattern, w.b, w.personA)
				before = w.auditCount(t)
				if status, _ := w.do(t, w.outsider, tok, rt.method, p, rt.form); status != 404 {
					t.Errorf("%s %s (record of another organisation): %d, want 404", rt.method, p, status)
				}
			}
			if w.auditCount(t) != before {
				t.Errorf("%s %s: outsider changed records", rt.method, p)
			}
		}
		// Signed-out requests never reach a handler.
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, rt := range webOrgRoutes() {
			p := w.path(t, rt.pattern, w.a, w.personA)
			status, _ := w.do(t, anon, "", rt.method, p, rt.form)
			if status != http.StatusSeeOther && status != http.StatusFound {
				t.Errorf("%s %s signed out: %d, want a redirect to sign in", rt.method, p, status)
			}
		}
		for _, rt := range apiOrgRoutes() {
			p := w.path(t, rt.pattern, w.a, w.personA)
			// The session cookie alone never authenticates the API.
			status, _ := w.do(t, w.browsers[isms.RoleOwner], "", rt.method, p, nil)
			if status != http.StatusUnauthorized {
				t.Errorf("%s %s with only a session cookie: %d, want 401", rt.method, p, status)
			}
		}
		var routes2 []string
		for p, who := range webOtherRoutes {
			if who == "user" && strings.HasPrefix(p, "GET ") && !strings.Contains(p, "{") {
				routes2 = append(routes2, strings.TrimPrefix(p, "GET "))
			}
		}
		sort.Strings(routes2)
		for _, p := range routes2 {
			if status, _ := w.do(t, anon, "", "GET", p, nil); status != http.StatusSeeOther && status != http.StatusFound {
				t.Errorf("GET %s signed out: %d, want a redirect to sign in", p, status)
			}
		}
	})
}
