// Package store keeps Holdfast's records in SQLite (embedded, the default)
// or PostgreSQL through database/sql, with one portable SQL dialect. Every
// public method is one transaction; methods that touch organisation
// records take an isms.Actor, check its permission first and confine every
// query to the actor's organisation.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Dialect names the database in use.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says which database to open.
type Config struct {
	// DSN is a postgres:// URL; empty means SQLite in DataDir.
	DSN string
	// DataDir holds the SQLite file and uploaded files.
	DataDir string
	Logger  *slog.Logger
	// Existing says the database already holds Holdfast's records and
	// the caller mostly reads (holdfast check, backup): on SQLite no
	// write connection is opened until something writes.
	Existing bool
}

// DB is the store. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	w       *sql.DB // writes; one connection on SQLite
	r       *sql.DB // reads
	dataDir string
	log     *slog.Logger
	// prepared statements per pool, on SQLite
	wStmts, rStmts *stmtCache
	kept           keptCache
	maxPlanLinks   int              // risk-to-control links kept for the treatment plan
	maxPlanActions int              // treatment actions kept for the treatment plan
	maxManagers    int              // managers whose names are kept for the people list
	maxWalk        int              // records a filtered page may walk on PostgreSQL's one plan
	maxOrdered     int              // matches of a filtered or searched list kept in its order
	statements     [2]atomic.Uint64 // run in reads, in writes (see Statements)
	roundTrips     [2]atomic.Uint64 // likewise (see RoundTrips)
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// readDSN is dsn for the read connections: every transaction of their
// sessions read-only, and their prepared statements planned once.
//
// PostgreSQL plans a prepared statement afresh on every execution while
// its plan for the statement's values looks cheaper than its plan for
// any values, and with a register's dozen indexes that planning cost
// more than running the statement: a page of a list after the first
// (the cursor's comparison looks selective), a page of a search (its
// ids), the lines of a detail page were each planned every time, 0.1 to
// 1 ms of the server's CPU. The reads' statements are shaped so that
// one plan serves every value: a record or a page of ids by primary key,
// a page by walking its sort index from the cursor, and a filter's few
// matches (or none) known from their count before the page is read (see
// listing). A URL that sets plan_cache_mode itself keeps its own.
func readDSN(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url.Error repeats the URL, password and all: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("PostgreSQL URL: %w", err)
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	if !q.Has("plan_cache_mode") {
		q.Set("plan_cache_mode", "force_generic_plan")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Open connects to the database named by cfg. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{dataDir: cfg.DataDir, log: cfg.Logger, Now: time.Now, maxPlanLinks: maxKeptPlanLinks, maxPlanActions: maxKeptPlanActions, maxManagers: maxKeptManagers, maxWalk: maxWalk, maxOrdered: maxOrderedMatches}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case IsPostgresDSN(cfg.DSN):
		db.dialect = Postgres
		// Reads run without a transaction (see read); their connections
		// make every statement read-only, as a READ ONLY transaction did,
		// and keep one plan for each statement (see readDSN).
		rdsn, err := readDSN(cfg.DSN)
		if err != nil {
			return nil, err
		}
		w, err := openPool("pgx", cfg.DSN, 8, 4, 5*time.Minute)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		r, err := openPool("pgx", rdsn, 16, 8, 5*time.Minute)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		db.w, db.r = w, r
	case cfg.DSN == "":
		db.dialect = SQLite
		if cfg.DataDir == "" {
			return nil, errors.New("no data directory given")
		}
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(cfg.DataDir, "holdfast.db")
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// One writer, kept open.
		w, err := openPool("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate", 1, 1, 0)
		if err != nil {
			return nil, fmt.Errorf("open SQLite: %w", err)
		}
		// Read connections refuse to write: a read that tried would be a
		// bug. They stay open between requests: opening one applies the
		// pragmas again and drops its prepared statements.
		r, err := openPool("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)", 8, 8, 10*time.Minute)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open SQLite: %w", err)
		}
		db.w, db.r = w, r
		db.wStmts, db.rStmts = newStmtCache(w), newStmtCache(r)
	default:
		return nil, fmt.Errorf("unsupported database URL: only postgres:// URLs or the built-in SQLite are supported")
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// SQLite's writer opens (and if need be creates) the file first. On
	// PostgreSQL, or an SQLite file that exists, a read connection is
	// enough to know the database answers, and a command that only reads
	// uses no other (see SchemaVersion): on PostgreSQL each connection is
	// a server process, on SQLite opening one reads the whole schema.
	ping := db.w
	if db.dialect == Postgres || cfg.Existing {
		ping = db.r
	}
	if err := ping.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.dialect, err)
	}
	return db, nil
}

