package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// migrationVersions lists the version numbers of the migration files in
// one dialect's folder, read from the source tree.
func migrationVersions(t *testing.T, d store.Dialect) []int64 {
	t.Helper()
	entries, err := os.ReadDir("migrations/" + string(d))
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			t.Errorf("migrations/%s/%s is not named NNNNN_name.sql", d, e.Name())
			continue
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Errorf("migrations/%s/%s does not start with a version number", d, e.Name())
			continue
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func TestMigrationsReachTheSameVersion(t *testing.T) {
	sqlite, pg := migrationVersions(t, store.SQLite), migrationVersions(t, store.Postgres)
	if len(sqlite) == 0 || !slices.Equal(sqlite, pg) {
		t.Fatalf("migration versions differ: sqlite %v, postgres %v: every migration needs a file for each database", sqlite, pg)
	}
	latest := sqlite[len(sqlite)-1]
	if v, err := store.LatestSchemaVersion(); err != nil || v != latest {
		t.Fatalf("LatestSchemaVersion = %d, %v; want %d", v, err, latest)
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openTestDB(t, d, false)
			n, err := db.Migrate(ctx)
			if err != nil || n != len(sqlite) {
				t.Fatalf("migrate applied %d, %v; want %d", n, err, len(sqlite))
			}
			cur, target, err := db.SchemaVersion(ctx)
			if err != nil || cur != latest || target != latest {
				t.Fatalf("schema version %d, target %d, %v; want %d", cur, target, err, latest)
			}
		})
	}
}

func TestCheckSchemaAndRepeatedMigrate(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openTestDB(t, d, false)
			err := db.CheckSchema(ctx)
			if err == nil || !strings.Contains(err.Error(), "holdfast migrate") {
				t.Fatalf("CheckSchema on a blank database: %v; want advice to run `holdfast migrate`", err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("CheckSchema after migrating: %v", err)
			}
			before := db.dump(t)
			cur1, _, _ := db.SchemaVersion(ctx)
			n, err := db.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate applied %d, %v; want a no-op", n, err)
			}
			if cur2, _, _ := db.SchemaVersion(ctx); cur2 != cur1 {
				t.Fatalf("version moved from %d to %d", cur1, cur2)
			}
			if diff := diffDumps(before, db.dump(t)); diff != "" {
				t.Fatalf("second migrate changed data:\n%s", diff)
			}
		})
	}
}

// TestConcurrentMigratePostgres starts three instances on one fresh
// PostgreSQL database at once: the advisory lock lets one migrate while the
// others wait and then find nothing to do.
func TestConcurrentMigratePostgres(t *testing.T) {
	if !slices.Contains(storetest.Dialects(t), store.Postgres) {
		t.Skip("PostgreSQL is not available")
	}
	ctx := context.Background()
	dsn := storetest.NewEmptyPostgresDB(t)
	dbs := make([]*store.DB, 3)
	for i := range dbs {
		db, err := store.Open(ctx, store.Config{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	applied := make([]int, len(dbs))
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = db.Migrate(ctx)
		})
	}
	close(start)
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
		total += applied[i]
	}
	latest, _ := store.LatestSchemaVersion()
	if want := len(migrationVersions(t, store.Postgres)); total != want {
		t.Errorf("the instances applied %v migrations in all; want %d applied once", applied, want)
	}
	for i, db := range dbs {
		cur, target, err := db.SchemaVersion(ctx)
		if err != nil || cur != latest || target != latest {
			t.Errorf("instance %d sees version %d of %d: %v", i, cur, target, err)
		}
	}
	raw := openRawPostgres(t, dsn)
	var dups int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM (SELECT version_id FROM goose_db_version GROUP BY version_id HAVING COUNT(*) > 1) d`).Scan(&dups); err != nil || dups != 0 {
		t.Errorf("versions recorded twice: %d %v", dups, err)
	}
}

func openRawPostgres(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// Where the database user may not create the pg_trgm extension, the
// migrations still succeed, without the trigram indexes, and searches
// still find their records (by scanning).
func TestPostgresWithoutTrigramExtension(t *testing.T) {
	if !slices.Contains(storetest.Dialects(t), store.Postgres) {
		t.Skip("PostgreSQL is not available")
	}
	ctx := context.Background()
	adminDSN := os.Getenv(storetest.EnvPostgres)
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dsn := storetest.NewEmptyPostgresDB(t)
	u, _ := url.Parse(dsn)
	name := strings.TrimPrefix(u.Path, "/")
	role := "limited_" + name
	for _, q := range []string{`CREATE ROLE ` + role + ` LOGIN`, `REVOKE CREATE ON DATABASE ` + name + ` FROM PUBLIC`} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Exec(`DROP ROLE IF EXISTS ` + role)
	})
	// In its database, the role may create tables but not extensions.
	owner, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.Exec(`GRANT USAGE, CREATE ON SCHEMA public TO ` + role); err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	db, err := store.Open(ctx, store.Config{DSN: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate without the right to create extensions: %v", err)
	}
	var n int
	if err := owner.QueryRow(`SELECT COUNT(*) FROM pg_indexes WHERE indexname LIKE '%search_trgm'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d trigram indexes (%v), want none", n, err)
	}
	f := storetest.Seed(t, db, "acme")
	if _, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: "Ada Lovelace", JobTitle: "Analyst"}); err != nil {
		t.Fatal(err)
	}
	page, err := db.People(ctx, f.Owner(), isms.ListQuery{Q: "lovel"})
	if err != nil || page.Total != 1 || page.Items[0].Name != "Ada Lovelace" {
		t.Fatalf("search without trigram indexes: %+v %v", page, err)
	}
}

// A check only reads: checking the schema, finding the organisation and
// verifying its audit chain open no write connection, on PostgreSQL,
// where each connection is a server process of its own, nor on an
// existing SQLite database, where opening one reads the whole schema.
func TestCheckOpensNoWriteConnection(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testCheckOpensNoWriteConnection(t, d) })
	}
}

func testCheckOpensNoWriteConnection(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	cfg := store.Config{DataDir: t.TempDir(), Existing: true}
	if d == store.Postgres {
		cfg = store.Config{DSN: storetest.NewPostgresDB(t)}
	}
	fresh := cfg
	fresh.Existing = false
	setup, err := store.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := storetest.Seed(t, setup, "acme")
	setup.Close()

	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := db.OrgBySlug(ctx, f.Org.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if n, brk, err := db.VerifyOrgAuditLog(ctx, o.ID); err != nil || brk != nil || n == 0 {
		t.Fatalf("verify: %d entries, break %+v, %v", n, brk, err)
	}
	w, r := db.PoolStats()
	if w.OpenConnections != 0 || r.OpenConnections == 0 {
		t.Errorf("the check opened %d write and %d read connections; want none for writing", w.OpenConnections, r.OpenConnections)
	}
}
