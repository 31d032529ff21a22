package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/cli"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

const password = "correct horse battery staple"

// target is where a test's commands keep their data: a data directory,
// plus a PostgreSQL URL for the PostgreSQL variants.
type target struct {
	dialect store.Dialect
	data    string
	dsn     string
}

func newTarget(t *testing.T, d store.Dialect) target {
	t.Helper()
	tg := target{dialect: d, data: filepath.Join(t.TempDir(), "data")}
	if d == store.Postgres {
		tg.dsn = storetest.NewEmptyPostgresDB(t)
	}
	return tg
}

// flags are the persistent flags that point a command at the target.
func (tg target) flags() []string {
	f := []string{"--data", tg.data}
	if tg.dsn != "" {
		f = append(f, "--db", tg.dsn)
	}
	return f
}

// open opens the target's database directly, to check a command's effect.
func (tg target) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DSN: tg.dsn, DataDir: tg.data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// result is what one run of the command printed and returned.
type result struct {
	stdout, stderr string
	err            error
}

// lastLine returns the last non-empty line of standard output.
func (r result) lastLine() string {
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// run executes holdfast in-process with only the given environment.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := cli.Run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// runOK runs a command that must succeed.
func runOK(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := run(t, nil, stdin, args...)
	if r.err != nil {
		t.Fatalf("holdfast %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.err, r.stdout, r.stderr)
	}
	return r
}

// runErr runs a command that must fail with an error mentioning every
// one of want.
func runErr(t *testing.T, stdin string, args []string, want ...string) result {
	t.Helper()
	r := run(t, nil, stdin, args...)
	if r.err == nil {
		t.Fatalf("holdfast %s succeeded; want an error\nstdout: %s", strings.Join(args, " "), r.stdout)
	}
	for _, w := range want {
		if !strings.Contains(r.err.Error(), w) {
			t.Errorf("holdfast %s: error %q does not mention %q", strings.Join(args, " "), r.err, w)
		}
	}
	return r
}

func args(tg target, a ...string) []string { return append(slices.Clone(a), tg.flags()...) }

func initOrg(t *testing.T, tg target, org, email string) result {
	t.Helper()
	return runOK(t, password+"\n", args(tg, "init", "--org", org, "--email", email)...)
}

func TestInitAndUserAdd(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			tg := newTarget(t, d)
			r := initOrg(t, tg, "Acme Ltd", "Owner@Acme.test")
			if !strings.Contains(r.stdout, `Created organisation "Acme Ltd" (slug acme-ltd) with owner owner@acme.test`) {
				t.Errorf("init printed %q", r.stdout)
			}
			db := tg.open(t)
			owner, err := db.UserByEmail(ctx, "owner@acme.test")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := auth.CheckPassword(owner.PasswordHash, password); !ok || err != nil {
				t.Error("the owner's password does not verify")
			}
			if ms, err := db.Memberships(ctx, owner.ID); err != nil || len(ms) != 1 || ms[0].OrgSlug != "acme-ltd" || ms[0].Role != isms.RoleOwner {
				t.Fatalf("owner memberships %+v %v", ms, err)
			}

			r = runOK(t, password+"\n", args(tg, "user", "add", "--org", "acme-ltd", "--email", "carol@acme.test", "--role", "contributor")...)
			if !strings.Contains(r.stdout, "Created user carol@acme.test to acme-ltd as contributor") {
				t.Errorf("user add printed %q", r.stdout)
			}
			carol, err := db.UserByEmail(ctx, "carol@acme.test")
			if err != nil {
				t.Fatal(err)
			}
			if ms, err := db.Memberships(ctx, carol.ID); err != nil || len(ms) != 1 || ms[0].Role != isms.RoleContributor {
				t.Fatalf("contributor memberships %+v %v", ms, err)
			}

			r = runErr(t, "", args(tg, "user", "add", "--org", "acme-ltd", "--email", "dan@acme.test", "--role", "boss"), `unknown role "boss"`)
			if cli.ExitCode(r.err) != 2 {
				t.Errorf("bad role exit code %d; want 2 (usage)", cli.ExitCode(r.err))
			}
			runErr(t, password+"\n", args(tg, "user", "add", "--org", "nope", "--email", "dan@acme.test", "--role", "staff"), `"nope"`)
			runErr(t, "", args(tg, "user", "add", "--org", "acme-ltd", "--email", "carol@acme.test", "--role", "auditor"), "already a member")
			if _, err := db.UserByEmail(ctx, "dan@acme.test"); isms.ErrorKind(err) != isms.KindNotFound {
				t.Errorf("a refused user add created the account: %v", err)
			}
		})
	}
}

