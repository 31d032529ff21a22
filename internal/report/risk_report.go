package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// RiskAssessment is what the risk assessment report is made of (clauses
// 6.1.2, 6.1.3, 8.2 and 8.3): the criteria in force, the organisation's
// active risks in priority order, the heat-map counts and the treatment
// plan.
type RiskAssessment struct {
	Org isms.Organisation
	// Criteria is the approved version in force; HasCriteria is false
	// when none is approved yet.
	Criteria    isms.RiskCriteria
	HasCriteria bool
	// Versions maps every criteria version's id to it, for naming the
	// levels of risks rated under older versions.
	Versions map[string]isms.RiskCriteria
	Risks    []isms.Risk
	HeatMaps isms.RiskHeatMaps
	Plan     []isms.PlanEntry
	Info     Info
}

func (ra RiskAssessment) level(r isms.Risk, key string) string {
	if key == "" {
		return tr.T("report.risk_report.not_rated")
	}
	return levelLabel(ra.Versions, r.CriteriaID, key)
}

func (ra RiskAssessment) date(d string) string {
	if d == "" {
		return ""
	}
	t, err := time.Parse(isms.DateLayout, d)
	if err != nil {
		return d
	}
	layout := ra.Org.DateFormat
	if layout == "" {
		layout = "2 Jan 2006"
	}
	return t.Format(layout)
}

