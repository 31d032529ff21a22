package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// keptCache keeps what is derived from an organisation's records and read
// on many pages, so that it is not derived again until they change: the
// totals of register lists (counting an organisation's 10,000 actions
// costs more than reading the page) and the decoded risk criteria.
//
// What is kept is kept under two marks that every change moves:
//   - the organisation's audit head: every change to its records appends
//     to its audit log in the same transaction, on whichever instance
//     made it;
//   - the store's write generation, moved before and after every write
//     transaction of this process, so that a change that wrote no audit
//     entry still invalidates what was derived before it.
//
// A read takes the generation before its first statement and the head in
// its snapshot, so a value kept under a pair was derived from a state at
// least as new as the pair; a later change moves one of them. Kept values
// are shared: callers must not change them (or hand out copies).
type keptCache struct {
	gen   atomic.Uint64
	mu    sync.Mutex
	orgs  map[string]*orgKept
	bytes int // what the sized values of every organisation hold
}

type orgKept struct {
	seq    int64
	gen    uint64
	values map[string]any // by what they are: a query and its arguments, say
	bytes  int            // what its sized values hold
}

// Bounds of the cache: a total is a few dozen bytes, criteria a few
// kilobytes; a list's matches in order (keptList) tens of kilobytes and
// the treatment plan's links and actions (risksItems) up to hundreds, so
// those count against a budget of bytes for all.
const (
	maxKeptOrgs   = 256
	maxKeptPerOrg = 512
	maxKeptBytes  = 16 << 20
)

// sizedValue is a kept value large enough to count against maxKeptBytes.
type sizedValue interface{ keptBytes() int }

func keptSize(v any) int {
	if s, ok := v.(sizedValue); ok {
		return s.keptBytes()
	}
	return 0
}

// wrote marks that a write transaction may change anything kept.
func (c *keptCache) wrote() { c.gen.Add(1) }

// countKey names a count query with its arguments.
func countKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

func (c *keptCache) get(orgID string, seq int64, gen uint64, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orgs[orgID]
	if o == nil || o.seq != seq || o.gen != gen {
		return nil, false
	}
	v, ok := o.values[key]
	return v, ok
}

func (c *keptCache) put(orgID string, seq int64, gen uint64, key string, v any) {
	size := keptSize(v)
	if size > maxKeptBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil || len(c.orgs) >= maxKeptOrgs || c.bytes+size > maxKeptBytes {
		c.orgs, c.bytes = map[string]*orgKept{}, 0
	}
	o := c.orgs[orgID]
	if o == nil || o.seq != seq || o.gen != gen || len(o.values) >= maxKeptPerOrg {
		// A newer mark replaces the organisation's values; an older one
		// (a read that began before a change) is not kept.
		if o != nil && (seq < o.seq || gen < o.gen) {
			return
		}
		if o != nil {
			c.bytes -= o.bytes
		}
		o = &orgKept{seq: seq, gen: gen, values: map[string]any{}}
		c.orgs[orgID] = o
	}
	if old, ok := o.values[key]; ok {
		o.bytes -= keptSize(old)
		c.bytes -= keptSize(old)
	}
	o.values[key] = v
	o.bytes += size
	c.bytes += size
}

