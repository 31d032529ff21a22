package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// RecordLabel returns the reference and title of a record of the actor's
// organisation that takes part in links (see linkable), for showing what
// an action serves or a link points at. Roles that read registers only.
func (db *DB) RecordLabel(ctx context.Context, a isms.Actor, typ, id string) (ref, title string, err error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return "", "", err
	}
	l, ok := linkable[typ]
	if !ok {
		return "", "", isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	err = db.read(ctx, func(t *tx) error {
		return t.QueryRow(`SELECT `+l.ref+`, `+l.title+` FROM `+l.table+` WHERE org_id = $1 AND id = $2`, a.OrgID, id).Scan(&ref, &title)
	})
	return ref, title, err
}
