package isms

import (
	"regexp"
	"strings"
)

// ControlKind says where a control comes from.
type ControlKind string

// The control kinds.
const (
	// ControlAnnexA is one of the 93 ISO/IEC 27001:2022 Annex A controls;
	// its number, title, theme and attributes come from the catalogue.
	ControlAnnexA ControlKind = "annex_a"
	// ControlCustom is a control the organisation defines itself.
	ControlCustom ControlKind = "custom"
)

// ControlStatus is how far a control is implemented.
type ControlStatus string

// The implementation statuses, in the order a control moves through them.
const (
	StatusNotStarted    ControlStatus = "not_started"
	StatusPlanned       ControlStatus = "planned"
	StatusPartial       ControlStatus = "partial"
	StatusImplemented   ControlStatus = "implemented"
	StatusNotApplicable ControlStatus = "not_applicable"
)

// ControlStatuses lists the statuses in order.
var ControlStatuses = []ControlStatus{StatusNotStarted, StatusPlanned, StatusPartial, StatusImplemented, StatusNotApplicable}

// Decision is a control's Statement of Applicability decision.
type Decision string

// The decisions. A control starts undecided.
const (
	DecisionNone     Decision = ""
	DecisionIncluded Decision = "included"
	DecisionExcluded Decision = "excluded"
)

// ExclusionReason says why a control is excluded from the SoA.
type ExclusionReason string

// The exclusion reasons.
const (
	// ExcludedNotNeeded: no assessed risk or requirement needs it.
	ExcludedNotNeeded ExclusionReason = "not_needed"
	// ExcludedOutOfScope: what it protects is outside the ISMS scope.
	ExcludedOutOfScope ExclusionReason = "out_of_scope"
	// ExcludedReplaced: a custom control (named) does its job instead.
	ExcludedReplaced ExclusionReason = "replaced"
)

// ExclusionReasons lists the reasons in display order.
var ExclusionReasons = []ExclusionReason{ExcludedNotNeeded, ExcludedOutOfScope, ExcludedReplaced}

// Themes are the four Annex A themes; a custom control picks one too, so
// that the register groups it with its neighbours.
var Themes = []string{"Organizational", "People", "Physical", "Technological"}

// Control is one control of an organisation: an Annex A control or one of
// its own, with how it is implemented and its SoA decision.
type Control struct {
	Meta // Ref is "A.5.1" for Annex A controls, the firm's own code otherwise
	Kind ControlKind
	// CatalogID is the Annex A number ("5.1"); empty for custom controls.
	CatalogID   string
	Title       string
	Description string // custom controls only; Annex A descriptions come from the catalogue
	Theme       string
	// The five ISO/IEC 27002 attribute sets (values as in the catalogue).
	ControlTypes            []string
	SecurityProperties      []string
	CybersecurityConcepts   []string
	OperationalCapabilities []string
	SecurityDomains         []string
	// RelatedIDs are the Annex A controls a custom control relates to
	// (catalogue numbers such as "8.1").
	RelatedIDs []string

	OwnerID        string // user id of the member who owns the control
	Status         ControlStatus
	Implementation string // how it is implemented (Markdown)
	LastReview     string // YYYY-MM-DD
	NextReview     string // YYYY-MM-DD
	Effectiveness  string // effectiveness notes
	// LicensedText is the standard's own text for the control, pasted or
	// imported by an organisation that holds a licence; it is never shown
	// outside that organisation.
	LicensedText string

	Decision        Decision
	Justification   string // optional inclusion justification text
	ExclusionReason ExclusionReason
	ReplacedByID    string // the custom control replacing an excluded one
	ExclusionText   string

	// Filled in by reads.
	OwnerName     string
	ReplacedByRef string
}

// AttributeValues returns the control's values of the ISO/IEC 27002
// attribute set called name (as the catalogue names it: "control_type",
// "security_property", "cybersecurity_concept", "operational_capability"
// or "security_domain"), nil for any other name.
func (c *Control) AttributeValues(name string) []string {
	switch name {
	case "control_type":
		return c.ControlTypes
	case "security_property":
		return c.SecurityProperties
	case "cybersecurity_concept":
		return c.CybersecurityConcepts
	case "operational_capability":
		return c.OperationalCapabilities
	case "security_domain":
		return c.SecurityDomains
	}
	return nil
}

// ControlFields lists a control's fields in display order.
var ControlFields = []FieldSpec{
	{"title", "control.title"}, {"description", "control.description"}, {"theme", "control.theme"},
	{"control_types", "attr.control_type"}, {"security_properties", "attr.security_property"},
	{"cybersecurity_concepts", "attr.cybersecurity_concept"}, {"operational_capabilities", "attr.operational_capability"},
	{"security_domains", "attr.security_domain"}, {"related_ids", "control.related"},
	{"owner_id", "control.owner"}, {"status", "control.status"}, {"implementation", "control.implementation"},
	{"last_review", "control.last_review"}, {"next_review", "control.next_review"},
	{"effectiveness", "control.effectiveness"}, {"licensed_text", "control.licensed_text"},
	{"decision", "control.decision"}, {"justification", "control.justification"},
	{"exclusion_reason", "control.exclusion_reason"}, {"replaced_by_id", "control.replaced_by"},
	{"exclusion_text", "control.exclusion_text"},
}

