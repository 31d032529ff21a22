package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// criteriaPage shows the risk criteria: the version in force (or another
// one asked for with ?v=), the draft, every version, and what to do next.
type criteriaPage struct {
	Viewing    isms.RiskCriteria
	HasViewing bool
	Current    isms.RiskCriteria
	HasCurrent bool
	Draft      isms.RiskCriteria
	HasDraft   bool
	Versions   []isms.RiskCriteria
	Matrix     []matrixView
	AcceptLv   levelView
	Categories []categoryView
	Levels     []levelView
	LikRows    []scaleRowView
	ConRows    []scaleRowView
	Mapping    []mappingView
	CanEdit    bool
	CanApprove bool
	Presets    []presetView
	RerateN    int
	Notice     string
}

type matrixView struct {
	Label string
	Cells []levelView
}

type categoryView struct {
	Category string
	Level    levelView
}

type mappingView struct{ From, To levelView }

// scaleRowView is one level of a scale as shown: its figures as text.
type scaleRowView struct {
	Value              int
	Label, Description string
	Figure             string
}

type presetView struct {
	Name, Label, Hint string
	Suggested         bool
}

func matrixOf(c isms.RiskCriteria) []matrixView {
	var out []matrixView
	for l := len(c.Likelihood); l >= 1; l-- {
		row := matrixView{Label: c.Likelihood[l-1].Label}
		for v := 1; v <= len(c.Consequence); v++ {
			row.Cells = append(row.Cells, levelOf(c, matrixKey(c, l, v)))
		}
		out = append(out, row)
	}
	return out
}

func (a *app) criteriaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showCriteria(w, r, c, http.StatusOK, "")
}

func (a *app) showCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &criteriaPage{Current: cs.Current, HasCurrent: cs.Has, CanEdit: c.Actor.Can(isms.PermWriteRegisters),
		CanApprove: c.Actor.Can(isms.PermManageOrg), Notice: notice}
	d.Versions = cs.Versions
	for _, v := range d.Versions {
		if v.Status == isms.CriteriaDraft && !v.Archived() {
			d.Draft, d.HasDraft = v, true
		}
	}
	switch id := r.URL.Query().Get("v"); {
	case id != "":
		v, ok := cs.ByID[id]
		if !ok {
			return isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		d.Viewing, d.HasViewing = v, true
	case cs.Has:
		d.Viewing, d.HasViewing = cs.Current, true
	case d.HasDraft:
		d.Viewing, d.HasViewing = d.Draft, true
	}
	if d.HasViewing {
		v := d.Viewing
		d.Matrix = matrixOf(v)
		d.AcceptLv = levelOf(v, v.AcceptLevel)
		for _, cr := range v.CategoryAcceptance {
			d.Categories = append(d.Categories, categoryView{cr.Category, levelOf(v, cr.Level)})
		}
		for i := len(v.Levels) - 1; i >= 0; i-- {
			d.Levels = append(d.Levels, levelOf(v, v.Levels[i].Key))
		}
		for _, l := range v.Likelihood {
			row := scaleRowView{Value: l.Value, Label: l.Label, Description: l.Description}
			if l.Frequency != nil {
				row.Figure = tr.T("web.criteria.per_year", numText(l.Frequency))
			}
			d.LikRows = append(d.LikRows, row)
		}
		for _, l := range v.Consequence {
			row := scaleRowView{Value: l.Value, Label: l.Label, Description: l.Description}
			switch {
			case l.MoneyMin != nil && l.MoneyMax != nil:
				row.Figure = tr.T("web.criteria.money_range", money(*l.MoneyMin), money(*l.MoneyMax), v.Currency)
			case l.MoneyMin != nil:
				row.Figure = tr.T("web.criteria.money_from", money(*l.MoneyMin), v.Currency)
			case l.MoneyMax != nil:
				row.Figure = tr.T("web.criteria.money_to", money(*l.MoneyMax), v.Currency)
			}
			d.ConRows = append(d.ConRows, row)
		}
		if v.Status == isms.CriteriaDraft && cs.Has {
			for _, m := range isms.SuggestLevelMapping(cs.Current, v) {
				d.Mapping = append(d.Mapping, mappingView{levelOf(cs.Current, m.From.Key), levelOf(v, m.To.Key)})
			}
		}
	}
	suggested := isms.SuggestedPreset(c.Org.SizeBand)
	for _, p := range isms.Presets {
		d.Presets = append(d.Presets, presetView{Name: p, Label: tr.T("web.criteria.preset." + p), Hint: tr.T("web.criteria.preset." + p + ".hint"), Suggested: p == suggested})
	}
	if cs.Has {
		_, items, _, _, err := a.DB.RerateWorklist(ctx, c.Actor)
		if err != nil {
			return err
		}
		d.RerateN = len(items)
	}
	v := a.view(c, tr.T("web.criteria.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, status, "risk_criteria", v)
}

// startCriteria creates a draft from a preset.
func (a *app) startCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	if _, err := a.DB.StartCriteria(r.Context(), c.Actor, r.PostForm.Get("preset")); err != nil {
		if k := isms.ErrorKind(err); k == isms.KindInvalid || k == isms.KindConflict {
			return a.showCriteria(w, r, c, criteriaStatus(k), tr.Error(err))
		}
		return err
	}
	a.flash(r, tr.T("web.criteria.started"))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria/edit"))
}

func criteriaStatus(k isms.Kind) int {
	if k == isms.KindConflict {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// reviseCriteria starts a new draft version from the approved one.
func (a *app) reviseCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	if _, err := a.DB.ReviseCriteria(r.Context(), c.Actor); err != nil {
		if k := isms.ErrorKind(err); k == isms.KindInvalid || k == isms.KindConflict {
			return a.showCriteria(w, r, c, criteriaStatus(k), tr.Error(err))
		}
		return err
	}
	a.flash(r, tr.T("web.criteria.revised"))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria/edit"))
}

// approveCriteria puts the draft in force (owners only).
func (a *app) approveCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermManageOrg); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r)
	base, err := f.version()
	if err != nil {
		return err
	}
	v, err := a.DB.ApproveCriteria(r.Context(), c.Actor, f.Value("id"), base)
	if err != nil {
		if k := isms.ErrorKind(err); k == isms.KindInvalid || k == isms.KindConflict || k == isms.KindNotFound {
			msg := tr.Error(err)
			if e := isms.AsError(err); len(e.Fields) > 0 {
				msg = tr.T("web.criteria.approve_invalid")
			}
			return a.showCriteria(w, r, c, criteriaStatus(k), msg)
		}
		return err
	}
	a.flash(r, tr.T("web.criteria.approved", v.Number))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria"))
}

