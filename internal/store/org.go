package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

const orgColumns = `id, slug, name, size_band, sector, countries, sites, time_zone, date_format, version, created_at, updated_at`

// orgColumnsOf is orgColumns of the organisations table named o.
var orgColumnsOf = qualified("o", orgColumns)

// qualified prefixes each of a list of columns with a table's alias.
func qualified(alias, columns string) string {
	return alias + "." + strings.ReplaceAll(columns, ", ", ", "+alias+".")
}

func scanOrg(row interface{ Scan(...any) error }) (isms.Organisation, error) {
	var s orgScan
	err := scanPart(row, &s)
	return s.o, err
}

// orgScan reads orgColumns as part of a wider row.
type orgScan struct {
	o isms.Organisation
	stamps
}

func (s *orgScan) dest() []any {
	o := &s.o
	return []any{&o.ID, &o.Slug, &o.Name, &o.SizeBand, &o.Sector, &o.Countries, &o.Sites, &o.TimeZone, &o.DateFormat, &o.Version, &s.created, &s.updated}
}

func (s *orgScan) finish() error { return s.parse(&s.o.CreatedAt, &s.o.UpdatedAt) }

// rowPart reads some of a row's columns: scan dest() with the row's other
// targets, then finish().
type rowPart interface {
	dest() []any
	finish() error
}

// scanPart scans a row that holds just part's columns.
func scanPart(row interface{ Scan(...any) error }, part rowPart) error {
	if err := row.Scan(part.dest()...); err != nil {
		return err
	}
	return part.finish()
}

// stamps are a record's creation and update times as stored.
type stamps struct{ created, updated string }

func (s *stamps) parse(created, updated *time.Time) error {
	var err error
	if *created, err = isms.ParseTime(s.created); err != nil {
		return err
	}
	*updated, err = isms.ParseTime(s.updated)
	return err
}

// insertOrg creates an organisation; actorID is who did it ("" for the
// command line).
func (t *tx) insertOrg(o *isms.Organisation, actorID string) error {
	o.Normalize()
	if err := o.Validate(); err != nil {
		return err
	}
	o.ID, o.Version, o.CreatedAt, o.UpdatedAt = newID(), 1, t.now, t.now
	_, err := t.Exec(`INSERT INTO organisations (`+orgColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		o.ID, o.Slug, o.Name, o.SizeBand, o.Sector, o.Countries, o.Sites, o.TimeZone, o.DateFormat, o.Version, t.nowText(), t.nowText())
	if isUnique(err) {
		return isms.Invalid("slug", "validation.slug_taken")
	}
	if err != nil {
		return err
	}
	if err := t.audit(o.ID, actorID, "organisation", o.ID, isms.ActionCreate, nil, o.Fields()); err != nil {
		return err
	}
	// Every organisation starts with a record of each Annex A control.
	_, err = t.addCatalogControls(o.ID, actorID)
	return err
}

// OrgBySlug returns the organisation with that slug. It is used to resolve
// URLs; membership is checked separately.
func (db *DB) OrgBySlug(ctx context.Context, slug string) (isms.Organisation, error) {
	var o isms.Organisation
	err := db.read(ctx, func(t *tx) error {
		var err error
		o, err = scanOrg(t.QueryRow(`SELECT `+orgColumns+` FROM organisations WHERE slug = $1`, slug))
		return err
	})
	return o, err
}

// Org returns the actor's organisation.
func (db *DB) Org(ctx context.Context, a isms.Actor) (isms.Organisation, error) {
	var o isms.Organisation
	err := db.read(ctx, func(t *tx) error {
		var err error
		o, err = scanOrg(t.QueryRow(`SELECT `+orgColumns+` FROM organisations WHERE id = $1`, a.OrgID))
		return err
	})
	return o, err
}

// CreateOrg creates a new organisation with the acting user as its owner.
// Any signed-in user may create one (a consultant setting up a client).
func (db *DB) CreateOrg(ctx context.Context, userID string, o isms.Organisation) (isms.Organisation, error) {
	err := db.write(ctx, func(t *tx) error {
		if err := t.insertOrg(&o, userID); err != nil {
			return err
		}
		return t.insertMembership(o.ID, userID, isms.RoleOwner, userID)
	})
	return o, err
}

// UpdateOrg changes the organisation's profile. Owners only; base is the
// version the form was read at.
func (db *DB) UpdateOrg(ctx context.Context, a isms.Actor, o isms.Organisation, base int) (isms.Organisation, error) {
	if err := a.Require(isms.PermManageOrg); err != nil {
		return o, err
	}
	o.Normalize()
	if err := o.Validate(); err != nil {
		return o, err
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := scanOrg(t.QueryRow(`SELECT `+orgColumns+` FROM organisations WHERE id = $1`, a.OrgID))
		if err != nil {
			return err
		}
		if cur.Version != base {
			return &isms.Error{Kind: isms.KindConflict, Msg: isms.M("error.stale_org", cur.UpdatedAt)}
		}
		res, err := t.Exec(`UPDATE organisations SET slug = $1, name = $2, size_band = $3, sector = $4, countries = $5, sites = $6,
			time_zone = $7, date_format = $8, version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11`,
			o.Slug, o.Name, o.SizeBand, o.Sector, o.Countries, o.Sites, o.TimeZone, o.DateFormat, t.nowText(), a.OrgID, base)
		if isUnique(err) {
			return isms.Invalid("slug", "validation.slug_taken")
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &isms.Error{Kind: isms.KindConflict, Msg: isms.M("error.stale_org", cur.UpdatedAt)}
		}
		o.ID, o.Version, o.CreatedAt, o.UpdatedAt = cur.ID, base+1, cur.CreatedAt, t.now
		return t.audit(a.OrgID, a.UserID, "organisation", a.OrgID, isms.ActionUpdate, cur.Fields(), o.Fields())
	})
	return o, err
}

// Orgs lists every organisation (for the command line and backups).
func (db *DB) Orgs(ctx context.Context) ([]isms.Organisation, error) {
	var out []isms.Organisation
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT ` + orgColumns + ` FROM organisations ORDER BY slug`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

var _ = sql.ErrNoRows
