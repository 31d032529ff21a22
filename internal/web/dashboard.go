package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

type dashboardPage struct {
	ShowPeople     bool
	People         int // active people
	WithoutAccount int // active people not linked to a user account
	ShowMembers    bool
	Members        int
	Steps          []step
	ShowRecent     bool
	Recent         []entryView
	MyActions      *myActionsCard // the member's open and overdue actions
	AssessmentDue  *dashboardDue  // when the next broad risk assessment is due
}

// step is one "getting started" task linking to the page that does it.
type step struct {
	Title, Text, URL, Action string
	Done                     bool
}

// dashboard shows real figures the member's role may see, recent changes
// for those who may read the audit log, and the next steps to set up.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	d := &dashboardPage{}
	var err error
	if d.MyActions, err = a.myActionsCard(r, c); err != nil {
		return err
	}
	if d.AssessmentDue, err = a.nextAssessmentDue(r, c); err != nil {
		return err
	}
	if c.Actor.Can(isms.PermReadRegisters) {
		p, err := a.DB.People(ctx, c.Actor, isms.ListQuery{CountOnly: true})
		if err != nil {
			return err
		}
		n, err := a.DB.People(ctx, c.Actor, isms.ListQuery{CountOnly: true, Filters: map[string]string{"user_id": "-"}})
		if err != nil {
			return err
		}
		d.ShowPeople, d.People, d.WithoutAccount = true, p.Total, n.Total
	}
	var members []isms.Membership
	if c.Actor.Can(isms.PermReadMembers) {
		var err error
		if members, err = a.DB.Members(ctx, c.Actor); err != nil {
			return err
		}
		d.ShowMembers, d.Members = true, len(members)
	}
	if c.Actor.Can(isms.PermReadAudit) {
		page, err := a.DB.AuditLog(ctx, c.Actor, isms.AuditFilter{Limit: 10})
		if err != nil {
			return err
		}
		names := memberNames(members)
		for _, e := range page.Items {
			d.Recent = append(d.Recent, describeEntry(tr, e, c.Org, names))
		}
		d.ShowRecent = true
	}
	href := func(p string) string { return orgPath(c.Org.Slug, p) }
	if c.Actor.Can(isms.PermWriteRegisters) {
		d.Steps = append(d.Steps, step{Title: tr.T("web.dashboard.step_people"), Text: tr.T("web.dashboard.step_people_text"),
			URL: href("/people/new"), Action: tr.T("web.people.add"), Done: d.People > 0})
	}
	if c.Actor.Can(isms.PermManageMembers) {
		d.Steps = append(d.Steps, step{Title: tr.T("web.dashboard.step_members"), Text: tr.T("web.dashboard.step_members_text"),
			URL: href("/members"), Action: tr.T("web.members.add"), Done: d.Members > 1})
	}
	if c.Actor.Can(isms.PermManageOrg) {
		d.Steps = append(d.Steps, step{Title: tr.T("web.dashboard.step_profile"), Text: tr.T("web.dashboard.step_profile_text"),
			URL: href("/settings"), Action: tr.T("web.dashboard.step_profile_action"), Done: c.Org.Sector != "" && c.Org.Countries != ""})
	}
	v := a.view(c, tr.T("web.dashboard.title"))
	v.Nav = "dashboard"
	v.Data = d
	return a.render(w, r, http.StatusOK, "dashboard", v)
}

// memberNames maps user ids to member names.
func memberNames(ms []isms.Membership) map[string]string {
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.UserID] = m.UserName
	}
	return out
}
