package isms

import (
	"reflect"
	"strings"
	"testing"
)

func kinds(ws []SoAWarning) []WarningKind {
	var out []WarningKind
	for _, w := range ws {
		out = append(out, w.Kind)
	}
	return out
}

// TestSoAWarnings makes every consistency warning appear and disappear.
func TestSoAWarnings(t *testing.T) {
	const today = "2025-06-01"
	base := Control{Meta: Meta{ID: "c1", Ref: "A.5.1"}, Kind: ControlAnnexA, Status: StatusNotStarted}
	risk := RecordRef{Type: "risk", ID: "r1", Ref: "R-001", Title: "Ransomware"}
	req := RecordRef{Type: "requirement", ID: "q1", Ref: "Q-001", Title: "GDPR"}
	valid := EvidenceRef{ID: "e1", Ref: "E-001", Title: "Backup log", ValidUntil: "2025-12-31"}
	expired := EvidenceRef{ID: "e1", Ref: "E-001", Title: "Backup log", ValidUntil: "2025-05-31"}
	with := func(f func(*Control)) Control { c := base; f(&c); return c }
	implemented := with(func(c *Control) { c.Decision, c.Justification, c.Status = DecisionIncluded, "x", StatusImplemented })
	cases := []struct {
		name     string
		c        Control
		refs     []RecordRef
		evidence []EvidenceRef
		want     []WarningKind
	}{
		{"undecided", base, nil, nil, []WarningKind{WarnUndecided}},
		{"decided", with(func(c *Control) { c.Decision, c.Justification = DecisionIncluded, "Board asked for it" }), nil, nil, nil},
		{"included, nothing justifies it", with(func(c *Control) { c.Decision = DecisionIncluded }), nil, nil, []WarningKind{WarnIncludedUnjustified}},
		{"included for a risk", with(func(c *Control) { c.Decision = DecisionIncluded }), []RecordRef{risk}, nil, nil},
		{"included for a requirement", with(func(c *Control) { c.Decision = DecisionIncluded }), []RecordRef{req}, nil, nil},
		{"excluded but treats a risk", with(func(c *Control) {
			c.Decision, c.ExclusionReason, c.ExclusionText = DecisionExcluded, ExcludedNotNeeded, "No need"
		}), []RecordRef{risk}, nil, []WarningKind{WarnExcludedTreatsRisk}},
		{"excluded, no risk", with(func(c *Control) {
			c.Decision, c.ExclusionReason, c.ExclusionText = DecisionExcluded, ExcludedNotNeeded, "No need"
		}), nil, nil, nil},
		{"excluded for a requirement only", with(func(c *Control) {
			c.Decision, c.ExclusionReason, c.ExclusionText = DecisionExcluded, ExcludedNotNeeded, "No need"
		}), []RecordRef{req}, nil, nil},
		{"excluded without reason", with(func(c *Control) { c.Decision = DecisionExcluded }), nil, nil, []WarningKind{WarnExcludedNoReason}},
		{"excluded without text", with(func(c *Control) { c.Decision, c.ExclusionReason = DecisionExcluded, ExcludedOutOfScope }), nil, nil, []WarningKind{WarnExcludedNoReason}},
		{"implemented, no evidence", implemented, nil, nil, []WarningKind{WarnImplementedNoEvidence}},
		{"implemented with evidence", implemented, nil, []EvidenceRef{valid}, nil},
		{"evidence expired", implemented, nil, []EvidenceRef{expired}, []WarningKind{WarnEvidenceExpired}},
		{"evidence valid through today", implemented, nil, []EvidenceRef{{ID: "e1", Ref: "E-001", ValidUntil: today}}, nil},
		{"evidence without an end", implemented, nil, []EvidenceRef{{ID: "e1", Ref: "E-001"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			full := BuildSoA(SoASource{Controls: []Control{tc.c}, Justifying: map[string][]RecordRef{"c1": tc.refs},
				Evidence: map[string][]EvidenceRef{"c1": tc.evidence}, Today: today})
			if got := kinds(full[0].Warnings); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("warnings %v, want %v", got, tc.want)
			}
			if full[0].EvidenceCount != len(tc.evidence) {
				t.Fatalf("evidence count %d, want %d", full[0].EvidenceCount, len(tc.evidence))
			}
			// An overview, which lists only the expired evidence and
			// counts the rest, warns alike.
			var onlyExpired []EvidenceRef
			for _, e := range tc.evidence {
				if e.ValidUntil != "" && e.ValidUntil < today {
					onlyExpired = append(onlyExpired, e)
				}
			}
			over := BuildSoA(SoASource{Controls: []Control{tc.c}, Justifying: map[string][]RecordRef{"c1": tc.refs},
				Evidence: map[string][]EvidenceRef{"c1": onlyExpired}, EvidenceCounts: map[string]int{"c1": len(tc.evidence)}, Today: today})
			if !reflect.DeepEqual(over[0].Warnings, full[0].Warnings) || over[0].EvidenceCount != len(tc.evidence) {
				t.Fatalf("overview warnings %v (count %d), want %v", kinds(over[0].Warnings), over[0].EvidenceCount, tc.want)
			}
		})
	}
	// Records of other controls do not count.
	lines := BuildSoA(SoASource{Controls: []Control{with(func(c *Control) { c.Decision = DecisionIncluded })},
		Justifying: map[string][]RecordRef{"other": {risk}}, Evidence: map[string][]EvidenceRef{"other": {valid}},
		EvidenceCounts: map[string]int{"other": 1}, Today: today})
	if got := kinds(lines[0].Warnings); !reflect.DeepEqual(got, []WarningKind{WarnIncludedUnjustified}) || lines[0].EvidenceCount != 0 {
		t.Fatalf("another control's records changed the line: %v, %d evidence", got, lines[0].EvidenceCount)
	}
}

