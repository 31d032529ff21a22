package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// levelLabel names a rated level under the criteria version it was made in.
func levelLabel(crit map[string]isms.RiskCriteria, criteriaID, key string) string {
	if l, ok := crit[criteriaID].LevelByKey(key); ok {
		return l.Label
	}
	return key
}

// scaleLabel shows a scale value as "3 · Possible".
func scaleLabel(s []isms.ScaleLevel, v int) any {
	if v < 1 {
		return nil
	}
	if v <= len(s) {
		return strconv.Itoa(v) + " · " + s[v-1].Label
	}
	return v
}

func options(opts []isms.TreatmentOption) string {
	var out []string
	for _, o := range opts {
		out = append(out, tr.T("treatment."+string(o)))
	}
	return strings.Join(out, ", ")
}

func ciaText(s string) string {
	var out []string
	for _, l := range s {
		out = append(out, tr.T("web.risks.cia."+string(l)))
	}
	return strings.Join(out, ", ")
}

func acceptanceText(r isms.Risk, today string) string {
	switch r.Acceptance(today) {
	case isms.AcceptanceValid:
		if r.AcceptConcession {
			return tr.T("web.risks.acceptance.concession")
		}
		return tr.T("web.risks.acceptance.valid")
	case isms.AcceptanceExpired:
		return tr.T("web.risks.acceptance.expired")
	}
	return tr.T("web.risks.acceptance.none")
}

// riskCell is what a register column reads a risk's cell from.
type riskCell struct {
	crit  map[string]isms.RiskCriteria
	refs  isms.RiskExportRefs
	today string
}

func (c riskCell) of(r isms.Risk) isms.RiskCriteria { return c.crit[r.CriteriaID] }

// RiskColumn is one column of the risk register's spreadsheet. The same
// columns are exported and read back by ParseRisks, so an export can be
// edited and imported again; columns with Import false are shown for
// people to read (levels, status, acceptance) and ignored on import,
// because Holdfast works them out.
type RiskColumn struct {
	// Key is the column's import name, e.g. "inherent_likelihood".
	Key string
	// Label is the catalogue key of its header text.
	Label string
	// Hint is the catalogue key of what the Guide sheet says about it.
	Hint   string
	Import bool
	Width  float64
	value  func(isms.Risk, riskCell) any
}

func noZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// RiskColumns lists the risk register spreadsheet's columns in order.
var RiskColumns = []RiskColumn{
	{"ref", "field.ref", "report.risks.hint.ref", true, 9, func(r isms.Risk, _ riskCell) any { return r.Ref }},
	{"version", "report.risks.version", "report.risks.hint.version", true, 8, func(r isms.Risk, _ riskCell) any { return noZero(r.Version) }},
	{"title", "risk.title", "report.risks.hint.title", true, 36, func(r isms.Risk, _ riskCell) any { return r.Title }},
	{"kind", "risk.kind", "report.risks.hint.kind", true, 16, func(r isms.Risk, _ riskCell) any { return optLabel("risk_kind.", string(r.Kind)) }},
	{"description", "risk.description", "report.risks.hint.text", true, 40, func(r isms.Risk, _ riskCell) any { return r.Description }},
	{"causes", "risk.causes", "report.risks.hint.text", true, 30, func(r isms.Risk, _ riskCell) any { return r.Causes }},
	{"impacts", "risk.impacts", "report.risks.hint.text", true, 30, func(r isms.Risk, _ riskCell) any { return r.Impacts }},
	{"category", "risk.category", "report.risks.hint.category", true, 16, func(r isms.Risk, _ riskCell) any { return r.Category }},
	{"owner", "report.risks.owner", "report.risks.hint.owner", true, 26, func(r isms.Risk, c riskCell) any { return c.refs.OwnerEmail[r.OwnerID] }},
	{"owner_name", "report.risks.owner_name", "report.risks.hint.read_only", false, 22, func(r isms.Risk, _ riskCell) any { return r.OwnerName }},
	{"cia", "risk.cia", "report.risks.hint.cia", true, 18, func(r isms.Risk, _ riskCell) any { return ciaText(r.CIA) }},
	{"existing_controls", "risk.existing_controls", "report.risks.hint.text", true, 30, func(r isms.Risk, _ riskCell) any { return r.ExistingControls }},
	{"criteria_version", "risk.criteria_version", "report.risks.hint.read_only", false, 10, func(r isms.Risk, _ riskCell) any { return noZero(r.CriteriaNumber) }},
	{"inherent_likelihood", "risk.inherent_likelihood", "report.risks.hint.scale", true, 18, func(r isms.Risk, c riskCell) any { return scaleLabel(c.of(r).Likelihood, r.Inherent.Likelihood) }},
	{"inherent_consequence", "risk.inherent_consequence", "report.risks.hint.scale", true, 18, func(r isms.Risk, c riskCell) any { return scaleLabel(c.of(r).Consequence, r.Inherent.Consequence) }},
	{"inherent_level", "risk.inherent_level", "report.risks.hint.read_only", false, 12, func(r isms.Risk, c riskCell) any { return levelLabel(c.crit, r.CriteriaID, r.Inherent.Level) }},
	{"evaluation", "web.risks.evaluation", "report.risks.hint.read_only", false, 20, func(r isms.Risk, c riskCell) any {
		if !r.Inherent.Rated() {
			return nil
		}
		if c.of(r).Acceptable(r.Inherent.Level, r.Category) {
			return tr.T("web.risks.within_criteria")
		}
		return tr.T("web.risks.needs_treatment")
	}},
	{"treatment", "risk.treatment", "report.risks.hint.treatment", true, 22, func(r isms.Risk, _ riskCell) any { return options(r.Treatment) }},
	{"treatment_notes", "risk.treatment_notes", "report.risks.hint.text", true, 30, func(r isms.Risk, _ riskCell) any { return r.TreatmentNotes }},
	{"controls", "report.risks.controls", "report.risks.hint.controls", true, 24, func(r isms.Risk, c riskCell) any { return strings.Join(c.refs.Controls[r.ID], ", ") }},
	{"assets", "report.risks.assets", "report.risks.hint.assets", true, 20, func(r isms.Risk, c riskCell) any { return strings.Join(c.refs.Assets[r.ID], ", ") }},
	{"residual_likelihood", "risk.residual_likelihood", "report.risks.hint.scale", true, 18, func(r isms.Risk, c riskCell) any { return scaleLabel(c.of(r).Likelihood, r.Residual.Likelihood) }},
	{"residual_consequence", "risk.residual_consequence", "report.risks.hint.scale", true, 18, func(r isms.Risk, c riskCell) any { return scaleLabel(c.of(r).Consequence, r.Residual.Consequence) }},
	{"residual_level", "risk.residual_level", "report.risks.hint.read_only", false, 12, func(r isms.Risk, c riskCell) any { return levelLabel(c.crit, r.CriteriaID, r.Residual.Level) }},
	{"current_level", "web.risks.current_level", "report.risks.hint.read_only", false, 12, func(r isms.Risk, c riskCell) any {
		return levelLabel(c.crit, r.CriteriaID, r.CurrentResidual().Level)
	}},
	{"priority", "risk.priority", "report.risks.hint.priority", true, 9, func(r isms.Risk, _ riskCell) any { return noZero(r.Priority) }},
	{"status", "risk.status", "report.risks.hint.read_only", false, 14, func(r isms.Risk, _ riskCell) any { return tr.T("risk_status." + string(r.Status)) }},
	{"acceptance", "web.risks.acceptance", "report.risks.hint.read_only", false, 18, func(r isms.Risk, c riskCell) any { return acceptanceText(r, c.today) }},
	{"accepted_until", "risk.accepted_until", "report.risks.hint.read_only", false, 14, func(r isms.Risk, _ riskCell) any { return Date(r.AcceptedUntil) }},
	{"next_review", "risk.next_review", "report.risks.hint.date", true, 14, func(r isms.Risk, _ riskCell) any { return Date(r.NextReview) }},
	{"updated_at", "report.updated_at", "report.risks.hint.read_only", false, 18, func(r isms.Risk, _ riskCell) any { return r.UpdatedAt }},
}

func riskColumns(c riskCell) []Column[isms.Risk] {
	out := make([]Column[isms.Risk], len(RiskColumns))
	for i, col := range RiskColumns {
		v := col.value
		out[i] = Column[isms.Risk]{Label: col.Label, Width: col.Width, Value: func(r isms.Risk) any { return v(r, c) }}
	}
	return out
}

