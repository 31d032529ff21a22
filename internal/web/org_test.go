package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		beta := storetest.Seed(t, db, "beta")
		owner := f.Owner()
		c := e.as(f.Users[isms.RoleOwner])
		c.get("/o/acme/members").expect(t, http.StatusOK, "Owner of acme", "auditor@acme.test", "Add member",
			"Keeps the risks, controls and actions assigned to them up to date.") // role descriptions

		for _, tc := range []struct {
			name string
			form url.Values
			want []string
		}{
			{"new account needs a password", url.Values{"email": {"new@acme.test"}, "name": {"New Person"}, "role": {"staff"}}, []string{`href="#password"`, "Enter a value.", `value="new@acme.test"`}},
			{"short password", url.Values{"email": {"new@acme.test"}, "name": {"New Person"}, "role": {"staff"}, "password": {"short"}}, []string{`href="#password"`, "Use at least 12 characters"}},
			{"bad email", url.Values{"email": {"new"}, "role": {"staff"}}, []string{`href="#email"`}},
			{"unknown role", url.Values{"email": {"new@acme.test"}, "role": {"king"}}, []string{`href="#role"`}},
			{"already a member", url.Values{"email": {"auditor@acme.test"}, "role": {"staff"}}, []string{"already a member"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.post("/o/acme/members", tc.form).expect(t, http.StatusUnprocessableEntity, tc.want...)
			})
		}

		r := c.post("/o/acme/members", url.Values{"email": {"New@Acme.test"}, "name": {"New Person"}, "role": {"contributor"}, "password": {password}})
		c.follow(r.redirectsTo(t, "/o/acme/members")).expect(t, http.StatusOK, "An account was created for New Person", "Contributor", "new@acme.test")
		e.client().post("/login", url.Values{"email": {"new@acme.test"}, "password": {password}}).redirectsTo(t, "/")

		// An existing account (a consultant from another firm) needs no password.
		r = c.post("/o/acme/members", url.Values{"email": {beta.Users[isms.RoleOwner].Email}, "role": {"auditor"}})
		c.follow(r).expect(t, http.StatusOK, "Owner of beta is now a member with the role Auditor.")

		members, _ := db.Members(ctx, owner)
		version := map[string]int{}
		for _, m := range members {
			version[m.UserID] = m.Version
		}
		contributor := f.Users[isms.RoleContributor].ID
		r = c.post("/o/acme/members/"+contributor+"/role", url.Values{"role": {"auditor"}, "version": {strconv.Itoa(version[contributor])}})
		c.follow(r).expect(t, http.StatusOK, "The role was changed to Auditor.")
		if a, _, _ := db.ActorFor(ctx, contributor, "acme"); a.Role != isms.RoleAuditor {
			t.Fatalf("role %s", a.Role)
		}
		c.post("/o/acme/members/"+contributor+"/role", url.Values{"role": {"staff"}, "version": {strconv.Itoa(version[contributor])}}).
			expect(t, http.StatusConflict, "This membership was changed after you opened it.")

		// The last owner can neither step down nor leave.
		c.post("/o/acme/members/"+owner.UserID+"/role", url.Values{"role": {"staff"}, "version": {strconv.Itoa(version[owner.UserID])}}).
			expect(t, http.StatusUnprocessableEntity, "An organisation needs at least one owner.")
		c.post("/o/acme/members/"+owner.UserID+"/remove", nil).expect(t, http.StatusUnprocessableEntity, "An organisation needs at least one owner.")

		staff := f.Users[isms.RoleStaff].ID
		c.follow(c.post("/o/acme/members/"+staff+"/remove", nil)).expect(t, http.StatusOK, "The member has been removed.").lacks(t, "staff@acme.test")
		if _, _, err := db.ActorFor(ctx, staff, "acme"); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("still a member: %v", err)
		}
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/").expect(t, http.StatusNotFound)

		// Only owners manage members; staff may not even list them.
		mgr := e.as(f.Users[isms.RoleISMSManager])
		mgr.get("/o/acme/members").expect(t, http.StatusOK, "Owner of acme").lacks(t, "Add member", "/remove")
		mgr.post("/o/acme/members", url.Values{"email": {"x@acme.test"}, "role": {"owner"}, "password": {password}}).expect(t, http.StatusForbidden)
		mgr.post("/o/acme/members/"+contributor+"/remove", nil).expect(t, http.StatusForbidden)
	})
}

