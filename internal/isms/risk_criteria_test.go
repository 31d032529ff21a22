package isms

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func riskFieldErrs(err error) map[string]string {
	out := map[string]string{}
	if e, ok := err.(*Error); ok {
		for _, f := range e.Fields {
			out[f.Field] = f.Msg.Key
		}
	}
	return out
}

func TestPresetsAreValid(t *testing.T) {
	for _, name := range Presets {
		c, ok := Preset(name)
		if !ok {
			t.Fatalf("preset %s missing", name)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("preset %s invalid: %v", name, err)
		}
		// A fresh copy each time: editing one does not change the next.
		c.Levels[0].Label = "changed"
		d, _ := Preset(name)
		if d.Levels[0].Label == "changed" {
			t.Fatal("presets share state")
		}
	}
	if _, ok := Preset("7x7"); ok {
		t.Fatal("unknown preset accepted")
	}
	if SuggestedPreset(SizeMicro) != Preset3x3 || SuggestedPreset(SizeMedium) != Preset5x5 {
		t.Fatal("suggested preset by size")
	}
}

func TestCriteriaValidation(t *testing.T) {
	base, _ := Preset(Preset5x5)
	cases := []struct {
		name  string
		edit  func(c *RiskCriteria)
		field string
		key   string
	}{
		{"gap in scale", func(c *RiskCriteria) { c.Likelihood[2].Value = 4; c.Likelihood[3].Value = 5; c.Likelihood[4].Value = 6 }, "likelihood.3.value", "validation.scale_gap"},
		{"too few levels", func(c *RiskCriteria) { c.Likelihood = c.Likelihood[:2]; c.Matrix = c.Matrix[:2] }, "likelihood", "validation.scale_count"},
		{"too many levels", func(c *RiskCriteria) {
			for i := 6; i <= 7; i++ {
				c.Consequence = append(c.Consequence, ScaleLevel{Value: i, Label: "x", Description: "y"})
			}
		}, "consequence", "validation.scale_count"},
		{"unpainted cell", func(c *RiskCriteria) { c.Matrix[1][3] = "" }, "matrix.2.4", "validation.matrix_unpainted"},
		{"unknown colour in cell", func(c *RiskCriteria) { c.Matrix[0][0] = "purple" }, "matrix.1.1", "validation.matrix_unknown_level"},
		{"matrix shape", func(c *RiskCriteria) { c.Matrix = c.Matrix[:4] }, "matrix", "validation.matrix_shape"},
		{"matrix order", func(c *RiskCriteria) { c.Matrix[4][4] = "low" }, "matrix.5.5", "validation.matrix_order"},
		{"missing label", func(c *RiskCriteria) { c.Consequence[1].Label = "" }, "consequence.2.label", "validation.required"},
		{"accept level unknown", func(c *RiskCriteria) { c.AcceptLevel = "tolerable" }, "accept_level", "validation.unknown_level"},
		{"category looser than general", func(c *RiskCriteria) {
			c.CategoryAcceptance = []CategoryRule{{Category: "Privacy", Level: "high"}}
		}, "category_acceptance.1.level", "validation.category_not_stricter"},
		{"duplicate level key", func(c *RiskCriteria) { c.Levels[1].Key = "low" }, "levels.2.key", "validation.duplicate_key"},
		{"bad colour", func(c *RiskCriteria) { c.Levels[0].Colour = "blue" }, "levels.1.colour", "validation.colour"},
		{"quantitative without numbers", func(c *RiskCriteria) { c.Approach = ApproachQuantitative; c.Likelihood[0].Frequency = nil }, "likelihood.1.frequency", "validation.required"},
		{"frequencies must increase", func(c *RiskCriteria) { f := 0.01; c.Likelihood[1].Frequency = &f }, "likelihood.2.frequency", "validation.increasing"},
		{"money range reversed", func(c *RiskCriteria) { m := 5.0; c.Consequence[1].MoneyMax = &m }, "consequence.2.money_max", "validation.money_range"},
		{"dimension descriptions", func(c *RiskCriteria) { c.Dimensions[0].Descriptions = c.Dimensions[0].Descriptions[:3] }, "dimensions.1.descriptions", "validation.dimension_descriptions"},
		{"bad approach", func(c *RiskCriteria) { c.Approach = "astrology" }, "approach", "validation.choice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base.Clone()
			tc.edit(&c)
			c.Normalize()
			err := c.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if got := riskFieldErrs(err)[tc.field]; got != tc.key {
				t.Fatalf("field %s: got %q, want %q (all: %v)", tc.field, got, tc.key, riskFieldErrs(err))
			}
		})
	}
	// A stricter category rule is fine.
	c := base.Clone()
	c.CategoryAcceptance = []CategoryRule{{Category: "Privacy", Level: "low"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestScoringAndEvaluation(t *testing.T) {
	c, _ := Preset(Preset5x5)
	c.ID = "v1"
	cases := []struct {
		l, v  int
		level string
	}{{1, 1, "low"}, {1, 4, "medium"}, {3, 3, "medium"}, {4, 3, "high"}, {5, 4, "critical"}, {5, 5, "critical"}, {2, 5, "high"}}
	for _, tc := range cases {
		lv, err := c.LevelAt("inherent", tc.l, tc.v)
		if err != nil || lv.Key != tc.level {
			t.Errorf("L%d×C%d = %q %v, want %q", tc.l, tc.v, lv.Key, err, tc.level)
		}
	}
	// A level that does not exist on the scales is refused, naming the field.
	if _, err := c.LevelAt("inherent", 6, 1); riskFieldErrs(err)["inherent_likelihood"] != "validation.scale_value" {
		t.Fatalf("likelihood 6: %v", err)
	}
	if _, err := c.Rate("residual", Rating{Likelihood: 2, Consequence: 0}); riskFieldErrs(err)["residual_consequence"] != "validation.rating_incomplete" {
		t.Fatalf("half a rating: %v", err)
	}
	// The worst dimension is the rated consequence.
	r, err := c.Rate("inherent", Rating{Likelihood: 4, Consequence: 1, Dims: map[string]int{"financial": 2, "legal": 4, "people": 0}})
	if err != nil || r.Consequence != 4 || r.Level != "high" || r.Rank != 3 {
		t.Fatalf("dimensions: %+v %v", r, err)
	}
	if _, err := c.Rate("inherent", Rating{Likelihood: 4, Dims: map[string]int{"weather": 2}}); riskFieldErrs(err)["inherent_dims.weather"] != "validation.unknown_dimension" {
		t.Fatalf("unknown dimension: %v", err)
	}
	// Acceptance: low is acceptable, medium not; a stricter category rule wins.
	if !c.Acceptable("low", "") || c.Acceptable("medium", "") {
		t.Fatal("general acceptance")
	}
	c.AcceptLevel = "medium"
	c.CategoryAcceptance = []CategoryRule{{Category: "Privacy", Level: "low"}}
	if !c.Acceptable("medium", "Operations") || c.Acceptable("medium", "privacy") {
		t.Fatal("category acceptance")
	}
	// Expected annual loss: frequency × middle of the money range.
	if eal, ok := c.ExpectedAnnualLoss(4, 3); !ok || eal != 55000 {
		t.Fatalf("EAL %v %v", eal, ok)
	}
}

func TestRerateMapping(t *testing.T) {
	small, _ := Preset(Preset3x3)
	big, _ := Preset(Preset5x5)
	small.ID, big.ID = "v1", "v2"
	// Scale positions keep their relative place.
	for _, tc := range [][3]int{{1, 3, 1}, {2, 3, 3}, {3, 3, 5}, {1, 5, 1}, {3, 5, 2}, {5, 5, 3}, {4, 5, 3}} {
		if got := MapScaleValue(tc[0], tc[1], map[int]int{3: 5, 5: 3}[tc[1]]); got != tc[2] {
			t.Errorf("MapScaleValue(%d of %d) = %d, want %d", tc[0], tc[1], got, tc[2])
		}
	}
	// Levels map by label first, by relative rank otherwise.
	m := SuggestLevelMapping(small, big)
	if len(m) != 3 || m[0].To.Key != "low" || m[1].To.Key != "medium" || m[2].To.Key != "high" {
		t.Fatalf("mapping %+v", m)
	}
	back := SuggestLevelMapping(big, small)
	if back[3].To.Key != "high" { // critical has no twin: the top of the 3 levels
		t.Fatalf("critical maps to %q", back[3].To.Key)
	}
	r := Risk{CriteriaID: "v1"}
	r.Inherent, _ = small.Rate("inherent", Rating{Likelihood: 3, Consequence: 2})
	r.Residual, _ = small.Rate("residual", Rating{Likelihood: 1, Consequence: 2})
	s := SuggestRerating(small, big, r)
	if s.Inherent.Likelihood != 5 || s.Inherent.Consequence != 3 || s.Inherent.Level != "high" || s.Residual.Level != "low" {
		t.Fatalf("suggestion %+v", s)
	}
}

func TestTextColour(t *testing.T) {
	if TextColour("#a50026") != "#ffffff" || TextColour("#fee090") != "#000000" {
		t.Fatal("text colour")
	}
}

func TestNewCriteriaSet(t *testing.T) {
	if cs := NewCriteriaSet(nil); cs.Has || len(cs.ByID) != 0 {
		t.Fatalf("empty set %+v", cs)
	}
	vs := []RiskCriteria{{Meta: Meta{ID: "v2"}, Status: CriteriaDraft}, {Meta: Meta{ID: "v1"}, Status: CriteriaApproved}, {Meta: Meta{ID: "v0"}, Status: CriteriaSuperseded}}
	cs := NewCriteriaSet(vs)
	if !cs.Has || cs.Current.ID != "v1" || len(cs.ByID) != 3 || cs.ByID["v0"].Status != CriteriaSuperseded || len(cs.Versions) != 3 {
		t.Fatalf("set %+v", cs)
	}
}

// A clone is equal to its original and shares nothing with it: changing
// any part of one leaves the other as it was.
func TestCriteriaCloneSharesNothing(t *testing.T) {
	for _, name := range Presets {
		base, _ := Preset(name)
		f, m := 0.5, 1000.0
		base.Likelihood[0].Frequency, base.Consequence[0].MoneyMin, base.Consequence[0].MoneyMax = &f, &m, &m
		base.CategoryAcceptance = []CategoryRule{{Category: "Privacy", Level: base.Levels[0].Key}}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		base.ApprovedAt, base.ArchivedAt = &at, &at
		if len(base.Dimensions) == 0 {
			base.Dimensions = []ConsequenceDimension{{Key: "legal", Label: "Legal", Descriptions: []string{"a", "b"}}}
		}
		want, _ := json.Marshal(base)
		c := base.Clone()
		if got, _ := json.Marshal(c); string(got) != string(want) || !reflect.DeepEqual(c, base) {
			t.Fatalf("%s: clone differs:\n%s\n%s", name, got, want)
		}
		*c.Likelihood[0].Frequency, *c.Consequence[0].MoneyMin, *c.Consequence[0].MoneyMax = 9, 9, 9
		c.Likelihood[0].Label, c.Consequence[0].Label = "x", "x"
		c.Dimensions[0].Descriptions[0], c.Dimensions[0].Label = "x", "x"
		c.Levels[0].Label, c.Matrix[0][0], c.CategoryAcceptance[0].Level = "x", "x", "x"
		*c.ApprovedAt, *c.ArchivedAt = time.Time{}, time.Time{}
		if got, _ := json.Marshal(base); string(got) != string(want) {
			t.Fatalf("%s: changing the clone changed the original:\n%s\n%s", name, got, want)
		}
	}
}
