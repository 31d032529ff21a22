package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// CreateToken stores a new API token for the user. hash is the SHA-256 of
// the secret, which itself is never stored.
func (db *DB) CreateToken(ctx context.Context, userID, name, prefix, hash string) (isms.APIToken, error) {
	tok := isms.APIToken{UserID: userID, Name: isms.Clean(name), Prefix: prefix}
	if tok.Name == "" {
		return tok, isms.Invalid("name", "validation.required")
	}
	if len([]rune(tok.Name)) > 100 {
		return tok, isms.Invalid("name", "validation.too_long", 100)
	}
	err := db.write(ctx, func(t *tx) error {
		tok.ID, tok.CreatedAt = newID(), t.now
		if _, err := t.Exec(`INSERT INTO api_tokens (id, user_id, name, prefix, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			tok.ID, userID, tok.Name, prefix, hash, t.nowText()); err != nil {
			return err
		}
		return t.audit("", userID, "api_token", tok.ID, isms.ActionCreate, nil, map[string]any{"name": tok.Name, "prefix": prefix})
	})
	return tok, err
}

func scanToken(row interface{ Scan(...any) error }) (isms.APIToken, error) {
	var tok isms.APIToken
	var created string
	var used, revoked sql.NullString
	if err := row.Scan(&tok.ID, &tok.UserID, &tok.Name, &tok.Prefix, &created, &used, &revoked); err != nil {
		return tok, err
	}
	tok.CreatedAt, _ = isms.ParseTime(created)
	if used.Valid {
		t, _ := isms.ParseTime(used.String)
		tok.LastUsedAt = &t
	}
	if revoked.Valid {
		t, _ := isms.ParseTime(revoked.String)
		tok.RevokedAt = &t
	}
	return tok, nil
}

// Tokens lists a user's API tokens, newest first.
func (db *DB) Tokens(ctx context.Context, userID string) ([]isms.APIToken, error) {
	var out []isms.APIToken
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			tok, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, tok)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeToken revokes one of the user's own tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, id string) error {
	return db.write(ctx, func(t *tx) error {
		res, err := t.Exec(`UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, t.nowText(), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		return t.audit("", userID, "api_token", id, "revoke", nil, nil)
	})
}

// TokenActor returns the user owning the unrevoked token with that hash
// and, unless slug is empty, the user's role in the organisation with that
// slug (as ActorFor), and records the token's use. Unknown or revoked
// tokens are unauthorized; an organisation the user is not a member of is
// not found, as one that does not exist.
//
// An API call is authenticated in one statement: the token, its user and
// the membership together, with the organisation's audit head, which the
// call's reads then need not read (see readMemo). Only a refusal reads
// again, to tell which it is. The lookup is a read; the last-used time is
// written at most once a minute per token, so API requests do not queue
// behind SQLite's single writer.
func (db *DB) TokenActor(ctx context.Context, hash, slug string) (isms.User, isms.Actor, isms.Organisation, error) {
	var u isms.User
	var a isms.Actor
	var o isms.Organisation
	var id string
	var used sql.NullString
	var created, updated string
	token := []any{&id, &used, &u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Version, &created, &updated}
	const tokenColumns = `k.id, k.last_used_at, u.id, u.email, u.name, u.password_hash, u.version, u.created_at, u.updated_at`
	member := false
	err := db.read(ctx, func(t *tx) error {
		if slug != "" {
			var os orgScan
			var head int64
			found := false
			err := t.readTogether(reading{q: `SELECT ` + tokenColumns + `, ` + orgColumnsOf + `, m.role, ` + orgHeadColumn + `
				FROM api_tokens k JOIN users u ON u.id = k.user_id JOIN memberships m ON m.user_id = u.id
				JOIN organisations o ON o.id = m.org_id ` + orgHeadJoin + `
				WHERE k.hash = $1 AND k.revoked_at IS NULL AND o.slug = $2`, args: []any{hash, slug},
				row: func(r scanner) error {
					found = true
					return r.Scan(append(append(token, os.dest()...), &a.Role, &head)...)
				}})
			if err != nil {
				return err
			}
			if found {
				o, err = t.memberOf(ctx, &os, head, &a, u.ID, u.Name)
				member = err == nil
				return err
			}
		}
		err := t.QueryRow(`SELECT `+tokenColumns+` FROM api_tokens k JOIN users u ON u.id = k.user_id
			WHERE k.hash = $1 AND k.revoked_at IS NULL`, hash).Scan(token...)
		if err == sql.ErrNoRows {
			return isms.Errorf(isms.KindUnauthorized, "error.bad_token")
		}
		return err
	})
	if err != nil {
		return u, a, o, err
	}
	u.CreatedAt, _ = isms.ParseTime(created)
	u.UpdatedAt, _ = isms.ParseTime(updated)
	cutoff := isms.FormatTime(db.Now().Add(-time.Minute))
	if !used.Valid || used.String < cutoff {
		err = db.writeAside(ctx, func(t *tx) error {
			_, err := t.Exec(`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
				t.nowText(), id, isms.FormatTime(t.now.Add(-time.Minute)))
			return err
		})
	}
	if err == nil && slug != "" && !member {
		err = isms.Errorf(isms.KindNotFound, "error.org_not_found")
	}
	return u, a, o, err
}