func TestSettings(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		c := e.as(f.Users[isms.RoleOwner])
		c.get("/o/acme/settings").expect(t, http.StatusOK, `name="version" value="1"`, `value="Org acme"`, `value="Europe/London"`)
		form := url.Values{"version": {"1"}, "name": {"Acme Lettings"}, "slug": {"acme"}, "size_band": {"medium"}, "sector": {"Lettings"},
			"countries": {"United Kingdom"}, "sites": {"Bristol office"}, "time_zone": {"Asia/Tokyo"}, "date_format": {"2006-01-02"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("slug", "Not A Slug")
		bad.Set("time_zone", "Nowhere/Special")
		c.post("/o/acme/settings", bad).expect(t, http.StatusUnprocessableEntity, `href="#slug"`, `href="#time_zone"`, `value="Acme Lettings"`)

		c.follow(c.post("/o/acme/settings", form).redirectsTo(t, "/o/acme/settings")).expect(t, http.StatusOK, "The organisation profile has been saved.", `value="Asia/Tokyo"`)
		o, _ := db.Org(ctx, f.Owner())
		if o.Name != "Acme Lettings" || o.TimeZone != "Asia/Tokyo" || o.Version != 2 {
			t.Fatalf("stored %+v", o)
		}
		c.post("/o/acme/settings", form).expect(t, http.StatusConflict, "changed at")

		// A new short name moves the organisation's pages.
		form.Set("version", "2")
		form.Set("slug", "acme-lettings")
		c.post("/o/acme/settings", form).redirectsTo(t, "/o/acme-lettings/settings")
		c.get("/o/acme/").expect(t, http.StatusNotFound)

		aud := e.as(f.Users[isms.RoleAuditor])
		aud.get("/o/acme-lettings/settings").expect(t, http.StatusOK, "Only owners can change the organisation profile.", "Asia/Tokyo").lacks(t, `name="version"`)
		aud.post("/o/acme-lettings/settings", form).expect(t, http.StatusForbidden)
	})
}

func TestOrganisations(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		c := e.as(f.Users[isms.RoleStaff])
		c.get("/orgs/new").expect(t, http.StatusOK, "Create an organisation")
		c.post("/orgs/new", url.Values{"name": {""}, "slug": {""}, "size_band": {"small"}, "time_zone": {"UTC"}, "date_format": {"02 Jan 2006"}}).
			expect(t, http.StatusUnprocessableEntity, `href="#name"`)
		c.post("/orgs/new", url.Values{"name": {"Acme"}, "slug": {"acme"}, "size_band": {"small"}, "time_zone": {"UTC"}, "date_format": {"02 Jan 2006"}}).
			expect(t, http.StatusUnprocessableEntity, "Another organisation already uses this short name.")
		r := c.post("/orgs/new", url.Values{"name": {"Harbour Bookkeeping"}, "slug": {""}, "size_band": {"micro"}, "time_zone": {"UTC"}, "date_format": {"02 Jan 2006"}})
		c.follow(r.redirectsTo(t, "/o/harbour-bookkeeping/")).expect(t, http.StatusOK, "Harbour Bookkeeping has been created and you are its owner.",
			`<option value="acme">Org acme</option>`, `<option value="harbour-bookkeeping" selected>`)
		c.get("/o/harbour-bookkeeping/members").expect(t, http.StatusOK, "Add member") // its owner

		c.follow(c.get("/orgs/switch?org=acme").redirectsTo(t, "/o/acme/"))
		c.get("/").redirectsTo(t, "/o/acme/") // the last organisation visited
		c.get("/orgs/switch?org=elsewhere").expect(t, http.StatusNotFound)
	})
}

