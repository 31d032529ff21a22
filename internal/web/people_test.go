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

// personForm is a complete person form with overrides.
func personForm(kv ...string) url.Values {
	f := url.Values{}
	for _, k := range []string{"name", "email", "job_title", "department", "manager_id", "start_date", "leave_date", "user_id"} {
		f.Set(k, "")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestPeopleEditing(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		mgr := f.Actors[isms.RoleISMSManager]
		c := e.as(f.Users[isms.RoleISMSManager])

		c.get("/o/acme/people").expect(t, http.StatusOK, "No people recorded yet", "Add your first person")
		c.get("/o/acme/people/new").expect(t, http.StatusOK, "Add a person", `<option value="`+f.Users[isms.RoleStaff].ID+`">Staff of acme (staff@acme.test)</option>`)

		// Problems come back next to their fields, with the input kept.
		for _, tc := range []struct {
			name string
			form url.Values
			want []string
		}{
			{"several problems", personForm("email", "not-an-email", "job_title", "Clerk", "start_date", "2024-02-30"),
				[]string{"There is a problem", `href="#name"`, `href="#email"`, `href="#start_date"`, `value="not-an-email"`, `value="Clerk"`, `aria-invalid="true"`, `id="email-error"`}},
			{"unknown manager", personForm("name", "Ann", "manager_id", "no-such-person"),
				[]string{`href="#manager_id"`, "Choose a person from this organisation", `value="Ann"`}},
			{"leaves before starting", personForm("name", "Ann", "start_date", "2024-05-01", "leave_date", "2024-04-01"),
				[]string{`href="#leave_date"`, "The leaving date must be on or after the start date."}},
			{"account of an outsider", personForm("name", "Ann", "user_id", "not-a-member"),
				[]string{`href="#user_id"`, "Choose a user who is a member of this organisation."}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.post("/o/acme/people/new", tc.form).expect(t, http.StatusUnprocessableEntity, tc.want...)
			})
		}
		if page, _ := db.People(ctx, mgr, isms.ListQuery{}); page.Total != 0 {
			t.Fatalf("invalid forms created %d people", page.Total)
		}

		r := c.post("/o/acme/people/new", personForm("name", "Claire Dubois", "email", "Claire@Acme.test", "job_title", "Head of lettings",
			"department", "Lettings", "start_date", "2021-09-06"))
		r.redirectsTo(t, "/o/acme/people/")
		claire := strings.TrimPrefix(r.location, "/o/acme/people/")
		c.follow(r).expect(t, http.StatusOK, "Claire Dubois has been added to People.", "P-001", "claire@acme.test", "Head of lettings", "06 Sep 2021")

		staff := f.Users[isms.RoleStaff]
		r = c.post("/o/acme/people/new", personForm("name", "Tunde Adebayo", "job_title", "Negotiator", "department", "Lettings",
			"manager_id", claire, "user_id", staff.ID))
		tunde := strings.TrimPrefix(r.redirectsTo(t, "/o/acme/people/").location, "/o/acme/people/")
		c.get("/o/acme/people/"+tunde).expect(t, http.StatusOK, `href="/o/acme/people/`+claire+`">Claire Dubois</a>`, "Staff of acme", "staff@acme.test")
		c.get("/o/acme/people/"+claire).expect(t, http.StatusOK, "Direct reports", ">Tunde Adebayo</a>")

		// Edit: the form carries the version it was read at.
		c.get("/o/acme/people/"+tunde+"/edit").expect(t, http.StatusOK, `name="version" value="1"`, `value="Tunde Adebayo"`, `value="Negotiator"`,
			`<option value="`+claire+`" selected>`)
		edit := personForm("name", "Tunde Adebayo", "job_title", "Lettings team lead", "department", "Lettings", "user_id", staff.ID, "version", "1")
		r = c.post("/o/acme/people/"+tunde+"/edit", edit)
		c.follow(r.redirectsTo(t, "/o/acme/people/"+tunde)).expect(t, http.StatusOK,
			"Changes to Tunde Adebayo have been saved.", "Lettings team lead",
			"<del>Negotiator</del>", "<ins>Lettings team lead</ins>", // job title diff
			"<del>P-001 Claire Dubois</del>", // manager removed, shown by name
			"Isms_manager of acme")
		p, _ := db.Person(ctx, mgr, tunde)
		if p.JobTitle != "Lettings team lead" || p.ManagerID != "" || p.Version != 2 {
			t.Fatalf("stored %+v", p)
		}

		// A second save based on version 1 is a conflict, not an overwrite.
		edit.Set("job_title", "Branch manager")
		c.post("/o/acme/people/"+tunde+"/edit", edit).expect(t, http.StatusConflict,
			"This record was changed by Isms_manager of acme", `value="Branch manager"`, `name="version" value="1"`)
		if p, _ := db.Person(ctx, mgr, tunde); p.JobTitle != "Lettings team lead" {
			t.Fatalf("stale save overwrote: %q", p.JobTitle)
		}
		c.post("/o/acme/people/"+tunde+"/edit", personForm("name", "", "version", "2")).expect(t, http.StatusUnprocessableEntity, `href="#name"`)

		// Archive and restore, each at the current version.
		c.post("/o/acme/people/"+tunde+"/archive", url.Values{"version": {"1"}}).expect(t, http.StatusConflict, "This record was changed by")
		r = c.post("/o/acme/people/"+tunde+"/archive", url.Values{"version": {"2"}})
		c.follow(r).expect(t, http.StatusOK, "Tunde Adebayo has been archived.", "Restore")
		if p, _ := db.Person(ctx, mgr, tunde); !p.Archived() {
			t.Fatal("not archived")
		}
		c.get("/o/acme/people").lacks(t, "Tunde Adebayo")
		c.get("/o/acme/people?archived=archived").expect(t, http.StatusOK, "Tunde Adebayo", "1 person")
		c.follow(c.post("/o/acme/people/"+tunde+"/restore", url.Values{"version": {"3"}})).expect(t, http.StatusOK, "Tunde Adebayo has been restored.")
		if p, _ := db.Person(ctx, mgr, tunde); p.Archived() {
			t.Fatal("not restored")
		}
		c.get("/o/acme/people/"+tunde).expect(t, http.StatusOK, "Archived", "Restored", "<ins>Yes</ins>", "<ins>No</ins>")

		// Roles: the auditor reads but may not change; staff may not read.
		auditor := e.as(f.Users[isms.RoleAuditor])
		auditor.get("/o/acme/people/"+tunde).expect(t, http.StatusOK, "Tunde Adebayo").lacks(t, "/edit\"", "Archive</button>")
		auditor.get("/o/acme/people/new").expect(t, http.StatusForbidden, "Your role does not allow this action.")
		auditor.post("/o/acme/people/new", personForm("name", "Sneaky")).expect(t, http.StatusForbidden)
		auditor.post("/o/acme/people/"+tunde+"/archive", url.Values{"version": {"4"}}).expect(t, http.StatusForbidden)
		e.as(staff).get("/o/acme/people").expect(t, http.StatusForbidden)
		c.get("/o/acme/people/no-such-id").expect(t, http.StatusNotFound)
	})
}

