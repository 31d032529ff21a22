// Package report writes Holdfast's registers as documents people use
// outside Holdfast. Each register describes its columns once (a Column
// list); the generic writers turn that into a workbook, so every register
// exports the same way.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Info describes an export for its About sheet.
type Info struct {
	// Version is the Holdfast version; left out when empty.
	Version string
	// ExportedAt is when the export was made; zero means now.
	ExportedAt time.Time
}

// Column describes one column of a register sheet.
type Column[T any] struct {
	// Label is the catalogue key of the column header.
	Label string
	// Width is the column width in characters.
	Width float64
	// Value returns the cell of one record: a string, an integer, a Date,
	// a time.Time (shown in the organisation's time zone) or nil for an
	// empty cell.
	Value func(T) any
}

// Date is a calendar date as stored (YYYY-MM-DD). It is written as a real
// spreadsheet date, so that it sorts and filters as one; an empty Date
// leaves the cell empty.
type Date string

// Sheet is one register laid out as a table: a bold, frozen header row
// with filters, then one row per record.
type Sheet[T any] struct {
	// Name is the catalogue key of the sheet's (and the register's) name.
	Name    string
	Columns []Column[T]
	Rows    []T
}

var tr = i18n.Default

// writeWorkbook writes a workbook with the register sheet s, followed by an
// About sheet naming the organisation, the export time, the number of
// records and the Holdfast version. Rows are streamed to a temporary file
// as they are written, so large registers do not sit in memory twice.
func writeWorkbook[T any](w io.Writer, org isms.Organisation, s Sheet[T], info Info) error {
	if info.ExportedAt.IsZero() {
		info.ExportedAt = time.Now()
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f, org)
	if err != nil {
		return err
	}
	name := sheetName(tr.T(s.Name))
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	if err := writeTable(f, name, org, s, st); err != nil {
		return err
	}
	if err := writeAbout(f, org, tr.T(s.Name), len(s.Rows), info, st); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

type styles struct {
	header, label, value, date, dateTime int
}

func newStyles(f *excelize.File, org isms.Organisation) (styles, error) {
	var st styles
	var err error
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8ECEF"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "8A939B", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	}); err != nil {
		return st, err
	}
	if st.label, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return st, err
	}
	if st.value, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left"}}); err != nil {
		return st, err
	}
	df := excelDateFormat(org.DateFormat)
	if st.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &df, Alignment: &excelize.Alignment{Horizontal: "left"}}); err != nil {
		return st, err
	}
	dtf := df + " hh:mm"
	st.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dtf, Alignment: &excelize.Alignment{Horizontal: "left"}})
	return st, err
}

func writeTable[T any](f *excelize.File, name string, org isms.Organisation, s Sheet[T], st styles) error {
	lastCol, err := excelize.ColumnNumberToName(max(len(s.Columns), 1))
	if err != nil {
		return err
	}
	// The filter is set before streaming: the stream writer copies the
	// sheet's settings when it starts and writes them after the rows.
	if err := f.AutoFilter(name, fmt.Sprintf("A1:%s%d", lastCol, len(s.Rows)+1), nil); err != nil {
		return err
	}
	// Printed (or converted to PDF) the table runs across the page in
	// landscape, as many pages down as needed, the header on each.
	fit := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	landscape, one, unlimited := "landscape", 1, 0
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &unlimited}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", strings.ReplaceAll(name, "'", "''")), Scope: name,
	}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	header := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
		header[i] = excelize.Cell{StyleID: st.header, Value: tr.T(c.Label)}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	loc := org.Location()
	row := make([]any, len(s.Columns))
	for i, rec := range s.Rows {
		for j, c := range s.Columns {
			row[j] = cell(c.Value(rec), loc, st)
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cell converts a column value into what the stream writer stores.
func cell(v any, loc *time.Location, st styles) any {
	switch x := v.(type) {
	case Date:
		if x == "" {
			return nil
		}
		d, err := time.Parse(isms.DateLayout, string(x))
		if err != nil {
			return string(x)
		}
		return excelize.Cell{StyleID: st.date, Value: d}
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: st.dateTime, Value: wallClock(x, loc)}
	case *time.Time:
		if x == nil {
			return nil
		}
		return cell(*x, loc, st)
	case string:
		if x == "" {
			return nil
		}
		return x
	}
	return v
}

// wallClock returns t as the organisation reads it: spreadsheet times have
// no time zone, so the local wall-clock time is stored.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func writeAbout(f *excelize.File, org isms.Organisation, register string, n int, info Info, st styles) error {
	about := sheetName(tr.T("report.about"))
	if _, err := f.NewSheet(about); err != nil {
		return err
	}
	rows := [][2]any{
		{tr.T("report.about.organisation"), org.Name},
		{tr.T("report.about.register"), register},
		{tr.T("report.about.exported_at"), excelize.Cell{StyleID: st.dateTime, Value: wallClock(info.ExportedAt, org.Location())}},
		{tr.T("report.about.time_zone"), org.Location().String()},
		{tr.T("report.about.records"), n},
	}
	if info.Version != "" {
		rows = append(rows, [2]any{tr.T("report.about.version"), info.Version})
	}
	for i, r := range rows {
		a, b := fmt.Sprintf("A%d", i+1), fmt.Sprintf("B%d", i+1)
		if err := f.SetCellValue(about, a, r[0]); err != nil {
			return err
		}
		if err := f.SetCellStyle(about, a, a, st.label); err != nil {
			return err
		}
		v, style := r[1], st.value
		if c, ok := v.(excelize.Cell); ok {
			v, style = c.Value, c.StyleID
		}
		if err := f.SetCellStyle(about, b, b, style); err != nil {
			return err
		}
		if err := f.SetCellValue(about, b, v); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(about, "A", "A", 24); err != nil {
		return err
	}
	return f.SetColWidth(about, "B", "B", 44)
}

// sheetName makes s a valid sheet name: at most 31 characters, none of
// []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// excelDateFormat translates one of the organisation's date formats (a Go
// layout from isms.DateFormats) into a spreadsheet number format.
func excelDateFormat(layout string) string {
	if layout == "" {
		layout = isms.DateFormats[0]
	}
	return strings.NewReplacer("2006", "yyyy", "Jan", "mmm", "01", "mm", "02", "dd", "/", `\/`).Replace(layout)
}