// RiskAssessmentDocument lays the risk assessment report out for
// WriteDOCX and WritePDF: a title page; the method (approach, who approved
// the criteria and when); the criteria (scales with their descriptions,
// the matrix, acceptance); the results (counts by level, heat-map
// counts); the prioritised risk list; and the treatment plan (options,
// controls, actions with owners and dates, status, residual level and the
// owner's approval).
func RiskAssessmentDocument(ra RiskAssessment) Document {
	if ra.Info.ExportedAt.IsZero() {
		ra.Info.ExportedAt = time.Now()
	}
	if ra.Versions == nil {
		ra.Versions = map[string]isms.RiskCriteria{}
	}
	if ra.HasCriteria {
		if _, ok := ra.Versions[ra.Criteria.ID]; !ok {
			ra.Versions[ra.Criteria.ID] = ra.Criteria
		}
	}
	title := tr.T("report.risk_report")
	facts := [][2]string{{tr.T("report.about.organisation"), ra.Org.Name}}
	if ra.HasCriteria {
		facts = append(facts, [2]string{tr.T("report.risk_report.criteria_version"), tr.T("report.soa.version_n", ra.Criteria.Number)})
	}
	facts = append(facts, [2]string{tr.T("report.risk_report.risk_count"), strconv.Itoa(len(ra.Risks))},
		[2]string{tr.T("report.about.exported_at"), ra.Org.FormatDateTime(ra.Info.ExportedAt)})
	if ra.Info.Version != "" {
		facts = append(facts, [2]string{tr.T("report.about.version"), ra.Info.Version})
	}
	d := Document{Title: title, Subtitle: ra.Org.Name, Facts: facts, Landscape: true,
		Footer:    ra.Org.Name + " · " + title,
		PageLabel: tr.T("report.page"), OfLabel: tr.T("report.page_of"), Author: ra.Org.Name, Created: ra.Info.ExportedAt}
	add := func(b ...Block) { d.Blocks = append(d.Blocks, b...) }

	// 1. Method.
	add(Heading{Level: 1, Text: tr.T("report.risk_report.method")})
	if !ra.HasCriteria {
		add(Paragraph{Text: tr.T("report.risk_report.no_criteria")})
	} else {
		c := ra.Criteria
		add(Paragraph{Text: tr.T("report.risk_report.method_text")})
		approved := ""
		if c.ApprovedAt != nil {
			approved = ra.Org.FormatDateTime(*c.ApprovedAt)
		}
		rows := [][]string{
			{tr.T("criteria.name"), c.Name},
			{tr.T("criteria.number"), strconv.Itoa(c.Number)},
			{tr.T("criteria.approach"), tr.T("approach." + string(c.Approach))},
			{tr.T("criteria.approved_by"), c.ApprovedByName},
			{tr.T("criteria.approved_at"), approved},
		}
		if c.Currency != "" {
			rows = append(rows, []string{tr.T("criteria.currency"), c.Currency})
		}
		if c.Notes != "" {
			rows = append(rows, []string{tr.T("criteria.notes"), c.Notes})
		}
		add(Table{Header: []string{tr.T("report.risk_report.item"), tr.T("report.risk_report.value")}, Rows: rows, Widths: []int{1, 3}})

		// 2. Criteria.
		add(Heading{Level: 1, Text: tr.T("report.risk_report.criteria")})
		scale := func(head string, s []isms.ScaleLevel) {
			var rows [][]string
			for _, l := range s {
				rows = append(rows, []string{strconv.Itoa(l.Value), l.Label, l.Description})
			}
			add(Heading{Level: 2, Text: head},
				Table{Header: []string{tr.T("report.risk_report.value"), tr.T("report.risk_report.label"), tr.T("report.risk_report.description")}, Rows: rows, Widths: []int{1, 3, 10}})
		}
		scale(tr.T("criteria.likelihood"), c.Likelihood)
		scale(tr.T("criteria.consequence"), c.Consequence)
		if len(c.Dimensions) > 0 {
			header := []string{tr.T("report.risk_report.dimension")}
			for _, l := range c.Consequence {
				header = append(header, strconv.Itoa(l.Value)+" · "+l.Label)
			}
			var rows [][]string
			for _, dm := range c.Dimensions {
				rows = append(rows, append([]string{dm.Label}, dm.Descriptions...))
			}
			add(Heading{Level: 2, Text: tr.T("criteria.dimensions")}, Table{Header: header, Rows: rows})
		}
		var lrows [][]string
		for _, l := range c.Levels {
			lrows = append(lrows, []string{strconv.Itoa(l.Rank), l.Label})
		}
		add(Heading{Level: 2, Text: tr.T("criteria.levels")},
			Table{Header: []string{tr.T("report.risk_report.rank"), tr.T("report.risk_report.label")}, Rows: lrows, Widths: []int{1, 6}})
		add(Heading{Level: 2, Text: tr.T("criteria.matrix")}, Paragraph{Text: tr.T("report.risk_report.matrix_text"), Muted: true},
			matrixTable(c, func(l, v int) string {
				lv, err := c.LevelAt("x", l, v)
				if err != nil {
					return ""
				}
				return lv.Label
			}))
		add(Heading{Level: 2, Text: tr.T("report.risk_report.acceptance")})
		add(Paragraph{Text: tr.T("report.risk_report.accept_text", c.AcceptLevelFor("").Label)})
		if len(c.CategoryAcceptance) > 0 {
			add(Paragraph{Text: tr.T("report.risk_report.accept_categories")})
			var rows [][]string
			for _, r := range c.CategoryAcceptance {
				l, _ := c.LevelByKey(r.Level)
				rows = append(rows, []string{r.Category, l.Label})
			}
			add(Table{Header: []string{tr.T("risk.category"), tr.T("criteria.accept_level")}, Rows: rows, Widths: []int{1, 1}})
		}
	}

	// 3. Results.
	add(Heading{Level: 1, Text: tr.T("report.risk_report.results")})
	add(Paragraph{Text: tr.T("report.risk_report.results_text", len(ra.Risks))})
	if ra.HasCriteria {
		c := ra.Criteria
		count := func(g [][]int) map[string]int {
			out := map[string]int{}
			for i := range g {
				for j, n := range g[i] {
					if i < len(c.Matrix) && j < len(c.Matrix[i]) {
						out[c.Matrix[i][j]] += n
					}
				}
			}
			return out
		}
		in, res, cur := count(ra.HeatMaps.Inherent), count(ra.HeatMaps.Residual), count(ra.HeatMaps.Current)
		var rows [][]string
		for i := len(c.Levels) - 1; i >= 0; i-- {
			l := c.Levels[i]
			rows = append(rows, []string{l.Label, strconv.Itoa(in[l.Key]), strconv.Itoa(cur[l.Key]), strconv.Itoa(res[l.Key])})
		}
		add(Heading{Level: 2, Text: tr.T("report.risk_report.by_level")},
			Table{Header: []string{tr.T("report.risk_report.level"), tr.T("report.risk_report.inherent"), tr.T("report.risk_report.current"), tr.T("report.risk_report.residual")}, Rows: rows, Widths: []int{2, 1, 1, 1}})
		if ra.HeatMaps.Unrated > 0 || ra.HeatMaps.Older > 0 {
			add(Paragraph{Text: tr.T("report.risk_report.not_counted", ra.HeatMaps.Unrated, ra.HeatMaps.Older), Muted: true})
		}
		cellCount := func(g [][]int) func(l, v int) string {
			return func(l, v int) string {
				if l-1 < len(g) && v-1 < len(g[l-1]) {
					return strconv.Itoa(g[l-1][v-1])
				}
				return "0"
			}
		}
		add(Heading{Level: 2, Text: tr.T("report.risk_report.heatmap_inherent")}, matrixTable(c, cellCount(ra.HeatMaps.Inherent)))
		add(Heading{Level: 2, Text: tr.T("report.risk_report.heatmap_residual")}, matrixTable(c, cellCount(ra.HeatMaps.Residual)))
	}

	// 4. Prioritised risk list.
	add(Heading{Level: 1, Text: tr.T("report.risk_report.risks")})
	if len(ra.Risks) == 0 {
		add(Paragraph{Text: tr.T("report.risk_report.no_risks")})
	} else {
		var rows [][]string
		for i, r := range ra.Risks {
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Ref, r.Title, r.OwnerName, ra.rating(r, r.Inherent), options(r.Treatment),
				ra.rating(r, r.Residual), tr.T("risk_status." + string(r.Status))})
		}
		add(Table{Header: []string{"#", tr.T("field.ref"), tr.T("risk.title"), tr.T("risk.owner"), tr.T("report.risk_report.inherent"),
			tr.T("risk.treatment"), tr.T("report.risk_report.residual"), tr.T("risk.status")}, Rows: rows, Widths: []int{1, 2, 8, 4, 4, 4, 4, 3}})
	}

	// 5. Treatment plan.
	add(Heading{Level: 1, Text: tr.T("report.risk_report.plan")})
	if len(ra.Plan) == 0 {
		add(Paragraph{Text: tr.T("report.risk_report.no_plan")})
	}
	today := exportDay(ra.Org, ra.Info)
	for _, e := range ra.Plan {
		r := e.Risk
		add(Heading{Level: 2, Text: strings.TrimSpace(r.Ref + " " + r.Title)})
		approval := tr.T("report.risk_report.not_approved")
		if t, err := isms.ParseTime(r.PlanApprovedAt); err == nil {
			approval = tr.T("report.risk_report.approved_on", ra.Org.FormatDateTime(t))
		}
		rows := [][]string{
			{tr.T("risk.owner"), r.OwnerName},
			{tr.T("risk.treatment"), options(r.Treatment)},
			{tr.T("web.risks.planned_controls"), controlsText(e.Controls)},
			{tr.T("report.risk_report.inherent"), ra.rating(r, r.Inherent)},
			{tr.T("report.risk_report.residual"), ra.rating(r, r.Residual)},
			{tr.T("web.risks.current_level"), ra.level(r, r.CurrentResidual().Level)},
			{tr.T("risk.status"), tr.T("risk_status." + string(r.Status))},
			{tr.T("risk.plan_approved_at"), approval},
			{tr.T("web.risks.acceptance"), acceptanceText(r, today) + ra.until(r)},
		}
		if r.TreatmentNotes != "" {
			rows = append(rows, []string{tr.T("risk.treatment_notes"), r.TreatmentNotes})
		}
		add(Table{Header: []string{tr.T("report.risk_report.item"), tr.T("report.risk_report.value")}, Rows: rows, Widths: []int{1, 3}})
		if len(e.Actions) > 0 {
			var arows [][]string
			for _, x := range e.Actions {
				st := tr.T("action_status." + string(x.Status))
				if x.Overdue(today) {
					st += " (" + tr.T("web.risks.overdue") + ")"
				}
				arows = append(arows, []string{x.Ref, x.Title, x.ResponsibleName, ra.date(x.DueDate), st})
			}
			add(Table{Header: []string{tr.T("field.ref"), tr.T("action.title"), tr.T("action.responsible"), tr.T("action.due_date"), tr.T("action.status")},
				Rows: arows, Widths: []int{2, 8, 4, 3, 3}})
		}
	}
	return d
}