// openPool opens a connection pool of at most open connections, keeping up
// to idle of them for idleTime (0: for as long as the pool lives).
func openPool(driver, dsn string, open, idle int, idleTime time.Duration) (*sql.DB, error) {
	p, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(open)
	p.SetMaxIdleConns(idle)
	p.SetConnMaxIdleTime(idleTime)
	return p, nil
}

// Dialect reports which database is in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// DataDir is the directory for the SQLite file and uploaded files.
func (db *DB) DataDir() string { return db.dataDir }

// Close closes every connection.
func (db *DB) Close() error {
	for _, c := range []*stmtCache{db.wStmts, db.rStmts} {
		if c != nil {
			c.close()
		}
	}
	var err error
	if db.w != nil {
		err = db.w.Close()
	}
	if db.r != nil && db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// PoolStats returns connection pool statistics for metrics.
func (db *DB) PoolStats() (write, read sql.DBStats) { return db.w.Stats(), db.r.Stats() }

// SettleStatements waits until the statements seen so far have been
// prepared, which happens in the background on a connection of its own
// (see stmtCache): tests that count the connections in use settle first.
func (db *DB) SettleStatements() {
	for _, c := range []*stmtCache{db.wStmts, db.rStmts} {
		if c != nil {
			c.settle()
		}
	}
}

// tx is one transaction plus the time it started, which every timestamp
// written in it uses. On PostgreSQL a read runs on one connection without
// a transaction (see read), and sqlTx is nil.
type tx struct {
	sqlTx *sql.Tx
	conn  *sql.Conn
	ctx   context.Context
	db    *DB
	now   time.Time

	stmts *stmtCache // nil: statements run unprepared
	used  int        // cached statements used so far
	gen   uint64     // the kept cache's write generation when it began
	write bool       // a write transaction: it keeps nothing (see kept)

	// The audit head of headOrg as kept values first read it in this
	// transaction (see keptHead), and heads an earlier read of the
	// request saw (see readMemo); heads is shared, not to be changed.
	headOrg string
	head    int64
	heads   map[string]int64
	memo    *readMemo // the request's memo, in a read of a request that has one
}

// querier runs statements: the transaction, or the connection of a
// PostgreSQL read.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (t *tx) q() querier {
	if t.sqlTx != nil {
		return t.sqlTx
	}
	return t.conn
}

func (t *tx) nowText() string { return isms.FormatTime(t.now) }

// newID makes a new record id: a time-ordered UUID.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// write runs fn in a write transaction and commits it if fn returns nil.
// The request's memo forgets what its reads kept, before the write and
// after it: a read the write made (none should) would have seen the state
// before it.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	if m := readMemoOf(ctx); m != nil {
		m.forget()
		defer m.forget()
	}
	db.kept.wrote()
	defer db.kept.wrote()
	return db.run(ctx, db.w, db.wStmts, nil, fn)
}

// writeAside is write for changes to tables nothing kept is derived from
// (sessions, the last use of an API token), which leave kept values
// standing.
func (db *DB) writeAside(ctx context.Context, fn func(*tx) error) error {
	return db.run(ctx, db.w, db.wStmts, nil, fn)
}

// snapshot runs fn for reading in one snapshot of a PostgreSQL database:
// a REPEATABLE READ, READ ONLY transaction on one read connection (t.conn),
// begun by statement rather than by database/sql, so that fn may also read
// through pgx's own interface on the connection (see tx.pgx).
func (db *DB) snapshot(ctx context.Context, fn func(*tx) error) error {
	return db.onReadConn(ctx, func(t *tx) error {
		if _, err := t.Exec(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			// A connection left in the transaction (the rollback failed
			// too) is closed, not reused, by the driver.
			_, _ = t.Exec(`ROLLBACK`)
			return err
		}
		_, err := t.Exec(`COMMIT`)
		return err
	})
}

// onReadConn runs fn on one PostgreSQL read connection, without a
// transaction of database/sql's (see read).
func (db *DB) onReadConn(ctx context.Context, fn func(*tx) error) error {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return db.mapErr(err)
	}
	defer conn.Close()
	return db.mapErr(fn(&tx{conn: conn, ctx: ctx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), gen: db.kept.gen.Load()}))
}

