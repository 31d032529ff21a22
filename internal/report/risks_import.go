package report

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// riskColumnAliases are other header names people use for risk columns.
var riskColumnAliases = map[string]string{
	"reference": "ref", "id": "ref", "risk": "title", "risk_title": "title", "name": "title", "owner_email": "owner",
	"risk_owner": "owner", "type": "kind", "treatment_options": "treatment", "planned_controls": "controls",
	"linked_controls": "controls", "linked_assets": "assets", "affected_properties": "cia",
}

// riskColumnFor resolves a header cell to a RiskColumns entry: its import
// name, its English label or a known alias, ignoring case, spaces and
// punctuation.
func riskColumnFor(header string) (RiskColumn, bool) {
	h := normName(header)
	if k, ok := riskColumnAliases[h]; ok {
		h = k
	}
	for _, c := range RiskColumns {
		if h == c.Key || h == normName(tr.T(c.Label)) {
			return c, true
		}
	}
	return RiskColumn{}, false
}

// ParseRisks reads a risk register import file: XLSX (the first sheet, as
// RisksXLSX writes it) or CSV (comma or semicolon separated, UTF-8), told
// apart by content. The first non-empty row names the columns (see
// RiskColumns; case, spaces and punctuation do not matter); columns
// Holdfast works out itself (levels, status …) are read past. It returns
// one RiskRow per non-empty row, numbered as a spreadsheet shows them,
// with cell problems recorded on the row; problems with the file as a
// whole (an unknown, duplicate or missing column, an unreadable file) are
// an *ImportError.
func ParseRisks(data []byte) ([]isms.RiskRow, error) {
	if len(data) > MaxImportBytes {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.too_large", MaxImportBytes>>20)}}
	}
	var table [][]string
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		table, err = readXLSXRaw(data)
	} else {
		table, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	h := 0
	for h < len(table) && blank(table[h]) {
		h++
	}
	if h == len(table) {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.empty")}}
	}
	var ie ImportError
	cols := make([]string, len(table[h]))
	present, seen := map[string]bool{}, map[string]bool{}
	for i, cell := range table[h] {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		c, ok := riskColumnFor(cell)
		switch {
		case !ok:
			ie.Problems = append(ie.Problems, isms.M("report.import.unknown_column", strings.TrimSpace(cell)))
		case seen[c.Key]:
			ie.Problems = append(ie.Problems, isms.M("report.import.duplicate_column", strings.TrimSpace(cell)))
		default:
			seen[c.Key] = true
			if c.Import {
				present[c.Key], cols[i] = true, c.Key
			}
		}
	}
	// Updating by reference needs no other column; adding risks needs a
	// title.
	if !present["ref"] && !present["title"] {
		ie.Problems = append(ie.Problems, isms.M("report.import.missing_column", tr.T("risk.title"), "title"))
	}
	if len(ie.Problems) > 0 {
		return nil, &ie
	}
	var out []isms.RiskRow
	for i := h + 1; i < len(table); i++ {
		if blank(table[i]) {
			continue
		}
		if len(out) == maxRows {
			return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.too_many_rows", maxRows)}}
		}
		out = append(out, parseRiskRow(i+1, cols, table[i], present))
	}
	if len(out) == 0 {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.no_rows")}}
	}
	return out, nil
}

// readXLSXRaw reads the first sheet without applying number formats, so
// that dates arrive as serial numbers whatever the display format.
func readXLSXRaw(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.unreadable")}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.empty")}}
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &ImportError{Problems: []isms.Msg{isms.M("report.import.unreadable")}}
	}
	return rows, nil
}

// importDate reads a date cell: YYYY-MM-DD, a spreadsheet date serial, or
// "12 Mar 2026".
func importDate(v string) (string, bool) {
	if v == "" || isms.ValidDate(v) {
		return v, true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 2958466 {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			return t.Format(isms.DateLayout), true
		}
	}
	for _, layout := range []string{"2 Jan 2006", "02 Jan 2006", "2 January 2006", "2006/01/02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format(isms.DateLayout), true
		}
	}
	return v, false
}

// importCIA reads affected properties written as words ("Integrity,
// Availability") or letters ("IA").
func importCIA(v string) (string, bool) {
	var b strings.Builder
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '/' || r == ' ' }) {
		n := normName(tok)
		found := false
		for _, l := range "CIA" {
			if n == strings.ToLower(string(l)) || n == normName(tr.T("web.risks.cia."+string(l))) {
				b.WriteRune(l)
				found = true
			}
		}
		if !found {
			if strings.Trim(strings.ToUpper(tok), "CIA") != "" {
				return "", false
			}
			b.WriteString(strings.ToUpper(tok))
		}
	}
	return isms.NormalizeCIA(b.String()), true
}

func parseRiskRow(line int, cols, rec []string, present map[string]bool) isms.RiskRow {
	r := isms.RiskRow{Line: line, Present: present}
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
					return int(f)
				}
				p.Add(key, "validation.whole_number")
				return 0
			}
			return n
		}
		x := &r.Risk
		switch key {
		case "ref":
			r.Ref = v
		case "version":
			r.Version = num()
		case "title":
			x.Title = v
		case "kind":
			x.Kind = choice(v, "risk_kind.", isms.RiskKinds)
		case "description":
			x.Description = v
		case "causes":
			x.Causes = v
		case "impacts":
			x.Impacts = v
		case "category":
			x.Category = v
		case "owner":
			r.Owner = v
		case "cia":
			cia, ok := importCIA(v)
			if !ok {
				p.Add(key, "validation.import_cia", v)
			}
			x.CIA = cia
		case "existing_controls":
			x.ExistingControls = v
		case "inherent_likelihood":
			r.InherentLikelihood = v
		case "inherent_consequence":
			r.InherentConsequence = v
		case "residual_likelihood":
			r.ResidualLikelihood = v
		case "residual_consequence":
			r.ResidualConsequence = v
		case "treatment":
			x.Treatment = nil
			for _, o := range isms.SplitList(v) {
				x.Treatment = append(x.Treatment, choice(o, "treatment.", isms.TreatmentOptions))
			}
		case "treatment_notes":
			x.TreatmentNotes = v
		case "controls":
			r.Controls = isms.SplitList(v)
		case "assets":
			r.Assets = isms.SplitList(v)
		case "priority":
			x.Priority = num()
		case "next_review":
			d, ok := importDate(v)
			if !ok {
				p.Add(key, "validation.date")
			}
			x.NextReview = d
		}
	}
	if err := p.Err(); err != nil {
		r.Problems = isms.AsError(err).Fields
	}
	return r
}

// RiskColumnLabel returns the header text of a risk import column key, for
// reports that name a column.
func RiskColumnLabel(key string) string {
	for _, c := range RiskColumns {
		if c.Key == key {
			return tr.T(c.Label)
		}
	}
	if key == "file" {
		return ""
	}
	return key
}
