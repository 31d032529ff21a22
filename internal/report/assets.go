package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// AssetColumn is one column of the asset register's spreadsheet: the same
// columns are exported, offered in the import template and read back by
// ParseAssets, so an export can be edited and imported again.
type AssetColumn struct {
	// Key is the column's import name, e.g. "depends_on".
	Key string
	// Label is the catalogue key of its header text.
	Label string
	// Hint is the catalogue key of what the template's guide says about it.
	Hint  string
	Width float64
	value func(isms.Asset) any
}

// AssetColumns lists the asset spreadsheet's columns in order.
var AssetColumns = []AssetColumn{
	{"ref", "field.ref", "report.assets.hint.ref", 10, func(x isms.Asset) any { return x.Ref }},
	{"version", "report.assets.version", "report.assets.hint.version", 9, func(x isms.Asset) any {
		if x.Version == 0 {
			return nil
		}
		return x.Version
	}},
	{"name", "asset.name", "report.assets.hint.name", 30, func(x isms.Asset) any { return x.Name }},
	{"type", "asset.type", "report.assets.hint.type", 20, func(x isms.Asset) any { return optLabel("asset_type.", string(x.Type)) }},
	{"description", "asset.description", "report.assets.hint.description", 40, func(x isms.Asset) any { return x.Description }},
	{"owner", "report.assets.owner", "report.assets.hint.owner", 28, func(x isms.Asset) any { return x.OwnerEmail }},
	{"custodian", "report.assets.custodian", "report.assets.hint.custodian", 28, func(x isms.Asset) any {
		if x.CustodianEmail != "" {
			return x.CustodianEmail
		}
		return x.CustodianText
	}},
	{"location", "asset.location", "report.assets.hint.location", 20, func(x isms.Asset) any { return x.Location }},
	{"classification", "asset.classification", "report.assets.hint.classification", 16, func(x isms.Asset) any {
		return optLabel("classification.", string(x.Classification))
	}},
	{"confidentiality", "asset.confidentiality", "report.assets.hint.level", 10, func(x isms.Asset) any { return level(x.Confidentiality) }},
	{"integrity", "asset.integrity", "report.assets.hint.level", 10, func(x isms.Asset) any { return level(x.Integrity) }},
	{"availability", "asset.availability", "report.assets.hint.level", 10, func(x isms.Asset) any { return level(x.Availability) }},
	{"state", "asset.state", "report.assets.hint.state", 14, func(x isms.Asset) any { return optLabel("asset_state.", string(x.State)) }},
	{"depends_on", "asset.depends_on", "report.assets.hint.depends_on", 24, func(x isms.Asset) any { return strings.Join(x.DependsOn, ", ") }},
}

// ignoredColumns are exported for people to read but not imported.
var ignoredColumns = map[string]bool{"updated_at": true, "last_changed": true}