// TestBuildSoAOrder: lines follow the controls; each line's risks,
// requirements and evidence are sorted by reference, and every expired
// piece gets its own warning in that order.
func TestBuildSoAOrder(t *testing.T) {
	a := Control{Meta: Meta{ID: "a", Ref: "A.5.1"}, Decision: DecisionIncluded, Status: StatusImplemented}
	b := Control{Meta: Meta{ID: "b", Ref: "A.5.2"}, Decision: DecisionExcluded, Status: StatusNotStarted}
	lines := BuildSoA(SoASource{
		Controls: []Control{b, a},
		Justifying: map[string][]RecordRef{"a": {
			{Type: "requirement", ID: "q2", Ref: "Q-002"}, {Type: "risk", ID: "r2", Ref: "R-002"},
			{Type: "requirement", ID: "q1", Ref: "Q-001"}, {Type: "risk", ID: "r1", Ref: "R-001"},
		}},
		Evidence: map[string][]EvidenceRef{"a": {
			{ID: "e3", Ref: "E-003", ValidUntil: "2025-01-01"}, {ID: "e1", Ref: "E-001"}, {ID: "e2", Ref: "E-002", ValidUntil: "2024-01-01"},
		}},
		Today: "2025-06-01",
	})
	if len(lines) != 2 || lines[0].Control.ID != "b" || lines[1].Control.ID != "a" {
		t.Fatalf("lines out of control order: %+v", lines)
	}
	refs := func(l SoALine) string {
		var out []string
		for _, r := range l.Risks {
			out = append(out, r.Ref)
		}
		for _, r := range l.Requirements {
			out = append(out, r.Ref)
		}
		for _, e := range l.Evidence {
			out = append(out, e.Ref)
		}
		for _, w := range l.Warnings {
			if w.Evidence != nil {
				out = append(out, string(w.Kind)+":"+w.Evidence.Ref)
			}
		}
		return strings.Join(out, " ")
	}
	if got, want := refs(lines[1]), "R-001 R-002 Q-001 Q-002 E-001 E-002 E-003 evidence_expired:E-002 evidence_expired:E-003"; got != want {
		t.Fatalf("line a: %s, want %s", got, want)
	}
	if s := Summarize(lines); s != (SoASummary{Controls: 2, Included: 1, Excluded: 1, Implemented: 1, Warnings: 3}) {
		t.Fatalf("summary %+v", s)
	}
	if s := SummarizeEntries(Entries(lines)); s != Summarize(lines) {
		t.Fatalf("entries summary %+v, lines summary %+v", s, Summarize(lines))
	}
}

