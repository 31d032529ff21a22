package web

import (
	"html/template"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// A record's history closes every detail page: a few entries, each with a
// table of the fields it changed. Through html/template that was some
// dozen reflective evaluations a row, and the same markup in eight page
// templates, so it is written here once, as html/template wrote it, with
// every value escaped (markup.go). Pages place it with the locale-bound
// functions history and diffTable (localeFuncs).

// historyHTML writes the entries of a record's history, newest first, for
// the inside of its <ol class="history">.
func historyHTML(tr i18n.Translator, o isms.Organisation, hist []historyView) template.HTML {
	m := newMarkup(len(hist) * 3)
	m.raw("\n      ")
	for _, h := range hist {
		m.raw("\n      <li class=\"history-entry\">\n        <p class=\"history-meta\"><strong>")
		m.text(h.Actor)
		m.raw("</strong> · ")
		m.text(h.Action)
		m.raw(" · ")
		m.time(h.At.UTC().Format(time.RFC3339), o.FormatDateTime(h.At))
		m.raw("</p>\n        ")
		if len(h.Changes) > 0 {
			writeDiffTable(m, tr, h.Changes)
		}
		m.raw("\n      </li>\n      ")
	}
	m.raw("\n    ")
	return m.html()
}

// diffTableHTML writes a table of changes: each field, its value before
// and after; changed values are struck through and underlined.
func diffTableHTML(tr i18n.Translator, changes []change) template.HTML {
	m := newMarkup(len(changes)/4 + 1)
	writeDiffTable(m, tr, changes)
	return m.html()
}

func writeDiffTable(m *markup, tr i18n.Translator, changes []change) {
	m.raw("\n<table class=\"diff\">\n  <thead><tr><th scope=\"col\">")
	m.text(tr.T("web.history.field"))
	m.raw("</th><th scope=\"col\">")
	m.text(tr.T("web.history.before"))
	m.raw("</th><th scope=\"col\">")
	m.text(tr.T("web.history.after"))
	m.raw("</th></tr></thead>\n  <tbody>\n    ")
	empty := ""
	value := func(tag, v string) {
		if v == "" {
			if empty == "" {
				empty = tr.T("web.history.empty")
			}
			m.raw(`<span class="empty-value">`)
			m.text(empty)
			m.raw("</span>")
			return
		}
		m.raw("<" + tag + ">")
		m.text(v)
		m.raw("</" + tag + ">")
	}
	for _, c := range changes {
		m.raw("\n    <tr>\n      <th scope=\"row\">")
		m.text(c.Label)
		m.raw("</th>\n      ")
		if c.Changed {
			m.raw("\n      <td>")
			value("del", c.Before)
			m.raw("</td>\n      <td>")
			value("ins", c.After)
			m.raw("</td>\n      ")
		} else {
			m.raw("\n      <td>")
			m.text(c.Before)
			m.raw("</td><td>")
			m.text(c.After)
			m.raw("</td>\n      ")
		}
		m.raw("\n    </tr>\n    ")
	}
	m.raw("\n  </tbody>\n</table>\n")
}