func TestAuditLog(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		p, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: "Claire Dubois", JobTitle: "Clerk"})
		if err != nil {
			t.Fatal(err)
		}
		p.JobTitle = "Head clerk"
		if _, err := db.UpdatePerson(ctx, f.Owner(), p, 1); err != nil {
			t.Fatal(err)
		}
		for _, role := range []isms.Role{isms.RoleOwner, isms.RoleAuditor} {
			c := e.as(f.Users[role])
			page := c.get("/o/acme/audit").expect(t, http.StatusOK, "Entries cannot be edited or deleted.", "Claire Dubois", "Job title", "Owner of acme", "Membership")
			c.get("/o/acme/audit?type=person").expect(t, http.StatusOK, "Claire Dubois").lacks(t, "<td>Membership</td>")
			c.get("/o/acme/audit?type=person&action=update").expect(t, http.StatusOK, "Changed", "Job title").lacks(t, "<td>Created</td>")
			c.get("/o/acme/audit?from=yesterday").expect(t, http.StatusUnprocessableEntity, "Enter a date as YYYY-MM-DD.")
			seq := regexpFind(t, `/o/acme/audit/(\d+)" aria-label="Audit log entry #\d+">#\d+</a></td>\s*<td><time[^>]*>[^<]*</time></td>\s*<td>Owner of acme</td>\s*<td>Changed</td>`, page.body)
			c.get("/o/acme/audit/"+seq).expect(t, http.StatusOK, "<del>Clerk</del>", "<ins>Head clerk</ins>", "Fingerprint", `href="/o/acme/people/`+p.ID+`"`)
			c.get("/o/acme/audit/99999").expect(t, http.StatusNotFound)
		}
		for _, role := range []isms.Role{isms.RoleContributor, isms.RoleStaff, isms.RoleISMSManager} {
			c := e.as(f.Users[role])
			c.get("/o/acme/audit").expect(t, http.StatusForbidden)
			c.get("/o/acme/audit/1").expect(t, http.StatusForbidden)
			c.get("/o/acme/").lacks(t, `href="/o/acme/audit"`)
		}
	})
}

// TestAccess walks who may open which page, including other
// organisations' pages, which do not exist for outsiders.
func TestAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		beta := storetest.Seed(t, db, "beta")
		betaPerson, err := db.CreatePerson(ctx, beta.Owner(), isms.Person{Name: "Beta Secret"})
		if err != nil {
			t.Fatal(err)
		}
		pages := []string{"/o/acme/", "/o/acme/people", "/o/acme/people/new", "/o/acme/members", "/o/acme/settings", "/o/acme/audit",
			"/o/acme/areas/4", "/o/acme/controls", "/o/acme/search?q=x"}
		want := map[isms.Role][]int{
			isms.RoleOwner:       {200, 200, 200, 200, 200, 200, 200, 200, 200},
			isms.RoleISMSManager: {200, 200, 200, 200, 200, 403, 200, 200, 200},
			isms.RoleContributor: {200, 200, 403, 200, 200, 403, 200, 200, 200},
			isms.RoleAuditor:     {200, 200, 403, 200, 200, 200, 200, 200, 200},
			isms.RoleStaff:       {200, 403, 403, 403, 200, 403, 200, 403, 403},
		}
		for _, role := range isms.Roles {
			c := e.as(f.Users[role])
			for i, p := range pages {
				if r := c.get(p); r.status != want[role][i] {
					t.Errorf("%s GET %s: %d, want %d", role, p, r.status, want[role][i])
				}
			}
		}
		outsider := e.as(beta.Users[isms.RoleOwner])
		for _, p := range pages {
			outsider.get(p).expect(t, http.StatusNotFound, "That organisation does not exist or you are not a member of it.")
		}
		outsider.post("/o/acme/people/new", personForm("name", "Intruder")).expect(t, http.StatusNotFound)
		// Another organisation's record under one's own organisation's address.
		e.as(f.Users[isms.RoleOwner]).get("/o/acme/people/"+betaPerson.ID).expect(t, http.StatusNotFound).lacks(t, "Beta Secret")

		anon := e.client()
		for _, p := range append(pages, "/account/password", "/account/tokens", "/orgs/new") {
			anon.get(p).redirectsTo(t, "/login?next=")
		}
		anon.post("/o/acme/people/new", personForm("name", "x")).redirectsTo(t, "/login")
		anon.get("/o/acme/people", "HX-Request", "true", "HX-Target", "results").expect(t, http.StatusUnauthorized)
	})
}

