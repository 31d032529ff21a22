package store

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// table describes how one register is stored. The generic methods below
// give every register the same list, read, create, update, archive and
// history behaviour; a register file describes only its columns and the
// checks that make it special.
type table[T any] struct {
	name       string // SQL table
	recordType string // audit log record type
	refPrefix  string // human reference prefix, e.g. "P"; empty for none
	fields     []isms.FieldSpec
	columns    []string // data columns, in the order of dest and values
	meta       func(*T) *isms.Meta
	dest       func(*T) []any // scan targets for columns
	values     func(*T) []any // values for columns
	fieldsOf   func(*T) map[string]any
	// extra are read-only expressions selected after the columns (names of
	// linked records, counts); extraDest gives their scan targets.
	extra     []extraColumn
	extraDest func(*T) []any
	// sorts maps a sort name to a text-valued SQL expression; defaultSort
	// names the one used when none is asked for.
	sorts       map[string]string
	defaultSort string
	// filters maps a filter name to the column it matches exactly.
	filters map[string]string
	// conds are filters that need more than equality: each returns a SQL
	// condition for value v, binding values through arg. The organisation
	// is bound as $1; a subquery should name it so rather than the outer
	// row's org_id, which would make it correlated: PostgreSQL then runs
	// it once per record of the register instead of once.
	conds map[string]func(v string, arg func(any) string) (string, error)
	// search lists the columns a q= search looks in.
	search []string
	// searchIndexed: both databases hold an index of searchText, the
	// searched columns joined (SQLite migration 00012, PostgreSQL 00014).
	// A register without one has its columns tested one by one: joining
	// them copies every record's texts before the one test.
	searchIndexed bool
	// brief names what a brief list (ListQuery.Brief) leaves out: meta,
	// data and extra columns the list page does not show, such as long
	// texts, times and the linked names of other columns. A list page
	// reads some fifty rows, and SQLite and its driver pay for every
	// column of every row and every linked lookup. Of the meta columns a
	// brief list reads only id, ref and archived_at, and those briefMeta
	// names (see listMeta).
	brief []string
	// briefMeta names the meta columns of listMeta a brief list of this
	// register reads all the same, because its page shows them.
	briefMeta []string
	// lookups are the extra columns that name or count other records (an
	// owner's name, a manager's, a risk's actions), which a list of
	// records, full or brief, leaves out and fills in from kept values
	// instead (users, fillLookups); a single record's read selects them.
	// As subqueries of a list's select list PostgreSQL ran them once for
	// each row: two thirds of its time for a page of 500 people.
	lookups []string
	// users gives the users a record's lookups name, each with where
	// its name and email address go.
	users func(*T) []userRef
	// fillLookups, if set, fills in the register's other lookups.
	fillLookups func(t *tx, orgID string, items []T) error
	// fillBrief, if set, fills in what else a brief list leaves out and
	// its rows show.
	fillBrief func(t *tx, orgID string, items []T) error
	// fill, if set, fills in what every read of records (one, a list, a
	// brief list) gets from kept values rather than from their rows.
	fill func(t *tx, orgID string, items []T) error

	// listCols are the select lists of a full list [0] and a brief
	// one [1]; see listColumns.
	listCols [2]struct {
		once sync.Once
		cols string // the select list
		keep []bool // for each meta, data and extra column, whether the list reads it
	}
}

// extraColumn is a read-only expression selected after a table's data
// columns, named so that a brief list can leave it out.
type extraColumn struct{ name, expr string }

// listMeta are the meta columns no list page shows: a brief list of any
// register leaves them out.
var listMeta = []string{"org_id", "version", "created_at", "updated_at", "created_by", "updated_by"}

const metaColumns = "id, org_id, ref, version, created_at, updated_at, created_by, updated_by, archived_at"

var metaColumnCount = strings.Count(metaColumns, ",") + 1

// refSortKey sorts references as numbers: PREFIX-999 before PREFIX-1000,
// which as text would come after it. Within one register every reference
// has the same prefix, so putting zeros in front of the shorter ones (the
// more, the shorter) orders them by their number; the registers' reference
// indexes hold this very expression (migration 00015).
const refSortKey = "(substr('000000000000', length(ref)) || ref)"

type metaScan struct {
	m                *isms.Meta
	created, updated string
	archived         sql.NullString
}

func (s *metaScan) dest() []any {
	return []any{&s.m.ID, &s.m.OrgID, &s.m.Ref, &s.m.Version, &s.created, &s.updated, &s.m.CreatedBy, &s.m.UpdatedBy, &s.archived}
}

