package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// countCache keeps the totals of register lists, so that opening a list,
// paging through it or coming back to it does not count the register
// again each time: counting an organisation's 10,000 actions costs more
// than reading the page.
//
// A total is kept under two marks that every change moves:
//   - the organisation's audit head: every change to its records appends
//     to its audit log in the same transaction, on whichever instance
//     made it;
//   - the store's write generation, moved before and after every write
//     transaction of this process, so that a change that wrote no audit
//     entry still invalidates what was counted before it.
//
// A read takes the generation before its first statement and the head in
// its snapshot, so a total kept under a pair was counted from a state at
// least as new as the pair; a later change moves one of them.
type countCache struct {
	gen  atomic.Uint64
	mu   sync.Mutex
	orgs map[string]*orgCounts
}

type orgCounts struct {
	seq    int64
	gen    uint64
	totals map[string][]int // by query and arguments
}

// Bounds of the cache: a total is a few dozen bytes.
const (
	maxCountOrgs    = 256
	maxCountsPerOrg = 512
)

// wrote marks that a write transaction may change any count.
func (c *countCache) wrote() { c.gen.Add(1) }

// countKey names a count query with its arguments.
func countKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

func (c *countCache) get(orgID string, seq int64, gen uint64, key string) ([]int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orgs[orgID]
	if o == nil || o.seq != seq || o.gen != gen {
		return nil, false
	}
	n, ok := o.totals[key]
	return n, ok
}

func (c *countCache) put(orgID string, seq int64, gen uint64, key string, n []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil || len(c.orgs) >= maxCountOrgs {
		c.orgs = map[string]*orgCounts{}
	}
	o := c.orgs[orgID]
	if o == nil || o.seq != seq || o.gen != gen || len(o.totals) >= maxCountsPerOrg {
		// A newer mark replaces the organisation's totals; an older one
		// (a read that began before a change) is not kept.
		if o != nil && (seq < o.seq || gen < o.gen) {
			return
		}
		o = &orgCounts{seq: seq, gen: gen, totals: map[string][]int{}}
		c.orgs[orgID] = o
	}
	o.totals[key] = n
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

// count returns the number of the organisation's rows query counts, kept
// in the cache.
func (t *tx) count(orgID, query string, args []any) (int, error) {
	var n int
	err := t.counts(orgID, query, args, &n)
	return n, err
}

// counts scans the numbers query returns for the organisation into dest,
// kept in the cache.
func (t *tx) counts(orgID, query string, args []any, dest ...*int) error {
	seq, err := t.auditSeq(orgID)
	if err != nil {
		return err
	}
	c := &t.db.counts
	key := countKey(query, args)
	ns, ok := c.get(orgID, seq, t.gen, key)
	if !ok {
		ns = make([]int, len(dest))
		scan := make([]any, len(dest))
		for i := range ns {
			scan[i] = &ns[i]
		}
		if err := t.QueryRow(query, args...).Scan(scan...); err != nil {
			return err
		}
		c.put(orgID, seq, t.gen, key, ns)
	}
	for i, d := range dest {
		*d = ns[i]
	}
	return nil
}
