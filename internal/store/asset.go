package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// dependsOnRefs lists the references of the assets an asset depends on,
// comma-separated and sorted, from its asset → asset links. The asset
// keeps them in depends_on_refs (migration 00016), which link and unlink
// rewrite, so that a list reads one column rather than the links of each
// row.
const dependsOnRefs = `COALESCE((SELECT string_agg(d.ref, ',' ORDER BY d.ref) FROM record_links l
	JOIN assets d ON d.org_id = l.org_id AND d.id = l.to_id
	WHERE l.org_id = $1 AND l.from_type = 'asset' AND l.from_id = $2 AND l.to_type = 'asset'), '')`

// keepDependsOn rewrites the dependency references an asset keeps.
func (t *tx) keepDependsOn(orgID, assetID string) error {
	_, err := t.Exec(`UPDATE assets SET depends_on_refs = `+dependsOnRefs+` WHERE org_id = $1 AND id = $2`, orgID, assetID)
	return err
}

var assets = &table[isms.Asset]{
	name:       "assets",
	recordType: "asset",
	refPrefix:  "AS",
	fields:     isms.AssetFields,
	columns: []string{"name", "description", "type", "owner_id", "custodian_id", "custodian_text", "location",
		"classification", "confidentiality", "integrity", "availability", "state"},
	meta: func(x *isms.Asset) *isms.Meta { return &x.Meta },
	dest: func(x *isms.Asset) []any {
		return []any{&x.Name, &x.Description, &x.Type, nullText{&x.OwnerID}, nullText{&x.CustodianID}, &x.CustodianText,
			&x.Location, &x.Classification, &x.Confidentiality, &x.Integrity, &x.Availability, &x.State}
	},
	values: func(x *isms.Asset) []any {
		return []any{x.Name, x.Description, string(x.Type), orNull(x.OwnerID), orNull(x.CustodianID), x.CustodianText,
			x.Location, string(x.Classification), x.Confidentiality, x.Integrity, x.Availability, string(x.State)}
	},
	fieldsOf: func(x *isms.Asset) map[string]any { return x.Fields() },
	extra: []extraColumn{
		{"owner_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = assets.owner_id), '')"},
		{"owner_email", "COALESCE((SELECT u.email FROM users u WHERE u.id = assets.owner_id), '')"},
		{"custodian_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = assets.custodian_id), '')"},
		{"custodian_email", "COALESCE((SELECT u.email FROM users u WHERE u.id = assets.custodian_id), '')"},
		{"depends_on", "depends_on_refs"},
	},
	extraDest: func(x *isms.Asset) []any {
		return []any{&x.OwnerName, &x.OwnerEmail, &x.CustodianName, &x.CustodianEmail, refList{&x.DependsOn}}
	},
	sorts: map[string]string{
		"name": "lower(name)", "ref": refSortKey, "type": "type", "state": "state", "location": "lower(location)",
		"updated_at": "updated_at", "created_at": "created_at",
	},
	defaultSort: "name",
	filters: map[string]string{
		"type": "type", "classification": "classification", "state": "state", "owner_id": "owner_id", "custodian_id": "custodian_id",
	},
	conds: map[string]func(string, func(any) string) (string, error){
		// depended_by=<asset id>: the assets that asset depends on.
		"depended_by": func(v string, arg func(any) string) (string, error) {
			return `id IN (SELECT l.to_id FROM record_links l WHERE l.org_id = $1 AND l.from_type = 'asset'
				AND l.from_id = ` + arg(v) + ` AND l.to_type = 'asset')`, nil
		},
	},
	search:        []string{"name", "description", "location", "custodian_text", "ref"},
	searchIndexed: true,
	brief:         []string{"description", "custodian_id", "custodian_text", "location"},
	lookups:       []string{"owner_name", "owner_email", "custodian_name", "custodian_email"},
	users: func(x *isms.Asset) []userRef {
		return []userRef{{x.OwnerID, &x.OwnerName, &x.OwnerEmail}, {x.CustodianID, &x.CustodianName, &x.CustodianEmail}}
	},
}

// refList scans a comma-separated list of references into a sorted slice.
type refList struct{ s *[]string }

