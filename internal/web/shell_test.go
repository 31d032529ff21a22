package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Start writes what html/template wrote for the shell's template (kept
// below as refAppStart), for views that exercise every branch and every
// kind of value that needs escaping: text, attribute values, URLs with
// queries, unsafe schemes and characters a URL may not hold.
func TestShellStartIsWhatTheTemplateWrote(t *testing.T) {
	asset := func(p string) string { return "/static/" + p + "?v=1&x=+" }
	org := isms.Organisation{ID: "o1", Slug: "acme", Name: `Acme & "Sons" <Ltd> +1 'x'`, TimeZone: "Europe/London", DateFormat: "02 Jan 2006"}
	owner := isms.Actor{UserID: "u1", OrgID: "o1", OrgSlug: "acme", Role: isms.RoleOwner}
	reader := owner
	reader.Role = isms.Role("nobody") // no permission at all
	user := isms.User{ID: "u1", Name: "Zoë O'Brien-Smith <admin>", Email: "zoe+isms@example.test"}
	orgs := []isms.Membership{{OrgSlug: "acme", OrgName: org.Name}, {OrgSlug: "b&b", OrgName: "Bed & Breakfast"}}
	crumbs := []crumb{
		{Label: "Risks & <issues>", URL: "/o/acme/risks?status=open&sort=-title"},
		{Label: "odd url", URL: "/o/acme/search?q=a b\"c'd(e)%zz%41é"},
		{Label: "script", URL: "javascript:alert(1)"},
		{Label: "external", URL: "HTTPS://example.test/a?b=c"},
		{Label: "escape at the end", URL: "/o/acme/a%41"},
		{Label: "cut escape", URL: "/o/acme/a%4"},
		{Label: "Plain text", URL: ""},
	}
	views := map[string]*view{
		"in an organisation": {Title: "Risk <register> & 'more'", Crumbs: crumbs, User: user, Orgs: orgs, Actor: owner, Org: org,
			InOrg: true, Scoped: true, Flash: `Saved "R-001" <ok> & done`, Query: `"quoted" <b> +plus 'x'`, Menu: "<li>menu</li>"},
		"without permissions":      {Title: "Dashboard", User: user, Orgs: orgs, Actor: reader, Org: org, InOrg: true, Scoped: true},
		"outside any organisation": {Title: "Account", User: user, Orgs: orgs, Crumbs: crumbs[:1]},
		"without organisations":    {Title: "New organisation", User: user},
		"not scoped, no crumbs":    {Title: "Search", User: user, Orgs: orgs[:1], Actor: owner, Org: org, InOrg: true},
	}
	for name, v := range views {
		t.Run(name, func(t *testing.T) {
			funcs := baseFuncs(asset)
			for k, f := range localeFuncs(v.Org) {
				funcs[k] = f
			}
			ref := template.Must(template.Must(template.New("ref").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")).Parse(refAppStart))
			var want strings.Builder
			if err := ref.ExecuteTemplate(&want, "app_start", v); err != nil {
				t.Fatal(err)
			}
			v.shell = shellFuncs{t: translator(v.Org).T, asset: asset}
			got := string(v.Start())
			if got != want.String() {
				t.Errorf("Start differs from the template's output at byte %d:\n got %q\nwant %q",
					firstDiff(got, want.String()), excerptAt(got, firstDiff(got, want.String())), excerptAt(want.String(), firstDiff(got, want.String())))
			}
			for _, must := range []string{"<!doctype html>", `<main class="content" id="main" tabindex="-1">`} {
				if !strings.Contains(got, must) {
					t.Errorf("Start lacks %q", must)
				}
			}
		})
	}
	// Without render's functions there is no shell to write.
	if got := (&view{Title: "x"}).Start(); got != "" {
		t.Errorf("Start without the shell's functions wrote %q", got)
	}
}

// refTemplate parses text (templates of markup since written in Go) with
// the functions the pages have for org.
func refTemplate(org isms.Organisation, text string) *template.Template {
	funcs := baseFuncs(func(p string) string { return p })
	for k, f := range localeFuncs(org) {
		funcs[k] = f
	}
	return template.Must(template.New("ref").Funcs(funcs).Parse(text))
}

// sameAsTemplate reports where got differs from what ref's template name
// writes for data.
func sameAsTemplate(t *testing.T, what string, ref *template.Template, name string, data any, got string) {
	t.Helper()
	var want strings.Builder
	if err := ref.ExecuteTemplate(&want, name, data); err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		i := firstDiff(got, want.String())
		t.Errorf("%s differs at byte %d:\n got %q\nwant %q", what, i, excerptAt(got, i), excerptAt(want.String(), i))
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func excerptAt(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}

// refAppStart is the shell's opening as a template, as layout.html had it
// before shell.go wrote it: html/template's output for it is what Start
// must write.
const refAppStart = `
{{define "app_start"}}<!doctype html>
<html lang="en-GB">
<head>
{{template "head" .}}
</head>
<body>
<a class="skip-link" href="#main">{{t "web.layout.skip"}}</a>
<div class="app">
<aside class="sidebar" aria-label="{{t "web.layout.sidebar"}}">
  <a class="brand" href="/"><img src="{{asset "img/logo.svg"}}" alt="" width="28" height="28"> Holdfast</a>
  {{if .Orgs}}
  <form class="org-switcher" method="get" action="/orgs/switch">
    <label for="org-select">{{t "web.layout.org"}}</label>
    <select id="org-select" name="org" data-autosubmit>
      {{if not .InOrg}}<option value="">{{t "web.layout.choose_org"}}</option>{{end}}
      {{range .Orgs}}<option value="{{.OrgSlug}}"{{if and $.InOrg (eq .OrgSlug $.Org.Slug)}} selected{{end}}>{{.OrgName}}</option>{{end}}
    </select>
    <button class="btn btn-secondary btn-sm js-hide" type="submit">{{t "web.layout.switch"}}</button>
  </form>
  {{end}}
  <details class="nav-toggle">
    <summary>{{t "web.layout.menu"}}</summary>
    <nav class="nav" aria-label="{{t "web.layout.main_nav"}}">
{{.Menu}}
    </nav>
  </details>
</aside>
<header class="topbar">
  {{if .Can "registers.read"}}
  <form class="search" role="search" action="{{.Href "/search"}}" method="get">
    <label for="global-search" class="visually-hidden">{{t "web.search.label"}}</label>
    <input id="global-search" type="search" name="q" value="{{.Query}}" placeholder="{{t "web.search.placeholder"}}" autocomplete="off">
    <kbd aria-hidden="true">/</kbd>
  </form>
  {{end}}
  <details class="user-menu">
    <summary><span class="avatar" aria-hidden="true">{{initials .User.Name}}</span><span class="user-name">{{.User.Name}}</span><span class="visually-hidden"> {{t "web.layout.account_menu"}}</span></summary>
    <ul class="menu">
      <li class="menu-meta">{{t "web.layout.signed_in_as" .User.Email}}</li>
      <li><a href="/account/password">{{t "web.nav.password"}}</a></li>
      <li><a href="/account/sessions">{{t "web.nav.sessions"}}</a></li>
      <li><a href="/account/tokens">{{t "web.nav.tokens"}}</a></li>
      <li><form method="post" action="/logout"><button type="submit">{{t "web.layout.sign_out"}}</button></form></li>
    </ul>
  </details>
</header>
<main class="content" id="main" tabindex="-1">
{{template "breadcrumb" .}}
{{template "flash" .}}
{{end}}
`
