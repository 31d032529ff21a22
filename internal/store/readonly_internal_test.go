package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// A read cannot write, on either database: SQLite's read connections are
// query-only and PostgreSQL's reads, which run without a transaction,
// are read-only statements. Writes still go through.
func TestReadsCannotWrite(t *testing.T) {
	ctx := context.Background()
	for name, db := range bothDatabases(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			insert := func(t *tx, prefix string) error {
				_, err := t.Exec(`INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at)
					VALUES ($1, $2, 'Read only', 'micro', 'UTC', 'iso', 1, $3, $3)`, newID(), prefix, t.nowText())
				return err
			}
			if err := db.read(ctx, func(t *tx) error { return insert(t, "in-a-read") }); err == nil {
				t.Fatal("a read wrote a row")
			}
			if err := db.write(ctx, func(t *tx) error { return insert(t, "in-a-write") }); err != nil {
				t.Fatalf("a write: %v", err)
			}
			var n int
			if err := db.read(ctx, func(t *tx) error {
				return t.QueryRow(`SELECT COUNT(*) FROM organisations WHERE slug LIKE 'in-a-%'`).Scan(&n)
			}); err != nil || n != 1 {
				t.Fatalf("%d rows written, want the write's one: %v", n, err)
			}
		})
	}
}

// bothDatabases opens an empty store on SQLite and, where the tests have
// a PostgreSQL server (HOLDFAST_TEST_POSTGRES; CI must), on a fresh
// database of it, by name; the test closes them.
func bothDatabases(t *testing.T) map[string]*DB {
	t.Helper()
	dbs := map[string]*DB{}
	lite, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	dbs["sqlite"] = lite
	if admin := os.Getenv("HOLDFAST_TEST_POSTGRES"); admin != "" {
		dbs["postgres"] = openPostgresForTest(t, admin)
	} else if os.Getenv("CI") != "" {
		t.Fatal("HOLDFAST_TEST_POSTGRES is not set")
	}
	return dbs
}

// migratedPostgresForTest opens a fresh, migrated database on the tests'
// PostgreSQL server, or skips the test where there is none (CI must have
// one).
func migratedPostgresForTest(t *testing.T) *DB {
	t.Helper()
	admin := os.Getenv("HOLDFAST_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HOLDFAST_TEST_POSTGRES is not set")
		}
		t.Skip("no PostgreSQL (HOLDFAST_TEST_POSTGRES)")
	}
	db := openPostgresForTest(t, admin)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// openPostgresForTest creates a database on the admin server and opens it.
func openPostgresForTest(t *testing.T, admin string) *DB {
	t.Helper()
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("ro_%d", time.Now().UnixNano())
	if _, err := adm.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	db, err := Open(context.Background(), Config{DSN: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		adm.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		adm.Close()
	})
	return db
}

// The read connections' URL keeps the caller's parameters, adds read-only
// transactions and one plan per statement (unless the caller chose a plan
// cache mode), and does not repeat a malformed URL (it may hold a
// password) in its error.
func TestReadDSN(t *testing.T) {
	got, err := readDSN("postgres://hf:secret@db:5432/hf?sslmode=verify-full")
	if err != nil || !strings.Contains(got, "sslmode=verify-full") || !strings.Contains(got, "default_transaction_read_only=on") ||
		!strings.Contains(got, "plan_cache_mode=force_generic_plan") {
		t.Fatalf("%q %v", got, err)
	}
	got, err = readDSN("postgres://hf:secret@db:5432/hf?plan_cache_mode=auto")
	if err != nil || !strings.Contains(got, "plan_cache_mode=auto") || strings.Contains(got, "force_generic_plan") {
		t.Fatalf("the caller's plan cache mode: %q %v", got, err)
	}
	if _, err := readDSN("postgres://hf:secret@db:5432/hf\x7f"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("bad URL: %v", err)
	}
	// The server applies it to the read connections, not to the writer's.
	if db, ok := bothDatabases(t)["postgres"]; ok {
		for pool, want := range map[string]string{"read": "force_generic_plan", "write": "auto"} {
			p := db.r
			if pool == "write" {
				p = db.w
			}
			var mode string
			if err := p.QueryRow(`SHOW plan_cache_mode`).Scan(&mode); err != nil || mode != want {
				t.Errorf("%s connections plan %q (%v), want %q", pool, mode, err, want)
			}
		}
	}
}
