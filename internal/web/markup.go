package web

import (
	"html/template"
	"reflect"
	"strings"
)

// markup builds the rows of a register table in Go. A list page repeats
// the same dozen cells fifty times, and html/template runs each value
// through its escaper with a reflective call: for a list page that was a
// third of the server's work. The rows' markup is written here instead,
// next to the code that prepares each row, while the page around the table
// stays a template. Every value is escaped as it is written: text() for
// element content, attr() for attribute values, url() and urlAttr() for
// URLs (href, src, action). Only literal markup of the application's own
// goes through raw().
type markup struct{ b strings.Builder }

// newMarkup returns a writer with room for rows table rows, so the
// buffer is not copied as it grows.
func newMarkup(rows int) *markup {
	m := &markup{}
	m.b.Grow(rows * rowBytes)
	return m
}

// rowBytes is about what one table row takes.
const rowBytes = 640

// raw writes markup as it is: literal tags of the application's own only.
func (m *markup) raw(s string) { m.b.WriteString(s) }

// text writes s as element content, escaped.
func (m *markup) text(s string) { escapeInto(&m.b, s) }

// attr writes ` name="value"` with value escaped.
func (m *markup) attr(name, value string) {
	m.b.WriteByte(' ')
	m.b.WriteString(name)
	m.b.WriteString(`="`)
	escapeInto(&m.b, value)
	m.b.WriteByte('"')
}

// url writes u as the value of a quoted URL attribute (see urlInto).
func (m *markup) url(u string) { urlInto(&m.b, u) }

// urlAttr writes ` name="value"` for an attribute holding a URL (href,
// src, action).
func (m *markup) urlAttr(name, value string) {
	m.b.WriteByte(' ')
	m.b.WriteString(name)
	m.b.WriteString(`="`)
	m.url(value)
	m.b.WriteByte('"')
}

// link writes <a class="class" href="href">text</a>.
func (m *markup) link(class, href, text string) {
	m.raw("<a")
	if class != "" {
		m.attr("class", class)
	}
	m.urlAttr("href", href)
	m.raw(">")
	m.text(text)
	m.raw("</a>")
}

// time writes <time datetime="iso">shown</time>.
func (m *markup) time(iso, shown string) {
	m.raw("<time")
	m.attr("datetime", iso)
	m.raw(">")
	m.text(shown)
	m.raw("</time>")
}

// pill writes <span class="pill class">text</span>.
func (m *markup) pill(class, text string) {
	m.raw(`<span class="pill`)
	if class != "" {
		m.raw(" ")
		m.text(class)
	}
	m.raw(`">`)
	m.text(text)
	m.raw("</span>")
}

// cell writes <td class="class">text</td> (no class attribute if empty).
func (m *markup) cell(class, text string) {
	m.open("td", class)
	m.text(text)
	m.raw("</td>")
}

// open writes <tag class="class"> (no class attribute if empty).
func (m *markup) open(tag, class string) {
	m.raw("<")
	m.raw(tag)
	if class != "" {
		m.attr("class", class)
	}
	m.raw(">")
}

// html returns what was written, for a template to place as it is.
func (m *markup) html() template.HTML { return template.HTML(m.b.String()) }