// auditSeq reads the organisation's audit head: 0 before its first entry.
func (t *tx) auditSeq(orgID string) (int64, error) {
	var seq int64
	err := t.QueryRow(`SELECT seq FROM audit_heads WHERE org_id = $1`, orgID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// keptHead is the organisation's audit head as this read first saw it: a
// page's list keeps its total, the names of its users and more, and each
// read of the head was a statement (a round trip on PostgreSQL). Reading
// it once is as safe as reading it each time: whatever is derived after
// it was read comes from a state at least as new.
func (t *tx) keptHead(orgID string) (int64, error) {
	if t.headOrg == orgID && orgID != "" {
		return t.head, nil
	}
	if seq, ok := t.heads[orgID]; ok && orgID != "" {
		t.headOrg, t.head = orgID, seq
		return seq, nil
	}
	seq, err := t.auditSeq(orgID)
	if err != nil {
		return 0, err
	}
	t.headOrg, t.head = orgID, seq
	return seq, nil
}

// readMemo carries what one request's reads have in common: the audit
// heads of organisations as the request's first read that needed them saw
// them, with the write generation of that read. A page reads several times
// (its list, the risk criteria, the members for a filter), and each read
// of the head was a statement, on PostgreSQL a round trip: about a tenth
// of a list page there. Reading it once per request is as safe as reading
// it once per read (see keptHead): a later read then looks up the values
// kept for a state no newer than its own, as a single longer read would.
// A write in the request forgets it, so what the request reads after its
// own change is derived afresh.
//
// It also carries the user's memberships when the request's session was
// read together with them (SessionStore.FindCtx), for RequestView, and
// the heads of their organisations, read in the same statement: on
// PostgreSQL a round trip fewer for every page that shows a kept value
// (and, from TokenActor, for every API call in an organisation).
//
// In a read scope (WithReadScope) the request's reads on SQLite share one
// read transaction, begun by the first of them, until the request writes
// (its later reads then share a new one, which sees the change) or its
// answer begins, where the scope ends. A page reads five to ten times (its
// session, its record, the record's history, links and actions, the
// members); each read began and committed a transaction of its own, about
// a tenth of a detail page. The reads of a page now also see one state of
// the database, as one read would.
type readMemo struct {
	mu    sync.Mutex
	heads map[string]int64 // by organisation; nil until a read has read one
	gen   uint64
	view  *memberView
	// records are the records the request's reads looked up one by one
	// (table.get), for its later reads: see recordOf.
	records map[memoKey]any

	scoped    bool    // reads may share a transaction (WithReadScope)
	ended     bool    // the scope has ended: reads run each on its own
	shared    *sql.Tx // the reads' transaction, once one has begun it
	sharedGen uint64  // the kept cache's write generation when it began
}

type readMemoKey struct{}

// WithReadMemo returns ctx carrying a memo for the reads of one request
// (ctx itself if it carries one already, as in a read scope); the API's
// handlers call it as a request arrives.
func WithReadMemo(ctx context.Context) context.Context {
	if readMemoOf(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, readMemoKey{}, &readMemo{})
}

// WithReadScope returns ctx carrying a memo whose reads share one
// transaction on SQLite (see readMemo), and the function that ends the
// scope, committing that transaction. The caller must end it, at the
// latest when the request is done, and should end it as soon as it starts
// sending its answer: a slow client would otherwise hold a read
// connection and a snapshot of the database while it downloads.
func WithReadScope(ctx context.Context) (context.Context, func()) {
	m := &readMemo{scoped: true}
	return context.WithValue(ctx, readMemoKey{}, m), m.end
}

// end ends the read scope; reads after it run each on its own, and look
// records up afresh.
func (m *readMemo) end() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ended = true
	m.records = nil
	m.endShared()
}

// endShared commits the shared read transaction, if one has begun; m.mu
// is held.
func (m *readMemo) endShared() {
	if m.shared != nil {
		_ = m.shared.Commit() // it only read: nothing is lost if this fails
		m.shared = nil
	}
}

// sharedTx returns a transaction for a read that shares the scope's read
// transaction, beginning it if this is the first read, or nil if the read
// is to run on its own (no scope, or the scope has ended). The
// transaction outlives the read's own context: the scope's end commits it.
func (m *readMemo) sharedTx(ctx context.Context, db *DB) (*tx, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.scoped || m.ended {
		return nil, nil
	}
	if m.shared == nil {
		gen := db.kept.gen.Load()
		st, err := db.r.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return nil, err
		}
		m.shared, m.sharedGen = st, gen
	}
	return &tx{sqlTx: m.shared, ctx: ctx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), stmts: db.rStmts, gen: m.sharedGen}, nil
}

func readMemoOf(ctx context.Context) *readMemo {
	m, _ := ctx.Value(readMemoKey{}).(*readMemo)
	return m
}

// recall starts t from what an earlier read of the request kept.
func (m *readMemo) recall(t *tx) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.memo = m
	if m.heads != nil {
		t.heads, t.gen = m.heads, m.gen
	}
}

// note keeps the head t read for the request's later reads, unless the
// memo has one for its organisation.
func (m *readMemo) note(t *tx) {
	if t.headOrg == "" {
		return
	}
	m.keepHeads(map[string]int64{t.headOrg: t.head}, t.gen)
}

