package isms

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RiskKind is how a risk was identified (clause 6.1.2 c) or, for risks to
// the ISMS itself and opportunities, what it is (clause 6.1.1).
type RiskKind string

// The risk kinds.
const (
	// RiskScenario is an event with its causes and consequences.
	RiskScenario RiskKind = "scenario"
	// RiskAsset is an asset exposed to a threat through a vulnerability.
	RiskAsset RiskKind = "asset"
	// RiskISMS is a risk to the ISMS itself (e.g. weak management engagement).
	RiskISMS RiskKind = "isms"
	// RiskOpportunity is an opportunity to improve the ISMS or the firm.
	RiskOpportunity RiskKind = "opportunity"
)

// RiskKinds lists the kinds in order.
var RiskKinds = []RiskKind{RiskScenario, RiskAsset, RiskISMS, RiskOpportunity}

// TreatmentOption is one way of treating a risk (clause 6.1.3 a).
type TreatmentOption string

// The treatment options.
const (
	TreatAvoid  TreatmentOption = "avoid"  // stop the activity that gives rise to the risk
	TreatTake   TreatmentOption = "take"   // take or increase the risk to pursue an opportunity
	TreatModify TreatmentOption = "modify" // reduce likelihood or consequence with controls
	TreatShare  TreatmentOption = "share"  // insurance, outsourcing, contracts
	TreatRetain TreatmentOption = "retain" // accept the risk as it is
)

// TreatmentOptions lists the options in order.
var TreatmentOptions = []TreatmentOption{TreatAvoid, TreatTake, TreatModify, TreatShare, TreatRetain}

// RiskStatus is where a risk stands in the assess → treat → accept cycle.
// It is derived from the risk's content by DeriveStatus, never set by hand.
type RiskStatus string

// The risk statuses, in the order a risk passes through them.
const (
	RiskIdentified RiskStatus = "identified" // not rated yet
	RiskAssessed   RiskStatus = "assessed"   // rated, no treatment chosen
	RiskPlanned    RiskStatus = "planned"    // treatment chosen, not approved by the owner
	RiskApproved   RiskStatus = "approved"   // the owner approved the treatment plan
	RiskAccepted   RiskStatus = "accepted"   // the owner accepted the residual risk
)

// RiskStatuses lists the statuses in order.
var RiskStatuses = []RiskStatus{RiskIdentified, RiskAssessed, RiskPlanned, RiskApproved, RiskAccepted}

// The affected security properties, written as a subset of "CIA".
const ciaLetters = "CIA"

// Rating is one likelihood × consequence assessment of a risk under a
// criteria version. Zero values mean "not rated". When the criteria have
// consequence dimensions, Dims holds the value per dimension and
// Consequence is the worst of them. Level and Rank are computed.
type Rating struct {
	Likelihood  int
	Consequence int
	Dims        map[string]int
	Level       string
	Rank        int
}

// Rated reports whether the rating has both values.
func (r Rating) Rated() bool { return r.Likelihood > 0 && r.Consequence > 0 }

// Same reports whether two ratings give the same values.
func (r Rating) Same(o Rating) bool {
	return r.Likelihood == o.Likelihood && r.Consequence == o.Consequence && dimsText(r.Dims) == dimsText(o.Dims)
}

// DimsText encodes the per-dimension values as stored (JSON, sorted keys).
func (r Rating) DimsText() string { return dimsText(r.Dims) }

func dimsText(d map[string]int) string {
	clean := map[string]int{}
	for k, v := range d {
		if v > 0 {
			clean[k] = v
		}
	}
	if len(clean) == 0 {
		return ""
	}
	b, _ := json.Marshal(clean) // encoding/json sorts map keys
	return string(b)
}

