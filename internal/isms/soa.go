package isms

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// RecordRef names another record that a control is linked to.
type RecordRef struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// EvidenceRef names a piece of evidence supporting a control, with the
// date it stops being valid ("" for no end).
type EvidenceRef struct {
	ID         string `json:"id"`
	Ref        string `json:"ref"`
	Title      string `json:"title"`
	ValidUntil string `json:"valid_until,omitempty"`
}

// JustifyingLinks are the record types whose links to a control justify
// including it: the risks it treats and the requirements (legal,
// regulatory, contractual, customer) it meets. A register that can
// justify controls adds itself here.
var JustifyingLinks = map[string]bool{"risk": true, "requirement": true}

// WarningKind names one SoA consistency problem.
type WarningKind string

// The SoA consistency warnings.
const (
	// WarnUndecided: the control has no decision yet.
	WarnUndecided WarningKind = "undecided"
	// WarnExcludedTreatsRisk: excluded although a risk's treatment uses it.
	WarnExcludedTreatsRisk WarningKind = "excluded_treats_risk"
	// WarnIncludedUnjustified: included with no linked risk or requirement
	// and no justification text.
	WarnIncludedUnjustified WarningKind = "included_unjustified"
	// WarnExcludedNoReason: excluded without a reason or explanation.
	WarnExcludedNoReason WarningKind = "excluded_no_reason"
	// WarnImplementedNoEvidence: marked implemented with no evidence.
	WarnImplementedNoEvidence WarningKind = "implemented_no_evidence"
	// WarnEvidenceExpired: a piece of linked evidence is past its
	// valid-until date.
	WarnEvidenceExpired WarningKind = "evidence_expired"
)

// SoAWarning is one consistency problem of one control. Evidence names
// the expired piece for WarnEvidenceExpired.
type SoAWarning struct {
	Kind     WarningKind
	Evidence *EvidenceRef
}

// SoALine is one line of the Statement of Applicability: a control with
// what justifies it and what is wrong with it.
type SoALine struct {
	Control      Control
	Risks        []RecordRef
	Requirements []RecordRef
	Evidence     []EvidenceRef
	Warnings     []SoAWarning
}

// Justified reports whether something besides the decision itself
// explains an inclusion.
func (l SoALine) Justified() bool {
	return len(l.Risks) > 0 || len(l.Requirements) > 0 || l.Control.Justification != ""
}

// BuildSoA puts together the SoA from the organisation's controls (in
// display order), every link arriving at a control, and its active
// evidence by id. today is YYYY-MM-DD in the organisation's time zone.
// Links from records not in evidence and not justifying are ignored, so
// a link to archived evidence does not count.
func BuildSoA(controls []Control, links []Link, refs map[string]RecordRef, evidence map[string]EvidenceRef, today string) []SoALine {
	byControl := map[string][]Link{}
	for _, l := range links {
		if l.ToType == "control" {
			byControl[l.ToID] = append(byControl[l.ToID], l)
		}
	}
	lines := make([]SoALine, 0, len(controls))
	for _, c := range controls {
		line := SoALine{Control: c}
		for _, l := range byControl[c.ID] {
			switch {
			case l.FromType == "evidence":
				if e, ok := evidence[l.FromID]; ok {
					line.Evidence = append(line.Evidence, e)
				}
			case JustifyingLinks[l.FromType]:
				r, ok := refs[l.FromType+":"+l.FromID]
				if !ok {
					continue // archived or gone
				}
				if l.FromType == "risk" {
					line.Risks = append(line.Risks, r)
				} else {
					line.Requirements = append(line.Requirements, r)
				}
			}
		}
		sortRefs(line.Risks)
		sortRefs(line.Requirements)
		sort.Slice(line.Evidence, func(i, j int) bool { return line.Evidence[i].Ref < line.Evidence[j].Ref })
		line.Warnings = line.Check(today)
		lines = append(lines, line)
	}
	return lines
}