// RisksXLSX writes the risk register as a workbook: one row per risk in
// the order given, in the columns ParseRisks reads back (RiskColumns),
// levels named under the criteria version each risk was rated in (crit
// maps criteria ids to versions); then a Guide sheet documenting every
// column and an About sheet. refs supplies the owners' email addresses and
// the linked controls and assets.
func RisksXLSX(w io.Writer, org isms.Organisation, risks []isms.Risk, crit map[string]isms.RiskCriteria, refs isms.RiskExportRefs, info Info) error {
	if info.ExportedAt.IsZero() {
		info.ExportedAt = time.Now()
	}
	s := Sheet[isms.Risk]{Name: "report.risks", Columns: riskColumns(riskCell{crit: crit, refs: refs, today: exportDay(org, info)}), Rows: risks}
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
	if err := writeRiskGuide(f, st); err != nil {
		return err
	}
	if err := writeAbout(f, org, tr.T(s.Name), len(s.Rows), info, st); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// writeRiskGuide adds the sheet that documents the header row: each
// column's heading, its import name, whether the import reads it and what
// it holds, then the accepted values.
func writeRiskGuide(f *excelize.File, st styles) error {
	guide := sheetName(tr.T("report.risks.guide"))
	if _, err := f.NewSheet(guide); err != nil {
		return err
	}
	rows := [][]any{{tr.T("report.assets.guide.column"), tr.T("report.assets.guide.name"), tr.T("report.risks.guide.imported"), tr.T("report.assets.guide.meaning")}}
	for _, c := range RiskColumns {
		imp := tr.T("report.risks.guide.yes")
		if !c.Import {
			imp = tr.T("report.risks.guide.no")
		}
		rows = append(rows, []any{tr.T(c.Label), c.Key, imp, tr.T(c.Hint)})
	}
	rows = append(rows, []any{}, []any{tr.T("report.assets.guide.values")})
	for _, v := range isms.RiskKinds {
		rows = append(rows, []any{tr.T("risk.kind"), tr.T("risk_kind." + string(v)), string(v)})
	}
	for _, v := range isms.TreatmentOptions {
		rows = append(rows, []any{tr.T("risk.treatment"), tr.T("treatment." + string(v)), string(v)})
	}
	for _, l := range "CIA" {
		rows = append(rows, []any{tr.T("risk.cia"), tr.T("web.risks.cia." + string(l)), string(l)})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(guide, cell, &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(guide, "A1", "D1", st.header); err != nil {
		return err
	}
	if err := f.SetColWidth(guide, "A", "C", 24); err != nil {
		return err
	}
	return f.SetColWidth(guide, "D", "D", 90)
}

// planRow is one line of the treatment plan sheet: a risk with one of its
// actions (or none).
type planRow struct {
	Entry  isms.PlanEntry
	Action *isms.Action
	Today  string
}

func controlsText(ls []isms.Link) string {
	var out []string
	for _, l := range ls {
		s := strings.TrimSpace(l.OtherRef + " " + l.OtherTitle)
		if s == "" {
			s = l.ToID
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// TreatmentPlanXLSX writes the risk treatment plan: one row per treatment
// action, with its risk's options, planned controls, expected and current
// residual level and the owner's approval (a risk without actions gets one
// row).
func TreatmentPlanXLSX(w io.Writer, org isms.Organisation, plan []isms.PlanEntry, crit map[string]isms.RiskCriteria, info Info) error {
	today := exportDay(org, info)
	var rows []planRow
	for _, e := range plan {
		if len(e.Actions) == 0 {
			rows = append(rows, planRow{Entry: e, Today: today})
		}
		for i := range e.Actions {
			rows = append(rows, planRow{Entry: e, Action: &e.Actions[i], Today: today})
		}
	}
	act := func(p planRow, f func(*isms.Action) any) any {
		if p.Action == nil {
			return nil
		}
		return f(p.Action)
	}
	cols := []Column[planRow]{
		{Label: "field.ref", Width: 9, Value: func(p planRow) any { return p.Entry.Risk.Ref }},
		{Label: "risk.title", Width: 34, Value: func(p planRow) any { return p.Entry.Risk.Title }},
		{Label: "risk.owner", Width: 22, Value: func(p planRow) any { return p.Entry.Risk.OwnerName }},
		{Label: "risk.inherent_level", Width: 12, Value: func(p planRow) any {
			return levelLabel(crit, p.Entry.Risk.CriteriaID, p.Entry.Risk.Inherent.Level)
		}},
		{Label: "risk.treatment", Width: 22, Value: func(p planRow) any { return options(p.Entry.Risk.Treatment) }},
		{Label: "web.risks.planned_controls", Width: 30, Value: func(p planRow) any { return controlsText(p.Entry.Controls) }},
		{Label: "action.title", Width: 34, Value: func(p planRow) any { return act(p, func(x *isms.Action) any { return x.Title }) }},
		{Label: "action.responsible", Width: 22, Value: func(p planRow) any { return act(p, func(x *isms.Action) any { return x.ResponsibleName }) }},
		{Label: "action.due_date", Width: 14, Value: func(p planRow) any { return act(p, func(x *isms.Action) any { return Date(x.DueDate) }) }},
		{Label: "action.status", Width: 14, Value: func(p planRow) any {
			return act(p, func(x *isms.Action) any {
				s := tr.T("action_status." + string(x.Status))
				if x.Overdue(p.Today) {
					s += " (" + tr.T("web.risks.overdue") + ")"
				}
				return s
			})
		}},
		{Label: "risk.residual_level", Width: 14, Value: func(p planRow) any {
			return levelLabel(crit, p.Entry.Risk.CriteriaID, p.Entry.Risk.Residual.Level)
		}},
		{Label: "web.risks.current_level", Width: 14, Value: func(p planRow) any {
			return levelLabel(crit, p.Entry.Risk.CriteriaID, p.Entry.Risk.CurrentResidual().Level)
		}},
		{Label: "risk.status", Width: 14, Value: func(p planRow) any { return tr.T("risk_status." + string(p.Entry.Risk.Status)) }},
		{Label: "risk.plan_approved_at", Width: 18, Value: func(p planRow) any {
			if t, err := isms.ParseTime(p.Entry.Risk.PlanApprovedAt); err == nil {
				return t
			}
			return nil
		}},
		{Label: "web.risks.acceptance", Width: 18, Value: func(p planRow) any { return acceptanceText(p.Entry.Risk, p.Today) }},
	}
	return writeWorkbook(w, org, Sheet[planRow]{Name: "report.risk_plan", Columns: cols, Rows: rows}, info)
}

func exportDay(org isms.Organisation, info Info) string {
	t := info.ExportedAt
	if t.IsZero() {
		t = time.Now()
	}
	return t.In(org.Location()).Format(isms.DateLayout)
}
