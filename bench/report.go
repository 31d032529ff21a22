package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Targets from DESIGN.md, "Performance targets".
const (
	targetListP95ms   = 10.0
	targetCheckMs     = 100.0
	targetPagesPerSec = 2000.0
	targetIdleRSSMB   = 40.0
	targetColdStartMs = 300.0
	targetSoAXLSXms   = 200.0
	targetPGRatio     = 2.0
)

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// Markdown renders the report as a summary with each figure compared to
// its target.
func Markdown(rep Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Holdfast benchmark %s (%s)\n\n", rep.Date[:10], rep.Commit)
	fmt.Fprintf(&b, "Machine: %d cores (%s), %.1f GB memory, %s. Binary %.1f MB. %d concurrent clients, %.0f s per endpoint, median of repeats.\n\n",
		rep.Cores, rep.CPU, rep.MemoryGB, rep.GoVersion, rep.BinaryMB, rep.Concurrency, rep.DurationSec)
	fmt.Fprintf(&b, "Client latencies are measured by the load generator on loopback and include its own work on the same cores; server latencies are the server's time to first byte from its Server-Timing header. The list targets are judged on server p95, throughput on what the clients achieved.\n\n")
	b.WriteString(summary(rep))
	for _, r := range rep.Runs {
		fmt.Fprintf(&b, "## %s, scale %g (%d records)\n\n", r.Dialect, r.Scale, r.Records)
		if r.FailedReason != "" {
			fmt.Fprintf(&b, "Run failed: %s\n\n", r.FailedReason)
			continue
		}
		fmt.Fprintf(&b, "| figure | value | target | |\n|---|---|---|---|\n")
		fmt.Fprintf(&b, "| cold start to first /readyz | %.0f ms | ≤ %.0f ms | %s |\n", r.ColdStartMs, targetColdStartMs, mark(r.ColdStartMs <= targetColdStartMs))
		fmt.Fprintf(&b, "| idle RSS | %.1f MB | ≤ %.0f MB | %s |\n", r.IdleRSSMB, targetIdleRSSMB, mark(r.IdleRSSMB <= targetIdleRSSMB))
		if r.IdleAnonMB > 0 {
			fmt.Fprintf(&b, "| of which private (the rest is the binary's own pages, mapped from disk) | %.1f MB | | |\n", r.IdleAnonMB)
		}
		fmt.Fprintf(&b, "| RSS under load (max) | %.1f MB | | |\n", r.LoadRSSMB)
		fmt.Fprintf(&b, "| `holdfast check --org demo-01` (one organisation, whole process) | %.0f ms | ≤ %.0f ms | %s |\n", r.CheckOrgMs, targetCheckMs, mark(r.CheckOrgMs <= targetCheckMs))
		fmt.Fprintf(&b, "| `holdfast check` (every organisation, whole process) | %.0f ms | | |\n", r.CheckMs)
		fmt.Fprintf(&b, "| data generation | %.1f s | | |\n\n", r.GenerateSec)
		fmt.Fprintf(&b, "| operation | p50 ms | p95 ms | p99 ms | server p50 ms | server p95 ms | server p99 ms | statements (round trips)/req | req/s | errors | target | |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, s := range r.Stats {
			target, ok := "", true
			switch s.Kind {
			case "list":
				target = fmt.Sprintf("server p95 ≤ %.0f ms, ≥ %.0f req/s", targetListP95ms, targetPagesPerSec)
				ok = s.ServerP95ms <= targetListP95ms && s.Throughput >= targetPagesPerSec
			case "api-list":
				target, ok = fmt.Sprintf("server p95 ≤ %.0f ms", targetListP95ms), s.ServerP95ms <= targetListP95ms
			case "page":
				target, ok = fmt.Sprintf("≥ %.0f req/s", targetPagesPerSec), s.Throughput >= targetPagesPerSec
			case "export":
				// Whole downloads, one at a time: the client's time.
				if s.Name == "SoA XLSX export" {
					target, ok = fmt.Sprintf("≤ %.0f ms", targetSoAXLSXms), s.P95ms <= targetSoAXLSXms
				}
			}
			m := ""
			if target != "" {
				m = mark(ok && s.Errors == 0)
			}
			errs := fmt.Sprint(s.Errors)
			if s.Conflicts > 0 {
				errs += fmt.Sprintf(" (+%d conflicts)", s.Conflicts)
			}
			stmts := "–" // not measured: a write, an export, or a report older than the figure
			if s.StatementsPerRequest > 0 {
				stmts = fmt.Sprintf("%.1f (%.1f)", s.StatementsPerRequest, s.RoundTripsPerRequest)
			}
			fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.0f | %s | %s | %s |\n", s.Name, s.P50ms, s.P95ms, s.P99ms, s.ServerP50ms, s.ServerP95ms, s.ServerP99ms, stmts, s.Throughput, errs, target, m)
		}
		b.WriteString("\n")
	}
	b.WriteString(comparisons(rep))
	return b.String()
}