func (ra RiskAssessment) until(r isms.Risk) string {
	if r.AcceptedUntil == "" {
		return ""
	}
	return " · " + tr.T("report.risk_report.until", ra.date(r.AcceptedUntil))
}

// rating shows a rating as "High (4 × 3)".
func (ra RiskAssessment) rating(r isms.Risk, x isms.Rating) string {
	if !x.Rated() {
		return tr.T("report.risk_report.not_rated")
	}
	return fmt.Sprintf("%s (%d × %d)", ra.level(r, x.Level), x.Likelihood, x.Consequence)
}

// matrixTable lays the criteria's matrix out with the highest likelihood
// on top and consequence growing to the right, each cell filled by cell.
func matrixTable(c isms.RiskCriteria, cell func(l, v int) string) Table {
	header := []string{tr.T("report.risk_report.likelihood_consequence")}
	for _, v := range c.Consequence {
		header = append(header, strconv.Itoa(v.Value)+" · "+v.Label)
	}
	var rows [][]string
	for i := len(c.Likelihood) - 1; i >= 0; i-- {
		l := c.Likelihood[i]
		row := []string{strconv.Itoa(l.Value) + " · " + l.Label}
		for _, v := range c.Consequence {
			row = append(row, cell(l.Value, v.Value))
		}
		rows = append(rows, row)
	}
	widths := []int{2}
	for range c.Consequence {
		widths = append(widths, 1)
	}
	return Table{Header: header, Rows: rows, Widths: widths}
}