// discardCriteria archives the draft.
func (a *app) discardCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r)
	base, err := f.version()
	if err != nil {
		return err
	}
	if err := a.DB.DiscardCriteriaDraft(r.Context(), c.Actor, f.Value("id"), base); err != nil {
		if k := isms.ErrorKind(err); k == isms.KindConflict || k == isms.KindNotFound {
			return a.showCriteria(w, r, c, criteriaStatus(k), tr.Error(err))
		}
		return err
	}
	a.flash(r, tr.T("web.criteria.discarded"))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria"))
}

// criteriaForm is the draft editor: scales, dimensions, levels, the
// matrix as a grid of selects and the acceptance criteria.
type criteriaForm struct {
	Form        *form
	Draft       isms.RiskCriteria
	LikN, ConN  []int
	LevelN      []int
	DimN        []int
	CatN        []int
	Counts      []option
	LevelCounts []option
	DimCounts   []option
	Approaches  []option
	LevelOpts   []option
	Matrix      []matrixEdit
	ConLabels   []string
	Dims        []dimEdit
}

type dimEdit struct {
	N                  int
	LabelName, KeyName string
	Descs              []option // Value is the field name, Label the consequence level
}

type matrixEdit struct {
	Label string
	Cells []string // field names
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func numText(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// criteriaValues lays a criteria version out as form values.
func criteriaValues(c isms.RiskCriteria) map[string]string {
	m := map[string]string{"name": c.Name, "approach": string(c.Approach), "currency": c.Currency, "notes": c.Notes, "accept_level": c.AcceptLevel,
		"lik_n": strconv.Itoa(len(c.Likelihood)), "con_n": strconv.Itoa(len(c.Consequence)), "lvl_n": strconv.Itoa(len(c.Levels)),
		"dim_n": strconv.Itoa(len(c.Dimensions)), "id": c.ID, "version": strconv.Itoa(c.Version)}
	for i, l := range c.Likelihood {
		p := fmt.Sprintf("likelihood.%d.", i+1)
		m[p+"label"], m[p+"description"], m[p+"frequency"] = l.Label, l.Description, numText(l.Frequency)
	}
	for i, l := range c.Consequence {
		p := fmt.Sprintf("consequence.%d.", i+1)
		m[p+"label"], m[p+"description"], m[p+"money_min"], m[p+"money_max"] = l.Label, l.Description, numText(l.MoneyMin), numText(l.MoneyMax)
	}
	for i, l := range c.Levels {
		p := fmt.Sprintf("levels.%d.", i+1)
		m[p+"key"], m[p+"label"], m[p+"colour"] = l.Key, l.Label, l.Colour
	}
	for i, d := range c.Dimensions {
		p := fmt.Sprintf("dimensions.%d.", i+1)
		m[p+"key"], m[p+"label"] = d.Key, d.Label
		for j, s := range d.Descriptions {
			m[fmt.Sprintf("%sdescriptions.%d", p, j+1)] = s
		}
	}
	for i, row := range c.Matrix {
		for j, k := range row {
			m[fmt.Sprintf("matrix.%d.%d", i+1, j+1)] = k
		}
	}
	for i, r := range c.CategoryAcceptance {
		p := fmt.Sprintf("category_acceptance.%d.", i+1)
		m[p+"category"], m[p+"level"] = r.Category, r.Level
	}
	return m
}

func clampCount(s string, lo, hi, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return max(lo, min(hi, n))
}

// criteriaFromForm reads the draft editor; numbers that do not parse are
// recorded on f.
func criteriaFromForm(f *form, tr i18n.Translator) isms.RiskCriteria {
	c := isms.RiskCriteria{Name: f.Value("name"), Approach: isms.RiskApproach(f.Value("approach")), Currency: f.Value("currency"),
		Notes: f.Value("notes"), AcceptLevel: f.Value("accept_level")}
	num := func(name string) *float64 {
		s := strings.TrimSpace(strings.ReplaceAll(f.Value(name), ",", ""))
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.addError(name, tr.T("validation.number"))
			return nil
		}
		return &v
	}
	nl := clampCount(f.Value("lik_n"), isms.MinScaleLevels, isms.MaxScaleLevels, 5)
	nc := clampCount(f.Value("con_n"), isms.MinScaleLevels, isms.MaxScaleLevels, 5)
	nv := clampCount(f.Value("lvl_n"), isms.MinRiskLevels, isms.MaxRiskLevels, 4)
	nd := clampCount(f.Value("dim_n"), 0, isms.MaxDimensions, 0)
	for i := 1; i <= nl; i++ {
		p := fmt.Sprintf("likelihood.%d.", i)
		c.Likelihood = append(c.Likelihood, isms.ScaleLevel{Value: i, Label: f.Value(p + "label"), Description: f.Value(p + "description"), Frequency: num(p + "frequency")})
	}
	for i := 1; i <= nc; i++ {
		p := fmt.Sprintf("consequence.%d.", i)
		c.Consequence = append(c.Consequence, isms.ScaleLevel{Value: i, Label: f.Value(p + "label"), Description: f.Value(p + "description"),
			MoneyMin: num(p + "money_min"), MoneyMax: num(p + "money_max")})
	}
	for i := 1; i <= nv; i++ {
		p := fmt.Sprintf("levels.%d.", i)
		c.Levels = append(c.Levels, isms.RiskLevel{Key: f.Value(p + "key"), Label: f.Value(p + "label"), Colour: f.Value(p + "colour")})
	}
	for i := 1; i <= nd; i++ {
		p := fmt.Sprintf("dimensions.%d.", i)
		d := isms.ConsequenceDimension{Key: f.Value(p + "key"), Label: f.Value(p + "label")}
		for j := 1; j <= nc; j++ {
			d.Descriptions = append(d.Descriptions, f.Value(fmt.Sprintf("%sdescriptions.%d", p, j)))
		}
		c.Dimensions = append(c.Dimensions, d)
	}
	for l := 1; l <= nl; l++ {
		row := make([]string, nc)
		for v := 1; v <= nc; v++ {
			row[v-1] = f.Value(fmt.Sprintf("matrix.%d.%d", l, v))
		}
		c.Matrix = append(c.Matrix, row)
	}
	for i := 1; i <= isms.MaxDimensions; i++ {
		p := fmt.Sprintf("category_acceptance.%d.", i)
		cat, lv := strings.TrimSpace(f.Value(p+"category")), f.Value(p+"level")
		if cat == "" && lv == "" {
			continue
		}
		c.CategoryAcceptance = append(c.CategoryAcceptance, isms.CategoryRule{Category: cat, Level: lv})
	}
	c.Normalize()
	return c
}

func (a *app) renderCriteriaForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, draft isms.RiskCriteria, parsed isms.RiskCriteria) error {
	tr := c.tr()
	cf := &criteriaForm{Form: f, Draft: draft, LikN: seq(len(parsed.Likelihood)), ConN: seq(len(parsed.Consequence)),
		LevelN: seq(len(parsed.Levels)), DimN: seq(len(parsed.Dimensions)), CatN: seq(isms.MaxDimensions)}
	for n := isms.MinScaleLevels; n <= isms.MaxScaleLevels; n++ {
		cf.Counts = append(cf.Counts, option{strconv.Itoa(n), strconv.Itoa(n)})
	}
	for n := isms.MinRiskLevels; n <= isms.MaxRiskLevels; n++ {
		cf.LevelCounts = append(cf.LevelCounts, option{strconv.Itoa(n), strconv.Itoa(n)})
	}
	for n := 0; n <= isms.MaxDimensions; n++ {
		cf.DimCounts = append(cf.DimCounts, option{strconv.Itoa(n), strconv.Itoa(n)})
	}
	for _, ap := range isms.RiskApproaches {
		cf.Approaches = append(cf.Approaches, option{string(ap), tr.T("approach." + string(ap))})
	}
	cf.LevelOpts = []option{{"", tr.T("web.criteria.unpainted")}}
	for _, l := range parsed.Levels {
		if l.Key != "" {
			cf.LevelOpts = append(cf.LevelOpts, option{l.Key, l.Label})
		}
	}
	for l := len(parsed.Likelihood); l >= 1; l-- {
		row := matrixEdit{Label: fmt.Sprintf("%d · %s", l, parsed.Likelihood[l-1].Label)}
		for v := 1; v <= len(parsed.Consequence); v++ {
			row.Cells = append(row.Cells, fmt.Sprintf("matrix.%d.%d", l, v))
		}
		cf.Matrix = append(cf.Matrix, row)
	}
	for _, cl := range parsed.Consequence {
		cf.ConLabels = append(cf.ConLabels, fmt.Sprintf("%d · %s", cl.Value, cl.Label))
	}
	for i := range parsed.Dimensions {
		p := fmt.Sprintf("dimensions.%d.", i+1)
		de := dimEdit{N: i + 1, LabelName: p + "label", KeyName: p + "key"}
		for j, l := range cf.ConLabels {
			de.Descs = append(de.Descs, option{fmt.Sprintf("%sdescriptions.%d", p, j+1), l})
		}
		cf.Dims = append(cf.Dims, de)
	}
	// Keys derived from labels show in the form.
	for i, l := range parsed.Levels {
		if f.Value(fmt.Sprintf("levels.%d.key", i+1)) == "" {
			f.Set(fmt.Sprintf("levels.%d.key", i+1), l.Key)
		}
		if f.Value(fmt.Sprintf("levels.%d.colour", i+1)) == "" {
			f.Set(fmt.Sprintf("levels.%d.colour", i+1), "#cccccc")
		}
	}
	v := a.view(c, tr.T("web.criteria.edit_title", draft.Number), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")},
		crumb{tr.T("web.criteria.title"), orgPath(c.Org.Slug, "/risks/criteria")})
	v.Nav = "risks"
	v.Data = cf
	return a.render(w, r, status, "risk_criteria_form", v)
}

