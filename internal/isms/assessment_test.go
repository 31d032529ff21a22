package isms

import (
	"errors"
	"reflect"
	"testing"
)

func assessmentFieldErrs(err error) map[string]string {
	out := map[string]string{}
	var e *Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out[f.Field] = f.Msg.Key
		}
	}
	return out
}

func TestAssessmentValidate(t *testing.T) {
	x := Assessment{Date: " 2026-03-12 ", Scope: " Whole firm ", ParticipantIDs: []string{"u2", "", "u1", "u2"},
		OtherParticipants: "  Jo Consultant \r\n\r\n Sam  ", CriteriaID: "c1"}
	x.Normalize()
	if x.Trigger != TriggerScheduled || x.Status != AssessmentOpen || x.Date != "2026-03-12" || x.Scope != "Whole firm" {
		t.Fatalf("normalized %+v", x)
	}
	if len(x.ParticipantIDs) != 2 || x.ParticipantIDs[0] != "u1" || x.OtherParticipants != "Jo Consultant\nSam" {
		t.Fatalf("participants %q %q", x.ParticipantIDs, x.OtherParticipants)
	}
	if err := x.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Assessment{Date: "12/03/2026", Trigger: "whim"}
	bad.Normalize()
	got := assessmentFieldErrs(bad.Validate())
	want := map[string]string{"assessed_on": "validation.date", "scope": "validation.required", "trigger_kind": "validation.choice",
		"participant_ids": "validation.assessment_participants", "criteria_id": "validation.required"}
	for f, k := range want {
		if got[f] != k {
			t.Errorf("%s: got %q, want %q (all %v)", f, got[f], k, got)
		}
	}
}

func line(id, ref string, rank, of int) SnapshotLine {
	l := SnapshotLine{RiskID: id, RiskRef: ref, Title: ref, LevelCount: of}
	if rank > 0 {
		l.Current = SnapRating{Likelihood: 1, Consequence: 1, Label: "L" + string(rune('0'+rank)), Rank: rank}
	}
	return l
}

func refs(cs []SnapshotChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.RiskRef)
	}
	return out
}

func TestCompareSnapshots(t *testing.T) {
	before := []SnapshotLine{line("a", "R-001", 2, 4), line("b", "R-002", 3, 4), line("c", "R-003", 1, 4), line("d", "R-004", 4, 4), line("e", "R-010", 0, 0)}
	after := []SnapshotLine{line("a", "R-001", 3, 4), line("b", "R-002", 1, 4), line("c", "R-003", 1, 4), line("f", "R-009", 2, 4), line("e", "R-010", 1, 4)}
	c := CompareSnapshots(before, after)
	check := func(name string, got []SnapshotChange, want ...string) {
		t.Helper()
		g := refs(got)
		if len(g) != len(want) {
			t.Fatalf("%s: got %v, want %v", name, g, want)
		}
		for i := range g {
			if g[i] != want[i] {
				t.Fatalf("%s: got %v, want %v", name, g, want)
			}
		}
	}
	check("added", c.Added, "R-009")
	check("removed", c.Removed, "R-004")
	check("up", c.Up, "R-001", "R-010") // a rating where there was none counts as up
	check("down", c.Down, "R-002")
	check("unchanged", c.Unchanged, "R-003")
	if c.Changed() != 5 {
		t.Fatalf("changed %d", c.Changed())
	}
	if c.Removed[0].After != nil || c.Removed[0].Before.RiskID != "d" || c.Added[0].Before != nil {
		t.Fatal("removed/added carry the wrong side")
	}
}

func TestCompareAcrossCriteriaVersions(t *testing.T) {
	// The top of a 3-level scale and the top of a 5-level scale are the
	// same position; the middle of 3 (2) equals the middle of 5 (3).
	before := []SnapshotLine{line("a", "R-001", 3, 3), line("b", "R-002", 2, 3), line("c", "R-003", 2, 3)}
	after := []SnapshotLine{line("a", "R-001", 5, 5), line("b", "R-002", 3, 5), line("c", "R-003", 4, 5)}
	c := CompareSnapshots(before, after)
	if len(c.Unchanged) != 2 || len(c.Up) != 1 || c.Up[0].RiskRef != "R-003" || len(c.Down) != 0 {
		t.Fatalf("got up %v unchanged %v down %v", refs(c.Up), refs(c.Unchanged), refs(c.Down))
	}
	// Comparing on the key would call "High" under both versions the same;
	// comparing on position sees High 3/4 → High 3/6 as a fall.
	c = CompareSnapshots([]SnapshotLine{line("a", "R-001", 4, 4)}, []SnapshotLine{line("a", "R-001", 2, 4)})
	if len(c.Down) != 1 {
		t.Fatal("a lower level is not down")
	}
}

