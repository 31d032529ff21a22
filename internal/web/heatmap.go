package web

import (
	"fmt"
	"html"
	"html/template"
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
	var b strings.Builder
	esc := html.EscapeString
	id := "hm-" + strings.ToLower(strings.ReplaceAll(keyPart(title), " ", "-"))
	fmt.Fprintf(&b, `<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="group" aria-labelledby="%s">`, w, h, w, h, id)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, esc(title))
	for i := 0; i < nl; i++ {
		l := nl - i // highest likelihood at the top
		y := top + i*cell
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#1f2933">%s</text>`, left-8, y+cell/2+4, esc(clip(c.Likelihood[l-1].Label, 18)))
		for v := 1; v <= nc; v++ {
			x := left + (v-1)*cell
			n := 0
			if l-1 < len(counts) && v-1 < len(counts[l-1]) {
				n = counts[l-1][v-1]
			}
			lv := levelOf(c, matrixKey(c, l, v))
			label := tr.T("web.risks.heatmap_cell", c.Likelihood[l-1].Label, c.Consequence[v-1].Label, lv.Label, n)
			u := ""
			if n > 0 && cellURL != nil {
				u = cellURL(l, v)
			}
			if u != "" {
				fmt.Fprintf(&b, `<a href="%s" aria-label="%s">`, esc(u), esc(label))
			} else {
				fmt.Fprintf(&b, `<g role="img" aria-label="%s">`, esc(label))
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff" stroke-width="2"><title>%s</title></rect>`,
				x, y, cell, cell, esc(lv.Colour), esc(label))
			fg := isms.TextColour(lv.Colour)
			if n > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="22" font-weight="700" fill="%s"%s>%d</text>`,
					x+cell/2, y+cell/2+4, fg, underline(u), n)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="10" fill="%s">%s</text>`, x+cell/2, y+cell-8, fg, esc(clip(lv.Label, 12)))
			if u != "" {
				b.WriteString(`</a>`)
			} else {
				b.WriteString(`</g>`)
			}
		}
	}
	for v := 1; v <= nc; v++ {
		x := left + (v-1)*cell + cell/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#1f2933">%s</text>`, x, top+nl*cell+18, esc(clip(c.Consequence[v-1].Label, 12)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933">%s</text>`,
		left+nc*cell/2, top+nl*cell+44, esc(tr.T("web.risks.consequence_axis")))
	fmt.Fprintf(&b, `<text x="14" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933" transform="rotate(-90 14 %d)">%s</text>`,
		top+nl*cell/2, top+nl*cell/2, esc(tr.T("web.risks.likelihood_axis")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
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