// editCriteriaPage shows the draft editor.
func (a *app) editCriteriaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	d, ok, err := a.DB.DraftCriteria(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	if !ok {
		a.flash(r, c.tr().T("error.no_criteria_draft"))
		return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria"))
	}
	return a.renderCriteriaForm(w, r, c, http.StatusOK, newForm(criteriaValues(d)), d, d)
}

// updateCriteria saves the draft, or only re-lays the form out when the
// number of levels changed ("resize").
func (a *app) updateCriteria(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	d, ok, err := a.DB.DraftCriteria(ctx, c.Actor)
	if err != nil {
		return err
	}
	if !ok {
		a.flash(r, tr.T("error.no_criteria_draft"))
		return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria"))
	}
	f := postedForm(r)
	labels := map[string]string{"name": "criteria.name", "approach": "criteria.approach", "currency": "criteria.currency",
		"accept_level": "criteria.accept_level", "matrix": "criteria.matrix", "likelihood": "criteria.likelihood",
		"consequence": "criteria.consequence", "levels": "criteria.levels", "dimensions": "criteria.dimensions"}
	f.labelled(tr, labels)
	base, err := f.version()
	if err != nil {
		return err
	}
	parsed := criteriaFromForm(f, tr)
	if r.PostForm.Has("resize") {
		return a.renderCriteriaForm(w, r, c, http.StatusOK, f, d, parsed)
	}
	if f.Invalid() {
		return a.renderCriteriaForm(w, r, c, http.StatusUnprocessableEntity, f, d, parsed)
	}
	parsed.ID = d.ID
	saved, err := a.DB.UpdateCriteriaDraft(ctx, c.Actor, parsed, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderCriteriaForm(w, r, c, status, f, d, parsed)
		}
		return err
	}
	a.flash(r, tr.T("web.criteria.saved", saved.Number))
	return redirect(w, r, orgPath(c.Org.Slug, "/risks/criteria?v="+saved.ID))
}

