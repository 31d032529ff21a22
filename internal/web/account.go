package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// accountView starts an account page: these belong to the user, not to an
// organisation, so the breadcrumb does not start with one.
func (a *app) accountView(c *reqCtx, titleKey, nav string) *view {
	tr := c.tr()
	v := a.view(c, tr.T(titleKey), crumb{Label: tr.T("web.nav.account")})
	v.Nav = nav
	v.Scoped = false
	return v
}

type passwordPage struct{ Form *form }

// passwordPage shows the change-password form.
func (a *app) passwordPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.renderPassword(w, r, c, http.StatusOK, newForm(nil))
}

func (a *app) renderPassword(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form) error {
	v := a.accountView(c, "web.account.password_title", "password")
	v.Data = &passwordPage{Form: f}
	return a.render(w, r, status, "password", v)
}

// changePassword replaces the user's password after checking the current
// one, and signs out every other session. Wrong current passwords count
// towards the sign-in limit, so this form cannot be used to guess.
func (a *app) changePassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	f := newForm(nil).labelled(tr, map[string]string{
		"current_password": "web.account.current_password", "password": "web.account.new_password",
		"password_confirm": "web.account.confirm_password",
	})
	key := isms.NormalizeEmail(c.User.Email)
	if ok, wait := a.LoginByAccount.Allowed(key); !ok {
		f.Notice = tr.T("error.rate_limited", humanWait(tr, wait))
		return a.renderPassword(w, r, c, http.StatusTooManyRequests, f)
	}
	if ok, _ := auth.CheckPassword(c.User.PasswordHash, r.PostForm.Get("current_password")); !ok {
		a.LoginByAccount.Fail(key)
		f.addError("current_password", tr.T("validation.password_wrong"))
	}
	checkNewPassword(f, tr, r.PostForm.Get("password"), r.PostForm.Get("password_confirm"), "password", "password_confirm")
	if f.Invalid() {
		return a.renderPassword(w, r, c, http.StatusUnprocessableEntity, f)
	}
	hash, err := auth.HashPassword(r.PostForm.Get("password"))
	if err != nil {
		return err
	}
	if err := a.DB.SetPassword(ctx, c.User.ID, hash, store.HashSessionToken(a.Sessions.Token(ctx))); err != nil {
		return err
	}
	a.LoginByAccount.Reset(key)
	a.flash(r, tr.T("web.account.password_changed"))
	return redirect(w, r, "/account/sessions")
}

type sessionsPage struct {
	Sessions []isms.Session
}

// sessionsPage lists the browsers where the user is signed in.
func (a *app) sessionsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	list, err := a.DB.UserSessions(ctx, c.User.ID, a.Sessions.Token(ctx))
	if err != nil {
		return err
	}
	v := a.accountView(c, "web.account.sessions_title", "sessions")
	v.Data = &sessionsPage{Sessions: list}
	return a.render(w, r, http.StatusOK, "sessions", v)
}

// revokeSession signs out one of the user's sessions; revoking the
// current one signs the user out here.
func (a *app) revokeSession(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id := r.PathValue("id")
	current := store.HashSessionToken(a.Sessions.Token(ctx))[:16] == id
	if err := a.DB.RevokeSession(ctx, c.User.ID, id); err != nil {
		return err
	}
	if current {
		// The row is gone; make sure it is not written back at the end.
		if err := a.Sessions.Destroy(ctx); err != nil {
			return err
		}
		return redirect(w, r, "/login?signed_out=1")
	}
	a.flash(r, c.tr().T("web.account.session_revoked"))
	return redirect(w, r, "/account/sessions")
}

type tokensPage struct {
	Tokens    []isms.APIToken
	Form      *form
	NewSecret string // shown once, right after creation
	NewName   string
}

// tokensPage lists the user's API tokens and offers to create one.
func (a *app) tokensPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.renderTokens(w, r, c, http.StatusOK, &tokensPage{Form: newForm(nil)})
}

func (a *app) renderTokens(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, d *tokensPage) error {
	list, err := a.DB.Tokens(r.Context(), c.User.ID)
	if err != nil {
		return err
	}
	d.Tokens = list
	v := a.accountView(c, "web.account.tokens_title", "tokens")
	v.Data = d
	return a.render(w, r, status, "tokens", v)
}

// createToken makes a token and shows its secret on this response only:
// it is not stored (only its hash is) and not put in the session.
func (a *app) createToken(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, map[string]string{"name": "web.account.token_name"})
	secret, prefix, hash := auth.NewAPIToken()
	tok, err := a.DB.CreateToken(r.Context(), c.User.ID, f.Value("name"), prefix, hash)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderTokens(w, r, c, status, &tokensPage{Form: f})
		}
		return err
	}
	return a.renderTokens(w, r, c, http.StatusCreated, &tokensPage{Form: newForm(nil), NewSecret: secret, NewName: tok.Name})
}

// revokeToken stops a token from working.
func (a *app) revokeToken(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := a.DB.RevokeToken(r.Context(), c.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	a.flash(r, c.tr().T("web.account.token_revoked"))
	return redirect(w, r, "/account/tokens")
}
