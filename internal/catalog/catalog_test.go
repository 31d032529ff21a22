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

func TestMappingsIntegrity(t *testing.T) {
	c := Must()
	if len(c.Mappings2013) != 114 {
		t.Fatalf("%d rows in the 2013 mapping, want 114", len(c.Mappings2013))
	}
	seen := map[string]bool{}
	reached := map[string]bool{}
	for _, m := range c.Mappings2013 {
		if seen[m.ID2013] {
			t.Fatalf("2013 control %s mapped twice", m.ID2013)
		}
		seen[m.ID2013] = true
		if len(m.IDs2022) == 0 {
			t.Fatalf("2013 control %s maps to nothing", m.ID2013)
		}
		for _, id := range m.IDs2022 {
			if _, ok := c.Control(id); !ok {
				t.Fatalf("2013 control %s maps to unknown 2022 control %s", m.ID2013, id)
			}
			reached[id] = true
		}
	}
	// Every 2022 control is either reached from 2013 or new, never both.
	for _, ct := range c.Controls {
		if reached[ct.ID] == ct.NewIn2022 {
			t.Errorf("control %s: reached from 2013 %v, new in 2022 %v", ct.ID, reached[ct.ID], ct.NewIn2022)
		}
	}
	if n := len(c.NewControls()); n != 11 {
		t.Fatalf("%d new controls", n)
	}
	if m, ok := c.Successors("A.18.2.3"); !ok || len(m.IDs2022) != 2 {
		t.Fatalf("A.18.2.3 → %+v", m)
	}

	if len(c.CSF) != 415 {
		t.Fatalf("%d NIST rows, want 415", len(c.CSF))
	}
	for _, m := range c.CSF {
		if m.ISOID == "" {
			continue // published values that name no clause or control
		}
		var ok bool
		if m.RefType == "annex_a" {
			_, ok = c.Control(m.ISOID)
		} else {
			_, ok = c.Clause(m.ISOID)
		}
		if !ok {
			t.Fatalf("NIST %s references unknown %s %s", m.CSFID, m.RefType, m.ISOID)
		}
	}
	if subs := c.CSFSubcategories(); len(subs) != 106 {
		t.Fatalf("%d CSF subcategories, want 106", len(subs))
	}
	if len(c.CSFFor("5.20")) == 0 {
		t.Fatal("5.20 has no CSF reference")
	}
}

func TestDescriptions(t *testing.T) {
	c := Must()
	for _, ct := range c.Controls {
		d := Description(ct.ID)
		if len(d) < 40 || len(d) > 400 {
			t.Errorf("control %s: description of %d characters", ct.ID, len(d))
		}
	}
	if len(descriptions) != len(c.Controls) {
		t.Fatalf("%d descriptions for %d controls", len(descriptions), len(c.Controls))
	}
	for _, ct := range c.Controls {
		for _, a := range Attributes {
			for _, v := range ct.AttributeValues(a.Name) {
				found := false
				for _, w := range a.Values {
					found = found || v == w
				}
				if !found {
					t.Errorf("control %s: %s value %q is not in the vocabulary", ct.ID, a.Name, v)
				}
			}
		}
	}
}
