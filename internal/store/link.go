package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// linkable maps each record type that can be linked to its table and the
// expressions that show it (reference and title). A register that takes
// part in links adds itself here.
var linkable = map[string]struct{ table, ref, title string }{
	"person":        {"people", "ref", "name"},
	"action":        {"actions", "ref", "title"},
	"risk":          {"risks", "ref", "title"},
	"control":       {"controls", "ref", "title"},
	"evidence":      {"evidence", "ref", "title"},
	"asset":         {"assets", "ref", "name"},
	"threat":        {"threats", "ref", "title"},
	"vulnerability": {"vulnerabilities", "ref", "title"},
	"assessment":    {"risk_assessments", "ref", "scope"},
}

// checkLinkEnd reports an invalid-kind error unless typ/id names a record
// of the organisation.
func (t *tx) checkLinkEnd(orgID, field, typ, id string) error {
	l, ok := linkable[typ]
	if !ok {
		return isms.Invalid(field, "validation.link_type")
	}
	var n int
	if err := t.QueryRow(`SELECT COUNT(*) FROM `+l.table+` WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return isms.Invalid(field, "validation.link_target")
	}
	return nil
}

// link records l inside the caller's transaction and audits it. Linking
// twice is a no-op. Callers check permissions.
func (t *tx) link(a isms.Actor, l isms.Link) error {
	if err := t.checkLinkEnd(a.OrgID, "from", l.FromType, l.FromID); err != nil {
		return err
	}
	if err := t.checkLinkEnd(a.OrgID, "to", l.ToType, l.ToID); err != nil {
		return err
	}
	res, err := t.Exec(`INSERT INTO record_links (org_id, from_type, from_id, to_type, to_id, note, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id, from_type, from_id, to_type, to_id) DO NOTHING`,
		a.OrgID, l.FromType, l.FromID, l.ToType, l.ToID, isms.Clean(l.Note), t.nowText(), a.UserID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := t.keepDerived(a.OrgID, l); err != nil {
		return err
	}
	return t.audit(a.OrgID, a.UserID, "link", l.LinkKey(), isms.ActionCreate, nil,
		map[string]any{"from_type": l.FromType, "from_id": l.FromID, "to_type": l.ToType, "to_id": l.ToID, "note": isms.Clean(l.Note)})
}

// unlink removes l inside the caller's transaction and audits it; removing
// a link that does not exist is not-found.
func (t *tx) unlink(a isms.Actor, l isms.Link) error {
	res, err := t.Exec(`DELETE FROM record_links WHERE org_id = $1 AND from_type = $2 AND from_id = $3 AND to_type = $4 AND to_id = $5`,
		a.OrgID, l.FromType, l.FromID, l.ToType, l.ToID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	if err := t.keepDerived(a.OrgID, l); err != nil {
		return err
	}
	return t.audit(a.OrgID, a.UserID, "link", l.LinkKey(), isms.ActionDelete,
		map[string]any{"from_type": l.FromType, "from_id": l.FromID, "to_type": l.ToType, "to_id": l.ToID}, nil)
}

// keepDerived rewrites what a record keeps of its links after l was added
// or removed: an asset its dependencies' references.
func (t *tx) keepDerived(orgID string, l isms.Link) error {
	if l.FromType == "asset" && l.ToType == "asset" {
		return t.keepDependsOn(orgID, l.FromID)
	}
	return nil
}

// links lists the links from (outgoing=true) or to a record, with the other
// end's reference and title.
func (t *tx) links(orgID, typ, id string, outgoing bool) ([]isms.Link, error) {
	var out []isms.Link
	if err := t.readTogether(linksReading(orgID, typ, id, outgoing, &out)); err != nil {
		return nil, err
	}
	return out, t.nameLinks(orgID, outgoing, out)
}

// linksReading reads the links leaving (outgoing) or arriving at a record
// into out, without their other ends' names: see nameLinks.
func linksReading(orgID, typ, id string, outgoing bool, out *[]isms.Link) reading {
	q := `SELECT from_type, from_id, to_type, to_id, note, created_at, created_by FROM record_links WHERE org_id = $1 AND from_type = $2 AND from_id = $3 ORDER BY to_type, to_id`
	if !outgoing {
		q = `SELECT from_type, from_id, to_type, to_id, note, created_at, created_by FROM record_links WHERE org_id = $1 AND to_type = $2 AND to_id = $3 ORDER BY from_type, from_id`
	}
	return reading{q, []any{orgID, typ, id}, func(s scanner) error {
		var l isms.Link
		var at string
		if err := s.Scan(&l.FromType, &l.FromID, &l.ToType, &l.ToID, &l.Note, &at, &l.CreatedBy); err != nil {
			return err
		}
		l.CreatedAt, _ = isms.ParseTime(at)
		*out = append(*out, l)
		return nil
	}}
}

// nameLinks fills in the references and titles of the links' other ends.
func (t *tx) nameLinks(orgID string, outgoing bool, out []isms.Link) error {
	// The other ends' references and titles: one query per register.
	ids := map[string][]string{}
	for _, l := range out {
		typ, id := l.ToType, l.ToID
		if !outgoing {
			typ, id = l.FromType, l.FromID
		}
		ids[typ] = append(ids[typ], id)
	}
	refs := map[string]isms.RecordRef{}
	for typ, list := range ids {
		if err := t.refsOf(orgID, typ, list, false, refs); err != nil {
			return err
		}
	}
	for i := range out {
		typ, id := out[i].ToType, out[i].ToID
		if !outgoing {
			typ, id = out[i].FromType, out[i].FromID
		}
		if r, ok := refs[typ+":"+id]; ok {
			out[i].OtherRef, out[i].OtherTitle = r.Ref, r.Title
		}
	}
	return nil
}

// Link connects two records. Owners and ISMS managers may link any records;
// registers with finer rules (a contributor linking their own risk) call
// tx.link from their own methods.
func (db *DB) Link(ctx context.Context, a isms.Actor, l isms.Link) error {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error { return t.link(a, l) })
}

// Unlink removes a link (owners and ISMS managers).
func (db *DB) Unlink(ctx context.Context, a isms.Actor, l isms.Link) error {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error { return t.unlink(a, l) })
}

// LinksFrom lists the links leaving a record; LinksTo those arriving.
func (db *DB) LinksFrom(ctx context.Context, a isms.Actor, typ, id string) ([]isms.Link, error) {
	return db.linksOf(ctx, a, typ, id, true)
}

// LinksTo lists the links arriving at a record.
func (db *DB) LinksTo(ctx context.Context, a isms.Actor, typ, id string) ([]isms.Link, error) {
	return db.linksOf(ctx, a, typ, id, false)
}

func (db *DB) linksOf(ctx context.Context, a isms.Actor, typ, id string, out bool) ([]isms.Link, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var ls []isms.Link
	err := db.read(ctx, func(t *tx) error {
		var err error
		ls, err = t.links(a.OrgID, typ, id, out)
		return err
	})
	return ls, err
}