// finish parses the times scanned as text; a brief list leaves the
// creation and update times out (the columns are never empty).
func (s *metaScan) finish() error {
	var err error
	if s.created != "" {
		if s.m.CreatedAt, err = isms.ParseTime(s.created); err != nil {
			return err
		}
	}
	if s.updated != "" {
		if s.m.UpdatedAt, err = isms.ParseTime(s.updated); err != nil {
			return err
		}
	}
	s.m.ArchivedAt = nil
	if s.archived.Valid {
		t, err := isms.ParseTime(s.archived.String)
		if err != nil {
			return err
		}
		s.m.ArchivedAt = &t
	}
	return nil
}

func (tb *table[T]) selectList() string {
	cols := metaColumns + ", " + strings.Join(tb.columns, ", ")
	for _, x := range tb.extra {
		cols += ", " + x.expr
	}
	return cols
}

// allColumns names every column of the full select list: meta, data and
// extra, in order, with the SQL that selects each.
func (tb *table[T]) allColumns() (names, exprs []string) {
	names = append(strings.Split(metaColumns, ", "), tb.columns...)
	exprs = slices.Clone(names)
	for _, x := range tb.extra {
		names, exprs = append(names, x.name), append(exprs, x.expr)
	}
	return names, exprs
}

// listColumns returns the select list of a list of records, brief or
// full, and for each column of a record's full one whether the list reads
// it: a full list leaves out the lookups, a brief list those and its brief
// columns.
func (tb *table[T]) listColumns(brief bool) (string, []bool) {
	v := &tb.listCols[0]
	if brief {
		v = &tb.listCols[1]
	}
	v.once.Do(func() {
		names, exprs := tb.allColumns()
		var cols []string
		v.keep = make([]bool, len(names))
		for i, c := range names {
			left := slices.Contains(tb.lookups, c) ||
				brief && (slices.Contains(tb.brief, c) || slices.Contains(listMeta, c) && !slices.Contains(tb.briefMeta, c))
			if !left {
				v.keep[i] = true
				cols = append(cols, exprs[i])
			}
		}
		v.cols = strings.Join(cols, ", ")
		if len(cols) == len(names) {
			v.keep = nil // every column: nothing to leave out when scanning
		}
	})
	return v.cols, v.keep
}

func (tb *table[T]) scan(rows interface{ Scan(...any) error }, more ...any) (T, error) {
	return tb.scanColumns(rows, nil, more...)
}

// scanColumns scans a row holding the columns keep marks (all if keep is
// nil), as listColumns selects them.
func (tb *table[T]) scanColumns(rows interface{ Scan(...any) error }, keep []bool, more ...any) (T, error) {
	var rec T
	err := tb.scanInto(rows, &rec, tb.scanTargets(), keep, more...)
	return rec, err
}

// scanTargets has room for a row's scan targets: every column, and the
// sort key and total a list reads after them.
func (tb *table[T]) scanTargets() []any {
	return make([]any, 0, metaColumnCount+len(tb.columns)+len(tb.extra)+2)
}

