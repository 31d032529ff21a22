package web

import (
	"html/template"

	"github.com/holdfast-isms/holdfast/internal/i18n"
)

// The parts every register list shows around its rows, written in Go as
// the rows are (see markup): the active filters as chips, the table's
// header cells with their sort links, and the pager. Each was a loop or a
// dozen actions of html/template on every view of every list, a few
// reflective calls per value; together about a twentieth of a list page.
// The templates place them: {{chips …}}, {{headCells …}}, {{pager …}}.

// headCellsHTML writes a register table's header cells, a sort link in
// each sortable one (which htmx follows in place), each cell followed by
// the indentation of the next.
func headCellsHTML(hs []headerCell) template.HTML {
	var m markup
	m.b.Grow(len(hs) * 224)
	for _, h := range hs {
		m.raw(`<th scope="col"`)
		if h.ARIASort != "" {
			m.attr("aria-sort", h.ARIASort)
		}
		if h.Num {
			m.raw(` class="num"`)
		}
		m.raw(">")
		if h.URL != "" {
			m.raw(`<a class="sort`)
			if h.Class != "" {
				m.raw(" ")
				m.text(h.Class)
			}
			m.raw(`"`)
			m.urlAttr("href", h.URL)
			m.attr("hx-get", h.URL)
			m.raw(` hx-target="#results" hx-push-url="true">`)
			m.text(h.Label)
			m.raw("</a>")
		} else {
			m.text(h.Label)
		}
		m.raw("</th>\n        ")
	}
	return m.html()
}

// chipsHTML writes the list of active filters: each with the link that
// removes it, then the link that clears them all.
func chipsHTML(tr i18n.Translator, chips []chip, clearURL string) template.HTML {
	var m markup
	m.b.Grow(256 + len(chips)*320)
	m.raw(`<ul class="chips"`)
	m.attr("aria-label", tr.T("web.filters.active"))
	m.raw(">\n    ")
	for _, c := range chips {
		m.raw(`<li class="chip">`)
		m.text(c.Label)
		m.raw(` <a`)
		m.urlAttr("href", c.URL)
		m.raw(`><span aria-hidden="true">×</span><span class="visually-hidden">`)
		m.text(tr.T("web.filters.remove", c.Label))
		m.raw("</span></a></li>")
	}
	m.raw("\n    <li>")
	m.link("btn-link btn-sm", clearURL, tr.T("web.filters.clear"))
	m.raw("</li>\n  </ul>")
	return m.html()
}

// pagerHTML writes the pager below a register table: how many of how
// many records are shown, and the links to the previous and next pages
// (which htmx follows in place), or the words alone where there is none.
func pagerHTML(tr i18n.Translator, shown, total int, prevURL, nextURL string) template.HTML {
	var m markup
	m.b.Grow(768)
	m.raw(`<nav class="pager"`)
	m.attr("aria-label", tr.T("web.pager.label"))
	m.raw(">\n  <p>")
	m.text(tr.T("web.pager.showing", shown, total))
	m.raw("</p>\n  ")
	if prevURL != "" || nextURL != "" {
		m.raw("\n  <ul>\n    <li>")
		m.pageLink(prevURL, "prev", tr.T("web.pager.prev"))
		m.raw("</li>\n    <li>")
		m.pageLink(nextURL, "next", tr.T("web.pager.next"))
		m.raw("</li>\n  </ul>\n  ")
	}
	m.raw("\n</nav>")
	return m.html()
}

// pageLink writes the link to another page of a list, or its label
// marked unavailable when there is no such page.
func (m *markup) pageLink(url, rel, label string) {
	if url == "" {
		m.raw(`<span aria-disabled="true">`)
		m.text(label)
		m.raw("</span>")
		return
	}
	m.raw("<a")
	m.urlAttr("href", url)
	m.attr("rel", rel)
	m.attr("hx-get", url)
	m.raw(` hx-target="#results" hx-push-url="true">`)
	m.text(label)
	m.raw("</a>")
}
