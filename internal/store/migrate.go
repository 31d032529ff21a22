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

// migrator is the schema's migrations, run on the write pool. Making it
// opens no connection.
func (db *DB) migrator() (*goose.Provider, error) {
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
	return goose.NewProvider(dialect, db.w, sub, opts...)
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
// binary expects. It reads the version as goose reads it, the highest
// recorded, in one statement through the read pool, so that a command that
// only reads (holdfast check) opens no write connection (on PostgreSQL a
// connection is a server process of its own) and skips goose's question
// to the catalog whether its table exists (5-10 ms to plan on a new
// PostgreSQL connection). Where that statement finds no version (no table
// yet), goose reads it through the write pool, giving a database without
// the table one, as migrating would.
func (db *DB) SchemaVersion(ctx context.Context) (current, target int64, err error) {
	p, err := db.migrator()
	if err != nil {
		return 0, 0, err
	}
	var recorded sql.NullInt64
	if sources := p.ListSources(); len(sources) > 0 &&
		db.r.QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&recorded) == nil && recorded.Valid {
		return recorded.Int64, sources[len(sources)-1].Version, nil
	}
	return p.GetVersions(ctx)
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
