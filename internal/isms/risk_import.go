package isms

// RiskRow is one row of a risk register import file, as read from the
// file. Ref names an existing risk to update; empty means a new risk.
// Version, when the file gives it, is the version the row was exported at:
// the row is refused if the risk has changed since. Owner is the risk
// owner's email address. The four rating cells are kept as written ("4 ·
// Likely", "4" or "Likely") because they are read against the criteria in
// force. Controls and Assets name linked records by reference. Present
// lists the columns the file has: an update leaves the fields of absent
// columns as they are. Problems are what was wrong with the cells
// themselves (a word where a number belongs).
type RiskRow struct {
	Line    int
	Ref     string
	Version int
	// Risk carries the plain fields: kind, title, texts, category, CIA,
	// treatment, priority and next review.
	Risk                                    Risk
	Owner                                   string
	InherentLikelihood, InherentConsequence string
	ResidualLikelihood, ResidualConsequence string
	Controls, Assets                        []string
	Present                                 map[string]bool
	Problems                                []FieldError
}

// Has reports whether the file has column key (a file read without a
// header, as in tests, has every column).
func (r RiskRow) Has(key string) bool { return r.Present == nil || r.Present[key] }

// RiskImportReport is the row-by-row outcome of a risk import or of its
// dry run. It is the asset import's report: each row's Name is the risk's
// title, its Action one of ImportCreate, ImportUpdate or ImportUnchanged.
type RiskImportReport = AssetImportReport

// RiskExportRefs is what the register export adds to the risks themselves
// so that the file can be imported back: the owners' email addresses by
// user id, and the references of the controls and assets each risk is
// linked to, by risk id.
type RiskExportRefs struct {
	OwnerEmail       map[string]string
	Controls, Assets map[string][]string
}
