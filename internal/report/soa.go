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

// SoA is a Statement of Applicability to export: a published version
// (Number > 0) or the current draft (Number 0).
type SoA struct {
	Org          isms.Organisation
	Number       int
	ApprovedAt   time.Time
	ApproverName string
	ApproverRole isms.Role
	Note         string
	Entries      []isms.SoAEntry
	Info         Info
}

// DecisionLabel names a decision: Yes, No or Not decided.
func DecisionLabel(tr i18n.Translator, d isms.Decision) string {
	if d == isms.DecisionNone {
		return tr.T("soa.decision.none")
	}
	return tr.T("soa.decision." + string(d))
}

// StatusLabel names an implementation status.
func StatusLabel(tr i18n.Translator, s isms.ControlStatus) string {
	return tr.T("control.status." + string(s))
}

func refList(rs []isms.RecordRef) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Ref + " " + r.Title
	}
	return strings.Join(parts, "; ")
}

// Justification is the entry's justification as an auditor reads it: for
// an inclusion, the risks it treats and the requirements it meets (derived
// from the links) plus the firm's own text; for an exclusion, the reason,
// the replacing control and the explanation.
func Justification(tr i18n.Translator, e isms.SoAEntry) string {
	var parts []string
	switch e.Decision {
	case isms.DecisionIncluded:
		if len(e.Risks) > 0 {
			parts = append(parts, tr.T("soa.just.risks", refList(e.Risks)))
		}
		if len(e.Requirements) > 0 {
			parts = append(parts, tr.T("soa.just.requirements", refList(e.Requirements)))
		}
		if e.Justification != "" {
			parts = append(parts, e.Justification)
		}
	case isms.DecisionExcluded:
		if e.ExclusionReason != "" {
			reason := tr.T("control.reason." + e.ExclusionReason)
			if e.ExclusionReason == string(isms.ExcludedReplaced) && e.ReplacedBy != "" {
				reason = tr.T("soa.just.replaced_by", e.ReplacedBy)
			}
			parts = append(parts, reason)
		}
		if e.ExclusionText != "" {
			parts = append(parts, e.ExclusionText)
		}
	}
	return strings.Join(parts, ". ")
}

func evidenceList(es []isms.EvidenceRef) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Ref + " " + e.Title
	}
	return strings.Join(parts, "; ")
}

func warningList(tr i18n.Translator, ws []isms.WarningKind) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = tr.T("soa.warning." + string(w))
	}
	return strings.Join(parts, "; ")
}

func soaColumns(tr i18n.Translator) []Column[isms.SoAEntry] {
	return []Column[isms.SoAEntry]{
		{Label: "soa.col.ref", Width: 10, Value: func(e isms.SoAEntry) any { return e.Ref }},
		{Label: "control.title", Width: 36, Value: func(e isms.SoAEntry) any { return e.Title }},
		{Label: "control.theme", Width: 15, Value: func(e isms.SoAEntry) any { return tr.T("theme." + e.Theme) }},
		{Label: "soa.col.included", Width: 12, Value: func(e isms.SoAEntry) any { return DecisionLabel(tr, e.Decision) }},
		{Label: "soa.col.justification", Width: 50, Value: func(e isms.SoAEntry) any { return Justification(tr, e) }},
		{Label: "soa.col.risks", Width: 30, Value: func(e isms.SoAEntry) any { return refList(e.Risks) }},
		{Label: "control.status", Width: 20, Value: func(e isms.SoAEntry) any { return StatusLabel(tr, e.Status) }},
		{Label: "control.owner", Width: 22, Value: func(e isms.SoAEntry) any { return e.Owner }},
		{Label: "soa.col.evidence", Width: 36, Value: func(e isms.SoAEntry) any { return evidenceList(e.Evidence) }},
		{Label: "soa.col.warnings", Width: 36, Value: func(e isms.SoAEntry) any { return warningList(tr, e.Warnings) }},
	}
}

// versionText says which edition of the SoA this is.
func (s SoA) versionText(tr i18n.Translator) string {
	if s.Number == 0 {
		return tr.T("report.soa.draft")
	}
	return tr.T("report.soa.version_n", s.Number)
}

