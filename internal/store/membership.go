package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func (t *tx) insertMembership(orgID, userID string, role isms.Role, actorID string) error {
	if !role.Valid() {
		return isms.Invalid("role", "validation.choice")
	}
	_, err := t.Exec(`INSERT INTO memberships (org_id, user_id, role, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)`,
		orgID, userID, role, t.nowText())
	if isUnique(err) {
		return isms.Invalid("email", "validation.already_member")
	}
	if err != nil {
		return err
	}
	return t.audit(orgID, actorID, "membership", userID, isms.ActionCreate, nil, map[string]any{"role": string(role)})
}

// Memberships lists the organisations a user belongs to, by name.
func (db *DB) Memberships(ctx context.Context, userID string) ([]isms.Membership, error) {
	var out []isms.Membership
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT m.org_id, m.user_id, m.role, m.version, o.slug, o.name
			FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY lower(o.name), o.slug`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m isms.Membership
			if err := rows.Scan(&m.OrgID, &m.UserID, &m.Role, &m.Version, &m.OrgSlug, &m.OrgName); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// ActorFor resolves a user's role in the organisation with that slug. A
// user who is not a member gets not-found, so organisation slugs do not
// leak to outsiders.
func (db *DB) ActorFor(ctx context.Context, userID, slug string) (isms.Actor, isms.Organisation, error) {
	var a isms.Actor
	var o isms.Organisation
	err := db.read(ctx, func(t *tx) error {
		// One statement, as the API's authentication (TokenActor).
		var name string
		var os orgScan
		// With the organisation's audit head, which the request's
		// reads then need not read (see readMemo).
		var head int64
		err := t.QueryRow(`SELECT `+orgColumnsOf+`, m.role, u.name, `+orgHeadColumn+` FROM organisations o
			JOIN memberships m ON m.org_id = o.id JOIN users u ON u.id = m.user_id `+orgHeadJoin+`
			WHERE o.slug = $1 AND m.user_id = $2`, slug, userID).Scan(append(os.dest(), &a.Role, &name, &head)...)
		if err != nil {
			return err
		}
		o, err = t.memberOf(ctx, &os, head, &a, userID, name)
		return err
	})
	if isms.ErrorKind(err) == isms.KindNotFound {
		err = isms.Errorf(isms.KindNotFound, "error.org_not_found")
	}
	return a, o, err
}

// memberOf completes a read of a membership with its organisation's
// columns (os) and audit head, the role already in a: it gives the
// organisation, fills in the actor for the user, and keeps the head for
// the request's later reads (see readMemo). ActorFor and TokenActor share
// it.
func (t *tx) memberOf(ctx context.Context, os *orgScan, head int64, a *isms.Actor, userID, name string) (isms.Organisation, error) {
	if err := os.finish(); err != nil {
		return isms.Organisation{}, err
	}
	if m := readMemoOf(ctx); m != nil {
		m.keepHeads(map[string]int64{os.o.ID: head}, t.gen)
	}
	a.UserID, a.UserName, a.OrgID, a.OrgSlug = userID, name, os.o.ID, os.o.Slug
	return os.o, nil
}

// Members lists the organisation's members. Register lists offer them as
// an owner filter on every view, so the list is kept until the
// organisation's records change (adding, changing and removing members
// are audited; accounts keep their names and e-mail addresses).
func (db *DB) Members(ctx context.Context, a isms.Actor) ([]isms.Membership, error) {
	if err := a.Require(isms.PermReadMembers); err != nil {
		return nil, err
	}
	var out []isms.Membership
	err := db.read(ctx, func(t *tx) error {
		ms, err := t.keptMembers(a.OrgID)
		if err == nil {
			out = slices.Clone(ms)
		}
		return err
	})
	return out, err
}

// keptMembers is the organisation's members as members reads them, kept
// until its records change; callers must not change what they get.
func (t *tx) keptMembers(orgID string) ([]isms.Membership, error) {
	v, err := t.kept(orgID, "members", func() (any, error) { return t.members(orgID) })
	if err != nil {
		return nil, err
	}
	return v.([]isms.Membership), nil
}

func (t *tx) members(orgID string) ([]isms.Membership, error) {
	rows, err := t.Query(`SELECT m.org_id, m.user_id, m.role, m.version, m.created_at, m.updated_at, u.email, u.name
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY lower(u.name), u.email`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.Membership
	for rows.Next() {
		var m isms.Membership
		var c, u string
		if err := rows.Scan(&m.OrgID, &m.UserID, &m.Role, &m.Version, &c, &u, &m.UserEmail, &m.UserName); err != nil {
			return nil, err
		}
		m.CreatedAt, _ = isms.ParseTime(c)
		m.UpdatedAt, _ = isms.ParseTime(u)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberCount reports how many members the organisation has.
func (db *DB) MemberCount(ctx context.Context, a isms.Actor) (int, error) {
	var n int
	err := db.read(ctx, func(t *tx) error {
		return t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1`, a.OrgID).Scan(&n)
	})
	return n, err
}

