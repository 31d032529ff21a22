package isms

import (
	"fmt"
	"time"
)

// TimeLayout is how timestamps are stored and hashed: UTC, fixed width,
// so that text order is time order on every database.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// DateLayout is how calendar dates (a start date, a review date) are stored.
const DateLayout = "2006-01-02"

// FormatTime renders t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a TimeLayout timestamp.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Meta is what every register record carries besides its own fields.
type Meta struct {
	ID        string
	OrgID     string
	Ref       string // human reference such as "P-012"; empty where the register has none
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	CreatedBy string // user id
	UpdatedBy string // user id
	// ArchivedAt is set while the record is archived.
	ArchivedAt *time.Time
}

// Archived reports whether the record is archived.
func (m Meta) Archived() bool { return m.ArchivedAt != nil }

// FieldSpec describes one field of a register for history, diffs and
// exports: its snake_case name and the catalogue key of its label.
type FieldSpec struct {
	Name  string
	Label string
}

// ArchivedFilter selects active records, archived ones or both.
type ArchivedFilter string

// The archive filters.
const (
	ArchivedExclude ArchivedFilter = ""
	ArchivedOnly    ArchivedFilter = "archived"
	ArchivedInclude ArchivedFilter = "all"
)

// ListQuery is what a register list asks for. Sort names a sortable field;
// Filters maps filter names to exact values; Cursor continues a previous page.
type ListQuery struct {
	Q        string
	Filters  map[string]string
	Sort     string
	Desc     bool
	Limit    int
	Cursor   string
	Archived ArchivedFilter
	// Brief asks for what a register's list page shows: records come
	// without what a list does not show and which costs reading for every
	// row: their long texts (descriptions, notes, evidence of completion
	// …), linked names the list leaves out, and of their Meta all but ID,
	// Ref and ArchivedAt. The store's table of each register names them.
	Brief bool
	// CountOnly asks for the Total alone: the page holds no records (the
	// dashboard's counts).
	CountOnly bool
}

// List limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Normalize applies the default and maximum page size.
func (q *ListQuery) Normalize() error {
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		return Invalid("limit", "validation.limit", MaxLimit)
	}
	switch q.Archived {
	case ArchivedExclude, ArchivedOnly, ArchivedInclude:
	default:
		return Invalid("archived", "validation.choice")
	}
	return nil
}

// Page is one page of a register list. NextCursor is empty on the last
// page; PrevCursor is empty on the first.
type Page[T any] struct {
	Items      []T
	Total      int
	NextCursor string
	PrevCursor string
}

// FieldChange is one field's value before and after a change.
type FieldChange struct {
	Field  string
	Label  string
	Before string
	After  string
}

// Diff lists the fields whose values differ between before and after, in
// the order of specs. Either map may be nil (a creation has no before).
func Diff(specs []FieldSpec, before, after map[string]any) []FieldChange {
	var out []FieldChange
	for _, f := range specs {
		b, a := str(before[f.Name]), str(after[f.Name])
		if b != a {
			out = append(out, FieldChange{Field: f.Name, Label: f.Label, Before: b, After: a})
		}
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprint(x)
	default:
		return fmt.Sprint(x)
	}
}