func level(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// optLabel translates prefix+v, or shows v if the catalogue has no label.
func optLabel(prefix, v string) string {
	if v == "" {
		return ""
	}
	if s := tr.T(prefix + v); s != prefix+v {
		return s
	}
	return v
}

func assetSheet(rows []isms.Asset) Sheet[isms.Asset] {
	cols := make([]Column[isms.Asset], 0, len(AssetColumns)+1)
	for _, c := range AssetColumns {
		cols = append(cols, Column[isms.Asset]{Label: c.Label, Width: c.Width, Value: c.value})
	}
	cols = append(cols, Column[isms.Asset]{Label: "report.updated_at", Width: 18, Value: func(x isms.Asset) any { return x.UpdatedAt }})
	return Sheet[isms.Asset]{Name: "report.assets", Columns: cols, Rows: rows}
}

// AssetsXLSX writes the asset register of org as an XLSX workbook: one row
// per asset in the order given, in the columns ParseAssets reads back,
// then an About sheet.
func AssetsXLSX(w io.Writer, org isms.Organisation, assets []isms.Asset, info Info) error {
	return writeWorkbook(w, org, assetSheet(assets), info)
}

// AssetImportTemplate writes an empty asset register with one example row
// and a Guide sheet that explains every column and lists the accepted
// values.
func AssetImportTemplate(w io.Writer, org isms.Organisation) error {
	example := isms.Asset{Name: tr.T("report.assets.example_name"), Type: isms.AssetApplication,
		Description: tr.T("report.assets.example_description"), Location: tr.T("report.assets.example_location"),
		Classification: isms.ClassConfidential, Confidentiality: 3, Integrity: 3, Availability: 2, State: isms.AssetInUse}
	s := assetSheet([]isms.Asset{example})
	s.Columns = s.Columns[:len(s.Columns)-1] // no "last changed" in a template
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
	if err := writeGuide(f, st); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func writeGuide(f *excelize.File, st styles) error {
	guide := sheetName(tr.T("report.assets.guide"))
	if _, err := f.NewSheet(guide); err != nil {
		return err
	}
	rows := [][]any{{tr.T("report.assets.guide.column"), tr.T("report.assets.guide.name"), tr.T("report.assets.guide.meaning")}}
	for _, c := range AssetColumns {
		rows = append(rows, []any{tr.T(c.Label), c.Key, tr.T(c.Hint)})
	}
	rows = append(rows, []any{}, []any{tr.T("report.assets.guide.values")})
	for _, v := range isms.AssetTypes {
		rows = append(rows, []any{tr.T("asset.type"), tr.T("asset_type." + string(v)), string(v)})
	}
	for _, v := range isms.Classifications {
		rows = append(rows, []any{tr.T("asset.classification"), tr.T("classification." + string(v)), string(v)})
	}
	for _, v := range isms.AssetStates {
		rows = append(rows, []any{tr.T("asset.state"), tr.T("asset_state." + string(v)), string(v)})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(guide, cell, &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(guide, "A1", "C1", st.header); err != nil {
		return err
	}
	if err := f.SetColWidth(guide, "A", "B", 24); err != nil {
		return err
	}
	return f.SetColWidth(guide, "C", "C", 90)
}

// Import limits.
const (
	// MaxImportBytes is the largest import file ParseAssets reads.
	MaxImportBytes = 8 << 20
	maxCell        = 20000
)

// ImportError lists what is wrong with an import file as a whole (missing
// or unknown columns, an unreadable file); no row was looked at.
type ImportError struct {
	Problems []isms.Msg
}

func (e *ImportError) Error() string {
	var keys []string
	for _, p := range e.Problems {
		keys = append(keys, p.Key)
	}
	return "import file refused: " + strings.Join(keys, ", ")
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// normName makes a header or a value comparable: lower case, runs of other
// characters as one underscore.
func normName(s string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "_"), "_")
}

// columnAliases are other header names people use.
var columnAliases = map[string]string{
	"reference": "ref", "id": "ref", "asset": "name", "asset_name": "name", "owner_email": "owner",
	"custodian_email": "custodian", "lifecycle": "state", "lifecycle_state": "state", "status": "state",
	"dependencies": "depends_on", "depends_on_assets": "depends_on", "c": "confidentiality", "i": "integrity",
	"a": "availability", "asset_type": "type", "classification_level": "classification",
}

// columnFor resolves a header cell to a column key: its import name, its
// English label or a known alias, ignoring case, spaces and punctuation.
func columnFor(header string) (string, bool) {
	h := normName(header)
	if k, ok := columnAliases[h]; ok {
		return k, true
	}
	for _, c := range AssetColumns {
		if h == c.Key || h == normName(tr.T(c.Label)) {
			return c.Key, true
		}
	}
	if ignoredColumns[h] || h == normName(tr.T("report.updated_at")) {
		return "", true
	}
	return "", false
}

// choice maps a cell to one of values, accepting the stored value or its
// English label ignoring case; anything else is passed through for the
// validation to report.
func choice[T ~string](cell, prefix string, values []T) T {
	n := normName(cell)
	for _, v := range values {
		if n == string(v) || n == normName(tr.T(prefix+string(v))) {
			return v
		}
	}
	return T(strings.TrimSpace(cell))
}

// ParseAssets reads an asset import file: CSV (comma or semicolon
// separated, UTF-8) or XLSX (the first sheet), told apart by content. The
// first non-empty row names the columns (see AssetColumns; case, spaces
// and punctuation do not matter). It returns one AssetRow per non-empty
// row, numbered as a spreadsheet shows them, with cell problems recorded
// on the row; problems with the file as a whole are an *ImportError.
func ParseAssets(data []byte) ([]isms.AssetRow, error) {
	if len(data) > MaxImportBytes {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.too_large", MaxImportBytes>>20)}}
	}
	var table [][]string
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		table, err = readXLSX(data)
	} else {
		table, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	return parseTable(table)
}

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.unreadable")}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.empty")}}
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.unreadable")}}
	}
	return rows, nil
}

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.not_utf8")}}
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.bad_csv", line)}}
		}
		// Keep each record at its line number (encoding/csv skips blank
		// lines), so that reports name the line a spreadsheet shows.
		line, _ := r.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseTable(table [][]string) ([]isms.AssetRow, error) {
	h := 0
	for h < len(table) && blank(table[h]) {
		h++
	}
	if h == len(table) {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.empty")}}
	}
	var ie ImportError
	cols := make([]string, len(table[h]))
	present := map[string]bool{}
	for i, cell := range table[h] {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		key, ok := columnFor(cell)
		switch {
		case !ok:
			ie.Problems = append(ie.Problems, isms.M("report.import.unknown_column", strings.TrimSpace(cell)))
		case key != "" && present[key]:
			ie.Problems = append(ie.Problems, isms.M("report.import.duplicate_column", strings.TrimSpace(cell)))
		case key != "":
			present[key] = true
			cols[i] = key
		}
	}
	var required []string
	if present["ref"] {
		// Updating by reference: a row without one needs a name and a type,
		// which the row checks report.
	} else {
		required = []string{"name", "type"}
	}
	for _, k := range required {
		if !present[k] {
			ie.Problems = append(ie.Problems, isms.M("report.import.missing_column", tr.T(labelOf(k)), k))
		}
	}
	if len(ie.Problems) > 0 {
		return nil, &ie
	}
	var out []isms.AssetRow
	for i := h + 1; i < len(table); i++ {
		rec := table[i]
		if blank(rec) {
			continue
		}
		if len(out) == maxRows {
			return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.too_many_rows", maxRows)}}
		}
		out = append(out, parseRow(i+1, cols, rec, present))
	}
	if len(out) == 0 {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.no_rows")}}
	}
	return out, nil
}

