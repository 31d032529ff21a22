package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// auditRecord appends one entry to the organisation's audit chain inside
// the caller's transaction. before and after are field values; either may be
// nil. The chain head row is updated first, which serialises appends to one
// organisation's chain on PostgreSQL (SQLite serialises all writes anyway).
func (t *tx) audit(orgID, actorID, recordType, recordID, action string, before, after map[string]any) error {
	// Take the next number of the organisation's chain and the hash of
	// its latest entry in one statement (one round trip on PostgreSQL):
	// the first entry starts the chain at 1 after an empty hash.
	var seq int64
	var prev string
	if err := t.QueryRow(`INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 1, '')
		ON CONFLICT (org_id) DO UPDATE SET seq = audit_heads.seq + 1 RETURNING seq, hash`, orgID).Scan(&seq, &prev); err != nil {
		return err
	}
	e := isms.AuditEntry{
		Seq: seq, ID: newID(), OrgID: orgID, At: t.now, ActorID: actorID,
		RecordType: recordType, RecordID: recordID, Action: action,
		Before: isms.EncodeFields(before), After: isms.EncodeFields(after), PrevHash: prev,
	}
	e.Hash = e.ComputeHash()
	if err := t.insertAudit(e); err != nil {
		return err
	}
	_, err := t.Exec(`UPDATE audit_heads SET hash = $1 WHERE org_id = $2`, e.Hash, orgID)
	return err
}

func (t *tx) insertAudit(e isms.AuditEntry) error {
	_, err := t.Exec(`INSERT INTO audit_log (id, org_id, seq, at, actor_id, record_type, record_id, action, before_values, after_values, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, e.OrgID, e.Seq, isms.FormatTime(e.At), e.ActorID, e.RecordType, e.RecordID, e.Action, e.Before, e.After, e.PrevHash, e.Hash)
	return err
}

const auditColumns = `a.id, a.org_id, a.seq, a.at, a.actor_id, a.record_type, a.record_id, a.action, a.before_values, a.after_values, a.prev_hash, a.hash, COALESCE(u.name, '')`

func scanAudit(rows scanner) (isms.AuditEntry, error) {
	var e isms.AuditEntry
	var at string
	if err := rows.Scan(&e.ID, &e.OrgID, &e.Seq, &at, &e.ActorID, &e.RecordType, &e.RecordID, &e.Action, &e.Before, &e.After, &e.PrevHash, &e.Hash, &e.ActorName); err != nil {
		return e, err
	}
	var err error
	e.At, err = isms.ParseTime(at)
	return e, err
}

// AuditLog lists the actor's organisation's audit entries, newest first.
// Owners and auditors may read it.
func (db *DB) AuditLog(ctx context.Context, a isms.Actor, f isms.AuditFilter) (isms.AuditPage, error) {
	var page isms.AuditPage
	if err := a.Require(isms.PermReadAudit); err != nil {
		return page, err
	}
	if f.Limit <= 0 || f.Limit > isms.MaxLimit {
		f.Limit = isms.DefaultLimit
	}
	where, args, err := auditWhere(a.OrgID, f)
	if err != nil {
		return page, err
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE ` + where + fmt.Sprintf(` ORDER BY a.seq DESC LIMIT %d`, f.Limit+1)
	err = db.read(ctx, func(t *tx) error {
		rows, err := t.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, e)
		}
		return rows.Err()
	})
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextSeq = page.Items[len(page.Items)-1].Seq
	}
	return page, err
}

// history returns a record's changes, oldest first, with field diffs; a
// cond, if given, is a further condition on the statement ($1 the
// organisation, $3 the record's id).
func (t *tx) history(orgID, recordType, recordID string, specs []isms.FieldSpec, cond string) ([]isms.HistoryEntry, error) {
	var out []isms.HistoryEntry
	err := t.readTogether(historyReading(orgID, recordType, recordID, specs, cond, &out))
	return out, err
}