// escapeInto writes s with the characters that are special in HTML text
// and quoted attribute values replaced, as html/template would.
func escapeInto(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case 0:
			rep = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// urlInto writes u as the value of a quoted URL attribute (href, src,
// action), as html/template would: a URL with a scheme other than http,
// https or mailto is replaced by "#ZgotmplZ", characters a URL may not hold
// are percent-encoded (valid escapes are kept), and the result is escaped
// for the attribute (& and +).
func urlInto(b *strings.Builder, u string) {
	if !safeURL(u) {
		b.WriteString("#ZgotmplZ")
		return
	}
	const hex = "0123456789abcdef"
	last := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("-._~!#$*,/:;=?@[]", c) >= 0:
			continue
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			continue
		case c == '&':
			b.WriteString(u[last:i])
			b.WriteString("&amp;")
		case c == '+':
			b.WriteString(u[last:i])
			b.WriteString("&#43;")
		default:
			b.WriteString(u[last:i])
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		last = i + 1
	}
	b.WriteString(u[last:])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// safeURL reports whether html/template lets u stand in a URL attribute:
// no scheme, or http, https or mailto.
func safeURL(u string) bool {
	scheme, _, ok := strings.Cut(u, ":")
	if !ok || strings.ContainsRune(scheme, '/') {
		return true
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// none writes the muted dash that stands for an empty value, named for
// screen readers by label.
func (m *markup) none(label string) {
	m.raw(`<span class="muted"`)
	m.attr("aria-label", label)
	m.raw(">—</span>")
}

// recordCells writes the two cells most register tables open with: the
// record's reference and its title, both linking to the record, the title
// followed by pills (archived, custom …); a pill without text is left out.
// tdClass is the title cell's class.
func (m *markup) recordCells(url, ref, title, tdClass string, pills ...pill) {
	m.recordTitle(url, ref, title, tdClass, pills...)
	m.raw("</td>")
}

// recordTitle is recordCells with the title cell left open for more.
func (m *markup) recordTitle(url, ref, title, tdClass string, pills ...pill) {
	m.raw("\n<tr><td>")
	m.link("ref", url, ref)
	m.raw("</td>")
	m.open("td", tdClass)
	m.link("title-link", url, title)
	m.pills(pills...)
}

// pills writes each pill that has text, a space before each.
func (m *markup) pills(ps ...pill) {
	for _, p := range ps {
		if p.Text != "" {
			m.raw(" ")
			m.pill(p.Class, p.Text)
		}
	}
}

// pill is a labelled badge: its colour class and text.
type pill struct{ Class, Text string }

// pillIf is the pill when ok, and no pill otherwise.
func pillIf(ok bool, class, text string) pill {
	if !ok {
		return pill{}
	}
	return pill{class, text}
}

// overdueIcon is the warning sign shown with overdue dates, beside the
// word, never instead of it.
const overdueIcon = `<svg class="icon" aria-hidden="true" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/><path d="M12 7v6M12 16.5v.5"/></svg>`

// emptyItem writes the muted list item an empty list shows instead.
func (m *markup) emptyItem(text string) {
	m.open("li", "muted")
	m.text(text)
	m.raw("</li>")
}

// mutedText writes <span class="muted">text</span>.
func (m *markup) mutedText(text string) {
	m.raw(`<span class="muted">`)
	m.text(text)
	m.raw("</span>")
}

// optionsHTML writes the options of a select, marking the one whose value
// is selected (a string or a named string type), as the templates'
// {{options .Choices $current}}. A filter form repeats this for every
// member, status and level, and each option cost html/template half a
// dozen reflective steps.
func optionsHTML(opts []option, selected any) template.HTML {
	sel := stringOf(selected)
	var m markup
	m.b.Grow(len(opts) * 48)
	for _, o := range opts {
		m.raw("<option")
		m.attr("value", o.Value)
		if o.Value == sel {
			m.raw(" selected")
		}
		m.raw(">")
		m.text(o.Label)
		m.raw("</option>")
	}
	return m.html()
}

// stringOf is v as the templates' eq compares it with a string: a string
// or a value of a named string type; anything else selects nothing.
func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if r := reflect.ValueOf(v); r.Kind() == reflect.String {
		return r.String()
	}
	return "\x00"
}

// urlPrefix is the start of many URLs, a path from the root, with its
// escaped form: what urlAttr writes for it.
type urlPrefix struct{ path, escaped string }

func newURLPrefix(path string) urlPrefix {
	var b strings.Builder
	urlInto(&b, path)
	return urlPrefix{path, b.String()}
}

// linkAfter writes a link to p.path+rest as link writes it.
func (m *markup) linkAfter(class string, p urlPrefix, rest, text string) {
	m.raw("<a")
	if class != "" {
		m.attr("class", class)
	}
	m.raw(` href="`)
	m.urlAfter(p, rest)
	m.raw(`">`)
	m.text(text)
	m.raw("</a>")
}

// recordLinks writes a related record's reference and title, each linking
// to p.path+id, a space between: how related lists name a record.
func (m *markup) recordLinks(p urlPrefix, id, ref, title string) {
	m.linkAfter("ref", p, id, ref)
	m.raw(" ")
	m.linkAfter("", p, id, title)
}

// urlAfter writes the URL p.path+rest as urlAttr writes a value. A path
// from the root is a safe URL, and escaping it goes character by
// character (a "%" escape never spans a prefix ending in "/"), so the
// escaped prefix stands for the prefix's part.
func (m *markup) urlAfter(p urlPrefix, rest string) {
	if !safeURL(rest) || !strings.HasPrefix(p.path, "/") || !strings.HasSuffix(p.path, "/") {
		urlInto(&m.b, p.path+rest)
		return
	}
	m.raw(p.escaped)
	urlInto(&m.b, rest)
}
