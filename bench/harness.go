// Command bench is Holdfast's benchmark harness: it generates realistic
// data with `holdfast demo`, starts `holdfast serve` on SQLite and on
// PostgreSQL, measures latency, throughput, memory and start-up with
// concurrent clients on loopback, and writes a JSON report plus a Markdown
// summary that compares each figure with the targets in DESIGN.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Config says what to measure.
type Config struct {
	Bin         string        // holdfast binary
	Scales      []float64     // data sizes, see `holdfast demo --scale`
	Dialects    []string      // "sqlite", "postgres"
	PostgresDSN string        // admin DSN of a PostgreSQL server for "postgres"
	Duration    time.Duration // per read endpoint
	Concurrency int
	Repeats     int // runs per endpoint; the median run is reported
	WorkDir     string
	Log         io.Writer
}

// Stat is one measured operation.
type Stat struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"` // page, api, write, export, command
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Conflicts  int     `json:"conflicts,omitempty"`
	P50ms      float64 `json:"p50_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	Throughput float64 `json:"throughput_rps"`
	// Server time to first byte, from the Server-Timing header: the
	// client-side figures above also carry the load generator's own work,
	// which shares the machine's cores with the server.
	ServerP50ms float64 `json:"server_p50_ms,omitempty"`
	ServerP95ms float64 `json:"server_p95_ms,omitempty"`
	ServerP99ms float64 `json:"server_p99_ms,omitempty"`
	// Statements the server's store ran per request, reads and writes
	// together, from its holdfast_db_statements_total counter. It counts
	// the server's background writes in the same time too (session
	// touches, a token's last use), so it can exceed what one request
	// needs by a little. 0 where it was not measured (writes, exports,
	// and reports older than the field).
	StatementsPerRequest float64 `json:"statements_per_request,omitempty"`
	// Round trips to the database per request, likewise: statements the
	// server sends together (on PostgreSQL) count once.
	RoundTripsPerRequest float64 `json:"round_trips_per_request,omitempty"`
}

// Run is every measurement of one dialect at one scale.
type Run struct {
	Dialect      string  `json:"dialect"`
	Scale        float64 `json:"scale"`
	Records      int     `json:"records"`
	GenerateSec  float64 `json:"generate_s"`
	ColdStartMs  float64 `json:"cold_start_ms"`
	IdleRSSMB    float64 `json:"idle_rss_mb"`
	IdleAnonMB   float64 `json:"idle_anon_mb"` // of which private memory; the rest is the binary's pages mapped from disk
	LoadRSSMB    float64 `json:"load_rss_mb"`
	CheckMs      float64 `json:"check_ms"`
	CheckOrgMs   float64 `json:"check_org_ms"`
	Stats        []Stat  `json:"stats"`
	FailedReason string  `json:"failed,omitempty"`
}

// Report is the whole benchmark result.
type Report struct {
	Date        string  `json:"date"`
	Commit      string  `json:"commit"`
	GoVersion   string  `json:"go_version"`
	Cores       int     `json:"cores"`
	MemoryGB    float64 `json:"memory_gb"`
	CPU         string  `json:"cpu"`
	BinaryMB    float64 `json:"binary_mb"`
	Concurrency int     `json:"concurrency"`
	DurationSec float64 `json:"duration_s"`
	Runs        []Run   `json:"runs"`
}

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// instance is one running `holdfast serve`.
type instance struct {
	cmd   *exec.Cmd
	base  string
	args  []string // --data/--db
	bin   string
	token string
	// The header line that authenticates a load worker's request: the
	// signed-in browser session's cookie for pages, the token for the API.
	pageAuth, apiAuth []string
	api               *http.Client
	org               string
	started           time.Time
	ready             time.Duration
}

func (c Config) command(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.Bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("holdfast %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

var urlRE = regexp.MustCompile(`running at (http://[0-9.:]+)`)

// start launches the server and waits for /readyz.
func (c Config) start(ctx context.Context, dbArgs []string) (*instance, error) {
	in := &instance{bin: c.Bin, args: dbArgs, org: "demo-01"}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, dbArgs...)
	in.cmd = exec.CommandContext(ctx, c.Bin, args...)
	stdout, err := in.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	in.cmd.Stderr = io.Discard
	in.started = time.Now()
	if err := in.cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case in.base = <-found:
	case <-time.After(30 * time.Second):
		in.stop()
		return nil, errors.New("server did not print its address within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(in.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				in.ready = time.Since(in.started)
				return in, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	in.stop()
	return nil, errors.New("server not ready within 30 s")
}

func (in *instance) stop() {
	if in.cmd != nil && in.cmd.Process != nil {
		in.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { in.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			in.cmd.Process.Kill()
		}
	}
}

// rssMB reads the process's resident set size.
func rssMB(pid int) float64 { return procStatusMB(pid, "VmRSS:") }

// procStatusMB reads one memory figure of /proc/PID/status in MB.
func procStatusMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// keepAlive is the transport of the harness's own requests around the
// measurements (signing in, finding records to measure). The load workers
// use a loadConn each, kept open between requests as a browser does.
var keepAlive = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}

