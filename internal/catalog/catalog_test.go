package catalog

import "testing"

func TestCatalogueIntegrity(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Controls) != 93 {
		t.Fatalf("%d controls, want 93", len(c.Controls))
	}
	seen := map[string]bool{}
	themes := map[string]int{}
	newCount := 0
	for _, ct := range c.Controls {
		if seen[ct.ID] {
			t.Fatalf("duplicate control %s", ct.ID)
		}
		seen[ct.ID] = true
		themes[ct.Theme]++
		if ct.NewIn2022 {
			newCount++
		}
		if ct.Title == "" || len(ct.ControlTypes) == 0 || len(ct.SecurityProperties) == 0 {
			t.Fatalf("control %s incomplete: %+v", ct.ID, ct)
		}
	}
	want := map[string]int{"Organizational": 37, "People": 8, "Physical": 14, "Technological": 34}
	for th, n := range want {
		if themes[th] != n {
			t.Fatalf("theme %s has %d controls, want %d", th, themes[th], n)
		}
	}
	if newCount != 11 {
		t.Fatalf("%d new controls, want 11", newCount)
	}
	for _, top := range []string{"4", "5", "6", "7", "8", "9", "10"} {
		if len(c.ClausesUnder(top)) < 2 {
			t.Fatalf("clause %s has no subclauses", top)
		}
	}
	if cl, ok := c.Clause("6.1.3"); !ok || cl.Title == "" {
		t.Fatal("clause 6.1.3 missing")
	}
}
