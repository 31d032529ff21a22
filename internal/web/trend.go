package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// trendRow is one closed run in the table that repeats the trend picture.
type trendRow struct {
	Ref, Date, URL string
	Levels         []string // "High: 3" …, lowest level first
	Unrated, Total int
}

func trendRows(tr i18n.Translator, o isms.Organisation, points []isms.TrendPoint) []trendRow {
	out := make([]trendRow, 0, len(points))
	for _, p := range points {
		row := trendRow{Ref: p.Run.Ref, Date: o.FormatCalendarDate(p.Run.Date), URL: orgPath(o.Slug, "/assessments/"+p.Run.ID),
			Unrated: p.Unrated, Total: p.Total}
		for _, l := range p.Levels {
			row.Levels = append(row.Levels, fmt.Sprintf("%s: %d", l.Label, l.Count))
		}
		out = append(out, row)
	}
	return out
}

// trendChart draws, for each closed run (oldest on the left), a bar of its
// risks stacked by current level, lowest level at the bottom. Each segment
// is filled with its level's colour and also carries the level's name and
// count as text (never colour alone); a legend repeats the names. Plain
// SVG with a white background and outlines, so it prints as it shows. It
// is drawn at its natural width and scales down to narrow screens (the
// stylesheet caps it at 100% with the height following the viewBox).
func trendChart(tr i18n.Translator, o isms.Organisation, points []isms.TrendPoint) template.HTML {
	const left, right, top, bottom, barW, gap, plotH = 56, 16, 16, 64, 84, 44, 240
	maxTotal := 1
	for _, p := range points {
		maxTotal = max(maxTotal, p.Total)
	}
	step := niceStep(maxTotal)
	yMax := ((maxTotal + step - 1) / step) * step
	w := left + len(points)*(barW+gap) + right
	// Legend: every distinct level label, in order of first appearance
	// from the lowest level up.
	type legendItem struct{ label, colour string }
	var legend []legendItem
	seen := map[string]bool{}
	unrated := false
	for _, p := range points {
		for _, l := range p.Levels {
			if k := strings.ToLower(l.Label); !seen[k] {
				seen[k] = true
				legend = append(legend, legendItem{l.Label, l.Colour})
			}
		}
		unrated = unrated || p.Unrated > 0
	}
	if unrated {
		legend = append(legend, legendItem{tr.T("web.assess.trend_unrated"), "#ffffff"})
	}
	// The legend takes two to four columns of 150: as many as the bars
	// leave room for, so that a short history stays narrow enough for a
	// phone without shrinking its text.
	w = max(w, left+2*150+right)
	cols := min(4, (w-left-right)/150)
	legendRows := (len(legend) + cols - 1) / cols
	h := top + plotH + bottom + legendRows*22 + 8
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="trend-title">`, w, h, w)
	fmt.Fprintf(&b, `<title id="trend-title">%s</title>`, esc(tr.T("web.assess.trend_svg")))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, w, h)
	y := func(n int) int { return top + plotH - n*plotH/yMax }
	// Grid and y axis.
	for n := 0; n <= yMax; n += step {
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d0d5db" stroke-width="1"/>`, left, y(n), w-right, y(n))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#1f2933">%d</text>`, left-6, y(n)+4, n)
	}
	fmt.Fprintf(&b, `<text x="14" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933" transform="rotate(-90 14 %d)">%s</text>`,
		top+plotH/2, top+plotH/2, esc(tr.T("web.assess.trend_axis_risks")))
	// The legend may make the picture wider than the bars need: spread the
	// bars evenly across the plot rather than leaving it empty on the right.
	slot := (w - left - right) / max(len(points), 1)
	for i, p := range points {
		x := left + i*slot + (slot-barW)/2
		acc := 0
		seg := func(label, colour string, n int) {
			if n == 0 {
				return
			}
			y0, y1 := y(acc+n), y(acc)
			name := tr.T("web.assess.trend_segment", p.Run.Ref, label, n)
			fmt.Fprintf(&b, `<g><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#1f2933" stroke-width="1"/>`,
				esc(name), x, y0, barW, y1-y0, esc(colour))
			if y1-y0 >= 16 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="%s">%s %d</text>`,
					x+barW/2, (y0+y1)/2+4, isms.TextColour(colour), esc(clip(label, 9)), n)
			}
			b.WriteString(`</g>`)
			acc += n
		}
		for _, l := range p.Levels {
			seg(l.Label, l.Colour, l.Count)
		}
		seg(tr.T("web.assess.trend_unrated"), "#ffffff", p.Unrated)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933">%d</text>`, x+barW/2, y(p.Total)-4, p.Total)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#1f2933">%s</text>`, x+barW/2, top+plotH+16, esc(p.Run.Ref))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="#1f2933">%s</text>`, x+barW/2, top+plotH+30, esc(o.FormatCalendarDate(p.Run.Date)))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1f2933" stroke-width="1.5"/>`, left, y(0), w-right, y(0))
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1f2933">%s</text>`,
		left+(w-left-right)/2, top+plotH+50, esc(tr.T("web.assess.trend_axis_runs")))
	for i, l := range legend {
		lx, ly := left+(i%cols)*150, top+plotH+bottom+(i/cols)*22
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" stroke="#1f2933" stroke-width="1"/><text x="%d" y="%d" font-size="12" fill="#1f2933">%s</text>`,
			lx, ly, esc(l.colour), lx+20, ly+12, esc(clip(l.label, 18)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

// niceStep picks a grid step giving at most about five lines up to max.
func niceStep(max int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000} {
		if max/s <= 5 {
			return s
		}
	}
	return 10000
}