// signIn gets a browser session for the demo owner.
func (in *instance) signIn() error {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: keepAlive, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(in.base+"/login", url.Values{"email": {"owner@demo-01.test"}, "password": {"holdfast-demo-password"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return fmt.Errorf("sign-in answered %d", resp.StatusCode)
	}
	in.api = &http.Client{Transport: keepAlive, Timeout: 60 * time.Second}
	u, _ := url.Parse(in.base)
	var pairs []string
	for _, ck := range jar.Cookies(u) {
		pairs = append(pairs, ck.Name+"="+ck.Value)
	}
	if len(pairs) == 0 {
		return errors.New("sign-in set no cookie")
	}
	in.pageAuth = []string{"Cookie: " + strings.Join(pairs, "; ")}
	in.apiAuth = []string{"Authorization: Bearer " + in.token}
	return nil
}

// loadConn returns a new keep-alive connection to the server for one load
// worker.
func (in *instance) loadConn() *loadConn {
	return newLoadConn(strings.TrimPrefix(in.base, "http://"), time.Minute)
}

// auth is the header line that authenticates a request (see pageAuth).
func (in *instance) auth(api bool) []string {
	if api {
		return in.apiAuth
	}
	return in.pageAuth
}

func (in *instance) apiGet(path string, v any) error {
	req, _ := http.NewRequest("GET", in.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+in.token)
	resp, err := in.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// The counters of statements run and of round trips to the database, one
// line per pool.
const (
	statementsMetric = "holdfast_db_statements_total"
	roundTripsMetric = "holdfast_db_round_trips_total"
)

// dbCounts are the server's counters of statements and round trips.
type dbCounts struct{ statements, roundTrips int64 }

// dbCounts returns how many statements the server's store has run since it
// started, and in how many round trips, in both pools, read from its
// /metrics.
func (in *instance) dbCounts() (dbCounts, error) {
	resp, err := in.api.Get(in.base + "/metrics")
	if err != nil {
		return dbCounts{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return dbCounts{}, fmt.Errorf("GET /metrics: %d", resp.StatusCode)
	}
	return parseDBCounts(resp.Body)
}

// parseDBCounts adds up the read and write pools' counters of statements
// and of round trips in a Prometheus text exposition. A pool missing from
// it is an error: the server measured does not count them, and a total
// without it would be wrong rather than absent.
func parseDBCounts(r io.Reader) (dbCounts, error) {
	pools := map[string]int64{} // by metric and pool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		for _, metric := range []string{statementsMetric, roundTripsMetric} {
			rest, ok := strings.CutPrefix(sc.Text(), metric+`{pool="`)
			if !ok {
				continue
			}
			pool, value, ok := strings.Cut(rest, `"} `)
			f := strings.Fields(value) // a sample may carry a timestamp after its value
			if !ok || len(f) == 0 {
				return dbCounts{}, fmt.Errorf("/metrics: cannot read %q", sc.Text())
			}
			n, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				return dbCounts{}, fmt.Errorf("/metrics: %s for pool %q: %w", metric, pool, err)
			}
			pools[metric+" "+pool] = int64(n)
		}
	}
	if err := sc.Err(); err != nil {
		return dbCounts{}, fmt.Errorf("/metrics: %w", err)
	}
	var c dbCounts
	for _, metric := range []string{statementsMetric, roundTripsMetric} {
		for _, pool := range []string{"read", "write"} {
			n, ok := pools[metric+" "+pool]
			if !ok {
				return dbCounts{}, fmt.Errorf("/metrics has no %s{pool=%q}: the server does not count its statements and round trips", metric, pool)
			}
			if metric == statementsMetric {
				c.statements += n
			} else {
				c.roundTrips += n
			}
		}
	}
	return c, nil
}

// lastCursor pages through the API list at path one page at a time and
// returns the cursor of its last page ("" when it has one page).
func (in *instance) lastCursor(path string) (string, error) {
	cursor := ""
	for range 100000 {
		var pg struct {
			NextCursor string `json:"next_cursor"`
		}
		if err := in.apiGet(path+"?cursor="+url.QueryEscape(cursor), &pg); err != nil {
			return "", err
		}
		if pg.NextCursor == "" {
			return cursor, nil
		}
		cursor = pg.NextCursor
	}
	return "", fmt.Errorf("%s: no last page after 100,000 pages", path)
}

// op is one request a load worker repeats on its connection. do returns
// the response's status and the server's own time in milliseconds (0 if
// it did not say).
type op struct {
	name, kind string
	do         func(in *instance, lc *loadConn) (status int, serverMs float64, err error)
}

func get(name, kind, path string, api bool) op {
	return op{name: name, kind: kind, do: func(in *instance, lc *loadConn) (int, float64, error) {
		r, err := lc.do("GET", path, in.auth(api), nil, false)
		return r.status, r.serverMs, err
	}}
}

// send sends a JSON body through the API and reads the whole response.
func send(in *instance, lc *loadConn, method, path, body string) (int, float64, error) {
	r, err := lc.do(method, path, []string{in.apiAuth[0], "Content-Type: application/json"}, []byte(body), false)
	return r.status, r.serverMs, err
}

// serverTime reads "app;dur=1.234" from a Server-Timing header.
func serverTime(h string) float64 {
	_, v, ok := strings.Cut(h, "dur=")
	if !ok {
		return 0
	}
	ms, _ := strconv.ParseFloat(v, 64)
	return ms
}

// measure runs o with n concurrent workers for d and returns its latency
// distribution.
func measure(in *instance, o op, n int, d time.Duration, sampleRSS func()) Stat {
	var mu sync.Mutex
	var lat, server []float64
	st := Stat{Name: o.name, Kind: o.kind}
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine, mineServer []float64
			errs, conflicts := 0, 0
			lc := in.loadConn()
			defer lc.close()
			for time.Now().Before(stop) {
				t := time.Now()
				code, sms, err := o.do(in, lc)
				ms := float64(time.Since(t).Microseconds()) / 1000
				if sms > 0 {
					mineServer = append(mineServer, sms)
				}
				switch {
				case err != nil || code >= 500 || code == 0:
					errs++
				case code == http.StatusConflict:
					conflicts++
				case code >= 400:
					errs++
				}
				mine = append(mine, ms)
			}
			mu.Lock()
			lat = append(lat, mine...)
			server = append(server, mineServer...)
			st.Errors += errs
			st.Conflicts += conflicts
			mu.Unlock()
		}()
	}
	if sampleRSS != nil {
		done := make(chan struct{})
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					sampleRSS()
				}
			}
		}()
		wg.Wait()
		close(done)
	} else {
		wg.Wait()
	}
	sort.Float64s(lat)
	st.Requests = len(lat)
	st.P50ms, st.P95ms, st.P99ms = pct(lat, 50), pct(lat, 95), pct(lat, 99)
	sort.Float64s(server)
	st.ServerP50ms, st.ServerP95ms, st.ServerP99ms = pct(server, 50), pct(server, 95), pct(server, 99)
	st.Throughput = float64(len(lat)) / d.Seconds()
	return st
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// inRounds measures each of n operations (one measures the i-th) repeats
// times, in rounds: every operation once, then every operation again, and
// returns each one's median run. The machines here change speed for minutes
// at a time; measured back to back, all runs of the operations measured in
// such a spell were slow, and their median with them. In rounds, a spell
// shorter than a round slows one run of each operation it meets, which the
// median leaves out. round is told when each round starts.
func inRounds(n, repeats int, one func(i int) (Stat, error), round func(r, of int)) ([]Stat, error) {
	repeats = max(repeats, 1)
	reps := make([][]Stat, n)
	for r := range repeats {
		round(r, repeats)
		for i := range n {
			s, err := one(i)
			if err != nil {
				return nil, err
			}
			reps[i] = append(reps[i], s)
		}
	}
	out := make([]Stat, n)
	for i := range reps {
		out[i] = median(reps[i])
	}
	return out, nil
}