// facts are the label/value lines describing the edition.
func (s SoA) facts(tr i18n.Translator) [][2]string {
	out := [][2]string{{tr.T("report.about.organisation"), s.Org.Name}, {tr.T("report.soa.version"), s.versionText(tr)}}
	if s.Number > 0 {
		approver := s.ApproverName
		if s.ApproverRole != "" {
			approver += " (" + tr.T("role."+string(s.ApproverRole)) + ")"
		}
		out = append(out, [2]string{tr.T("report.soa.approved_by"), approver},
			[2]string{tr.T("report.soa.approved_at"), s.Org.FormatDateTime(s.ApprovedAt)})
		if s.Note != "" {
			out = append(out, [2]string{tr.T("report.soa.note"), s.Note})
		}
	}
	sum := isms.SummarizeEntries(s.Entries)
	out = append(out, [2]string{tr.T("report.soa.summary"), tr.T("report.soa.summary_text", sum.Controls, sum.Included, sum.Excluded, sum.Undecided)})
	at := s.Info.ExportedAt
	if at.IsZero() {
		at = time.Now()
	}
	out = append(out, [2]string{tr.T("report.about.exported_at"), s.Org.FormatDateTime(at)})
	if s.Info.Version != "" {
		out = append(out, [2]string{tr.T("report.about.version"), s.Info.Version})
	}
	return out
}

// SoAXLSX writes the SoA as a workbook: one row per control with every
// column an auditor expects, then an About sheet with the version and
// approval.
func SoAXLSX(w io.Writer, s SoA) error {
	tr := translator(s.Org)
	if s.Info.ExportedAt.IsZero() {
		s.Info.ExportedAt = time.Now()
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f, s.Org)
	if err != nil {
		return err
	}
	name := sheetName(tr.T("report.soa.sheet"))
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sheet := Sheet[isms.SoAEntry]{Name: "report.soa", Columns: soaColumns(tr), Rows: s.Entries}
	if err := writeTable(f, name, s.Org, sheet, st); err != nil {
		return err
	}
	if err := writeAbout(f, s.Org, tr.T("report.soa"), len(s.Entries), s.Info, st); err != nil {
		return err
	}
	about := sheetName(tr.T("report.about"))
	rows, err := f.GetRows(about)
	if err != nil {
		return err
	}
	extra := s.facts(tr)[1:] // the organisation is already there
	extra = extra[:len(extra)-1]
	if s.Info.Version != "" {
		extra = extra[:len(extra)-1]
	}
	for i, kv := range extra {
		r := len(rows) + i + 1
		a, b := fmt.Sprintf("A%d", r), fmt.Sprintf("B%d", r)
		if err := f.SetCellValue(about, a, kv[0]); err != nil {
			return err
		}
		if err := f.SetCellStyle(about, a, a, st.label); err != nil {
			return err
		}
		if err := f.SetCellValue(about, b, kv[1]); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// SoADocument lays the SoA out as a document (title page, summary, one
// table per theme) for WriteDOCX and WritePDF.
func SoADocument(s SoA) Document {
	tr := translator(s.Org)
	d := Document{
		Title: tr.T("report.soa"), Subtitle: s.Org.Name, Facts: s.facts(tr), Landscape: true,
		Footer:    s.Org.Name + " · " + tr.T("report.soa") + " · " + s.versionText(tr),
		PageLabel: tr.T("report.page"), OfLabel: tr.T("report.page_of"), Author: s.ApproverName, Created: s.Info.ExportedAt,
	}
	d.Blocks = append(d.Blocks, Paragraph{Text: tr.T("report.soa.intro"), Muted: true})
	header := []string{tr.T("soa.col.ref"), tr.T("control.title"), tr.T("soa.col.included"), tr.T("soa.col.justification"),
		tr.T("control.status"), tr.T("control.owner"), tr.T("soa.col.evidence")}
	widths := []int{8, 22, 8, 34, 12, 12, 20}
	var themes []string
	byTheme := map[string][][]string{}
	for _, e := range s.Entries {
		if _, ok := byTheme[e.Theme]; !ok {
			themes = append(themes, e.Theme)
		}
		byTheme[e.Theme] = append(byTheme[e.Theme], []string{e.Ref, e.Title, DecisionLabel(tr, e.Decision), Justification(tr, e),
			StatusLabel(tr, e.Status), e.Owner, evidenceList(e.Evidence)})
	}
	for _, th := range themes {
		d.Blocks = append(d.Blocks, Heading{Level: 1, Text: tr.T("theme." + th)}, Table{Header: header, Rows: byTheme[th], Widths: widths})
	}
	return d
}

func translator(o isms.Organisation) i18n.Translator {
	return i18n.Translator{Lang: i18n.English, FormatTime: o.FormatDateTime}
}