// historyReading is history as a reading, appending to out.
func historyReading(orgID, recordType, recordID string, specs []isms.FieldSpec, cond string, out *[]isms.HistoryEntry) reading {
	if cond != "" {
		cond = " AND " + cond
	}
	return reading{`SELECT ` + auditColumns + ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.org_id = $1 AND a.record_type = $2 AND a.record_id = $3` + cond + ` ORDER BY a.seq`,
		[]any{orgID, recordType, recordID},
		func(s scanner) error {
			e, err := scanAudit(s)
			if err != nil {
				return err
			}
			*out = append(*out, isms.HistoryEntry{AuditEntry: e, Changes: isms.Diff(specs, isms.DecodeFields(e.Before), isms.DecodeFields(e.After))})
			return nil
		}}
}

// VerifyAuditLog walks every organisation's chain and returns the first
// entry whose hash or link does not match, or nil when all chains are
// intact. It also reports how many entries it checked.
func (db *DB) VerifyAuditLog(ctx context.Context) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, nil, auditChunk)
}

// VerifyOrgAuditLog is VerifyAuditLog for one organisation's chain.
func (db *DB) VerifyOrgAuditLog(ctx context.Context, orgID string) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, &orgID, auditChunk)
}

// auditChunk is how many entries one query of a verification reads. With a
// LIMIT PostgreSQL walks the (org_id, seq) index; asked for a whole chain
// at once it may judge sorting the table cheaper, which took eight times
// as long.
const auditChunk = 5000

// auditBatchLen is how many entries the reading goroutine hands to the
// checking one at a time.
const auditBatchLen = 256

// auditVerifyRow is SQL for an entry as a verification reads it: its hash,
// then the text the hash covers (isms.AuditEntry.HashedText), joined by the
// separator. The database joins the columns, so a verification reads one
// text per entry instead of twelve columns and parses no timestamp: on
// SQLite fetching a column costs about as much as hashing it, and
// concat_ws less than a chain of ||. The timestamp is hashed as stored, in
// isms.TimeLayout, so a rewritten one no longer matches even where it
// means the same instant. concat_ws leaves out NULLs, which the columns
// refuse; a row that holds one anyway loses a field and fails the check.
var auditVerifyRow = `concat_ws('` + isms.AuditHashSeparator + `', ` + strings.Join([]string{
	"a.hash", "a.prev_hash", "a.seq", "a.id", "a.org_id", "a.at", "a.actor_id",
	"a.record_type", "a.record_id", "a.action", "a.before_values", "a.after_values",
}, ", ") + `)`

// auditRow is one entry as a verification reads it: see auditVerifyRow.
type auditRow string

// fields splits the row. The hash, PrevHash and sequence number come
// first, and Holdfast never writes a separator into them; in a row where
// one was written, the split fields no longer hash and link as the
// original ones did, so the entry fails the check all the same. ok is
// false for a row without a sequence number.
func (r auditRow) fields() (hash, text, prev string, seq int64, ok bool) {
	hash, text, _ = strings.Cut(string(r), isms.AuditHashSeparator)
	prev, rest, _ := strings.Cut(text, isms.AuditHashSeparator)
	num, _, _ := strings.Cut(rest, isms.AuditHashSeparator)
	seq, err := strconv.ParseInt(num, 10, 64)
	return hash, text, prev, seq, err == nil
}

// auditBatch is consecutive entries of one organisation's chain. The last
// batch of a chain has end set and says how many entries the organisation
// has in all.
type auditBatch struct {
	org   string
	rows  []auditRow
	end   bool
	count int64
}

// verifyAudit checks one organisation's chain (orgID set) or every chain,
// reading chunk entries per query. One goroutine reads the entries while
// this one hashes and checks them, so on a machine with two cores the
// hashing costs no time of its own.
//
// The chunks, counts and heads are read in one snapshot, or entries
// appended meanwhile would look like tampering. SQLite's read transaction
// has one from its first read on; PostgreSQL needs REPEATABLE READ for it.
func (db *DB) verifyAudit(ctx context.Context, orgID *string, chunk int) (checked int64, brk *isms.ChainBreak, err error) {
	headWhere, args := "", []any{}
	if orgID != nil {
		headWhere, args = ` WHERE h.org_id = $1`, []any{*orgID}
	}
	opts := &sql.TxOptions{ReadOnly: db.dialect == Postgres}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	err = db.run(ctx, db.r, db.rStmts, opts, func(t *tx) error {
		batches := make(chan *auditBatch, 4)
		stop := make(chan struct{})
		read := make(chan error, 1)
		go func() {
			defer close(batches)
			read <- readAuditChains(t, orgID, chunk, batches, stop)
		}()
		var c chainChecker
		atEntry := false
		for b := range batches {
			if brk == nil {
				if brk, atEntry = c.check(b); brk != nil {
					close(stop)
				}
			}
		}
		// The transaction is this goroutine's again only once the
		// reading one is done with it.
		if err := <-read; err != nil {
			return err
		}
		checked = c.checked
		if atEntry {
			return brokenEntryID(t, brk)
		}
		if brk != nil {
			return nil
		}
		var err error
		brk, err = verifyHeads(t, headWhere, args, c.ends)
		return err
	})
	return checked, brk, err
}

// readAuditChains sends the entries of orgID's chain, or of every chain,
// in order of organisation and sequence number, until they are all sent or
// stop is closed.
func readAuditChains(t *tx, orgID *string, chunk int, out chan<- *auditBatch, stop <-chan struct{}) error {
	send := func(b *auditBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	if orgID != nil {
		_, err := readAuditChain(t, *orgID, chunk, send)
		return err
	}
	org, ok, err := nextAuditOrg(t, nil)
	for ; ok && err == nil; org, ok, err = nextAuditOrg(t, &org) {
		if more, err := readAuditChain(t, org, chunk, send); !more || err != nil {
			return err
		}
	}
	return err
}

// readAuditChain sends org's entries in batches, chunk entries per query,
// and then the number of entries org has. more is false when send was
// refused.
func readAuditChain(t *tx, org string, chunk int, send func(*auditBatch) bool) (more bool, err error) {
	q := `SELECT ` + auditVerifyRow + ` FROM audit_log a
		WHERE a.org_id = $1 AND a.seq > $2 ORDER BY a.seq LIMIT ` + strconv.Itoa(chunk)
	newBatch := func() *auditBatch { return &auditBatch{org: org, rows: make([]auditRow, 0, auditBatchLen)} }
	b := newBatch()
	// Sequence numbers start at 1; an entry numbered below is read too,
	// and fails the check.
	after := int64(math.MinInt64)
	for n := chunk; n == chunk; {
		rows, err := t.Query(q, org, after)
		if err != nil {
			return false, err
		}
		var r auditRow
		for n = 0; rows.Next(); n++ {
			if err := rows.Scan((*string)(&r)); err != nil {
				rows.Close()
				return false, err
			}
			if b.rows = append(b.rows, r); len(b.rows) == auditBatchLen {
				if !send(b) {
					rows.Close()
					return false, nil
				}
				b = newBatch()
			}
		}
		err = rows.Err()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return false, err
		}
		// The next chunk starts after the last entry read. One without a
		// sequence number fails the check, which then stops the reading.
		_, _, _, after, _ = r.fields()
	}
	// Reading in chunks would pass over an entry that repeats the sequence
	// number a chunk ended at; the count shows it.
	if err := t.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE org_id = $1`, org).Scan(&b.count); err != nil {
		return false, err
	}
	b.end = true
	return send(b), nil
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

// chainChecker checks batches of entries in chain order: that each
// organisation's entries are numbered 1, 2, 3 …, that each links to the
// one before, and that each one's content matches its hash.
type chainChecker struct {
	checked int64
	ends    map[string]chainEnd // each finished chain's last entry

	org  string
	seq  int64 // of the last entry checked in org's chain
	prev string
	n    int64 // entries checked in org's chain
	h    isms.AuditHasher
}

// chainEnd is the last entry of one organisation's chain.
type chainEnd struct {
	seq  int64
	hash string
}

// check checks b, which follows the batches checked before, and returns the
// first break in it; atEntry says that the break is at an entry of the
// chain, whose id the caller may look up.
func (c *chainChecker) check(b *auditBatch) (brk *isms.ChainBreak, atEntry bool) {
	if c.ends == nil || b.org != c.org {
		if c.ends == nil {
			c.ends = map[string]chainEnd{}
		}
		c.org, c.seq, c.prev, c.n = b.org, 0, "", 0
	}
	for _, r := range b.rows {
		c.checked++
		c.n++
		hash, text, link, seq, ok := r.fields()
		reason := ""
		switch {
		case !ok:
			return &isms.ChainBreak{OrgID: c.org, Seq: c.seq + 1, Reason: fmt.Sprintf("expected entry %d here: the entry found has no sequence number", c.seq+1)}, false
		case seq != c.seq+1:
			reason = fmt.Sprintf("expected entry %d here: an entry is missing", c.seq+1)
		case link != c.prev:
			reason = "its link to the previous entry does not match"
		case string(c.h.Sum(text)) != hash:
			reason = "its content does not match its hash (the entry was altered)"
		}
		if reason != "" {
			return &isms.ChainBreak{OrgID: c.org, Seq: seq, Reason: reason}, true
		}
		c.seq, c.prev = seq, hash
	}
	if b.end {
		if b.count != c.n {
			return &isms.ChainBreak{OrgID: c.org, Seq: c.seq + 1, Reason: fmt.Sprintf(
				"the organisation has %d entries but only %d form its chain: entries were added outside it", b.count, c.n)}, false
		}
		c.ends[c.org] = chainEnd{c.seq, c.prev}
	}
	return nil, false
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
