package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrationFS embed.FS

// migrator is the schema's migrations on the write pool.
func (db *DB) migrator() (*goose.Provider, error) { return db.migratorOn(db.w) }

// migratorOn is the schema's migrations, run on pool.
func (db *DB) migratorOn(pool *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// An advisory lock lets several instances start at once: one
		// migrates, the others wait and then find nothing to do.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, pool, sub, opts...)
}

// Migrate applies every pending schema migration.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	p, err := db.migrator()
	if err != nil {
		return 0, fmt.Errorf("prepare migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// SchemaVersion reports the database's schema version and the version this
// binary expects. It reads through the read pool, so that a command that
// only reads (holdfast check) opens no write connection: on PostgreSQL a
// connection is a server process of its own. A database without the
// table of versions is given one, as migrating would, through the write
// pool.
//
// The version is read as goose reads it, the highest recorded, but in one
// statement: goose first asks the catalog whether its table exists, which
// on a new PostgreSQL connection took 5-10 ms to plan, a twentieth of
// holdfast check. Only where that statement fails does goose read it.
func (db *DB) SchemaVersion(ctx context.Context) (current, target int64, err error) {
	p, err := db.migratorOn(db.r)
	if err != nil {
		return 0, 0, err
	}
	var recorded sql.NullInt64
	if sources := p.ListSources(); len(sources) > 0 &&
		db.r.QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&recorded) == nil && recorded.Valid {
		return recorded.Int64, sources[len(sources)-1].Version, nil
	}
	for _, pool := range []*sql.DB{db.r, db.w} {
		var p *goose.Provider
		if p, err = db.migratorOn(pool); err != nil {
			return 0, 0, err
		}
		if current, target, err = p.GetVersions(ctx); err == nil {
			break
		}
	}
	return current, target, err
}

// CheckSchema returns an error unless the schema is exactly the version this
// binary expects.
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, target, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if cur < target {
		return fmt.Errorf("the database schema is at version %d but this binary needs %d: run `holdfast migrate` or start without --no-migrate", cur, target)
	}
	if cur > target {
		return fmt.Errorf("the database schema (version %d) is newer than this binary (version %d): upgrade Holdfast", cur, target)
	}
	return nil
}

// MigrateTo applies pending migrations up to and including version (a
// restore of an older archive first rebuilds the schema it was made with).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to version %d: %w", version, err)
	}
	return nil
}
