package isms

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// RiskApproach is how risks are analysed (clause 6.1.2 d).
type RiskApproach string

// The analysis approaches.
const (
	// ApproachQualitative rates with words only.
	ApproachQualitative RiskApproach = "qualitative"
	// ApproachSemiQuantitative rates with words backed by indicative numbers.
	ApproachSemiQuantitative RiskApproach = "semi_quantitative"
	// ApproachQuantitative also shows the expected annual loss (frequency ×
	// money impact); every level then needs its numbers.
	ApproachQuantitative RiskApproach = "quantitative"
)

// RiskApproaches lists the approaches in order.
var RiskApproaches = []RiskApproach{ApproachQualitative, ApproachSemiQuantitative, ApproachQuantitative}

// CriteriaStatus is where a version of the risk criteria stands.
type CriteriaStatus string

// The criteria statuses. There is at most one draft and one approved
// version per organisation; approving a draft supersedes the approved one.
const (
	CriteriaDraft      CriteriaStatus = "draft"
	CriteriaApproved   CriteriaStatus = "approved"
	CriteriaSuperseded CriteriaStatus = "superseded"
)

// Scale limits: a likelihood or consequence scale has 3 to 6 levels; the
// risk levels painted into the matrix number 2 to 6.
const (
	MinScaleLevels = 3
	MaxScaleLevels = 6
	MinRiskLevels  = 2
	MaxRiskLevels  = 6
	MaxDimensions  = 8
)

// ScaleLevel is one step of a likelihood or consequence scale. Value is
// its position, 1 for the lowest. The numbers are optional outside the
// quantitative approach: Frequency (events per year) belongs to likelihood
// levels, MoneyMin/MoneyMax (a loss range; MoneyMax nil for "and above")
// to consequence levels.
type ScaleLevel struct {
	Value       int      `json:"value"`
	Label       string   `json:"label"`
	Description string   `json:"description"`
	Frequency   *float64 `json:"frequency,omitempty"`
	MoneyMin    *float64 `json:"money_min,omitempty"`
	MoneyMax    *float64 `json:"money_max,omitempty"`
}

// Impact is the money figure used for the expected annual loss: the middle
// of the range, or its lower bound when it is open-ended.
func (l ScaleLevel) Impact() (float64, bool) {
	switch {
	case l.MoneyMin != nil && l.MoneyMax != nil:
		return (*l.MoneyMin + *l.MoneyMax) / 2, true
	case l.MoneyMin != nil:
		return *l.MoneyMin, true
	case l.MoneyMax != nil:
		return *l.MoneyMax, true
	}
	return 0, false
}

// ConsequenceDimension is one kind of harm rated separately (financial,
// legal, reputation …). Descriptions holds, for each consequence level in
// order, what that level means in this dimension. A rated consequence is
// the worst of its dimensions.
type ConsequenceDimension struct {
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	Descriptions []string `json:"descriptions"`
}

// RiskLevel is one colour of the matrix (low, medium, high …). Levels are
// ordered lowest first; Rank is the position (1-based) and is filled in by
// Normalize.
type RiskLevel struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Colour string `json:"colour"`
	Rank   int    `json:"rank"`
}

// CategoryRule makes acceptance stricter for one risk category: risks of
// Category may be accepted without treatment only up to Level.
type CategoryRule struct {
	Category string `json:"category"`
	Level    string `json:"level"`
}

// RiskCriteria is one version of an organisation's risk assessment
// method (clause 6.1.2 a): the scales, the matrix that combines them and
// the acceptance criteria. A draft is edited, then approved by an owner;
// changing approved criteria makes a new draft version.
type RiskCriteria struct {
	Meta
	Number   int // 1, 2, 3 … in the organisation
	Status   CriteriaStatus
	Name     string
	Approach RiskApproach
	Currency string // ISO 4217 code for money figures, e.g. EUR
	Notes    string

	Likelihood  []ScaleLevel
	Consequence []ScaleLevel
	Dimensions  []ConsequenceDimension
	Levels      []RiskLevel
	// Matrix[l-1][c-1] is the key of the level of likelihood l and
	// consequence c.
	Matrix             [][]string
	AcceptLevel        string
	CategoryAcceptance []CategoryRule

	ApprovedBy string // user id
	ApprovedAt *time.Time
	BasedOnID  string // the version this draft was copied from

	// Filled in by reads.
	ApprovedByName string
}