// RiskAssessmentSource is what LoadRiskAssessment reads from (the store).
type RiskAssessmentSource interface {
	CriteriaVersions(ctx context.Context, a isms.Actor) ([]isms.RiskCriteria, error)
	ActiveRisks(ctx context.Context, a isms.Actor) ([]isms.Risk, error)
	RiskHeatMaps(ctx context.Context, a isms.Actor) (isms.RiskHeatMaps, bool, error)
	RiskTreatmentPlan(ctx context.Context, a isms.Actor) ([]isms.PlanEntry, error)
}

// LoadRiskAssessment gathers the risk assessment report of the actor's
// organisation org. Every role that reads registers may.
func LoadRiskAssessment(ctx context.Context, src RiskAssessmentSource, a isms.Actor, org isms.Organisation, info Info) (RiskAssessment, error) {
	ra := RiskAssessment{Org: org, Info: info}
	vs, err := src.CriteriaVersions(ctx, a)
	if err != nil {
		return ra, err
	}
	cs := isms.NewCriteriaSet(vs)
	ra.Versions, ra.Criteria, ra.HasCriteria = cs.ByID, cs.Current, cs.Has
	if ra.Risks, err = src.ActiveRisks(ctx, a); err != nil {
		return ra, err
	}
	if ra.HeatMaps, _, err = src.RiskHeatMaps(ctx, a); err != nil {
		return ra, err
	}
	ra.Plan, err = src.RiskTreatmentPlan(ctx, a)
	return ra, err
}
