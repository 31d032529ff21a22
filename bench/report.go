package main

import (
	"fmt"
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
	for _, r := range rep.Runs {
		fmt.Fprintf(&b, "## %s, scale %g (%d records)\n\n", r.Dialect, r.Scale, r.Records)
		if r.FailedReason != "" {
			fmt.Fprintf(&b, "Run failed: %s\n\n", r.FailedReason)
			continue
		}
		fmt.Fprintf(&b, "| figure | value | target | |\n|---|---|---|---|\n")
		fmt.Fprintf(&b, "| cold start to first /readyz | %.0f ms | ≤ %.0f ms | %s |\n", r.ColdStartMs, targetColdStartMs, mark(r.ColdStartMs <= targetColdStartMs))
		fmt.Fprintf(&b, "| idle RSS | %.1f MB | ≤ %.0f MB | %s |\n", r.IdleRSSMB, targetIdleRSSMB, mark(r.IdleRSSMB <= targetIdleRSSMB))
		fmt.Fprintf(&b, "| RSS under load (max) | %.1f MB | | |\n", r.LoadRSSMB)
		fmt.Fprintf(&b, "| `holdfast check --org demo-01` (one organisation, whole process) | %.0f ms | ≤ %.0f ms | %s |\n", r.CheckOrgMs, targetCheckMs, mark(r.CheckOrgMs <= targetCheckMs))
		fmt.Fprintf(&b, "| `holdfast check` (every organisation, whole process) | %.0f ms | | |\n", r.CheckMs)
		fmt.Fprintf(&b, "| data generation | %.1f s | | |\n\n", r.GenerateSec)
		fmt.Fprintf(&b, "| operation | p50 ms | p95 ms | p99 ms | server p50 ms | server p95 ms | req/s | errors | target | |\n|---|---|---|---|---|---|---|---|---|---|\n")
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
			}
			m := ""
			if target != "" {
				m = mark(ok && s.Errors == 0)
			}
			errs := fmt.Sprint(s.Errors)
			if s.Conflicts > 0 {
				errs += fmt.Sprintf(" (+%d conflicts)", s.Conflicts)
			}
			fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %s | %s |\n", s.Name, s.P50ms, s.P95ms, s.P99ms, s.ServerP50ms, s.ServerP95ms, s.Throughput, errs, target, m)
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
		b.WriteString("## PostgreSQL against SQLite (p50)\n\n| scale | operation | SQLite ms | PostgreSQL ms | ratio | ≤ 2× |\n|---|---|---|---|---|---|\n")
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
			s, p := sq[k], pg[k]
			ratio := p.P50ms / max(s.P50ms, 0.001)
			fmt.Fprintf(&b, "| %g | %s | %.2f | %.2f | %.2f | %s |\n", k.scale, k.name, s.P50ms, p.P50ms, ratio, mark(ratio <= targetPGRatio))
		}
		b.WriteString("\n")
	}
	for dialect, stats := range by {
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
		fmt.Fprintf(&b, "## Growth with data, %s (p50 ms by scale)\n\nAn operation that grows about as fast as the data (×%g from the smallest to the largest scale) fails this check.\n\n| operation |", dialect, ss[len(ss)-1]/ss[0])
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
				fmt.Fprintf(&b, " %.2f |", stats[key{s, n}].P50ms)
			}
			growth := last.P50ms / max(first.P50ms, 0.001)
			linear := ss[len(ss)-1] / ss[0]
			ok := growth < linear/2 || strings.Contains(n, "export") // exports grow with the data by nature
			fmt.Fprintf(&b, " ×%.1f | %s |\n", growth, mark(ok))
		}
		b.WriteString("\n")
	}
	return b.String()
}