// keepHeads keeps organisations' audit heads that a read saw, with the
// write generation it began at, for the request's later reads. Heads seen
// at another generation than those kept are not mixed with them.
func (m *readMemo) keepHeads(heads map[string]int64, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.heads == nil {
		m.heads, m.gen = heads, gen
		return
	}
	if gen != m.gen {
		return
	}
	// Reads that recalled the kept map share it: add to a copy.
	var merged map[string]int64
	for org, seq := range heads {
		if _, ok := m.heads[org]; !ok {
			if merged == nil {
				merged = maps.Clone(m.heads)
			}
			merged[org] = seq
		}
	}
	if merged != nil {
		m.heads = merged
	}
}

// forget drops what the memo keeps: the request is writing.
func (m *readMemo) forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.heads, m.view, m.records = nil, nil, nil
	m.endShared()
}

// memoKey names one record: its table, organisation and id.
type memoKey struct{ table, org, id string }

// recordOf returns the record an earlier read of the request looked up by
// its id, if one did. A detail page asks for its record several times
// through the store's methods (the record; its history, notes or links,
// which check that it exists and may be read), each a statement, on
// PostgreSQL a round trip: three of an action page's seven. Answering the
// later ones from the first is as safe as the audit heads above: the
// request sees the record as one longer read would have, and its own
// writes forget it. Records are values; the slices in one are shared
// with the memo, and no reader changes them.
func (m *readMemo) recordOf(k memoKey) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.records[k]
	return v, ok
}

// keepRecord keeps a record a read looked up by its id.
func (m *readMemo) keepRecord(k memoKey, rec any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = map[memoKey]any{}
	}
	m.records[k] = rec
}

// keepMembers keeps what the session read found of its user.
func (m *readMemo) keepMembers(mv memberView) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.view = &mv
}

// members returns the memberships kept for user userID, if any.
func (m *readMemo) members(userID string) (memberView, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.view == nil || m.view.user.ID != userID {
		return memberView{}, false
	}
	return *m.view, true
}

// kept returns the value derive makes from the organisation's records,
// kept under key until they change. Only reads keep values: a write sees
// its own changes before they are committed, and may roll them back, so
// in a write kept derives afresh.
func (t *tx) kept(orgID, key string, derive func() (any, error)) (any, error) {
	if t.write {
		return derive()
	}
	seq, err := t.keptHead(orgID)
	if err != nil {
		return nil, err
	}
	c := &t.db.kept
	if v, ok := c.get(orgID, seq, t.gen, key); ok {
		return v, nil
	}
	v, err := derive()
	if err != nil {
		return nil, err
	}
	c.put(orgID, seq, t.gen, key, v)
	return v, nil
}

// count returns the number of the organisation's rows query counts, kept
// until its records change.
func (t *tx) count(orgID, query string, args []any) (int, error) {
	var n int
	err := t.counts(orgID, query, args, &n)
	return n, err
}

// keptList is a list kept up to a bound (see keptUpTo).
type keptList[T any] struct {
	items []T
	over  bool // there were more than are kept; items is nil
	bytes int  // about what items hold
}

func (k keptList[T]) keptBytes() int { return k.bytes }

// keptUpTo returns the organisation's list that read reads, kept under
// key until its records change, if it holds at most max items (read is
// asked for max+1 of them, to tell); ok is false when it holds more, and
// only that is kept. size tells about what an item holds, for the cache's
// budget of bytes.
func keptUpTo[T any](t *tx, orgID, key string, max int, size func(T) int, read func(limit int) ([]T, error)) (items []T, ok bool, err error) {
	v, err := t.kept(orgID, key, func() (any, error) {
		items, err := read(max + 1)
		if err != nil || len(items) > max {
			return keptList[T]{over: true}, err
		}
		n := 0
		for _, x := range items {
			n += size(x)
		}
		return keptList[T]{items: items, bytes: n}, nil
	})
	if err != nil {
		return nil, false, err
	}
	k := v.(keptList[T])
	return k.items, !k.over, nil
}

// counts scans the numbers query returns for the organisation into dest,
// kept until its records change.
func (t *tx) counts(orgID, query string, args []any, dest ...*int) error {
	v, err := t.kept(orgID, countKey(query, args), func() (any, error) {
		ns := make([]int, len(dest))
		scan := make([]any, len(dest))
		for i := range ns {
			scan[i] = &ns[i]
		}
		return ns, t.QueryRow(query, args...).Scan(scan...)
	})
	if err != nil {
		return err
	}
	for i, n := range v.([]int) {
		*dest[i] = n
	}
	return nil
}
