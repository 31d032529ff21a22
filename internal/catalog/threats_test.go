package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestStarterCatalogue checks the starter threats and vulnerabilities:
// about forty of each, unique well-formed ids in order, a known category,
// a description of sensible length, and only Annex A controls that exist.
func TestStarterCatalogue(t *testing.T) {
	c := Must()
	known := map[string]bool{}
	for _, ct := range c.Controls {
		known[ct.ID] = true
	}
	for _, set := range []struct {
		prefix     string
		entries    []Entry
		categories []string
	}{{"T-", Threats(), ThreatCategories}, {"V-", Vulnerabilities(), VulnerabilityCategories}} {
		if n := len(set.entries); n < 38 || n > 50 {
			t.Fatalf("%s: %d entries, want about 40", set.prefix, n)
		}
		ids, titles := map[string]bool{}, map[string]bool{}
		for i, e := range set.entries {
			want := set.prefix + twoDigits(i+1)
			if e.ID != want {
				t.Errorf("entry %d has id %q, want %q", i, e.ID, want)
			}
			if ids[e.ID] || titles[strings.ToLower(e.Title)] {
				t.Errorf("%s: duplicate id or title", e.ID)
			}
			ids[e.ID], titles[strings.ToLower(e.Title)] = true, true
			if e.Title == "" || len(e.Title) > 80 {
				t.Errorf("%s: title %q", e.ID, e.Title)
			}
			if len(e.Description) < 40 || len(e.Description) > 300 {
				t.Errorf("%s: description of %d characters", e.ID, len(e.Description))
			}
			if !slices.Contains(set.categories, e.Category) {
				t.Errorf("%s: unknown category %q", e.ID, e.Category)
			}
			if len(e.Controls) == 0 {
				t.Errorf("%s: no controls", e.ID)
			}
			seen := map[string]bool{}
			for _, id := range e.Controls {
				if !known[id] {
					t.Errorf("%s: control %q is not in Annex A 2022", e.ID, id)
				}
				if seen[id] {
					t.Errorf("%s: control %s listed twice", e.ID, id)
				}
				seen[id] = true
			}
		}
	}
	// The entries a firm asked for by name are there.
	for _, title := range []string{"Phishing email", "Ransomware", "Lost or stolen laptop", "Insider misuse of access",
		"Outage at a cloud or software supplier", "Misconfigured cloud storage exposes data"} {
		if !slices.ContainsFunc(Threats(), func(e Entry) bool { return e.Title == title }) {
			t.Errorf("threat %q missing", title)
		}
	}
	for _, title := range []string{"Weak or reused passwords", "Systems not kept up to date", "Backups never tested"} {
		if !slices.ContainsFunc(Vulnerabilities(), func(e Entry) bool { return e.Title == title }) {
			t.Errorf("vulnerability %q missing", title)
		}
	}
	// Callers get copies: changing one does not change the catalogue.
	th := Threats()
	th[0].Title = "changed"
	if Threats()[0].Title == "changed" {
		t.Fatal("Threats returns the catalogue itself")
	}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + string(rune('0'+n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