// ParseDims decodes stored per-dimension values.
func ParseDims(s string) map[string]int {
	if s == "" {
		return nil
	}
	if m, ok := parseFlatDims(s); ok {
		return m
	}
	var m map[string]int
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// parseFlatDims reads what dimsText writes, {"name":3,...} with ASCII
// names and small numbers, without encoding/json's reflection (a risk list
// decodes two of these per row). Anything else is left to encoding/json.
func parseFlatDims(s string) (map[string]int, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	m := map[string]int{}
	rest := s[1 : len(s)-1]
	for rest != "" {
		if rest[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false
		}
		key := rest[1 : 1+end]
		for i := 0; i < len(key); i++ {
			if key[i] < ' ' || key[i] > '~' || key[i] == '\\' { // escapes, control bytes, non-ASCII
				return nil, false
			}
		}
		rest = rest[2+end:]
		if rest == "" || rest[0] != ':' {
			return nil, false
		}
		rest = rest[1:]
		n, digits := 0, 0
		for digits < len(rest) && digits < 9 && rest[digits] >= '0' && rest[digits] <= '9' {
			n = n*10 + int(rest[digits]-'0')
			digits++
		}
		if digits == 0 || (digits > 1 && rest[0] == '0') {
			return nil, false
		}
		m[key] = n
		rest = rest[digits:]
		if rest == "" {
			break
		}
		if rest[0] != ',' || len(rest) == 1 {
			return nil, false
		}
		rest = rest[1:]
	}
	return m, true
}

// Risk is an entry of the risk register (clauses 6.1.2 and 6.1.3).
type Risk struct {
	Meta
	Kind        RiskKind
	Title       string
	Description string // the event or scenario
	Causes      string
	Impacts     string // what would happen (consequences in words)
	Category    string
	OwnerID     string // user id of the risk owner, a member
	CIA         string // affected properties: a subset of "CIA" in that order
	// ExistingControls describes what is already in place when rating.
	ExistingControls string

	// CriteriaID names the criteria version every rating of this risk was
	// made under; CriteriaNumber is its number, for display.
	CriteriaID     string
	CriteriaNumber int
	Inherent       Rating
	Residual       Rating // expected residual risk once treated

	Treatment      []TreatmentOption
	TreatmentNotes string
	Priority       int    // 1 = treat first; 0 = not set
	NextReview     string // YYYY-MM-DD
	Status         RiskStatus

	// Decisions, kept current by the store (see RiskDecision).
	PlanApprovedAt   string // timestamp, "" when no valid approval
	AcceptedUntil    string // YYYY-MM-DD, "" when no valid acceptance
	AcceptConcession bool   // the acceptance is a concession above the criteria

	// Filled in by reads.
	OwnerName    string
	ActionsTotal int // open + done treatment actions (cancelled ones left out)
	ActionsDone  int
}

// RiskFields lists a risk's fields in display order.
var RiskFields = []FieldSpec{
	{"kind", "risk.kind"}, {"title", "risk.title"}, {"description", "risk.description"},
	{"causes", "risk.causes"}, {"impacts", "risk.impacts"}, {"category", "risk.category"},
	{"owner_id", "risk.owner"}, {"cia", "risk.cia"}, {"existing_controls", "risk.existing_controls"},
	{"criteria_number", "risk.criteria_version"},
	{"inherent_likelihood", "risk.inherent_likelihood"}, {"inherent_consequence", "risk.inherent_consequence"},
	{"inherent_dims", "risk.inherent_dims"}, {"inherent_level", "risk.inherent_level"},
	{"residual_likelihood", "risk.residual_likelihood"}, {"residual_consequence", "risk.residual_consequence"},
	{"residual_dims", "risk.residual_dims"}, {"residual_level", "risk.residual_level"},
	{"treatment", "risk.treatment"}, {"treatment_notes", "risk.treatment_notes"},
	{"priority", "risk.priority"}, {"next_review", "risk.next_review"}, {"status", "risk.status"},
	{"plan_approved_at", "risk.plan_approved_at"}, {"accepted_until", "risk.accepted_until"},
	{"accept_concession", "risk.accept_concession"},
}

// Fields returns the stored values for the audit log and history.
func (r Risk) Fields() map[string]any {
	return map[string]any{
		"kind": string(r.Kind), "title": r.Title, "description": r.Description, "causes": r.Causes,
		"impacts": r.Impacts, "category": r.Category, "owner_id": r.OwnerID, "cia": r.CIA,
		"existing_controls": r.ExistingControls, "criteria_id": r.CriteriaID, "criteria_number": r.CriteriaNumber,
		"inherent_likelihood": r.Inherent.Likelihood, "inherent_consequence": r.Inherent.Consequence,
		"inherent_dims": r.Inherent.DimsText(), "inherent_level": r.Inherent.Level,
		"residual_likelihood": r.Residual.Likelihood, "residual_consequence": r.Residual.Consequence,
		"residual_dims": r.Residual.DimsText(), "residual_level": r.Residual.Level,
		"treatment": TreatmentText(r.Treatment), "treatment_notes": r.TreatmentNotes,
		"priority": r.Priority, "next_review": r.NextReview, "status": string(r.Status),
		"plan_approved_at": r.PlanApprovedAt, "accepted_until": r.AcceptedUntil,
		"accept_concession": r.AcceptConcession,
	}
}

// TreatmentText encodes treatment options as stored: comma-separated in
// the canonical order.
func TreatmentText(opts []TreatmentOption) string {
	var out []string
	for _, o := range TreatmentOptions {
		for _, x := range opts {
			if x == o {
				out = append(out, string(o))
				break
			}
		}
	}
	return strings.Join(out, ",")
}

// ParseTreatment decodes stored treatment options.
func ParseTreatment(s string) []TreatmentOption {
	var out []TreatmentOption
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, TreatmentOption(p))
		}
	}
	return out
}

