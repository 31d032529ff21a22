package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// SessionStore keeps browser sessions in the database for scs. Tokens are
// stored only as SHA-256 hashes, so a copy of the database cannot be used to
// take over a session.
//
// The store also enforces the idle timeout: a session unused for longer
// than idle is not found. Rather than rewrite the session on every request
// to move its idle deadline, reading it marks it seen, at most once per
// seenEvery, so an ordinary page view writes nothing.
type SessionStore struct {
	db   *DB
	idle time.Duration
}

// seenEvery is how stale a session's last-seen time may get before a
// request updates it; the idle timeout is enforced to this precision.
const seenEvery = time.Minute

// Sessions returns the scs store backed by this database; sessions unused
// for idle end (0: only their lifetime ends them).
func (db *DB) Sessions(idle time.Duration) *SessionStore {
	return &SessionStore{db: db, idle: idle}
}

// HashSessionToken hashes a session token as it is stored.
func HashSessionToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindCtx returns the session data for token if it exists, has not
// expired and has been used within the idle timeout.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	var seen string
	hash := HashSessionToken(token)
	var now time.Time
	memo := readMemoOf(ctx)
	err := s.db.read(ctx, func(t *tx) error {
		now = t.now
		if memo != nil {
			// In a request, the session of a member is read together with
			// the user's memberships, which the request reads next
			// (RequestView), and their organisations' audit heads, which
			// its reads of kept values need: one statement instead of
			// three.
			var mv memberView
			heads := map[string]int64{}
			err := t.readTogether(reading{q: `SELECT s.data, s.last_seen_at, ` + memberViewColumns + `, ` + orgHeadColumn + `
				FROM sessions s JOIN users u ON u.id = s.user_id JOIN memberships m ON m.user_id = u.id
				JOIN organisations o ON o.id = m.org_id ` + orgHeadJoin + `
				WHERE s.token_hash = $1 AND s.expiry > $2 ORDER BY lower(o.name), o.slug`, args: []any{hash, t.nowText()},
				row: func(r scanner) error { return mv.scanRow(r, heads, &data, &seen) }})
			if err != nil {
				return err
			}
			if len(mv.members) > 0 {
				memo.keepMembers(mv)
				memo.keepHeads(heads, t.gen)
				return nil
			}
			// Not a member's session: no user yet, or none of the
			// user's organisations.
		}
		return t.QueryRow(`SELECT data, last_seen_at FROM sessions WHERE token_hash = $1 AND expiry > $2`, hash, t.nowText()).Scan(&data, &seen)
	})
	if isms.ErrorKind(err) == isms.KindNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	last, err := isms.ParseTime(seen)
	if err != nil {
		return nil, false, fmt.Errorf("session last seen %q: %w", seen, err)
	}
	if s.idle > 0 && now.Sub(last) > s.idle {
		return nil, false, nil
	}
	if now.Sub(last) >= seenEvery {
		err := s.db.writeAside(ctx, func(t *tx) error {
			_, err := t.Exec(`UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, t.nowText(), hash)
			return err
		})
		if err != nil {
			return nil, false, err
		}
	}
	return data, true, nil
}

// CommitCtx stores session data until expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.db.writeAside(ctx, func(t *tx) error {
		_, err := t.Exec(`INSERT INTO sessions (token_hash, data, expiry, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, last_seen_at = excluded.last_seen_at`,
			HashSessionToken(token), b, isms.FormatTime(expiry), t.nowText())
		return err
	})
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.db.writeAside(ctx, func(t *tx) error {
		_, err := t.Exec(`DELETE FROM sessions WHERE token_hash = $1`, HashSessionToken(token))
		return err
	})
}

// Find, Commit and Delete satisfy scs.Store for callers without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit stores session data; see CommitCtx.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete removes a session; see DeleteCtx.
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// TagSession records which user a session belongs to and from where, so
// the user can list and revoke their sessions.
func (db *DB) TagSession(ctx context.Context, token, userID, userAgent, ip string) error {
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	return db.writeAside(ctx, func(t *tx) error {
		_, err := t.Exec(`UPDATE sessions SET user_id = $1, user_agent = $2, ip = $3 WHERE token_hash = $4`, userID, userAgent, ip, HashSessionToken(token))
		return err
	})
}

// UserSessions lists a user's unexpired sessions, marking the one whose
// token is current.
func (db *DB) UserSessions(ctx context.Context, userID, current string) ([]isms.Session, error) {
	var out []isms.Session
	cur := HashSessionToken(current)
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT token_hash, created_at, last_seen_at, expiry, user_agent, ip FROM sessions WHERE user_id = $1 AND expiry > $2 ORDER BY last_seen_at DESC`, userID, t.nowText())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s isms.Session
			var hash, c, l, e string
			if err := rows.Scan(&hash, &c, &l, &e, &s.UserAgent, &s.IP); err != nil {
				return err
			}
			s.ID, s.UserID, s.Current = hash[:16], userID, hash == cur
			s.CreatedAt, _ = isms.ParseTime(c)
			s.LastSeenAt, _ = isms.ParseTime(l)
			s.ExpiresAt, _ = isms.ParseTime(e)
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeSession signs out one of the user's sessions by its short id.
func (db *DB) RevokeSession(ctx context.Context, userID, id string) error {
	if len(id) != 16 {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	return db.writeAside(ctx, func(t *tx) error {
		res, err := t.Exec(`DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2`, userID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		return nil
	})
}

// DeleteExpiredSessions removes expired sessions; the server calls it
// periodically.
func (db *DB) DeleteExpiredSessions(ctx context.Context) error {
	return db.writeAside(ctx, func(t *tx) error {
		_, err := t.Exec(`DELETE FROM sessions WHERE expiry <= $1`, t.nowText())
		return err
	})
}
