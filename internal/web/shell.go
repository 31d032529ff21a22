package web

import "html/template"

// The signed-in shell around every page's content (layout.html's
// app_start): the document head, the sidebar with the organisation
// switcher and the menu, the top bar with search and account menu, the
// breadcrumb and the flash message. It is the same few dozen values on
// every page, and run through html/template's escapers with reflective
// calls it was a quarter of a light page's server time; it is written here
// instead with the markup writer, each value escaped as html/template
// would escape it in its place. The templates' own "head",
// "breadcrumb" and "flash" stay for the pages outside the shell.

// Start returns the opening of the shell for v, up to and including the
// flash message; the page's content follows it. render fills in the
// menu and the shell's functions before the page is executed.
func (v *view) Start() template.HTML {
	if v.shell.t == nil {
		return ""
	}
	return v.shell.start(v)
}

// shellFuncs is what the shell needs besides the view: the organisation's
// translations and the static files' URLs.
type shellFuncs struct {
	t     func(key string, args ...any) string
	asset func(path string) string
}

// shellBytes is about the size of the shell's markup, menu included.
const shellBytes = 6 << 10

func (s *shellFuncs) start(v *view) template.HTML {
	m := &markup{}
	m.b.Grow(shellBytes)
	text, url, raw := m.text, m.url, m.raw

	raw("<!doctype html>\n<html lang=\"en-GB\">\n<head>\n")
	s.head(m, v)
	raw("\n</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">")
	text(s.t("web.layout.skip"))
	raw("</a>\n<div class=\"app\">\n<aside class=\"sidebar\" aria-label=\"")
	text(s.t("web.layout.sidebar"))
	raw("\">\n  <a class=\"brand\" href=\"/\"><img src=\"")
	url(s.asset("img/logo.svg"))
	raw("\" alt=\"\" width=\"28\" height=\"28\"> Holdfast</a>\n  ")
	if len(v.Orgs) > 0 {
		raw("\n  <form class=\"org-switcher\" method=\"get\" action=\"/orgs/switch\">\n    <label for=\"org-select\">")
		text(s.t("web.layout.org"))
		raw("</label>\n    <select id=\"org-select\" name=\"org\" data-autosubmit>\n      ")
		if !v.InOrg {
			raw("<option value=\"\">")
			text(s.t("web.layout.choose_org"))
			raw("</option>")
		}
		raw("\n      ")
		for _, m := range v.Orgs {
			raw("<option value=\"")
			text(m.OrgSlug)
			raw("\"")
			if v.InOrg && m.OrgSlug == v.Org.Slug {
				raw(" selected")
			}
			raw(">")
			text(m.OrgName)
			raw("</option>")
		}
		raw("\n    </select>\n    <button class=\"btn btn-secondary btn-sm js-hide\" type=\"submit\">")
		text(s.t("web.layout.switch"))
		raw("</button>\n  </form>\n  ")
	}
	raw("\n  <details class=\"nav-toggle\">\n    <summary>")
	text(s.t("web.layout.menu"))
	raw("</summary>\n    <nav class=\"nav\" aria-label=\"")
	text(s.t("web.layout.main_nav"))
	raw("\">\n")
	raw(string(v.Menu))
	raw("\n    </nav>\n  </details>\n</aside>\n<header class=\"topbar\">\n  ")
	if v.Can("registers.read") {
		raw("\n  <form class=\"search\" role=\"search\" action=\"")
		url(v.Href("/search"))
		raw("\" method=\"get\">\n    <label for=\"global-search\" class=\"visually-hidden\">")
		text(s.t("web.search.label"))
		raw("</label>\n    <input id=\"global-search\" type=\"search\" name=\"q\" value=\"")
		text(v.Query)
		raw("\" placeholder=\"")
		text(s.t("web.search.placeholder"))
		raw("\" autocomplete=\"off\">\n    <kbd aria-hidden=\"true\">/</kbd>\n  </form>\n  ")
	}
	raw("\n  <details class=\"user-menu\">\n    <summary><span class=\"avatar\" aria-hidden=\"true\">")
	text(initials(v.User.Name))
	raw("</span><span class=\"user-name\">")
	text(v.User.Name)
	raw("</span><span class=\"visually-hidden\"> ")
	text(s.t("web.layout.account_menu"))
	raw("</span></summary>\n    <ul class=\"menu\">\n      <li class=\"menu-meta\">")
	text(s.t("web.layout.signed_in_as", v.User.Email))
	raw("</li>\n      <li><a href=\"/account/password\">")
	text(s.t("web.nav.password"))
	raw("</a></li>\n      <li><a href=\"/account/sessions\">")
	text(s.t("web.nav.sessions"))
	raw("</a></li>\n      <li><a href=\"/account/tokens\">")
	text(s.t("web.nav.tokens"))
	raw("</a></li>\n      <li><form method=\"post\" action=\"/logout\"><button type=\"submit\">")
	text(s.t("web.layout.sign_out"))
	raw("</button></form></li>\n    </ul>\n  </details>\n</header>\n<main class=\"content\" id=\"main\" tabindex=\"-1\">\n")
	s.breadcrumb(m, v)
	raw("\n")
	if v.Flash != "" {
		raw("\n<div class=\"flash flash-success\" role=\"status\">\n  <svg class=\"icon\" aria-hidden=\"true\" viewBox=\"0 0 24 24\"><circle cx=\"12\" cy=\"12\" r=\"9\"/><path d=\"m8 12.5 2.5 2.5L16 9.5\"/></svg>\n  <p>")
		text(v.Flash)
		raw("</p>\n</div>\n")
	}
	raw("\n")
	return m.html()
}

// head writes layout.html's "head".
func (s *shellFuncs) head(m *markup, v *view) {
	m.raw(`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"historyCacheSize":0,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"4..","swap":true,"error":false},{"code":"5..","swap":false,"error":true}]}'>
<title>`)
	m.text(v.Title)
	if v.InOrg && v.Scoped {
		m.raw(" · ")
		m.text(v.Org.Name)
	}
	m.raw(" · Holdfast</title>\n<link rel=\"icon\" href=\"")
	m.url(s.asset("img/favicon.svg"))
	m.raw("\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"")
	m.url(s.asset("css/app.css"))
	m.raw("\">\n<script src=\"")
	m.url(s.asset("js/htmx.min.js"))
	m.raw("\" defer></script>\n<script src=\"")
	m.url(s.asset("js/app.js"))
	m.raw("\" defer></script>")
}

// breadcrumb writes layout.html's "breadcrumb".
func (s *shellFuncs) breadcrumb(m *markup, v *view) {
	if !v.Scoped && len(v.Crumbs) == 0 {
		return
	}
	m.raw("\n<nav class=\"breadcrumb\" aria-label=\"")
	m.text(s.t("web.layout.breadcrumb"))
	m.raw("\">\n  <ol>\n    ")
	if v.Scoped {
		m.raw("<li>")
		m.link("", v.Href("/"), v.Org.Name)
		m.raw("</li>")
	}
	m.raw("\n    ")
	for _, c := range v.Crumbs {
		m.raw("<li>")
		if c.URL != "" {
			m.link("", c.URL, c.Label)
		} else {
			m.text(c.Label)
		}
		m.raw("</li>")
	}
	m.raw("\n    <li><span aria-current=\"page\">")
	m.text(v.Title)
	m.raw("</span></li>\n  </ol>\n</nav>\n")
}
