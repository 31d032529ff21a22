package store

import "database/sql"

// userRef is a user's id and where the user's name and email address go
// (either may be nil: not wanted).
type userRef struct {
	id    string
	name  *string
	email *string
}

// userLabel is what a record shows of a user who owns or did something.
type userLabel struct{ name, email string }

// nameUsers writes the name (and email address, where asked) of each user
// refs names where it asks: from the organisation's members (kept until
// its records change; a membership is audited and accounts keep their
// names and addresses), and read for any other user, such as one who has
// left the organisation but still owns its records. A missing user leaves
// both empty.
func (t *tx) nameUsers(orgID string, refs []userRef) error {
	v, err := t.kept(orgID, "user names", func() (any, error) {
		ms, err := t.keptMembers(orgID)
		if err != nil {
			return nil, err
		}
		users := make(map[string]userLabel, len(ms))
		for _, m := range ms {
			users[m.UserID] = userLabel{m.UserName, m.UserEmail}
		}
		return users, nil
	})
	if err != nil {
		return err
	}
	users := v.(map[string]userLabel) // kept: read, never changed
	var missing []any
	seen := map[string]bool{}
	for _, r := range refs {
		if r.id == "" {
			continue
		}
		if u, ok := users[r.id]; ok {
			r.set(u)
		} else if !seen[r.id] {
			seen[r.id] = true
			missing = append(missing, r.id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	others := make(map[string]userLabel, len(missing))
	err = t.each(`SELECT id, name, email FROM users WHERE id IN (`+placeholders(1, len(missing))+`)`, missing, func(rows *sql.Rows) error {
		var id string
		var u userLabel
		if err := rows.Scan(&id, &u.name, &u.email); err != nil {
			return err
		}
		others[id] = u
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range refs {
		if u, ok := others[r.id]; ok {
			r.set(u)
		}
	}
	return nil
}

// set writes what r asks for of u.
func (r userRef) set(u userLabel) {
	if r.name != nil {
		*r.name = u.name
	}
	if r.email != nil {
		*r.email = u.email
	}
}

// names reads the ids and names q selects, in that order, into a map.
func (t *tx) names(q string, args []any) (map[string]string, error) {
	out := map[string]string{}
	err := t.each(q, args, func(rows *sql.Rows) error {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		out[id] = name
		return nil
	})
	return out, err
}
