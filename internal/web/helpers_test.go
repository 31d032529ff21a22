package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/server"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// password is every test user's password once signIn has set it.
const password = "correct horse battery staple"

var (
	hashOnce sync.Once
	hash     string
)

// passwordHash hashes password once per test binary (argon2id is slow on
// purpose).
func passwordHash(t testing.TB) string {
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(password); err != nil {
			t.Fatal(err)
		}
	})
	return hash
}

// env is a running Holdfast (the complete handler the binary serves) on a
// real database.
type env struct {
	t     *testing.T
	db    *store.DB
	srv   *httptest.Server
	pwSet map[string]bool // users whose password as has set
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	srv := httptest.NewServer(server.New(server.Config{Version: "test"}, db))
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, pwSet: map[string]bool{}}
}

// seeded starts a server on a database holding organisation slug with one
// member of every role.
func seeded(t *testing.T, db *store.DB, slug string) (*env, storetest.Fixture) {
	t.Helper()
	f := storetest.Seed(t, db, slug)
	return newEnv(t, db), f
}

// client is one browser: its own cookie jar, redirects not followed so
// that tests see them.
type client struct {
	e  *env
	hc *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// as returns a client signed in as u. The first time, u's password is set
// (which signs out u's other sessions).
func (e *env) as(u isms.User) *client {
	e.t.Helper()
	if !e.pwSet[u.ID] {
		if err := e.db.SetPassword(context.Background(), u.ID, passwordHash(e.t), ""); err != nil {
			e.t.Fatal(err)
		}
		e.pwSet[u.ID] = true
	}
	c := e.client()
	r := c.post("/login", url.Values{"email": {u.Email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: status %d\n%s", u.Email, r.status, r.body)
	}
	return c
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.e.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

func (c *client) get(path string, headers ...string) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// follow fetches the target of a redirect.
func (c *client) follow(r response) response {
	c.e.t.Helper()
	if r.status < 300 || r.status > 399 || r.location == "" {
		c.e.t.Fatalf("expected a redirect, got %d\n%s", r.status, r.body)
	}
	return c.get(r.location)
}

// expect checks the status and that the body contains every want text.
func (r response) expect(t *testing.T, status int, want ...string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, excerpt(r.body))
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Fatalf("body lacks %q\n%s", w, excerpt(r.body))
		}
	}
	return r
}

// lacks checks that the body contains none of the texts.
func (r response) lacks(t *testing.T, texts ...string) response {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.body, s) {
			t.Fatalf("body contains %q\n%s", s, excerpt(r.body))
		}
	}
	return r
}

// redirectsTo checks for a 303 to a location starting with prefix.
func (r response) redirectsTo(t *testing.T, prefix string) response {
	t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, prefix) {
		t.Fatalf("got %d to %q, want 303 to %s…\n%s", r.status, r.location, prefix, excerpt(r.body))
	}
	return r
}

var mainRE = regexp.MustCompile(`(?s)<main.*</main>`)

// excerpt shortens a page to its main content for failure messages.
func excerpt(body string) string {
	if m := mainRE.FindString(body); m != "" {
		body = m
	}
	if len(body) > 4000 {
		body = body[:4000] + "…"
	}
	return body
}

// forEachDB runs fn on SQLite and, when configured, PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Parallel()
	storetest.ForEachDB(t, fn)
}

// regexpFind returns the first submatch of pattern in s.
func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no match for %s\n%s", pattern, excerpt(s))
	}
	return m[1]
}
