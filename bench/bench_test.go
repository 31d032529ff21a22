package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole harness at a tiny scale so it cannot rot: it
// builds the binary, generates data, serves it, measures every operation
// and writes both reports. It asserts that every operation was measured
// without errors — not how fast it was (timings are for `make bench`).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts servers")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "holdfast")
	build := exec.Command("go", "build", "-o", bin, "../cmd/holdfast")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dialects := []string{"sqlite"}
	if os.Getenv("HOLDFAST_TEST_POSTGRES") != "" {
		dialects = append(dialects, "postgres")
	}
	var log strings.Builder
	rep, err := Measure(context.Background(), Config{Bin: bin, Scales: []float64{0.01}, Dialects: dialects,
		PostgresDSN: os.Getenv("HOLDFAST_TEST_POSTGRES"), Duration: 200 * time.Millisecond, Concurrency: 2, Repeats: 1, WorkDir: dir, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != len(dialects) {
		t.Fatalf("%d runs for %d dialects", len(rep.Runs), len(dialects))
	}
	for _, r := range rep.Runs {
		if r.FailedReason != "" {
			t.Fatalf("%s run failed: %s\n%s", r.Dialect, r.FailedReason, log.String())
		}
		if r.Records < 5 || r.ColdStartMs <= 0 || r.IdleRSSMB <= 0 || r.CheckMs <= 0 || r.CheckOrgMs <= 0 {
			t.Fatalf("%s: missing figures %+v", r.Dialect, r)
		}
		seen := map[string]bool{}
		for _, s := range r.Stats {
			seen[s.Name] = true
			// A page reads at least its session and what it shows; fifty
			// statements would be one per row of a list page.
			if (s.Name == "dashboard" || s.Name == "people list" || s.Name == "API people list") &&
				(s.StatementsPerRequest < 1 || s.StatementsPerRequest > 50) {
				t.Errorf("%s %s: %.2f statements per request, want 1 to 50", r.Dialect, s.Name, s.StatementsPerRequest)
			}
			// An asset's page reads what it shows together: on PostgreSQL
			// its session and one pipeline, on SQLite a call per statement.
			if s.Name == "asset detail" {
				want := s.StatementsPerRequest
				if r.Dialect == "postgres" {
					want = 2
				}
				if s.RoundTripsPerRequest < want-0.2 || s.RoundTripsPerRequest > want+0.2 || s.StatementsPerRequest < 5 {
					t.Errorf("%s asset detail: %.2f statements in %.2f round trips per request", r.Dialect, s.StatementsPerRequest, s.RoundTripsPerRequest)
				}
			}
			if s.Requests == 0 || s.Errors > 0 {
				t.Errorf("%s %s: %d requests, %d errors\n%s", r.Dialect, s.Name, s.Requests, s.Errors, log.String())
			}
			if s.ServerP50ms <= 0 || s.ServerP95ms < s.ServerP50ms {
				t.Errorf("%s %s: server time p50 %.3f p95 %.3f ms: the Server-Timing header was not read", r.Dialect, s.Name, s.ServerP50ms, s.ServerP95ms)
			}
		}
		for _, want := range []string{"dashboard", "my tasks", "search", "people list", "people list deep page", "people detail",
			"asset list", "asset list searched", "asset list deep page", "asset detail", "risk list", "risk list sorted",
			"risk list deep page", "risk detail", "risk heat map", "risk treatment plan", "threat list", "threat list searched",
			"threat detail", "vulnerability list", "vulnerability detail", "assessment list", "assessment detail",
			"action list", "action list searched", "action list deep page", "action detail", "control list",
			"control list filtered", "control detail", "evidence list", "evidence list sorted", "evidence list deep page",
			"evidence detail", "SoA page", "audit log",
			"API people list", "API people last page", "API asset list", "API asset list last page", "API asset", "API risk list",
			"API threat list", "API vulnerability list", "API assessment list", "API assessment", "API action list", "API action",
			"API control list", "API control", "API evidence list", "API evidence", "API SoA", "API update (contended)", "API create",
			"people XLSX export", "risk register XLSX export", "SoA XLSX export", "SoA DOCX export", "SoA PDF export"} {
			if !seen[want] {
				t.Errorf("%s: operation %q not measured", r.Dialect, want)
			}
		}
	}
	j, m, err := writeReport(filepath.Join(dir, "results"), rep)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(m)
	if _, err := os.Stat(j); err != nil || !strings.Contains(string(md), "cold start to first /readyz") {
		t.Fatalf("reports not written: %v\n%s", err, md)
	}
	if !strings.Contains(string(md), "| server p99 ms | statements (round trips)/req | req/s |") {
		t.Errorf("the operations table has no statements (round trips)/req column:\n%s", md)
	}
}

// TestParseDBCounts checks that the counters of statements and round
// trips are read from a Prometheus exposition, and that a server without
// them is an error rather than a count of zero.
func TestParseDBCounts(t *testing.T) {
	both := "holdfast_db_round_trips_total{pool=\"read\"} 300\nholdfast_db_round_trips_total{pool=\"write\"} 50\n"
	for _, tc := range []struct {
		name, in string
		want     dbCounts
		err      string
	}{
		{"both pools", "# HELP holdfast_db_statements_total Statements run by the store, by pool.\n# TYPE holdfast_db_statements_total counter\n" +
			"holdfast_db_statements_total{pool=\"read\"} 1234\nholdfast_db_statements_total{pool=\"write\"} 56\nholdfast_db_wait_total{pool=\"read\"} 7\n" + both,
			dbCounts{1290, 350}, ""},
		{"exponent and timestamp", "holdfast_db_statements_total{pool=\"write\"} 1.5e+06 1700000000000\nholdfast_db_statements_total{pool=\"read\"} 2\n" + both,
			dbCounts{1500002, 350}, ""},
		{"no write pool", "holdfast_db_statements_total{pool=\"read\"} 1234\n" + both, dbCounts{}, `no holdfast_db_statements_total{pool="write"}`},
		{"no round trips", "holdfast_db_statements_total{pool=\"read\"} 1234\nholdfast_db_statements_total{pool=\"write\"} 56\n", dbCounts{},
			`no holdfast_db_round_trips_total{pool="read"}`},
		{"no counter", "holdfast_http_requests_total{method=\"GET\"} 3\n", dbCounts{}, `no holdfast_db_statements_total{pool="read"}`},
		{"bad value", "holdfast_db_statements_total{pool=\"read\"} many\nholdfast_db_statements_total{pool=\"write\"} 1\n" + both, dbCounts{}, `pool "read"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDBCounts(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// The growth check fails an operation that costs about as much more as the
// data grows, but not one whose answer holds more of the data (an export,
// a page of 500 people).
func TestGrowthCheck(t *testing.T) {
	run := func(scale, list, page500, export float64) Run {
		return Run{Dialect: "sqlite", Scale: scale, Stats: []Stat{
			{Name: "people list", ServerP50ms: list}, {Name: "API people, 500 a page", ServerP50ms: page500},
			{Name: "SoA PDF export", ServerP50ms: export},
		}}
	}
	for _, tc := range []struct {
		name       string
		list       float64
		listPasses bool
	}{{"flat", 0.5, true}, {"linear", 9.5, false}} {
		md := Markdown(Report{Date: "2026-12-07T00:00:00Z", Runs: []Run{run(0.1, 0.45, 0.35, 20), run(2, tc.list, 3.6, 380)}})
		for _, want := range []string{
			fmt.Sprintf("| people list | 0.45 | %.2f | ×%.1f | %s |", tc.list, tc.list/0.45, mark(tc.listPasses)),
			"| API people, 500 a page | 0.35 | 3.60 | ×10.3 | ✓ |",
			"| SoA PDF export | 20.00 | 380.00 | ×19.0 | ✓ |",
		} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: the report lacks %q:\n%s", tc.name, want, md)
			}
		}
	}
}

// Operations are measured in rounds, every operation once per round, and
// each gets the run with its median p95: a slow spell of the machine that
// covers a stretch of one round costs each operation it meets one run.
func TestMeasuredInRounds(t *testing.T) {
	var order []string
	call := 0
	stats, err := inRounds(3, 3, func(i int) (Stat, error) {
		call++
		order = append(order, fmt.Sprint(i))
		p95 := 1.0
		if call >= 4 && call <= 6 { // the second round, in a slow spell
			p95 = 9
		}
		if i == 1 && call == 8 { // a third run of op 1 a little slower
			p95 = 2
		}
		return Stat{Name: fmt.Sprint("op", i), P95ms: p95, Requests: call}, nil
	}, func(r, n int) { order = append(order, fmt.Sprintf("round %d/%d", r+1, n)) })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, " "); got != "round 1/3 0 1 2 round 2/3 0 1 2 round 3/3 0 1 2" {
		t.Errorf("measured in the order %s", got)
	}
	for i, s := range stats {
		if s.Name != fmt.Sprint("op", i) || s.P95ms == 9 {
			t.Errorf("operation %d: %+v; want its median run, not the slow spell's", i, s)
		}
	}
	if stats[1].P95ms != 2 || stats[1].Requests != 8 {
		t.Errorf("operation 1: %+v; want the run with the median p95 (call 8)", stats[1])
	}
	if _, err := inRounds(2, 2, func(i int) (Stat, error) {
		if i == 1 {
			return Stat{}, fmt.Errorf("server gone")
		}
		return Stat{}, nil
	}, func(int, int) {}); err == nil || err.Error() != "server gone" {
		t.Errorf("an operation's error: %v", err)
	}
}
