package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Readings run together answer as they would one by one, in order, on
// both databases (on PostgreSQL through one pipeline, in a read, and one
// by one in a write); each counts as a statement, and the pipeline as one
// round trip; a failing one fails the read with the database's error and
// no later reading's rows are taken for it.
func TestReadTogether(t *testing.T) {
	ctx := context.Background()
	for name, db := range bothDatabases(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			err := db.write(ctx, func(t *tx) error {
				for i, slug := range []string{"acme", "globex", "initech"} {
					if _, err := t.Exec(`INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at)
						VALUES ($1, $2, $3, 'micro', 'UTC', 'iso', 1, $4, $4)`, newID(), slug, fmt.Sprintf("Org %d", i), t.nowText()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			collect := func(prefix string) func(scanner) error {
				return func(s scanner) error {
					var v string
					if err := s.Scan(&v); err != nil {
						return err
					}
					got = append(got, prefix+v)
					return nil
				}
			}
			readings := func(third string) []reading {
				return []reading{
					{`SELECT slug FROM organisations WHERE slug <> $1 ORDER BY slug`, []any{"globex"}, collect("a:")},
					{`SELECT name FROM organisations WHERE slug = $1`, []any{"globex"}, collect("b:")},
					{third, nil, collect("c:")},
					{`SELECT slug FROM organisations WHERE slug = 'initech'`, nil, collect("d:")},
				}
			}
			want := "[a:acme a:initech b:Org 1 c:3 d:initech]"
			for _, how := range []struct {
				name string
				run  func(func(*tx) error) error
			}{
				{"read", func(fn func(*tx) error) error { return db.read(ctx, fn) }},
				{"write", func(fn func(*tx) error) error { return db.write(ctx, fn) }},
			} {
				got = nil
				w0, r0 := db.Statements()
				tw0, tr0 := db.RoundTrips()
				if err := how.run(func(t *tx) error { return t.readTogether(readings(`SELECT COUNT(*) FROM organisations`)...) }); err != nil {
					t.Fatalf("%s: %v", how.name, err)
				}
				if fmt.Sprint(got) != want {
					t.Fatalf("%s: %v, want %s", how.name, got, want)
				}
				w1, r1 := db.Statements()
				if n := (w1 - w0) + (r1 - r0); n != 4 {
					t.Fatalf("%s: %d statements counted, want 4", how.name, n)
				}
				trips := uint64(4)
				if name == "postgres" && how.name == "read" {
					trips = 1
				}
				tw1, tr1 := db.RoundTrips()
				if n := (tw1 - tw0) + (tr1 - tr0); n != trips {
					t.Fatalf("%s: %d round trips counted, want %d", how.name, n, trips)
				}

				got = nil
				err := how.run(func(t *tx) error { return t.readTogether(readings(`SELECT no_such_column FROM organisations`)...) })
				if err == nil || !strings.Contains(err.Error(), "no_such_column") {
					t.Fatalf("%s: a failing reading: %v", how.name, err)
				}
				for _, g := range got {
					if strings.HasPrefix(g, "d:") {
						t.Fatalf("%s: rows of the reading after the failing one were taken: %v", how.name, got)
					}
				}
			}
		})
	}
}