func TestAreasAndControls(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		c := e.as(f.Users[isms.RoleContributor])
		for _, tc := range []struct{ id, title string }{
			{"4", "Context of the organization (clause 4)"}, {"5", "Leadership (clause 5)"}, {"6", "Planning (clause 6)"},
			{"7", "Support (clause 7)"}, {"8", "Operation (clause 8)"}, {"9", "Performance evaluation (clause 9)"}, {"10", "Improvement (clause 10)"},
		} {
			c.get("/o/acme/areas/"+tc.id).expect(t, http.StatusOK, "<h1 class=\"page-title\">"+tc.title+"</h1>", `aria-current="page"`).lacks(t, "web.area")
		}
		c.get("/o/acme/areas/7").expect(t, http.StatusOK, "Staff directory used by competence and awareness records", `href="/o/acme/people"`, "Evidence of competence")
		c.get("/o/acme/areas/4").expect(t, http.StatusOK, "4.3", "ISMS scope", "Not in Holdfast yet")
		// Planning and operation name the risk and SoA registers that serve them.
		c.get("/o/acme/areas/6").expect(t, http.StatusOK, `href="/o/acme/risks/criteria"`, `href="/o/acme/soa"`, `href="/o/acme/risks/plan"`)
		c.get("/o/acme/areas/8").expect(t, http.StatusOK, `href="/o/acme/assessments"`, "Assessment runs with frozen results")
		// Staff see what serves a clause but get no links to registers they cannot open.
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/areas/6").expect(t, http.StatusOK, "Risk criteria").lacks(t, `href="/o/acme/risks/criteria"`)
		c.get("/o/acme/areas/11").expect(t, http.StatusNotFound)
		c.get("/o/acme/areas/4.1").expect(t, http.StatusNotFound)

		// The controls register (internal/web/controls.go) lists the organisation's 93 Annex A controls.
		r := c.get("/o/acme/controls").expect(t, http.StatusOK, "Organisational", "Technological", "Threat intelligence", "Preventive", "Confidentiality")
		if n := strings.Count(r.body, `<td><a class="ref" href="/o/acme/controls/`); n != 93 {
			t.Fatalf("%d controls listed, want 93", n)
		}
	})
}

func TestDashboard(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		if _, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: "Claire Dubois", UserID: f.Users[isms.RoleStaff].ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: "Tunde Adebayo"}); err != nil {
			t.Fatal(err)
		}
		e.as(f.Users[isms.RoleOwner]).get("/o/acme/").expect(t, http.StatusOK,
			`<p class="card-figure">2</p>`, "1 without a user account", `<p class="card-figure">5</p>`,
			"Recent changes", "Tunde Adebayo", "Getting started", "Complete the organisation profile")
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/").expect(t, http.StatusOK, "Welcome").
			lacks(t, "Recent changes", "card-figure", "Getting started")
	})
}

func TestStaticAndErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()
		page := c.get("/login").expect(t, http.StatusOK, `<meta name="htmx-config"`, `defer></script>`)
		if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("CSP %q", csp)
		}
		if page.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("pages must not be cached: %q", page.header.Get("Cache-Control"))
		}
		css := regexpFind(t, `href="(/static/css/app\.css\?v=[0-9a-f]+)"`, page.body)
		r := c.get(css)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Fatalf("%s: %d %v", css, r.status, r.header)
		}
		c.get("/static/js/htmx.min.js").expect(t, http.StatusOK)
		c.get("/static/css/").expect(t, http.StatusNotFound)
		c.get("/static/nope.css").expect(t, http.StatusNotFound)
		if r := c.get("/favicon.ico"); r.status != http.StatusMovedPermanently || !strings.HasPrefix(r.location, "/static/img/favicon.svg") {
			t.Fatalf("favicon: %d %s", r.status, r.location)
		}
		c.get("/no/such/page").expect(t, http.StatusNotFound, "There is no page at this address.", "<h1>Page not found</h1>")
	})
}

// TestConcurrentRendering renders pages of organisations in different time
// zones at once: the templates bound per zone are shared between requests.
func TestConcurrentRendering(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		o := f.Org
		o.TimeZone, o.DateFormat = "Asia/Tokyo", "2006-01-02"
		if _, err := db.UpdateOrg(ctx, f.Owner(), o, o.Version); err != nil {
			t.Fatal(err)
		}
		beta := storetest.Seed(t, db, "beta")
		a, b := e.as(f.Users[isms.RoleOwner]), e.as(beta.Users[isms.RoleOwner])
		done := make(chan struct{})
		for i := 0; i < 8; i++ {
			go func(i int) {
				defer func() { done <- struct{}{} }()
				c, slug := a, "acme"
				if i%2 == 1 {
					c, slug = b, "beta"
				}
				for _, p := range []string{"/", "/audit", "/members", "/settings"} {
					if r := c.get("/o/" + slug + p); r.status != http.StatusOK {
						t.Errorf("%s%s: %d", slug, p, r.status)
					}
				}
			}(i)
		}
		for i := 0; i < 8; i++ {
			<-done
		}
		// Each organisation's dates come out in its own format.
		a.get("/o/acme/members").expect(t, http.StatusOK, time.Now().In(mustZone(t, "Asia/Tokyo")).Format("2006-01-02"))
		b.get("/o/beta/members").expect(t, http.StatusOK, time.Now().In(mustZone(t, "Europe/London")).Format("02 Jan 2006"))
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
