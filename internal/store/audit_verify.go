package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// VerifyAuditLog walks every organisation's chain and returns the first
// entry whose hash or link does not match, or nil when all chains are
// intact. It also reports how many entries it checked.
func (db *DB) VerifyAuditLog(ctx context.Context) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, nil, auditChunk, db.auditSplit())
}

// VerifyOrgAuditLog is VerifyAuditLog for one organisation's chain.
func (db *DB) VerifyOrgAuditLog(ctx context.Context, orgID string) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, &orgID, auditChunk, db.auditSplit())
}

// auditChunk is how many entries one query of a verification reads. With a
// LIMIT PostgreSQL walks the (org_id, seq) index; asked for a whole chain
// at once it may judge sorting the table cheaper, which took eight times
// as long.
const auditChunk = 5000

// auditSplit is how long a chain must be for a verification to read its
// two halves at once, on two connections (0: never). On SQLite a second
// connection costs a few milliseconds to open and checking 10,000 entries
// some thirty; a PostgreSQL connection, a server process of its own,
// costs as much as the half it would save (and the server already
// works beside the check). A machine with one processor gains nothing.
func (db *DB) auditSplit() int64 {
	if db.dialect != SQLite || runtime.GOMAXPROCS(0) < 2 {
		return 0
	}
	return 10000
}

// auditHashedColumns are the columns of the text an entry's hash covers
// (isms.AuditEntry.HashedText), in the order its fields are hashed. The
// timestamp is hashed as stored, in isms.TimeLayout, so a rewritten one no
// longer matches even where it means the same instant.
var auditHashedColumns = strings.Join([]string{
	"a.prev_hash", "a.seq", "a.id", "a.org_id", "a.at", "a.actor_id",
	"a.record_type", "a.record_id", "a.action", "a.before_values", "a.after_values",
}, ", ")

// auditHashedText is SQL for that text, joined by the database.
// concat_ws leaves out NULLs, which the columns refuse; a row that holds
// one anyway loses a field and fails the check.
var auditHashedText = `concat_ws('` + isms.AuditHashSeparator + `', ` + auditHashedColumns + `)`

// verifyAudit checks one organisation's chain (orgID set) or every chain,
// reading chunk entries per query, and chains of split entries or more
// (0: none) in two halves at once (see readAuditHalves).
//
// On SQLite an entry's text is hashed where SQLite holds it, by
// Holdfast's own code, which SQLite calls for each entry in turn (see
// auditChain): copying the text out of the database (some 19 MB for a
// chain of 28,000 entries) and handing each row through database/sql
// cost more than the hashing. On PostgreSQL the text is read and hashed
// here, where pgx holds it (see readAuditChunkPostgres): the server's own
// sha256 took five times as long as sending it.
//
// The chunks, counts and heads are read in one snapshot, or entries
// appended meanwhile would look like tampering. SQLite's read transaction
// has one from its first read on; PostgreSQL needs REPEATABLE READ for it
// (see snapshot).
func (db *DB) verifyAudit(ctx context.Context, orgID *string, chunk int, split int64) (checked int64, brk *isms.ChainBreak, err error) {
	headWhere, args := "", []any{}
	if orgID != nil {
		headWhere, args = ` WHERE h.org_id = $1`, []any{*orgID}
	}
	r := auditReading{chunk: chunk, split: split}
	err = db.inSnapshot(ctx, func(t *tx) error {
		c := &chainChecker{ends: map[string]chainEnd{}}
		if err := withChecker(t, c, func() error { return readAuditChains(t, orgID, r, c) }); err != nil {
			return err
		}
		checked, brk = c.checked, c.brk
		if brk != nil {
			if c.atEntry {
				return brokenEntryID(t, brk)
			}
			return nil
		}
		var err error
		brk, err = verifyHeads(t, headWhere, args, c.ends)
		return err
	})
	return checked, brk, err
}

// inSnapshot runs fn, a verification's reading, in one snapshot of the
// database: a read transaction on SQLite, a REPEATABLE READ one on
// PostgreSQL (see snapshot), which walks chains by their index.
func (db *DB) inSnapshot(ctx context.Context, fn func(*tx) error) error {
	if db.dialect == Postgres {
		return db.snapshot(ctx, func(t *tx) error {
			if err := walkChainsByIndex(t); err != nil {
				return err
			}
			return fn(t)
		})
	}
	return db.run(ctx, db.r, db.rStmts, nil, fn)
}

