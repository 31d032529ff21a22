package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/server"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// env is a running server on a fresh database: organisation "acme" with one
// member of every role (each with an API token), two people in its
// directory (a manager and a report), and a second organisation "other"
// whose owner is not a member of acme.
type env struct {
	db       *store.DB
	srv      *httptest.Server
	f        storetest.Fixture
	tokens   map[isms.Role]string
	outsider string // token of other's owner
	revoked  string // a revoked token of acme's owner
	boss     isms.Person
	worker   isms.Person
	log      *syncBuffer
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, d)
	e := &env{db: db, tokens: map[isms.Role]string{}, log: &syncBuffer{}}
	e.srv = httptest.NewServer(server.New(server.Config{Log: slog.New(slog.NewTextHandler(e.log, nil))}, db))
	t.Cleanup(e.srv.Close)
	e.f = storetest.Seed(t, db, "acme")
	for r, u := range e.f.Users {
		e.tokens[r] = newToken(t, db, u.ID)
	}
	e.revoked = newToken(t, db, e.f.Users[isms.RoleOwner].ID)
	toks, err := db.Tokens(ctx, e.f.Users[isms.RoleOwner].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if strings.HasPrefix(e.revoked, tok.Prefix) {
			if err := db.RevokeToken(ctx, tok.UserID, tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	g := storetest.Seed(t, db, "other")
	e.outsider = newToken(t, db, g.Users[isms.RoleOwner].ID)
	owner := e.f.Owner()
	if e.boss, err = db.CreatePerson(ctx, owner, isms.Person{Name: "Ada Boss", Email: "ada@acme.test", Department: "Board", StartDate: "2020-01-06"}); err != nil {
		t.Fatal(err)
	}
	if e.worker, err = db.CreatePerson(ctx, owner, isms.Person{Name: "Bob Worker", Email: "bob@acme.test", Department: "Ops", ManagerID: e.boss.ID, StartDate: "2023-03-01"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func newToken(t *testing.T, db *store.DB, userID string) string {
	t.Helper()
	secret, prefix, hash := auth.NewAPIToken()
	if _, err := db.CreateToken(context.Background(), userID, "test", prefix, hash); err != nil {
		t.Fatal(err)
	}
	return secret
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; body is sent as is when it is a string or []byte and
// as JSON otherwise. headers are name, value pairs.
func (e *env) do(t *testing.T, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// object decodes a JSON object body.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// items returns the items of a list body, checking the list envelope.
func (r response) items(t *testing.T) []map[string]any {
	t.Helper()
	var l struct {
		Items      []map[string]any `json:"items"`
		Total      *int             `json:"total"`
		NextCursor *string          `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.body, &l); err != nil || l.Items == nil || l.Total == nil || l.NextCursor == nil {
		t.Fatalf("not a list envelope (%v): %s", err, r.body)
	}
	return l.Items
}

type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// problem decodes a problem document, checking its media type and status.
func (r response) problem(t *testing.T) problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem: %v\n%s", err, r.body)
	}
	if p.Status != r.status || p.Title != http.StatusText(r.status) || p.Detail == "" {
		t.Fatalf("problem status/title/detail: %+v (HTTP %d)", p, r.status)
	}
	return p
}

// fieldError asserts that the problem names location, with a message
// containing msg.
func fieldError(t *testing.T, r response, location, msg string) {
	t.Helper()
	p := r.problem(t)
	for _, e := range p.Errors {
		if e.Location == location {
			if !strings.Contains(e.Message, msg) {
				t.Fatalf("%s: message %q, want it to contain %q", location, e.Message, msg)
			}
			return
		}
	}
	t.Fatalf("no error at %s in %s", location, r.body)
}

func (e *env) person(t *testing.T, id string) isms.Person {
	t.Helper()
	p, err := e.db.Person(context.Background(), e.f.Owner(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) peopleCount(t *testing.T) int {
	t.Helper()
	page, err := e.db.People(context.Background(), e.f.Owner(), isms.ListQuery{Archived: isms.ArchivedInclude})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// sessionCookie creates a real browser session for the user, as signing in
// to the web UI does, and returns its cookie.
func (e *env) sessionCookie(t *testing.T, userID string) string {
	t.Helper()
	sm := scs.New()
	sm.Store = e.db.Sessions(0)
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	sm.Put(ctx, "user_id", userID)
	sm.Put(ctx, "org", "acme")
	tok, _, err := sm.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.db.Sessions(0).FindCtx(context.Background(), tok); !ok || err != nil {
		t.Fatalf("session not stored: %v", err)
	}
	return "holdfast_session=" + tok
}

type scenario struct {
	name   string
	as     isms.Role // whose token; "" for none
	token  func(e *env) string
	method string
	// path and body may name {boss} and {worker}, replaced by their ids.
	path    string
	body    any
	headers []string
	// prepare runs before the request; it may change the database and
	// return more headers.
	prepare func(t *testing.T, e *env) []string
	status  int
	check   func(t *testing.T, e *env, r response)
}

func (s scenario) run(t *testing.T, e *env) response {
	t.Helper()
	ids := strings.NewReplacer("{boss}", e.boss.ID, "{worker}", e.worker.ID)
	token := ""
	if s.as != "" {
		token = e.tokens[s.as]
	}
	if s.token != nil {
		token = s.token(e)
	}
	body := s.body
	if b, ok := body.(string); ok {
		body = ids.Replace(b)
	}
	headers := append([]string(nil), s.headers...)
	if s.prepare != nil {
		headers = append(headers, s.prepare(t, e)...)
	}
	r := e.do(t, s.method, ids.Replace(s.path), token, body, headers...)
	if r.status != s.status {
		t.Fatalf("%s %s: status %d, want %d\n%s", s.method, s.path, r.status, s.status, r.body)
	}
	return r
}

const people = "/api/v1/orgs/acme/people"

var scenarios = []scenario{
	// Authentication: bearer tokens only.
	{name: "no token", method: "GET", path: "/api/v1/orgs", status: 401, check: func(t *testing.T, e *env, r response) {
		r.problem(t)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	}},
	{name: "unknown token", token: func(*env) string { return "hf_notarealtoken" }, method: "GET", path: "/api/v1/orgs", status: 401, check: func(t *testing.T, e *env, r response) {
		r.problem(t)
		if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") || !strings.Contains(h, "invalid_token") {
			t.Fatalf("WWW-Authenticate %q", h)
		}
	}},
	{name: "revoked token", token: func(e *env) string { return e.revoked }, method: "GET", path: people, status: 401},
	{name: "basic auth is not a token", method: "GET", path: "/api/v1/orgs", headers: []string{"Authorization", "Basic b3duZXI6eA=="}, status: 401},
	{name: "session cookie alone", method: "GET", path: people, status: 401,
		prepare: func(t *testing.T, e *env) []string {
			return []string{"Cookie", e.sessionCookie(t, e.f.Users[isms.RoleOwner].ID)}
		},
		check: func(t *testing.T, e *env, r response) { r.problem(t) }},
	{name: "openapi needs no token", method: "GET", path: "/api/v1/openapi.json", status: 200},
	{name: "unknown route", as: isms.RoleOwner, method: "GET", path: "/api/v1/nothing-here", status: 404, check: func(t *testing.T, e *env, r response) {
		r.problem(t)
	}},
	{name: "wrong method", as: isms.RoleOwner, method: "DELETE", path: "/api/v1/orgs", status: 405, check: func(t *testing.T, e *env, r response) {
		r.problem(t)
		if r.header.Get("Allow") != "GET" {
			t.Fatalf("Allow %q", r.header.Get("Allow"))
		}
	}},

	// Organisations and membership.
	{name: "list orgs", as: isms.RoleAuditor, method: "GET", path: "/api/v1/orgs", status: 200, check: func(t *testing.T, e *env, r response) {
		items := r.items(t)
		if len(items) != 1 || items[0]["slug"] != "acme" || items[0]["role"] != "auditor" || items[0]["name"] != "Org acme" || items[0]["id"] != e.f.Org.ID {
			t.Fatalf("orgs %v", items)
		}
		if o := r.object(t); o["total"] != 1.0 || o["next_cursor"] != "" {
			t.Fatalf("envelope %v", o)
		}
	}},
	{name: "not a member", token: func(e *env) string { return e.outsider }, method: "GET", path: people, status: 404, check: func(t *testing.T, e *env, r response) {
		// The same answer as for an organisation that does not exist.
		other := e.do(t, "GET", "/api/v1/orgs/no-such-org/people", e.outsider, nil)
		if other.status != 404 || string(other.body) != string(r.body) {
			t.Fatalf("unknown org answered %d %s; non-member %s", other.status, other.body, r.body)
		}
	}},
	{name: "members", as: isms.RoleContributor, method: "GET", path: "/api/v1/orgs/acme/members?sort=role", status: 200, check: func(t *testing.T, e *env, r response) {
		items := r.items(t)
		if len(items) != 5 || items[0]["role"] != "auditor" {
			t.Fatalf("members %v", items)
		}
		for _, k := range []string{"id", "email", "name", "role", "version", "created_at", "updated_at"} {
			if _, ok := items[0][k]; !ok {
				t.Fatalf("member lacks %s: %v", k, items[0])
			}
		}
	}},
	{name: "members paged and filtered", as: isms.RoleOwner, method: "GET", path: "/api/v1/orgs/acme/members?limit=2&q=OF%20ACME", status: 200, check: func(t *testing.T, e *env, r response) {
		o := r.object(t)
		if len(r.items(t)) != 2 || o["total"] != 5.0 || o["next_cursor"] == "" {
			t.Fatalf("page %s", r.body)
		}
		next := e.do(t, "GET", "/api/v1/orgs/acme/members?limit=2&q=of%20acme&cursor="+o["next_cursor"].(string), e.tokens[isms.RoleOwner], nil)
		if next.status != 200 || len(next.items(t)) != 2 {
			t.Fatalf("next page %d %s", next.status, next.body)
		}
	}},
	{name: "staff cannot list members", as: isms.RoleStaff, method: "GET", path: "/api/v1/orgs/acme/members", status: 403},

	// People: reading.
	{name: "list people", as: isms.RoleAuditor, method: "GET", path: people, status: 200, check: func(t *testing.T, e *env, r response) {
		items := r.items(t)
		if len(items) != 2 || items[0]["name"] != "Ada Boss" || items[1]["manager_name"] != "Ada Boss" || items[1]["manager_id"] != e.boss.ID {
			t.Fatalf("people %v", items)
		}
		p := items[0]
		if p["ref"] != "P-001" || p["version"] != 1.0 || p["archived_at"] != nil || p["manager_id"] != nil || p["user_id"] != nil ||
			p["leave_date"] != nil || p["start_date"] != "2020-01-06" {
			t.Fatalf("person %v", p)
		}
		for _, k := range []string{"created_at", "updated_at"} {
			ts, _ := p[k].(string)
			if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "Z") {
				t.Fatalf("%s %q is not RFC 3339 UTC", k, ts)
			}
		}
	}},
	{name: "sort descending by start date", as: isms.RoleOwner, method: "GET", path: people + "?sort=-start_date", status: 200, check: func(t *testing.T, e *env, r response) {
		if items := r.items(t); items[0]["name"] != "Bob Worker" {
			t.Fatalf("order %v", items)
		}
	}},
	{name: "filter and search", as: isms.RoleOwner, method: "GET", path: people + "?department=Ops&q=bob", status: 200, check: func(t *testing.T, e *env, r response) {
		if items := r.items(t); len(items) != 1 || items[0]["id"] != e.worker.ID {
			t.Fatalf("filtered %v", items)
		}
	}},
	{name: "filter by manager", as: isms.RoleOwner, method: "GET", path: people + "?manager_id={boss}", status: 200, check: func(t *testing.T, e *env, r response) {
		if items := r.items(t); len(items) != 1 || items[0]["id"] != e.worker.ID {
			t.Fatalf("filtered %v", items)
		}
	}},
	{name: "limit above 500", as: isms.RoleOwner, method: "GET", path: people + "?limit=501", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.limit", "between 1 and 500")
	}},
	{name: "limit not a number", as: isms.RoleOwner, method: "GET", path: people + "?limit=lots", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.limit", "between 1 and 500")
	}},
	{name: "unknown sort", as: isms.RoleOwner, method: "GET", path: people + "?sort=salary", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.sort", "cannot be sorted")
	}},
	{name: "unknown filter", as: isms.RoleOwner, method: "GET", path: people + "?colour=red", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.colour", "does not exist")
	}},
	{name: "bad cursor", as: isms.RoleOwner, method: "GET", path: people + "?cursor=xyz", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.cursor", "page position")
	}},
	{name: "bad archived", as: isms.RoleOwner, method: "GET", path: people + "?archived=maybe", status: 422, check: func(t *testing.T, e *env, r response) {
		fieldError(t, r, "query.archived", "Choose one")
	}},
	{name: "get person", as: isms.RoleContributor, method: "GET", path: people + "/{worker}", status: 200, check: func(t *testing.T, e *env, r response) {
		p := r.object(t)
		if p["id"] != e.worker.ID || p["ref"] != "P-002" || p["email"] != "bob@acme.test" || p["manager_name"] != "Ada Boss" || p["department"] != "Ops" {
			t.Fatalf("person %v", p)
		}
	}},
	{name: "unknown person", as: isms.RoleOwner, method: "GET", path: people + "/0190f3a4-7b1c-7d2e-9f00-123456789abc", status: 404},
	{name: "staff cannot read people", as: isms.RoleStaff, method: "GET", path: people, status: 403, check: func(t *testing.T, e *env, r response) {
		if p := r.problem(t); p.Detail != "Your role does not allow this action." {
			t.Fatalf("detail %q", p.Detail)
		}
	}},

	// People: creating.
	{name: "create person", as: isms.RoleISMSManager, method: "POST", path: people,
		body:   `{"name":"Cy New","email":"CY@acme.test","job_title":"Analyst","manager_id":"{boss}","start_date":"2024-05-01","leave_date":null}`,
		status: 201, check: func(t *testing.T, e *env, r response) {
			p := r.object(t)
			id, _ := p["id"].(string)
			if r.header.Get("Location") != people+"/"+id {
				t.Fatalf("Location %q for %s", r.header.Get("Location"), id)
			}
			if p["ref"] != "P-003" || p["version"] != 1.0 || p["email"] != "cy@acme.test" || p["manager_name"] != "Ada Boss" {
				t.Fatalf("created %v", p)
			}
			got := e.person(t, id)
			if got.Name != "Cy New" || got.JobTitle != "Analyst" || got.ManagerID != e.boss.ID || got.StartDate != "2024-05-01" || got.CreatedBy != e.f.Users[isms.RoleISMSManager].ID {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "create invalid", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"  ","email":"not-an-email"}`, status: 422,
		check: func(t *testing.T, e *env, r response) {
			fieldError(t, r, "body.name", "Enter a value.")
			fieldError(t, r, "body.email", "Enter an email address like name@example.com.")
			if n := e.peopleCount(t); n != 2 {
				t.Fatalf("%d people after a refused create", n)
			}
		}},
	{name: "create without name", as: isms.RoleOwner, method: "POST", path: people, body: `{"email":"x@acme.test"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.name", "Enter a value.") }},
	{name: "create duplicate email", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"Ada Again","email":"ada@acme.test"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.email", "already has this email") }},
	{name: "create with unknown manager", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"X","manager_id":"nobody"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.manager_id", "Choose a person") }},
	{name: "create with bad date", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"X","start_date":"1 May"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.start_date", "YYYY-MM-DD") }},
	{name: "create with unknown field", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"X","nickname":"Y"}`, status: 422,
		check: func(t *testing.T, e *env, r response) {
			fieldError(t, r, "body.nickname", "does not exist")
			if n := e.peopleCount(t); n != 2 {
				t.Fatalf("%d people after a refused create", n)
			}
		}},
	{name: "create with read-only field", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":"X","ref":"P-999"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.ref", "does not exist") }},
	{name: "create with wrong type", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":42}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.name", "JSON string") }},
	{name: "create with malformed JSON", as: isms.RoleOwner, method: "POST", path: people, body: `{"name":`, status: 400,
		check: func(t *testing.T, e *env, r response) {
			fieldError(t, r, "body", "not valid JSON")
			if strings.Contains(string(r.body), `"value"`) {
				t.Fatalf("the body is echoed back: %s", r.body)
			}
		}},
	{name: "create with empty body", as: isms.RoleOwner, method: "POST", path: people, body: "", status: 400},
	{name: "create with oversized body", as: isms.RoleOwner, method: "POST", path: people,
		body: `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, status: 413,
		check: func(t *testing.T, e *env, r response) {
			r.problem(t)
			if n := e.peopleCount(t); n != 2 {
				t.Fatalf("%d people after a refused create", n)
			}
		}},
	{name: "auditor cannot create", as: isms.RoleAuditor, method: "POST", path: people, body: `{"name":"X"}`, status: 403,
		check: func(t *testing.T, e *env, r response) {
			if n := e.peopleCount(t); n != 2 {
				t.Fatalf("%d people after a refused create", n)
			}
		}},
	{name: "refused before validation", as: isms.RoleAuditor, method: "POST", path: people, body: `{"version":1}`, status: 403},
	{name: "refused before query validation", as: isms.RoleStaff, method: "GET", path: people + "?limit=9999&colour=red", status: 403},
	{name: "contributor cannot create", as: isms.RoleContributor, method: "POST", path: people, body: `{"name":"X"}`, status: 403},
	{name: "create in another organisation", token: func(e *env) string { return e.outsider }, method: "POST", path: people, body: `{"name":"X"}`, status: 404},

	// People: changing.
	{name: "patch one field", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"job_title":"Engineer"}`, status: 200,
		check: func(t *testing.T, e *env, r response) {
			p := r.object(t)
			if p["version"] != 2.0 || p["job_title"] != "Engineer" || p["email"] != "bob@acme.test" || p["manager_id"] != e.boss.ID {
				t.Fatalf("patched %v", p)
			}
			got := e.person(t, e.worker.ID)
			if got.Version != 2 || got.JobTitle != "Engineer" || got.Email != "bob@acme.test" || got.StartDate != "2023-03-01" || got.ManagerID != e.boss.ID {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "patch null clears", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"manager_id":null,"start_date":null}`, status: 200,
		check: func(t *testing.T, e *env, r response) {
			p := r.object(t)
			if p["manager_id"] != nil || p["start_date"] != nil || p["manager_name"] != "" {
				t.Fatalf("patched %v", p)
			}
			if got := e.person(t, e.worker.ID); got.ManagerID != "" || got.StartDate != "" || got.Name != "Bob Worker" {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "patch stale version", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"name":"Late"}`, status: 409,
		prepare: func(t *testing.T, e *env) []string {
			w := e.worker
			w.JobTitle = "Changed first"
			if _, err := e.db.UpdatePerson(context.Background(), e.f.Actors[isms.RoleISMSManager], w, 1); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		check: func(t *testing.T, e *env, r response) {
			if p := r.problem(t); !strings.Contains(p.Detail, "changed by Isms_manager of acme at") {
				t.Fatalf("detail %q", p.Detail)
			}
			if got := e.person(t, e.worker.ID); got.Name != "Bob Worker" || got.Version != 2 {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "patch without version", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"name":"No Version"}`, status: 422,
		check: func(t *testing.T, e *env, r response) {
			fieldError(t, r, "body.version", "version the change is based on is missing")
			if got := e.person(t, e.worker.ID); got.Name != "Bob Worker" {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "patch invalid email", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"email":"nope"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.email", "email address") }},
	{name: "patch null name", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"name":null}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.name", "Enter a value.") }},
	{name: "patch manager cycle", as: isms.RoleOwner, method: "PATCH", path: people + "/{boss}", body: `{"version":1,"manager_id":"{worker}"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.manager_id", "loop of managers") }},
	{name: "patch read-only field", as: isms.RoleOwner, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"manager_name":"X"}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.manager_name", "does not exist") }},
	{name: "contributor cannot patch", as: isms.RoleContributor, method: "PATCH", path: people + "/{worker}", body: `{"version":1,"name":"X"}`, status: 403},

	// People: archive, restore, history.
	{name: "archive and restore", as: isms.RoleOwner, method: "POST", path: people + "/{worker}/archive", body: `{"version":1}`, status: 200,
		check: func(t *testing.T, e *env, r response) {
			p := r.object(t)
			if p["archived_at"] == nil || p["version"] != 2.0 {
				t.Fatalf("archived %v", p)
			}
			if got := e.person(t, e.worker.ID); !got.Archived() {
				t.Fatal("not archived in the database")
			}
			owner := e.tokens[isms.RoleOwner]
			if items := e.do(t, "GET", people, owner, nil).items(t); len(items) != 1 {
				t.Fatalf("active list %v", items)
			}
			if items := e.do(t, "GET", people+"?archived=archived", owner, nil).items(t); len(items) != 1 || items[0]["id"] != e.worker.ID {
				t.Fatalf("archived list %v", items)
			}
			if items := e.do(t, "GET", people+"?archived=all", owner, nil).items(t); len(items) != 2 {
				t.Fatalf("all list %v", items)
			}
			again := e.do(t, "POST", people+"/"+e.worker.ID+"/archive", owner, `{"version":2}`)
			if again.status != 409 {
				t.Fatalf("archive twice: %d %s", again.status, again.body)
			}
			res := e.do(t, "POST", people+"/"+e.worker.ID+"/restore", owner, `{"version":2}`)
			if res.status != 200 || res.object(t)["archived_at"] != nil {
				t.Fatalf("restore: %d %s", res.status, res.body)
			}
			if got := e.person(t, e.worker.ID); got.Archived() || got.Version != 3 {
				t.Fatalf("stored %+v", got)
			}
		}},
	{name: "archive stale", as: isms.RoleOwner, method: "POST", path: people + "/{worker}/archive", body: `{"version":7}`, status: 409,
		check: func(t *testing.T, e *env, r response) {
			if got := e.person(t, e.worker.ID); got.Archived() {
				t.Fatal("archived by a stale request")
			}
		}},
	{name: "archive without version", as: isms.RoleOwner, method: "POST", path: people + "/{worker}/archive", body: `{}`, status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "body.version", "version") }},
	{name: "history", as: isms.RoleAuditor, method: "GET", path: people + "/{worker}/history", status: 200,
		prepare: func(t *testing.T, e *env) []string {
			w := e.worker
			w.JobTitle = "Engineer"
			if _, err := e.db.UpdatePerson(context.Background(), e.f.Owner(), w, 1); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		check: func(t *testing.T, e *env, r response) {
			items := r.items(t)
			if len(items) != 2 || items[0]["action"] != "create" || items[1]["action"] != "update" {
				t.Fatalf("history %v", items)
			}
			actor, _ := items[1]["actor"].(map[string]any)
			if actor["id"] != e.f.Users[isms.RoleOwner].ID || actor["name"] != "Owner of acme" {
				t.Fatalf("actor %v", items[1]["actor"])
			}
			changes, _ := items[1]["changes"].([]any)
			want := map[string]any{"field": "job_title", "before": "", "after": "Engineer"}
			if len(changes) != 1 || fmt.Sprint(changes[0]) != fmt.Sprint(want) {
				t.Fatalf("changes %v", changes)
			}
			if _, err := time.Parse(time.RFC3339, items[1]["at"].(string)); err != nil {
				t.Fatal(err)
			}
		}},

	// Audit log.
	{name: "audit log for the owner", as: isms.RoleOwner, method: "GET", path: "/api/v1/orgs/acme/audit-log?limit=3", status: 200,
		check: func(t *testing.T, e *env, r response) {
			items := r.items(t)
			o := r.object(t)
			if len(items) != 3 || o["total"].(float64) < 7 {
				t.Fatalf("audit log %s", r.body)
			}
			first, last := items[0], items[2]
			if first["record_type"] != "person" || first["record_id"] != e.worker.ID || first["action"] != "create" || first["actor_name"] != "Owner of acme" {
				t.Fatalf("newest entry %v", first)
			}
			after, _ := first["after"].(map[string]any)
			if after["name"] != "Bob Worker" || first["before"] != nil || first["hash"] == "" || first["prev_hash"] == "" {
				t.Fatalf("newest entry %v", first)
			}
			if o["next_cursor"] != fmt.Sprint(last["seq"]) {
				t.Fatalf("next_cursor %v, last seq %v", o["next_cursor"], last["seq"])
			}
			// Every entry exactly once, newest first, across pages.
			seen := map[float64]bool{}
			cursor, prev := "", 1e18
			for {
				page := e.do(t, "GET", "/api/v1/orgs/acme/audit-log?limit=3&cursor="+cursor, e.tokens[isms.RoleOwner], nil)
				for _, it := range page.items(t) {
					s := it["seq"].(float64)
					if seen[s] || s >= prev {
						t.Fatalf("seq %v repeated or out of order", s)
					}
					seen[s], prev = true, s
				}
				cursor = page.object(t)["next_cursor"].(string)
				if cursor == "" {
					break
				}
			}
			if len(seen) != int(o["total"].(float64)) || prev != 1 {
				t.Fatalf("walked %d entries of %v, ending at %v", len(seen), o["total"], prev)
			}
		}},
	{name: "audit log filtered", as: isms.RoleAuditor, method: "GET", path: "/api/v1/orgs/acme/audit-log?record_type=person&record_id={boss}", status: 200,
		check: func(t *testing.T, e *env, r response) {
			items := r.items(t)
			if len(items) != 1 || items[0]["record_id"] != e.boss.ID || r.object(t)["total"] != 1.0 {
				t.Fatalf("filtered %s", r.body)
			}
		}},
	{name: "audit log bad date", as: isms.RoleOwner, method: "GET", path: "/api/v1/orgs/acme/audit-log?from=yesterday", status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "query.from", "YYYY-MM-DD") }},
	{name: "audit log bad cursor", as: isms.RoleOwner, method: "GET", path: "/api/v1/orgs/acme/audit-log?cursor=abc", status: 422,
		check: func(t *testing.T, e *env, r response) { fieldError(t, r, "query.cursor", "page position") }},
	{name: "audit log refused to contributors", as: isms.RoleContributor, method: "GET", path: "/api/v1/orgs/acme/audit-log", status: 403},
}

func TestAPIScenarios(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			for _, s := range scenarios {
				t.Run(s.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, d)
					r := s.run(t, e)
					if s.check != nil {
						s.check(t, e, r)
					}
				})
			}
		})
	}
}