// HasTreatment reports whether o is among the risk's treatment options.
func (r Risk) HasTreatment(o TreatmentOption) bool {
	for _, x := range r.Treatment {
		if x == o {
			return true
		}
	}
	return false
}

// NormalizeCIA turns any spelling of affected properties ("c, a", "AC",
// "confidentiality") into the canonical subset of "CIA".
func NormalizeCIA(s string) string {
	u := strings.ToUpper(s)
	var b strings.Builder
	for _, l := range ciaLetters {
		if strings.ContainsRune(u, l) {
			b.WriteRune(l)
		}
	}
	return b.String()
}

// Normalize trims inputs, orders the treatment options and defaults the
// kind.
func (r *Risk) Normalize() {
	r.Title, r.Description, r.Causes, r.Impacts = Clean(r.Title), Clean(r.Description), Clean(r.Causes), Clean(r.Impacts)
	r.Category, r.OwnerID, r.ExistingControls = Clean(r.Category), Clean(r.OwnerID), Clean(r.ExistingControls)
	r.TreatmentNotes, r.NextReview, r.CriteriaID = Clean(r.TreatmentNotes), Clean(r.NextReview), Clean(r.CriteriaID)
	r.Kind = RiskKind(strings.ToLower(Clean(string(r.Kind))))
	if r.Kind == "" {
		r.Kind = RiskScenario
	}
	r.CIA = NormalizeCIA(Clean(r.CIA))
	seen := map[TreatmentOption]bool{}
	var opts []TreatmentOption
	for _, o := range r.Treatment {
		o = TreatmentOption(strings.ToLower(Clean(string(o))))
		if o != "" && !seen[o] {
			seen[o] = true
			opts = append(opts, o)
		}
	}
	sort.SliceStable(opts, func(i, j int) bool { return optionIndex(opts[i]) < optionIndex(opts[j]) })
	r.Treatment = opts
}

func optionIndex(o TreatmentOption) int {
	for i, x := range TreatmentOptions {
		if x == o {
			return i
		}
	}
	return len(TreatmentOptions)
}