// comparisons checks PostgreSQL against SQLite at each scale, and how each
// operation's cost grows with the data.
func comparisons(rep Report) string {
	var b strings.Builder
	type key struct {
		scale float64
		name  string
	}
	by := map[string]map[key]Stat{}
	for _, r := range rep.Runs {
		if by[r.Dialect] == nil {
			by[r.Dialect] = map[key]Stat{}
		}
		for _, s := range r.Stats {
			by[r.Dialect][key{r.Scale, s.Name}] = s
		}
	}
	if pg, sq := by["postgres"], by["sqlite"]; pg != nil && sq != nil {
		b.WriteString("## PostgreSQL against SQLite (server p50)\n\nThe server's own time, so that the load generator's share of the cores does not blur the comparison. Below a millisecond the ratio is mostly PostgreSQL's round trips on loopback, which an embedded database does not make: the difference column shows what the ratio means in time.\n\n| scale | operation | SQLite ms | PostgreSQL ms | difference ms | ratio | ≤ 2× |\n|---|---|---|---|---|---|---|\n")
		var keys []key
		for k := range sq {
			if _, ok := pg[k]; ok {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].scale != keys[j].scale {
				return keys[i].scale < keys[j].scale
			}
			return keys[i].name < keys[j].name
		})
		for _, k := range keys {
			s, p := serverP50(sq[k]), serverP50(pg[k])
			ratio := p / max(s, 0.001)
			fmt.Fprintf(&b, "| %g | %s | %.2f | %.2f | %+.2f | %.2f | %s |\n", k.scale, k.name, s, p, p-s, ratio, mark(ratio <= targetPGRatio))
		}
		b.WriteString("\n")
	}
	// Dialects in a fixed order, so that a report renders the same twice.
	dialects := make([]string, 0, len(by))
	for d := range by {
		dialects = append(dialects, d)
	}
	sort.Strings(dialects)
	for _, dialect := range dialects {
		stats := by[dialect]
		scales := map[float64]bool{}
		names := map[string]bool{}
		for k := range stats {
			scales[k.scale] = true
			names[k.name] = true
		}
		if len(scales) < 2 {
			continue
		}
		var ss []float64
		for s := range scales {
			ss = append(ss, s)
		}
		sort.Float64s(ss)
		var ns []string
		for n := range names {
			ns = append(ns, n)
		}
		sort.Strings(ns)
		fmt.Fprintf(&b, "## Growth with data, %s (server p50 ms by scale)\n\nAn operation that grows about as fast as the data (×%g from the smallest to the largest scale) fails this check; exports, and a page of 500 people, answer with more of the data as it grows (the firm has 25 people at scale 0.1, 250 from scale 1) and are not judged by it.\n\n| operation |", dialect, ss[len(ss)-1]/ss[0])
		for _, s := range ss {
			fmt.Fprintf(&b, " %g |", s)
		}
		b.WriteString(" growth | sub-linear |\n|---|")
		for range ss {
			b.WriteString("---|")
		}
		b.WriteString("---|---|\n")
		for _, n := range ns {
			first, okF := stats[key{ss[0], n}]
			last, okL := stats[key{ss[len(ss)-1], n}]
			if !okF || !okL {
				continue
			}
			fmt.Fprintf(&b, "| %s |", n)
			for _, s := range ss {
				fmt.Fprintf(&b, " %.2f |", serverP50(stats[key{s, n}]))
			}
			growth := serverP50(last) / max(serverP50(first), 0.001)
			linear := ss[len(ss)-1] / ss[0]
			ok := growth < linear/2 || growsWithAnswer(n)
			fmt.Fprintf(&b, " ×%.1f | %s |\n", growth, mark(ok))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// serverP50 is an operation's median server time, or the client's median
// where the server did not say. Exports are streamed, so the server's time
// to first byte is not their cost: for them it is the client's.
func serverP50(s Stat) float64 {
	if s.ServerP50ms > 0 && s.Kind != "export" {
		return s.ServerP50ms
	}
	return s.P50ms
}

// summary is one line per target at each dialect's largest scale: how many
// operations meet it and the one furthest from it.
func summary(rep Report) string {
	top := map[string]Run{}
	for _, r := range rep.Runs {
		if r.FailedReason == "" && (top[r.Dialect].Dialect == "" || r.Scale > top[r.Dialect].Scale) {
			top[r.Dialect] = r
		}
	}
	if len(top) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Targets at the largest scale\n\n| target | dialect | met | furthest from it |\n|---|---|---|---|\n")
	var dialects []string
	for d := range top {
		dialects = append(dialects, d)
	}
	sort.Strings(dialects)
	for _, d := range dialects {
		r := top[d]
		// count reports how many of the stats of kinds meet ok, and the
		// worst by bad (larger is worse).
		count := func(label string, kinds []string, ok func(Stat) bool, bad func(Stat) float64, unit string) {
			n, met, worst := 0, 0, Stat{}
			for _, s := range r.Stats {
				if !slices.Contains(kinds, s.Kind) {
					continue
				}
				n++
				if ok(s) && s.Errors == 0 {
					met++
				}
				if worst.Name == "" || bad(s) > bad(worst) {
					worst = s
				}
			}
			if n > 0 {
				fmt.Fprintf(&b, "| %s | %s, scale %g | %d of %d | %s: %.2f %s |\n", label, d, r.Scale, met, n, worst.Name, abs(bad(worst)), unit)
			}
		}
		count(fmt.Sprintf("list page server p95 ≤ %.0f ms", targetListP95ms), []string{"list"},
			func(s Stat) bool { return s.ServerP95ms <= targetListP95ms }, func(s Stat) float64 { return s.ServerP95ms }, "ms")
		count(fmt.Sprintf("API list server p95 ≤ %.0f ms", targetListP95ms), []string{"api-list"},
			func(s Stat) bool { return s.ServerP95ms <= targetListP95ms }, func(s Stat) float64 { return s.ServerP95ms }, "ms")
		count(fmt.Sprintf("≥ %.0f page requests/s", targetPagesPerSec), []string{"list", "page"},
			func(s Stat) bool { return s.Throughput >= targetPagesPerSec }, func(s Stat) float64 { return -s.Throughput }, "req/s")
		if d == "postgres" {
			if sq, ok := top["sqlite"]; ok && sq.Scale == r.Scale {
				byName := map[string]Stat{}
				for _, x := range sq.Stats {
					byName[x.Name] = x
				}
				n, met, worst, worstRatio, worstDiff := 0, 0, "", 0.0, 0.0
				for _, x := range r.Stats {
					y, ok := byName[x.Name]
					if !ok {
						continue
					}
					n++
					ratio := serverP50(x) / max(serverP50(y), 0.001)
					if ratio <= targetPGRatio {
						met++
					}
					if ratio > worstRatio {
						worst, worstRatio, worstDiff = x.Name, ratio, serverP50(x)-serverP50(y)
					}
				}
				fmt.Fprintf(&b, "| PostgreSQL within %.0f× of SQLite (server p50) | %s, scale %g | %d of %d | %s: ×%.1f (%+.2f ms) |\n", targetPGRatio, d, r.Scale, met, n, worst, worstRatio, worstDiff)
			}
		}
		one := func(label string, v float64, limit float64, unit string) {
			fmt.Fprintf(&b, "| %s | %s, scale %g | %s | %.1f %s |\n", label, d, r.Scale, mark(v <= limit), v, unit)
		}
		for _, s := range r.Stats {
			if s.Name == "SoA XLSX export" {
				one(fmt.Sprintf("SoA XLSX ≤ %.0f ms (p95)", targetSoAXLSXms), s.P95ms, targetSoAXLSXms, "ms")
			}
		}
		one(fmt.Sprintf("`holdfast check` for one organisation ≤ %.0f ms", targetCheckMs), r.CheckOrgMs, targetCheckMs, "ms")
		one(fmt.Sprintf("idle RSS ≤ %.0f MB", targetIdleRSSMB), r.IdleRSSMB, targetIdleRSSMB, "MB")
		one(fmt.Sprintf("cold start ≤ %.0f ms", targetColdStartMs), r.ColdStartMs, targetColdStartMs, "ms")
	}
	b.WriteString("\n")
	return b.String()
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// growsWithAnswer reports whether operation n answers with more records as
// the data grows (an export, a page of up to 500 people): its cost grows
// with the data by nature, and the growth check does not judge it.
func growsWithAnswer(n string) bool {
	return strings.Contains(n, "export") || strings.Contains(n, "500 a page")
}
