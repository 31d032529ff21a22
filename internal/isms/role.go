package isms

// Role is a member's role in one organisation. A user holds exactly one role
// in each organisation they belong to.
type Role string

// The roles, from most to least powerful.
const (
	// RoleOwner runs the organisation in Holdfast: members, settings, everything.
	RoleOwner Role = "owner"
	// RoleISMSManager runs the ISMS day to day: every register, approvals.
	RoleISMSManager Role = "isms_manager"
	// RoleContributor owns the risks, controls and actions assigned to them.
	RoleContributor Role = "contributor"
	// RoleAuditor reads everything, including the audit log, and records findings.
	RoleAuditor Role = "auditor"
	// RoleStaff reads and accepts policies and sees their own tasks.
	RoleStaff Role = "staff"
)

// Roles lists every role in display order.
var Roles = []Role{RoleOwner, RoleISMSManager, RoleContributor, RoleAuditor, RoleStaff}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Permission is one thing a role may do inside an organisation.
type Permission string

// The permissions checked by the store before every action.
const (
	// PermReadRegisters reads ISMS registers (people, risks, controls …).
	PermReadRegisters Permission = "registers.read"
	// PermWriteRegisters creates and edits any register record.
	PermWriteRegisters Permission = "registers.write"
	// PermWriteOwned edits records the member owns (contributors).
	PermWriteOwned Permission = "registers.write_owned"
	// PermReadMembers lists the organisation's members.
	PermReadMembers Permission = "members.read"
	// PermManageMembers invites members, changes roles and removes members.
	PermManageMembers Permission = "members.manage"
	// PermManageOrg edits the organisation's profile and settings.
	PermManageOrg Permission = "org.manage"
	// PermReadAudit browses the audit log.
	PermReadAudit Permission = "audit.read"
)

var rolePerms = map[Role][]Permission{
	RoleOwner:       {PermReadRegisters, PermWriteRegisters, PermWriteOwned, PermReadMembers, PermManageMembers, PermManageOrg, PermReadAudit},
	RoleISMSManager: {PermReadRegisters, PermWriteRegisters, PermWriteOwned, PermReadMembers},
	RoleContributor: {PermReadRegisters, PermWriteOwned, PermReadMembers},
	RoleAuditor:     {PermReadRegisters, PermReadMembers, PermReadAudit},
	RoleStaff:       {},
}

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool {
	for _, x := range rolePerms[r] {
		if x == p {
			return true
		}
	}
	return false
}

// Actor is who performs an action: a signed-in user acting inside one
// organisation with the role they hold there. Every store method that reads
// or writes organisation records takes an Actor and confines itself to
// Actor.OrgID.
type Actor struct {
	UserID   string
	UserName string
	OrgID    string
	OrgSlug  string
	Role     Role
}

// Require returns a forbidden error unless the actor's role grants p.
func (a Actor) Require(p Permission) error {
	if a.OrgID == "" || a.UserID == "" || !a.Role.Can(p) {
		return Errorf(KindForbidden, "error.forbidden")
	}
	return nil
}

// Can reports whether the actor's role grants p.
func (a Actor) Can(p Permission) bool { return a.Role.Can(p) }
