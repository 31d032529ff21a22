// Package web is Holdfast's HTML user interface: server-rendered pages from
// html/template, enhanced by htmx where it helps and usable without
// JavaScript. It covers first-run setup, signing in and out, the ISMS area
// overviews, the People register, members, organisation settings, the
// user's account and the audit log.
//
// Handlers return an error; one adapter (app.fail) turns it into a status
// and an error page, and only internal errors are logged. Every route is
// registered in routes.go.
package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Session keys.
const (
	keyUserID = "user_id"
	keyOrg    = "org"   // slug of the organisation last visited
	keyFlash  = "flash" // one-time confirmation shown on the next page
)

// app is the web UI: its dependencies, the parsed templates and the
// embedded static files.
type app struct {
	Deps
	pages  *templates
	assets *assets
}

// New returns the web UI's handler. It serves every path the server does
// not route elsewhere and wraps itself in the session middleware.
// Templates are parsed here, once; a broken template panics at startup.
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.LoginByAccount == nil {
		d.LoginByAccount = auth.NewLimiter(5, 15*time.Minute)
	}
	if d.LoginByIP == nil {
		d.LoginByIP = auth.NewLimiter(30, 15*time.Minute)
	}
	a := &app{Deps: d, assets: newAssets()}
	pages, err := loadTemplates(a.assets.url)
	if err != nil {
		panic(err)
	}
	a.pages = pages
	return a.routes()
}

// handler is a page handler. c carries who is asking and in which
// organisation; a returned error becomes an error page.
type handler func(w http.ResponseWriter, r *http.Request, c *reqCtx) error

// access says what a route requires of the requester.
type access int

const (
	public   access = iota // anyone
	signedIn               // a signed-in user
	member                 // a member of the organisation named by {org}
)

// reqCtx is what the adapter learns about a request before its handler
// runs.
type reqCtx struct {
	User  isms.User
	Orgs  []isms.Membership // the user's organisations, for the switcher
	Actor isms.Actor
	Org   isms.Organisation
	// InOrg is set when Actor and Org are known: on organisation pages, and
	// on account pages when the user has visited an organisation before.
	InOrg bool
	// scoped is set on pages inside an organisation's URL space.
	scoped bool
}

// tr returns the translator for c: times in the organisation's zone and
// date format, UTC outside an organisation.
func (c *reqCtx) tr() i18n.Translator {
	return translator(c.Org)
}

func translator(o isms.Organisation) i18n.Translator {
	return i18n.Translator{Lang: i18n.English, FormatTime: o.FormatDateTime}
}

// serve adapts h to http.Handler: it labels the route for metrics, resolves
// the user and organisation as need requires, runs h and turns an error
// into a page.
func (a *app) serve(pattern string, need access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, pattern)
		c := &reqCtx{}
		err := a.load(r, c, need)
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			a.fail(w, r, c, err)
		}
	})
}

// load fills c from the session and the {org} path value.
func (a *app) load(r *http.Request, c *reqCtx, need access) error {
	ctx := r.Context()
	uid := a.Sessions.GetString(ctx, keyUserID)
	if uid == "" {
		if need > public {
			return isms.Errorf(isms.KindUnauthorized, "error.unauthorized")
		}
		return nil
	}
	slug := r.PathValue("org")
	if need < member {
		// Outside an organisation the shell still shows the one last visited.
		slug = a.Sessions.GetString(ctx, keyOrg)
	}
	// One read for the user, their organisations and their role here.
	v, err := a.DB.RequestView(ctx, uid, slug)
	switch {
	case isms.ErrorKind(err) == isms.KindNotFound:
		// The account is gone: treat the session as signed out.
		if need > public {
			return isms.Errorf(isms.KindUnauthorized, "error.unauthorized")
		}
		return nil
	case err != nil:
		return err
	}
	c.User, c.Orgs = v.User, v.Memberships
	if !v.InOrg {
		if need == member {
			return isms.Errorf(isms.KindNotFound, "error.org_not_found")
		}
		return nil
	}
	actor, org := v.Actor, v.Org
	c.Actor, c.Org, c.InOrg, c.scoped = actor, org, true, need == member
	if need == member && a.Sessions.GetString(ctx, keyOrg) != org.Slug {
		a.Sessions.Put(ctx, keyOrg, org.Slug)
	}
	return nil
}

