package web

import (
	"net/url"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The list machinery shared by the asset, threat, vulnerability and action
// registers: query parameters (search, filters, sort, archive state,
// cursor), the links that change one of them, sortable headers, filter
// chips and paging.

// listSpec describes one register list page.
type listSpec struct {
	sorts   []string // sortable columns; the first is the default
	desc    bool     // whether the default order is descending
	filters []string // query parameters passed to the store as filters
}

// listParams are a list page's query parameters.
type listParams struct {
	spec     *listSpec
	base     string
	Q        string
	Archived string
	Sort     string
	Desc     bool
	Cursor   string
	F        map[string]string
}

func parseList(spec *listSpec, base string, q url.Values) listParams {
	p := listParams{spec: spec, base: base, Q: strings.TrimSpace(q.Get("q")), Archived: q.Get("archived"), Cursor: q.Get("cursor"), F: map[string]string{}}
	s := q.Get("sort")
	p.Desc = strings.HasPrefix(s, "-")
	p.Sort = strings.TrimPrefix(s, "-")
	if !contains(spec.sorts, p.Sort) {
		p.Sort, p.Desc = spec.sorts[0], spec.desc
	}
	switch isms.ArchivedFilter(p.Archived) {
	case isms.ArchivedOnly, isms.ArchivedInclude:
	default:
		p.Archived = ""
	}
	for _, f := range spec.filters {
		if v := strings.TrimSpace(q.Get(f)); v != "" {
			p.F[f] = v
		}
	}
	return p
}

// SortValue is the sort as it appears in URLs ("-name" for descending).
func (p listParams) SortValue() string {
	if p.Desc {
		return "-" + p.Sort
	}
	return p.Sort
}

// Get returns the value of filter name.
func (p listParams) Get(name string) string { return p.F[name] }

func (p listParams) values() url.Values {
	v := url.Values{}
	if p.Q != "" {
		v.Set("q", p.Q)
	}
	for k, s := range p.F {
		v.Set(k, s)
	}
	if p.Archived != "" {
		v.Set("archived", p.Archived)
	}
	if p.Sort != p.spec.sorts[0] || p.Desc != p.spec.desc {
		v.Set("sort", p.SortValue())
	}
	if p.Cursor != "" {
		v.Set("cursor", p.Cursor)
	}
	return v
}

// link returns the list's URL with one change, back on the first page.
func (p listParams) link(change func(*listParams)) string {
	q := p
	q.Cursor = ""
	q.F = make(map[string]string, len(p.F))
	for k, v := range p.F {
		q.F[k] = v
	}
	change(&q)
	return withQuery(q.base, q.values())
}

func (p listParams) query() isms.ListQuery {
	q := isms.ListQuery{Q: p.Q, Sort: p.Sort, Desc: p.Desc, Cursor: p.Cursor, Archived: isms.ArchivedFilter(p.Archived),
		Limit: isms.DefaultLimit, Filters: map[string]string{}}
	for k, v := range p.F {
		q.Filters[k] = v
	}
	return q
}

func (p listParams) filtered() bool { return p.Q != "" || len(p.F) > 0 || p.Archived != "" }

// column is one column of a list: its sort name ("" if not sortable) and
// the catalogue key of its heading.
type column struct {
	sort, label string
	num         bool
}

func (p listParams) headers(tr i18n.Translator, cols []column) []headerCell {
	out := make([]headerCell, 0, len(cols))
	for _, col := range cols {
		hc := headerCell{Label: tr.T(col.label), Num: col.num}
		if col.sort != "" {
			desc := false
			if col.sort == p.Sort {
				desc = !p.Desc
				hc.ARIASort, hc.Class = "ascending", "sort-asc"
				if p.Desc {
					hc.ARIASort, hc.Class = "descending", "sort-desc"
				}
			}
			s := col.sort
			hc.URL = p.link(func(q *listParams) { q.Sort, q.Desc = s, desc })
		}
		out = append(out, hc)
	}
	return out
}

// chips lists the active filters, each with the link that removes it;
// label names a filter's value.
func (p listParams) chips(tr i18n.Translator, label func(name, value string) string) []chip {
	var out []chip
	if p.Q != "" {
		out = append(out, chip{tr.T("web.reg.chip_search", p.Q), p.link(func(q *listParams) { q.Q = "" })})
	}
	for _, name := range p.spec.filters {
		v, ok := p.F[name]
		if !ok {
			continue
		}
		n := name
		out = append(out, chip{label(n, v), p.link(func(q *listParams) { delete(q.F, n) })})
	}
	if p.Archived != "" {
		l := tr.T("web.reg.show_archived")
		if p.Archived == string(isms.ArchivedInclude) {
			l = tr.T("web.reg.show_all")
		}
		out = append(out, chip{l, p.link(func(q *listParams) { q.Archived = "" })})
	}
	return out
}

// pager returns the links to the previous and next pages.
func (p listParams) pager(prevCursor, nextCursor string) (prev, next string) {
	if prevCursor != "" {
		prev = p.link(func(q *listParams) { q.Cursor = prevCursor })
	}
	if nextCursor != "" {
		next = p.link(func(q *listParams) { q.Cursor = nextCursor })
	}
	return prev, next
}

// archivedOptions are the choices of a list's "show" filter.
func archivedOptions(tr i18n.Translator) []option {
	return []option{
		{"", tr.T("web.reg.show_active")}, {string(isms.ArchivedOnly), tr.T("web.reg.show_archived")},
		{string(isms.ArchivedInclude), tr.T("web.reg.show_all")},
	}
}

// listPage is what every register list template gets besides its rows.
type listPage struct {
	Params   listParams
	Headers  []headerCell
	Chips    []chip
	ClearURL string
	Filtered bool
	NextURL  string
	PrevURL  string
	Total    int
	Shown    int
	Archived []option
}

func (p listParams) page(tr i18n.Translator, cols []column, total, shown int, prevCursor, nextCursor string, label func(name, value string) string) listPage {
	lp := listPage{Params: p, Headers: p.headers(tr, cols), Chips: p.chips(tr, label), ClearURL: p.base, Filtered: p.filtered(),
		Total: total, Shown: shown, Archived: archivedOptions(tr)}
	lp.PrevURL, lp.NextURL = p.pager(prevCursor, nextCursor)
	return lp
}

// recordHistory prepares a record's history, newest first, showing each
// value as show renders it.
func recordHistory(tr i18n.Translator, o isms.Organisation, hist []isms.HistoryEntry, users map[string]string, show func(field, v string) string) []historyView {
	out := make([]historyView, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		ev := describeEntry(tr, h.AuditEntry, o, users)
		changes := make([]change, len(h.Changes))
		for j, c := range h.Changes {
			changes[j] = change{Label: tr.T(c.Label), Before: show(c.Field, c.Before), After: show(c.Field, c.After), Changed: true}
		}
		out = append(out, historyView{Actor: ev.Actor, Action: ev.Action, At: h.At, Changes: changes})
	}
	return out
}

// memberOptions lists the organisation's members for a select, with an
// empty first choice labelled none. Members are read only by roles that
// may list them; others get just the current value.
func memberOptions(ms []isms.Membership, none string) []option {
	out := []option{{"", none}}
	for _, m := range ms {
		out = append(out, option{m.UserID, m.UserName + " (" + m.UserEmail + ")"})
	}
	return out
}