func (r refList) Scan(v any) error {
	var text string
	if err := (nullText{&text}).Scan(v); err != nil {
		return err
	}
	*r.s = nil
	if text != "" {
		*r.s = strings.Split(text, ",")
		slices.Sort(*r.s)
	}
	return nil
}

// AssetScale returns the labels of the levels on which confidentiality,
// integrity and availability requirements are rated: the consequence
// levels of the organisation's approved risk criteria, or nil when there
// are none (then the levels are the numbers 1 to isms.DefaultScale).
func (db *DB) AssetScale(ctx context.Context, a isms.Actor) ([]string, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	return db.assetScale(ctx, a)
}

// Assets lists the asset register.
func (db *DB) Assets(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Asset], error) {
	var page isms.Page[isms.Asset]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = assets.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// Asset returns one asset.
func (db *DB) Asset(ctx context.Context, a isms.Actor, id string) (isms.Asset, error) {
	var x isms.Asset
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return x, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		x, err = assets.get(t, a.OrgID, id)
		return err
	})
	return x, err
}

// assetUsers reads the active assets that depend on the asset id into
// out, by name, up to isms.MaxLimit.
func assetUsers(orgID, id string, out *[]isms.Asset) reading {
	return reading{`SELECT ` + assets.selectList() + ` FROM assets WHERE org_id = $1 AND archived_at IS NULL AND id IN
			(SELECT from_id FROM record_links WHERE org_id = $1 AND to_type = 'asset' AND to_id = $2 AND from_type = 'asset')
			ORDER BY lower(name), id LIMIT 500`, []any{orgID, id}, assets.rowsOf(out)}
}

// AssetPage is an asset with what its page shows of other records.
type AssetPage struct {
	Asset     isms.Asset
	DependsOn []isms.Asset // the assets it depends on, archived ones too, by name
	UsedBy    []isms.Asset // the active assets that depend on it, by name
	Links     []isms.Link  // the links arriving at it (risks name their assets so)
	Actions   []isms.Action
	History   []isms.HistoryEntry
}

// AssetPage reads an asset and what its page shows with it in one read:
// on PostgreSQL one round trip (see readTogether) instead of seven.
func (db *DB) AssetPage(ctx context.Context, a isms.Actor, id string) (AssetPage, error) {
	var p AssetPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		deps := reading{`SELECT ` + assets.selectList() + ` FROM assets WHERE org_id = $1 AND id IN
			(SELECT l.to_id FROM record_links l WHERE l.org_id = $1 AND l.from_type = 'asset' AND l.from_id = $2 AND l.to_type = 'asset')
			ORDER BY lower(name), id LIMIT 500`, []any{a.OrgID, id}, assets.rowsOf(&p.DependsOn)}
		if err := assets.getTogether(t, a.OrgID, id, &p.Asset, deps, assetUsers(a.OrgID, id, &p.UsedBy),
			linksReading(a.OrgID, "asset", id, false, &p.Links), actionsServing(a.OrgID, "asset", id, &p.Actions),
			assets.historyReading(a.OrgID, id, &p.History)); err != nil {
			return err
		}
		return t.nameLinks(a.OrgID, false, p.Links)
	})
	return p, err
}

// checkAssetLinks checks that the owner and custodian are members of the
// organisation and resolves the dependencies (ids or references of assets
// of the organisation) to ids, which it returns, leaving their references
// in x.DependsOn.
func (t *tx) checkAssetLinks(a isms.Actor, x *isms.Asset) ([]string, error) {
	var pr isms.Problems
	for _, m := range []struct{ field, id string }{{"owner_id", x.OwnerID}, {"custodian_id", x.CustodianID}} {
		if m.id == "" {
			continue
		}
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, m.id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			pr.Add(m.field, "validation.not_member")
		}
	}
	var ids, refs []string
	for _, d := range x.DependsOn {
		var id, ref string
		err := t.QueryRow(`SELECT id, ref FROM assets WHERE org_id = $1 AND (id = $2 OR ref = $3)`, a.OrgID, d, strings.ToUpper(d)).Scan(&id, &ref)
		if err != nil {
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			if !pr.Has("depends_on") {
				pr.Add("depends_on", "validation.unknown_asset", d)
			}
			continue
		}
		if id == x.ID {
			if !pr.Has("depends_on") {
				pr.Add("depends_on", "validation.depends_self")
			}
			continue
		}
		if !slices.Contains(ids, id) {
			ids, refs = append(ids, id), append(refs, ref)
		}
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	slices.Sort(refs)
	x.DependsOn = refs
	return ids, nil
}