// TestCursorPaging walks the People register page by page, in both
// orders, and expects every person exactly once.
func TestCursorPaging(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		srv := httptest.NewServer(server.New(server.Config{}, db))
		defer srv.Close()
		e := &env{db: db, srv: srv, f: f}
		token := newToken(t, db, f.Users[isms.RoleOwner].ID)
		want := map[string]bool{}
		for i := range 23 {
			p, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: fmt.Sprintf("Person %02d", i%7), StartDate: fmt.Sprintf("2024-01-%02d", 1+i%5)})
			if err != nil {
				t.Fatal(err)
			}
			want[p.ID] = true
		}
		for _, sort := range []string{"", "-name", "start_date", "-start_date"} {
			seen := map[string]bool{}
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				r := e.do(t, "GET", fmt.Sprintf("/api/v1/orgs/acme/people?limit=5&sort=%s&cursor=%s", sort, cursor), token, nil)
				if r.status != 200 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				o := r.object(t)
				if o["total"] != 23.0 {
					t.Fatalf("total %v", o["total"])
				}
				for _, it := range r.items(t) {
					id := it["id"].(string)
					if seen[id] {
						t.Fatalf("sort %q: %s seen twice", sort, id)
					}
					seen[id] = true
				}
				cursor = o["next_cursor"].(string)
				if cursor == "" {
					break
				}
			}
			if len(seen) != len(want) {
				t.Fatalf("sort %q: saw %d of %d people", sort, len(seen), len(want))
			}
		}
	})
}