// Validate checks the fields a risk can get wrong on its own; ratings are
// checked against the criteria by Rate, and the owner's membership by the
// store.
func (r Risk) Validate() error {
	var p Problems
	ok := false
	for _, k := range RiskKinds {
		ok = ok || r.Kind == k
	}
	if !ok {
		p.Add("kind", "validation.choice")
	}
	checkText(&p, "title", r.Title, true, 300)
	checkText(&p, "description", r.Description, false, 20000)
	checkText(&p, "causes", r.Causes, false, 5000)
	checkText(&p, "impacts", r.Impacts, false, 5000)
	checkText(&p, "category", r.Category, false, 100)
	checkText(&p, "existing_controls", r.ExistingControls, false, 5000)
	checkText(&p, "treatment_notes", r.TreatmentNotes, false, 5000)
	checkDate(&p, "next_review", r.NextReview)
	if r.Priority < 0 || r.Priority > 9999 {
		p.Add("priority", "validation.priority")
	}
	for _, o := range r.Treatment {
		if optionIndex(o) == len(TreatmentOptions) {
			p.Add("treatment", "validation.choice")
			break
		}
	}
	if r.HasTreatment(TreatTake) && r.Kind != RiskOpportunity {
		p.Add("treatment", "validation.take_needs_opportunity")
	}
	if r.HasTreatment(TreatAvoid) && r.HasTreatment(TreatRetain) {
		p.Add("treatment", "validation.avoid_and_retain")
	}
	return p.Err()
}

// Rate checks a rating against criteria c and fills in its consequence
// (the worst dimension, when dimensions are rated) and its level. field is
// "inherent" or "residual". An unrated rating (all zero) is returned as is.
func (c RiskCriteria) Rate(field string, r Rating) (Rating, error) {
	var p Problems
	worst := 0
	for k, v := range r.Dims {
		if v == 0 {
			continue
		}
		found := false
		for _, d := range c.Dimensions {
			found = found || d.Key == k
		}
		switch {
		case !found:
			p.Add(field+"_dims."+k, "validation.unknown_dimension")
		case v < 0 || v > len(c.Consequence):
			p.Add(field+"_dims."+k, "validation.scale_value", len(c.Consequence))
		default:
			worst = max(worst, v)
		}
	}
	if err := p.Err(); err != nil {
		return r, err
	}
	if worst > 0 {
		r.Consequence = worst
	} else {
		r.Dims = nil
	}
	if r.Likelihood == 0 && r.Consequence == 0 {
		r.Level, r.Rank = "", 0
		return r, nil
	}
	if r.Likelihood == 0 {
		return r, Invalid(field+"_likelihood", "validation.rating_incomplete")
	}
	if r.Consequence == 0 {
		return r, Invalid(field+"_consequence", "validation.rating_incomplete")
	}
	lv, err := c.LevelAt(field, r.Likelihood, r.Consequence)
	if err != nil {
		return r, err
	}
	r.Level, r.Rank = lv.Key, lv.Rank
	return r, nil
}

// DeriveStatus works out a risk's status from its ratings, treatment and
// decisions.
func (r Risk) DeriveStatus() RiskStatus {
	switch {
	case r.AcceptedUntil != "":
		return RiskAccepted
	case r.PlanApprovedAt != "":
		return RiskApproved
	case !r.Inherent.Rated():
		return RiskIdentified
	case len(r.Treatment) == 0:
		return RiskAssessed
	}
	return RiskPlanned
}

// SortPriority is the key the register's "priority" order uses: an
// explicit priority first (1 before 2), then the highest inherent level,
// then the highest likelihood × consequence.
func (r Risk) SortPriority() int {
	if r.Priority > 0 {
		return r.Priority
	}
	return 100000 - r.Inherent.Rank*1000 - r.Inherent.Likelihood*r.Inherent.Consequence
}

// CurrentResidual is the risk as it stands today: the expected residual
// rating once every treatment action is done (and there is at least one),
// otherwise the inherent rating. A risk that is retained without actions
// is at its expected residual too.
func (r Risk) CurrentResidual() Rating {
	if r.Residual.Rated() && ((r.ActionsTotal > 0 && r.ActionsDone == r.ActionsTotal) ||
		(r.ActionsTotal == 0 && len(r.Treatment) > 0 && onlyRetain(r.Treatment))) {
		return r.Residual
	}
	return r.Inherent
}

func onlyRetain(opts []TreatmentOption) bool {
	for _, o := range opts {
		if o != TreatRetain {
			return false
		}
	}
	return true
}

