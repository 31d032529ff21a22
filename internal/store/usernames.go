package store

import "database/sql"

// userRef is a user's id and where the user's name goes.
type userRef struct {
	id   string
	name *string
}

// nameUsers writes the name of each user refs names where it asks: from
// the organisation's members (kept until its records change; a
// membership is audited and accounts keep their names), and read for any
// other user, such as one who has left the organisation but still owns
// its records. A missing user leaves the name empty.
func (t *tx) nameUsers(orgID string, refs []userRef) error {
	v, err := t.kept(orgID, "user names", func() (any, error) {
		ms, err := t.keptMembers(orgID)
		if err != nil {
			return nil, err
		}
		names := make(map[string]string, len(ms))
		for _, m := range ms {
			names[m.UserID] = m.UserName
		}
		return names, nil
	})
	if err != nil {
		return err
	}
	names := v.(map[string]string) // kept: read, never changed
	var missing []any
	seen := map[string]bool{}
	for _, r := range refs {
		if r.id == "" {
			continue
		}
		if n, ok := names[r.id]; ok {
			*r.name = n
		} else if !seen[r.id] {
			seen[r.id] = true
			missing = append(missing, r.id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	others, err := t.names(`SELECT id, name FROM users WHERE id IN (`+placeholders(1, len(missing))+`)`, missing)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if n, ok := others[r.id]; ok {
			*r.name = n
		}
	}
	return nil
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
