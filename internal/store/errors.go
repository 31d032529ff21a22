package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type constraint int

const (
	constraintNone constraint = iota
	constraintUnique
	constraintForeignKey
)

// constraintOf maps SQLite and PostgreSQL constraint violations to one
// vocabulary; this is the only place that knows driver error codes.
func constraintOf(err error) constraint {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return constraintUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return constraintForeignKey
		}
		return constraintNone
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return constraintUnique
		case "23503":
			return constraintForeignKey
		}
	}
	return constraintNone
}

func isUnique(err error) bool { return constraintOf(err) == constraintUnique }