func TestInitRefusesShortPassword(t *testing.T) {
	ctx := context.Background()
	tg := newTarget(t, store.SQLite)
	runErr(t, "short\n", args(tg, "init", "--org", "Acme", "--email", "owner@acme.test"), "at least 12 characters")
	db := tg.open(t)
	if n, err := db.UserCount(ctx); err != nil || n != 0 {
		t.Errorf("%d users after a refused init (%v)", n, err)
	}
	if orgs, err := db.Orgs(ctx); err != nil || len(orgs) != 0 {
		t.Errorf("organisations after a refused init: %+v %v", orgs, err)
	}
}

func TestTokenCreate(t *testing.T) {
	tg := newTarget(t, store.SQLite)
	initOrg(t, tg, "Acme", "owner@acme.test")
	r := runOK(t, "", args(tg, "token", "create", "--email", "owner@acme.test", "--name", "ci")...)
	secret := r.lastLine()
	if !strings.HasPrefix(secret, auth.TokenPrefix) {
		t.Fatalf("last line %q is not a token", secret)
	}
	db := tg.open(t)
	u, _, _, err := db.TokenActor(context.Background(), auth.HashToken(secret), "")
	if err != nil || u.Email != "owner@acme.test" {
		t.Fatalf("the printed token authenticates %q, %v", u.Email, err)
	}
	runErr(t, "", args(tg, "token", "create", "--email", "nobody@acme.test", "--name", "ci"), "nobody@acme.test")
}

// rawSQLite opens the target's SQLite file directly, as an attacker with
// file access could.
func rawSQLite(t *testing.T, tg target) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(tg.data, "holdfast.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestCheckAuditLog(t *testing.T) {
	tg := newTarget(t, store.SQLite)
	initOrg(t, tg, "Acme", "owner@acme.test")
	r := runOK(t, "", args(tg, "check")...)
	if !strings.Contains(r.stdout, "intact") {
		t.Errorf("check printed %q", r.stdout)
	}
	raw := rawSQLite(t, tg)
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_update`,
		`UPDATE audit_log SET after_values = '{"role":"staff"}' WHERE seq = 2 AND org_id = (SELECT id FROM organisations)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r = runErr(t, "", args(tg, "check"), "tampered", "#2")
	if !strings.Contains(r.stdout, "BROKEN") || !strings.Contains(r.stdout, "entry #2") {
		t.Errorf("check printed %q; want the broken entry's number", r.stdout)
	}
	// One organisation at a time: the tampered one fails, and a slug that
	// does not exist is a usage error.
	r = runErr(t, "", args(tg, "check", "--org", "acme"), "tampered", "#2")
	if !strings.Contains(r.stdout, "BROKEN") {
		t.Errorf("check --org acme printed %q", r.stdout)
	}
	runErr(t, "", args(tg, "check", "--org", "nobody"), `no organisation with the slug "nobody"`)
}

func TestMigrateAndVersion(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			tg := newTarget(t, d)
			latest, err := store.LatestSchemaVersion()
			if err != nil {
				t.Fatal(err)
			}
			r := runOK(t, "", args(tg, "migrate")...)
			if want := "schema is at version " + strconv.FormatInt(latest, 10); !strings.Contains(r.stdout, want) {
				t.Errorf("migrate printed %q; want %q", r.stdout, want)
			}
		})
	}
	r := runOK(t, "", "version")
	if !strings.HasPrefix(r.stdout, "holdfast ") {
		t.Errorf("version printed %q", r.stdout)
	}
	r = run(t, nil, "", "no-such-command")
	if r.err == nil || cli.ExitCode(r.err) != 2 {
		t.Errorf("unknown command: %v (exit %d)", r.err, cli.ExitCode(r.err))
	}
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	src := newTarget(t, store.SQLite)
	initOrg(t, src, "Acme", "owner@acme.test")
	initOrg(t, src, "Globex", "owner@acme.test") // same owner, second firm
	file := filepath.Join(t.TempDir(), "backup.zip")
	r := runOK(t, "", args(src, "backup", file)...)
	archive, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	for _, want := range []string{"Backup written to " + file, "organisations: 2", "tables:", "files:         0", "SHA-256:       " + hex.EncodeToString(sum[:])} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("backup printed %q; want %q", r.stdout, want)
		}
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v %v; want 0600", st.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// To standard output: the archive there, the summary on stderr.
	r = runOK(t, "", args(src, "backup", "-")...)
	if _, err := store.VerifyBackup(strings.NewReader(r.stdout), int64(len(r.stdout))); err != nil {
		t.Errorf("archive on standard output: %v", err)
	}
	if !strings.Contains(r.stderr, "organisations: 2") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = runOK(t, "", "restore", "--verify-only", file)
	if !strings.Contains(r.stdout, "intact") {
		t.Errorf("verify-only printed %q", r.stdout)
	}

	want, err := src.open(t).Orgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			dst := newTarget(t, d)
			r := runOK(t, "", args(dst, "restore", file)...)
			if !strings.Contains(r.stdout, "Restored "+file) || !strings.Contains(r.stdout, "organisations: 2") || !strings.Contains(r.stdout, "sign in again") {
				t.Errorf("restore printed %q", r.stdout)
			}
			got, err := dst.open(t).Orgs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("restored organisations %+v; want %+v", got, want)
			}
			for i := range want {
				if got[i].ID != want[i].ID || got[i].Slug != want[i].Slug || got[i].Name != want[i].Name || !got[i].UpdatedAt.Equal(want[i].UpdatedAt) {
					t.Errorf("organisation %d: got %+v; want %+v", i, got[i], want[i])
				}
			}
			r = runOK(t, "", args(dst, "check")...)
			if !strings.Contains(r.stdout, "intact") {
				t.Errorf("check after restore printed %q", r.stdout)
			}
			runErr(t, "", args(dst, "restore", file), "not empty", "new, empty database")
			// Standard input works too, into another fresh target.
			dst2 := newTarget(t, d)
			r = runOK(t, string(archive), args(dst2, "restore", "-")...)
			if !strings.Contains(r.stdout, "organisations: 2") {
				t.Errorf("restore from stdin printed %q", r.stdout)
			}
		})
	}
}