// AcceptanceState describes a risk's residual-risk acceptance on a day.
type AcceptanceState string

// The acceptance states.
const (
	AcceptanceNone    AcceptanceState = "none"
	AcceptanceValid   AcceptanceState = "valid"
	AcceptanceExpired AcceptanceState = "expired"
)

// Acceptance reports the state of the risk's acceptance on today
// (YYYY-MM-DD): it lapses after its review date. (A change of the
// residual rating voids it at once; the store clears it then.)
func (r Risk) Acceptance(today string) AcceptanceState {
	switch {
	case r.AcceptedUntil == "":
		return AcceptanceNone
	case today > r.AcceptedUntil:
		return AcceptanceExpired
	}
	return AcceptanceValid
}

// DecisionKind is what a risk owner decided.
type DecisionKind string

// The decision kinds.
const (
	DecisionPlanApproval DecisionKind = "plan_approval"
	DecisionAcceptance   DecisionKind = "acceptance"
)

// RiskDecision is a risk owner's approval of a risk's treatment plan or
// acceptance of its residual risk (clause 6.1.3 f): who, when, under which
// criteria version, the rating decided on and why. A decision is voided
// (VoidedAt) when what it was about changes.
type RiskDecision struct {
	ID             string
	RiskID         string
	Kind           DecisionKind
	DecidedBy      string
	DecidedByName  string
	DecidedAt      time.Time
	CriteriaID     string
	CriteriaNumber int
	Justification  string
	// Concession is set when a residual level above the acceptance
	// criteria is accepted anyway.
	Concession bool
	Treatment  string // the options approved, as stored
	Residual   Rating
	ExpiresOn  string // acceptances: the review date they lapse after
	VoidedAt   *time.Time
	VoidReason string
}

// AcceptInput is what a risk owner submits to approve a plan or accept a
// residual risk.
type AcceptInput struct {
	Justification string
	Concession    bool
	// ExpiresOn is the review date an acceptance lapses after; empty uses
	// the risk's next review date, or a year from today.
	ExpiresOn string
}

// CheckPlanApproval returns what stops the owner approving the treatment
// plan of r under c.
func CheckPlanApproval(r Risk, in AcceptInput) error {
	var p Problems
	if r.OwnerID == "" {
		p.Add("owner_id", "validation.owner_required")
	}
	if !r.Inherent.Rated() {
		p.Add("inherent_likelihood", "validation.rate_first")
	}
	if len(r.Treatment) == 0 {
		p.Add("treatment", "validation.treatment_required")
	}
	if !r.Residual.Rated() {
		p.Add("residual_likelihood", "validation.residual_required")
	}
	checkText(&p, "justification", Clean(in.Justification), false, 5000)
	return p.Err()
}

// CheckAcceptance returns what stops the owner accepting the residual risk
// of r under criteria c on today: a missing owner or rating, a missing
// justification, or a residual level above the acceptance criteria without
// an explicit concession.
func CheckAcceptance(c RiskCriteria, r Risk, in AcceptInput, today string) error {
	var p Problems
	if r.OwnerID == "" {
		p.Add("owner_id", "validation.owner_required")
	}
	if !r.Residual.Rated() {
		p.Add("residual_likelihood", "validation.residual_required")
	}
	if r.CriteriaID != c.ID {
		p.Add("criteria", "validation.rerate_before_accept")
	}
	checkText(&p, "justification", Clean(in.Justification), true, 5000)
	if in.ExpiresOn != "" {
		if !ValidDate(in.ExpiresOn) {
			p.Add("expires_on", "validation.date")
		} else if in.ExpiresOn < today {
			p.Add("expires_on", "validation.date_past")
		}
	}
	if r.Residual.Rated() && r.CriteriaID == c.ID && !c.Acceptable(r.Residual.Level, r.Category) && !in.Concession {
		p.Add("concession", "validation.concession_required", c.AcceptLevelFor(r.Category).Label)
	}
	return p.Err()
}

