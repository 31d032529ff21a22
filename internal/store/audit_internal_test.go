package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// A verification on SQLite reads with a small page cache and gives the
// connection its usual cache back after, and leaves no checker behind.
func TestVerificationGivesThePageCacheBack(t *testing.T) {
	ctx := context.Background()
	db := openInternalDB(t)
	// One read connection, so every read below uses the one the
	// verification used.
	db.r.SetMaxOpenConns(1)
	cacheSize := func() (n int64) {
		t.Helper()
		if err := db.read(ctx, func(t *tx) error { return t.QueryRow(`PRAGMA cache_size`).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	usual := cacheSize()
	var during int64
	if err := db.read(ctx, func(t *tx) error {
		restore, err := t.smallPageCache()
		if err != nil {
			return err
		}
		if err := t.QueryRow(`PRAGMA cache_size`).Scan(&during); err != nil {
			return err
		}
		return restore()
	}); err != nil {
		t.Fatalf("shrinking the page cache: %v", err)
	}
	if during != 64 || usual == 64 {
		t.Errorf("page cache %d while shrunk, %d usually; want 64 and another", during, usual)
	}
	if got := cacheSize(); got != usual {
		t.Errorf("page cache %d after restoring; want %d", got, usual)
	}
	for i := range 3 {
		if err := db.write(ctx, func(t *tx) error {
			return t.audit("org", "", "person", "p1", "update", nil, map[string]any{"n": i})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n != 3 {
		t.Fatalf("verify: %d entries, break %+v, %v; want 3 intact", n, brk, err)
	}
	if got := cacheSize(); got != usual {
		t.Errorf("page cache %d after a verification; want %d", got, usual)
	}
	auditCheckers.mu.Lock()
	left := len(auditCheckers.m)
	auditCheckers.mu.Unlock()
	if left != 0 {
		t.Errorf("%d checkers left registered after the verification", left)
	}
}

// The checker passes entries only in chain order: entries handed over in
// another order are a break, never an intact chain.
func TestChainCheckerRefusesEntriesOutOfOrder(t *testing.T) {
	texts := []string{"first", "second", "third"}
	hashes := make([]string, len(texts))
	prevs := make([]string, len(texts))
	for i, text := range texts {
		if i > 0 {
			prevs[i] = hashes[i-1]
		}
		sum := isms.AuditSumOf([]byte(prevs[i] + text))
		hashes[i] = string(sum[:])
	}
	feed := func(order ...int) *chainChecker {
		c := &chainChecker{ends: map[string]chainEnd{}}
		c.begin("org")
		for _, i := range order {
			if c.brk != nil {
				break
			}
			if c.follows(int64(i+1), true, prevs[i]) {
				c.hashed(hashes[i], isms.AuditSumOf([]byte(prevs[i]+texts[i])).Is(hashes[i]))
			}
		}
		if c.brk == nil {
			c.end(int64(len(order)))
		}
		return c
	}
	if c := feed(0, 1, 2); c.brk != nil || c.checked != 3 || c.ends["org"].hash != hashes[2] {
		t.Fatalf("entries in order: break %+v, %d checked, end %+v", c.brk, c.checked, c.ends["org"])
	}
	for _, order := range [][]int{{0, 2, 1}, {1, 0, 2}, {2, 1, 0}} {
		c := feed(order...)
		if c.brk == nil || !strings.Contains(c.brk.Reason, "missing") {
			t.Errorf("entries in order %v: break %+v; want an entry reported missing", order, c.brk)
		}
	}
}

// On PostgreSQL a verification reads a chain in the order of its index,
// also where the chain is most of a small table: the planner would read
// the whole table, join every entry's text and sort it (3,200 entries: 22
// ms against the index's 6).
func TestPostgresVerificationWalksTheChainIndex(t *testing.T) {
	ctx := context.Background()
	db := migratedPostgresForTest(t)
	err := db.write(ctx, func(t *tx) error {
		_, err := t.Exec(`INSERT INTO audit_log (id, org_id, seq, at, actor_id, record_type, record_id, action, before_values, after_values, prev_hash, hash)
			SELECT 'e' || n, CASE WHEN n <= 3000 THEN 'big' ELSE 'small' END, n, '2026-01-01T00:00:00.000000Z', 'u', 'asset', 'r' || n, 'update',
				repeat('b', 300), repeat('a', 300), 'p' || n, 'h' || n
			FROM generate_series(1, 3200) AS n`)
		if err != nil {
			return err
		}
		_, err = t.Exec(`ANALYZE audit_log`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every snapshot a verification reads in, a long chain's first half's
	// too, has the settings.
	err = db.inSnapshot(ctx, func(t *tx) error {
		for _, name := range []string{"enable_sort", "jit"} {
			var v string
			if err := t.QueryRow(`SHOW ` + name).Scan(&v); err != nil {
				return err
			}
			if v != "off" {
				return fmt.Errorf("%s is %s in a verification's snapshot", name, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	plan := func() string {
		q, args := auditChunkOf{org: "big", after: math.MinInt64, n: auditChunk}.postgresQuery()
		return postgresPlan(t, db, chainWalkSettings, q, args...)
	}
	if p := plan(); !strings.Contains(p, "audit_log_org_id_seq_key") || strings.Contains(p, "Sort") {
		t.Errorf("a chain's chunk planned as\n%s\nwant a walk of audit_log_org_id_seq_key", p)
	}
	// Without the index (a copy of the log an attacker made) the sort is
	// planned at the cost of a ruled-out plan, which must not have each
	// query compiled first (a second each where PostgreSQL has JIT).
	if err := db.write(ctx, func(t *tx) error {
		_, err := t.Exec(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_org_id_seq_key`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p := plan(); strings.Contains(p, "JIT") {
		t.Errorf("a chain's chunk without the index planned as\n%s\nwant no compilation", p)
	}
}
