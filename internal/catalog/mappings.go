package catalog

import "fmt"

// Mapping2013 is one ISO/IEC 27001:2013 Annex A control and the 2022
// control(s) it became.
type Mapping2013 struct {
	ID2013       string   // e.g. "A.5.1.1"
	Title2013    string   // the 2013 title
	Domain       string   // e.g. "A.5 Information security policies"
	Objective    string   // e.g. "A.5.1 Management direction for information security"
	IDs2022      []string // target 2022 controls, e.g. ["5.1"]
	Relationship string   // one_to_one, many_to_one or one_to_many
}

// CSFMapping is one NIST CSF 2.0 element that NIST's informative
// references relate to an ISO/IEC 27001:2022 clause or Annex A control.
type CSFMapping struct {
	Function  string // GV, ID, PR, DE, RS or RC
	CSFID     string // function, category or subcategory id, e.g. "GV.OC-01"
	Level     string // function, category or subcategory
	RefType   string // "clause" or "annex_a"
	ISOID     string // clause or control id; empty when NIST's value names none
	Subitem   string // list item NIST cites, e.g. "a"
	Published string // the reference exactly as NIST printed it
	Note      string // normalisation applied to the published value
}

// CSFFunctions lists the CSF 2.0 functions in their published order.
var CSFFunctions = []string{"GV", "ID", "PR", "DE", "RS", "RC"}

func loadMappings(c *Catalogue) error {
	rows, err := readCSV("mapping-2013-to-2022.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		c.Mappings2013 = append(c.Mappings2013, Mapping2013{
			ID2013: r["iso27001_2013_id"], Title2013: r["iso27001_2013_title"], Domain: r["iso27001_2013_domain"],
			Objective: r["iso27001_2013_objective"], IDs2022: split(r["iso27001_2022_ids"]), Relationship: r["relationship"],
		})
	}
	rows, err = readCSV("mapping-nist-csf2-to-iso27001-2022.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		m := CSFMapping{
			Function: r["csf_function"], CSFID: r["csf_id"], Level: r["csf_level"], RefType: r["iso_reference_type"],
			ISOID: r["iso_id"], Subitem: r["iso_subitem"], Published: r["iso_reference_as_published"], Note: r["note"],
		}
		if m.RefType != "clause" && m.RefType != "annex_a" {
			return fmt.Errorf("NIST mapping %s: unknown reference type %q", m.CSFID, m.RefType)
		}
		c.CSF = append(c.CSF, m)
	}
	return nil
}

// Control returns the Annex A control with id ("5.1" … "8.34").
func (c Catalogue) Control(id string) (Control, bool) {
	i, ok := c.controlIndex[id]
	if !ok {
		return Control{}, false
	}
	return c.Controls[i], true
}

// Successors returns where a 2013 control went in 2022.
func (c Catalogue) Successors(id2013 string) (Mapping2013, bool) {
	for _, m := range c.Mappings2013 {
		if m.ID2013 == id2013 {
			return m, true
		}
	}
	return Mapping2013{}, false
}

// NewControls returns the 2022 controls with no 2013 predecessor.
func (c Catalogue) NewControls() []Control {
	var out []Control
	for _, ct := range c.Controls {
		if ct.NewIn2022 {
			out = append(out, ct)
		}
	}
	return out
}

// CSFFor returns the NIST CSF 2.0 elements that reference Annex A control
// id, in catalogue order.
func (c Catalogue) CSFFor(controlID string) []CSFMapping {
	var out []CSFMapping
	for _, m := range c.CSF {
		if m.RefType == "annex_a" && m.ISOID == controlID {
			out = append(out, m)
		}
	}
	return out
}

// CSFSubcategories lists the distinct CSF 2.0 subcategory ids in
// catalogue order, each with the Annex A controls NIST relates to it.
func (c Catalogue) CSFSubcategories() []CSFSubcategory {
	var out []CSFSubcategory
	idx := map[string]int{}
	for _, m := range c.CSF {
		if m.Level != "subcategory" {
			continue
		}
		i, ok := idx[m.CSFID]
		if !ok {
			i = len(out)
			idx[m.CSFID] = i
			out = append(out, CSFSubcategory{ID: m.CSFID, Function: m.Function})
		}
		switch {
		case m.RefType == "annex_a" && m.ISOID != "":
			out[i].Controls = appendUnique(out[i].Controls, m.ISOID)
		case m.RefType == "clause" && m.ISOID != "":
			out[i].Clauses = appendUnique(out[i].Clauses, m.ISOID)
		}
	}
	return out
}

// CSFSubcategory is one CSF 2.0 subcategory with the ISO/IEC 27001:2022
// clauses and Annex A controls NIST relates to it.
type CSFSubcategory struct {
	ID       string
	Function string
	Clauses  []string
	Controls []string
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
