package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCache keeps prepared statements for one SQLite connection pool.
// SQLite compiles every statement it is given, and on a list page compiling
// the few statements costs about as much as running them; a statement
// prepared once is reused on each connection it has run on. (The
// PostgreSQL driver keeps its own per-connection statement cache.)
//
// A statement seen for the first time runs unprepared while it is prepared
// in the background: preparing it inside the transaction would need a
// second connection from the pool the transaction already holds one of.
// One goroutine prepares the statements seen, one after another, so
// preparing holds at most one connection: a preparation for each new
// statement at once would have the pool open a connection for each, and
// every SQLite connection carries its own schema, page cache and compiled
// statements (about a megabyte) for as long as the pool keeps it.
type stmtCache struct {
	pool *sql.DB

	mu        sync.Mutex
	stmts     map[string]*sql.Stmt // nil: being prepared, or could not be
	pending   []string             // seen, waiting to be prepared
	preparing bool                 // the preparing goroutine is running
	closed    bool
	wg        sync.WaitGroup
}

// maxCachedStmts bounds the cache. The application's queries are a few
// hundred distinct texts; filters and IN lists of varying length make more,
// which run unprepared once the cache is full.
const maxCachedStmts = 512

// maxTxStmts bounds how many cached statements one transaction uses: each
// use adds a statement handle the transaction keeps until it ends, so
// long-running work (imports, restores) runs the rest unprepared.
const maxTxStmts = 64

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for q, or nil if it is not ready; the
// first call for q starts preparing it.
func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, seen := c.stmts[q]
	if seen || c.closed || len(c.stmts) >= maxCachedStmts {
		return st
	}
	c.stmts[q] = nil
	c.pending = append(c.pending, q)
	if !c.preparing {
		c.preparing = true
		c.wg.Add(1)
		go c.prepareAll()
	}
	return nil
}

// prepareAll prepares the pending statements in turn until none is left
// or the cache is closed.
func (c *stmtCache) prepareAll() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		if c.closed || len(c.pending) == 0 {
			c.preparing = false
			c.pending = nil
			c.mu.Unlock()
			return
		}
		q := c.pending[0]
		c.pending = c.pending[1:]
		c.mu.Unlock()
		c.prepare(q)
	}
}

func (c *stmtCache) prepare(q string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.pool.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		// Left as nil: the statement keeps running unprepared, and its
		// error, if it has one, is reported where it runs.
		return
	}
	if c.closed {
		st.Close()
		return
	}
	c.stmts[q] = st
}

// settle waits until no statement is being prepared.
func (c *stmtCache) settle() { c.wg.Wait() }

// close waits for statements being prepared and closes them all; the pool
// is closed after it.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		if st != nil {
			st.Close()
		}
		delete(c.stmts, q)
	}
}

// stmt returns q prepared on t's connection, or nil to run it unprepared.
func (t *tx) stmt(q string) *sql.Stmt {
	if t.stmts == nil || t.sqlTx == nil || t.used >= maxTxStmts {
		return nil
	}
	st := t.stmts.get(q)
	if st == nil {
		return nil
	}
	t.used++
	return t.sqlTx.StmtContext(t.ctx, st)
}

// Query runs q in the transaction, prepared when it can be.
func (t *tx) Query(q string, args ...any) (*sql.Rows, error) {
	t.counted()
	if st := t.stmt(q); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.q().QueryContext(t.ctx, q, args...)
}

// QueryRow runs q in the transaction, prepared when it can be.
func (t *tx) QueryRow(q string, args ...any) *sql.Row {
	t.counted()
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.q().QueryRowContext(t.ctx, q, args...)
}

// Exec runs q in the transaction, prepared when it can be.
func (t *tx) Exec(q string, args ...any) (sql.Result, error) {
	t.counted()
	if st := t.stmt(q); st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.q().ExecContext(t.ctx, q, args...)
}

// counted counts a statement the transaction runs on its own: one round
// trip to the database (see DB.Statements).
func (t *tx) counted() { t.countTrip(1) }

// countTrip counts one round trip that ran n statements.
func (t *tx) countTrip(n uint64) {
	i := 0
	if t.write {
		i = 1
	}
	t.db.statements[i].Add(n)
	t.db.roundTrips[i].Add(1)
}

// Statements returns how many statements the store has run since it
// opened, in writes and in reads: the metrics show them, and what a page
// costs on PostgreSQL is mostly how many it runs.
func (db *DB) Statements() (write, read uint64) {
	return db.statements[1].Load(), db.statements[0].Load()
}

// RoundTrips returns how many times the store has sent statements to the
// database and waited for the answer, in writes and in reads: as many as
// statements, but for readings run together on PostgreSQL, which take one
// (see readTogether). On SQLite a round trip is a call into the library.
func (db *DB) RoundTrips() (write, read uint64) {
	return db.roundTrips[1].Load(), db.roundTrips[0].Load()
}