// read runs fn for reading. On SQLite that is a read transaction, which
// sees one snapshot of the database throughout. On PostgreSQL it is one
// connection without a transaction: at the READ COMMITTED isolation a
// transaction would give each statement its own snapshot all the same, so
// BEGIN and COMMIT would only add two round trips to the server for every
// read (a page makes several).
//
// The reads of one request share the organisation's audit head through
// the request's memo, if it has one (WithReadMemo), and in a read scope
// on SQLite one transaction (WithReadScope).
func (db *DB) read(ctx context.Context, fn func(*tx) error) error {
	m := readMemoOf(ctx)
	if m != nil {
		inner := fn
		fn = func(t *tx) error {
			m.recall(t)
			err := inner(t)
			if err == nil {
				m.note(t)
			}
			return err
		}
	}
	if db.dialect == Postgres {
		return db.onReadConn(ctx, fn)
	}
	if m != nil {
		t, err := m.sharedTx(ctx, db)
		if err != nil {
			return db.mapErr(err)
		}
		if t != nil {
			return db.mapErr(fn(t))
		}
	}
	return db.run(ctx, db.r, db.rStmts, nil, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, stmts *stmtCache, opts *sql.TxOptions, fn func(*tx) error) error {
	gen := db.kept.gen.Load()
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return db.mapErr(err)
	}
	t := &tx{sqlTx: sqlTx, ctx: ctx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), stmts: stmts, gen: gen, write: pool == db.w}
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return db.mapErr(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return db.mapErr(err)
	}
	return nil
}

// mapErr turns driver errors into domain errors; domain errors pass through.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var e *isms.Error
	if errors.As(err, &e) {
		return e
	}
	var ie *ImportError
	if errors.As(err, &ie) {
		return ie
	}
	if errors.Is(err, sql.ErrNoRows) {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &isms.Error{Kind: isms.KindInternal, Msg: isms.M("error.timeout"), Err: err}
	}
	switch constraintOf(err) {
	case constraintUnique:
		return &isms.Error{Kind: isms.KindConflict, Msg: isms.M("error.duplicate"), Err: err}
	case constraintForeignKey:
		return &isms.Error{Kind: isms.KindInvalid, Msg: isms.M("error.broken_link"), Err: err}
	}
	return isms.Internal(err)
}

// Optimize refreshes the query planner's statistics on SQLite, which keeps
// none until asked; without them it may walk a whole sorted index to find
// a handful of rows (a member's open actions, say). PostgreSQL's
// autovacuum gathers them itself, so there Optimize does nothing.
//
// thorough analyses every table (the server does so hourly); otherwise
// only tables whose statistics SQLite judges missing or out of date are
// (PRAGMA optimize), which is next to free when they are recent: the
// server does that at start, where a whole ANALYZE of every table would
// hold up the first requests.
func (db *DB) Optimize(ctx context.Context, thorough bool) error {
	if db.dialect != SQLite {
		return nil
	}
	if thorough {
		return db.Analyze(ctx)
	}
	// 0x02 alone: analyse the tables that need it, wholly. The default
	// (0x12) samples them, and sampled statistics of a table whose first
	// index entries are alike (actions serving nothing sort first) are
	// wrong by orders of magnitude: after an upgrade added an index, a
	// risk list then walked every action of the organisation per risk.
	return db.analyzeSQLite(ctx, `PRAGMA optimize = 0x02`)
}

// Analyze refreshes the planner's statistics on either database. Bulk
// loads (demonstration data, a restore) call it: they fill tables faster
// than PostgreSQL's autovacuum notices, and until it does, pages choose
// plans for empty tables.
func (db *DB) Analyze(ctx context.Context) error {
	if db.dialect == SQLite {
		// A whole ANALYZE, not a sampled one: sampling a thousand rows
		// made SQLite believe an action's "serves" index matched a
		// thousand rows, so a risk's page walked every action in creation
		// order to find its three. The whole one takes about a
		// millisecond per thousand records.
		return db.analyzeSQLite(ctx, `ANALYZE`)
	}
	// PostgreSQL also vacuums, which marks the loaded pages all-visible so
	// that counts are answered from indexes alone.
	if _, err := db.w.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("refresh planner statistics: %w", err)
	}
	return nil
}

// analyzeSQLite runs q (ANALYZE or PRAGMA optimize) and keeps only the
// per-index row estimates it gathers (sqlite_stat1), not the sampled key
// values (sqlite_stat4). With samples present SQLite recompiles every
// prepared statement that compares a bound value with an indexed column
// each time it runs, to choose a plan for that value: on a list page that
// recompiling cost more than running the queries. Every query here is
// confined to one organisation and reads through indexes whose shape the
// row estimates describe well enough. Both happen in one transaction, so
// no connection reloads the statistics with the samples in them.
func (db *DB) analyzeSQLite(ctx context.Context, q string) error {
	err := func() error {
		t, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer t.Rollback()
		if _, err := t.ExecContext(ctx, q); err != nil {
			return err
		}
		var n int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			if _, err := t.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
				return err
			}
		}
		if err := t.Commit(); err != nil {
			return err
		}
		// Load the statistics as they now are on this connection too.
		_, err = db.w.ExecContext(ctx, `ANALYZE sqlite_schema`)
		return err
	}()
	if err != nil {
		return fmt.Errorf("refresh planner statistics: %w", err)
	}
	return nil
}
