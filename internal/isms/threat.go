package isms

import (
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/catalog"
)

// ThreatKind says which of two registers a Threat belongs to: threats
// (what could go wrong) or vulnerabilities (the weaknesses that let it).
type ThreatKind string

// The two kinds.
const (
	KindThreat        ThreatKind = "threat"
	KindVulnerability ThreatKind = "vulnerability"
)

// Valid reports whether k is a known kind.
func (k ThreatKind) Valid() bool { return k == KindThreat || k == KindVulnerability }

// Categories lists the categories entries of this kind may take.
func (k ThreatKind) Categories() []string {
	if k == KindVulnerability {
		return catalog.VulnerabilityCategories
	}
	return catalog.ThreatCategories
}

// Threat is an entry of an organisation's threat register or vulnerability
// register. Both registers have the same shape; Kind says which one. An
// entry loaded from the starter catalogue keeps its catalogue id
// ("T-01"), so loading the catalogue again adds nothing twice.
type Threat struct {
	Meta
	Kind        ThreatKind
	CatalogueID string // starter catalogue id; empty for the firm's own entries
	Title       string
	Description string
	Category    string
	// Controls lists the Annex A 2022 controls that address it ("5.7").
	Controls []string
}

// ThreatFields lists the fields of both registers in display order.
var ThreatFields = []FieldSpec{
	{"title", "threat.title"}, {"description", "threat.description"}, {"category", "threat.category"},
	{"controls", "threat.controls"}, {"catalogue_id", "threat.catalogue_id"},
}

// Fields returns the stored field values for the audit log and history.
func (x Threat) Fields() map[string]any {
	return map[string]any{
		"title": x.Title, "description": x.Description, "category": x.Category,
		"controls": strings.Join(x.Controls, ", "), "catalogue_id": x.CatalogueID,
	}
}

// Normalize trims inputs and puts the control ids in catalogue order
// without duplicates.
func (x *Threat) Normalize() {
	x.Title, x.Description, x.CatalogueID = Clean(x.Title), Clean(x.Description), Clean(x.CatalogueID)
	x.Category = strings.ToLower(Clean(x.Category))
	var ids []string
	for _, id := range x.Controls {
		id = strings.TrimPrefix(strings.TrimPrefix(Clean(id), "A."), "a.")
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, compareControlIDs)
	x.Controls = ids
}

// compareControlIDs orders control ids numerically: 5.2 before 5.10.
func compareControlIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, nb := atoiOr(pa[i]), atoiOr(pb[i])
		if na != nb {
			return na - nb
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

func atoiOr(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 1 << 30
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// Validate checks an entry: a title, a known category and only Annex A
// 2022 control ids that exist.
func (x Threat) Validate() error {
	var p Problems
	if !x.Kind.Valid() {
		p.Add("kind", "validation.choice")
	}
	checkText(&p, "title", x.Title, true, 200)
	checkText(&p, "description", x.Description, false, 5000)
	checkText(&p, "catalogue_id", x.CatalogueID, false, 20)
	if x.Category == "" {
		p.Add("category", "validation.required")
	} else if !slices.Contains(x.Kind.Categories(), x.Category) {
		p.Add("category", "validation.choice")
	}
	if len(x.Controls) > 93 {
		p.Add("controls", "validation.too_many", 93)
	}
	c := catalog.Must()
	for _, id := range x.Controls {
		if !slices.ContainsFunc(c.Controls, func(ct catalog.Control) bool { return ct.ID == id }) {
			p.Add("controls", "validation.unknown_control", id)
			break
		}
	}
	return p.Err()
}

// ThreatFromCatalogue makes a register entry of the given kind from a
// starter catalogue entry.
func ThreatFromCatalogue(kind ThreatKind, e catalog.Entry) Threat {
	return Threat{Kind: kind, CatalogueID: e.ID, Title: e.Title, Description: e.Description,
		Category: e.Category, Controls: append([]string(nil), e.Controls...)}
}
