package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// testDB is a store plus a plain connection to the same database, for
// reading every table generically and for tampering that the store API
// rightly does not offer.
type testDB struct {
	*store.DB
	raw     *sql.DB
	dialect store.Dialect
}

// openTestDB opens a fresh database of dialect d; migrated selects a
// migrated schema or a blank database.
func openTestDB(t *testing.T, d store.Dialect, migrated bool) testDB {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := ""
	if d == store.Postgres {
		if migrated {
			dsn = storetest.NewPostgresDB(t)
		} else {
			dsn = storetest.NewEmptyPostgresDB(t)
		}
	}
	db, err := store.Open(ctx, store.Config{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if migrated && d == store.SQLite {
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	var raw *sql.DB
	if d == store.Postgres {
		raw, err = sql.Open("pgx", dsn)
	} else {
		raw, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "holdfast.db")+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return testDB{DB: db, raw: raw, dialect: d}
}

func (db testDB) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := db.raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// tableNames lists the database's tables straight from the catalogue,
// independently of the code under test.
func (db testDB) tableNames(t *testing.T) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.dialect == store.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
	}
	rows, err := db.raw.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// tableDump is every row of a table, generically read and sorted.
type tableDump struct {
	Columns []string
	Rows    [][]any
}

// dump reads every row of every table a backup should carry.
func (db testDB) dump(t *testing.T) map[string]tableDump {
	t.Helper()
	out := map[string]tableDump{}
	for _, name := range db.tableNames(t) {
		if name == "sessions" || name == "goose_db_version" {
			continue
		}
		rows, err := db.raw.Query(`SELECT * FROM ` + name)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		td := tableDump{Columns: cols}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				switch x := v.(type) {
				case int32:
					vals[i] = int64(x)
				case []byte:
					vals[i] = string(x)
				}
			}
			td.Rows = append(td.Rows, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Slice(td.Rows, func(i, j int) bool { return fmt.Sprintf("%#v", td.Rows[i]) < fmt.Sprintf("%#v", td.Rows[j]) })
		out[name] = td
	}
	return out
}

// diffDumps describes the first differences between two dumps, or "".
func diffDumps(want, got map[string]tableDump) string {
	var b strings.Builder
	names := map[string]bool{}
	for n := range want {
		names[n] = true
	}
	for n := range got {
		names[n] = true
	}
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for k := range names {
			if !yield(k) {
				return
			}
		}
	}) {
		w, okw := want[n]
		g, okg := got[n]
		switch {
		case !okw || !okg:
			fmt.Fprintf(&b, "table %s: in source %v, in target %v\n", n, okw, okg)
		case !reflect.DeepEqual(w.Columns, g.Columns):
			fmt.Fprintf(&b, "table %s columns: source %v, target %v\n", n, w.Columns, g.Columns)
		case len(w.Rows) != len(g.Rows):
			fmt.Fprintf(&b, "table %s: source has %d rows, target %d\n", n, len(w.Rows), len(g.Rows))
		default:
			for i := range w.Rows {
				if !reflect.DeepEqual(w.Rows[i], g.Rows[i]) {
					fmt.Fprintf(&b, "table %s row %d:\n  source %#v\n  target %#v\n", n, i, w.Rows[i], g.Rows[i])
					break
				}
			}
		}
	}
	return b.String()
}

// population is what populate made, for checks after a restore.
type population struct {
	acme, globex storetest.Fixture
	tokenSecret  string
	files        map[string][]byte
	people       int
}

