// Package storetest opens real databases for tests: SQLite in a temporary
// directory always, and PostgreSQL when HOLDFAST_TEST_POSTGRES names a
// server (make test starts a throwaway cluster and sets it).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// EnvPostgres names the environment variable holding an admin DSN of a
// PostgreSQL server for tests.
const EnvPostgres = "HOLDFAST_TEST_POSTGRES"

// Dialects lists the databases available to this test run. Without
// PostgreSQL it says so once, visibly; under CI it fails instead.
func Dialects(t testing.TB) []store.Dialect {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: CI must run every database test on PostgreSQL too (run `make test`)", EnvPostgres)
	}
	skipOnce.Do(func() {
		fmt.Fprintf(os.Stderr, "storetest: PostgreSQL tests skipped: %s is not set (make test sets it)\n", EnvPostgres)
	})
	return []store.Dialect{store.SQLite}
}

var skipOnce sync.Once

// ForEachDB runs fn as a subtest on a fresh, migrated database of every
// available dialect.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of dialect d, removed when the
// test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	dsn := ""
	if d == store.Postgres {
		dsn = NewPostgresDB(t)
	}
	db, err := store.Open(context.Background(), store.Config{DSN: dsn, DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	if d == store.SQLite {
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// NewPostgresDB creates an empty database cloned from a migrated template
// and returns its DSN; it is dropped when the test ends. With migrated set
// to false callers get a database with no schema via NewEmptyPostgresDB.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	admin := adminDB(t)
	tplOnce.Do(func() { tplName, tplErr = makeTemplate(admin) })
	if tplErr != nil {
		t.Fatalf("prepare PostgreSQL template: %v", tplErr)
	}
	return createDB(t, admin, "TEMPLATE "+tplName)
}

// NewEmptyPostgresDB creates a database with no schema at all and returns
// its DSN; it is dropped when the test ends.
func NewEmptyPostgresDB(t testing.TB) string {
	t.Helper()
	return createDB(t, adminDB(t), "TEMPLATE template0")
}

func createDB(t testing.TB, admin *sql.DB, clause string) string {
	name := "t_" + randHex(8)
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` ` + clause); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	return withDB(os.Getenv(EnvPostgres), name)
}

var (
	adminOnce sync.Once
	admin     *sql.DB
)

func adminDB(t testing.TB) *sql.DB {
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Fatalf("%s is not set", EnvPostgres)
	}
	adminOnce.Do(func() {
		admin, _ = sql.Open("pgx", dsn)
		admin.SetMaxOpenConns(4)
	})
	return admin
}

func makeTemplate(admin *sql.DB) (string, error) {
	name := "tpl_" + randHex(6)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		return "", err
	}
	db, err := store.Open(context.Background(), store.Config{DSN: withDB(os.Getenv(EnvPostgres), name)})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		return "", err
	}
	return name, nil
}

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// Fixture is an organisation with one member of every role.
type Fixture struct {
	Org    isms.Organisation
	Actors map[isms.Role]isms.Actor
	Users  map[isms.Role]isms.User
}

// Owner returns the owner's actor.
func (f Fixture) Owner() isms.Actor { return f.Actors[isms.RoleOwner] }

// Seed creates an organisation with slug and one member of each role; users
// are named "<role>@<slug>.test". Password hashes are placeholders: tests
// that sign in set real ones.
func Seed(t testing.TB, db *store.DB, slug string) Fixture {
	t.Helper()
	ctx := context.Background()
	f := Fixture{Actors: map[isms.Role]isms.Actor{}, Users: map[isms.Role]isms.User{}}
	o, u, err := db.InitOrg(ctx, isms.Organisation{Slug: slug, Name: "Org " + slug, TimeZone: "Europe/London"},
		isms.User{Email: "owner@" + slug + ".test", Name: "Owner of " + slug, PasswordHash: "x"})
	if err != nil {
		t.Fatalf("seed %s: %v", slug, err)
	}
	f.Org = o
	owner, _, err := db.ActorFor(ctx, u.ID, slug)
	if err != nil {
		t.Fatalf("seed actor: %v", err)
	}
	f.Actors[isms.RoleOwner], f.Users[isms.RoleOwner] = owner, u
	for _, r := range isms.Roles[1:] {
		m, _, err := db.AddMember(ctx, owner, store.NewMember{Email: string(r) + "@" + slug + ".test", Name: strings.ToUpper(string(r[:1])) + string(r[1:]) + " of " + slug, Role: r, PasswordHash: "x"})
		if err != nil {
			t.Fatalf("seed member %s: %v", r, err)
		}
		a, _, err := db.ActorFor(ctx, m.UserID, slug)
		if err != nil {
			t.Fatalf("seed actor %s: %v", r, err)
		}
		f.Actors[r] = a
		uu, _ := db.UserByID(ctx, m.UserID)
		f.Users[r] = uu
	}
	return f
}