// median picks the run with the median p95 among repeats.
func median(runs []Stat) Stat {
	sort.Slice(runs, func(i, j int) bool { return runs[i].P95ms < runs[j].P95ms })
	return runs[len(runs)/2]
}

// prepare creates a database for dialect and returns the serve arguments.
func (c Config) prepare(ctx context.Context, dialect string, scale float64) ([]string, func(), error) {
	dir, err := os.MkdirTemp(c.WorkDir, "bench-"+dialect+"-")
	if err != nil {
		return nil, nil, err
	}
	args := []string{"--data", dir}
	cleanup := func() { os.RemoveAll(dir) }
	if dialect == "postgres" {
		if c.PostgresDSN == "" {
			return nil, cleanup, errors.New("no PostgreSQL server: set HOLDFAST_TEST_POSTGRES or run through scripts/with-postgres.sh")
		}
		admin, err := sql.Open("pgx", c.PostgresDSN)
		if err != nil {
			return nil, cleanup, err
		}
		name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close()
			return nil, cleanup, err
		}
		u, _ := url.Parse(c.PostgresDSN)
		u.Path = "/" + name
		args = append(args, "--db", u.String())
		prev := cleanup
		cleanup = func() {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
			prev()
		}
	}
	return args, cleanup, nil
}

// Measure runs the whole benchmark.
func Measure(ctx context.Context, c Config) (Report, error) {
	rep := Report{Date: time.Now().UTC().Format(time.RFC3339), Concurrency: c.Concurrency, DurationSec: c.Duration.Seconds()}
	if fi, err := os.Stat(c.Bin); err == nil {
		rep.BinaryMB = float64(fi.Size()) / (1 << 20)
	} else {
		return rep, fmt.Errorf("binary: %w", err)
	}
	for _, scale := range c.Scales {
		for _, dialect := range c.Dialects {
			c.logf("== %s at scale %g", dialect, scale)
			run, err := c.runOne(ctx, dialect, scale)
			if err != nil {
				run.FailedReason = err.Error()
				c.logf("   failed: %v", err)
			}
			rep.Runs = append(rep.Runs, run)
		}
	}
	return rep, nil
}

