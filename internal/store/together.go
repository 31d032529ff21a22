package store

import (
	"database/sql"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A reading is one query of several that a read runs together (see
// readTogether), with what to do with each row of its answer.
type reading struct {
	q    string
	args []any
	row  func(scanner) error
}

// plannedForValues returns the arguments of a statement whose best plan
// depends on them: on PostgreSQL, where the read connections keep one
// plan for each statement (see readDSN), it is then planned for its
// values on each run, as an unnamed statement (pgx's mode leads the
// arguments). A reading so marked runs alone.
func (t *tx) plannedForValues(args []any) []any {
	if t.db.dialect != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// planned reports whether r is to be planned for its values.
func (r reading) planned() bool {
	if len(r.args) == 0 {
		return false
	}
	_, ok := r.args[0].(pgx.QueryExecMode)
	return ok
}

// scanner reads the columns of one row into dest, as sql.Rows.Scan does.
type scanner interface{ Scan(dest ...any) error }

// readTogether runs the readings in order. In a read on PostgreSQL it
// sends them all at once and then reads their answers (a pipeline): one
// round trip to the server instead of one per query. A detail page makes
// five to seven queries that depend only on the record's id; each round
// trip cost the server and Holdfast a write, a read and a wake-up on both
// sides, about as much as the query itself. A single reading (a list's
// page) goes the same way: pgx's own rows scan each column straight into
// its target, where database/sql first makes a value of it and then
// converts that (3-5 % of a list page's CPU). Elsewhere (SQLite, a write
// transaction), and with a reading planned for its values, they run one
// after the other.
func (t *tx) readTogether(rs ...reading) error {
	if t.sqlTx == nil && t.conn != nil && len(rs) > 0 && !slices.ContainsFunc(rs, reading.planned) {
		return t.pgx(func(c *pgx.Conn) error { return t.pipeline(c, rs) })
	}
	for _, r := range rs {
		if err := t.each(r.q, r.args, func(rows *sql.Rows) error { return r.row(rows) }); err != nil {
			return err
		}
	}
	return nil
}

// pgx runs fn with pgx's own connection under the PostgreSQL read's
// connection (t.conn), for what database/sql cannot do: pipelines, and
// rows whose columns are read where the driver holds them.
func (t *tx) pgx(fn func(*pgx.Conn) error) error {
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a PostgreSQL connection of %T, not pgx's", dc)
		}
		return fn(c.Conn())
	})
}

// pipeline runs the readings on c as one batch. The batch runs in one
// implicit transaction on the server, so its queries also see one state
// of the database.
func (t *tx) pipeline(c *pgx.Conn, rs []reading) error {
	b := &pgx.Batch{}
	for _, r := range rs {
		b.Queue(r.q, r.args...)
	}
	t.countTrip(uint64(len(rs)))
	br := c.SendBatch(t.ctx, b)
	for _, r := range rs {
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return err
		}
		for rows.Next() {
			if err := r.row(rows); err != nil {
				rows.Close()
				br.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

// rowsOf is a reading's row function that appends each row, as a record of
// the table, to out.
func (tb *table[T]) rowsOf(out *[]T) func(scanner) error {
	return tb.rowsOfColumns(out, nil)
}

// rowsOfColumns is rowsOf for rows of the columns keep marks (see
// scanColumns).
func (tb *table[T]) rowsOfColumns(out *[]T, keep []bool) func(scanner) error {
	return func(s scanner) error {
		rec, err := tb.scanColumns(s, keep)
		if err != nil {
			return err
		}
		*out = append(*out, rec)
		return nil
	}
}