// NewMember describes someone an owner adds to the organisation. When no
// account exists for Email one is created with Name and PasswordHash.
type NewMember struct {
	Email        string
	Name         string
	Role         isms.Role
	PasswordHash string
}

// AddMember adds a user to the organisation (owners only), creating the
// account if needed. It reports whether an account was created.
func (db *DB) AddMember(ctx context.Context, a isms.Actor, nm NewMember) (isms.Membership, bool, error) {
	var m isms.Membership
	created := false
	if err := a.Require(isms.PermManageMembers); err != nil {
		return m, false, err
	}
	nm.Email = isms.NormalizeEmail(nm.Email)
	var p isms.Problems
	if !isms.ValidEmail(nm.Email) {
		p.Add("email", "validation.email")
	}
	if !nm.Role.Valid() {
		p.Add("role", "validation.choice")
	}
	if err := p.Err(); err != nil {
		return m, false, err
	}
	err := db.write(ctx, func(t *tx) error {
		u, err := scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, nm.Email))
		if err == sql.ErrNoRows {
			if nm.PasswordHash == "" {
				return isms.Invalid("password", "validation.required")
			}
			u = isms.User{Email: nm.Email, Name: nm.Name, PasswordHash: nm.PasswordHash}
			if err := t.insertUser(&u, a.UserID); err != nil {
				return err
			}
			created = true
		} else if err != nil {
			return err
		}
		if err := t.insertMembership(a.OrgID, u.ID, nm.Role, a.UserID); err != nil {
			return err
		}
		m = isms.Membership{OrgID: a.OrgID, UserID: u.ID, Role: nm.Role, Version: 1, UserEmail: u.Email, UserName: u.Name, CreatedAt: t.now, UpdatedAt: t.now}
		return nil
	})
	return m, created, err
}

// ownersLeft counts owners other than userID.
func (t *tx) ownersLeft(orgID, userID string) (int, error) {
	var n int
	err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND user_id <> $2`, orgID, userID).Scan(&n)
	return n, err
}

// ChangeRole changes a member's role (owners only). The last owner cannot
// be demoted, so an organisation never loses its owner.
func (db *DB) ChangeRole(ctx context.Context, a isms.Actor, userID string, role isms.Role, base int) error {
	if err := a.Require(isms.PermManageMembers); err != nil {
		return err
	}
	if !role.Valid() {
		return isms.Invalid("role", "validation.choice")
	}
	return db.write(ctx, func(t *tx) error {
		var cur isms.Role
		var version int
		if err := t.QueryRow(`SELECT role, version FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, userID).Scan(&cur, &version); err != nil {
			return err
		}
		if version != base {
			return isms.Errorf(isms.KindConflict, "error.stale_member")
		}
		if cur == role {
			return nil
		}
		if cur == isms.RoleOwner {
			if n, err := t.ownersLeft(a.OrgID, userID); err != nil {
				return err
			} else if n == 0 {
				return isms.Invalid("role", "validation.last_owner")
			}
		}
		if _, err := t.Exec(`UPDATE memberships SET role = $1, version = version + 1, updated_at = $2 WHERE org_id = $3 AND user_id = $4 AND version = $5`,
			role, t.nowText(), a.OrgID, userID, base); err != nil {
			return err
		}
		return t.audit(a.OrgID, a.UserID, "membership", userID, isms.ActionUpdate, map[string]any{"role": string(cur)}, map[string]any{"role": string(role)})
	})
}

// RemoveMember removes a user from the organisation (owners only). The
// account itself stays, as it may belong to other organisations; people
// records linked to it are unlinked.
func (db *DB) RemoveMember(ctx context.Context, a isms.Actor, userID string) error {
	if err := a.Require(isms.PermManageMembers); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		var cur isms.Role
		if err := t.QueryRow(`SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, userID).Scan(&cur); err != nil {
			return err
		}
		if cur == isms.RoleOwner {
			if n, err := t.ownersLeft(a.OrgID, userID); err != nil {
				return err
			} else if n == 0 {
				return isms.Invalid("role", "validation.last_owner")
			}
		}
		if _, err := t.Exec(`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, userID); err != nil {
			return err
		}
		return t.audit(a.OrgID, a.UserID, "membership", userID, isms.ActionDelete, map[string]any{"role": string(cur)}, nil)
	})
}