// rerateList is the worklist of risks rated under older criteria.
type rerateList struct {
	HasCrit  bool
	Current  isms.RiskCriteria
	Items    []rerateView
	Mappings []mappingGroup
}

type rerateView struct {
	Row                 riskRow
	From                isms.RiskCriteria
	OldInherent, OldRes levelView
	NewInherent, NewRes levelView
	SugInherent, SugRes ratingView
	Suggest             isms.RerateSuggestion
	InDims, ResDims     string
	CanEdit             bool
}

type mappingGroup struct {
	From  isms.RiskCriteria
	Pairs []mappingView
}

func (a *app) rerateWorklist(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	cur, items, maps, ok, err := a.DB.RerateWorklist(ctx, c.Actor)
	if err != nil {
		return err
	}
	cs, err := a.criteriaSet(ctx, c.Actor)
	if err != nil {
		return err
	}
	today := orgToday(c.Org)
	d := &rerateList{HasCrit: ok, Current: cur}
	seen := map[string]bool{}
	for _, it := range items {
		rv := rerateView{Row: cs.row(it.Risk, today), From: it.From, Suggest: it.Suggest,
			OldInherent: levelOf(it.From, it.Risk.Inherent.Level), OldRes: levelOf(it.From, it.Risk.Residual.Level),
			NewInherent: levelOf(cur, it.Suggest.Inherent.Level), NewRes: levelOf(cur, it.Suggest.Residual.Level),
			SugInherent: rateView(tr, cur, it.Suggest.Inherent, cur.Currency), SugRes: rateView(tr, cur, it.Suggest.Residual, cur.Currency),
			InDims: it.Suggest.Inherent.DimsText(), ResDims: it.Suggest.Residual.DimsText(), CanEdit: canEditRiskView(c.Actor, it.Risk)}
		d.Items = append(d.Items, rv)
		if !seen[it.From.ID] {
			seen[it.From.ID] = true
			g := mappingGroup{From: it.From}
			for _, m := range maps[it.From.ID] {
				g.Pairs = append(g.Pairs, mappingView{levelOf(it.From, m.From.Key), levelOf(cur, m.To.Key)})
			}
			d.Mappings = append(d.Mappings, g)
		}
	}
	v := a.view(c, tr.T("web.rerate.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, http.StatusOK, "risk_rerate", v)
}

func canEditRiskView(a isms.Actor, r isms.Risk) bool {
	return a.Can(isms.PermWriteRegisters) || (a.Can(isms.PermWriteOwned) && r.OwnerID == a.UserID)
}
