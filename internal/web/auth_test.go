package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

func TestSetup(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tok, err := db.SetupToken(ctx, func() string { return "good-token" })
		if err != nil || tok != "good-token" {
			t.Fatalf("setup token %q %v", tok, err)
		}
		e := newEnv(t, db)
		c := e.client()

		c.get("/login").expect(t, http.StatusOK, "Holdfast is not set up yet.", "link printed in the server log")
		c.get("/").redirectsTo(t, "/login")
		c.get("/setup?token=wrong").expect(t, http.StatusNotFound, "This setup link is not valid.")
		c.get("/setup").expect(t, http.StatusNotFound, "This setup link is not valid.")
		c.get("/setup?token=good-token").expect(t, http.StatusOK, `name="token" value="good-token"`, `value="UTC"`)

		good := url.Values{
			"token": {"good-token"}, "org_name": {"Northwind Lettings"}, "slug": {""}, "size_band": {"small"},
			"sector": {"Lettings"}, "time_zone": {"Europe/London"}, "owner_name": {"Anna Kowalski"},
			"email": {"Anna@Example.com"}, "password": {password}, "password_confirm": {password},
		}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for key, vs := range good {
				f[key] = vs
			}
			f.Set(k, v)
			return f
		}
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			want   []string
		}{
			{"bad token", with("token", "nope"), http.StatusNotFound, []string{"This setup link is not valid."}},
			{"missing names", with("org_name", "  "), http.StatusUnprocessableEntity, []string{"There is a problem", `<a href="#org_name">Name: Enter a value.</a>`, `value="Anna Kowalski"`}},
			{"short password", with("password", "short"), http.StatusUnprocessableEntity, []string{`href="#password"`, "Use at least 12 characters"}},
			{"passwords differ", with("password_confirm", password+"x"), http.StatusUnprocessableEntity, []string{`href="#password_confirm"`, "The two passwords do not match.", `value="Northwind Lettings"`}},
			{"bad email", with("email", "anna"), http.StatusUnprocessableEntity, []string{`href="#email"`, "Enter an email address"}},
			{"bad zone", with("time_zone", "Mars/Olympus"), http.StatusUnprocessableEntity, []string{`href="#time_zone"`, "Choose a time zone"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post("/setup", tc.form).expect(t, tc.status, tc.want...)
				if strings.Contains(r.body, password) {
					t.Fatal("the password was echoed back into the form")
				}
			})
		}
		if n, _ := db.UserCount(ctx); n != 0 {
			t.Fatalf("failed setups created %d users", n)
		}

		r := c.post("/setup", good).redirectsTo(t, "/o/northwind-lettings/")
		c.follow(r).expect(t, http.StatusOK, "Northwind Lettings is ready.", "Anna Kowalski", "Dashboard")
		u, err := db.UserByEmail(ctx, "anna@example.com")
		if err != nil {
			t.Fatalf("owner not created: %v", err)
		}
		sessions, _ := db.UserSessions(ctx, u.ID, "")
		if len(sessions) != 1 || sessions[0].IP == "" || !strings.Contains(sessions[0].UserAgent, "Go-http-client") {
			t.Fatalf("session not tagged: %+v", sessions)
		}

		c.get("/setup?token=good-token").expect(t, http.StatusOK, "Holdfast is already set up")
		e.client().post("/setup", good).expect(t, http.StatusConflict, "already been set up")
	})
}

func TestSignIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := f.Users[isms.RoleOwner]
		if err := db.SetPassword(ctx, owner.ID, passwordHash(t), ""); err != nil {
			t.Fatal(err)
		}
		c := e.client()

		// Pages behind sign-in send the visitor to sign in, remembering where.
		r := c.get("/o/acme/people?q=x")
		r.redirectsTo(t, "/login?next=")
		next, _ := url.Parse(r.location)
		if next.Query().Get("next") != "/o/acme/people?q=x" {
			t.Fatalf("next = %q", next.Query().Get("next"))
		}
		c.get("/login").lacks(t, "not set up yet")

		generic := "The email or password is not correct."
		c.post("/login", url.Values{"email": {owner.Email}, "password": {"wrong password!"}}).
			expect(t, http.StatusUnauthorized, generic, `value="`+owner.Email+`"`)
		c.post("/login", url.Values{"email": {"nobody@acme.test"}, "password": {password}}).
			expect(t, http.StatusUnauthorized, generic)

		// Signing in goes to next, but only to a local path.
		c.post("/login", url.Values{"email": {strings.ToUpper(owner.Email)}, "password": {password}, "next": {"/o/acme/people?q=x"}}).
			redirectsTo(t, "/o/acme/people?q=x")
		c.get("/o/acme/people?q=x").expect(t, http.StatusOK, "People")
		c.get("/").redirectsTo(t, "/o/acme/")
		c.get("/login?next=/o/acme/members").redirectsTo(t, "/o/acme/members")

		for _, bad := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			c2 := e.client()
			c2.post("/login", url.Values{"email": {owner.Email}, "password": {password}, "next": {bad}}).redirectsTo(t, "/")
			if r := c2.get("/"); r.location != "/o/acme/" {
				t.Fatalf("next %q: landed on %q", bad, r.location)
			}
		}

		// Signing out is a POST and ends the session.
		c.get("/logout").expect(t, http.StatusNotFound)
		c.post("/logout", nil).redirectsTo(t, "/login?signed_out=1")
		c.get("/login?signed_out=1").expect(t, http.StatusOK, "You have signed out.")
		c.get("/o/acme/").redirectsTo(t, "/login")
	})
}

func TestSignInRateLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		owner := f.Users[isms.RoleOwner]
		if err := db.SetPassword(context.Background(), owner.ID, passwordHash(t), ""); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		for i := 0; i < 5; i++ {
			c.post("/login", url.Values{"email": {owner.Email}, "password": {"guess number " + string(rune('a'+i))}}).
				expect(t, http.StatusUnauthorized, "The email or password is not correct.")
		}
		// Now even the right password is refused for this account.
		c.post("/login", url.Values{"email": {owner.Email}, "password": {password}}).
			expect(t, http.StatusTooManyRequests, "Too many failed attempts. Please wait 15 minutes and try again.")
		c.get("/o/acme/").redirectsTo(t, "/login")
		// Another account from the same address is still allowed.
		e.as(f.Users[isms.RoleAuditor]).get("/o/acme/").expect(t, http.StatusOK, "Dashboard")
	})
}

func TestChangePassword(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		u := f.Users[isms.RoleContributor]
		laptop := e.as(u)
		phone := e.as(u)
		phone.get("/o/acme/").expect(t, http.StatusOK)

		newPassword := "a new and much longer passphrase"
		for _, tc := range []struct {
			name string
			form url.Values
			want []string
		}{
			{"wrong current", url.Values{"current_password": {"nope"}, "password": {newPassword}, "password_confirm": {newPassword}}, []string{`href="#current_password"`, "Your current password is not correct."}},
			{"too short", url.Values{"current_password": {password}, "password": {"short"}, "password_confirm": {"short"}}, []string{`href="#password"`, "Use at least 12 characters"}},
			{"mismatch", url.Values{"current_password": {password}, "password": {newPassword}, "password_confirm": {"something else entirely"}}, []string{`href="#password_confirm"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				laptop.post("/account/password", tc.form).expect(t, http.StatusUnprocessableEntity, tc.want...)
			})
		}
		r := laptop.post("/account/password", url.Values{"current_password": {password}, "password": {newPassword}, "password_confirm": {newPassword}})
		laptop.follow(r.redirectsTo(t, "/account/sessions")).expect(t, http.StatusOK, "Your password has been changed", "This browser")

		// The other session is gone; this one stays.
		phone.get("/o/acme/").redirectsTo(t, "/login")
		laptop.get("/o/acme/").expect(t, http.StatusOK)
		sessions, _ := db.UserSessions(ctx, u.ID, "")
		if len(sessions) != 1 {
			t.Fatalf("%d sessions left, want 1", len(sessions))
		}
		stored, _ := db.UserByID(ctx, u.ID)
		if ok, _ := auth.CheckPassword(stored.PasswordHash, newPassword); !ok {
			t.Fatal("new password not stored")
		}
		e.client().post("/login", url.Values{"email": {u.Email}, "password": {password}}).expect(t, http.StatusUnauthorized)
		e.client().post("/login", url.Values{"email": {u.Email}, "password": {newPassword}}).redirectsTo(t, "/")
	})
}

func TestSessionsPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		u := f.Users[isms.RoleStaff]
		a, b := e.as(u), e.as(u)
		page := a.get("/account/sessions").expect(t, http.StatusOK, "This browser", "127.0.0.1", "Go-http-client")
		sessions, _ := db.UserSessions(ctx, u.ID, "")
		if len(sessions) != 2 {
			t.Fatalf("%d sessions", len(sessions))
		}
		// Revoke the session that is not a's: the one whose revoke form has no confirmation.
		var other string
		for _, s := range sessions {
			if strings.Contains(page.body, "/account/sessions/"+s.ID+"/revoke\">") {
				other = s.ID
			}
		}
		if other == "" {
			t.Fatalf("no revoke button for the other session\n%s", excerpt(page.body))
		}
		a.follow(a.post("/account/sessions/"+other+"/revoke", nil)).expect(t, http.StatusOK, "The session has been signed out.")
		b.get("/account/sessions").redirectsTo(t, "/login")
		a.post("/account/sessions/"+other+"/revoke", nil).expect(t, http.StatusNotFound)
		// Revoking the current session signs out here.
		left, _ := db.UserSessions(ctx, u.ID, "")
		a.post("/account/sessions/"+left[0].ID+"/revoke", nil).redirectsTo(t, "/login")
		a.get("/account/sessions").redirectsTo(t, "/login")
	})
}

func TestAPITokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		u := f.Users[isms.RoleISMSManager]
		c := e.as(u)
		c.get("/account/tokens").expect(t, http.StatusOK, "You have no API tokens.")
		c.post("/account/tokens", url.Values{"name": {" "}}).expect(t, http.StatusUnprocessableEntity, `href="#name"`, "Enter a value.")

		r := c.post("/account/tokens", url.Values{"name": {"Nightly export"}}).expect(t, http.StatusCreated, "Token “Nightly export” created.", "only time it is shown")
		secret := regexpFind(t, `value="(hf_[a-z0-9]+)"`, r.body)
		if _, _, _, err := db.TokenActor(ctx, auth.HashToken(secret), ""); err != nil {
			t.Fatalf("shown secret does not authenticate: %v", err)
		}
		list := c.get("/account/tokens").expect(t, http.StatusOK, "Nightly export", secret[:9]+"…", "Active")
		list.lacks(t, secret)

		toks, _ := db.Tokens(ctx, u.ID)
		if len(toks) != 1 {
			t.Fatalf("%d tokens", len(toks))
		}
		// Another user cannot revoke it.
		e.as(f.Users[isms.RoleOwner]).post("/account/tokens/"+toks[0].ID+"/revoke", nil).expect(t, http.StatusNotFound)
		c.follow(c.post("/account/tokens/"+toks[0].ID+"/revoke", nil)).expect(t, http.StatusOK, "The token has been revoked.", "Revoked")
		if _, _, _, err := db.TokenActor(ctx, auth.HashToken(secret), ""); err == nil {
			t.Fatal("revoked token still authenticates")
		}
	})
}
