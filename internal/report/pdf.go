package report

import (
	"io"
	"strings"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

var (
	pdfHeaderFill = &props.Color{Red: 232, Green: 236, Blue: 239}
	pdfMuted      = &props.Color{Red: 90, Green: 101, Blue: 112}
	pdfInk        = &props.Color{Red: 31, Green: 42, Blue: 51}
)

// pdfText makes s printable with the PDF's built-in fonts (Windows-1252):
// characters outside it become close equivalents or "?".
func pdfText(s string) string {
	s = strings.NewReplacer("→", "->", "←", "<-", "…", "...", "≥", ">=", "≤", "<=", "\t", " ").Replace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff:
			return r
		case strings.ContainsRune("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ", r):
			return r
		case r < 0x20:
			return -1
		}
		return '?'
	}, s)
}

// WritePDF writes d as a PDF: a title page, then the body, with "Page N
// of M" at the bottom right of every page and the footer text at the
// bottom left.
func WritePDF(w io.Writer, d Document) error {
	if d.PageLabel == "" {
		d.PageLabel, d.OfLabel = "Page", "of"
	}
	b := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(15).WithRightMargin(15).WithTopMargin(15).WithBottomMargin(12).
		WithDefaultFont(&props.Font{Family: "helvetica", Size: 9, Color: pdfInk}).
		WithPageNumber(props.PageNumber{Pattern: pdfText(d.PageLabel) + " {current} " + pdfText(d.OfLabel) + " {total}",
			Place: props.RightBottom, Size: 8, Color: pdfMuted}).
		WithTitle(d.Title, true).WithAuthor(d.Author, true).WithCreator("Holdfast", false).
		WithSequentialMode()
	if !d.Created.IsZero() {
		b = b.WithCreationDate(d.Created)
	}
	if d.Landscape {
		b = b.WithOrientation(orientation.Horizontal)
	}
	m := maroto.New(b.Build())
	if d.Footer != "" {
		if err := m.RegisterFooter(text.NewRow(6, pdfText(d.Footer), props.Text{Size: 8, Color: pdfMuted, Align: align.Left})); err != nil {
			return err
		}
	}
	// Title page.
	m.AddRows(row.New(50))
	m.AddRows(text.NewAutoRow(pdfText(d.Title), props.Text{Size: 24, Style: fontstyle.Bold, Bottom: 4}))
	if d.Subtitle != "" {
		m.AddRows(text.NewAutoRow(pdfText(d.Subtitle), props.Text{Size: 14, Color: pdfMuted, Bottom: 10}))
	}
	for _, f := range d.Facts {
		m.AddAutoRow(
			text.NewCol(3, pdfText(f[0]), props.Text{Style: fontstyle.Bold, Size: 10, Bottom: 2}),
			text.NewCol(9, pdfText(f[1]), props.Text{Size: 10, Bottom: 2}),
		)
	}
	var rows []core.Row
	for _, blk := range d.Blocks {
		switch x := blk.(type) {
		case Heading:
			size := 14.0
			if x.Level >= 2 {
				size = 11
			}
			rows = append(rows, text.NewAutoRow(pdfText(x.Text), props.Text{Size: size, Style: fontstyle.Bold, Top: 4, Bottom: 2}))
		case Paragraph:
			p := props.Text{Bottom: 2}
			if x.Muted {
				p.Color = pdfMuted
			}
			rows = append(rows, text.NewAutoRow(pdfText(x.Text), p))
		case Table:
			rows = append(rows, pdfTable(x)...)
		}
	}
	// The body starts on its own page.
	m.AddPages(page.New().Add(rows...))
	doc, err := m.Generate()
	if err != nil {
		return err
	}
	_, err = w.Write(doc.GetBytes())
	return err
}

// pdfTable lays a table out on maroto's 12-column grid: widths are scaled
// to 12 units, each column getting at least one.
func pdfTable(t Table) []core.Row {
	n := len(t.Header)
	if n == 0 {
		return nil
	}
	grid := gridWidths(t.Widths, n)
	cell := func(v string, header bool) core.Component {
		p := props.Text{Size: 7.5, Left: 1, Right: 1, Top: 1, Bottom: 1}
		if header {
			p.Style = fontstyle.Bold
		}
		return text.New(pdfText(v), p)
	}
	mk := func(cells []string, header bool) core.Row {
		cols := make([]core.Col, n)
		for i := 0; i < n; i++ {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			cols[i] = col.New(grid[i]).Add(cell(v, header))
		}
		r := row.New().Add(cols...)
		style := &props.Cell{BorderType: border.Bottom, BorderColor: &props.Color{Red: 197, Green: 203, Blue: 208}, BorderThickness: 0.2}
		if header {
			style = &props.Cell{BackgroundColor: pdfHeaderFill, BorderType: border.Bottom, BorderColor: &props.Color{Red: 138, Green: 147, Blue: 155}, BorderThickness: 0.3}
		}
		return r.WithStyle(style)
	}
	out := []core.Row{mk(t.Header, true)}
	for _, r := range t.Rows {
		out = append(out, mk(r, false))
	}
	return append(out, row.New(4))
}

// gridWidths scales relative widths to maroto's 12-column grid.
func gridWidths(widths []int, n int) []int {
	out := make([]int, n)
	total := 0
	for i := 0; i < n; i++ {
		w := 1
		if i < len(widths) && widths[i] > 0 {
			w = widths[i]
		}
		out[i] = w
		total += w
	}
	grid := make([]int, n)
	used := 0
	for i, w := range out {
		grid[i] = max(1, w*12/total)
		used += grid[i]
	}
	// Hand out or take back the rounding difference, widest first.
	for used != 12 {
		best := 0
		for i := range out {
			if out[i] > out[best] && (used < 12 || grid[i] > 1) {
				best = i
			}
		}
		if used < 12 {
			grid[best]++
			used++
		} else {
			if grid[best] <= 1 {
				break
			}
			grid[best]--
			used--
		}
		out[best] = -1 // spread further changes to other columns
		allDone := true
		for _, w := range out {
			allDone = allDone && w < 0
		}
		if allDone {
			for i := range out {
				out[i] = grid[i]
			}
		}
	}
	return grid
}