// Fields returns the stored field values for the audit log and history.
func (c Control) Fields() map[string]any {
	return map[string]any{
		"title": c.Title, "description": c.Description, "theme": c.Theme,
		"control_types": strings.Join(c.ControlTypes, ", "), "security_properties": strings.Join(c.SecurityProperties, ", "),
		"cybersecurity_concepts": strings.Join(c.CybersecurityConcepts, ", "), "operational_capabilities": strings.Join(c.OperationalCapabilities, ", "),
		"security_domains": strings.Join(c.SecurityDomains, ", "), "related_ids": strings.Join(c.RelatedIDs, ", "),
		"owner_id": c.OwnerID, "status": string(c.Status), "implementation": c.Implementation,
		"last_review": c.LastReview, "next_review": c.NextReview, "effectiveness": c.Effectiveness,
		"licensed_text": c.LicensedText, "decision": string(c.Decision), "justification": c.Justification,
		"exclusion_reason": string(c.ExclusionReason), "replaced_by_id": c.ReplacedByID, "exclusion_text": c.ExclusionText,
	}
}

// Normalize trims inputs, defaults the status and drops exclusion details
// from a control that is not excluded (and the replacement from one not
// replaced), so stale values never linger behind a changed decision.
func (c *Control) Normalize() {
	c.Ref = Clean(c.Ref)
	c.Title, c.Description, c.Theme = Clean(c.Title), Clean(c.Description), Clean(c.Theme)
	c.OwnerID, c.Implementation = Clean(c.OwnerID), Clean(c.Implementation)
	c.LastReview, c.NextReview, c.Effectiveness = Clean(c.LastReview), Clean(c.NextReview), Clean(c.Effectiveness)
	c.LicensedText, c.Justification, c.ExclusionText = Clean(c.LicensedText), Clean(c.Justification), Clean(c.ExclusionText)
	c.ReplacedByID = Clean(c.ReplacedByID)
	if c.Status == "" {
		c.Status = StatusNotStarted
	}
	for _, s := range []*[]string{&c.ControlTypes, &c.SecurityProperties, &c.CybersecurityConcepts, &c.OperationalCapabilities, &c.SecurityDomains, &c.RelatedIDs} {
		*s = cleanList(*s)
	}
	if c.Decision != DecisionExcluded {
		c.ExclusionReason, c.ExclusionText = "", ""
	}
	if c.ExclusionReason != ExcludedReplaced {
		c.ReplacedByID = ""
	}
}

func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		v = Clean(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

var customRefRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$`)

// ValidCustomRef reports whether s can identify a custom control: 1–20
// letters, digits, dots, hyphens and underscores, not starting with "A."
// (reserved for Annex A).
func ValidCustomRef(s string) bool {
	return customRefRE.MatchString(s) && !strings.HasPrefix(strings.ToUpper(s), "A.")
}

// Validate checks a control on its own; the store checks the owner is a
// member, the replacing control exists and catalogue numbers are known.
func (c Control) Validate() error {
	var p Problems
	switch c.Kind {
	case ControlAnnexA:
	case ControlCustom:
		if c.Ref == "" {
			p.Add("ref", "validation.required")
		} else if !ValidCustomRef(c.Ref) {
			p.Add("ref", "validation.control_ref")
		}
		checkText(&p, "title", c.Title, true, 300)
		checkText(&p, "description", c.Description, false, 5000)
		if c.Theme == "" {
			p.Add("theme", "validation.required")
		} else if !oneOf(c.Theme, Themes) {
			p.Add("theme", "validation.choice")
		}
	default:
		p.Add("kind", "validation.choice")
	}
	if !oneOf(string(c.Status), statusNames()) {
		p.Add("status", "validation.choice")
	}
	checkText(&p, "implementation", c.Implementation, false, 20000)
	checkText(&p, "effectiveness", c.Effectiveness, false, 5000)
	checkText(&p, "licensed_text", c.LicensedText, false, 20000)
	checkText(&p, "justification", c.Justification, false, 5000)
	checkText(&p, "exclusion_text", c.ExclusionText, false, 5000)
	checkDate(&p, "last_review", c.LastReview)
	checkDate(&p, "next_review", c.NextReview)
	if c.LastReview != "" && c.NextReview != "" && !p.Has("last_review") && !p.Has("next_review") && c.NextReview < c.LastReview {
		p.Add("next_review", "validation.review_before_last")
	}
	switch c.Decision {
	case DecisionNone, DecisionIncluded, DecisionExcluded:
	default:
		p.Add("decision", "validation.choice")
	}
	if c.ExclusionReason != "" && !oneOf(string(c.ExclusionReason), reasonNames()) {
		p.Add("exclusion_reason", "validation.choice")
	}
	if c.ExclusionReason == ExcludedReplaced {
		switch {
		case c.ReplacedByID == "":
			p.Add("replaced_by_id", "validation.replaced_by")
		case c.ReplacedByID == c.ID:
			p.Add("replaced_by_id", "validation.replaced_by_self")
		}
	}
	return p.Err()
}

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

func statusNames() []string {
	out := make([]string, len(ControlStatuses))
	for i, s := range ControlStatuses {
		out[i] = string(s)
	}
	return out
}

func reasonNames() []string {
	out := make([]string, len(ExclusionReasons))
	for i, r := range ExclusionReasons {
		out[i] = string(r)
	}
	return out
}

// ValidStatus reports whether s is a known implementation status.
func ValidStatus(s string) bool { return oneOf(s, statusNames()) }

// ControlSortKey orders controls as people expect: Annex A by number
// (5.2 before 5.10), then custom controls by their code.
func ControlSortKey(kind ControlKind, catalogID, ref string) string {
	if kind == ControlAnnexA {
		major, minor, _ := strings.Cut(catalogID, ".")
		return "a" + pad(major, 2) + "." + pad(minor, 3)
	}
	return "c" + strings.ToLower(ref)
}

func pad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// AnnexARef is the reference an Annex A control carries ("A.5.1").
func AnnexARef(catalogID string) string { return "A." + catalogID }