// setDependencies makes the asset's outgoing asset links exactly ids,
// auditing each link added or removed.
func (t *tx) setDependencies(a isms.Actor, id string, ids []string) error {
	cur, err := t.links(a.OrgID, "asset", id, true)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, l := range cur {
		if l.ToType != "asset" {
			continue
		}
		have[l.ToID] = true
		if !slices.Contains(ids, l.ToID) {
			if err := t.unlink(a, isms.Link{FromType: "asset", FromID: id, ToType: "asset", ToID: l.ToID}); err != nil {
				return err
			}
		}
	}
	for _, to := range ids {
		if !have[to] {
			if err := t.link(a, isms.Link{FromType: "asset", FromID: id, ToType: "asset", ToID: to}); err != nil {
				return err
			}
		}
	}
	return nil
}

func assetErr(err error) error {
	if isUnique(err) {
		return isms.Invalid("name", "validation.asset_name_taken")
	}
	return err
}

// prepareAsset normalises and validates an asset against the
// organisation's requirement scale.
func (db *DB) prepareAsset(ctx context.Context, a isms.Actor, x *isms.Asset) error {
	x.Normalize()
	labels, err := db.assetScale(ctx, a)
	if err != nil {
		return err
	}
	return x.Validate(scaleSize(labels))
}

// assetScale reads the requirement scale; see AssetScale.
func (db *DB) assetScale(ctx context.Context, a isms.Actor) ([]string, error) {
	c, ok, err := db.CurrentCriteria(ctx, a)
	if err != nil || !ok {
		return nil, err
	}
	labels := make([]string, len(c.Consequence))
	for i, l := range c.Consequence {
		labels[i] = l.Label
	}
	return labels, nil
}

func scaleSize(labels []string) int {
	if len(labels) == 0 {
		return isms.DefaultScale
	}
	return len(labels)
}

// CreateAsset adds an asset to the register (owners and ISMS managers).
// DependsOn may name the assets it depends on by id or reference.
func (db *DB) CreateAsset(ctx context.Context, a isms.Actor, x isms.Asset) (isms.Asset, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	x.Meta = isms.Meta{}
	if err := db.prepareAsset(ctx, a, &x); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		ids, err := t.checkAssetLinks(a, &x)
		if err != nil {
			return err
		}
		if err := assets.insert(t, a, &x); err != nil {
			return assetErr(err)
		}
		if err := t.setDependencies(a, x.ID, ids); err != nil {
			return err
		}
		x, err = assets.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// UpdateAsset saves changes to an asset read at version base, including
// its dependencies (the whole list; ids or references).
func (db *DB) UpdateAsset(ctx context.Context, a isms.Actor, x isms.Asset, base int) (isms.Asset, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	if err := db.prepareAsset(ctx, a, &x); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		return t.updateAsset(a, &x, base)
	})
	return x, err
}

func (t *tx) updateAsset(a isms.Actor, x *isms.Asset, base int) error {
	if ok, err := assets.exists(t, a.OrgID, x.ID, false); err != nil {
		return err
	} else if !ok {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	ids, err := t.checkAssetLinks(a, x)
	if err != nil {
		return err
	}
	if err := assets.update(t, a, x, base); err != nil {
		return assetErr(err)
	}
	if err := t.setDependencies(a, x.ID, ids); err != nil {
		return err
	}
	*x, err = assets.get(t, a.OrgID, x.ID)
	return err
}

// ArchiveAsset archives (archive=true) or restores an asset read at
// version base. Its dependency links stay, so restoring brings them back.
func (db *DB) ArchiveAsset(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Asset, error) {
	var x isms.Asset
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		x, err = assets.setArchived(t, a, id, base, archive)
		return assetErr(err)
	})
	return x, err
}

// AssetHistory lists an asset's changes, oldest first.
func (db *DB) AssetHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = assets.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// ActiveAssets returns every active asset of the organisation by name, for
// exports.
func (db *DB) ActiveAssets(ctx context.Context, a isms.Actor) ([]isms.Asset, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Asset
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = allActive(t, assets, a.OrgID)
		return err
	})
	return out, err
}