func memberOf(orgs []isms.Membership, slug string) bool {
	for _, m := range orgs {
		if m.OrgSlug == slug {
			return true
		}
	}
	return false
}

// fail turns err into a response: a redirect to sign in for unauthorised
// requests, otherwise an error page with the status of the error's kind.
// Internal errors are logged here and nowhere else.
func (a *app) fail(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = isms.Errorf(isms.KindTooLarge, "error.too_large")
	}
	kind := isms.ErrorKind(err)
	if kind == isms.KindUnauthorized {
		a.toLogin(w, r)
		return
	}
	if kind == isms.KindInternal {
		a.Log.Error("web request failed", "method", r.Method, "path", r.URL.Path,
			"route", httpx.Route(r.Context()), "err", err)
	}
	status := httpx.Status(kind)
	tr := c.tr()
	v := a.view(c, tr.T(errorTitleKey(status)))
	v.Data = errorPage{Status: status, Message: tr.Error(err)}
	if rerr := a.render(w, r, status, "error", v); rerr != nil {
		a.Log.Error("web: render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

type errorPage struct {
	Status  int
	Message string
}

func errorTitleKey(status int) string {
	switch status {
	case http.StatusNotFound:
		return "web.error.not_found"
	case http.StatusForbidden:
		return "web.error.forbidden"
	case http.StatusConflict:
		return "web.error.conflict"
	case http.StatusUnprocessableEntity:
		return "web.error.invalid"
	case http.StatusRequestEntityTooLarge:
		return "web.error.too_large"
	case http.StatusTooManyRequests:
		return "web.error.rate_limited"
	}
	return "web.error.internal"
}

// toLogin sends the browser to the sign-in page, remembering where it was
// going for GET requests.
func (a *app) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx would swap the sign-in page into a fragment; ask it to navigate.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// redirect answers a successful POST (or a GET that only forwards).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// flash stores a one-time confirmation for the next page.
func (a *app) flash(r *http.Request, msg string) {
	a.Sessions.Put(r.Context(), keyFlash, msg)
}

// safeNext returns next if it is a path on this site, else "".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}

// parseForm parses a POST body; an oversized body is reported as too large
// and anything else unreadable as invalid.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return isms.Errorf(isms.KindTooLarge, "error.too_large")
		}
		return isms.Errorf(isms.KindInvalid, "error.invalid")
	}
	return nil
}

// render executes page into a buffer and writes it with status. htmx
// requests aimed at a page's results region get just that fragment.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) error {
	name := "doc"
	if isFragmentRequest(r) && a.pages.hasFragment(page) {
		name = "fragment"
	} else if v.Flash == "" {
		v.Flash = a.Sessions.PopString(r.Context(), keyFlash)
	}
	if name == "doc" && v.User.ID != "" {
		m, err := a.pages.menu(v)
		if err != nil {
			return isms.Internal(err)
		}
		v.Menu = m
	}
	if name == "doc" {
		v.shell = shellFuncs{t: translator(v.Org).T, asset: a.pages.asset}
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := a.pages.execute(buf, v.Org, page, name, v); err != nil {
		return isms.Internal(err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a failed write means the client went away
	return nil
}

// pageBuffers hold rendered pages until they are sent: a list page is
// some 50 kB, which a fresh buffer reached by doubling five times.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// putPageBuffer returns buf to the pool unless an export-sized page made
// it too big to keep.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// isFragmentRequest reports whether r is an htmx request for the results
// region of a page (filters, sorting, paging), not a history restore.
func isFragmentRequest(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "results" &&
		r.Header.Get("HX-History-Restore-Request") != "true"
}