// TestOpenAPI checks the published document: OpenAPI 3.1, the people
// paths, the bearer scheme, and no page that would load a CDN.
func TestOpenAPI(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := httptest.NewServer(server.New(server.Config{Version: "1.2.3"}, db))
	defer srv.Close()
	e := &env{srv: srv}
	r := e.do(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Version     string `json:"version"`
			Description string `json:"description"`
		} `json:"info"`
		Paths      map[string]map[string]any `json:"paths"`
		Security   []map[string][]string     `json:"security"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type, Scheme string
			} `json:"securitySchemes"`
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") || doc.Info.Version != "1.2.3" {
		t.Fatalf("openapi %q version %q", doc.OpenAPI, doc.Info.Version)
	}
	for path, methods := range map[string][]string{
		"/orgs":                           {"get"},
		"/orgs/{org}/people":              {"get", "post"},
		"/orgs/{org}/people/{id}":         {"get", "patch"},
		"/orgs/{org}/people/{id}/archive": {"post"},
		"/orgs/{org}/people/{id}/restore": {"post"},
		"/orgs/{org}/people/{id}/history": {"get"},
		"/orgs/{org}/people/export.xlsx":  {"get"},
		"/orgs/{org}/members":             {"get"},
		"/orgs/{org}/audit-log":           {"get"},
	} {
		for _, m := range methods {
			if doc.Paths[path][m] == nil {
				t.Errorf("%s %s is not documented", m, path)
			}
		}
	}
	if s := doc.Components.SecuritySchemes["bearer"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Fatalf("security scheme %+v", s)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Fatalf("security %v", doc.Security)
	}
	for _, name := range []string{"Person", "PersonCreate", "PersonPatch", "Problem"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	if !strings.Contains(doc.Info.Description, "400") || !strings.Contains(doc.Info.Description, "422") {
		t.Error("the description does not explain 400 versus 422")
	}
	for _, p := range []string{"/api/v1/docs", "/api/v1/schemas/Person.json", "/api/v1/openapi.yaml"} {
		if r := e.do(t, "GET", p, "", nil); r.status != 401 && r.status != 404 {
			t.Errorf("%s answered %d", p, r.status)
		}
	}
}

// TestInternalErrorIsGeneric breaks the database under a request: the
// client sees a generic 500 and the cause is logged once.
func TestInternalErrorIsGeneric(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.db.Close()
	r := e.do(t, "GET", people, e.tokens[isms.RoleOwner], nil)
	if r.status != 500 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	p := r.problem(t)
	if !strings.HasPrefix(p.Detail, "Something went wrong on our side.") || len(p.Errors) != 0 || strings.Contains(string(r.body), "sql") {
		t.Fatalf("problem %s", r.body)
	}
	if n := strings.Count(e.log.String(), "api: internal error"); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, e.log.String())
	}
}

// TestRouteLabels checks that API requests are counted under their route
// pattern, not their path.
func TestRouteLabels(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.do(t, "GET", people+"/"+e.worker.ID, e.tokens[isms.RoleOwner], nil)
	e.do(t, "GET", "/api/v1/openapi.json", "", nil)
	m := e.do(t, "GET", "/metrics", "", nil)
	for _, want := range []string{
		`route="GET /api/v1/orgs/{org}/people/{id}",status="200"`,
		`route="GET /api/v1/openapi.json",status="200"`,
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(m.body), e.worker.ID) {
		t.Error("metrics are labelled with record ids")
	}
	// The store's statements and round trips are counted: reading a
	// person made some.
	for _, metric := range []string{"holdfast_db_statements_total", "holdfast_db_round_trips_total"} {
		re := regexp.MustCompile(metric + `\{pool="read"\} (\d+)`)
		got := re.FindStringSubmatch(string(m.body))
		if got == nil {
			t.Fatalf("metrics lack %s:\n%s", metric, m.body)
		}
		if n, _ := strconv.Atoi(got[1]); n == 0 {
			t.Errorf("nothing counted after reading a person: %s", got[0])
		}
	}
}

// A risk and a piece of evidence come through the API with what they link
// to, read together: on PostgreSQL the call is three round trips, the
// token's, the record's with its links (and a risk's actions and
// decisions), and one to name the linked controls.
func TestAPIReadsARecordWithItsLinksTogether(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			ctx := context.Background()
			owner := e.f.Owner()
			ctrls, err := e.db.Controls(ctx, owner, isms.ListQuery{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			ctrl := ctrls.Items[0]
			r, err := e.db.CreateRisk(ctx, owner, isms.Risk{Title: "Lost laptop"}, isms.Link{ToType: "control", ToID: ctrl.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.CreateAction(ctx, owner, isms.Action{Title: "Encrypt disks", ServesType: "risk", ServesID: r.ID}); err != nil {
				t.Fatal(err)
			}
			ev, err := e.db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Disk report", Kind: isms.EvidenceNote, Description: "All encrypted"}, []string{ctrl.ID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			tok := e.tokens[isms.RoleOwner]
			for _, c := range []struct {
				path, list string
			}{
				{"/api/v1/orgs/acme/risks/" + r.ID, "links"},
				{"/api/v1/orgs/acme/evidence/" + ev.ID, "controls"},
			} {
				e.do(t, "GET", c.path, tok, nil) // notes the token's use
				_, t0 := e.db.RoundTrips()
				resp := e.do(t, "GET", c.path, tok, nil)
				_, t1 := e.db.RoundTrips()
				if resp.status != 200 {
					t.Fatalf("%s: %d %s", c.path, resp.status, resp.body)
				}
				o := resp.object(t)
				linked, _ := o[c.list].([]any)
				if len(linked) != 1 || linked[0].(map[string]any)["ref"] != ctrl.Ref {
					t.Errorf("%s: %s %v", c.path, c.list, o[c.list])
				}
				if acts, ok := o["actions"]; ok && len(acts.([]any)) != 1 {
					t.Errorf("%s: actions %v", c.path, acts)
				}
				if n := t1 - t0; d == store.Postgres && n != 3 {
					t.Errorf("%s: %d round trips, want 3", c.path, n)
				}
				if resp := e.do(t, "GET", c.path+"x", tok, nil); resp.status != 404 {
					t.Errorf("%sx: %d", c.path, resp.status)
				}
			}
		})
	}
}

// An API call in an organisation is authenticated in one statement (the
// token, its user and the membership together), so reading a person is
// two; the refusals stay apart: an unknown or revoked token is
// unauthorized, an organisation the token's user is not in is not found.
func TestAPIAuthenticatesInOneStatement(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			path := "/api/v1/orgs/acme/people/" + e.worker.ID
			owner := e.tokens[isms.RoleOwner]
			if r := e.do(t, "GET", path, owner, nil); r.status != 200 { // records the token's use
				t.Fatalf("%d %s", r.status, r.body)
			}
			_, r0 := e.db.Statements()
			r := e.do(t, "GET", path, owner, nil)
			_, r1 := e.db.Statements()
			if r.status != 200 || r.object(t)["name"] != "Bob Worker" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if n := r1 - r0; n != 2 {
				t.Errorf("reading a person through the API ran %d statements, want 2", n)
			}
			for _, c := range []struct {
				name, token, path string
				status            int
			}{
				{"unknown token", "hf_unknown", path, 401},
				{"revoked token", e.revoked, path, 401},
				{"not a member", e.outsider, path, 404},
				{"no such organisation", owner, "/api/v1/orgs/nope/people/" + e.worker.ID, 404},
				{"no organisation in the path", owner, "/api/v1/orgs", 200},
			} {
				r := e.do(t, "GET", c.path, c.token, nil)
				if r.status != c.status {
					t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
				}
				if c.status == 401 && !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Errorf("%s: WWW-Authenticate %q", c.name, r.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}
