package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Found is what a search across the registers found: a page of each
// register's matches, as its list with the same query shows them.
type Found struct {
	People   isms.Page[isms.Person]
	Risks    isms.Page[isms.Risk]
	Controls isms.Page[isms.Control]
	Assets   isms.Page[isms.Asset]
	Evidence isms.Page[isms.Evidence]
	Actions  isms.Page[isms.Action]
}

// pendingPage is a listing of some register whose rows are yet to read.
type pendingPage interface {
	rows() []reading
	finish() error
}

// Search lists the records matching q (its words, page size and whether
// brief) in the people, risks, controls, assets, evidence and actions
// registers, each page as the register's own list shows it. The six pages'
// rows are read together: on PostgreSQL in one round trip instead of six
// (see readTogether); a search's matches are kept in order between reads,
// so that is all a repeated search reads.
func (db *DB) Search(ctx context.Context, a isms.Actor, q isms.ListQuery) (Found, error) {
	var f Found
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return f, err
	}
	q.Filters, q.Cursor, q.Sort = nil, "", ""
	err := db.read(ctx, func(t *tx) error {
		pp, err := people.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		rp, err := risks.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		cp, err := controls.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		ap, err := assets.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		ep, err := evidenceTable.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		xp, err := actions.listing(t, a.OrgID, q)
		if err != nil {
			return err
		}
		all := []pendingPage{pp, rp, cp, ap, ep, xp}
		var rs []reading
		for _, p := range all {
			rs = append(rs, p.rows()...)
		}
		if err := t.readTogether(rs...); err != nil {
			return err
		}
		for _, p := range all {
			if err := p.finish(); err != nil {
				return err
			}
		}
		f = Found{pp.page, rp.page, cp.page, ap.page, ep.page, xp.page}
		return nil
	})
	return f, err
}