func TestDiffSoA(t *testing.T) {
	v1 := []SoAEntry{
		{ControlID: "a", Ref: "A.5.1", Decision: DecisionIncluded, Status: StatusPlanned, Risks: []RecordRef{{Ref: "R-001"}}},
		{ControlID: "b", Ref: "A.5.2", Decision: DecisionExcluded, ExclusionReason: "not_needed", ExclusionText: "x", Status: StatusNotStarted},
		{ControlID: "c", Ref: "MDM", Decision: DecisionIncluded, Status: StatusImplemented},
	}
	v2 := []SoAEntry{
		{ControlID: "a", Ref: "A.5.1", Decision: DecisionIncluded, Status: StatusImplemented, Risks: []RecordRef{{Ref: "R-001"}, {Ref: "R-002"}}},
		{ControlID: "b", Ref: "A.5.2", Decision: DecisionIncluded, Justification: "Contract", Status: StatusNotStarted},
		{ControlID: "d", Ref: "NEW", Decision: DecisionIncluded, Status: StatusPlanned},
	}
	got := DiffSoA(v1, v2)
	type row struct {
		ref    string
		kind   SoAChangeKind
		fields []string
	}
	var rows []row
	for _, c := range got {
		rows = append(rows, row{c.Ref, c.Kind, c.Fields})
	}
	want := []row{
		{"A.5.1", SoAChanged, []string{"justification", "status"}},
		{"A.5.2", SoAChanged, []string{"decision", "justification"}},
		{"NEW", SoAAdded, nil},
		{"MDM", SoARemoved, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("diff\n%+v\nwant\n%+v", rows, want)
	}
	if len(DiffSoA(v2, v2)) != 0 {
		t.Fatal("a version differs from itself")
	}
}

func TestControlValidate(t *testing.T) {
	c := Control{Kind: ControlCustom}
	c.Normalize()
	err := AsError(c.Validate())
	want := map[string]bool{"ref": true, "title": true, "theme": true}
	for _, f := range err.Fields {
		delete(want, f.Field)
	}
	if len(want) != 0 {
		t.Fatalf("missing problems %v in %v", want, err)
	}
	c = Control{Kind: ControlCustom, Title: "MDM", Theme: "Technological", Status: StatusPlanned}
	for ref, ok := range map[string]bool{"MDM-01": true, "A.9": false, "a.9": false, "has space": false, "": false, "C.1_x": true} {
		c.Ref = ref
		if (c.Validate() == nil) != ok {
			t.Errorf("ref %q valid=%v", ref, !ok)
		}
	}
	c.Ref = "MDM"
	c.Decision, c.ExclusionReason = DecisionExcluded, ExcludedReplaced
	c.Normalize()
	if e := AsError(c.Validate()); len(e.Fields) != 1 || e.Fields[0].Field != "replaced_by_id" {
		t.Fatalf("replaced without naming the control: %v", e)
	}
	// Changing the decision drops the exclusion details.
	c.Decision, c.ExclusionText, c.ReplacedByID = DecisionIncluded, "gone", "x"
	c.Normalize()
	if c.ExclusionReason != "" || c.ExclusionText != "" || c.ReplacedByID != "" {
		t.Fatalf("exclusion details kept: %+v", c)
	}
	if ControlSortKey(ControlAnnexA, "5.2", "") >= ControlSortKey(ControlAnnexA, "5.10", "") {
		t.Fatal("5.2 must sort before 5.10")
	}
	if ControlSortKey(ControlAnnexA, "8.34", "") >= ControlSortKey(ControlCustom, "", "AAA") {
		t.Fatal("custom controls sort after Annex A")
	}
}

func TestSanitizeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                 "report.pdf",
		"../../etc/passwd":           "passwd",
		`..\..\windows\system.ini`:   "system.ini",
		"/abs/path/x.txt":            "x.txt",
		".htaccess":                  "htaccess",
		"..":                         "file",
		"":                           "file",
		"a\"b;c\r\nd.txt":            "a_b_c__d.txt",
		"résumé 2025.docx":           "résumé 2025.docx",
		string(make([]byte, 3)) + "": "___",
	} {
		if got := SanitizeFileName(in); got != want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := ""
	for i := 0; i < 300; i++ {
		long += "x"
	}
	if got := SanitizeFileName(long + ".pdf"); len(got) != 120 || got[len(got)-4:] != ".pdf" {
		t.Fatalf("long name %q", got)
	}
}

