package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	var (
		bin      = flag.String("bin", ".cache/bin/holdfast", "holdfast binary to measure")
		scales   = flag.String("scales", "0.1,1,2", "comma-separated data scales (1 ≈ one 250-person firm, about 50,000 records; the default top scale holds about 100,000)")
		dialects = flag.String("dialects", "sqlite,postgres", "databases to measure")
		dur      = flag.Duration("duration", 2*time.Second, "load time per endpoint")
		conc     = flag.Int("concurrency", 4, "concurrent clients")
		repeats  = flag.Int("repeats", 3, "runs per endpoint (the median is reported)")
		out      = flag.String("out", "bench/results", "directory for the JSON and Markdown reports")
		render   = flag.String("render", "", "write the Markdown summary of this JSON report again, next to it, and measure nothing")
	)
	flag.Parse()
	if *render != "" {
		if err := rerender(*render); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := Config{Bin: *bin, Dialects: strings.Split(*dialects, ","), PostgresDSN: os.Getenv("HOLDFAST_TEST_POSTGRES"),
		Duration: *dur, Concurrency: *conc, Repeats: *repeats, Log: os.Stderr}
	for _, s := range strings.Split(*scales, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || f <= 0 {
			fmt.Fprintf(os.Stderr, "bench: bad scale %q\n", s)
			os.Exit(2)
		}
		cfg.Scales = append(cfg.Scales, f)
	}
	rep, err := Measure(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fillMachine(&rep)
	j, m, err := writeReport(*out, rep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("Wrote %s and %s\n", j, m)
}

// rerender writes the Markdown summary of the JSON report at path again,
// so that a change to the summary reaches reports already measured.
func rerender(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	md := strings.TrimSuffix(path, ".json") + ".md"
	if err := os.WriteFile(md, []byte(Markdown(rep)), 0o644); err != nil {
		return err
	}
	fmt.Printf("Wrote %s\n", md)
	return nil
}

// fillMachine records the facts that make figures comparable.
func fillMachine(rep *Report) {
	rep.Cores = runtime.NumCPU()
	rep.GoVersion = runtime.Version()
	if b, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		rep.Commit = strings.TrimSpace(string(b))
	} else {
		rep.Commit = "unknown"
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
				rep.MemoryGB = kb / 1024 / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				rep.CPU = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
}
