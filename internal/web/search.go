package web

import (
	"net/http"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

type searchPage struct {
	Q         string
	Registers []string // what was searched, for the reader
	People    isms.Page[isms.Person]
	MoreURL   string
}

// search looks through the organisation's registers for q. Today that is
// the People register; the page says so.
func (a *app) search(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	tr := c.tr()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := &searchPage{Q: q, Registers: []string{tr.T("web.nav.people")}}
	if q != "" {
		page, err := a.DB.People(r.Context(), c.Actor, isms.ListQuery{Q: q, Archived: isms.ArchivedInclude, Limit: 20})
		if err != nil {
			return err
		}
		d.People = page
		if page.NextCursor != "" {
			d.MoreURL = withQuery(orgPath(c.Org.Slug, "/people"), map[string][]string{"q": {q}, "archived": {string(isms.ArchivedInclude)}})
		}
	}
	v := a.view(c, tr.T("web.search.title"))
	v.Query = q
	v.Data = d
	return a.render(w, r, http.StatusOK, "search", v)
}