func TestNextBroadAssessment(t *testing.T) {
	runs := []Assessment{
		{Meta: Meta{ID: "1", Ref: "RA-001"}, Date: "2025-01-10", Trigger: TriggerScheduled, Status: AssessmentClosed},
		{Meta: Meta{ID: "2", Ref: "RA-002"}, Date: "2025-06-01", Trigger: TriggerScheduled, Status: AssessmentClosed},
		{Meta: Meta{ID: "3", Ref: "RA-003"}, Date: "2025-09-01", Trigger: TriggerIncident, Status: AssessmentClosed}, // does not reset the clock
		{Meta: Meta{ID: "4", Ref: "RA-004"}, Date: "2025-12-01", Trigger: TriggerScheduled, Status: AssessmentOpen},  // not closed
	}
	cases := []struct {
		today string
		state DueState
		days  int
	}{
		{"2026-01-01", DueLater, 151},
		{"2026-05-02", DueSoon, 30},
		{"2026-06-01", DueSoon, 0},
		{"2026-06-02", DueOverdue, -1},
	}
	for _, c := range cases {
		d := NextBroadAssessment(runs, c.today)
		if d.State != c.state || d.Days != c.days || d.DueDate != "2026-06-01" || d.LastRef != "RA-002" {
			t.Errorf("%s: got %+v, want %s %d", c.today, d, c.state, c.days)
		}
	}
	if d := NextBroadAssessment(runs[2:], "2026-01-01"); d.State != DueNever {
		t.Fatalf("no closed scheduled run: %+v", d)
	}
	// An archived run does not count.
	arch := runs[1]
	at := arch.CreatedAt
	arch.ArchivedAt = &at
	if d := NextBroadAssessment([]Assessment{runs[0], arch}, "2026-02-01"); d.LastRef != "RA-001" || d.State != DueOverdue {
		t.Fatalf("archived run counted: %+v", d)
	}
}

func TestSnapshotLineOfAndTrend(t *testing.T) {
	c, _ := Preset(Preset5x5)
	c.ID = "c1"
	r := ratedRisk(t, c, 5, 5, 1, 1)
	r.ID, r.Ref = "r1", "R-001"
	r.Treatment = []TreatmentOption{TreatModify}
	l := SnapshotLineOf(c, r)
	if l.Inherent.Label != "Critical" || l.Inherent.Rank != 4 || l.LevelCount != 4 || l.Residual.Label != "Low" {
		t.Fatalf("line %+v", l)
	}
	// No treatment action done yet: the risk stands at its inherent level.
	if l.Current.Label != "Critical" {
		t.Fatalf("current %+v", l.Current)
	}
	r.ActionsTotal, r.ActionsDone = 1, 1
	if SnapshotLineOf(c, r).Current.Label != "Low" {
		t.Fatal("treated risk not at its residual level")
	}
	unrated := SnapshotLineOf(RiskCriteria{}, Risk{Meta: Meta{ID: "r2"}, Title: "x"})
	p := TrendOf(Assessment{}, []SnapshotLine{l, l, SnapshotLineOf(c, r), unrated})
	if p.Total != 4 || p.Unrated != 1 || len(p.Levels) != 2 || p.Levels[0].Label != "Low" || p.Levels[1].Count != 2 {
		t.Fatalf("trend %+v", p)
	}
}

func TestTrendOfCountsMergesLikeLevels(t *testing.T) {
	// Counts in the order of their first line: "high" (third of four) under
	// one criteria version, then "High" at the same place under another,
	// then "High" as the third of three, which is a level of its own.
	counts := []TrendLevel{
		{Label: "Medium", Colour: "#fee090", Rank: 2, Of: 4, Count: 5},
		{Label: "high", Colour: "#ff7f00", Rank: 3, Of: 4, Count: 2},
		{Label: "", Colour: "", Rank: 0, Of: 4, Count: 3},
		{Label: "High", Colour: "#f46d43", Rank: 3, Of: 4, Count: 4},
		{Label: "High", Colour: "#d73027", Rank: 3, Of: 3, Count: 1},
		{Label: "Low", Colour: "#4575b4", Rank: 1, Of: 4, Count: 1},
		{Label: "", Colour: "", Rank: 0, Of: 0, Count: 2},
	}
	p := TrendOfCounts(Assessment{}, counts)
	want := []TrendLevel{
		{Label: "Low", Colour: "#4575b4", Rank: 1, Of: 4, Count: 1},
		{Label: "Medium", Colour: "#fee090", Rank: 2, Of: 4, Count: 5},
		{Label: "high", Colour: "#ff7f00", Rank: 3, Of: 4, Count: 6},
		{Label: "High", Colour: "#d73027", Rank: 3, Of: 3, Count: 1},
	}
	if p.Total != 18 || p.Unrated != 5 || !reflect.DeepEqual(p.Levels, want) {
		t.Fatalf("trend %+v", p)
	}
	// Counting line by line gives the same picture.
	var lines []SnapshotLine
	for _, c := range counts {
		for range c.Count {
			lines = append(lines, SnapshotLine{LevelCount: c.Of, Current: SnapRating{Label: c.Label, Colour: c.Colour, Rank: c.Rank}})
		}
	}
	if q := TrendOf(Assessment{}, lines); q.Total != p.Total || q.Unrated != p.Unrated || !reflect.DeepEqual(q.Levels, p.Levels) {
		t.Fatalf("line by line %+v, counted %+v", q, p)
	}
}