func TestPeopleList(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		for i := 1; i <= 60; i++ {
			p := isms.Person{Name: fmt.Sprintf("Person %02d", i), Department: []string{"Sales", "Ops"}[i%2], StartDate: "2024-01-15"}
			if i == 7 {
				p.UserID = f.Users[isms.RoleStaff].ID
			}
			if _, err := db.CreatePerson(ctx, owner, p); err != nil {
				t.Fatal(err)
			}
		}
		c := e.as(f.Users[isms.RoleAuditor])

		first := c.get("/o/acme/people").expect(t, http.StatusOK, "60 people", "Showing 50 of 60", "Person 01", "Person 50",
			`aria-sort="ascending"`, `rel="next"`, "15 Jan 2024")
		first.lacks(t, "Person 51", `rel="prev"`, "Add person") // the auditor may not add
		next := html.UnescapeString(regexpFind(t, `href="([^"]+)" rel="next"`, first.body))
		second := c.get(next).expect(t, http.StatusOK, "Person 51", "Person 60", "Showing 10 of 60", `rel="prev"`)
		second.lacks(t, "Person 50<", `rel="next"`)
		prev := html.UnescapeString(regexpFind(t, `href="([^"]+)" rel="prev"`, second.body))
		c.get(prev).expect(t, http.StatusOK, "Person 01", "Person 50").lacks(t, "Person 51")

		desc := c.get("/o/acme/people?sort=-name").expect(t, http.StatusOK, `aria-sort="descending"`)
		if strings.Index(desc.body, "Person 60") > strings.Index(desc.body, "Person 59") || strings.Contains(desc.body, ">Person 01<") {
			t.Fatal("not sorted by name descending")
		}
		c.get("/o/acme/people?sort=bogus").expect(t, http.StatusOK, "Person 01") // unknown sorts fall back

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"q=person+07", []string{"1 person", "Person 07", "Search: person 07"}},
			{"q=P-012", []string{"1 person", "Person 12"}},
			{"department=Sales", []string{"30 people", "Department: Sales"}},
			{"account=none", []string{"59 people", "Without a user account"}},
			{"q=nobody", []string{"0 people", "No people match"}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				c.get("/o/acme/people?"+tc.query).expect(t, http.StatusOK, tc.want...)
			})
		}

		// htmx asks for just the results region.
		frag := c.get("/o/acme/people?department=Ops&sort=-start_date", "HX-Request", "true", "HX-Target", "results")
		frag.expect(t, http.StatusOK, "30 people", `hx-swap-oob="true"`, `value="-start_date"`).lacks(t, "<html", "<nav class=\"nav\"")

		// Export honours the filters.
		x := c.get("/o/acme/people/export.xlsx?department=Sales")
		if x.status != http.StatusOK || !strings.HasPrefix(x.body, "PK") || !strings.Contains(x.header.Get("Content-Disposition"), "acme-people-") {
			t.Fatalf("export: %d %q %v", x.status, x.header.Get("Content-Type"), x.header)
		}

		// Global search covers People and says so.
		c.get("/o/acme/search?q=Person+33").expect(t, http.StatusOK, "Searched the active records of: People, Risks", "P-033", "1 match")
		c.get("/o/acme/search?q=zzz").expect(t, http.StatusOK, "Nothing matches “zzz”.")
		// … and the other registers: an action and an Annex A control by title.
		if _, err := db.CreateAction(context.Background(), f.Owner(), isms.Action{Title: "Rotate the backup keys"}); err != nil {
			t.Fatal(err)
		}
		c.get("/o/acme/search?q=backup").expect(t, http.StatusOK, "Rotate the backup keys", `href="/o/acme/actions/`, "Information backup")
	})
}

