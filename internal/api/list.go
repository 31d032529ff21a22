package api

import (
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The machinery every register shares: path and list parameters, the list
// envelope and the fields every record carries.

// OrgPath is the organisation in the path of every per-organisation route.
type OrgPath struct {
	Org string `path:"org" doc:"The organisation's short name." example:"acme"`
}

// RecordPath names one record of a register.
type RecordPath struct {
	OrgPath
	ID string `path:"id" doc:"The record's id." example:"0190f3a4-7b1c-7d2e-9f00-123456789abc"`
}

// ListParams are the query parameters every register list takes besides
// its sort order and filters, which each register declares itself.
type ListParams struct {
	Limit    int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page, 1–500."`
	Cursor   string `query:"cursor" doc:"Continue after the previous page: its next_cursor."`
	Q        string `query:"q" maxLength:"200" doc:"Search text; matches anywhere in the register's text fields, ignoring case."`
	Archived string `query:"archived" enum:"archived,all" doc:"Omit for active records; \"archived\" for archived records only; \"all\" for both."`
}

// query builds the store's list query. sort is a field name, with "-" in
// front for descending order; filters maps filter names to values, and
// empty values are left out.
func (p ListParams) query(sort string, filters map[string]string) isms.ListQuery {
	q := isms.ListQuery{Q: p.Q, Limit: p.Limit, Cursor: p.Cursor, Archived: isms.ArchivedFilter(p.Archived)}
	q.Sort, q.Desc = strings.CutPrefix(sort, "-")
	for k, v := range filters {
		if v != "" {
			if q.Filters == nil {
				q.Filters = map[string]string{}
			}
			q.Filters[k] = v
		}
	}
	return q
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T    `json:"items" nullable:"false" doc:"This page's items."`
	Total      int    `json:"total" doc:"How many items match the query across all pages."`
	NextCursor string `json:"next_cursor" doc:"Pass as cursor to get the next page; empty on the last page."`
}

// ListOutput is the response of a list operation.
type ListOutput[T any] struct {
	Body List[T]
}

// listOf converts a page of domain records.
func listOf[S, T any](page isms.Page[S], conv func(S) T) *ListOutput[T] {
	out := &ListOutput[T]{Body: List[T]{Items: make([]T, 0, len(page.Items)), Total: page.Total, NextCursor: page.NextCursor}}
	for _, s := range page.Items {
		out.Body.Items = append(out.Body.Items, conv(s))
	}
	return out
}

// Record holds the fields every register record carries.
type Record struct {
	ID         string     `json:"id" doc:"The record's id." readOnly:"true"`
	Ref        string     `json:"ref,omitempty" doc:"Human reference, unique in the organisation." readOnly:"true" example:"P-001"`
	Version    int        `json:"version" doc:"Incremented by every change; send it back with PATCH." readOnly:"true"`
	CreatedAt  time.Time  `json:"created_at" readOnly:"true"`
	UpdatedAt  time.Time  `json:"updated_at" readOnly:"true"`
	ArchivedAt *time.Time `json:"archived_at" doc:"When the record was archived; null while it is active." readOnly:"true"`
}

func recordOf(m isms.Meta) Record {
	r := Record{ID: m.ID, Ref: m.Ref, Version: m.Version, CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
	if m.ArchivedAt != nil {
		t := m.ArchivedAt.UTC()
		r.ArchivedAt = &t
	}
	return r
}

// VersionBody is the body of archive and restore: the version the action
// is based on.
type VersionBody struct {
	Version int `json:"version" minimum:"1" doc:"The version of the record the action is based on."`
}

// nullable turns "" into null for optional JSON fields.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref turns null into "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
