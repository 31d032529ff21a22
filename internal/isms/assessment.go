package isms

import (
	"sort"
	"strings"
	"time"
)

// AssessmentTrigger is why a risk assessment was run (clause 8.2): on
// schedule, or because something significant changed or happened.
type AssessmentTrigger string

// The assessment triggers.
const (
	// TriggerScheduled is the planned, broad assessment (at least yearly).
	TriggerScheduled AssessmentTrigger = "scheduled"
	// TriggerChange follows a significant change (a new office, system or
	// supplier, a reorganisation).
	TriggerChange AssessmentTrigger = "significant_change"
	// TriggerIncident follows an information security incident.
	TriggerIncident AssessmentTrigger = "incident"
)

// AssessmentTriggers lists the triggers in order.
var AssessmentTriggers = []AssessmentTrigger{TriggerScheduled, TriggerChange, TriggerIncident}

// AssessmentStatus is whether a run is still being worked on.
type AssessmentStatus string

// The assessment statuses. Closing a run freezes a snapshot of every
// active risk's ratings; a closed run never changes again.
const (
	AssessmentOpen   AssessmentStatus = "open"
	AssessmentClosed AssessmentStatus = "closed"
)

// BroadAssessmentMonths is how long after the last scheduled assessment
// the next broad one falls due.
const BroadAssessmentMonths = 12

// AssessmentDueSoonDays is how many days before its due date the next
// broad assessment is shown as due.
const AssessmentDueSoonDays = 30

// Assessment is one risk assessment run (clause 8.2): when it was done,
// what it covered, why, who took part and under which risk criteria.
type Assessment struct {
	Meta
	Date    string // YYYY-MM-DD: when the assessment was performed
	Scope   string // what the run covered
	Trigger AssessmentTrigger
	// ParticipantIDs are members who took part; OtherParticipants names
	// anyone else (one name per line), e.g. an outside consultant.
	ParticipantIDs    []string
	OtherParticipants string
	CriteriaID        string // the risk criteria version used
	Notes             string // method, sources, conclusions
	Status            AssessmentStatus
	ClosedAt          *time.Time
	ClosedBy          string // user id

	// Filled in by reads.
	CriteriaNumber int
	ClosedByName   string
	Lines          int // snapshot lines (closed runs)
}

// AssessmentFields lists an assessment's fields in display order.
var AssessmentFields = []FieldSpec{
	{"assessed_on", "assessment.date"}, {"scope", "assessment.scope"}, {"trigger_kind", "assessment.trigger"},
	{"participant_ids", "assessment.participants"}, {"other_participants", "assessment.other_participants"},
	{"criteria_id", "assessment.criteria"}, {"notes", "assessment.notes"}, {"status", "assessment.status"},
	{"closed_at", "assessment.closed_at"}, {"closed_by", "assessment.closed_by"},
}

// Closed reports whether the run is closed (and so immutable).
func (x Assessment) Closed() bool { return x.Status == AssessmentClosed }

// Fields returns the stored values for the audit log and history.
func (x Assessment) Fields() map[string]any {
	closed := ""
	if x.ClosedAt != nil {
		closed = FormatTime(*x.ClosedAt)
	}
	return map[string]any{
		"assessed_on": x.Date, "scope": x.Scope, "trigger_kind": string(x.Trigger),
		"participant_ids": strings.Join(x.ParticipantIDs, ","), "other_participants": x.OtherParticipants,
		"criteria_id": x.CriteriaID, "notes": x.Notes, "status": string(x.Status),
		"closed_at": closed, "closed_by": x.ClosedBy,
	}
}