// scanInto scans a row as scanColumns does into rec, building the row's
// scan targets in scratch (see scanTargets): a list scans each row into
// its place in the page with the same scratch, so that neither the record
// nor its targets are allocated again for every row.
func (tb *table[T]) scanInto(rows interface{ Scan(...any) error }, rec *T, scratch []any, keep []bool, more ...any) error {
	ms := metaScan{m: tb.meta(rec)}
	data := tb.dest(rec)
	var extra []any
	if tb.extraDest != nil {
		extra = tb.extraDest(rec)
	}
	dest := scratch[:0]
	dest = append(append(append(dest, ms.dest()...), data...), extra...)
	if keep != nil {
		n := 0
		for i, d := range dest {
			if keep[i] {
				dest[n] = d
				n++
			}
		}
		dest = dest[:n]
	}
	dest = append(dest, more...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return ms.finish()
}

// get reads one record of the organisation, archived or not.
//
// A read of a request with a memo looks in it first and keeps there what
// it found (see readMemo.recordOf).
func (tb *table[T]) get(t *tx, orgID, id string) (T, error) {
	var rec T
	err := tb.getTogether(t, orgID, id, &rec)
	return rec, err
}

// getTogether reads one record of the organisation, archived or not, into
// rec, together with more readings (see readTogether): what the record's
// page shows with it. If the record is not found, neither is what the
// others read.
func (tb *table[T]) getTogether(t *tx, orgID, id string, rec *T, more ...reading) error {
	k := memoKey{tb.name, orgID, id}
	if t.memo != nil {
		if v, ok := t.memo.recordOf(k); ok {
			*rec = v.(T)
			return t.readTogether(more...)
		}
	}
	found := false
	one := reading{`SELECT ` + tb.selectList() + ` FROM ` + tb.name + ` WHERE org_id = $1 AND id = $2`, []any{orgID, id}, func(s scanner) error {
		var err error
		*rec, err = tb.scan(s)
		found = err == nil
		return err
	}}
	if err := t.readTogether(append([]reading{one}, more...)...); err != nil {
		return err
	}
	if !found {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	if tb.fill != nil {
		recs := []T{*rec}
		if err := tb.fill(t, orgID, recs); err != nil {
			return err
		}
		*rec = recs[0]
	}
	if t.memo != nil {
		t.memo.keepRecord(k, *rec)
	}
	return nil
}

// exists reports whether id names a record of the organisation.
func (tb *table[T]) exists(t *tx, orgID, id string, activeOnly bool) (bool, error) {
	if t.memo != nil {
		if v, ok := t.memo.recordOf(memoKey{tb.name, orgID, id}); ok {
			rec := v.(T)
			return !activeOnly || !tb.meta(&rec).Archived(), nil
		}
	}
	q := `SELECT COUNT(*) FROM ` + tb.name + ` WHERE org_id = $1 AND id = $2`
	if activeOnly {
		q += ` AND archived_at IS NULL`
	}
	var n int
	err := t.QueryRow(q, orgID, id).Scan(&n)
	return n > 0, err
}

// cursor is the opaque position handed to clients: the sort value and id
// of the row at the edge of a page, and whether to page backwards.
type cursor struct {
	V  any    `json:"v"`
	ID string `json:"id"`
	B  bool   `json:"b,omitempty"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, isms.Invalid("cursor", "validation.cursor")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&c); err != nil || c.ID == "" {
		return c, isms.Invalid("cursor", "validation.cursor")
	}
	if n, ok := c.V.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			c.V = i
		} else {
			return c, isms.Invalid("cursor", "validation.cursor")
		}
	}
	return c, nil
}

// likePattern turns a search text into a case-insensitive LIKE pattern.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}

// searchSep separates the searched columns in searchText. A search text
// without it cannot match across two columns, so one test of the joined
// text finds exactly the records one test per column would.
const searchSep = "\x1f"

// searchText is the register's searched columns joined by searchSep. The
// SQLite search indexes (migration 00012) store this very expression, so
// that a search is answered from the index without reading the table;
// changing the columns of a register's search needs a new index.
func (tb *table[T]) searchText(d Dialect) string {
	sep := " || char(31) || "
	if d == Postgres {
		sep = " || chr(31) || "
	}
	return "(" + strings.Join(tb.search, sep) + ")"
}

// searchConds returns the condition that a record holds text in one of
// its searched columns, binding what it needs through arg, in two forms
// that select the same records: joined tests the joined columns once,
// which the search indexes answer; perColumn tests each column in turn,
// which is cheaper when the table's row is read anyway. If text holds
// searchSep, or the register has no search index, joined is the
// per-column test too.
func (tb *table[T]) searchConds(db *DB, text string, arg func(any) string) (joined, perColumn string) {
	var test func(expr string) string
	if db.dialect == Postgres {
		// The lowered text LIKE the lowered pattern, which is what the
		// trigram indexes (migration 00014) answer; ILIKE would be the
		// same test, about a third dearer where the records are scanned.
		p := "lower(" + arg(likePattern(text)) + ")"
		test = func(expr string) string { return fmt.Sprintf(`lower(%s) LIKE %s ESCAPE '\'`, expr, p) }
	} else {
		// SQLite's LIKE ignores ASCII case. The pattern is an expression,
		// not the bare parameter: given a LIKE on a parameter among its
		// AND terms, SQLite recompiles the statement each time the
		// parameter is bound, in case the new pattern suits an index.
		p := arg(likePattern(text))
		test = func(expr string) string { return fmt.Sprintf(`%s LIKE (%s || '') ESCAPE '\'`, expr, p) }
	}
	ors := make([]string, len(tb.search))
	for i, c := range tb.search {
		ors[i] = test(c)
	}
	perColumn = "(" + strings.Join(ors, " OR ") + ")"
	if !tb.searchIndexed || strings.Contains(text, searchSep) {
		return perColumn, perColumn
	}
	return test(tb.searchText(db.dialect)), perColumn
}

// fewMatches bounds, in pages, the matches SQLite reads one by one from the
// search index. With more, walking the sort index until the page is full
// reads fewer records; with fewer, that walk reads most of the register.
const fewMatches = 2

// maxWalk (DB.maxWalk) is how many records PostgreSQL's one plan for a
// filtered page may walk before planning the page for its filter's values
// pays: with a register's dozen indexes, planning a statement takes 0.2 to
// 1 ms of the database's CPU, a walk about half a microsecond a record.
const maxWalk = 1000

// maxOrderedMatches bounds the matches of a filtered or searched list
// whose ids are kept in the list's order (see list; DB.maxOrdered).
const maxOrderedMatches = 2000

// jsonStrings writes ss as a JSON array. Record ids need no escaping, and
// are written as they are; anything else goes through encoding/json.
func jsonStrings(ss []string) string {
	var b strings.Builder
	b.Grow(len(ss) * 39)
	b.WriteByte('[')
	for i, s := range ss {
		for j := 0; j < len(s); j++ {
			if c := s[j]; !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				js, _ := json.Marshal(ss) // strings always marshal
				return string(js)
			}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// orderedPage picks from ids, in the list's ascending order, those of the
// page a query reading in direction asc finds after the record after (from
// the start without one): at most n. ok is false when after is not among
// them.
func orderedPage(ids []string, after string, asc bool, n int) (page []string, ok bool) {
	p := -1
	if after != "" {
		if p = slices.Index(ids, after); p < 0 {
			return nil, false
		}
	}
	if asc {
		return ids[p+1 : min(p+1+n, len(ids))], true
	}
	end := len(ids)
	if after != "" {
		end = p
	}
	return ids[max(0, end-n):end], true
}

// list returns one page of the organisation's records.
//
// A search must test every record of the register, so it is arranged to
// do that once, before the page is read, in a list of the matches' ids in
// the list's order (from the search index, or on SQLite a filter's), kept
// between reads: a page of a short list reads only its own ids. Longer
// lists, and long pages, are counted (kept too) and read by walking the
// sort index until the page is full when matches are many, or by looking
// up the matches when they are few. On SQLite the count makes that choice;
// PostgreSQL's planner makes it from its statistics.
func (tb *table[T]) list(t *tx, orgID string, q isms.ListQuery) (isms.Page[T], error) {
	l, err := tb.listing(t, orgID, q)
	if err != nil {
		return l.page, err
	}
	if err := t.readTogether(l.rows()...); err != nil {
		return l.page, err
	}
	err = l.finish()
	return l.page, err
}

// A listing is a list page (see list) planned up to reading its rows: the
// reading of them, if the page needs one, and what finish then does.
// Pages of several registers can so read their rows together.
type listing[T any] struct {
	tb    *table[T]
	t     *tx
	orgID string
	q     isms.ListQuery
	c     cursor
	page  isms.Page[T]
	keys  []any // the rows' sort keys
	total int   // the count, if known; -1 if not
	count func() (int, error)
	read  *reading // nil: the page is complete as it is
}

// rows is the listing's reading of its rows, if it needs one.
func (l *listing[T]) rows() []reading {
	if l.read == nil {
		return nil
	}
	return []reading{*l.read}
}

// listing plans a list page; see list.
func (tb *table[T]) listing(t *tx, orgID string, q isms.ListQuery) (*listing[T], error) {
	l := &listing[T]{tb: tb, t: t, orgID: orgID}
	page := &l.page
	if err := q.Normalize(); err != nil {
		return l, err
	}
	sortName := q.Sort
	if sortName == "" {
		sortName = tb.defaultSort
	}
	sortExpr, ok := tb.sorts[sortName]
	if !ok {
		return l, isms.Invalid("sort", "validation.sort")
	}
	where := []string{"org_id = $1"}
	args := []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	switch q.Archived {
	case isms.ArchivedExclude:
		where = append(where, "archived_at IS NULL")
	case isms.ArchivedOnly:
		where = append(where, "archived_at IS NOT NULL")
	}
	unfiltered := len(where) // conditions every list of the register has
	ranged := false          // a condition beyond equality, which SQLite cannot estimate
	for name, v := range q.Filters {
		if cond, ok := tb.conds[name]; ok {
			if v == "" {
				continue
			}
			c, err := cond(v, arg)
			if err != nil {
				return l, err
			}
			where, ranged = append(where, c), true
			continue
		}
		col, ok := tb.filters[name]
		if !ok {
			return l, isms.Invalid(name, "validation.filter")
		}
		if v == "" {
			continue
		}
		if v == "-" { // "-" selects records where the field is empty
			where = append(where, fmt.Sprintf("(%s IS NULL OR %s = '')", col, col))
			continue
		}
		where = append(where, col+" = "+arg(v))
	}
	// match selects every record the list shows, on any page, with the
	// arguments in matchArgs; the page query adds the cursor to it.
	match := strings.Join(where, " AND ")
	searching := false
	if s := strings.TrimSpace(q.Q); s != "" && len(tb.search) > 0 {
		searching = true
		joined, perColumn := tb.searchConds(t.db, s, arg)
		match += " AND " + joined
		if t.db.dialect == Postgres {
			// PostgreSQL's statistics of the trigram index's expression
			// tell the planner how many records the joined test selects.
			where = append(where, joined)
		} else {
			where = append(where, perColumn)
		}
	}
	matchArgs := args

	var c cursor
	keyCond := "" // the cursor's condition on a sort key, with %s for the key
	if q.Cursor != "" {
		var err error
		if c, err = decodeCursor(q.Cursor); err != nil {
			return l, err
		}
		// Compare (sort value, id) with the cursor's; backwards flips it.
		gt := q.Desc == c.B
		op := "<"
		if gt {
			op = ">"
		}
		v, id := arg(c.V), arg(c.ID)
		// A row-value comparison lets PostgreSQL range-scan the (sort
		// key, id) index instead of filtering row by row. SQLite does so
		// only when the sort key is a column: for a key that is an
		// expression (the natural order of references) it would test
		// every entry before the cursor, so that a register's last page
		// cost as many entries as it has. There the key's own bound,
		// which it ranges on, comes first.
		keyCond = fmt.Sprintf("(%%s, id) %s (%s, %s)", op, v, id)
		if t.db.dialect == SQLite {
			keyCond = fmt.Sprintf("%%[1]s %s= %s AND (%%[1]s %s %s OR id %s %s)", op, v, op, v, op, id)
		}
	}
	dir := "ASC"
	if q.Desc != c.B {
		dir = "DESC"
	}
	count := func() (int, error) {
		return t.count(orgID, `SELECT COUNT(*) FROM `+tb.name+` WHERE `+match, matchArgs)
	}
	// active counts the register's active records, for the choices below.
	active := func() (int, error) {
		return t.count(orgID, `SELECT COUNT(*) FROM `+tb.name+` WHERE org_id = $1 AND archived_at IS NULL`, []any{orgID})
	}
	if q.CountOnly {
		// Counts are kept between reads: most such asks run no statement.
		var err error
		page.Total, err = count()
		return l, err
	}
	total := -1
	cols, keep := tb.listColumns(q.Brief)
	sqliteFiltered := t.db.dialect == SQLite && (searching || len(where) > unfiltered)
	// On PostgreSQL a filtered page's best plan depends on how many
	// records the filter selects (see below), so it is counted first too.
	pgFiltered := t.db.dialect == Postgres && !searching && len(where) > unfiltered
	// pageIDs are the page's when the matches are kept in order.
	var pageIDs []string
	inOrder := false
	switch {
	case (searching || sqliteFiltered && ranged) && q.Limit <= isms.DefaultLimit:
		// A search, or on SQLite a condition beyond equality: SQLite's
		// plan for such a page walks the sort index and tests each
		// record until the page is full, a walk of the whole register
		// when few records match (122 expired of 5,000 pieces of
		// evidence), and for a broad search some 700 pieces of evidence
		// tested for fifty of the 361 holding "restore". PostgreSQL's
		// page of a broad search walked the sort index likewise (3.6
		// ms). So the matches are listed first in the list's order,
		// from the search index or the condition's, up to
		// maxOrderedMatches of them, and kept between reads (the total
		// is needed anyway); a page then reads only its own. With more,
		// they are counted, and the page left to the planner as a long
		// page's is. (An equal value is counted and left to the
		// planner too: an index of the value and the sort key walks its
		// matches in order, cheaper than looking up a page of ids and
		// sorting them, 0.81 against 0.98 ms for 281 of 2,000 assets.)
		query := fmt.Sprintf(`SELECT id FROM %s WHERE %s ORDER BY %s, id`, tb.name, match, sortExpr)
		ordered, ok, err := keptUpTo(t, orgID, countKey(query, matchArgs), t.db.maxOrdered,
			func(string) int { return 64 }, // a string header and an id in a 48-byte allocation
			func(limit int) ([]string, error) {
				return t.strings(fmt.Sprintf("%s LIMIT %d", query, limit), matchArgs...)
			})
		if err != nil {
			return l, err
		}
		if ok {
			pageIDs, inOrder = orderedPage(ordered, c.ID, dir == "ASC", q.Limit+1)
			total = len(ordered)
		} else if total, err = count(); err != nil {
			return l, err
		}
	case sqliteFiltered || searching || pgFiltered:
		// Counted first, on SQLite for a long page (whose matches are
		// not kept), and for a search on PostgreSQL. Given the count,
		// its page query is left to the planner, which knows from the
		// trigram index's statistics how many records the search
		// selects: for a broad search it walks the sort index until the
		// page is full (about 400 records for 1,200 matches among 10,000
		// actions), for a narrow one it reads the trigram index's
		// candidates. One statement that counted and sorted every match
		// visited all of them, whichever the page needed (4–5 ms). A
		// filter on PostgreSQL is counted for the choice below.
		var err error
		if total, err = count(); err != nil {
			return l, err
		}
	}
	if total == 0 {
		return l, nil
	}
	custom := false // planned for its values (see plannedForValues)
	from := tb.name // what the page reads from
	if inOrder {
		// The page's ids are the page: neither the conditions nor the
		// cursor's are needed (PostgreSQL refuses arguments a statement
		// does not use). PostgreSQL looks an array's ids up in the
		// primary key; ids from a JSON array it would hash, reading the
		// whole register.
		args, keyCond = args[:1], ""
		if t.db.dialect == Postgres {
			where = []string{"org_id = $1", "id = ANY(" + arg(pageIDs) + "::text[])"}
		} else {
			from, where = sqliteByIDs(tb.name, "$1", arg(jsonStrings(pageIDs)))
		}
	} else if sqliteFiltered {
		n := total
		few := n <= fewMatches*(q.Limit+1)
		if !few && ranged && !searching {
			// Walking the sort index reads about limit × all / n
			// records to fill a page; looking the matches up reads n
			// from the condition's index. (For an equal value SQLite's
			// statistics make that choice well, and an index of the
			// value and the sort key may walk the matches in order; a
			// search's matches are listed by testing every entry of the
			// search index, which only pays when they are few.)
			all, err := active()
			if err != nil {
				return l, err
			}
			few = n*n < (q.Limit+1)*all
		}
		if few {
			// The search index, or the filter's, lists the matches'
			// ids without reading the table; only they are read and
			// sorted.
			where = []string{"org_id = $1", "id IN (SELECT id FROM " + tb.name + " WHERE " + match + ")"}
		}
	} else if pgFiltered && total <= fewMatches*(q.Limit+1) {
		// The read connections keep one plan for each statement
		// (readDSN); for a filter it walks the sort index testing each
		// record until the page is full, about limit × all / n records:
		// right when many records match (open actions, applications
		// among assets), the whole register to find a few. Where that
		// walk would be long, a page of a few matches is planned for
		// its values (the filter's index, then a sort of what it
		// finds); planning costs about what walking maxWalk records
		// does. (None match: no page is read at all.)
		all, err := active()
		if err != nil {
			return l, err
		}
		custom = min(all, (q.Limit+1)*all/total) > t.db.maxWalk
	}
	if keyCond != "" {
		where = append(where, fmt.Sprintf(keyCond, sortExpr))
	}
	cols += ", " + sortExpr
	if t.db.dialect == SQLite {
		cols = jsonColumns(cols)
	}
	query := fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY %s %s, id %s LIMIT %d`,
		cols, from, strings.Join(where, " AND "), sortExpr, dir, dir, q.Limit+1)
	// Room for a page as most are; a long one (the controls list shows
	// every control) grows from there.
	room := min(q.Limit+1, isms.DefaultLimit+1)
	page.Items = make([]T, 0, room)
	l.keys = make([]any, 0, room)
	// Each row's scan targets: the columns and the sort key.
	scratch := tb.scanTargets()
	l.q, l.c, l.total, l.count = q, c, total, count
	row := func(s scanner) error {
		var key any
		var zero T
		page.Items = append(page.Items, zero)
		if err := tb.scanInto(s, &page.Items[len(page.Items)-1], scratch, keep, sortKey{&key}); err != nil {
			return err
		}
		l.keys = append(l.keys, normKey(key))
		return nil
	}
	if t.db.dialect == SQLite {
		row = jsonRows(row)
	}
	l.read = &reading{query, args, row}
	if custom {
		l.read.args = t.plannedForValues(args)
	}
	return l, nil
}

// records reads the organisation's records that cond selects, in the
// order order gives, as a full list reads them (see listColumns): a
// read of every record of some kind, which an export or the treatment
// plan makes. The organisation is bound as $1, args from $2.
func (tb *table[T]) records(t *tx, orgID, cond, order string, args ...any) ([]T, error) {
	cols, keep := tb.listColumns(false)
	var out []T
	if err := t.readTogether(reading{`SELECT ` + cols + ` FROM ` + tb.name + ` WHERE org_id = $1 AND ` + cond + ` ORDER BY ` + order,
		append([]any{orgID}, args...), tb.rowsOfColumns(&out, keep)}); err != nil {
		return nil, err
	}
	return out, tb.complete(t, orgID, out, false)
}

// sqliteByIDs reads the organisation's rows of table whose ids the JSON
// array ids holds: what to select from, and the conditions. Each id is
// looked up in turn; as an IN list SQLite first built a temporary index of
// the ids (a twentieth of a searched risk list). The organisation is only
// tested (the unary +): without statistics SQLite would otherwise walk an
// index of the organisation's records for each id.
func sqliteByIDs(table, org, ids string) (from string, where []string) {
	return "(SELECT value AS page_id FROM json_each(" + ids + ")) CROSS JOIN " + table, []string{"+org_id = " + org, "id = page_id"}
}

// sortKey receives a list's sort key as database/sql gives it (a string,
// an int64, a time), whichever way its rows are read: pgx's own rows would
// give their native types.
type sortKey struct{ v *any }

func (k sortKey) Scan(src any) error {
	*k.v = src
	return nil
}

// finish completes the page once its rows are read: the rest of list.
func (l *listing[T]) finish() error {
	if l.read == nil {
		return nil
	}
	tb, t, orgID, q, c, page, keys := l.tb, l.t, l.orgID, l.q, l.c, &l.page, l.keys
	more := len(page.Items) > q.Limit
	if more {
		page.Items, keys = page.Items[:q.Limit], keys[:q.Limit]
	}
	if err := tb.complete(t, orgID, page.Items, q.Brief); err != nil {
		return err
	}
	if c.B { // fetched backwards: put back in display order
		for i, j := 0, len(page.Items)-1; i < j; i, j = i+1, j-1 {
			page.Items[i], page.Items[j] = page.Items[j], page.Items[i]
			keys[i], keys[j] = keys[j], keys[i]
		}
	}
	if n := len(page.Items); n > 0 {
		first, last := tb.meta(&page.Items[0]), tb.meta(&page.Items[n-1])
		if (!c.B && more) || (c.B && q.Cursor != "") {
			page.NextCursor = encodeCursor(cursor{V: keys[n-1], ID: last.ID})
		}
		if (c.B && more) || (!c.B && q.Cursor != "") {
			page.PrevCursor = encodeCursor(cursor{V: keys[0], ID: first.ID, B: true})
		}
	}
	switch {
	case l.total >= 0:
		page.Total = l.total
	case q.Cursor == "" && !more:
		// The first page holds every match, so it is the count.
		page.Total = len(page.Items)
	default:
		var err error
		if page.Total, err = l.count(); err != nil {
			return err
		}
	}
	return nil
}

// complete fills in what a list of records (see listColumns) leaves out
// and shows: the lookups, a brief list's own (fillBrief), and what every
// read fills (fill).
func (tb *table[T]) complete(t *tx, orgID string, items []T, brief bool) error {
	if len(items) == 0 {
		return nil
	}
	if tb.users != nil {
		refs := make([]userRef, 0, 2*len(items))
		for i := range items {
			refs = append(refs, tb.users(&items[i])...)
		}
		if err := t.nameUsers(orgID, refs); err != nil {
			return err
		}
	}
	for _, f := range []func(*tx, string, []T) error{tb.fillLookups, tb.fill} {
		if f != nil {
			if err := f(t, orgID, items); err != nil {
				return err
			}
		}
	}
	if brief && tb.fillBrief != nil {
		return tb.fillBrief(t, orgID, items)
	}
	return nil
}

// normKey makes a scanned sort key JSON-friendly.
func normKey(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case nil:
		return ""
	case time.Time:
		return isms.FormatTime(x)
	}
	return v
}

// insert stores a new record, filling its meta, and audits the creation.
func (tb *table[T]) insert(t *tx, a isms.Actor, rec *T) error {
	m := tb.meta(rec)
	m.ID, m.OrgID, m.Version = newID(), a.OrgID, 1
	m.CreatedAt, m.UpdatedAt, m.CreatedBy, m.UpdatedBy, m.ArchivedAt = t.now, t.now, a.UserID, a.UserID, nil
	if tb.refPrefix != "" {
		ref, err := t.nextRef(a.OrgID, tb.refPrefix)
		if err != nil {
			return err
		}
		m.Ref = ref
	}
	cols := metaColumns + ", " + strings.Join(tb.columns, ", ")
	vals := append([]any{m.ID, m.OrgID, m.Ref, m.Version, t.nowText(), t.nowText(), m.CreatedBy, m.UpdatedBy, nil}, tb.values(rec)...)
	if _, err := t.Exec(`INSERT INTO `+tb.name+` (`+cols+`) VALUES (`+placeholders(1, len(vals))+`)`, vals...); err != nil {
		return err
	}
	return t.audit(a.OrgID, a.UserID, tb.recordType, m.ID, isms.ActionCreate, nil, tb.auditFields(rec))
}

func (tb *table[T]) auditFields(rec *T) map[string]any {
	f := tb.fieldsOf(rec)
	if m := tb.meta(rec); m.Ref != "" {
		f["ref"] = m.Ref
	}
	return f
}

// stale builds the conflict error for a record someone else changed.
func (t *tx) stale(m *isms.Meta) error {
	var name string
	_ = t.QueryRow(`SELECT name FROM users WHERE id = $1`, m.UpdatedBy).Scan(&name)
	if name == "" {
		name = "?"
	}
	return &isms.Error{Kind: isms.KindConflict, Msg: isms.M("error.stale", name, m.UpdatedAt)}
}

// update writes rec's fields if the stored record is still at version base,
// and audits the change. An update that changes nothing writes nothing.
func (tb *table[T]) update(t *tx, a isms.Actor, rec *T, base int) error {
	m := tb.meta(rec)
	cur, err := tb.get(t, a.OrgID, m.ID)
	if err != nil {
		return err
	}
	cm := tb.meta(&cur)
	if cm.Version != base {
		return t.stale(cm)
	}
	before, after := tb.auditFields(&cur), tb.fieldsOf(rec)
	if cm.Ref != "" {
		after["ref"] = cm.Ref
	}
	if isms.EncodeFields(before) == isms.EncodeFields(after) {
		*m = *cm
		return nil
	}
	sets := make([]string, len(tb.columns))
	for i, c := range tb.columns {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	n := len(tb.columns)
	args := append(tb.values(rec), t.nowText(), a.UserID, a.OrgID, m.ID, base)
	res, err := t.Exec(fmt.Sprintf(`UPDATE %s SET %s, version = version + 1, updated_at = $%d, updated_by = $%d
		WHERE org_id = $%d AND id = $%d AND version = $%d`, tb.name, strings.Join(sets, ", "), n+1, n+2, n+3, n+4, n+5), args...)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return t.stale(cm)
	}
	*m = *cm
	m.Version, m.UpdatedAt, m.UpdatedBy = base+1, t.now, a.UserID
	return t.audit(a.OrgID, a.UserID, tb.recordType, m.ID, isms.ActionUpdate, before, after)
}

// setArchived archives or restores a record at version base.
func (tb *table[T]) setArchived(t *tx, a isms.Actor, id string, base int, archive bool) (T, error) {
	cur, err := tb.get(t, a.OrgID, id)
	if err != nil {
		return cur, err
	}
	cm := tb.meta(&cur)
	if cm.Version != base {
		return cur, t.stale(cm)
	}
	if cm.Archived() == archive {
		key := "error.already_active"
		if archive {
			key = "error.already_archived"
		}
		return cur, isms.Errorf(isms.KindConflict, key)
	}
	var at any
	action := isms.ActionRestore
	if archive {
		at, action = t.nowText(), isms.ActionArchive
	}
	res, err := t.Exec(`UPDATE `+tb.name+` SET archived_at = $1, version = version + 1, updated_at = $2, updated_by = $3
		WHERE org_id = $4 AND id = $5 AND version = $6`, at, t.nowText(), a.UserID, a.OrgID, id, base)
	if err != nil {
		return cur, err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return cur, t.stale(cm)
	}
	f := tb.auditFields(&cur)
	before, after := copyFields(f), copyFields(f)
	before["archived"], after["archived"] = fmt.Sprint(!archive), fmt.Sprint(archive)
	if err := t.audit(a.OrgID, a.UserID, tb.recordType, id, action, before, after); err != nil {
		return cur, err
	}
	return tb.get(t, a.OrgID, id)
}

func copyFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// historyOf returns a record's history; a record that is not the
// organisation's is not found.
func (tb *table[T]) historyOf(t *tx, orgID, id string) ([]isms.HistoryEntry, error) {
	var h []isms.HistoryEntry
	if err := t.readTogether(tb.historyReading(orgID, id, &h)); err != nil {
		return nil, err
	}
	return h, tb.historyFound(t, orgID, id, h)
}

// historyReading reads the record's history into out. That the record
// exists is tested in the same statement: a record with a history (every
// record has its creation) is one statement, on PostgreSQL one round
// trip; see historyFound for an empty answer.
func (tb *table[T]) historyReading(orgID, id string, out *[]isms.HistoryEntry) reading {
	specs := append([]isms.FieldSpec{{Name: "ref", Label: "field.ref"}}, tb.fields...)
	specs = append(specs, isms.FieldSpec{Name: "archived", Label: "field.archived"})
	return historyReading(orgID, tb.recordType, id, specs, `EXISTS (SELECT 1 FROM `+tb.name+` WHERE org_id = $1 AND id = $3)`, out)
}

// historyFound tells, for a history historyReading read, a record without
// history from none: only an empty answer looks the record up.
func (tb *table[T]) historyFound(t *tx, orgID, id string, h []isms.HistoryEntry) error {
	if len(h) > 0 {
		return nil
	}
	if ok, err := tb.exists(t, orgID, id, false); err != nil {
		return err
	} else if !ok {
		return isms.Errorf(isms.KindNotFound, "error.not_found")
	}
	return nil
}

// nextRef allocates the organisation's next human reference for prefix.
func (t *tx) nextRef(orgID, prefix string) (string, error) {
	// One statement (one round trip on PostgreSQL): the first reference
	// of a prefix is 1, and the counter then holds the next one.
	var n int64
	if err := t.QueryRow(`INSERT INTO ref_counters (org_id, prefix, next_value) VALUES ($1, $2, 2)
		ON CONFLICT (org_id, prefix) DO UPDATE SET next_value = ref_counters.next_value + 1 RETURNING next_value - 1`, orgID, prefix).Scan(&n); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%03d", prefix, n), nil
}

func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(p, ", ")
}

// nullText scans a nullable text column into a string ("" for NULL).
type nullText struct{ s *string }

func (n nullText) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.s = ""
	case string:
		*n.s = x
	case []byte:
		*n.s = string(x)
	default:
		*n.s = fmt.Sprint(x)
	}
	return nil
}

// orNull stores "" as NULL (for optional links to other records).
func orNull(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