// walkChainsByIndex has PostgreSQL read chains in the order of the
// (org_id, seq) index for the rest of t. For a chain that is a fair part
// of a small table the planner would otherwise read the whole table and
// sort it, joining each entry's text before the sort: for a chain of
// 3,200 entries 22 ms against the index's 6, and the sort holds every
// entry's text in memory at once. A sort ruled out but still needed (a
// copy of the log without its index) is planned at a cost so high that
// PostgreSQL would compile each query to machine code first, a second
// each: the verification's queries are never worth it.
func walkChainsByIndex(t *tx) error {
	_, err := t.Exec(chainWalkSettings)
	return err
}

// chainWalkSettings are the plan settings walkChainsByIndex makes.
const chainWalkSettings = `SET LOCAL enable_sort = off; SET LOCAL jit = off`

// auditReading is how a verification reads chains: the entries read per
// query, and the length of chain it reads in two halves (0: none).
type auditReading struct {
	chunk int
	split int64
}

// withChecker runs read, which checks entries with c in t. On SQLite, c
// is registered for holdfast_audit_chain meanwhile, and the connection
// reads with a small page cache.
func withChecker(t *tx, c *chainChecker, read func() error) (err error) {
	if t.db.dialect != SQLite {
		return read()
	}
	c.handle = auditCheckers.add(c)
	defer auditCheckers.remove(c.handle)
	restore, err := t.smallPageCache()
	if err != nil {
		return err
	}
	defer func() {
		if rerr := restore(); err == nil {
			err = rerr
		}
	}()
	return read()
}

// smallPageCache shrinks the SQLite connection's page cache for a read
// that visits each page once, such as a chain's verification, and returns
// how to give the connection its cache back. The usual cache (2 MB) is
// fresh memory for a new process, and each page of it costs a page fault
// when first used, for pages that are not read again: a tenth of
// `holdfast check --org` on a machine whose page faults are slow.
func (t *tx) smallPageCache() (restore func() error, err error) {
	var size int64
	if err := t.QueryRow(`PRAGMA cache_size`).Scan(&size); err != nil {
		return nil, err
	}
	if _, err := t.Exec(`PRAGMA cache_size = 64`); err != nil {
		return nil, err
	}
	return func() error {
		_, err := t.Exec(`PRAGMA cache_size = ` + strconv.FormatInt(size, 10))
		return err
	}, nil
}

// readAuditChains checks the entries of orgID's chain, or of every chain,
// in order of organisation and sequence number, until they are all
// checked or the checker has found a break.
func readAuditChains(t *tx, orgID *string, r auditReading, c *chainChecker) error {
	if orgID != nil {
		return readAuditChain(t, *orgID, r, c)
	}
	org, ok, err := nextAuditOrg(t, nil)
	for ; ok && err == nil && c.brk == nil; org, ok, err = nextAuditOrg(t, &org) {
		err = readAuditChain(t, org, r, c)
	}
	return err
}

