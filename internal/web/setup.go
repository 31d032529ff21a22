package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

type setupPage struct {
	Form  *form
	Token string
}

// setupPage shows the first-run form to whoever holds the setup link
// printed in the server log, until the first account exists.
func (a *app) setupPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	n, err := a.DB.UserCount(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return a.renderSetupDone(w, r, c, http.StatusOK)
	}
	token := r.URL.Query().Get("token")
	if err := a.checkSetupToken(r, token); err != nil {
		return err
	}
	f := newForm(map[string]string{"time_zone": "UTC", "size_band": string(isms.SizeSmall)})
	return a.renderSetup(w, r, c, http.StatusOK, &setupPage{Form: f, Token: token})
}

func (a *app) checkSetupToken(r *http.Request, token string) error {
	ok, err := a.DB.CheckSetupToken(r.Context(), token)
	if err != nil {
		return err
	}
	if !ok {
		return isms.Errorf(isms.KindNotFound, "error.bad_setup_token")
	}
	return nil
}

func (a *app) renderSetup(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, d *setupPage) error {
	v := a.view(c, c.tr().T("web.setup.title"))
	v.Nav = "wide"
	v.Data = d
	return a.render(w, r, status, "setup", v)
}

func (a *app) renderSetupDone(w http.ResponseWriter, r *http.Request, c *reqCtx, status int) error {
	v := a.view(c, c.tr().T("web.setup.done_title"))
	return a.render(w, r, status, "setup_done", v)
}

// setup creates the first organisation and its owner, signs the owner in
// and opens the new organisation's dashboard.
func (a *app) setup(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	f := postedForm(r)
	n, err := a.DB.UserCount(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return a.renderSetupDone(w, r, c, http.StatusConflict)
	}
	if err := a.checkSetupToken(r, f.Value("token")); err != nil {
		return err
	}
	tr := c.tr()
	f.labelled(tr, setupLabels)
	o := isms.Organisation{
		Name: f.Value("org_name"), Slug: f.Value("slug"), SizeBand: isms.SizeBand(f.Value("size_band")),
		Sector: f.Value("sector"), TimeZone: f.Value("time_zone"),
	}
	if isms.Clean(o.Slug) == "" && isms.Clean(o.Name) != "" {
		o.Slug = isms.Slugify(o.Name)
		f.Set("slug", o.Slug)
	}
	o.Normalize()
	orgNames := map[string]string{"name": "org_name"}
	if err := o.Validate(); err != nil {
		f.take(tr, err, orgNames)
	}
	u := isms.User{Name: isms.Clean(f.Value("owner_name")), Email: isms.NormalizeEmail(f.Value("email"))}
	if err := u.Validate(); err != nil {
		f.take(tr, err, map[string]string{"name": "owner_name"})
	}
	password := r.PostForm.Get("password")
	checkNewPassword(f, tr, password, r.PostForm.Get("password_confirm"), "password", "password_confirm")
	if f.Error("org_name") != "" && isms.Clean(f.Value("slug")) == "" {
		f.dropError("slug") // it would have been made from the name
	}
	d := &setupPage{Form: f, Token: f.Value("token")}
	if f.Invalid() {
		return a.renderSetup(w, r, c, http.StatusUnprocessableEntity, d)
	}
	if u.PasswordHash, err = auth.HashPassword(password); err != nil {
		return err
	}
	o, u, err = a.DB.Setup(ctx, o, u)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindConflict {
			return a.renderSetupDone(w, r, c, http.StatusConflict)
		}
		if status, ok := f.take(tr, err, orgNames); ok {
			return a.renderSetup(w, r, c, status, d)
		}
		return err
	}
	if err := a.signIn(r, u.ID); err != nil {
		return err
	}
	a.flash(r, tr.T("web.setup.done_flash", o.Name))
	return redirect(w, r, orgPath(o.Slug, "/"))
}

// setupLabels names the setup form's fields for the error summary.
var setupLabels = map[string]string{
	"org_name": "org.name", "slug": "org.slug", "size_band": "org.size_band", "sector": "org.sector",
	"time_zone": "org.time_zone", "owner_name": "web.setup.owner_name", "email": "web.setup.email",
	"password": "web.account.new_password", "password_confirm": "web.account.confirm_password",
}

// checkNewPassword validates a new password and its confirmation.
func checkNewPassword(f *form, tr i18n.Translator, password, confirm, field, confirmField string) {
	if err := isms.ValidatePassword(field, password); err != nil {
		f.take(tr, err, nil)
		return
	}
	if password != confirm {
		f.addError(confirmField, tr.T("validation.password_mismatch"))
	}
}