func sortRefs(r []RecordRef) {
	sort.Slice(r, func(i, j int) bool { return r[i].Ref < r[j].Ref })
}

// Check returns the line's consistency warnings as of today.
func (l SoALine) Check(today string) []SoAWarning {
	var w []SoAWarning
	c := l.Control
	switch c.Decision {
	case DecisionNone:
		w = append(w, SoAWarning{Kind: WarnUndecided})
	case DecisionIncluded:
		if !l.Justified() {
			w = append(w, SoAWarning{Kind: WarnIncludedUnjustified})
		}
	case DecisionExcluded:
		if len(l.Risks) > 0 {
			w = append(w, SoAWarning{Kind: WarnExcludedTreatsRisk})
		}
		if c.ExclusionReason == "" || c.ExclusionText == "" {
			w = append(w, SoAWarning{Kind: WarnExcludedNoReason})
		}
	}
	if c.Status == StatusImplemented && len(l.Evidence) == 0 {
		w = append(w, SoAWarning{Kind: WarnImplementedNoEvidence})
	}
	for i := range l.Evidence {
		if e := l.Evidence[i]; e.ValidUntil != "" && e.ValidUntil < today {
			w = append(w, SoAWarning{Kind: WarnEvidenceExpired, Evidence: &e})
		}
	}
	return w
}

// SoASummary counts an SoA's lines for its page header and exports.
type SoASummary struct {
	Controls, Included, Excluded, Undecided, Implemented, Warnings int
}

// Summarize counts lines by decision and warnings.
func Summarize(lines []SoALine) SoASummary {
	var s SoASummary
	for _, l := range lines {
		s.Controls++
		switch l.Control.Decision {
		case DecisionIncluded:
			s.Included++
		case DecisionExcluded:
			s.Excluded++
		default:
			s.Undecided++
		}
		if l.Control.Status == StatusImplemented {
			s.Implemented++
		}
		s.Warnings += len(l.Warnings)
	}
	return s
}

// SoAEntry is one line of a published (frozen) SoA version: everything
// an auditor reads on it, as it was at approval.
type SoAEntry struct {
	ControlID       string        `json:"control_id"`
	Ref             string        `json:"ref"`
	Title           string        `json:"title"`
	Theme           string        `json:"theme"`
	Kind            ControlKind   `json:"kind"`
	Decision        Decision      `json:"decision"`
	Justification   string        `json:"justification,omitempty"`
	ExclusionReason string        `json:"exclusion_reason,omitempty"`
	ExclusionText   string        `json:"exclusion_text,omitempty"`
	ReplacedBy      string        `json:"replaced_by,omitempty"` // reference of the replacing control
	Risks           []RecordRef   `json:"risks,omitempty"`
	Requirements    []RecordRef   `json:"requirements,omitempty"`
	Status          ControlStatus `json:"status"`
	Owner           string        `json:"owner,omitempty"` // name
	Evidence        []EvidenceRef `json:"evidence,omitempty"`
	Warnings        []WarningKind `json:"warnings,omitempty"`
}

// JustificationKey is a canonical form of everything that justifies the
// entry's decision, for comparing two versions.
func (e SoAEntry) JustificationKey() string {
	var b strings.Builder
	for _, r := range e.Risks {
		b.WriteString("risk:" + r.Ref + "\x1f")
	}
	for _, r := range e.Requirements {
		b.WriteString("req:" + r.Ref + "\x1f")
	}
	b.WriteString(e.Justification + "\x1f" + e.ExclusionReason + "\x1f" + e.ReplacedBy + "\x1f" + e.ExclusionText)
	return b.String()
}

