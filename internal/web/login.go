package web

import (
	"math"
	"net/http"
	"time"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

type loginPage struct {
	Form       *form
	Next       string
	NeedsSetup bool // no account exists yet
	SignedOut  bool
}

// loginPage shows the sign-in form, or forwards a signed-in user.
func (a *app) loginPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	next := safeNext(r.URL.Query().Get("next"))
	if c.User.ID != "" {
		return redirect(w, r, orDefault(next, "/"))
	}
	d := &loginPage{Form: newForm(nil), Next: next, SignedOut: r.URL.Query().Has("signed_out")}
	return a.renderLogin(w, r, c, http.StatusOK, d)
}

func (a *app) renderLogin(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, d *loginPage) error {
	n, err := a.DB.UserCount(r.Context())
	if err != nil {
		return err
	}
	d.NeedsSetup = n == 0
	v := a.view(c, c.tr().T("web.login.title"))
	v.Data = d
	return a.render(w, r, status, "login", v)
}

// login checks an email and password. Unknown emails and wrong passwords
// get the same message and take the same time; failures count against the
// account and the client address, and either limit refuses further tries.
func (a *app) login(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	f := postedForm(r)
	d := &loginPage{Form: f, Next: safeNext(f.Value("next"))}
	email := isms.NormalizeEmail(f.Value("email"))
	password := r.PostForm.Get("password")
	ip := httpx.ClientIP(r, a.TrustProxy)

	okAccount, waitAccount := a.LoginByAccount.Allowed(email)
	okIP, waitIP := a.LoginByIP.Allowed(ip)
	if !okAccount || !okIP {
		f.Notice = tr.T("error.rate_limited", humanWait(tr, max(waitAccount, waitIP)))
		return a.renderLogin(w, r, c, http.StatusTooManyRequests, d)
	}

	u, err := a.DB.UserByEmail(ctx, email)
	good := false
	switch {
	case err == nil:
		// A malformed stored hash (an account without a usable password)
		// simply does not match.
		good, _ = auth.CheckPassword(u.PasswordHash, password)
	case isms.ErrorKind(err) == isms.KindNotFound:
		auth.CheckDummy(password)
	default:
		return err
	}
	if !good || password == "" {
		a.LoginByAccount.Fail(email)
		a.LoginByIP.Fail(ip)
		f.Notice = tr.T("error.bad_credentials")
		return a.renderLogin(w, r, c, http.StatusUnauthorized, d)
	}
	a.LoginByAccount.Reset(email)
	if err := a.signIn(r, u.ID); err != nil {
		return err
	}
	return redirect(w, r, orDefault(d.Next, "/"))
}

// signIn starts a fresh session for userID and records which browser and
// address it belongs to. The session row must exist before it can be
// tagged, so it is committed here rather than at the end of the request.
func (a *app) signIn(r *http.Request, userID string) error {
	ctx := r.Context()
	if err := a.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.Sessions.Put(ctx, keyUserID, userID)
	token, _, err := a.Sessions.Commit(ctx)
	if err != nil {
		return err
	}
	return a.DB.TagSession(ctx, token, userID, r.UserAgent(), httpx.ClientIP(r, a.TrustProxy))
}

// logout ends the session.
func (a *app) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := a.Sessions.Destroy(r.Context()); err != nil {
		return err
	}
	return redirect(w, r, "/login?signed_out=1")
}

// humanWait renders how long to wait, rounded up to minutes (or seconds
// under a minute).
func humanWait(tr i18n.Translator, d time.Duration) string {
	if d < time.Minute {
		return tr.Plural("web.wait.seconds", max(1, int(math.Ceil(d.Seconds()))))
	}
	return tr.Plural("web.wait.minutes", int(math.Ceil(d.Minutes())))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
