package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

//go:embed templates
var templateFiles embed.FS

// templates holds every page in one template set, parsed once at startup
// from the embedded files: templates/*.html (layouts and partials) are
// shared, and each file in templates/pages/ adds one page defining "doc"
// (the whole document), "content" and optionally "fragment" (the region
// htmx swaps). The names a page file defines are its own: the loader
// prefixes them with the page's name ("people/doc"), so two pages may both
// define "content" or a helper of the same name, while layouts and
// partials stay shared by every page and are parsed and escaped once.
//
// The functions t, date, datetime and caldate depend on the organisation's
// time zone and date format. For each zone and format in use one copy of
// the set is kept with those functions bound, so rendering never re-parses
// and templates stay free of plumbing. The set parsed at startup (which
// proves every page parses) becomes the first such copy; any further zone
// parses the embedded files again, once. (Cloning an unexecuted master
// instead would keep a copy that never renders: 2.4 MB, a sixth of an
// idle server's heap.)
type templates struct {
	asset     func(string) string
	pages     map[string]bool
	fragments map[string]bool // pages defining a fragment for htmx

	mu       sync.Mutex
	spare    *template.Template // parsed, not yet bound to a locale
	byLocale map[locale]*boundSet
	menus    map[menuKey]template.HTML
}

// menuKey is everything the sidebar menu depends on.
type menuKey struct {
	locale
	slug  string
	inOrg bool
	role  isms.Role
	nav   string
}

// maxMenus bounds the cache of rendered menus: a few per organisation,
// role and menu item in use.
const maxMenus = 4096

// locale is what the bound template functions depend on.
type locale struct{ zone, dateFormat string }

// maxLocales bounds the cache of bound template sets; real installations
// use a handful of zones.
const maxLocales = 64

// pageDefine finds the template names a page file defines or calls.
var pageDefine = regexp.MustCompile(`\{\{-?\s*(define|template|block)\s+"([^"]+)"`)

func loadTemplates(asset func(string) string) (*templates, error) {
	ts := &templates{asset: asset, pages: map[string]bool{}, fragments: map[string]bool{},
		byLocale: map[locale]*boundSet{}, menus: map[menuKey]template.HTML{}}
	set, err := ts.parse()
	if err != nil {
		return nil, err
	}
	for _, t := range set.Templates() {
		if page, ok := strings.CutSuffix(t.Name(), "/doc"); ok {
			ts.pages[page] = true
			ts.fragments[page] = set.Lookup(page+"/fragment") != nil
		}
	}
	ts.spare = set
	return ts, nil
}

// parse reads every template from the embedded files into one set: the
// layouts and partials, then each page under its own names.
func (ts *templates) parse() (*template.Template, error) {
	funcs := baseFuncs(ts.asset)
	for k, f := range localeFuncs(isms.Organisation{}) {
		funcs[k] = f
	}
	set, err := template.New("base").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layouts: %w", err)
	}
	files, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		src, err := fs.ReadFile(templateFiles, f)
		if err != nil {
			return nil, err
		}
		if _, err := set.New(name).Parse(scopePage(name, string(src))); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		for _, must := range []string{"doc", "content"} {
			if set.Lookup(name+"/"+must) == nil {
				return nil, fmt.Errorf("web: %s does not define %q", f, must)
			}
		}
	}
	return set, nil
}

// scopePage prefixes the names page's source defines, and its calls to
// them, with the page's name.
func scopePage(page, src string) string {
	own := map[string]bool{}
	for _, m := range pageDefine.FindAllStringSubmatch(src, -1) {
		if m[1] != "template" {
			own[m[2]] = true
		}
	}
	return pageDefine.ReplaceAllStringFunc(src, func(call string) string {
		m := pageDefine.FindStringSubmatch(call)
		if !own[m[2]] {
			return call
		}
		return strings.Replace(call, `"`+m[2]+`"`, `"`+page+"/"+m[2]+`"`, 1)
	})
}

// hasFragment reports whether page defines a fragment for htmx.
func (ts *templates) hasFragment(page string) bool { return ts.fragments[page] }

// get returns the template set with its functions bound to o's zone and
// date format.
func (ts *templates) get(o isms.Organisation) (*boundSet, error) {
	loc := locale{o.TimeZone, o.DateFormat}
	ts.mu.Lock()
	if b := ts.byLocale[loc]; b != nil {
		ts.mu.Unlock()
		return b, nil
	}
	t := ts.spare
	ts.spare = nil
	ts.mu.Unlock()
	// Parsing takes tens of milliseconds: pages of the zones already bound
	// go on rendering meanwhile.
	if t == nil {
		var err error
		if t, err = ts.parse(); err != nil {
			return nil, err
		}
	}
	bound := isms.Organisation{TimeZone: loc.zone, DateFormat: loc.dateFormat}
	t.Funcs(localeFuncs(bound))
	b := newBoundSet(t, translator(bound).T)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if have := ts.byLocale[loc]; have != nil { // bound meanwhile by another request
		return have, nil
	}
	if len(ts.byLocale) >= maxLocales {
		clear(ts.byLocale)
	}
	ts.byLocale[loc] = b
	return b, nil
}