// maxRows matches store.MaxImportRows without importing the store.
const maxRows = 20000

func labelOf(key string) string {
	for _, c := range AssetColumns {
		if c.Key == key {
			return c.Label
		}
	}
	return key
}

func parseRow(line int, cols, rec []string, present map[string]bool) isms.AssetRow {
	r := isms.AssetRow{Line: line, Present: present}
	var p isms.Problems
	for i, key := range cols {
		if key == "" || i >= len(rec) {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if utf8.RuneCountInString(v) > maxCell {
			p.Add(key, "validation.too_long", maxCell)
			continue
		}
		num := func() int {
			if v == "" {
				return 0
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int(f)) {
					return int(f) // spreadsheets sometimes store 3 as 3.0
				}
				p.Add(key, "validation.whole_number")
				return 0
			}
			return n
		}
		switch key {
		case "ref":
			r.Ref = v
		case "version":
			r.Version = num()
		case "name":
			r.Asset.Name = v
		case "description":
			r.Asset.Description = v
		case "type":
			r.Asset.Type = choice(v, "asset_type.", isms.AssetTypes)
		case "owner":
			r.Owner = v
		case "custodian":
			r.Custodian = v
		case "location":
			r.Asset.Location = v
		case "classification":
			r.Asset.Classification = choice(v, "classification.", isms.Classifications)
		case "confidentiality":
			r.Asset.Confidentiality = num()
		case "integrity":
			r.Asset.Integrity = num()
		case "availability":
			r.Asset.Availability = num()
		case "state":
			r.Asset.State = choice(v, "asset_state.", isms.AssetStates)
		case "depends_on":
			r.DependsOn = isms.SplitList(v)
		}
	}
	if err := p.Err(); err != nil {
		r.Problems = isms.AsError(err).Fields
	}
	return r
}

// ColumnLabel returns the header text of an import column key, for
// reports that name a column.
func ColumnLabel(key string) string {
	if key == "file" {
		return ""
	}
	return tr.T(labelOf(key))
}

// AssetCSVHeader returns the header line of a CSV import file, for help
// texts.
func AssetCSVHeader() string {
	keys := make([]string, len(AssetColumns))
	for i, c := range AssetColumns {
		keys[i] = c.Key
	}
	return strings.Join(keys, ",")
}