func (c Config) runOne(ctx context.Context, dialect string, scale float64) (Run, error) {
	run := Run{Dialect: dialect, Scale: scale}
	dbArgs, cleanup, err := c.prepare(ctx, dialect, scale)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return run, err
	}
	t := time.Now()
	out, err := c.command(ctx, append([]string{"demo", "--scale", strconv.FormatFloat(scale, 'f', -1, 64), "--seed", "1"}, dbArgs...)...)
	if err != nil {
		return run, err
	}
	run.GenerateSec = time.Since(t).Seconds()
	run.Records = parseRecords(out)
	c.logf("   generated %d records in %.1fs", run.Records, run.GenerateSec)
	tokOut, err := c.command(ctx, append([]string{"token", "create", "--email", "owner@demo-01.test", "--name", "bench"}, dbArgs...)...)
	if err != nil {
		return run, err
	}
	lines := strings.Split(strings.TrimSpace(tokOut), "\n")

	// Cold start: median of three starts to first /readyz success.
	var starts []float64
	var in *instance
	for i := 0; i < 3; i++ {
		if in != nil {
			in.stop()
		}
		in, err = c.start(ctx, dbArgs)
		if err != nil {
			return run, err
		}
		starts = append(starts, float64(in.ready.Microseconds())/1000)
	}
	defer in.stop()
	sort.Float64s(starts)
	run.ColdStartMs = starts[1]
	in.token = lines[len(lines)-1]
	if err := in.signIn(); err != nil {
		return run, err
	}
	// Idle memory of a server that has been used: signed in, two pages
	// and an API call served, then a second of quiet.
	warm := in.loadConn()
	for _, p := range []string{"/o/demo-01/", "/o/demo-01/people"} {
		if code, _, err := get("warm-up", "page", p, false).do(in, warm); err != nil || code != http.StatusOK {
			return run, fmt.Errorf("GET %s: %d %v", p, code, err)
		}
	}
	if code, _, err := get("warm-up", "api", "/api/v1/orgs/demo-01/people", true).do(in, warm); err != nil || code != http.StatusOK {
		return run, fmt.Errorf("GET the API's people list: %d %v", code, err)
	}
	warm.close()
	time.Sleep(time.Second)
	pid := in.cmd.Process.Pid
	run.IdleRSSMB, run.IdleAnonMB = rssMB(pid), procStatusMB(pid, "RssAnon:")

	var people struct {
		Items []struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"items"`
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
	}
	if err := in.apiGet("/api/v1/orgs/demo-01/people?limit=1&sort=-name", &people); err != nil || len(people.Items) == 0 {
		return run, fmt.Errorf("read people through the API: %v", err)
	}
	lastID := people.Items[0].ID
	org := "/o/demo-01"
	apiOrg := "/api/v1/orgs/demo-01"
	// The cursor of each register's last page in its default order, at
	// the default page size (the web list and the API both show 50):
	// paging there one page at a time, as a user would, shows whether a
	// deep page costs more than the first.
	last := map[string]string{}
	for _, reg := range []string{"people", "assets", "risks", "actions", "evidence"} {
		cur, err := in.lastCursor(apiOrg + "/" + reg)
		if err != nil {
			return run, err
		}
		last[reg] = url.QueryEscape(cur)
	}
	// One record of each register for the detail pages: the one changed
	// last, and for risk assessments the latest closed run (an open run
	// has no snapshot yet).
	first := map[string]string{}
	for reg, query := range map[string]string{"assets": "sort=-updated_at", "risks": "sort=-updated_at", "controls": "sort=-updated_at",
		"evidence": "sort=-updated_at", "actions": "sort=-updated_at", "threats": "sort=-updated_at",
		"vulnerabilities": "sort=-updated_at", "assessments": "status=closed"} {
		var pg struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := in.apiGet(apiOrg+"/"+reg+"?limit=1&"+query, &pg); err != nil || len(pg.Items) == 0 {
			return run, fmt.Errorf("read %s through the API: %v", reg, err)
		}
		first[reg] = pg.Items[0].ID
	}
	ops := []op{
		get("dashboard", "page", org+"/", false),
		get("my tasks", "page", org+"/my-actions", false),
		get("search", "page", org+"/search?q=backup", false),
		get("people list", "list", org+"/people", false),
		get("people list filtered", "list", org+"/people?department=Finance", false),
		get("people list sorted", "list", org+"/people?sort=-start_date", false),
		get("people list searched", "list", org+"/people?q=patel", false),
		get("people list deep page", "list", org+"/people?cursor="+last["people"], false),
		get("people detail", "page", org+"/people/"+lastID, false),
		get("asset list", "list", org+"/assets", false),
		get("asset list filtered", "list", org+"/assets?type=application", false),
		get("asset list sorted", "list", org+"/assets?sort=-updated_at", false),
		get("asset list searched", "list", org+"/assets?q=laptop", false),
		get("asset list deep page", "list", org+"/assets?cursor="+last["assets"], false),
		get("asset detail", "page", org+"/assets/"+first["assets"], false),
		get("risk list", "list", org+"/risks", false),
		get("risk list filtered", "list", org+"/risks?status=approved", false),
		get("risk list sorted", "list", org+"/risks?sort=-residual", false),
		get("risk list searched", "list", org+"/risks?q=backup", false),
		get("risk list deep page", "list", org+"/risks?cursor="+last["risks"], false),
		get("risk detail", "page", org+"/risks/"+first["risks"], false),
		get("risk heat map", "page", org+"/risks/heatmap", false),
		get("risk treatment plan", "page", org+"/risks/plan", false),
		get("threat list", "list", org+"/threats", false),
		get("threat list filtered", "list", org+"/threats?category=deliberate", false),
		get("threat list sorted", "list", org+"/threats?sort=-updated_at", false),
		get("threat list searched", "list", org+"/threats?q=phishing", false),
		get("threat detail", "page", org+"/threats/"+first["threats"], false),
		get("vulnerability list", "list", org+"/vulnerabilities", false),
		get("vulnerability list searched", "list", org+"/vulnerabilities?q=backup", false),
		get("vulnerability detail", "page", org+"/vulnerabilities/"+first["vulnerabilities"], false),
		get("assessment list", "list", org+"/assessments", false),
		get("assessment list filtered", "list", org+"/assessments?status=closed", false),
		get("assessment detail", "page", org+"/assessments/"+first["assessments"], false),
		get("action list", "list", org+"/actions", false),
		get("action list filtered", "list", org+"/actions?status=open", false),
		get("action list sorted", "list", org+"/actions?sort=-updated_at", false),
		get("action list searched", "list", org+"/actions?q=review", false),
		get("action list deep page", "list", org+"/actions?cursor="+last["actions"], false),
		get("action detail", "page", org+"/actions/"+first["actions"], false),
		get("control list", "list", org+"/controls", false),
		get("control list filtered", "list", org+"/controls?status=implemented", false),
		get("control list searched", "list", org+"/controls?q=access", false),
		get("control detail", "page", org+"/controls/"+first["controls"], false),
		get("evidence list", "list", org+"/evidence", false),
		get("evidence list expired", "list", org+"/evidence?expiry=expired", false),
		get("evidence list sorted", "list", org+"/evidence?sort=-valid_until", false),
		get("evidence list searched", "list", org+"/evidence?q=restore", false),
		get("evidence list deep page", "list", org+"/evidence?cursor="+last["evidence"], false),
		get("evidence detail", "page", org+"/evidence/"+first["evidence"], false),
		get("SoA page", "page", org+"/soa", false),
		get("audit log", "page", org+"/audit", false),
		get("API people list", "api-list", apiOrg+"/people", true),
		get("API people filtered", "api-list", apiOrg+"/people?department=Finance", true),
		get("API people sorted", "api-list", apiOrg+"/people?sort=-start_date", true),
		get("API people searched", "api-list", apiOrg+"/people?q=patel", true),
		get("API people last page", "api-list", apiOrg+"/people?cursor="+last["people"], true),
		get("API people, 500 a page", "api-list", apiOrg+"/people?limit=500", true),
		get("API person", "api", apiOrg+"/people/"+lastID, true),
		get("API asset list", "api-list", apiOrg+"/assets", true),
		get("API asset list last page", "api-list", apiOrg+"/assets?cursor="+last["assets"], true),
		get("API asset", "api", apiOrg+"/assets/"+first["assets"], true),
		get("API risk list", "api-list", apiOrg+"/risks", true),
		get("API risk list searched", "api-list", apiOrg+"/risks?q=backup", true),
		get("API risk", "api", apiOrg+"/risks/"+first["risks"], true),
		get("API threat list", "api-list", apiOrg+"/threats", true),
		get("API vulnerability list", "api-list", apiOrg+"/vulnerabilities", true),
		get("API assessment list", "api-list", apiOrg+"/assessments", true),
		get("API assessment", "api", apiOrg+"/assessments/"+first["assessments"], true),
		get("API action list", "api-list", apiOrg+"/actions", true),
		get("API action list filtered", "api-list", apiOrg+"/actions?status=open", true),
		get("API action", "api", apiOrg+"/actions/"+first["actions"], true),
		get("API control list", "api-list", apiOrg+"/controls", true),
		get("API control", "api", apiOrg+"/controls/"+first["controls"], true),
		get("API evidence list", "api-list", apiOrg+"/evidence", true),
		get("API evidence searched", "api-list", apiOrg+"/evidence?q=restore", true),
		get("API evidence", "api", apiOrg+"/evidence/"+first["evidence"], true),
		get("API SoA", "api", apiOrg+"/soa", true),
	}
	maxRSS := 0.0
	var rssMu sync.Mutex
	sample := func() {
		r := rssMB(pid)
		rssMu.Lock()
		if r > maxRSS {
			maxRSS = r
		}
		rssMu.Unlock()
	}
	stats, err := inRounds(len(ops), c.Repeats, func(i int) (Stat, error) {
		// Nothing else asks the server anything between the two
		// readings, so their difference is this run's statements.
		before, err := in.dbCounts()
		if err != nil {
			return Stat{}, err
		}
		s := measure(in, ops[i], c.Concurrency, c.Duration, sample)
		after, err := in.dbCounts()
		if err != nil {
			return Stat{}, err
		}
		if s.Requests > 0 {
			s.StatementsPerRequest = float64(after.statements-before.statements) / float64(s.Requests)
			s.RoundTripsPerRequest = float64(after.roundTrips-before.roundTrips) / float64(s.Requests)
		}
		return s, nil
	}, func(r, n int) { c.logf("   round %d of %d", r+1, n) })
	if err != nil {
		return run, err
	}
	for _, s := range stats {
		c.logf("   %-26s p50 %6.2f  p95 %6.2f  p99 %6.2f ms  server p50 %6.2f  p95 %6.2f  p99 %6.2f ms  %5.1f statements (%.1f round trips)/req  %7.0f req/s  errors %d", s.Name, s.P50ms, s.P95ms, s.P99ms, s.ServerP50ms, s.ServerP95ms, s.ServerP99ms, s.StatementsPerRequest, s.RoundTripsPerRequest, s.Throughput, s.Errors)
		run.Stats = append(run.Stats, s)
	}
	// Writes with contention: every worker edits the same person.
	write := op{name: "API update (contended)", kind: "write", do: func(in *instance, lc *loadConn) (int, float64, error) {
		r, err := lc.do("GET", apiOrg+"/people/"+lastID, in.auth(true), nil, true)
		if err != nil || r.status != http.StatusOK {
			return r.status, 0, err
		}
		var p struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			return 0, 0, err
		}
		body := fmt.Sprintf(`{"version":%d,"job_title":"Bench %d"}`, p.Version, time.Now().UnixNano())
		return send(in, lc, "PATCH", apiOrg+"/people/"+lastID, body)
	}}
	ws := measure(in, write, c.Concurrency, c.Duration, sample)
	c.logf("   %-26s p50 %6.2f  p95 %6.2f  p99 %6.2f ms  %7.0f req/s  conflicts %d errors %d", ws.Name, ws.P50ms, ws.P95ms, ws.P99ms, ws.Throughput, ws.Conflicts, ws.Errors)
	run.Stats = append(run.Stats, ws)
	// Writes without contention: every worker adds assets.
	var created atomic.Int64
	create := op{name: "API create", kind: "write", do: func(in *instance, lc *loadConn) (int, float64, error) {
		body := fmt.Sprintf(`{"name":"Bench asset %d","type":"hardware"}`, created.Add(1))
		return send(in, lc, "POST", apiOrg+"/assets", body)
	}}
	cs := measure(in, create, c.Concurrency, c.Duration, sample)
	c.logf("   %-26s p50 %6.2f  p95 %6.2f  p99 %6.2f ms  %7.0f req/s  errors %d", cs.Name, cs.P50ms, cs.P95ms, cs.P99ms, cs.Throughput, cs.Errors)
	run.Stats = append(run.Stats, cs)
	// Export: sequential, a few times.
	ex := measure(in, get("people XLSX export", "export", apiOrg+"/people/export.xlsx", true), 1, c.Duration, sample)
	c.logf("   %-26s p50 %6.2f ms (%d runs)", ex.Name, ex.P50ms, ex.Requests)
	run.Stats = append(run.Stats, ex)
	// The SoA and risk register exports, one at a time like the people export.
	for _, x := range []struct{ name, path string }{
		{"risk register XLSX export", "/risks/export.xlsx"},
		{"SoA XLSX export", "/soa/export.xlsx"}, {"SoA DOCX export", "/soa/export.docx"}, {"SoA PDF export", "/soa/export.pdf"},
	} {
		ex := measure(in, get(x.name, "export", apiOrg+x.path, true), 1, c.Duration, sample)
		c.logf("   %-26s p50 %6.2f ms (%d runs)", ex.Name, ex.P50ms, ex.Requests)
		run.Stats = append(run.Stats, ex)
	}
	run.LoadRSSMB = maxRSS
	// holdfast check, after the server stops (SQLite allows both, but
	// keep the measurement clean).
	in.stop()
	// The installation's check, then one organisation's, each the median
	// of three runs of the whole process.
	timeCheck := func(extra ...string) (float64, error) {
		var runs []float64
		for i := 0; i < 3; i++ {
			t := time.Now()
			if _, err := c.command(ctx, append(append([]string{"check", "--audit-log"}, extra...), dbArgs...)...); err != nil {
				return 0, err
			}
			runs = append(runs, float64(time.Since(t).Microseconds())/1000)
		}
		sort.Float64s(runs)
		return runs[1], nil
	}
	if run.CheckMs, err = timeCheck(); err != nil {
		return run, err
	}
	if run.CheckOrgMs, err = timeCheck("--org", "demo-01"); err != nil {
		return run, err
	}
	return run, nil
}

var recordsRE = regexp.MustCompile(`holds (\d+) records in total`)

// parseRecords reads the total record count `holdfast demo` reports
// (every table a backup carries, the audit log included).
func parseRecords(out string) int {
	m := recordsRE.FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// writeReport saves the JSON and Markdown files and returns their paths.
func writeReport(dir string, rep Report) (string, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	base := filepath.Join(dir, time.Now().UTC().Format("2006-01-02")+"-"+rep.Commit)
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(base+".json", append(b, '\n'), 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(base+".md", []byte(Markdown(rep)), 0o644); err != nil {
		return "", "", err
	}
	return base + ".json", base + ".md", nil
}