// populate fills db with two organisations, people with managers (one
// referring to a person created after them), archived people, edits that
// leave history, membership changes, tokens, settings, a session and files.
func populate(t *testing.T, db testDB) population {
	t.Helper()
	ctx := context.Background()
	// A setup token made before any user exists must not travel.
	if _, err := db.SetupToken(ctx, func() string { return "setup-secret" }); err != nil {
		t.Fatal(err)
	}
	p := population{acme: storetest.Seed(t, db.DB, "acme"), globex: storetest.Seed(t, db.DB, "globex")}
	db.exec(t, `INSERT INTO settings (key, value) VALUES ('setup_token', 'stale-token'), ('instance_note', 'kept <&> "quoted"')`)
	for _, f := range []storetest.Fixture{p.acme, p.globex} {
		owner := f.Owner()
		worker, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Zoë O'Brien <b>&</b>", Email: "zoe@" + f.Org.Slug + ".test", JobTitle: "Line one\nLine two ✓", StartDate: "2024-02-29"})
		if err != nil {
			t.Fatal(err)
		}
		boss, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Ada Boss", Department: "Board", UserID: f.Users[isms.RoleOwner].ID})
		if err != nil {
			t.Fatal(err)
		}
		mid, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Mid Manager", ManagerID: boss.ID})
		if err != nil {
			t.Fatal(err)
		}
		// The worker (older) now reports to a newer person.
		worker.ManagerID = mid.ID
		if _, err := db.UpdatePerson(ctx, owner, worker, worker.Version); err != nil {
			t.Fatal(err)
		}
		gone, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Left Already", ManagerID: boss.ID, LeaveDate: "2025-01-31"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchivePerson(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		o := f.Org
		o.Sector = "Software"
		if _, err := db.UpdateOrg(ctx, owner, o, o.Version); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeRole(ctx, owner, f.Users[isms.RoleStaff].ID, isms.RoleAuditor, 1); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, owner, f.Users[isms.RoleContributor].ID); err != nil {
			t.Fatal(err)
		}
		p.people += 4
	}
	// Enough people that a restore inserts them in several batches, the
	// first of which refers to a person in the last.
	owner := p.acme.Owner()
	var first isms.Person
	for i := range 210 {
		pp, err := db.CreatePerson(ctx, owner, isms.Person{Name: fmt.Sprintf("Staff %03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = pp
		}
	}
	last, err := db.CreatePerson(ctx, owner, isms.Person{Name: "Newest Manager"})
	if err != nil {
		t.Fatal(err)
	}
	first.ManagerID = last.ID
	if _, err := db.UpdatePerson(ctx, owner, first, first.Version); err != nil {
		t.Fatal(err)
	}
	p.people += 211
	secret, prefix, hash := auth.NewAPIToken()
	p.tokenSecret = secret
	if _, err := db.CreateToken(ctx, p.acme.Users[isms.RoleOwner].ID, "ci", prefix, hash); err != nil {
		t.Fatal(err)
	}
	_, prefix2, hash2 := auth.NewAPIToken()
	old, err := db.CreateToken(ctx, p.acme.Users[isms.RoleOwner].ID, "old", prefix2, hash2)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, p.acme.Users[isms.RoleOwner].ID, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := db.TokenActor(ctx, hash, ""); err != nil { // sets last_used_at
		t.Fatal(err)
	}
	if err := db.Sessions(0).CommitCtx(ctx, "session-token", []byte{0, 1, 2, 255}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p.files = map[string][]byte{
		"evidence/2024/report.pdf": append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 0xff, 0x10}, 5000)...),
		"notes.txt":                []byte("hello\n"),
	}
	for name, data := range p.files {
		path := filepath.Join(db.DataDir(), "files", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// readFiles returns every file under the data directory's files/ folder.
func readFiles(t *testing.T, dataDir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	root := filepath.Join(dataDir, "files")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func backup(t *testing.T, db *store.DB) ([]byte, store.BackupInfo) {
	t.Helper()
	var buf bytes.Buffer
	info, err := db.Backup(context.Background(), &buf, store.WithHoldfastVersion("test-1"))
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes(), info
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ds := storetest.Dialects(t)
	for _, from := range ds {
		for _, to := range ds {
			t.Run(string(from)+"_to_"+string(to), func(t *testing.T) {
				t.Parallel()
				testRoundTrip(t, from, to)
			})
		}
	}
}

func testRoundTrip(t *testing.T, from, to store.Dialect) {
	ctx := context.Background()
	src := openTestDB(t, from, true)
	pop := populate(t, src)
	want := src.dump(t)
	// The setup token stays behind; every other row travels.
	settings := want["settings"]
	settings.Rows = slices.DeleteFunc(settings.Rows, func(r []any) bool { return r[0] == "setup_token" })
	want["settings"] = settings

	archive, info := backup(t, src.DB)
	sum := sha256.Sum256(archive)
	if info.ArchiveSHA256 != hex.EncodeToString(sum[:]) || info.ArchiveSize != int64(len(archive)) {
		t.Errorf("archive hash %s size %d; want %x size %d", info.ArchiveSHA256, info.ArchiveSize, sum, len(archive))
	}
	var names []string
	for _, tb := range info.Tables {
		names = append(names, tb.Name)
		if int(tb.Rows) != len(want[tb.Name].Rows) {
			t.Errorf("manifest says %s has %d rows; the database has %d", tb.Name, tb.Rows, len(want[tb.Name].Rows))
		}
	}
	if !slices.Equal(names, store.BackupTables()) {
		t.Errorf("archive tables %v; want %v", names, store.BackupTables())
	}
	if info.Format != "holdfast-backup" || info.FormatVersion != 1 || info.SourceDialect != from || info.HoldfastVersion != "test-1" || info.SchemaVersion < 1 {
		t.Errorf("manifest %+v", info.BackupManifest)
	}
	if info.TableRows("organisations") != 2 || len(info.Files) != len(pop.files) {
		t.Errorf("archive has %d organisations and %d files", info.TableRows("organisations"), len(info.Files))
	}
	if !bytes.Contains(archiveEntry(t, archive, "tables/organisations.jsonl"), []byte(`"version":2,`)) {
		t.Errorf("integers are not written as JSON numbers:\n%s", archiveEntry(t, archive, "tables/organisations.jsonl"))
	}
	if bytes.Contains(archiveEntry(t, archive, "tables/settings.jsonl"), []byte("setup_token")) {
		t.Error("the setup token was backed up")
	}

	// A blank SQLite target and a blank PostgreSQL target from PostgreSQL
	// show that Restore migrates; the others restore into a migrated schema.
	dst := openTestDB(t, to, !(to == store.SQLite || from == store.Postgres))
	rinfo, err := dst.Restore(ctx, bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if rinfo.ArchiveSHA256 != info.ArchiveSHA256 || rinfo.Rows() != info.Rows() {
		t.Errorf("restore reported %+v", rinfo)
	}
	if d := diffDumps(want, dst.dump(t)); d != "" {
		t.Fatalf("restored data differs:\n%s", d)
	}
	var sessions int
	if err := dst.raw.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Errorf("sessions restored: %d %v", sessions, err)
	}
	if got := readFiles(t, dst.DataDir()); !reflect.DeepEqual(got, pop.files) {
		t.Errorf("restored files %v; want %v", slices.Sorted(mapKeys(got)), slices.Sorted(mapKeys(pop.files)))
	}

	n, brk, err := dst.VerifyAuditLog(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit log after restore: %+v %v", brk, err)
	}
	if sn, _, _ := src.VerifyAuditLog(ctx); n != sn {
		t.Errorf("verified %d entries in the target, %d in the source", n, sn)
	}
	// The registers read the same through the store API.
	for _, f := range []storetest.Fixture{pop.acme, pop.globex} {
		a, _, err := dst.ActorFor(ctx, f.Users[isms.RoleOwner].ID, f.Org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		q := isms.ListQuery{Archived: isms.ArchivedInclude, Limit: 500}
		wantPeople, err := src.People(ctx, f.Owner(), q)
		if err != nil {
			t.Fatal(err)
		}
		gotPeople, err := dst.People(ctx, a, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(wantPeople.Items, gotPeople.Items) || gotPeople.Total != len(wantPeople.Items) || len(wantPeople.Items) < 4 {
			t.Errorf("%s people after restore:\n got %+v\nwant %+v", f.Org.Slug, gotPeople.Items, wantPeople.Items)
		}
		// The restored installation keeps working: references and the
		// audit chain continue.
		p, err := dst.CreatePerson(ctx, a, isms.Person{Name: "After Restore"})
		if wantRef := fmt.Sprintf("P-%03d", len(wantPeople.Items)+1); err != nil || p.Ref != wantRef {
			t.Errorf("create after restore: ref %q, want %s, %v", p.Ref, wantRef, err)
		}
	}
	if u, _, _, err := dst.TokenActor(ctx, auth.HashToken(pop.tokenSecret), ""); err != nil || u.ID != pop.acme.Users[isms.RoleOwner].ID {
		t.Errorf("API token after restore: %v %v", u.ID, err)
	}
	if _, brk, err := dst.VerifyAuditLog(ctx); err != nil || brk != nil {
		t.Errorf("audit log after new writes: %+v %v", brk, err)
	}
	if tok, err := dst.SetupToken(ctx, func() string { return "new" }); err != nil || tok != "" {
		t.Errorf("restored installation offers a setup link: %q %v", tok, err)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func archiveEntry(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			var b bytes.Buffer
			if _, err := b.ReadFrom(rc); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
	}
	t.Fatalf("archive has no %s", name)
	return nil
}

// rebuild copies archive entry by entry through edit, which may change or
// drop (nil) an entry's content, then appends extra entries.
func rebuild(t *testing.T, archive []byte, edit func(name string, data []byte) []byte, extra ...string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	write := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	for _, f := range zr.File {
		data := archiveEntry(t, archive, f.Name)
		if edit != nil {
			data = edit(f.Name, data)
		}
		if data != nil {
			write(f.Name, data)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		write(extra[i], []byte(extra[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// withManifest rewrites manifest.json through change and updates
// manifest.sha256 to match, as a careful forger would.
func withManifest(t *testing.T, archive []byte, change func(m map[string]any), edit func(name string, data []byte) []byte, extra ...string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(archiveEntry(t, archive, "manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		archive = rebuild(t, archive, edit)
	}
	change(m)
	mb, _ := json.Marshal(m)
	sum := sha256.Sum256(mb)
	return rebuild(t, archive, func(name string, data []byte) []byte {
		switch name {
		case "manifest.json":
			return mb
		case "manifest.sha256":
			return []byte(hex.EncodeToString(sum[:]) + "  manifest.json\n")
		}
		return data
	}, extra...)
}

// manifestTable returns the manifest's entry for table name.
func manifestTable(m map[string]any, name string) map[string]any {
	for _, tb := range m["tables"].([]any) {
		if tb := tb.(map[string]any); tb["name"] == name {
			return tb
		}
	}
	return nil
}

func TestRestoreRefusesDamagedArchives(t *testing.T) {
	src := openTestDB(t, store.SQLite, true)
	pop := populate(t, src)
	good, info := backup(t, src.DB)
	peopleRows := info.TableRows("people")
	if peopleRows != int64(pop.people) {
		t.Fatalf("people rows %d", peopleRows)
	}
	people := archiveEntry(t, good, "tables/people.jsonl")
	sumOf := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	lines := bytes.SplitAfter(people, []byte("\n"))
	badPeople := bytes.Join([][]byte{lines[0], []byte("{\"id\": \"x\", \n"), bytes.Join(lines[2:], nil)}, nil)
	replacePeople := func(b []byte) func(string, []byte) []byte {
		return func(name string, data []byte) []byte {
			if name == "tables/people.jsonl" {
				return b
			}
			return data
		}
	}

	cases := []struct {
		name    string
		archive []byte
		is      error
		want    []string
	}{
		{"not a zip", []byte("this is not a backup"), store.ErrBadBackup, []string{"not a zip archive"}},
		{"truncated", good[:len(good)/2], store.ErrBadBackup, []string{"not a zip archive"}},
		{"manifest missing", rebuild(t, good, func(name string, data []byte) []byte {
			if name == "manifest.json" {
				return nil
			}
			return data
		}), store.ErrBadBackup, []string{"manifest.json is missing"}},
		{"manifest altered", rebuild(t, good, func(name string, data []byte) []byte {
			if name == "manifest.json" {
				return bytes.Replace(data, []byte(`"holdfast_version": "test-1"`), []byte(`"holdfast_version": "test-2"`), 1)
			}
			return data
		}), store.ErrBadBackup, []string{"manifest.json does not match the SHA-256 in manifest.sha256"}},
		{"table file altered", rebuild(t, good, replacePeople(bytes.Replace(people, []byte("Ada Boss"), []byte("Eve Boss"), 1))),
			store.ErrBadBackup, []string{"tables/people.jsonl does not match its SHA-256"}},
		{"row count", withManifest(t, good, func(m map[string]any) {
			manifestTable(m, "people")["rows"] = peopleRows + 1
		}, nil), store.ErrBadBackup, []string{fmt.Sprintf("table people has %d rows but the manifest says %d", peopleRows, peopleRows+1)}},
		{"malformed JSON line", withManifest(t, good, func(m map[string]any) {
			manifestTable(m, "people")["sha256"] = sumOf(badPeople)
		}, replacePeople(badPeople)), store.ErrBadBackup, []string{"table people, line 2", "not a JSON object"}},
		{"wrong value type", withManifest(t, good, func(m map[string]any) {
			b := bytes.Replace(people, []byte(`"version":1,`), []byte(`"version":"one",`), 1)
			manifestTable(m, "people")["sha256"] = sumOf(b)
		}, replacePeople(bytes.Replace(people, []byte(`"version":1,`), []byte(`"version":"one",`), 1))),
			store.ErrBadBackup, []string{"table people, line", "column version: expected an integer"}},
		{"unknown format version", withManifest(t, good, func(m map[string]any) { m["format_version"] = 2 }, nil),
			store.ErrBackupVersion, []string{"format version 2", "Holdfast version that made it", "holdfast test-1"}},
		{"schema version", withManifest(t, good, func(m map[string]any) { m["schema_version"] = 999 }, nil),
			store.ErrBackupVersion, []string{"schema version 999", "the Holdfast version that made it"}},
		{"entry escapes", withManifest(t, good, func(m map[string]any) {
			m["files"] = append(m["files"].([]any), map[string]any{"path": "../evil.txt", "size": 4, "sha256": sumOf([]byte("evil"))})
		}, nil, "files/../evil.txt", "evil"), store.ErrBadBackup, []string{`"files/../evil.txt"`, "leaves the archive's folder"}},
		{"absolute entry", rebuild(t, good, nil, "/tmp/evil.txt", "evil"), store.ErrBadBackup, []string{`"/tmp/evil.txt"`, "absolute path"}},
		{"manifest path escapes", withManifest(t, good, func(m map[string]any) {
			m["files"] = append(m["files"].([]any), map[string]any{"path": "a/../../evil.txt", "size": 4, "sha256": sumOf([]byte("evil"))})
		}, nil), store.ErrBadBackup, []string{`"a/../../evil.txt"`, "leaves the files folder"}},
		{"file altered", rebuild(t, good, func(name string, data []byte) []byte {
			if name == "files/notes.txt" {
				return []byte("HELLO\n")
			}
			return data
		}), store.ErrBadBackup, []string{"files/notes.txt does not match its size and SHA-256"}},
		{"unlisted entry", rebuild(t, good, nil, "files/smuggled.txt", "x"), store.ErrBadBackup, []string{`"files/smuggled.txt" is not listed in the manifest`}},
		{"table missing", rebuild(t, good, func(name string, data []byte) []byte {
			if name == "tables/audit_log.jsonl" {
				return nil
			}
			return data
		}), store.ErrBadBackup, []string{"tables/audit_log.jsonl is listed in the manifest but missing"}},
	}
	for _, d := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(d)+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				if _, err := store.VerifyBackup(bytes.NewReader(c.archive), int64(len(c.archive))); !errors.Is(err, c.is) {
					t.Errorf("VerifyBackup: %v; want %v", err, c.is)
				}
				dst := openTestDB(t, d, true)
				_, err := dst.Restore(context.Background(), bytes.NewReader(c.archive), int64(len(c.archive)))
				if !errors.Is(err, c.is) {
					t.Fatalf("Restore: %v; want %v", err, c.is)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				assertEmpty(t, dst)
				if _, err := os.Stat(filepath.Join(filepath.Dir(dst.DataDir()), "evil.txt")); err == nil {
					t.Error("a file escaped the data directory")
				}
			})
		}
	}
}

// assertEmpty checks that nothing was written to db or its files folder.
func assertEmpty(t *testing.T, db testDB) {
	t.Helper()
	for name, td := range db.dump(t) {
		if len(td.Rows) > 0 {
			t.Errorf("table %s has %d rows after a refused restore", name, len(td.Rows))
		}
	}
	if _, err := os.Stat(filepath.Join(db.DataDir(), "files")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("files folder after a refused restore: %v", err)
	}
}

func TestRestoreRefusesNonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	src := openTestDB(t, store.SQLite, true)
	populate(t, src)
	archive, _ := backup(t, src.DB)
	writeFile := func(db testDB, name, content string) {
		p := filepath.Join(db.DataDir(), "files", name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		os.WriteFile(p, []byte(content), 0o600)
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, db testDB)
		want    []string
	}{
		{"organisation", func(t *testing.T, db testDB) { storetest.Seed(t, db.DB, "existing") },
			[]string{"1 organisation(s)", "new, empty database"}},
		{"stray record", func(t *testing.T, db testDB) {
			db.exec(t, `INSERT INTO ref_counters (org_id, prefix, next_value) VALUES ('x', 'P', 3)`)
		}, []string{"ref_counters: 1", "new, empty database"}},
		{"other file", func(t *testing.T, db testDB) { writeFile(db, "stray.txt", "x") },
			[]string{"files/stray.txt, which the archive does not", "empty data directory"}},
		{"changed file", func(t *testing.T, db testDB) { writeFile(db, "notes.txt", "changed\n") },
			[]string{"files/notes.txt in ", "differs from the archive's copy"}},
	}
	for _, d := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(d)+"/"+c.name, func(t *testing.T) {
				dst := openTestDB(t, d, true)
				c.prepare(t, dst)
				before := dst.dump(t)
				_, err := dst.Restore(ctx, bytes.NewReader(archive), int64(len(archive)))
				if !errors.Is(err, store.ErrRestoreTargetNotEmpty) {
					t.Fatalf("restore: %v; want ErrRestoreTargetNotEmpty", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if diff := diffDumps(before, dst.dump(t)); diff != "" {
					t.Errorf("refused restore changed the database:\n%s", diff)
				}
			})
		}
	}
}

func TestBackupCoversEveryTable(t *testing.T) {
	ctx := context.Background()
	listed := store.BackupTables()
	skipped := store.NotBackedUpTables()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := openTestDB(t, d, true)
			names := db.tableNames(t)
			for _, n := range names {
				if _, ok := skipped[n]; !ok && !slices.Contains(listed, n) {
					t.Errorf("table %s is neither backed up nor listed as left out: add it to backupOrder in internal/store/backup.go", n)
				}
			}
			for _, n := range listed {
				if !slices.Contains(names, n) {
					t.Errorf("backupOrder names %s, which the schema does not have", n)
				}
			}
			// A fresh installation backs up (this also checks that the
			// order puts every referenced table first).
			if _, err := db.Backup(ctx, &bytes.Buffer{}); err != nil {
				t.Fatalf("backup of a fresh database: %v", err)
			}
			// A table nobody added to the list stops backups instead of
			// being left out silently.
			db.exec(t, `CREATE TABLE widgets (id TEXT PRIMARY KEY)`)
			_, err := db.Backup(ctx, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "table widgets is not in the backup's table list") {
				t.Fatalf("backup with an unlisted table: %v", err)
			}
		})
	}
}

func TestBackupOfUnmigratedDatabase(t *testing.T) {
	db := openTestDB(t, store.SQLite, false)
	if _, err := db.Backup(context.Background(), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "no Holdfast schema") {
		t.Fatalf("backup of a blank database: %v", err)
	}
}

// TestRestoreIsAllOrNothing feeds an intact archive whose last table breaks
// a constraint: everything restored before it must be rolled back.
func TestRestoreIsAllOrNothing(t *testing.T) {
	src := openTestDB(t, store.SQLite, true)
	populate(t, src)
	good, info := backup(t, src.DB)
	people := archiveEntry(t, good, "tables/people.jsonl")
	lines := bytes.SplitAfter(bytes.TrimSuffix(people, []byte("\n")), []byte("\n"))
	dup := append(append([]byte(nil), people...), append(lines[len(lines)-1], '\n')...)
	sum := sha256.Sum256(dup)
	archive := withManifest(t, good, func(m map[string]any) {
		tb := manifestTable(m, "people")
		tb["rows"] = info.TableRows("people") + 1
		tb["sha256"] = hex.EncodeToString(sum[:])
	}, func(name string, data []byte) []byte {
		if name == "tables/people.jsonl" {
			return dup
		}
		return data
	})
	if _, err := store.VerifyBackup(bytes.NewReader(archive), int64(len(archive))); err != nil {
		t.Fatalf("the archive itself is intact: %v", err)
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			dst := openTestDB(t, d, true)
			_, err := dst.Restore(context.Background(), bytes.NewReader(archive), int64(len(archive)))
			if err == nil || !strings.Contains(err.Error(), "restore table people") {
				t.Fatalf("restore with a duplicate row: %v", err)
			}
			assertEmpty(t, dst)
		})
	}
}

// TestRestoreKeepsIdenticalFiles moves an installation to another database
// while keeping its data directory: the files already there are the
// archive's own, so the restore accepts them and adds what is missing.
func TestRestoreKeepsIdenticalFiles(t *testing.T) {
	ctx := context.Background()
	src := openTestDB(t, store.SQLite, true)
	pop := populate(t, src)
	archive, _ := backup(t, src.DB)
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			dst := openTestDB(t, d, true)
			kept := filepath.Join(dst.DataDir(), "files", "notes.txt")
			os.MkdirAll(filepath.Dir(kept), 0o700)
			os.WriteFile(kept, pop.files["notes.txt"], 0o600)
			if _, err := dst.Restore(ctx, bytes.NewReader(archive), int64(len(archive))); err != nil {
				t.Fatalf("restore beside identical files: %v", err)
			}
			if got := readFiles(t, dst.DataDir()); !reflect.DeepEqual(got, pop.files) {
				t.Errorf("files after restore: %v", slices.Sorted(mapKeys(got)))
			}
			if n, err := dst.UserCount(ctx); err != nil || n == 0 {
				t.Errorf("users after restore: %d %v", n, err)
			}
		})
	}
}