func TestEvidenceValidate(t *testing.T) {
	e := Evidence{Title: "Pen test", Kind: EvidenceLink, URL: "javascript:alert(1)"}
	e.Normalize()
	if err := AsError(e.Validate()); len(err.Fields) != 1 || err.Fields[0].Field != "url" {
		t.Fatalf("javascript URL: %v", err)
	}
	e.URL = "https://wiki.example.com/pentest"
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	e = Evidence{Title: "Note", Kind: EvidenceNote}
	if err := AsError(e.Validate()); len(err.Fields) != 1 || err.Fields[0].Field != "description" {
		t.Fatalf("empty note: %v", err)
	}
	e = Evidence{Title: "x", Kind: EvidenceNote, Description: "y", CollectedOn: "2025-02-01", ValidUntil: "2025-01-01"}
	if err := AsError(e.Validate()); len(err.Fields) != 1 || err.Fields[0].Field != "valid_until" {
		t.Fatalf("valid before collected: %v", err)
	}
	e.ValidUntil = "2025-03-01"
	if e.Expired("2025-03-01") || !e.Expired("2025-03-02") || !e.ExpiresSoon("2025-02-15") || e.ExpiresSoon("2025-01-01") {
		t.Fatal("expiry rules")
	}
}

func TestSoAFingerprintMatchesDiff(t *testing.T) {
	base := []SoAEntry{
		{ControlID: "a", Decision: DecisionIncluded, Justification: "treats R-001", Status: "implemented"},
		{ControlID: "b", Decision: DecisionExcluded, ExclusionReason: "out_of_scope", Status: "not_applicable"},
	}
	same := append([]SoAEntry(nil), base[1], base[0])        // order does not matter
	same[0].Owner, same[0].Title = "Someone else", "Renamed" // nor do fields DiffSoA ignores
	if SoAFingerprint(base) != SoAFingerprint(same) || len(DiffSoA(base, same)) != 0 {
		t.Fatal("equal statements must have equal fingerprints")
	}
	for name, change := range map[string]func([]SoAEntry){
		"decision":      func(e []SoAEntry) { e[0].Decision = DecisionExcluded },
		"justification": func(e []SoAEntry) { e[0].Justification = "treats R-002" },
		"status":        func(e []SoAEntry) { e[1].Status = "planned" },
	} {
		x := append([]SoAEntry(nil), base...)
		change(x)
		if SoAFingerprint(x) == SoAFingerprint(base) || len(DiffSoA(base, x)) == 0 {
			t.Errorf("a %s change must change the fingerprint and show in the diff", name)
		}
	}
	if SoAFingerprint(base[:1]) == SoAFingerprint(base) {
		t.Error("a removed control must change the fingerprint")
	}
}
