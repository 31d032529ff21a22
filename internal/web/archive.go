package web

import (
	"context"
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// archiver describes how one register archives and restores a record from
// its page; setArchivedRecord does the rest the same way for every
// register.
type archiver struct {
	// require refuses roles that may not archive (nil leaves it to the store).
	require func(isms.Actor) error
	// set archives or restores the record read at version base and returns
	// what the confirmation names it by, and its id.
	set func(ctx context.Context, a isms.Actor, id string, base int, archive bool) (label, recordID string, err error)
	// show renders the record's page again with a notice (on a conflict).
	show func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error
	// path is where the record lives: path + "/" + id.
	path string
	// restored and archived are the confirmation messages' keys.
	restored, archived string
}

// setArchivedRecord archives (archive=true) or restores a record at the
// version posted with the form. A stale version or a refused change shows
// the record again with the reason; success redirects to it with a
// confirmation.
func (a *app) setArchivedRecord(w http.ResponseWriter, r *http.Request, c *reqCtx, ar archiver, archive bool) error {
	if ar.require != nil {
		if err := ar.require(c.Actor); err != nil {
			return err
		}
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	id := r.PathValue("id")
	base, err := postedForm(r).version()
	if err != nil {
		return err
	}
	label, recordID, err := ar.set(r.Context(), c.Actor, id, base, archive)
	if err != nil {
		if k := isms.ErrorKind(err); k == isms.KindConflict || k == isms.KindInvalid {
			return ar.show(w, r, c, id, httpx.Status(k), tr.Error(err))
		}
		return err
	}
	key := ar.restored
	if archive {
		key = ar.archived
	}
	a.flash(r, tr.T(key, label))
	return redirect(w, r, orgPath(c.Org.Slug, ar.path+"/"+recordID))
}

// requireWrite is the usual archive permission: owners and ISMS managers.
func requireWrite(a isms.Actor) error { return a.Require(isms.PermWriteRegisters) }