// menu returns the sidebar menu for v, rendering it the first time its
// organisation, role and current item are seen.
func (ts *templates) menu(v *view) (template.HTML, error) {
	k := menuKey{locale: locale{v.Org.TimeZone, v.Org.DateFormat}, slug: v.Org.Slug, inOrg: v.InOrg, nav: v.Nav}
	if v.InOrg {
		k.role = v.Actor.Role
	}
	ts.mu.Lock()
	m, ok := ts.menus[k]
	ts.mu.Unlock()
	if ok {
		return m, nil
	}
	t, err := ts.get(v.Org)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.execute(&b, "menu", v); err != nil {
		return "", err
	}
	m = template.HTML(b.String()) // the output of an html/template execution
	ts.mu.Lock()
	if len(ts.menus) >= maxMenus {
		clear(ts.menus)
	}
	ts.menus[k] = m
	ts.mu.Unlock()
	return m, nil
}

// execute renders page's template name ("doc" or "fragment") with v,
// bound to o's zone and date format.
func (ts *templates) execute(w io.Writer, o isms.Organisation, page, name string, v any) error {
	if !ts.pages[page] {
		return fmt.Errorf("web: no page template %q", page)
	}
	t, err := ts.get(o)
	if err != nil {
		return err
	}
	return t.execute(w, page+"/"+name, v)
}

// baseFuncs are the template functions that do not depend on the
// organisation.
func baseFuncs(asset func(string) string) template.FuncMap {
	return template.FuncMap{
		"asset":    asset,
		"field":    field,
		"initials": initials,
		"isotime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"join":     strings.Join,
		"options":  optionsHTML,

		"headCells": headCellsHTML,

		"dateFormatOptions": dateFormatOptions,
		"timeZoneList":      timeZoneList,
	}
}

// localeFuncs are the template functions bound to an organisation's zone
// and date format: t (catalogue lookup), plural, date, datetime, caldate
// and the names of roles, size bands, audit actions and record types.
func localeFuncs(o isms.Organisation) template.FuncMap {
	tr := translator(o)
	return template.FuncMap{
		"t":        tr.T,
		"plural":   tr.Plural,
		"date":     o.FormatDate,
		"datetime": o.FormatDateTime,
		"caldate":  o.FormatCalendarDate,
		"role":     func(r isms.Role) string { return tr.T("role." + string(r)) },
		"roleDesc": func(r isms.Role) string { return tr.T("role." + string(r) + ".description") },
		"sizeBand": func(b isms.SizeBand) string { return tr.T("size." + string(b)) },
		"action":   func(a string) string { return optional(tr, "action."+a, a) },
		"record":   func(r string) string { return optional(tr, "record."+r, r) },

		"sizeOptions": func() []option { return sizeOptions(tr) },
		"chips":       func(cs []chip, clearURL string) template.HTML { return chipsHTML(tr, cs, clearURL) },
		"pager": func(shown, total int, prevURL, nextURL string) template.HTML {
			return pagerHTML(tr, shown, total, prevURL, nextURL)
		},

		"history": func(h []historyView) template.HTML { return historyHTML(tr, o, h) },
		"fieldMarkup": func(kind string, fv fieldView) (template.HTML, error) {
			return fieldHTML(tr, kind, fv)
		},
		"diffTable": func(c []change) template.HTML { return diffTableHTML(tr, c) },
	}
}

// optional translates key, or shows fallback for values the catalogue does
// not know (an audit action added by a newer version, say).
func optional(tr i18n.Translator, key, fallback string) string {
	if !i18n.Has(key) {
		return fallback
	}
	return tr.T(key)
}

// initials returns up to two initials of a name for an avatar.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		if len(r) > 0 && unicode.IsLetter(r[0]) {
			out = append(out, unicode.ToUpper(r[0]))
		}
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// view is the data of every page: the shell (user, organisation, menus)
// and the page's own Data.
type view struct {
	Title   string // page title, translated; the document title adds the organisation and brand
	Crumbs  []crumb
	Nav     string // the menu item to mark current
	User    isms.User
	Orgs    []isms.Membership
	Actor   isms.Actor
	Org     isms.Organisation
	InOrg   bool
	Scoped  bool // the page belongs to Org (breadcrumb starts with it)
	Flash   string
	Version string
	Query   string // the global search text
	Data    any

	// Menu is the rendered sidebar menu; render fills it in.
	Menu template.HTML
	// shell renders the shell around the page (Start); render sets it.
	shell shellFuncs
}

// crumb is one breadcrumb link above the page title.
type crumb struct{ Label, URL string }

// view starts the data for a page titled title.
func (a *app) view(c *reqCtx, title string, crumbs ...crumb) *view {
	return &view{
		Title: title, Crumbs: crumbs, User: c.User, Orgs: c.Orgs,
		Actor: c.Actor, Org: c.Org, InOrg: c.InOrg, Scoped: c.scoped,
		Version: a.Version,
	}
}

// Href returns the URL of p inside the current organisation.
func (v *view) Href(p string) string { return orgPath(v.Org.Slug, p) }

// Can reports whether the current member's role grants permission p (a
// permission name such as "members.manage").
func (v *view) Can(p string) bool { return v.InOrg && v.Actor.Can(isms.Permission(p)) }

// Is reports whether the current menu item is nav.
func (v *view) Is(nav string) bool { return v.Nav == nav }

func orgPath(slug, p string) string { return "/o/" + slug + p }