// Clone returns a copy of c that shares nothing with it, so that a draft
// can be edited without touching the version it was copied from.
func (c RiskCriteria) Clone() RiskCriteria {
	scale := func(ls []ScaleLevel) []ScaleLevel {
		out := slices.Clone(ls)
		for i := range out {
			out[i].Frequency, out[i].MoneyMin, out[i].MoneyMax = cloneFloat(out[i].Frequency), cloneFloat(out[i].MoneyMin), cloneFloat(out[i].MoneyMax)
		}
		return out
	}
	c.Likelihood, c.Consequence = scale(c.Likelihood), scale(c.Consequence)
	c.Dimensions = slices.Clone(c.Dimensions)
	for i := range c.Dimensions {
		c.Dimensions[i].Descriptions = slices.Clone(c.Dimensions[i].Descriptions)
	}
	c.Levels = slices.Clone(c.Levels)
	c.Matrix = slices.Clone(c.Matrix)
	for i := range c.Matrix {
		c.Matrix[i] = slices.Clone(c.Matrix[i])
	}
	c.CategoryAcceptance = slices.Clone(c.CategoryAcceptance)
	if c.ApprovedAt != nil {
		t := *c.ApprovedAt
		c.ApprovedAt = &t
	}
	if c.ArchivedAt != nil {
		t := *c.ArchivedAt
		c.ArchivedAt = &t
	}
	return c
}

func cloneFloat(f *float64) *float64 {
	if f == nil {
		return nil
	}
	v := *f
	return &v
}

