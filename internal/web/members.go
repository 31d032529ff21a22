package web

import (
	"net/http"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

type membersPage struct {
	Members   []isms.Membership
	Self      string // the signed-in user's id
	CanManage bool
	Form      *form // the add-member form
	Roles     []option
	AllRoles  []isms.Role
	Notice    string // why a role change or removal was refused
}

// membersPage lists the organisation's members; owners also get the
// forms to add members, change roles and remove members.
func (a *app) membersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f := newForm(map[string]string{"role": string(isms.RoleStaff)})
	return a.renderMembers(w, r, c, http.StatusOK, f, "")
}

func (a *app) renderMembers(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, notice string) error {
	tr := c.tr()
	ms, err := a.DB.Members(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	d := &membersPage{Members: ms, Self: c.User.ID, CanManage: c.Actor.Can(isms.PermManageMembers), Form: f, AllRoles: isms.Roles, Notice: notice}
	for _, role := range isms.Roles {
		d.Roles = append(d.Roles, option{string(role), tr.T("role." + string(role))})
	}
	v := a.view(c, tr.T("web.members.title"))
	v.Nav = "members"
	v.Data = d
	return a.render(w, r, status, "members", v)
}

// addMember adds someone by email. An account is created when none exists
// yet, with the initial password the owner chose.
func (a *app) addMember(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := c.Actor.Require(isms.PermManageMembers); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, map[string]string{
		"email": "web.members.email", "name": "web.members.name", "role": "web.members.role", "password": "web.members.password",
	})
	nm := store.NewMember{Email: f.Value("email"), Name: strings.TrimSpace(f.Value("name")), Role: isms.Role(f.Value("role"))}
	if pw := r.PostForm.Get("password"); pw != "" {
		if err := isms.ValidatePassword("password", pw); err != nil {
			f.take(tr, err, nil)
			return a.renderMembers(w, r, c, http.StatusUnprocessableEntity, f, "")
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		nm.PasswordHash = hash
	}
	m, created, err := a.DB.AddMember(r.Context(), c.Actor, nm)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderMembers(w, r, c, status, f, "")
		}
		return err
	}
	key := "web.members.added"
	if created {
		key = "web.members.added_new"
	}
	a.flash(r, tr.T(key, m.UserName, m.Role))
	return redirect(w, r, orgPath(c.Org.Slug, "/members"))
}

// changeRole gives a member another role. The last owner cannot step down.
func (a *app) changeRole(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r)
	base, err := f.version()
	if err != nil {
		return err
	}
	role := isms.Role(f.Value("role"))
	if err := a.DB.ChangeRole(r.Context(), c.Actor, r.PathValue("user"), role, base); err != nil {
		return a.memberRefused(w, r, c, err)
	}
	a.flash(r, tr.T("web.members.role_changed", role))
	return redirect(w, r, orgPath(c.Org.Slug, "/members"))
}

// removeMember takes someone out of the organisation; their account stays.
func (a *app) removeMember(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	uid := r.PathValue("user")
	if err := a.DB.RemoveMember(r.Context(), c.Actor, uid); err != nil {
		return a.memberRefused(w, r, c, err)
	}
	if uid == c.User.ID {
		a.flash(r, tr.T("web.members.left", c.Org.Name))
		return redirect(w, r, "/")
	}
	a.flash(r, tr.T("web.members.removed"))
	return redirect(w, r, orgPath(c.Org.Slug, "/members"))
}

// memberRefused shows why a role change or removal did not happen (the
// last owner, a stale form) on the members page.
func (a *app) memberRefused(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) error {
	kind := isms.ErrorKind(err)
	if kind != isms.KindInvalid && kind != isms.KindConflict {
		return err
	}
	tr := c.tr()
	msg := tr.Error(err)
	if e := isms.AsError(err); len(e.Fields) > 0 {
		msg = tr.Msg(e.Fields[0].Msg)
	}
	status := http.StatusUnprocessableEntity
	if kind == isms.KindConflict {
		status = http.StatusConflict
	}
	return a.renderMembers(w, r, c, status, newForm(map[string]string{"role": string(isms.RoleStaff)}), msg)
}