// readAuditChain checks org's entries, and then that org has no entries
// besides them.
func readAuditChain(t *tx, org string, r auditReading, c *chainChecker) error {
	halves, err := readAuditHalves(t, org, r, c)
	if err != nil {
		return err
	}
	if !halves {
		c.begin(org)
		if err := readAuditRange(t, org, r.chunk, c, math.MinInt64, 0); err != nil {
			return err
		}
	}
	if c.brk != nil {
		return nil
	}
	// Reading in chunks would pass over an entry that repeats the sequence
	// number a chunk ended at; the count shows it.
	var count int64
	if err := t.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE org_id = $1`, org).Scan(&count); err != nil {
		return err
	}
	c.end(count)
	return nil
}

// readAuditHalves checks org's chain in two halves at once when it has
// r.split entries or more: the first half in a transaction of its own on
// another connection, the second in t. It reports whether it did: when
// the halves are not both intact and joined (the second's first entry
// links to the first's last), the chain is to be read again in one piece,
// which finds the first break in chain order.
//
// The first half's transaction sees the chain at another moment than t.
// Entries are only ever added after the chain head, which t reads the
// half's end from, so an intact chain reads the same in both; a chain
// changed in between reads as two halves that do not join, or as a count
// of entries that does not match t's.
func readAuditHalves(t *tx, org string, r auditReading, c *chainChecker) (bool, error) {
	if r.split <= 0 {
		return false, nil
	}
	var head int64
	err := t.QueryRow(`SELECT seq FROM audit_heads WHERE org_id = $1`, org).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && head < r.split) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	mid := head / 2
	first := &chainChecker{}
	done := make(chan error, 1)
	go func() {
		done <- t.db.inSnapshot(t.ctx, func(t *tx) error {
			return withChecker(t, first, func() error {
				first.begin(org)
				return readAuditRange(t, org, r.chunk, first, math.MinInt64, mid)
			})
		})
	}()
	checked := c.checked
	c.beginAfter(org, mid)
	err = readAuditRange(t, org, r.chunk, c, mid, 0)
	if ferr := <-done; err == nil {
		err = ferr
	}
	if err != nil {
		return false, err
	}
	if first.brk != nil || c.brk != nil || first.seq != mid || c.n == 0 || string(c.firstLink) != string(first.prev) {
		c.checked, c.brk, c.atEntry = checked, nil, false
		return false, nil
	}
	c.checked += first.checked
	c.n += first.n
	return true, nil
}

// readAuditRange checks org's entries numbered after after and, unless
// upto is 0, up to upto, chunk entries per query, until they are all
// checked or one fails.
func readAuditRange(t *tx, org string, chunk int, c *chainChecker, after, upto int64) error {
	read := readAuditChunkPostgres
	if t.db.dialect == SQLite {
		read = readAuditChunkSQLite
	}
	for n := int64(chunk); n == int64(chunk) && c.brk == nil; {
		before := c.n
		if err := read(t, c, auditChunkOf{org, after, upto, chunk}); err != nil {
			return err
		}
		// The next chunk starts after the last entry read; once one
		// fails, there is no next chunk.
		n, after = c.n-before, c.seq
	}
	return nil
}

// auditChunkOf says which entries one query of a verification reads: up
// to n of org's entries numbered after after and, unless upto is 0, up to
// upto. Sequence numbers start at 1, and math.MinInt64 as after reads an
// entry numbered below too, which fails the check. Without upto, SQLite
// reads an entry numbered with a text last, which fails it too.
type auditChunkOf struct {
	org         string
	after, upto int64
	n           int
}

// where is the chunk's condition and arguments from $1 on.
func (k auditChunkOf) where() (string, []any) {
	if k.upto == 0 {
		return `a.org_id = $1 AND a.seq > $2`, []any{k.org, k.after}
	}
	return `a.org_id = $1 AND a.seq > $2 AND a.seq <= $3`, []any{k.org, k.after, k.upto}
}

// postgresQuery is the query that reads the chunk on PostgreSQL: each
// entry's number, hash and hashed columns (its link the first of them),
// in chain order.
func (k auditChunkOf) postgresQuery() (string, []any) {
	where, args := k.where()
	return `SELECT a.seq, a.hash, ` + auditHashedColumns + `
		FROM audit_log a WHERE ` + where + ` ORDER BY a.seq LIMIT ` + strconv.Itoa(k.n), args
}

// readAuditChunkPostgres checks the chunk k of the chain, in a snapshot
// (see snapshot). Each entry's columns are checked where pgx received
// them, as SQLite lends them to auditChain: scanned through database/sql
// they were copied twice. They come as text, as concat_ws would join them
// (the number in decimal), and are hashed one after another: joined by
// the server they took it twice as long to read (3 against 6 ms for 5,000
// entries). The checker keeps a copy of what it needs from one entry to
// the next.
func readAuditChunkPostgres(t *tx, c *chainChecker, k auditChunkOf) error {
	q, args := k.postgresQuery()
	t.counted()
	return t.pgx(func(conn *pgx.Conn) error {
		rows, err := conn.Query(t.ctx, q, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() && c.brk == nil {
			v := rows.RawValues()
			seq, err := strconv.ParseInt(lent(v[0]), 10, 64)
			hash, hashed := lent(v[1]), v[2:]
			if c.follows(seq, err == nil, lent(hashed[0])) {
				c.hashed(hash, isms.AuditSumOfFields(hashed).Is(hash))
			}
		}
		return rows.Err()
	})
}

// lent is b as a string without a copy, for as long as b's owner keeps
// it unchanged.
func lent(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// readAuditChunkSQLite is readAuditChunkPostgres on SQLite: the chunk's
// entries are handed, in order, to auditChain, which checks them with c.
// The LIMIT keeps SQLite from merging the inner query into the outer one,
// so the entries reach the function in the order the inner query reads
// them; were they ever handed over in another order, the check would
// report an entry missing, never pass a broken chain.
func readAuditChunkSQLite(t *tx, c *chainChecker, k auditChunkOf) error {
	where, args := k.where()
	var none any
	return t.QueryRow(`SELECT `+auditChainSQL+`($`+strconv.Itoa(len(args)+1)+`, s, p, h, x) FROM (
		SELECT CASE typeof(a.seq) WHEN 'integer' THEN a.seq END AS s, a.prev_hash AS p, a.hash AS h, `+auditHashedText+` AS x
		FROM audit_log a WHERE `+where+` ORDER BY a.seq LIMIT `+strconv.Itoa(k.n)+`)`,
		append(args, c.handle)...).Scan(&none)
}

// auditChainSQL is the name SQLite knows auditChain by.
const auditChainSQL = "holdfast_audit_chain"

func init() {
	sqlite.MustRegisterFunction(auditChainSQL, &sqlite.FunctionImpl{
		NArgs: 5, VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &auditChain{}, nil },
	})
}

// auditChain is the SQLite aggregate holdfast_audit_chain(checker, seq,
// prev_hash, hash, text): it checks entries with the chainChecker the
// first argument names (see auditCheckers), each entry's text hashed
// where SQLite holds it. Its value is NULL.
type auditChain struct{ c *chainChecker }

// Step checks one entry. SQLite lends the arguments' text for the call
// only (VolatileArgs): the checker keeps a copy of the hash it needs.
func (a *auditChain) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.c == nil {
		h, _ := args[0].(int64)
		if a.c = auditCheckers.get(h); a.c == nil {
			return errors.New("audit chain check: no checker")
		}
	}
	if a.c.brk != nil {
		return nil
	}
	seq, hasSeq := args[1].(int64)
	prev, _ := args[2].(string)
	hash, _ := args[3].(string)
	text, _ := args[4].(string)
	if a.c.follows(seq, hasSeq, prev) {
		a.c.hashed(hash, isms.AuditSumOf(unsafe.Slice(unsafe.StringData(text), len(text))).Is(hash))
	}
	return nil
}

// WindowInverse is not used: the function is not a window function.
func (*auditChain) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("holdfast_audit_chain is not a window function")
}

// WindowValue is the function's value, NULL: the checker holds the result.
func (*auditChain) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return nil, nil }

// Final does nothing: the checker outlives the query.
func (*auditChain) Final(*sqlite.FunctionContext) {}

// auditCheckers are the chain checkers of verifications running on
// SQLite, by the handle their queries pass to holdfast_audit_chain.
var auditCheckers checkerRegistry

// checkerRegistry finds chain checkers by handle. The zero value is ready
// to use.
type checkerRegistry struct {
	mu   sync.Mutex
	last int64
	m    map[int64]*chainChecker
}

// add registers c and returns its handle.
func (r *checkerRegistry) add(c *chainChecker) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[int64]*chainChecker{}
	}
	r.last++
	r.m[r.last] = c
	return r.last
}

// get returns the checker registered as h, or nil.
func (r *checkerRegistry) get(h int64) *chainChecker {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[h]
}

// remove forgets the checker registered as h.
func (r *checkerRegistry) remove(h int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, h)
}

// nextAuditOrg returns the first organisation after the given one (or the
// first of all) that has audit entries; ok is false when there is none.
func nextAuditOrg(t *tx, after *string) (org string, ok bool, err error) {
	var row *sql.Row
	if after == nil {
		row = t.QueryRow(`SELECT org_id FROM audit_log ORDER BY org_id LIMIT 1`)
	} else {
		row = t.QueryRow(`SELECT org_id FROM audit_log WHERE org_id > $1 ORDER BY org_id LIMIT 1`, *after)
	}
	err = row.Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return org, err == nil, err
}

// chainChecker checks entries in chain order, one organisation's chain
// after another: that each organisation's entries are numbered 1, 2, 3 …,
// that each links to the one before, and that each one's content matches
// its hash. It stops at the first break.
type chainChecker struct {
	handle  int64 // its handle in auditCheckers, on SQLite
	checked int64
	ends    map[string]chainEnd // each finished chain's last entry

	brk     *isms.ChainBreak // the first break found
	atEntry bool             // brk is at an entry, whose id may be looked up

	org  string
	seq  int64  // of the last entry checked in org's chain
	prev []byte // its hash, which the next entry links to
	n    int64  // entries checked in org's chain

	// A checker of a chain's second half (see beginAfter) keeps its first
	// entry's link, to be compared with the first half's last hash.
	seam      bool
	firstLink []byte
}

// chainEnd is the last entry of one organisation's chain.
type chainEnd struct {
	seq  int64
	hash string
}

// begin starts on org's chain.
func (c *chainChecker) begin(org string) {
	c.org, c.seq, c.prev, c.n, c.seam = org, 0, c.prev[:0], 0, false
}

// beginAfter starts on org's chain after the entry numbered seq, which
// another checker checks: the first entry's link is kept, not checked.
func (c *chainChecker) beginAfter(org string, seq int64) {
	c.begin(org)
	c.seq, c.seam = seq, true
}

// follows reports whether the next entry, numbered seq (hasSeq false
// when it has no number) and linked to prev, is the one the chain
// expects; if not, it records the break. The caller checks the entry's
// hash next and reports it to hashed.
func (c *chainChecker) follows(seq int64, hasSeq bool, prev string) bool {
	c.checked++
	c.n++
	reason := ""
	switch {
	case !hasSeq:
		c.brk = &isms.ChainBreak{OrgID: c.org, Seq: c.seq + 1, Reason: fmt.Sprintf("expected entry %d here: the entry found has no sequence number", c.seq+1)}
		return false
	case seq != c.seq+1:
		reason = fmt.Sprintf("expected entry %d here: an entry is missing", c.seq+1)
	case c.seam && c.n == 1:
		c.firstLink = append(c.firstLink[:0], prev...)
		c.seq = seq
		return true
	case prev != string(c.prev):
		reason = "its link to the previous entry does not match"
	default:
		c.seq = seq
		return true
	}
	c.brk, c.atEntry = &isms.ChainBreak{OrgID: c.org, Seq: seq, Reason: reason}, true
	return false
}

// hashed records whether the entry follows accepted matches its hash.
func (c *chainChecker) hashed(hash string, matches bool) {
	if !matches {
		c.brk, c.atEntry = &isms.ChainBreak{OrgID: c.org, Seq: c.seq, Reason: "its content does not match its hash (the entry was altered)"}, true
		return
	}
	c.prev = append(c.prev[:0], hash...)
}

// end finishes org's chain, which has count entries in all.
func (c *chainChecker) end(count int64) {
	if count != c.n {
		c.brk = &isms.ChainBreak{OrgID: c.org, Seq: c.seq + 1, Reason: fmt.Sprintf(
			"the organisation has %d entries but only %d form its chain: entries were added outside it", count, c.n)}
		return
	}
	c.ends[c.org] = chainEnd{c.seq, string(c.prev)}
}

// verifyHeads compares each organisation's chain head (the sequence number
// and hash the next entry builds on) with the chain's last entry: entries
// removed from the end leave the head ahead of the chain, and a last entry
// rewritten with a fresh hash no longer matches the head's hash.
func verifyHeads(t *tx, headWhere string, args []any, ends map[string]chainEnd) (*isms.ChainBreak, error) {
	hr, err := t.Query(`SELECT h.org_id, h.seq, h.hash FROM audit_heads h`+headWhere+` ORDER BY h.org_id`, args...)
	if err != nil {
		return nil, err
	}
	defer hr.Close()
	for hr.Next() {
		var o, hash string
		var seq int64
		if err := hr.Scan(&o, &seq, &hash); err != nil {
			return nil, err
		}
		end := ends[o]
		switch {
		case seq != end.seq:
			return &isms.ChainBreak{OrgID: o, Seq: end.seq + 1, Reason: fmt.Sprintf("the chain should have %d entries but has %d: entries at the end were removed", seq, end.seq)}, nil
		case hash != end.hash:
			brk := &isms.ChainBreak{OrgID: o, Seq: end.seq, Reason: "it does not match the chain's head (the last entry was replaced)"}
			if err := hr.Close(); err != nil {
				return nil, err
			}
			return brk, brokenEntryID(t, brk)
		}
	}
	return nil, hr.Err()
}

// brokenEntryID fills in the id of the entry brk names. It is looked up only
// once a break is found: reading it along with every entry would cost
// another column per entry.
func brokenEntryID(t *tx, brk *isms.ChainBreak) error {
	err := t.QueryRow(`SELECT id FROM audit_log WHERE org_id = $1 AND seq = $2`, brk.OrgID, brk.Seq).Scan(&brk.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}
