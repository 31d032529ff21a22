package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/httpx"
)

// routes returns the web UI's complete route table. Static files are
// served outside the session middleware (they need no session, and loading
// one would cost a database read per file); everything else runs inside it.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, need access, h handler) {
		mux.Handle(pattern, a.serve(pattern, need, h))
	}
	pub := func(pattern string, h handler) { route(pattern, public, h) }
	user := func(pattern string, h handler) { route(pattern, signedIn, h) }
	org := func(pattern string, h handler) { route(pattern, member, h) }

	// Signing in and first-run setup.
	pub("GET /{$}", a.home)
	pub("GET /login", a.loginPage)
	pub("POST /login", a.login)
	pub("POST /logout", a.logout)
	pub("GET /setup", a.setupPage)
	pub("POST /setup", a.setup)

	// Organisations.
	user("GET /orgs/switch", a.switchOrg)
	user("GET /orgs/new", a.newOrgPage)
	user("POST /orgs/new", a.createOrg)

	// The user's account.
	user("GET /account/password", a.passwordPage)
	user("POST /account/password", a.changePassword)
	user("GET /account/sessions", a.sessionsPage)
	user("POST /account/sessions/{id}/revoke", a.revokeSession)
	user("GET /account/tokens", a.tokensPage)
	user("POST /account/tokens", a.createToken)
	user("POST /account/tokens/{id}/revoke", a.revokeToken)

	// Inside an organisation.
	org("GET /o/{org}", a.orgRoot)
	org("GET /o/{org}/{$}", a.dashboard)
	org("GET /o/{org}/search", a.search)
	org("GET /o/{org}/areas/{clause}", a.area)
	org("GET /o/{org}/controls", a.controls)

	org("GET /o/{org}/people", a.peopleList)
	org("GET /o/{org}/people/export.xlsx", a.exportPeople)
	org("GET /o/{org}/people/new", a.newPersonPage)
	org("POST /o/{org}/people/new", a.createPerson)
	org("GET /o/{org}/people/{id}", a.personPage)
	org("GET /o/{org}/people/{id}/edit", a.editPersonPage)
	org("POST /o/{org}/people/{id}/edit", a.updatePerson)
	org("POST /o/{org}/people/{id}/archive", a.archivePerson)
	org("POST /o/{org}/people/{id}/restore", a.restorePerson)

	org("GET /o/{org}/members", a.membersPage)
	org("POST /o/{org}/members", a.addMember)
	org("POST /o/{org}/members/{user}/role", a.changeRole)
	org("POST /o/{org}/members/{user}/remove", a.removeMember)

	org("GET /o/{org}/settings", a.settingsPage)
	org("POST /o/{org}/settings", a.updateSettings)

	org("GET /o/{org}/audit", a.auditPage)
	org("GET /o/{org}/audit/{seq}", a.auditEntryPage)

	// Anything else is a page that does not exist.
	pub("/", a.notFound)

	outer := http.NewServeMux()
	outer.Handle("GET /static/", a.assets)
	outer.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET /favicon.ico")
		http.Redirect(w, r, a.assets.url("img/favicon.svg"), http.StatusMovedPermanently)
	})
	outer.Handle("/", a.Sessions.LoadAndSave(mux))
	return outer
}