// AcceptanceExpiry is the day an acceptance made on today lapses after.
func AcceptanceExpiry(r Risk, in AcceptInput, today string) string {
	switch {
	case in.ExpiresOn != "":
		return in.ExpiresOn
	case r.NextReview != "" && r.NextReview >= today:
		return r.NextReview
	}
	t, err := time.Parse(DateLayout, today)
	if err != nil {
		return ""
	}
	return t.AddDate(1, 0, 0).Format(DateLayout)
}

// RerateSuggestion is the suggested re-rating of a risk made under an
// older criteria version.
type RerateSuggestion struct {
	Inherent, Residual Rating
}

// SuggestRerating maps a risk's ratings from the criteria they were made
// under (from) onto the current criteria (to): scale values keep their
// relative position, dimensions keep their keys where both have them.
func SuggestRerating(from, to RiskCriteria, r Risk) RerateSuggestion {
	m := func(x Rating) Rating {
		if !x.Rated() {
			return Rating{}
		}
		out := Rating{
			Likelihood:  MapScaleValue(x.Likelihood, len(from.Likelihood), len(to.Likelihood)),
			Consequence: MapScaleValue(x.Consequence, len(from.Consequence), len(to.Consequence)),
		}
		for k, v := range x.Dims {
			for _, d := range to.Dimensions {
				if d.Key == k {
					if out.Dims == nil {
						out.Dims = map[string]int{}
					}
					out.Dims[k] = MapScaleValue(v, len(from.Consequence), len(to.Consequence))
				}
			}
		}
		rated, err := to.Rate("x", out)
		if err != nil {
			return out
		}
		return rated
	}
	return RerateSuggestion{Inherent: m(r.Inherent), Residual: m(r.Residual)}
}

// ParseLevelValue parses a scale value from a form or import ("" is 0).
func ParseLevelValue(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// RiskHeatMaps counts the active risks rated under one criteria version in
// each matrix cell: Inherent, Residual (expected) and Current (as it
// stands, see Risk.CurrentResidual), each indexed [likelihood-1]
// [consequence-1]. Older counts risks still rated under earlier versions
// (they appear once re-rated); Unrated those not rated yet.
type RiskHeatMaps struct {
	Criteria                    RiskCriteria
	Inherent, Residual, Current [][]int
	Older, Unrated              int
}

// NewCounts returns an empty count grid for criteria c.
func NewCounts(c RiskCriteria) [][]int {
	g := make([][]int, len(c.Likelihood))
	for i := range g {
		g[i] = make([]int, len(c.Consequence))
	}
	return g
}

// AddTo counts rating r in grid g, ignoring unrated or out-of-range values.
func (r Rating) AddTo(g [][]int) { r.AddCount(g, 1) }

// AddCount counts n risks of rating r in grid g, ignoring unrated or
// out-of-range values.
func (r Rating) AddCount(g [][]int, n int) {
	if r.Rated() && r.Likelihood <= len(g) && r.Consequence <= len(g[r.Likelihood-1]) {
		g[r.Likelihood-1][r.Consequence-1] += n
	}
}

// PlanEntry is one risk of the risk treatment plan (clauses 6.1.3 e and
// 8.3) with its treatment actions and planned controls.
type PlanEntry struct {
	Risk     Risk
	Actions  []Action
	Controls []Link
}

// PlanProgress counts the treatment actions of a plan.
type PlanProgress struct {
	Actions, Done, Overdue, Open int
}

// Progress counts the actions of entries; overdue means open past its due
// date on today.
func Progress(entries []PlanEntry, today string) PlanProgress {
	var p PlanProgress
	for _, e := range entries {
		for _, x := range e.Actions {
			if x.Status == ActionCancelled {
				continue
			}
			p.Actions++
			switch {
			case x.Status == ActionDone:
				p.Done++
			case x.Overdue(today):
				p.Overdue++
				p.Open++
			default:
				p.Open++
			}
		}
	}
	return p
}

// RerateItem is a risk on the re-rating worklist: rated under an older
// criteria version, with the suggested ratings under the current one.
type RerateItem struct {
	Risk    Risk
	From    RiskCriteria
	Suggest RerateSuggestion
}
