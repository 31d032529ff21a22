package store

import (
	"context"
	"fmt"
	"testing"
)

// Statements seen for the first time are prepared one after another on a
// single connection, so a server that has served a few requests one at a
// time keeps one or two read connections open, not one for each
// statement it saw; and once prepared, they are used.
func TestStatementsArePreparedOnOneConnection(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const distinct = 24
	query := func(i int) string { return fmt.Sprintf(`SELECT COUNT(*) + %d FROM organisations`, i) }
	for round := range 2 {
		// One read at a time, each seeing many new statements while it
		// holds its connection.
		for i := range distinct {
			if err := db.read(ctx, func(t *tx) error {
				var n int
				if err := t.QueryRow(query(i)).Scan(&n); err != nil {
					return err
				}
				if n != i {
					return fmt.Errorf("query %d answered %d", i, n)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		db.rStmts.wg.Wait() // the preparing goroutine has finished
		if open := db.r.Stats().OpenConnections; open > 2 {
			t.Fatalf("round %d: %d read connections open after one read at a time, want at most 2 (the reads' and the preparer's)", round, open)
		}
	}
	db.rStmts.mu.Lock()
	defer db.rStmts.mu.Unlock()
	for i := range distinct {
		if db.rStmts.stmts[query(i)] == nil {
			t.Errorf("statement %d was not prepared", i)
		}
	}
}
