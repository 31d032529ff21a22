package isms

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// AssetType is what kind of thing an asset is.
type AssetType string

// The asset types.
const (
	AssetInformation     AssetType = "information"
	AssetApplication     AssetType = "application"
	AssetHardware        AssetType = "hardware"
	AssetService         AssetType = "service"
	AssetPeople          AssetType = "people"
	AssetSite            AssetType = "site"
	AssetSupplierService AssetType = "supplier_service"
)

// AssetTypes lists the asset types in display order.
var AssetTypes = []AssetType{AssetInformation, AssetApplication, AssetHardware, AssetService, AssetPeople, AssetSite, AssetSupplierService}

// Classification is how sensitive the information in or behind an asset is.
type Classification string

// The classification levels, from least to most sensitive.
const (
	ClassPublic       Classification = "public"
	ClassInternal     Classification = "internal"
	ClassConfidential Classification = "confidential"
	ClassRestricted   Classification = "restricted"
)

// Classifications lists the levels from least to most sensitive.
var Classifications = []Classification{ClassPublic, ClassInternal, ClassConfidential, ClassRestricted}

// AssetState is where an asset is in its life.
type AssetState string

// The lifecycle states.
const (
	AssetPlanned  AssetState = "planned"
	AssetInUse    AssetState = "in_use"
	AssetRetiring AssetState = "retiring"
	AssetRetired  AssetState = "retired"
)

// AssetStates lists the lifecycle states in order.
var AssetStates = []AssetState{AssetPlanned, AssetInUse, AssetRetiring, AssetRetired}

// DefaultScale is the number of levels a confidentiality, integrity or
// availability requirement may take while the organisation has no approved
// risk criteria whose consequence scale would say otherwise.
const DefaultScale = 5

// Asset is an entry of the asset register: information and the things it
// depends on (applications, hardware, services, people, sites, supplier
// services), with who owns and looks after it, how sensitive it is and
// what it needs in confidentiality, integrity and availability.
type Asset struct {
	Meta
	Name           string
	Description    string
	Type           AssetType
	OwnerID        string // user id of the member accountable for the asset
	CustodianID    string // user id of the member who looks after it day to day
	CustodianText  string // or a custodian outside Holdfast, named in words
	Location       string
	Classification Classification
	// Confidentiality, Integrity and Availability are requirement levels on
	// the organisation's consequence scale (1 = lowest); 0 means not yet
	// assessed.
	Confidentiality int
	Integrity       int
	Availability    int
	State           AssetState
	// DependsOn lists the references of the assets this one depends on,
	// sorted. On writes it may hold ids or references; the store resolves
	// them.
	DependsOn []string

	// Filled in by reads.
	OwnerName      string
	OwnerEmail     string
	CustodianName  string
	CustodianEmail string
}

// AssetFields lists the asset register's fields in display order.
var AssetFields = []FieldSpec{
	{"name", "asset.name"}, {"description", "asset.description"}, {"type", "asset.type"},
	{"owner_id", "asset.owner"}, {"custodian_id", "asset.custodian"}, {"custodian_text", "asset.custodian_text"},
	{"location", "asset.location"}, {"classification", "asset.classification"},
	{"confidentiality", "asset.confidentiality"}, {"integrity", "asset.integrity"}, {"availability", "asset.availability"},
	{"state", "asset.state"}, {"depends_on", "asset.depends_on"},
}

// Fields returns the stored field values for the audit log and history.
func (x Asset) Fields() map[string]any {
	return map[string]any{
		"name": x.Name, "description": x.Description, "type": string(x.Type), "owner_id": x.OwnerID,
		"custodian_id": x.CustodianID, "custodian_text": x.CustodianText, "location": x.Location,
		"classification": string(x.Classification), "confidentiality": levelText(x.Confidentiality),
		"integrity": levelText(x.Integrity), "availability": levelText(x.Availability),
		"state": string(x.State), "depends_on": strings.Join(x.DependsOn, ", "),
	}
}

func levelText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Normalize trims inputs, defaults the lifecycle state to "in use" and the
// classification to "internal", and tidies the dependency list (trimmed,
// de-duplicated, sorted).
func (x *Asset) Normalize() {
	x.Name, x.Description, x.Location = Clean(x.Name), Clean(x.Description), Clean(x.Location)
	x.OwnerID, x.CustodianID, x.CustodianText = Clean(x.OwnerID), Clean(x.CustodianID), Clean(x.CustodianText)
	x.Type = AssetType(strings.ToLower(Clean(string(x.Type))))
	x.Classification = Classification(strings.ToLower(Clean(string(x.Classification))))
	x.State = AssetState(strings.ToLower(Clean(string(x.State))))
	if x.State == "" {
		x.State = AssetInUse
	}
	if x.Classification == "" {
		x.Classification = ClassInternal
	}
	x.DependsOn = CleanList(x.DependsOn)
}