// Entries freezes lines into published entries.
func Entries(lines []SoALine) []SoAEntry {
	out := make([]SoAEntry, len(lines))
	for i, l := range lines {
		c := l.Control
		e := SoAEntry{
			ControlID: c.ID, Ref: c.Ref, Title: c.Title, Theme: c.Theme, Kind: c.Kind, Decision: c.Decision,
			Justification: c.Justification, ExclusionReason: string(c.ExclusionReason), ExclusionText: c.ExclusionText,
			ReplacedBy: c.ReplacedByRef, Risks: l.Risks, Requirements: l.Requirements, Status: c.Status,
			Owner: c.OwnerName, Evidence: l.Evidence,
		}
		for _, w := range l.Warnings {
			e.Warnings = append(e.Warnings, w.Kind)
		}
		out[i] = e
	}
	return out
}

// SoAFingerprint summarises what DiffSoA compares — which controls there
// are, and each one's decision, justification and status — as a hash: two
// lists of entries have equal fingerprints exactly when DiffSoA finds no
// change between them.
func SoAFingerprint(entries []SoAEntry) string {
	keys := make([]string, len(entries))
	for i := range entries {
		e := &entries[i]
		keys[i] = strings.Join([]string{e.ControlID, string(e.Decision), e.JustificationKey(), string(e.Status)}, "\x1f")
	}
	sort.Strings(keys)
	h := sha256.Sum256([]byte(strings.Join(keys, "\x1e")))
	return hex.EncodeToString(h[:])
}

// SoAVersion is one approved, immutable edition of the SoA.
type SoAVersion struct {
	ID           string
	OrgID        string
	Number       int
	ApprovedAt   time.Time
	ApprovedBy   string // user id
	ApproverName string
	ApproverRole Role
	Note         string
	Entries      []SoAEntry
}

// Summary counts the version's entries.
func (v SoAVersion) Summary() SoASummary {
	var s SoASummary
	for _, e := range v.Entries {
		s.Controls++
		switch e.Decision {
		case DecisionIncluded:
			s.Included++
		case DecisionExcluded:
			s.Excluded++
		default:
			s.Undecided++
		}
		if e.Status == StatusImplemented {
			s.Implemented++
		}
		s.Warnings += len(e.Warnings)
	}
	return s
}

// SoAChangeKind says how a control's line differs between two versions.
type SoAChangeKind string

// The kinds of SoA change.
const (
	SoAAdded   SoAChangeKind = "added"
	SoARemoved SoAChangeKind = "removed"
	SoAChanged SoAChangeKind = "changed"
)

// SoAChange is one control whose line differs between two versions.
// Fields names what changed for SoAChanged: decision, justification,
// status.
type SoAChange struct {
	Ref, Title    string
	Kind          SoAChangeKind
	Fields        []string
	Before, After *SoAEntry
}

// Changed reports whether field is among the change's fields.
func (c SoAChange) Changed(field string) bool {
	for _, f := range c.Fields {
		if f == field {
			return true
		}
	}
	return false
}

// DiffSoA lists the controls whose decision, justification or status
// differ between two versions, in the order of to (then removed ones).
func DiffSoA(from, to []SoAEntry) []SoAChange {
	old := map[string]*SoAEntry{}
	for i := range from {
		old[from[i].ControlID] = &from[i]
	}
	var out []SoAChange
	seen := map[string]bool{}
	for i := range to {
		a := &to[i]
		seen[a.ControlID] = true
		b, ok := old[a.ControlID]
		if !ok {
			out = append(out, SoAChange{Ref: a.Ref, Title: a.Title, Kind: SoAAdded, After: a})
			continue
		}
		var fields []string
		if a.Decision != b.Decision {
			fields = append(fields, "decision")
		}
		if a.JustificationKey() != b.JustificationKey() {
			fields = append(fields, "justification")
		}
		if a.Status != b.Status {
			fields = append(fields, "status")
		}
		if len(fields) > 0 {
			out = append(out, SoAChange{Ref: a.Ref, Title: a.Title, Kind: SoAChanged, Fields: fields, Before: b, After: a})
		}
	}
	for i := range from {
		if b := &from[i]; !seen[b.ControlID] {
			out = append(out, SoAChange{Ref: b.Ref, Title: b.Title, Kind: SoARemoved, Before: b})
		}
	}
	return out
}