// RiskCriteriaFields lists the fields of a criteria version for history.
var RiskCriteriaFields = []FieldSpec{
	{"number", "criteria.number"}, {"status", "criteria.status"}, {"name", "criteria.name"},
	{"approach", "criteria.approach"}, {"currency", "criteria.currency"}, {"notes", "criteria.notes"},
	{"likelihood", "criteria.likelihood"}, {"consequence", "criteria.consequence"},
	{"dimensions", "criteria.dimensions"}, {"levels", "criteria.levels"}, {"matrix", "criteria.matrix"},
	{"accept_level", "criteria.accept_level"}, {"category_acceptance", "criteria.category_acceptance"},
	{"approved_by", "criteria.approved_by"}, {"approved_at", "criteria.approved_at"},
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// Fields returns the stored values for the audit log and history.
func (c RiskCriteria) Fields() map[string]any {
	approved := ""
	if c.ApprovedAt != nil {
		approved = FormatTime(*c.ApprovedAt)
	}
	return map[string]any{
		"number": c.Number, "status": string(c.Status), "name": c.Name, "approach": string(c.Approach),
		"currency": c.Currency, "notes": c.Notes,
		"likelihood": jsonText(c.Likelihood), "consequence": jsonText(c.Consequence),
		"dimensions": jsonText(c.Dimensions), "levels": jsonText(c.Levels), "matrix": jsonText(c.Matrix),
		"accept_level": c.AcceptLevel, "category_acceptance": jsonText(c.CategoryAcceptance),
		"approved_by": c.ApprovedBy, "approved_at": approved,
	}
}

// Normalize trims text, numbers the scale levels by position and ranks the
// risk levels by position.
func (c *RiskCriteria) Normalize() {
	c.Name, c.Currency, c.Notes = Clean(c.Name), strings.ToUpper(Clean(c.Currency)), Clean(c.Notes)
	if c.Approach == "" {
		c.Approach = ApproachQualitative
	}
	for _, s := range [][]ScaleLevel{c.Likelihood, c.Consequence} {
		for i := range s {
			s[i].Label, s[i].Description = Clean(s[i].Label), Clean(s[i].Description)
		}
	}
	for i := range c.Dimensions {
		d := &c.Dimensions[i]
		d.Key, d.Label = strings.ToLower(Clean(d.Key)), Clean(d.Label)
		if d.Key == "" {
			d.Key = keyOf(d.Label)
		}
		for j := range d.Descriptions {
			d.Descriptions[j] = Clean(d.Descriptions[j])
		}
	}
	for i := range c.Levels {
		l := &c.Levels[i]
		l.Key, l.Label, l.Colour = strings.ToLower(Clean(l.Key)), Clean(l.Label), strings.ToLower(Clean(l.Colour))
		if l.Key == "" {
			l.Key = keyOf(l.Label)
		}
		l.Rank = i + 1
	}
	for i := range c.Matrix {
		for j := range c.Matrix[i] {
			c.Matrix[i][j] = strings.ToLower(Clean(c.Matrix[i][j]))
		}
	}
	c.AcceptLevel = strings.ToLower(Clean(c.AcceptLevel))
	for i := range c.CategoryAcceptance {
		r := &c.CategoryAcceptance[i]
		r.Category, r.Level = Clean(r.Category), strings.ToLower(Clean(r.Level))
	}
}

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,29}$`)

// keyOf proposes a key from a label: lower case, underscores for spaces.
func keyOf(label string) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(label) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			us = false
		case !us && b.Len() > 0:
			b.WriteByte('_')
			us = true
		}
	}
	s := strings.Trim(b.String(), "_")
	if len(s) > 30 {
		s = strings.Trim(s[:30], "_")
	}
	return s
}

var colourRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// Validate checks a criteria version completely: scales without gaps,
// a fully painted and consistently ordered matrix, and acceptance levels
// that exist. Field names locate each problem, e.g. "matrix.3.2" for the
// cell of likelihood 3 and consequence 2.
func (c RiskCriteria) Validate() error {
	var p Problems
	checkText(&p, "name", c.Name, true, 200)
	checkText(&p, "notes", c.Notes, false, 5000)
	if !validApproach(c.Approach) {
		p.Add("approach", "validation.choice")
	}
	if c.Currency != "" && !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(c.Currency) {
		p.Add("currency", "validation.currency")
	}
	quant := c.Approach == ApproachQuantitative
	c.checkScale(&p, "likelihood", c.Likelihood, quant, true)
	c.checkScale(&p, "consequence", c.Consequence, quant, false)
	if quant && c.Currency == "" {
		p.Add("currency", "validation.required")
	}
	// Dimensions.
	if len(c.Dimensions) > MaxDimensions {
		p.Add("dimensions", "validation.dimensions_count", MaxDimensions)
	}
	seen := map[string]bool{}
	for i, d := range c.Dimensions {
		f := fmt.Sprintf("dimensions.%d", i+1)
		if d.Label == "" {
			p.Add(f+".label", "validation.required")
		} else {
			checkText(&p, f+".label", d.Label, true, 100)
		}
		if !keyRE.MatchString(d.Key) {
			p.Add(f+".key", "validation.key")
		} else if seen[d.Key] {
			p.Add(f+".key", "validation.duplicate_key")
		}
		seen[d.Key] = true
		if len(d.Descriptions) != len(c.Consequence) {
			p.Add(f+".descriptions", "validation.dimension_descriptions", len(c.Consequence))
		}
		for j, s := range d.Descriptions {
			checkText(&p, fmt.Sprintf("%s.descriptions.%d", f, j+1), s, false, 1000)
		}
	}
	// Risk levels.
	if n := len(c.Levels); n < MinRiskLevels || n > MaxRiskLevels {
		p.Add("levels", "validation.levels_count", MinRiskLevels, MaxRiskLevels)
	}
	keys := map[string]bool{}
	for i, l := range c.Levels {
		f := fmt.Sprintf("levels.%d", i+1)
		checkText(&p, f+".label", l.Label, true, 60)
		if !keyRE.MatchString(l.Key) {
			p.Add(f+".key", "validation.key")
		} else if keys[l.Key] {
			p.Add(f+".key", "validation.duplicate_key")
		}
		keys[l.Key] = true
		if !colourRE.MatchString(l.Colour) {
			p.Add(f+".colour", "validation.colour")
		}
	}
	// Matrix: one row per likelihood level, one cell per consequence level,
	// every cell painted with a known level.
	nl, nc := len(c.Likelihood), len(c.Consequence)
	matrixOK := len(c.Matrix) == nl
	if !matrixOK {
		p.Add("matrix", "validation.matrix_shape", nl, nc)
	}
	for i := 0; matrixOK && i < nl; i++ {
		if len(c.Matrix[i]) != nc {
			p.Add("matrix", "validation.matrix_shape", nl, nc)
			matrixOK = false
			break
		}
		for j := 0; j < nc; j++ {
			f := fmt.Sprintf("matrix.%d.%d", i+1, j+1)
			switch k := c.Matrix[i][j]; {
			case k == "":
				p.Add(f, "validation.matrix_unpainted", i+1, j+1)
				matrixOK = false
			case !keys[k]:
				p.Add(f, "validation.matrix_unknown_level", i+1, j+1)
				matrixOK = false
			}
		}
	}
	// A cell must not be lower than the cell below it (less likely) or to
	// its left (milder): more likely or worse can never mean less risk.
	if matrixOK {
		for i := 0; i < nl; i++ {
			for j := 0; j < nc; j++ {
				r := c.rankOf(c.Matrix[i][j])
				if (i > 0 && r < c.rankOf(c.Matrix[i-1][j])) || (j > 0 && r < c.rankOf(c.Matrix[i][j-1])) {
					p.Add(fmt.Sprintf("matrix.%d.%d", i+1, j+1), "validation.matrix_order", i+1, j+1)
				}
			}
		}
	}
	// Acceptance.
	if c.AcceptLevel == "" {
		p.Add("accept_level", "validation.required")
	} else if !keys[c.AcceptLevel] {
		p.Add("accept_level", "validation.unknown_level")
	}
	cats := map[string]bool{}
	for i, r := range c.CategoryAcceptance {
		f := fmt.Sprintf("category_acceptance.%d", i+1)
		checkText(&p, f+".category", r.Category, true, 100)
		lc := strings.ToLower(r.Category)
		if r.Category != "" && cats[lc] {
			p.Add(f+".category", "validation.duplicate_category")
		}
		cats[lc] = true
		switch {
		case !keys[r.Level]:
			p.Add(f+".level", "validation.unknown_level")
		case keys[c.AcceptLevel] && c.rankOf(r.Level) > c.rankOf(c.AcceptLevel):
			p.Add(f+".level", "validation.category_not_stricter")
		}
	}
	return p.Err()
}

func validApproach(a RiskApproach) bool {
	for _, x := range RiskApproaches {
		if a == x {
			return true
		}
	}
	return false
}

func (c RiskCriteria) checkScale(p *Problems, name string, s []ScaleLevel, quant, likelihood bool) {
	if n := len(s); n < MinScaleLevels || n > MaxScaleLevels {
		p.Add(name, "validation.scale_count", MinScaleLevels, MaxScaleLevels)
	}
	var prev *ScaleLevel
	for i := range s {
		l := s[i]
		f := fmt.Sprintf("%s.%d", name, i+1)
		if l.Value != i+1 {
			p.Add(f+".value", "validation.scale_gap", i+1)
		}
		checkText(p, f+".label", l.Label, true, 60)
		checkText(p, f+".description", l.Description, true, 1000)
		if likelihood {
			if l.MoneyMin != nil || l.MoneyMax != nil {
				p.Add(f+".money_min", "validation.money_on_likelihood")
			}
			switch {
			case l.Frequency == nil && quant:
				p.Add(f+".frequency", "validation.required")
			case l.Frequency != nil && (*l.Frequency <= 0 || math.IsInf(*l.Frequency, 0) || math.IsNaN(*l.Frequency)):
				p.Add(f+".frequency", "validation.positive")
			case l.Frequency != nil && prev != nil && prev.Frequency != nil && *l.Frequency <= *prev.Frequency:
				p.Add(f+".frequency", "validation.increasing")
			}
		} else {
			if l.Frequency != nil {
				p.Add(f+".frequency", "validation.frequency_on_consequence")
			}
			if quant && l.MoneyMin == nil && l.MoneyMax == nil {
				p.Add(f+".money_min", "validation.required")
			}
			for _, m := range []struct {
				f string
				v *float64
			}{{".money_min", l.MoneyMin}, {".money_max", l.MoneyMax}} {
				if m.v != nil && (*m.v < 0 || math.IsInf(*m.v, 0) || math.IsNaN(*m.v)) {
					p.Add(f+m.f, "validation.not_negative")
				}
			}
			if l.MoneyMin != nil && l.MoneyMax != nil && *l.MoneyMax < *l.MoneyMin {
				p.Add(f+".money_max", "validation.money_range")
			}
			if prev != nil && !p.Has(f+".money_min") {
				a, okA := prev.Impact()
				b, okB := l.Impact()
				if okA && okB && b <= a {
					p.Add(f+".money_min", "validation.increasing")
				}
			}
		}
		prev = &s[i]
	}
}

// rankOf returns the rank of the level with key k, 0 if unknown.
func (c RiskCriteria) rankOf(k string) int {
	for _, l := range c.Levels {
		if l.Key == k {
			return l.Rank
		}
	}
	return 0
}

// LevelByKey returns the level with key k.
func (c RiskCriteria) LevelByKey(k string) (RiskLevel, bool) {
	for _, l := range c.Levels {
		if l.Key == k {
			return l, true
		}
	}
	return RiskLevel{}, false
}

// LevelAt returns the level painted in the cell of likelihood l and
// consequence v. A value outside the scales is an invalid-kind error on
// field (a risk rated on a level that does not exist).
func (c RiskCriteria) LevelAt(field string, l, v int) (RiskLevel, error) {
	var p Problems
	if l < 1 || l > len(c.Likelihood) {
		p.Add(field+"_likelihood", "validation.scale_value", len(c.Likelihood))
	}
	if v < 1 || v > len(c.Consequence) {
		p.Add(field+"_consequence", "validation.scale_value", len(c.Consequence))
	}
	if err := p.Err(); err != nil {
		return RiskLevel{}, err
	}
	if l > len(c.Matrix) || v > len(c.Matrix[l-1]) {
		return RiskLevel{}, Invalid(field+"_likelihood", "validation.matrix_unpainted", l, v)
	}
	lv, ok := c.LevelByKey(c.Matrix[l-1][v-1])
	if !ok {
		return RiskLevel{}, Invalid(field+"_likelihood", "validation.matrix_unknown_level", l, v)
	}
	return lv, nil
}

// AcceptLevelFor returns the highest level that may be accepted without
// treatment for a risk of category (the stricter category rule if one
// matches, ignoring case).
func (c RiskCriteria) AcceptLevelFor(category string) RiskLevel {
	key := c.AcceptLevel
	for _, r := range c.CategoryAcceptance {
		if category != "" && strings.EqualFold(r.Category, category) {
			key = r.Level
		}
	}
	l, _ := c.LevelByKey(key)
	return l
}

// Acceptable reports whether a rated level is within the acceptance
// criteria for a risk of category.
func (c RiskCriteria) Acceptable(levelKey, category string) bool {
	r := c.rankOf(levelKey)
	return r > 0 && r <= c.AcceptLevelFor(category).Rank
}

// ExpectedAnnualLoss is frequency × money impact for a rating, when the
// criteria give both numbers.
func (c RiskCriteria) ExpectedAnnualLoss(l, v int) (float64, bool) {
	if l < 1 || l > len(c.Likelihood) || v < 1 || v > len(c.Consequence) {
		return 0, false
	}
	f := c.Likelihood[l-1].Frequency
	m, ok := c.Consequence[v-1].Impact()
	if f == nil || !ok {
		return 0, false
	}
	return *f * m, true
}

// MapLevel suggests the level of criteria to that corresponds to level key
// of criteria from: the level with the same label if there is one,
// otherwise the level at the same relative position in the ordering.
// Ratings made under different versions compare through it.
func MapLevel(from, to RiskCriteria, key string) (RiskLevel, bool) {
	src, ok := from.LevelByKey(key)
	if !ok || len(to.Levels) == 0 {
		return RiskLevel{}, false
	}
	for _, l := range to.Levels {
		if strings.EqualFold(l.Label, src.Label) || l.Key == src.Key {
			return l, true
		}
	}
	return to.Levels[scaleIndex(src.Rank, len(from.Levels), len(to.Levels))-1], true
}

// MapScaleValue suggests the value on a scale of n2 levels that
// corresponds to value v on a scale of n1 levels: the same relative
// position, rounded.
func MapScaleValue(v, n1, n2 int) int {
	if v < 1 || n1 < 1 || n2 < 1 {
		return 0
	}
	return scaleIndex(v, n1, n2)
}

func scaleIndex(v, n1, n2 int) int {
	if n1 == n2 {
		return v
	}
	if n1 == 1 {
		return 1
	}
	x := 1 + float64(v-1)*float64(n2-1)/float64(n1-1)
	r := int(math.Floor(x + 0.5))
	return max(1, min(n2, r))
}

// LevelMapping pairs each level of an old criteria version with the
// suggested level of the new one; it is shown on the re-rating worklist
// and kept in the history of the re-rated risks.
type LevelMapping struct {
	From, To RiskLevel
}

// SuggestLevelMapping maps every level of from onto to.
func SuggestLevelMapping(from, to RiskCriteria) []LevelMapping {
	out := make([]LevelMapping, 0, len(from.Levels))
	for _, l := range from.Levels {
		t, _ := MapLevel(from, to, l.Key)
		out = append(out, LevelMapping{From: l, To: t})
	}
	return out
}

// TextColour returns a text colour (#000000 or #ffffff) readable on the
// background colour bg (#rrggbb).
func TextColour(bg string) string {
	if !colourRE.MatchString(bg) {
		return "#000000"
	}
	var r, g, b int
	fmt.Sscanf(bg, "#%02x%02x%02x", &r, &g, &b)
	lin := func(v int) float64 {
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	lum := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	// Pick whichever contrasts more with the background.
	if (lum+0.05)/0.05 >= 1.05/(lum+0.05) {
		return "#000000"
	}
	return "#ffffff"
}

// Preset names.
const (
	Preset3x3 = "3x3"
	Preset5x5 = "5x5"
)

// Presets lists the preset criteria a new organisation can start from.
var Presets = []string{Preset3x3, Preset5x5}

// SuggestedPreset is the preset that suits an organisation of this size:
// the 3×3 for micro firms, the 5×5 for the rest.
func SuggestedPreset(size SizeBand) string {
	if size == SizeMicro {
		return Preset3x3
	}
	return Preset5x5
}

func num(f float64) *float64 { return &f }

// Preset returns a fresh copy of a preset as an unsaved draft. The texts
// are Holdfast's own; the organisation edits them before approving.
func Preset(name string) (RiskCriteria, bool) {
	var c RiskCriteria
	switch name {
	case Preset3x3:
		c = RiskCriteria{
			Name:     "Simple 3 × 3 risk criteria",
			Approach: ApproachQualitative,
			Notes:    "Rate how likely the event is and how bad it would be for the firm, then read the level off the matrix. Risks rated low may be accepted by their owner without further treatment.",
			Likelihood: []ScaleLevel{
				{Value: 1, Label: "Unlikely", Description: "We would be surprised if it happened in the next five years; nothing like it has happened to us.", Frequency: num(0.1)},
				{Value: 2, Label: "Possible", Description: "It could well happen in the next few years; it has happened to firms like ours.", Frequency: num(0.5)},
				{Value: 3, Label: "Likely", Description: "We expect it at least once a year, or it has happened to us recently.", Frequency: num(2)},
			},
			Consequence: []ScaleLevel{
				{Value: 1, Label: "Minor", Description: "A nuisance: sorted out in a day by ourselves, no customer notices, little or no cost.", MoneyMin: num(0), MoneyMax: num(2000)},
				{Value: 2, Label: "Moderate", Description: "Work stops for a day or more, some customers notice, or the cost hurts this year's budget.", MoneyMin: num(2000), MoneyMax: num(50000)},
				{Value: 3, Label: "Major", Description: "Customers or regulators take action, personal data is exposed, or the firm's survival is in question.", MoneyMin: num(50000)},
			},
			Levels: []RiskLevel{
				{Key: "low", Label: "Low", Colour: "#4575b4"},
				{Key: "medium", Label: "Medium", Colour: "#fee090"},
				{Key: "high", Label: "High", Colour: "#d73027"},
			},
			Matrix: [][]string{
				{"low", "low", "medium"},
				{"low", "medium", "high"},
				{"medium", "high", "high"},
			},
			AcceptLevel: "low",
		}
	case Preset5x5:
		c = RiskCriteria{
			Name:     "5 × 5 risk criteria",
			Approach: ApproachSemiQuantitative,
			Notes:    "Rate likelihood and consequence on five levels each. Rate the consequence in every dimension that applies; the worst one counts. Low risks may be accepted by their owner without treatment; anything higher needs a treatment plan, or a justified concession to accept it.",
			Likelihood: []ScaleLevel{
				{Value: 1, Label: "Rare", Description: "Not expected within ten years; it would take an unusual chain of events.", Frequency: num(0.05)},
				{Value: 2, Label: "Unlikely", Description: "Could happen once in five to ten years; it has happened elsewhere in our sector.", Frequency: num(0.15)},
				{Value: 3, Label: "Possible", Description: "Could happen in the next year or two; it has happened to us or to firms like us.", Frequency: num(0.5)},
				{Value: 4, Label: "Likely", Description: "Expected about once a year.", Frequency: num(1)},
				{Value: 5, Label: "Almost certain", Description: "Happens several times a year, or is happening now.", Frequency: num(5)},
			},
			Consequence: []ScaleLevel{
				{Value: 1, Label: "Negligible", Description: "Absorbed in the normal course of work; nobody outside notices.", MoneyMin: num(0), MoneyMax: num(1000)},
				{Value: 2, Label: "Minor", Description: "Noticed and fixed within days by our own people at small cost.", MoneyMin: num(1000), MoneyMax: num(10000)},
				{Value: 3, Label: "Moderate", Description: "Disrupts a team or a customer for days, or costs a noticeable part of the budget.", MoneyMin: num(10000), MoneyMax: num(100000)},
				{Value: 4, Label: "Major", Description: "Serious harm to customers, finances or reputation; management attention for weeks.", MoneyMin: num(100000), MoneyMax: num(1000000)},
				{Value: 5, Label: "Severe", Description: "Threatens the firm's future, its licence to operate or people's safety.", MoneyMin: num(1000000)},
			},
			Currency: "EUR",
			Dimensions: []ConsequenceDimension{
				{Key: "financial", Label: "Financial", Descriptions: []string{
					"Loss under 1,000", "Loss of 1,000 to 10,000", "Loss of 10,000 to 100,000", "Loss of 100,000 to 1 million", "Loss over 1 million"}},
				{Key: "legal", Label: "Legal and regulatory", Descriptions: []string{
					"No breach of law or contract", "A minor breach we can put right ourselves", "A reportable breach or a contractual penalty",
					"An investigation, fine or lawsuit", "Loss of a licence or criminal liability"}},
				{Key: "reputation", Label: "Reputation", Descriptions: []string{
					"Nobody outside notices", "A few customers complain", "Local press or social media attention; some customers leave",
					"National attention; key customers leave", "Lasting damage to the brand"}},
				{Key: "operations", Label: "Operations", Descriptions: []string{
					"Under an hour of disruption", "Up to a day of disruption for one team", "Several days of disruption or one critical service down for a day",
					"A critical service down for a week", "Operations stop for weeks"}},
				{Key: "people", Label: "People", Descriptions: []string{
					"No effect on staff or customers", "Inconvenience to a few people", "Personal data of some people exposed, or distress",
					"Personal data of many people exposed, or injury", "Serious injury or harm to many people"}},
			},
			Levels: []RiskLevel{
				{Key: "low", Label: "Low", Colour: "#4575b4"},
				{Key: "medium", Label: "Medium", Colour: "#fee090"},
				{Key: "high", Label: "High", Colour: "#f46d43"},
				{Key: "critical", Label: "Critical", Colour: "#a50026"},
			},
			Matrix: [][]string{
				{"low", "low", "low", "medium", "medium"},
				{"low", "low", "medium", "medium", "high"},
				{"low", "medium", "medium", "high", "high"},
				{"medium", "medium", "high", "high", "critical"},
				{"medium", "high", "high", "critical", "critical"},
			},
			AcceptLevel: "low",
		}
	default:
		return c, false
	}
	c.Status = CriteriaDraft
	c.Normalize()
	return c, true
}

// CriteriaSet is every criteria version of an organisation by id, with the
// approved one in force: what showing ratings made under any version needs.
type CriteriaSet struct {
	Versions []RiskCriteria // in the order the store lists them
	ByID     map[string]RiskCriteria
	Current  RiskCriteria
	Has      bool // an approved version is in force
}

// NewCriteriaSet indexes versions.
func NewCriteriaSet(versions []RiskCriteria) CriteriaSet {
	cs := CriteriaSet{Versions: versions, ByID: make(map[string]RiskCriteria, len(versions))}
	for _, v := range versions {
		cs.ByID[v.ID] = v
		if v.Status == CriteriaApproved {
			cs.Current, cs.Has = v, true
		}
	}
	return cs
}
