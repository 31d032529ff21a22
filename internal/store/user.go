package store

import (
	"context"
	"database/sql"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

const userColumns = `id, email, name, password_hash, version, created_at, updated_at`

// userColumnsOf is userColumns of the users table named u.
var userColumnsOf = qualified("u", userColumns)

func scanUser(row interface{ Scan(...any) error }) (isms.User, error) {
	var s userScan
	err := scanPart(row, &s)
	return s.u, err
}

// userScan reads userColumns as part of a wider row.
type userScan struct {
	u isms.User
	stamps
}

func (s *userScan) dest() []any {
	return []any{&s.u.ID, &s.u.Email, &s.u.Name, &s.u.PasswordHash, &s.u.Version, &s.created, &s.updated}
}

func (s *userScan) finish() error { return s.parse(&s.u.CreatedAt, &s.u.UpdatedAt) }

// insertUser creates a user account; passwordHash is already hashed.
func (t *tx) insertUser(u *isms.User, actorID string) error {
	u.Email = isms.NormalizeEmail(u.Email)
	u.Name = isms.Clean(u.Name)
	if err := u.Validate(); err != nil {
		return err
	}
	u.ID, u.Version, u.CreatedAt, u.UpdatedAt = newID(), 1, t.now, t.now
	_, err := t.Exec(`INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, u.Name, u.PasswordHash, u.Version, t.nowText(), t.nowText())
	if isUnique(err) {
		return isms.Invalid("email", "validation.email_taken")
	}
	if err != nil {
		return err
	}
	return t.audit("", actorID, "user", u.ID, isms.ActionCreate, nil, map[string]any{"email": u.Email, "name": u.Name})
}

// UserCount reports how many user accounts exist; zero means the
// installation still needs its first-run setup.
func (db *DB) UserCount(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(t *tx) error { return t.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n) })
	return n, err
}

// UserByEmail finds a user by email (case-insensitive). It is for sign-in
// and the command line; it reveals nothing to other users.
func (db *DB) UserByEmail(ctx context.Context, email string) (isms.User, error) {
	var u isms.User
	err := db.read(ctx, func(t *tx) error {
		var err error
		u, err = scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, isms.NormalizeEmail(email)))
		return err
	})
	return u, err
}

// UserByID returns a user by id.
func (db *DB) UserByID(ctx context.Context, id string) (isms.User, error) {
	var u isms.User
	err := db.read(ctx, func(t *tx) error {
		var err error
		u, err = scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		return err
	})
	return u, err
}

// SetPassword replaces a user's password hash and signs out their other
// sessions except keepSession (a session token hash; empty signs out all).
func (db *DB) SetPassword(ctx context.Context, userID, hash, keepSession string) error {
	return db.write(ctx, func(t *tx) error {
		res, err := t.Exec(`UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3`, hash, t.nowText(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return sql.ErrNoRows
		}
		if _, err := t.Exec(`DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, keepSession); err != nil {
			return err
		}
		return t.audit("", userID, "user", userID, "password_change", nil, nil)
	})
}

// CreateUser creates an account without any membership (command line).
func (db *DB) CreateUser(ctx context.Context, u isms.User) (isms.User, error) {
	err := db.write(ctx, func(t *tx) error { return t.insertUser(&u, "") })
	return u, err
}

// Setup creates the first organisation and its owner, but only while no
// user exists, so a setup link cannot be used twice.
func (db *DB) Setup(ctx context.Context, o isms.Organisation, u isms.User) (isms.Organisation, isms.User, error) {
	err := db.write(ctx, func(t *tx) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return isms.Errorf(isms.KindConflict, "error.setup_done")
		}
		return t.createOrgWithOwner(&o, &u)
	})
	return o, u, err
}

func (t *tx) createOrgWithOwner(o *isms.Organisation, u *isms.User) error {
	o.Normalize()
	var p isms.Problems
	if err := o.Validate(); err != nil {
		for _, f := range isms.AsError(err).Fields {
			p.Add(f.Field, f.Msg.Key, f.Msg.Args...)
		}
	}
	u.Email, u.Name = isms.NormalizeEmail(u.Email), isms.Clean(u.Name)
	if err := u.Validate(); err != nil {
		for _, f := range isms.AsError(err).Fields {
			p.Add(f.Field, f.Msg.Key, f.Msg.Args...)
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := t.insertUser(u, ""); err != nil {
		return err
	}
	if err := t.insertOrg(o, u.ID); err != nil {
		return err
	}
	if err := t.insertMembership(o.ID, u.ID, isms.RoleOwner, u.ID); err != nil {
		return err
	}
	_, err := t.Exec(`DELETE FROM settings WHERE key = 'setup_token'`)
	return err
}

// InitOrg creates an organisation and its owner from the command line. The
// owner may already exist (a consultant adding another firm), in which case
// the password is left alone.
func (db *DB) InitOrg(ctx context.Context, o isms.Organisation, u isms.User) (isms.Organisation, isms.User, error) {
	err := db.write(ctx, func(t *tx) error {
		existing, err := scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, isms.NormalizeEmail(u.Email)))
		if err == sql.ErrNoRows {
			return t.createOrgWithOwner(&o, &u)
		}
		if err != nil {
			return err
		}
		u = existing
		if err := t.insertOrg(&o, u.ID); err != nil {
			return err
		}
		return t.insertMembership(o.ID, u.ID, isms.RoleOwner, "")
	})
	return o, u, err
}

// SetupToken returns the one-time setup token, creating it with newToken
// if none is stored. It returns "" once any user exists.
func (db *DB) SetupToken(ctx context.Context, newToken func() string) (string, error) {
	var tok string
	err := db.write(ctx, func(t *tx) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n > 0 {
			return err
		}
		err := t.QueryRow(`SELECT value FROM settings WHERE key = 'setup_token'`).Scan(&tok)
		if err == sql.ErrNoRows {
			tok = newToken()
			_, err = t.Exec(`INSERT INTO settings (key, value) VALUES ('setup_token', $1)`, tok)
		}
		return err
	})
	return tok, err
}

// CheckSetupToken reports whether tok is the current setup token.
func (db *DB) CheckSetupToken(ctx context.Context, tok string) (bool, error) {
	if tok == "" {
		return false, nil
	}
	var stored string
	err := db.read(ctx, func(t *tx) error {
		err := t.QueryRow(`SELECT value FROM settings WHERE key = 'setup_token'`).Scan(&stored)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	return stored != "" && constantTimeEqual(stored, tok), err
}