// TestPeopleManagerByReference covers large directories, where the manager
// is typed as a reference instead of chosen from a select.
func TestPeopleManagerByReference(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := f.Owner()
		for i := 1; i <= isms.MaxLimit+1; i++ {
			if _, err := db.CreatePerson(ctx, owner, isms.Person{Name: fmt.Sprintf("Person %03d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		c := e.as(f.Users[isms.RoleOwner])
		c.get("/o/acme/people/new").expect(t, http.StatusOK, `name="manager_ref"`, `id="manager_id"`, `list="manager-refs"`, `<option value="P-003">Person 003</option>`)
		c.post("/o/acme/people/new", url.Values{"name": {""}, "manager_ref": {"P-999"}}).
			expect(t, http.StatusUnprocessableEntity, `href="#manager_id"`, "Manager: Choose a person from this organisation", `href="#name"`, `value="P-999"`)
		r := c.post("/o/acme/people/new", url.Values{"name": {"Newcomer"}, "manager_ref": {"p-003"}})
		id := strings.TrimPrefix(r.redirectsTo(t, "/o/acme/people/").location, "/o/acme/people/")
		p, _ := db.Person(ctx, owner, id)
		if p.ManagerName != "Person 003" {
			t.Fatalf("manager %q", p.ManagerName)
		}
		c.get("/o/acme/people/"+id+"/edit").expect(t, http.StatusOK, `name="manager_ref"`, `value="P-003"`)
	})
}