// Normalize trims inputs, drops empty and repeated participants, and
// defaults the trigger and status.
func (x *Assessment) Normalize() {
	x.Date, x.Scope, x.Notes, x.CriteriaID = Clean(x.Date), Clean(x.Scope), Clean(x.Notes), Clean(x.CriteriaID)
	x.Trigger = AssessmentTrigger(strings.ToLower(Clean(string(x.Trigger))))
	if x.Trigger == "" {
		x.Trigger = TriggerScheduled
	}
	if x.Status == "" {
		x.Status = AssessmentOpen
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range x.ParticipantIDs {
		if id = Clean(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	x.ParticipantIDs = ids
	var names []string
	for _, n := range strings.Split(strings.ReplaceAll(x.OtherParticipants, "\r\n", "\n"), "\n") {
		if n = Clean(n); n != "" {
			names = append(names, n)
		}
	}
	x.OtherParticipants = strings.Join(names, "\n")
}

// Validate checks an assessment on its own; the store checks that the
// participants are members and the criteria version exists.
func (x Assessment) Validate() error {
	var p Problems
	switch {
	case x.Date == "":
		p.Add("assessed_on", "validation.required")
	case !ValidDate(x.Date):
		p.Add("assessed_on", "validation.date")
	}
	checkText(&p, "scope", x.Scope, true, 2000)
	checkText(&p, "other_participants", x.OtherParticipants, false, 2000)
	checkText(&p, "notes", x.Notes, false, 20000)
	ok := false
	for _, t := range AssessmentTriggers {
		ok = ok || x.Trigger == t
	}
	if !ok {
		p.Add("trigger_kind", "validation.choice")
	}
	if x.Status != AssessmentOpen && x.Status != AssessmentClosed {
		p.Add("status", "validation.choice")
	}
	if len(x.ParticipantIDs) == 0 && x.OtherParticipants == "" {
		p.Add("participant_ids", "validation.assessment_participants")
	}
	if len(x.ParticipantIDs) > 100 {
		p.Add("participant_ids", "validation.too_many", 100)
	}
	if x.CriteriaID == "" {
		p.Add("criteria_id", "validation.required")
	}
	return p.Err()
}

// SnapRating is one rating of a risk as frozen in a snapshot: the values,
// the level's key, label and colour, its rank (1 = lowest) and how many
// levels its criteria have, so that runs under different criteria
// versions compare by position in the ordering.
type SnapRating struct {
	Likelihood  int
	Consequence int
	Level       string
	Label       string
	Colour      string
	Rank        int
}

// Rated reports whether the rating has a level.
func (r SnapRating) Rated() bool { return r.Rank > 0 }

// SnapshotLine is one risk as it stood when a run was closed (or, for a
// comparison with "now", as it stands today).
type SnapshotLine struct {
	RiskID         string
	RiskRef        string
	Title          string
	Category       string
	OwnerName      string
	CriteriaID     string
	CriteriaNumber int
	LevelCount     int // levels of the criteria the risk was rated under
	Inherent       SnapRating
	Residual       SnapRating
	Current        SnapRating // as it stood: see Risk.CurrentResidual
}

// SnapRatingOf describes rating r of a risk rated under criteria c.
func SnapRatingOf(c RiskCriteria, r Rating) SnapRating {
	s := SnapRating{Likelihood: r.Likelihood, Consequence: r.Consequence}
	if !r.Rated() {
		return s
	}
	key := r.Level
	if key == "" {
		key = matrixCell(c, r.Likelihood, r.Consequence)
	}
	if l, ok := c.LevelByKey(key); ok {
		s.Level, s.Label, s.Colour, s.Rank = l.Key, l.Label, l.Colour, l.Rank
	}
	return s
}

func matrixCell(c RiskCriteria, l, v int) string {
	if l >= 1 && l <= len(c.Matrix) && v >= 1 && v <= len(c.Matrix[l-1]) {
		return c.Matrix[l-1][v-1]
	}
	return ""
}

// SnapshotLineOf freezes risk r, rated under criteria c (found by the
// caller from r.CriteriaID; a zero c for an unrated risk).
func SnapshotLineOf(c RiskCriteria, r Risk) SnapshotLine {
	line := SnapshotLine{RiskID: r.ID, RiskRef: r.Ref, Title: r.Title, Category: r.Category, OwnerName: r.OwnerName,
		CriteriaID: r.CriteriaID, CriteriaNumber: r.CriteriaNumber}
	if r.CriteriaID != "" && c.ID == r.CriteriaID {
		line.LevelCount = len(c.Levels)
		line.Inherent = SnapRatingOf(c, r.Inherent)
		line.Residual = SnapRatingOf(c, r.Residual)
		line.Current = SnapRatingOf(c, r.CurrentResidual())
	}
	return line
}

// ChangeKind is how one risk differs between two snapshots.
type ChangeKind string

// The change kinds.
const (
	ChangeAdded     ChangeKind = "added"     // in the later snapshot only
	ChangeRemoved   ChangeKind = "removed"   // in the earlier snapshot only (closed or archived since)
	ChangeUp        ChangeKind = "up"        // current level higher
	ChangeDown      ChangeKind = "down"      // current level lower
	ChangeUnchanged ChangeKind = "unchanged" // same position in the ordering
)

// SnapshotChange is one risk in a comparison. Before is nil for an added
// risk, After for a removed one.
type SnapshotChange struct {
	Kind          ChangeKind
	RiskID        string
	RiskRef       string
	Title         string
	Before, After *SnapshotLine
}

// Comparison is the difference between two snapshots, each list in
// reference order.
type Comparison struct {
	Added, Removed, Up, Down, Unchanged []SnapshotChange
}

// Changed counts the risks that differ.
func (c Comparison) Changed() int { return len(c.Added) + len(c.Removed) + len(c.Up) + len(c.Down) }

// Position places a rating on a common scale so that levels from criteria
// with different numbers of levels compare: the level's rank mapped onto
// a scale of n levels by relative position (as MapScaleValue does). An
// unrated risk is at 0, below every level.
func (r SnapRating) Position(levelCount, n int) int {
	if !r.Rated() || levelCount < 1 {
		return 0
	}
	return MapScaleValue(r.Rank, levelCount, n)
}

// CompareSnapshots compares two snapshots risk by risk on the current
// level. The comparison is on the level's position in the ordering, not
// its key, so runs made under different criteria versions remain
// comparable: a risk that was "High" (3 of 4) and is now "High" (4 of 6)
// is compared at the same relative position.
func CompareSnapshots(before, after []SnapshotLine) Comparison {
	var out Comparison
	prev := make(map[string]*SnapshotLine, len(before))
	for i := range before {
		prev[before[i].RiskID] = &before[i]
	}
	seen := make(map[string]bool, len(after))
	for i := range after {
		a := &after[i]
		seen[a.RiskID] = true
		b, ok := prev[a.RiskID]
		ch := SnapshotChange{RiskID: a.RiskID, RiskRef: a.RiskRef, Title: a.Title, After: a}
		if !ok {
			ch.Kind = ChangeAdded
			out.Added = append(out.Added, ch)
			continue
		}
		ch.Before = b
		// Compare on the finer of the two scales, so that no step is lost.
		n := max(a.LevelCount, b.LevelCount, 1)
		pa, pb := a.Current.Position(a.LevelCount, n), b.Current.Position(b.LevelCount, n)
		switch {
		case pa > pb:
			ch.Kind = ChangeUp
			out.Up = append(out.Up, ch)
		case pa < pb:
			ch.Kind = ChangeDown
			out.Down = append(out.Down, ch)
		default:
			ch.Kind = ChangeUnchanged
			out.Unchanged = append(out.Unchanged, ch)
		}
	}
	for i := range before {
		if b := &before[i]; !seen[b.RiskID] {
			out.Removed = append(out.Removed, SnapshotChange{Kind: ChangeRemoved, RiskID: b.RiskID, RiskRef: b.RiskRef, Title: b.Title, Before: b})
		}
	}
	for _, l := range []*[]SnapshotChange{&out.Added, &out.Removed, &out.Up, &out.Down, &out.Unchanged} {
		sort.SliceStable(*l, func(i, j int) bool { return refLess((*l)[i].RiskRef, (*l)[j].RiskRef) })
	}
	return out
}

// refLess orders references such as by their number.
func refLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// DueState is where the next broad assessment stands.
type DueState string

// The due states.
const (
	DueNever   DueState = "never"   // no scheduled assessment closed yet
	DueLater   DueState = "later"   // more than AssessmentDueSoonDays away
	DueSoon    DueState = "soon"    // due within AssessmentDueSoonDays
	DueOverdue DueState = "overdue" // past its due date
)

// AssessmentDue is when the next broad (scheduled) assessment falls due.
type AssessmentDue struct {
	State    DueState
	LastID   string // the last closed scheduled run
	LastRef  string
	LastDate string // its date, YYYY-MM-DD
	DueDate  string // LastDate + 12 months
	Days     int    // days until due (negative when overdue)
}

// NextBroadAssessment works out when the next broad assessment is due on
// today (YYYY-MM-DD in the organisation's time zone): 12 months after the
// date of the last closed scheduled run that is not archived. Runs after
// a change or an incident do not reset the clock: they are narrower.
func NextBroadAssessment(runs []Assessment, today string) AssessmentDue {
	var last *Assessment
	for i := range runs {
		r := &runs[i]
		if !r.Closed() || r.Archived() || r.Trigger != TriggerScheduled || !ValidDate(r.Date) {
			continue
		}
		if last == nil || r.Date > last.Date || (r.Date == last.Date && r.Ref > last.Ref) {
			last = r
		}
	}
	if last == nil {
		return AssessmentDue{State: DueNever}
	}
	d, _ := time.Parse(DateLayout, last.Date)
	due := d.AddDate(0, BroadAssessmentMonths, 0)
	out := AssessmentDue{LastID: last.ID, LastRef: last.Ref, LastDate: last.Date, DueDate: due.Format(DateLayout)}
	now, err := time.Parse(DateLayout, today)
	if err != nil {
		out.State = DueLater
		return out
	}
	out.Days = int(due.Sub(now).Hours() / 24)
	switch {
	case out.Days < 0:
		out.State = DueOverdue
	case out.Days <= AssessmentDueSoonDays:
		out.State = DueSoon
	default:
		out.State = DueLater
	}
	return out
}

// TrendLevel is one level's count in one run of the trend picture.
type TrendLevel struct {
	Label  string
	Colour string
	Rank   int
	Of     int // levels of its criteria
	Count  int
}

// TrendPoint is one closed run's distribution of current levels, lowest
// level first; Unrated counts risks without a rating.
type TrendPoint struct {
	Run     Assessment
	Levels  []TrendLevel
	Unrated int
	Total   int
}

// TrendOf counts a run's snapshot lines per current level, as
// TrendOfCounts does with each line counted on its own.
func TrendOf(run Assessment, lines []SnapshotLine) TrendPoint {
	counts := make([]TrendLevel, len(lines))
	for i, l := range lines {
		counts[i] = TrendLevel{Label: l.Current.Label, Colour: l.Current.Colour, Rank: l.Current.Rank, Of: l.LevelCount, Count: 1}
	}
	return TrendOfCounts(run, counts)
}

// TrendOfCounts builds a run's trend point from its snapshot lines counted
// by current level: each count is of lines alike in the label, colour,
// rank and level count of their current level (rank 0: not rated), and
// the counts come in the order of their first line in reference order.
// Counts from different criteria versions with the same label (in any
// case) and position share a bar segment, which takes the label and
// colour of the first.
func TrendOfCounts(run Assessment, counts []TrendLevel) TrendPoint {
	type key struct {
		label    string
		rank, of int
	}
	p := TrendPoint{Run: run}
	idx := map[key]int{}
	for _, c := range counts {
		p.Total += c.Count
		if c.Rank <= 0 {
			p.Unrated += c.Count
			continue
		}
		k := key{strings.ToLower(c.Label), c.Rank, c.Of}
		i, ok := idx[k]
		if !ok {
			i = len(p.Levels)
			idx[k] = i
			p.Levels = append(p.Levels, TrendLevel{Label: c.Label, Colour: c.Colour, Rank: c.Rank, Of: c.Of})
		}
		p.Levels[i].Count += c.Count
	}
	sort.SliceStable(p.Levels, func(i, j int) bool {
		a, b := p.Levels[i], p.Levels[j]
		// Lowest relative position first.
		return a.Rank*max(b.Of, 1) < b.Rank*max(a.Of, 1)
	})
	return p
}