// AddMemberByEmail adds an existing user with a role; the command line uses
// it without an acting user.
func (db *DB) AddMemberByEmail(ctx context.Context, slug, email string, role isms.Role) error {
	return db.write(ctx, func(t *tx) error {
		o, err := scanOrg(t.QueryRow(`SELECT `+orgColumns+` FROM organisations WHERE slug = $1`, strings.ToLower(slug)))
		if err == sql.ErrNoRows {
			return isms.Errorf(isms.KindNotFound, "error.org_not_found")
		} else if err != nil {
			return err
		}
		u, err := scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, isms.NormalizeEmail(email)))
		if err != nil {
			return err
		}
		return t.insertMembership(o.ID, u.ID, role, "")
	})
}

// RequestView is what the web UI needs to know about a signed-in user on
// every request: the account, the organisations they belong to, and — when
// an organisation is named — their role in it.
type RequestView struct {
	User        isms.User
	Memberships []isms.Membership
	// InOrg is set when slug named an organisation the user belongs to.
	InOrg bool
	Actor isms.Actor
	Org   isms.Organisation
}

// RequestView reads the user, their memberships and their role in the
// organisation with slug (if any) in one read transaction. An unknown
// user is not-found; an organisation the user does not belong to leaves
// InOrg false. A request whose session read brought the user's
// memberships along (SessionStore.FindCtx) is answered from those.
func (db *DB) RequestView(ctx context.Context, userID, slug string) (RequestView, error) {
	if m := readMemoOf(ctx); m != nil {
		if mv, ok := m.members(userID); ok {
			return mv.requestView(slug), nil
		}
	}
	var mv memberView
	err := db.read(ctx, func(t *tx) error {
		// One statement for the user, the memberships and their
		// organisations' records (the current one needs no query of its
		// own); only a user without memberships is read on its own.
		err := t.readTogether(reading{q: `SELECT ` + memberViewColumns + `
			FROM memberships m JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.org_id
			WHERE m.user_id = $1 ORDER BY lower(o.name), o.slug`, args: []any{userID},
			row: func(r scanner) error { return mv.scanRow(r, nil) }})
		if err != nil {
			return err
		}
		if len(mv.members) == 0 {
			mv.user, err = scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
		}
		return err
	})
	return mv.requestView(slug), err
}

// memberView is a user with their memberships, each with its
// organisation's record: what a request needs to know of its user.
type memberView struct {
	user    isms.User
	members []isms.Membership
	orgs    []isms.Organisation // orgs[i] is members[i]'s
}

// memberViewColumns are the columns memberView.scanRow reads, from users u,
// memberships m and organisations o.
var memberViewColumns = userColumnsOf + `, ` + orgColumnsOf + `, m.role, m.version`

// orgHeadColumn is each organisation's audit head, from orgHeadJoin,
// which memberView.scanRow reads after memberViewColumns when it is
// given heads to fill.
//
// A join rather than a subquery in the column list: on PostgreSQL the
// session's statement, whose rows are sorted, then needed enough of the
// backend's memory that each execution grew the backend's heap and gave
// it back, which cost PostgreSQL four times the statement's own work
// (page faults, and unmapping the memory on every core).
const orgHeadColumn = `COALESCE(h.seq, 0)`

// orgHeadJoin joins each organisation o to its audit head h, if it has one.
const orgHeadJoin = `LEFT JOIN audit_heads h ON h.org_id = o.id`

// scanRow reads a row of memberViewColumns into mv, after the columns
// lead scans into (the same on every row). If heads is not nil, the row
// ends with orgHeadColumn, which goes into heads.
func (mv *memberView) scanRow(r scanner, heads map[string]int64, lead ...any) error {
	var us userScan
	var os orgScan
	var m isms.Membership
	var head int64
	dest := append(append(append(lead, us.dest()...), os.dest()...), &m.Role, &m.Version)
	if heads != nil {
		dest = append(dest, &head)
	}
	if err := r.Scan(dest...); err != nil {
		return err
	}
	if heads != nil {
		heads[os.o.ID] = head
	}
	if err := us.finish(); err != nil {
		return err
	}
	if err := os.finish(); err != nil {
		return err
	}
	mv.user = us.u
	m.UserID, m.OrgID, m.OrgSlug, m.OrgName = us.u.ID, os.o.ID, os.o.Slug, os.o.Name
	mv.members = append(mv.members, m)
	mv.orgs = append(mv.orgs, os.o)
	return nil
}

// requestView is what a request in the organisation with slug sees.
func (mv memberView) requestView(slug string) RequestView {
	v := RequestView{User: mv.user, Memberships: mv.members}
	for i, m := range mv.members {
		if slug != "" && m.OrgSlug == slug {
			v.InOrg, v.Org = true, mv.orgs[i]
			v.Actor = isms.Actor{UserID: mv.user.ID, UserName: mv.user.Name, OrgID: m.OrgID, OrgSlug: m.OrgSlug, Role: m.Role}
		}
	}
	return v
}