func TestRestoreRefusesGarbage(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "garbage.zip")
	if err := os.WriteFile(file, []byte("definitely not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t, store.SQLite)
	r := runErr(t, "", args(tg, "restore", file), "not a usable Holdfast backup", "not a zip archive")
	if strings.Contains(r.stdout, "Restored") {
		t.Errorf("restore printed %q", r.stdout)
	}
	runErr(t, "", []string{"restore", "--verify-only", file}, "not a zip archive")
	runErr(t, "", args(tg, "restore", filepath.Join(t.TempDir(), "missing.zip")), "open the backup")
	db := tg.open(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.UserCount(ctx); err != nil || n != 0 {
		t.Errorf("%d users after a refused restore (%v)", n, err)
	}
	if orgs, err := db.Orgs(ctx); err != nil || len(orgs) != 0 {
		t.Errorf("organisations after a refused restore: %+v %v", orgs, err)
	}
}

func TestConfigPrecedence(t *testing.T) {
	base := t.TempDir()
	flagDir, envDir, fileDir := filepath.Join(base, "flag"), filepath.Join(base, "env"), filepath.Join(base, "file")
	conf := filepath.Join(base, "holdfast.conf")
	if err := os.WriteFile(conf, []byte("# test configuration\ndata = \""+fileDir+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	initArgs := []string{"init", "--org", "Acme", "--email", "owner@acme.test"}
	cases := []struct {
		name  string
		env   map[string]string
		extra []string
		want  string
	}{
		{"file", map[string]string{"HOLDFAST_CONFIG": conf}, nil, fileDir},
		{"env over file", map[string]string{"HOLDFAST_DATA": envDir}, []string{"--config", conf}, envDir},
		{"flag over env and file", map[string]string{"HOLDFAST_DATA": envDir, "HOLDFAST_CONFIG": conf}, []string{"--data", flagDir}, flagDir},
	}
	for _, c := range cases {
		for _, d := range []string{flagDir, envDir, fileDir} {
			os.RemoveAll(d)
		}
		r := run(t, c.env, password+"\n", append(slices.Clone(initArgs), c.extra...)...)
		if r.err != nil {
			t.Fatalf("%s: %v", c.name, r.err)
		}
		for _, d := range []string{flagDir, envDir, fileDir} {
			_, err := os.Stat(filepath.Join(d, "holdfast.db"))
			if exists := err == nil; exists != (d == c.want) {
				t.Errorf("%s: database in %s: %v; want it only in %s", c.name, d, exists, c.want)
			}
		}
	}
	r := run(t, nil, "", "version", "--config", filepath.Join(base, "missing.conf"))
	if r.err == nil || cli.ExitCode(r.err) != 2 {
		t.Errorf("missing configuration file: %v", r.err)
	}
}

func TestServeNoMigrateRefusesOldSchema(t *testing.T) {
	tg := newTarget(t, store.SQLite)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := cli.Run(ctx, args(tg, "serve", "--no-migrate", "--addr", "127.0.0.1:0"), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "schema") || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("serve --no-migrate on a blank database: %v; want a schema error before listening", err)
	}
	if strings.Contains(out.String(), "is running") {
		t.Errorf("serve started: %q", out.String())
	}
}
