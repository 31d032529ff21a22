package isms

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
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
	// Evidence is the active evidence linked to the control, by reference.
	// In an overview of the SoA (see SoASource.EvidenceCounts) it holds
	// only the pieces that have expired.
	Evidence []EvidenceRef
	// EvidenceCount is how many pieces of active evidence are linked to
	// the control.
	EvidenceCount int
	Warnings      []SoAWarning
}

// Justified reports whether something besides the decision itself
// explains an inclusion.
func (l SoALine) Justified() bool {
	return len(l.Risks) > 0 || len(l.Requirements) > 0 || l.Control.Justification != ""
}

// SoASource is what the SoA is derived from. Records linked to a control
// count only while active: archived risks, requirements and evidence are
// left out by whoever fills it in.
type SoASource struct {
	// Controls are the organisation's active controls in display order.
	Controls []Control
	// Justifying lists, by control id, the active records whose links
	// justify including the control (JustifyingLinks): risks (Type
	// "risk") and requirements.
	Justifying map[string][]RecordRef
	// Evidence lists, by control id, the active evidence linked to the
	// control, in any order.
	Evidence map[string][]EvidenceRef
	// EvidenceCounts, when not nil, counts each control's active evidence
	// by control id, and Evidence need hold only the pieces that have
	// expired by Today: an overview, for showing counts and warnings.
	EvidenceCounts map[string]int
	// Today is YYYY-MM-DD in the organisation's time zone; the warnings
	// are checked against it.
	Today string
}

// BuildSoA puts together the SoA from src: one line per control, in the
// order of src.Controls, with its justifying records and evidence sorted
// by reference and its warnings as of src.Today.
func BuildSoA(src SoASource) []SoALine {
	lines := make([]SoALine, 0, len(src.Controls))
	for _, c := range src.Controls {
		line := SoALine{Control: c, Evidence: src.Evidence[c.ID]}
		for _, r := range src.Justifying[c.ID] {
			if r.Type == "risk" {
				line.Risks = append(line.Risks, r)
			} else {
				line.Requirements = append(line.Requirements, r)
			}
		}
		sortRefs(line.Risks)
		sortRefs(line.Requirements)
		slices.SortFunc(line.Evidence, func(a, b EvidenceRef) int { return strings.Compare(a.Ref, b.Ref) })
		line.EvidenceCount = len(line.Evidence)
		if src.EvidenceCounts != nil {
			line.EvidenceCount = src.EvidenceCounts[c.ID]
		}
		line.Warnings = line.Check(src.Today)
		lines = append(lines, line)
	}
	return lines
}

func sortRefs(r []RecordRef) {
	slices.SortFunc(r, func(a, b RecordRef) int { return strings.Compare(a.Ref, b.Ref) })
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
	if c.Status == StatusImplemented && l.EvidenceCount == 0 {
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
		s.add(l.Control.Decision, l.Control.Status, len(l.Warnings))
	}
	return s
}

// SummarizeEntries counts a version's entries by decision and warnings,
// as Summarize counted the lines they were made from.
func SummarizeEntries(entries []SoAEntry) SoASummary {
	var s SoASummary
	for _, e := range entries {
		s.add(e.Decision, e.Status, len(e.Warnings))
	}
	return s
}

func (s *SoASummary) add(d Decision, st ControlStatus, warnings int) {
	s.Controls++
	switch d {
	case DecisionIncluded:
		s.Included++
	case DecisionExcluded:
		s.Excluded++
	default:
		s.Undecided++
	}
	if st == StatusImplemented {
		s.Implemented++
	}
	s.Warnings += warnings
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
	// Summary counts the entries as approved; it is kept with the version,
	// so a list of versions carries it without their entries.
	Summary SoASummary
	// Entries are the lines as approved; nil in a list of versions.
	Entries []SoAEntry
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
