package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// levelView is a risk level ready to show: its label, the shared pill
// class for its position in the ordering, and the criteria's own colour.
type levelView struct {
	Key, Label, Class, Colour string
	Rank                      int
}

// levelCell writes a table cell with the level's pill, or a muted dash
// for no level.
func (m *markup) levelCell(l levelView) {
	m.raw("<td>")
	if l.Label != "" {
		m.pill(l.Class, l.Label)
	} else {
		m.mutedText("—")
	}
	m.raw("</td>")
}

// levelClasses are the shared level pill classes, lowest first.
var levelClasses = []string{"level-low", "level-medium", "level-high", "level-critical"}

// levelClass maps a rank among n levels onto the shared pill palette, so
// that level pills look alike whatever the criteria call their levels.
func levelClass(rank, n int) string {
	if rank < 1 || n < 1 {
		return "pill-muted"
	}
	idx := rank - 1
	switch {
	case n == 2:
		idx = []int{0, 2}[min(rank, 2)-1]
	case n > 4:
		idx = (rank - 1) * 3 / (n - 1)
	}
	return levelClasses[min(max(idx, 0), 3)]
}

// levelOf describes level key of criteria c; an empty view for an unrated
// or unknown level.
func levelOf(c isms.RiskCriteria, key string) levelView {
	l, ok := c.LevelByKey(key)
	if !ok {
		return levelView{}
	}
	return levelView{Key: l.Key, Label: l.Label, Class: levelClass(l.Rank, len(c.Levels)), Colour: l.Colour, Rank: l.Rank}
}

// heatMap draws the count of risks in each cell of c's matrix as an SVG
// picture: likelihood up the side (highest at the top), consequence
// along the bottom, each cell filled with its level's colour and linking
// to the list of its risks. cellURL returns a cell's link ("" for none).
// It is plain SVG (no script), so it prints and works without
// JavaScript.
func heatMap(tr i18n.Translator, c isms.RiskCriteria, counts [][]int, title string, cellURL func(l, v int) string) template.HTML {
	nl, nc := len(c.Likelihood), len(c.Consequence)
	const cell, left, top, bottom = 72, 132, 8, 64
	w, h := left+nc*cell+8, top+nl*cell+bottom
	var b svgWriter
	b.Grow(2048 + nl*nc*640)
	// What the cells of a level share, worked out once per level.
	type ink struct {
		lv                levelView
		colour, fg, label string // escaped; the label clipped
	}
	inks := make(map[string]ink, len(c.Levels))
	id := html.EscapeString("hm-" + strings.ToLower(strings.ReplaceAll(keyPart(title), " ", "-")))
	b.put(`<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `, w)
	b.put(" ", h)
	b.put(`" width="`, w)
	b.put(`" height="`, h)
	b.str(`" role="group" aria-labelledby="` + id + `"><title id="` + id + `">`)
	b.esc(title)
	b.str(`</title>`)
	for i := 0; i < nl; i++ {
		l := nl - i // highest likelihood at the top
		y := top + i*cell
		b.label(left-8, y+cell/2+4, "end", clip(c.Likelihood[l-1].Label, 18))
		for v := 1; v <= nc; v++ {
			x := left + (v-1)*cell
			n := 0
			if l-1 < len(counts) && v-1 < len(counts[l-1]) {
				n = counts[l-1][v-1]
			}
			key := matrixKey(c, l, v)
			k, ok := inks[key]
			if !ok {
				k.lv = levelOf(c, key)
				k.colour, k.fg, k.label = html.EscapeString(k.lv.Colour), isms.TextColour(k.lv.Colour), html.EscapeString(clip(k.lv.Label, 12))
				inks[key] = k
			}
			label := html.EscapeString(tr.T("web.risks.heatmap_cell", c.Likelihood[l-1].Label, c.Consequence[v-1].Label, k.lv.Label, n))
			u := ""
			if n > 0 && cellURL != nil {
				u = cellURL(l, v)
			}
			if u != "" {
				b.str(`<a href="`)
				b.esc(u)
				b.str(`" aria-label="`)
			} else {
				b.str(`<g role="img" aria-label="`)
			}
			b.str(label)
			b.put(`"><rect x="`, x)
			b.put(`" y="`, y)
			b.put(`" width="`, cell)
			b.put(`" height="`, cell)
			b.str(`" fill="` + k.colour + `" stroke="#ffffff" stroke-width="2"><title>` + label + `</title></rect>`)
			if n > 0 {
				b.put(`<text x="`, x+cell/2)
				b.put(`" y="`, y+cell/2+4)
				b.str(`" text-anchor="middle" font-size="22" font-weight="700" fill="` + k.fg + `"` + underline(u))
				b.put(`>`, n)
				b.str(`</text>`)
			}
			b.put(`<text x="`, x+cell/2)
			b.put(`" y="`, y+cell-8)
			b.str(`" text-anchor="middle" font-size="10" fill="` + k.fg + `">` + k.label + `</text>`)
			if u != "" {
				b.str(`</a>`)
			} else {
				b.str(`</g>`)
			}
		}
	}
	for v := 1; v <= nc; v++ {
		b.label(left+(v-1)*cell+cell/2, top+nl*cell+18, "middle", clip(c.Consequence[v-1].Label, 12))
	}
	b.put(`<text x="`, left+nc*cell/2)
	b.put(`" y="`, top+nl*cell+44)
	b.str(`" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933">`)
	b.esc(tr.T("web.risks.consequence_axis"))
	b.put(`</text><text x="14" y="`, top+nl*cell/2)
	b.put(`" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933" transform="rotate(-90 14 `, top+nl*cell/2)
	b.str(`)">`)
	b.esc(tr.T("web.risks.likelihood_axis"))
	b.str(`</text></svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

// svgWriter writes the heat map's SVG without fmt: a map has a hundred
// elements or so, and formatting them through fmt was most of the heat
// map page's work.
type svgWriter struct {
	strings.Builder
	scratch [20]byte
}

// str writes s as it is: the writer's own markup, or text escaped before.
func (b *svgWriter) str(s string) { b.WriteString(s) }

// esc writes s escaped for element content or a quoted attribute.
func (b *svgWriter) esc(s string) { b.WriteString(html.EscapeString(s)) }

// put writes s, then n in decimal.
func (b *svgWriter) put(s string, n int) {
	b.WriteString(s)
	b.Write(strconv.AppendInt(b.scratch[:0], int64(n), 10))
}

// label writes an axis label: 12-point dark text anchored at x, y.
func (b *svgWriter) label(x, y int, anchor, text string) {
	b.put(`<text x="`, x)
	b.put(`" y="`, y)
	b.str(`" text-anchor="` + anchor + `" font-size="12" fill="#1f2933">`)
	b.esc(text)
	b.str(`</text>`)
}

func underline(u string) string {
	if u == "" {
		return ""
	}
	return ` text-decoration="underline"`
}

func matrixKey(c isms.RiskCriteria, l, v int) string {
	if l-1 < len(c.Matrix) && v-1 < len(c.Matrix[l-1]) {
		return c.Matrix[l-1][v-1]
	}
	return ""
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func keyPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