// CleanList trims every item, drops empty ones and duplicates (ignoring
// case) and sorts the rest.
func CleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = Clean(s)
		if s == "" || seen[strings.ToUpper(s)] {
			continue
		}
		seen[strings.ToUpper(s)] = true
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// SplitList splits a comma-, semicolon- or line-separated list as people
// type it ("AS-001, AS-002").
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == '|' })
}

// Validate checks an asset on its own. scale is the number of levels of the
// organisation's consequence scale (DefaultScale without approved
// criteria). The store checks that owner and custodian are members and the
// dependencies exist.
func (x Asset) Validate(scale int) error {
	var p Problems
	checkText(&p, "name", x.Name, true, 200)
	checkText(&p, "description", x.Description, false, 5000)
	checkText(&p, "location", x.Location, false, 200)
	checkText(&p, "custodian_text", x.CustodianText, false, 200)
	if !slices.Contains(AssetTypes, x.Type) {
		p.Add("type", "validation.choice")
	}
	if !slices.Contains(Classifications, x.Classification) {
		p.Add("classification", "validation.choice")
	}
	if !slices.Contains(AssetStates, x.State) {
		p.Add("state", "validation.choice")
	}
	if scale < 1 {
		scale = DefaultScale
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"confidentiality", x.Confidentiality}, {"integrity", x.Integrity}, {"availability", x.Availability}} {
		if f.v < 0 || f.v > scale {
			p.Add(f.name, "validation.level", scale)
		}
	}
	if x.CustodianID != "" && x.CustodianText != "" {
		p.Add("custodian_text", "validation.custodian_both")
	}
	if len(x.DependsOn) > 200 {
		p.Add("depends_on", "validation.too_many", 200)
	}
	for _, d := range x.DependsOn {
		if x.ID != "" && (d == x.ID || (x.Ref != "" && strings.EqualFold(d, x.Ref))) {
			p.Add("depends_on", "validation.depends_self")
			break
		}
	}
	return p.Err()
}

var assetRefRE = regexp.MustCompile(`^(?i)AS-\d{3,}$`)

// IsAssetRef reports whether s looks like an asset reference ("AS-014").
func IsAssetRef(s string) bool { return assetRefRE.MatchString(s) }

// AssetRow is one row of an asset import file, as read from the file.
// Ref names an existing asset to update; empty means a new asset. Version,
// when the file gives it, is the version the row was exported at: the row
// is refused if the asset has changed since. Owner and Custodian are as
// written in the file (a member's email address; for the custodian, free
// text otherwise). DependsOn names assets by reference or by name (an
// asset in the register or a row of the same file). Present lists the
// columns the file has: an update leaves the fields of absent columns as
// they are. Problems are what was wrong with the cells themselves (a word
// where a number belongs).
type AssetRow struct {
	Line      int
	Ref       string
	Version   int
	Asset     Asset
	Owner     string
	Custodian string
	DependsOn []string
	Present   map[string]bool
	Problems  []FieldError
}

// Import actions: what an import did, or would do, with a row.
const (
	ImportCreate    = "create"
	ImportUpdate    = "update"
	ImportUnchanged = "unchanged"
)

// AssetRowResult is what an import found for one row.
type AssetRowResult struct {
	Line     int
	Ref      string // the asset's reference; empty for a new asset before it is stored
	Name     string
	Action   string // ImportCreate, ImportUpdate or ImportUnchanged
	Problems []FieldError
}

// AssetImportReport is the row-by-row outcome of an asset import or of its
// dry run.
type AssetImportReport struct {
	Rows                        []AssetRowResult
	Created, Updated, Unchanged int
	// Applied is set when the import was written (not a dry run, no problems).
	Applied bool
}

// Valid reports whether no row has a problem.
func (r AssetImportReport) Valid() bool { return r.ProblemRows() == 0 }

// ProblemRows counts the rows with at least one problem.
func (r AssetImportReport) ProblemRows() int {
	n := 0
	for _, row := range r.Rows {
		if len(row.Problems) > 0 {
			n++
		}
	}
	return n
}
