// Package catalog embeds Holdfast's reference data: the ISO/IEC 27001:2022
// clauses 4–10 and Annex A controls (numbers, titles and ISO/IEC 27002
// attributes only), and the 2013→2022 and NIST CSF 2.0 mappings. Upgrading
// the binary upgrades the catalogue; firm records are never touched.
package catalog

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
)

//go:embed data/*.csv
var data embed.FS

// Version identifies this edition of the catalogue.
const Version = "iso27001-2022+amd1-2024"

// Clause is one management-system clause or subclause (4 … 10.2).
type Clause struct {
	ID                    string
	Title                 string
	ParentID              string
	Level                 int
	TopLevel              string
	HasRequirements       bool
	DocumentedInformation bool
	DocumentedSubject     string
}

// Control is one Annex A 2022 control with its ISO/IEC 27002 attributes.
type Control struct {
	ID                      string
	Title                   string
	Theme                   string
	ControlTypes            []string
	SecurityProperties      []string
	CybersecurityConcepts   []string
	OperationalCapabilities []string
	SecurityDomains         []string
	NewIn2022               bool
	ISO2013IDs              []string
}

// Catalogue is the loaded reference data.
type Catalogue struct {
	Clauses      []Clause
	Controls     []Control
	Mappings2013 []Mapping2013
	CSF          []CSFMapping

	controlIndex map[string]int
}

var (
	once   sync.Once
	loaded Catalogue
	errLd  error
)

// Load parses the embedded data once and returns it. The data is checked
// by tests, so an error here means a broken build.
func Load() (Catalogue, error) {
	once.Do(func() { loaded, errLd = load() })
	return loaded, errLd
}

// Must returns the catalogue or panics.
func Must() Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func readCSV(name string) ([]map[string]string, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func load() (Catalogue, error) {
	var c Catalogue
	rows, err := readCSV("iso27001-2022-clauses.csv")
	if err != nil {
		return c, err
	}
	for _, r := range rows {
		var lvl int
		fmt.Sscan(r["level"], &lvl)
		c.Clauses = append(c.Clauses, Clause{
			ID: r["id"], Title: r["title"], ParentID: r["parent_id"], Level: lvl, TopLevel: r["top_level_clause"],
			HasRequirements: r["has_requirements"] == "yes", DocumentedInformation: r["documented_information"] == "yes",
			DocumentedSubject: r["documented_information_subject"],
		})
	}
	rows, err = readCSV("iso27001-2022-annex-a.csv")
	if err != nil {
		return c, err
	}
	for _, r := range rows {
		c.Controls = append(c.Controls, Control{
			ID: r["id"], Title: r["title"], Theme: r["theme"], ControlTypes: split(r["control_type"]),
			SecurityProperties: split(r["security_properties"]), CybersecurityConcepts: split(r["cybersecurity_concepts"]),
			OperationalCapabilities: split(r["operational_capabilities"]), SecurityDomains: split(r["security_domains"]),
			NewIn2022: r["new_in_2022"] == "true", ISO2013IDs: split(r["iso27001_2013_ids"]),
		})
	}
	c.controlIndex = make(map[string]int, len(c.Controls))
	for i, ct := range c.Controls {
		c.controlIndex[ct.ID] = i
	}
	if err := loadMappings(&c); err != nil {
		return c, err
	}
	return c, nil
}

// Themes lists the four Annex A themes in catalogue order.
var Themes = []string{"Organizational", "People", "Physical", "Technological"}

// Attribute names one of the five ISO/IEC 27002:2022 attribute sets and
// its vocabulary, in the order 27002 lists it.
type Attribute struct {
	Name   string // control_type, security_property …
	Values []string
}

// Attributes lists the five attribute sets a control carries.
var Attributes = []Attribute{
	{"control_type", []string{"Preventive", "Detective", "Corrective"}},
	{"security_property", []string{"Confidentiality", "Integrity", "Availability"}},
	{"cybersecurity_concept", []string{"Identify", "Protect", "Detect", "Respond", "Recover"}},
	{"operational_capability", []string{"Governance", "Asset_management", "Information_protection", "Human_resource_security",
		"Physical_security", "System_and_network_security", "Application_security", "Secure_configuration",
		"Identity_and_access_management", "Threat_and_vulnerability_management", "Continuity",
		"Supplier_relationships_security", "Legal_and_compliance", "Information_security_event_management",
		"Information_security_assurance"}},
	{"security_domain", []string{"Governance_and_Ecosystem", "Protection", "Defence", "Resilience"}},
}

// AttributeValues returns the control's values for the attribute set name
// (one of Attributes).
func (ct Control) AttributeValues(name string) []string {
	switch name {
	case "control_type":
		return ct.ControlTypes
	case "security_property":
		return ct.SecurityProperties
	case "cybersecurity_concept":
		return ct.CybersecurityConcepts
	case "operational_capability":
		return ct.OperationalCapabilities
	case "security_domain":
		return ct.SecurityDomains
	}
	return nil
}

// ClausesUnder returns the subclauses of a top-level clause ("4" … "10"),
// in catalogue order, including the clause itself.
func (c Catalogue) ClausesUnder(top string) []Clause {
	var out []Clause
	for _, cl := range c.Clauses {
		if cl.TopLevel == top {
			out = append(out, cl)
		}
	}
	return out
}

// Clause returns the clause with id.
func (c Catalogue) Clause(id string) (Clause, bool) {
	for _, cl := range c.Clauses {
		if cl.ID == id {
			return cl, true
		}
	}
	return Clause{}, false
}

// ControlsByTheme returns the controls of one theme (Organizational,
// People, Physical, Technological).
func (c Catalogue) ControlsByTheme(theme string) []Control {
	var out []Control
	for _, ct := range c.Controls {
		if ct.Theme == theme {
			out = append(out, ct)
		}
	}
	return out
}
