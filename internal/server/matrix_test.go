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
		{"GET", "/o/{org}/search", everyone, nil},
		{"GET", "/o/{org}/areas/{clause}", everyone, nil},
		{"GET", "/o/{org}/controls", everyone, nil},
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
	r := strings.NewReplacer("{org}", f.Org.Slug, "{$}", "", "{id}", person.ID, "{clause}", "6", "{user}", user, "{seq}", "1")
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
