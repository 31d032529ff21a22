package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// home sends visitors to sign in and members to their organisation: the
// one they last visited, else the first.
func (a *app) home(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.User.ID == "" {
		return redirect(w, r, "/login")
	}
	if len(c.Orgs) == 0 {
		v := a.view(c, c.tr().T("web.noorg.title"))
		return a.render(w, r, http.StatusOK, "no_org", v)
	}
	slug := a.Sessions.GetString(r.Context(), keyOrg)
	if !memberOf(c.Orgs, slug) {
		slug = c.Orgs[0].OrgSlug
	}
	return redirect(w, r, orgPath(slug, "/"))
}

// orgRoot adds the trailing slash of an organisation's dashboard URL.
func (a *app) orgRoot(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return redirect(w, r, orgPath(c.Org.Slug, "/"))
}

// notFound answers every path no route claims.
func (a *app) notFound(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return isms.Errorf(isms.KindNotFound, "web.error.no_page")
}

// switchOrg is the target of the organisation switcher (a GET form, so it
// works without JavaScript).
func (a *app) switchOrg(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	slug := r.URL.Query().Get("org")
	if slug == "" {
		return redirect(w, r, "/")
	}
	if !memberOf(c.Orgs, slug) {
		return isms.Errorf(isms.KindNotFound, "error.org_not_found")
	}
	return redirect(w, r, orgPath(slug, "/"))
}

type orgFormPage struct {
	Form *form
}

// newOrgPage shows the form for a new organisation, which any signed-in
// user may create (a consultant setting up a client).
func (a *app) newOrgPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f := newForm(orgValues(isms.Organisation{SizeBand: isms.SizeSmall, TimeZone: orDefault(c.Org.TimeZone, "UTC"), DateFormat: isms.DateFormats[0]}))
	return a.renderNewOrg(w, r, c, http.StatusOK, f)
}

func (a *app) renderNewOrg(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form) error {
	v := a.view(c, c.tr().T("web.orgnew.title"))
	v.Nav = "org-new"
	v.Data = &orgFormPage{Form: f}
	return a.render(w, r, status, "org_new", v)
}

// createOrg creates the organisation with the user as its owner.
func (a *app) createOrg(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.OrgFields))
	o := orgFromForm(f)
	if isms.Clean(o.Slug) == "" && isms.Clean(o.Name) != "" {
		o.Slug = isms.Slugify(o.Name)
		f.Set("slug", o.Slug)
	}
	o, err := a.DB.CreateOrg(r.Context(), c.User.ID, o)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			if f.Error("name") != "" && isms.Clean(f.Value("slug")) == "" {
				f.dropError("slug")
			}
			return a.renderNewOrg(w, r, c, status, f)
		}
		return err
	}
	a.flash(r, tr.T("web.orgnew.created", o.Name))
	return redirect(w, r, orgPath(o.Slug, "/"))
}