// TestRestoreOlderArchive restores an archive made before the latest
// migrations: the restore rebuilds the archive's schema, loads it, then
// brings it up to date, so a newer Holdfast reads an older firm's backup.
func TestRestoreOlderArchive(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := ""
			if d == store.Postgres {
				dsn = storetest.NewEmptyPostgresDB(t)
			}
			src, err := store.Open(ctx, store.Config{DSN: dsn, DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			// Schema version 1 (organisations, users, people, the audit
			// log), filled with plain SQL: today's store code expects the
			// latest schema, while version 1's tables never change.
			if err := src.MigrateTo(ctx, 1); err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open(map[store.Dialect]string{store.SQLite: "sqlite", store.Postgres: "pgx"}[d],
				map[store.Dialect]string{store.SQLite: filepath.Join(src.DataDir(), "holdfast.db"), store.Postgres: dsn}[d])
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			now := "2025-01-02T03:04:05.000000Z"
			for _, q := range []string{
				`INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at) VALUES ('o1', 'old', 'Old Firm', 'small', 'UTC', '02 Jan 2006', 1, '` + now + `', '` + now + `')`,
				`INSERT INTO users (id, email, name, password_hash, version, created_at, updated_at) VALUES ('u1', 'owner@old.test', 'Olga', 'x', 1, '` + now + `', '` + now + `')`,
				`INSERT INTO memberships (org_id, user_id, role, version, created_at, updated_at) VALUES ('o1', 'u1', 'owner', 1, '` + now + `', '` + now + `')`,
				`INSERT INTO people (id, org_id, ref, version, created_at, updated_at, created_by, updated_by, name) VALUES ('p1', 'o1', 'P-001', 1, '` + now + `', '` + now + `', 'u1', 'u1', 'Before The Upgrade')`,
				`INSERT INTO ref_counters (org_id, prefix, next_value) VALUES ('o1', 'P', 2)`,
			} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var buf bytes.Buffer
			info, err := src.Backup(ctx, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if info.SchemaVersion != 1 {
				t.Fatalf("archive schema version %d, want 1", info.SchemaVersion)
			}
			dst := openTestDB(t, d, false)
			if _, err := dst.Restore(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
				t.Fatalf("restore of an older archive: %v", err)
			}
			if err := dst.CheckSchema(ctx); err != nil {
				t.Fatalf("schema not brought up to date: %v", err)
			}
			u, err := dst.UserByEmail(ctx, "owner@old.test")
			if err != nil {
				t.Fatal(err)
			}
			a, _, err := dst.ActorFor(ctx, u.ID, "old")
			if err != nil {
				t.Fatal(err)
			}
			page, err := dst.People(ctx, a, isms.ListQuery{})
			if err != nil || page.Total != 1 || page.Items[0].Name != "Before The Upgrade" {
				t.Fatalf("restored people %+v %v", page.Items, err)
			}
			// Newer registers work on the restored data.
			if _, err := dst.CreateAction(ctx, a, isms.Action{Title: "After the upgrade"}); err != nil {
				t.Fatalf("new register after restore: %v", err)
			}
			if _, brk, err := dst.VerifyAuditLog(ctx); err != nil || brk != nil {
				t.Fatalf("audit chain after restore: %v %+v", err, brk)
			}
		})
	}
}
