package store

// Backups are database-independent: a zip archive of every application
// table as JSON lines plus the uploaded files, so an installation can be
// restored record for record on SQLite or PostgreSQL, and moved from one to
// the other.
//
// Archive layout, format version 1:
//
//	manifest.json      what the archive holds and the SHA-256 of every part
//	manifest.sha256    the SHA-256 of manifest.json, as `sha256sum` prints it
//	tables/NAME.jsonl  one JSON object per row: column → value; text as a
//	                   string, integers as numbers, NULL as null, binary as
//	                   {"$base64": "…"}
//	files/PATH         every regular file under the data directory's files/
//
// Browser sessions are not carried over (users sign in again after a
// restore), and neither is the one-time setup token.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// BackupFormat and BackupFormatVersion identify the archive format in its
// manifest. A reader refuses any other format version.
const (
	BackupFormat        = "holdfast-backup"
	BackupFormatVersion = 1
)

// backupOrder lists every application table in the order a restore inserts
// them: a table comes after every table it references. A new table must be
// added here (or to notBackedUp); a backup refuses to run while the database
// holds a table this list does not mention, so nothing is silently left out.
var backupOrder = []string{
	"organisations",
	"users",
	"memberships",
	"api_tokens",
	"settings",
	"ref_counters",
	"audit_heads",
	"audit_log",
	"people",
	"actions",
	"action_notes",
	"record_links",
	"risk_criteria",
	"risks",
	"risk_decisions",
	"controls",
	"evidence",
	"soa_versions",
	"assets",
	"threats",
	"vulnerabilities",
	"risk_assessments",
	"risk_assessment_lines",
}

// notBackedUp lists the tables a backup leaves out on purpose, and why.
var notBackedUp = map[string]string{
	"sessions":         "browser sessions are not carried over: users sign in again after a restore",
	"goose_db_version": "the schema version is recorded in the manifest; a restore migrates the target itself",
}

// backupWhere filters the rows of a table that a backup carries.
var backupWhere = map[string]string{
	// The one-time setup link must not outlive the installation it was made for.
	"settings": "key <> 'setup_token'",
}

// BackupTables returns the tables a backup carries, in restore order.
func BackupTables() []string { return slices.Clone(backupOrder) }

// NotBackedUpTables returns the tables a backup leaves out on purpose, with
// the reason for each.
func NotBackedUpTables() map[string]string { return maps.Clone(notBackedUp) }

// ErrBadBackup is wrapped by every error that reports a damaged or
// unreadable archive.
var ErrBadBackup = errors.New("not a usable Holdfast backup")

// ErrBackupVersion is wrapped by the error for an intact archive that this
// binary cannot restore (another format or schema version).
var ErrBackupVersion = errors.New("backup made by another Holdfast version")

// ErrRestoreTargetNotEmpty is wrapped by the error for a restore into a
// database (or files folder) that already holds data.
var ErrRestoreTargetNotEmpty = errors.New("the target is not empty")

func badBackup(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadBackup, fmt.Sprintf(format, args...))
}

// BackupManifest is the content of an archive's manifest.json.
type BackupManifest struct {
	Format          string        `json:"format"`
	FormatVersion   int           `json:"format_version"`
	SchemaVersion   int64         `json:"schema_version"`
	CreatedAt       time.Time     `json:"created_at"`
	HoldfastVersion string        `json:"holdfast_version"`
	SourceDialect   Dialect       `json:"source_dialect"`
	Tables          []BackupTable `json:"tables"`
	Files           []BackupFile  `json:"files"`
}

// BackupTable describes one table file of an archive.
type BackupTable struct {
	Name    string         `json:"name"`
	Rows    int64          `json:"rows"`
	File    string         `json:"file"`
	SHA256  string         `json:"sha256"`
	Columns []BackupColumn `json:"columns"`
}

// BackupColumn names a column and its portable type: integer, text, binary,
// boolean or real.
type BackupColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// BackupFile describes one file under files/ in an archive; Path is
// relative to the files folder and uses forward slashes.
type BackupFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BackupInfo summarises an archive: its manifest plus the archive's own
// size and SHA-256.
type BackupInfo struct {
	BackupManifest
	ArchiveSize   int64
	ArchiveSHA256 string
}

// TableRows reports how many rows the archive holds for table name.
func (b BackupInfo) TableRows(name string) int64 {
	for _, t := range b.Tables {
		if t.Name == name {
			return t.Rows
		}
	}
	return 0
}

// Rows reports how many rows the archive holds in all.
func (b BackupInfo) Rows() int64 {
	var n int64
	for _, t := range b.Tables {
		n += t.Rows
	}
	return n
}

// FileBytes reports the total size of the archive's files.
func (b BackupInfo) FileBytes() int64 {
	var n int64
	for _, f := range b.Files {
		n += f.Size
	}
	return n
}

// BackupOption adjusts a backup.
type BackupOption func(*backupConfig)

type backupConfig struct{ holdfastVersion string }

// WithHoldfastVersion records the version of the binary making the backup
// in the manifest, so a user knows which version restores it.
func WithHoldfastVersion(v string) BackupOption {
	return func(c *backupConfig) { c.holdfastVersion = v }
}

// Portable column types.
const (
	colInteger = "integer"
	colText    = "text"
	colBinary  = "binary"
	colBoolean = "boolean"
	colReal    = "real"
)

const (
	manifestName     = "manifest.json"
	manifestHashName = "manifest.sha256"
	maxManifestSize  = 64 << 20
	maxLineSize      = 256 << 20
	insertBatchRows  = 200
)

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func quoteIdent(s string) string { return `"` + s + `"` }

func tableFile(name string) string { return "tables/" + name + ".jsonl" }

// Backup writes an archive of every organisation, record, history entry,
// audit log entry and uploaded file to w. The tables are read in one
// snapshot: a read transaction on SQLite, a REPEATABLE READ read-only
// transaction on PostgreSQL. Files are copied after the snapshot; uploaded
// files are never changed in place, so a file written meanwhile at worst
// appears without its record. It is an installation-level operation (the
// command line's `holdfast backup`) and checks no actor. On error, what was
// already written to w is not a usable archive and should be discarded.
func (db *DB) Backup(ctx context.Context, w io.Writer, opts ...BackupOption) (BackupInfo, error) {
	var cfg backupConfig
	for _, o := range opts {
		o(&cfg)
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("read schema version: %w", err)
	}
	if cur == 0 {
		return BackupInfo{}, errors.New("the database has no Holdfast schema yet: there is nothing to back up")
	}
	hw := &hashWriter{w: w, h: sha256.New()}
	zw := zip.NewWriter(hw)
	m := BackupManifest{
		Format: BackupFormat, FormatVersion: BackupFormatVersion, SchemaVersion: cur,
		CreatedAt: db.Now().UTC().Truncate(time.Microsecond), HoldfastVersion: cfg.holdfastVersion,
		SourceDialect: db.dialect, Tables: []BackupTable{}, Files: []BackupFile{},
	}
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: m.CreatedAt})
	}

	// SQLite's read transaction sees one snapshot from its first read on.
	txOpts := &sql.TxOptions{ReadOnly: db.dialect == Postgres}
	if db.dialect == Postgres {
		txOpts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.r.BeginTx(ctx, txOpts)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("start the backup transaction: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{sqlTx: sqlTx, ctx: ctx, db: db, now: m.CreatedAt}
	tables, err := t.backupSchema()
	if err != nil {
		return BackupInfo{}, err
	}
	for _, ts := range tables {
		bt, err := t.dumpTable(ts, create)
		if err != nil {
			return BackupInfo{}, fmt.Errorf("back up table %s: %w", ts.name, err)
		}
		m.Tables = append(m.Tables, bt)
	}
	_ = sqlTx.Rollback()

	if m.Files, err = db.dumpFiles(ctx, create); err != nil {
		return BackupInfo{}, err
	}

	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return BackupInfo{}, err
	}
	mb = append(mb, '\n')
	for _, part := range []struct {
		name string
		data []byte
	}{
		{manifestName, mb},
		{manifestHashName, []byte(sha256Hex(mb) + "  " + manifestName + "\n")},
	} {
		fw, err := create(part.name)
		if err != nil {
			return BackupInfo{}, err
		}
		if _, err := fw.Write(part.data); err != nil {
			return BackupInfo{}, err
		}
	}
	if err := zw.Close(); err != nil {
		return BackupInfo{}, err
	}
	return BackupInfo{BackupManifest: m, ArchiveSize: hw.n, ArchiveSHA256: hex.EncodeToString(hw.h.Sum(nil))}, nil
}

// tableSchema is what a backup or restore needs to know about one table.
type tableSchema struct {
	name    string
	columns []BackupColumn
	pk      []string
	fks     []foreignKey
}

// foreignKey is one (single-column) reference from column to refTable.refColumn.
type foreignKey struct {
	column, refTable, refColumn string
	multi                       bool // part of a multi-column reference
}

// backupSchema discovers the database's tables and returns those a backup
// carries, in backupOrder. It fails if the database holds a table the
// order does not mention, or if the order puts a table before one it
// references.
func (t *tx) backupSchema() ([]tableSchema, error) {
	names, err := t.schemaTables()
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
		if _, skip := notBackedUp[n]; !skip && !slices.Contains(backupOrder, n) {
			return nil, fmt.Errorf("table %s is not in the backup's table list: add it to backupOrder (or notBackedUp) in internal/store/backup.go", n)
		}
	}
	var out []tableSchema
	for i, n := range backupOrder {
		if !present[n] {
			continue // an older schema: the table does not exist yet
		}
		ts, err := t.tableSchema(n)
		if err != nil {
			return nil, err
		}
		for _, fk := range ts.fks {
			if fk.refTable == n {
				if fk.multi {
					return nil, fmt.Errorf("table %s references itself through several columns, which restores do not support", n)
				}
				continue
			}
			if j := slices.Index(backupOrder, fk.refTable); j < 0 || j > i {
				return nil, fmt.Errorf("table %s references %s, which must come before it in backupOrder", n, fk.refTable)
			}
		}
		out = append(out, ts)
	}
	return out, nil
}

// schemaTables lists the database's tables. This and tableSchema are the
// only places that read the system catalogues.
func (t *tx) schemaTables() ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if t.db.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return t.strings(q)
}

func (t *tx) strings(q string, args ...any) ([]string, error) {
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// tableSchema reads a table's columns, primary key and foreign keys.
func (t *tx) tableSchema(name string) (tableSchema, error) {
	ts := tableSchema{name: name}
	if !identRE.MatchString(name) {
		return ts, fmt.Errorf("table name %q is not a plain identifier", name)
	}
	var colQ, pkQ, fkQ string
	if t.db.dialect == Postgres {
		colQ = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
		pkQ = `SELECT k.column_name FROM information_schema.table_constraints c
			JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema
				AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'
			ORDER BY k.ordinal_position`
		fkQ = `SELECT c.conname, c.confrelid::regclass::text, a.attname, af.attname, cardinality(c.conkey) > 1
			FROM pg_constraint c
			CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, refcol, n)
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
			JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.refcol
			WHERE c.contype = 'f' AND c.conrelid = to_regclass($1)
			ORDER BY c.conname, k.n`
	} else {
		colQ = `SELECT name, type FROM pragma_table_info($1) ORDER BY cid`
		pkQ = `SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk`
		fkQ = `SELECT CAST(id AS TEXT), "table", "from", COALESCE("to", ''),
				(SELECT COUNT(*) FROM pragma_foreign_key_list($1) g WHERE g.id = f.id) > 1
			FROM pragma_foreign_key_list($1) f ORDER BY id, seq`
	}
	rows, err := t.Query(colQ, name)
	if err != nil {
		return ts, fmt.Errorf("read the columns of %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			return ts, err
		}
		kind, err := portableType(t.db.dialect, typ)
		if err != nil {
			return ts, fmt.Errorf("column %s.%s: %w", name, c, err)
		}
		if !identRE.MatchString(c) {
			return ts, fmt.Errorf("column name %s.%q is not a plain identifier", name, c)
		}
		ts.columns = append(ts.columns, BackupColumn{Name: c, Type: kind})
	}
	if err := rows.Err(); err != nil {
		return ts, err
	}
	if len(ts.columns) == 0 {
		return ts, fmt.Errorf("table %s has no columns", name)
	}
	if ts.pk, err = t.strings(pkQ, name); err != nil {
		return ts, fmt.Errorf("read the primary key of %s: %w", name, err)
	}
	fr, err := t.Query(fkQ, name)
	if err != nil {
		return ts, fmt.Errorf("read the foreign keys of %s: %w", name, err)
	}
	defer fr.Close()
	for fr.Next() {
		var id string
		var fk foreignKey
		if err := fr.Scan(&id, &fk.refTable, &fk.column, &fk.refColumn, &fk.multi); err != nil {
			return ts, err
		}
		ts.fks = append(ts.fks, fk)
	}
	if err := fr.Err(); err != nil {
		return ts, err
	}
	// SQLite leaves "to" empty for a reference to the primary key.
	for i, fk := range ts.fks {
		if fk.refColumn == "" {
			pk, err := t.strings(pkQ, fk.refTable)
			if err != nil || len(pk) != 1 {
				return ts, fmt.Errorf("table %s references %s, whose primary key is not one column", name, fk.refTable)
			}
			ts.fks[i].refColumn = pk[0]
		}
	}
	return ts, nil
}

// portableType maps a declared column type to a portable one.
func portableType(d Dialect, decl string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(decl))
	if d == Postgres {
		switch u {
		case "INTEGER", "BIGINT", "SMALLINT":
			return colInteger, nil
		case "TEXT", "CHARACTER VARYING", "CHARACTER":
			return colText, nil
		case "BYTEA":
			return colBinary, nil
		case "BOOLEAN":
			return colBoolean, nil
		case "REAL", "DOUBLE PRECISION":
			return colReal, nil
		}
		return "", fmt.Errorf("type %q is not supported by backups", decl)
	}
	// SQLite's type affinity rules, plus BOOLEAN.
	switch {
	case strings.Contains(u, "BOOL"):
		return colBoolean, nil
	case strings.Contains(u, "INT"):
		return colInteger, nil
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return colText, nil
	case u == "", strings.Contains(u, "BLOB"):
		return colBinary, nil
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"):
		return colReal, nil
	}
	return "", fmt.Errorf("type %q is not supported by backups", decl)
}

func columnList(cols []BackupColumn) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c.Name)
	}
	return strings.Join(q, ", ")
}

// dumpTable writes one table as JSON lines, in primary key order so that
// the same data gives the same file.
func (t *tx) dumpTable(ts tableSchema, create func(string) (io.Writer, error)) (BackupTable, error) {
	bt := BackupTable{Name: ts.name, File: tableFile(ts.name), Columns: ts.columns}
	q := `SELECT ` + columnList(ts.columns) + ` FROM ` + quoteIdent(ts.name)
	if w, ok := backupWhere[ts.name]; ok {
		q += ` WHERE ` + w
	}
	order := make([]string, 0, len(ts.columns))
	for _, c := range ts.pk {
		order = append(order, quoteIdent(c))
	}
	if len(order) == 0 {
		for i := range ts.columns {
			order = append(order, strconv.Itoa(i+1))
		}
	}
	q += ` ORDER BY ` + strings.Join(order, ", ")
	fw, err := create(bt.File)
	if err != nil {
		return bt, err
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(fw, h), 64<<10)
	rows, err := t.Query(q)
	if err != nil {
		return bt, err
	}
	defer rows.Close()
	vals := make([]any, len(ts.columns))
	dest := make([]any, len(ts.columns))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return bt, err
		}
		line.Reset()
		line.WriteByte('{')
		for i, c := range ts.columns {
			if i > 0 {
				line.WriteByte(',')
			}
			line.WriteString(`"` + c.Name + `":`)
			if err := encodeValue(&line, enc, c.Type, vals[i]); err != nil {
				return bt, fmt.Errorf("row %d, column %s: %w", bt.Rows+1, c.Name, err)
			}
		}
		line.WriteString("}\n")
		if _, err := bw.Write(line.Bytes()); err != nil {
			return bt, err
		}
		bt.Rows++
	}
	if err := rows.Err(); err != nil {
		return bt, err
	}
	if err := bw.Flush(); err != nil {
		return bt, err
	}
	bt.SHA256 = hex.EncodeToString(h.Sum(nil))
	return bt, nil
}

// encodeValue appends one scanned value as JSON of the column's portable
// type. SQLite stores any value in any column, so values are converted to
// the declared type; what cannot be converted faithfully is an error rather
// than a silent change.
func encodeValue(buf *bytes.Buffer, enc *json.Encoder, typ string, v any) error {
	if v == nil {
		buf.WriteString("null")
		return nil
	}
	switch typ {
	case colInteger:
		switch x := v.(type) {
		case int64:
			buf.WriteString(strconv.FormatInt(x, 10))
			return nil
		case bool:
			buf.WriteString(map[bool]string{true: "1", false: "0"}[x])
			return nil
		}
	case colText:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return fmt.Errorf("unexpected %T in a text column", v)
		}
		if !utf8.ValidString(s) {
			return errors.New("the text is not valid UTF-8")
		}
		if err := enc.Encode(s); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode adds a newline
		return nil
	case colBinary:
		var b []byte
		switch x := v.(type) {
		case []byte:
			b = x
		case string:
			b = []byte(x)
		default:
			return fmt.Errorf("unexpected %T in a binary column", v)
		}
		buf.WriteString(`{"$base64":"` + base64.StdEncoding.EncodeToString(b) + `"}`)
		return nil
	case colBoolean:
		switch x := v.(type) {
		case bool:
			buf.WriteString(strconv.FormatBool(x))
			return nil
		case int64:
			buf.WriteString(strconv.FormatBool(x != 0))
			return nil
		}
	case colReal:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return fmt.Errorf("unexpected %T in a real column", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.New("NaN and infinite numbers cannot be backed up")
		}
		buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		return nil
	}
	return fmt.Errorf("unexpected %T in a %s column", v, typ)
}

// decodeRow parses one JSON line into values in column order, checking
// that it has exactly the columns and that each value has its type.
func decodeRow(line []byte, cols []BackupColumn) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("unexpected text after the JSON object")
	}
	out := make([]any, len(cols))
	for i, c := range cols {
		raw, ok := m[c.Name]
		if !ok {
			return nil, fmt.Errorf("column %s is missing", c.Name)
		}
		v, err := decodeValue(c.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", c.Name, err)
		}
		out[i] = v
	}
	if len(m) != len(cols) {
		for k := range m {
			if !slices.ContainsFunc(cols, func(c BackupColumn) bool { return c.Name == k }) {
				return nil, fmt.Errorf("unknown column %q", k)
			}
		}
	}
	return out, nil
}

func decodeValue(typ string, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	switch typ {
	case colInteger:
		if n, ok := raw.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
		return nil, errors.New("expected an integer")
	case colText:
		if s, ok := raw.(string); ok {
			return s, nil
		}
		return nil, errors.New("expected a string")
	case colBinary:
		if m, ok := raw.(map[string]any); ok && len(m) == 1 {
			if s, ok := m["$base64"].(string); ok {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, errors.New("invalid base64")
				}
				return b, nil
			}
		}
		return nil, errors.New(`expected {"$base64": "…"}`)
	case colBoolean:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		return nil, errors.New("expected true or false")
	case colReal:
		if n, ok := raw.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				return f, nil
			}
		}
		return nil, errors.New("expected a number")
	}
	return nil, fmt.Errorf("unknown column type %q", typ)
}

// dumpFiles copies every regular file under the data directory's files/
// folder into the archive. The folder may not exist yet.
func (db *DB) dumpFiles(ctx context.Context, create func(string) (io.Writer, error)) ([]BackupFile, error) {
	out := []BackupFile{}
	if db.dataDir == "" {
		return out, nil
	}
	root, err := os.OpenRoot(filepath.Join(db.dataDir, "files"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the files folder: %w", err)
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("files/%s is not a regular file (a link or device?): backups hold only regular files", p)
		}
		if !validArchivePath(p) {
			return fmt.Errorf("files/%s has a name a backup cannot hold", p)
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fw, err := create("files/" + p)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), f)
		if err != nil {
			return fmt.Errorf("copy files/%s: %w", p, err)
		}
		out = append(out, BackupFile{Path: p, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("back up files: %w", err)
	}
	return out, nil
}

// validArchivePath reports whether p is a relative, slash-separated path
// that stays inside its folder: no absolute path, no "..", no backslash.
func validArchivePath(p string) bool {
	return p != "." && fs.ValidPath(p) && !strings.Contains(p, `\`)
}

// LatestSchemaVersion is the schema version this binary migrates to; an
// archive must carry exactly this version to be restored by it.
func LatestSchemaVersion() (int64, error) {
	var versions []int64
	for _, d := range []Dialect{SQLite, Postgres} {
		entries, err := fs.ReadDir(migrationFS, "migrations/"+string(d))
		if err != nil {
			return 0, err
		}
		var max int64
		for _, e := range entries {
			num, _, ok := strings.Cut(e.Name(), "_")
			if !ok || !strings.HasSuffix(e.Name(), ".sql") {
				continue
			}
			if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > max {
				max = v
			}
		}
		versions = append(versions, max)
	}
	if versions[0] != versions[1] {
		return 0, fmt.Errorf("the SQLite and PostgreSQL migrations end at different versions (%d and %d)", versions[0], versions[1])
	}
	return versions[0], nil
}

// archive is an opened, verified archive.
type archive struct {
	info  BackupInfo
	files map[string]*zip.File
}

// VerifyBackup checks that an archive is complete and unaltered and that
// this binary can restore it: the manifest matches its hash, every table
// file and file matches its hash, size and row count, every row is a JSON
// object with exactly the table's columns, no entry leaves the archive's
// folder, and the format and schema versions are the ones this binary
// reads. Errors wrap ErrBadBackup or ErrBackupVersion.
func VerifyBackup(r io.ReaderAt, size int64) (BackupInfo, error) {
	a, err := openArchive(r, size)
	if err != nil {
		return BackupInfo{}, err
	}
	return a.info, nil
}

func openArchive(r io.ReaderAt, size int64) (*archive, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, fmt.Errorf("read the archive: %w", err)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, badBackup("the file is not a zip archive (%v)", err)
	}
	a := &archive{files: map[string]*zip.File{}}
	a.info.ArchiveSize, a.info.ArchiveSHA256 = size, hex.EncodeToString(h.Sum(nil))
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") && f.UncompressedSize64 == 0 {
			name = strings.TrimSuffix(name, "/") // a folder entry, as zip tools add
			if !validArchivePath(name) {
				return nil, badBackup("the entry %q is an absolute path or leaves the archive's folder", f.Name)
			}
			continue
		}
		if !validArchivePath(name) {
			return nil, badBackup("the entry %q is an absolute path or leaves the archive's folder", f.Name)
		}
		if a.files[name] != nil {
			return nil, badBackup("the entry %q appears twice", name)
		}
		a.files[name] = f
	}
	mf, hf := a.files[manifestName], a.files[manifestHashName]
	if mf == nil {
		return nil, badBackup("%s is missing", manifestName)
	}
	if hf == nil {
		return nil, badBackup("%s is missing", manifestHashName)
	}
	mb, err := readEntry(mf, maxManifestSize)
	if err != nil {
		return nil, err
	}
	hb, err := readEntry(hf, 4096)
	if err != nil {
		return nil, err
	}
	want, _, _ := strings.Cut(strings.TrimSpace(string(hb)), " ")
	if !strings.EqualFold(want, sha256Hex(mb)) {
		return nil, badBackup("%s does not match the SHA-256 in %s: the manifest was altered or damaged", manifestName, manifestHashName)
	}
	m := &a.info.BackupManifest
	if err := json.Unmarshal(mb, m); err != nil {
		return nil, badBackup("%s is not valid: %v", manifestName, err)
	}
	if m.Format != BackupFormat {
		return nil, badBackup("%s names the format %q, not %q", manifestName, m.Format, BackupFormat)
	}
	if m.FormatVersion != BackupFormatVersion {
		return nil, fmt.Errorf("%w: the archive has format version %d, but this Holdfast reads only format version %d: restore it with the Holdfast version that made it (%s)",
			ErrBackupVersion, m.FormatVersion, BackupFormatVersion, orUnknown(m.HoldfastVersion))
	}
	latest, err := LatestSchemaVersion()
	if err != nil {
		return nil, err
	}
	if m.SchemaVersion > latest || m.SchemaVersion < 1 {
		return nil, fmt.Errorf("%w: the archive holds database schema version %d, but this Holdfast knows versions 1 to %d: restore it with the Holdfast version that made it (%s) or a newer one",
			ErrBackupVersion, m.SchemaVersion, latest, orUnknown(m.HoldfastVersion))
	}
	if m.SourceDialect != SQLite && m.SourceDialect != Postgres {
		return nil, badBackup("%s names an unknown source database %q", manifestName, m.SourceDialect)
	}
	used := map[string]bool{manifestName: true, manifestHashName: true}
	for _, bt := range m.Tables {
		if err := a.verifyTable(bt, used); err != nil {
			return nil, err
		}
	}
	for _, bf := range m.Files {
		if !validArchivePath(bf.Path) {
			return nil, badBackup("the file %q is an absolute path or leaves the files folder", bf.Path)
		}
		name := "files/" + bf.Path
		if used[name] {
			return nil, badBackup("the file %q is listed twice", bf.Path)
		}
		used[name] = true
		f := a.files[name]
		if f == nil {
			return nil, badBackup("%s is listed in the manifest but missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, badBackup("%s cannot be read: %v", name, err)
		}
		fh := sha256.New()
		n, err := io.Copy(fh, rc)
		rc.Close()
		if err != nil {
			return nil, badBackup("%s is damaged: %v", name, err)
		}
		if n != bf.Size || hex.EncodeToString(fh.Sum(nil)) != bf.SHA256 {
			return nil, badBackup("%s does not match its size and SHA-256 in the manifest", name)
		}
	}
	for name := range a.files {
		if !used[name] {
			return nil, badBackup("the entry %q is not listed in the manifest", name)
		}
	}
	return a, nil
}

func orUnknown(v string) string {
	if v == "" {
		return "an unrecorded version"
	}
	return "holdfast " + v
}

func (a *archive) verifyTable(bt BackupTable, used map[string]bool) error {
	if !slices.Contains(backupOrder, bt.Name) {
		return badBackup("the archive holds a table %q that this Holdfast does not know", bt.Name)
	}
	if bt.File != tableFile(bt.Name) {
		return badBackup("the table %s should be in %s, not %q", bt.Name, tableFile(bt.Name), bt.File)
	}
	if used[bt.File] {
		return badBackup("the table %s is listed twice", bt.Name)
	}
	used[bt.File] = true
	if len(bt.Columns) == 0 {
		return badBackup("the table %s lists no columns", bt.Name)
	}
	seen := map[string]bool{}
	for _, c := range bt.Columns {
		if !identRE.MatchString(c.Name) || seen[c.Name] {
			return badBackup("the table %s lists an invalid or repeated column %q", bt.Name, c.Name)
		}
		seen[c.Name] = true
		if !slices.Contains([]string{colInteger, colText, colBinary, colBoolean, colReal}, c.Type) {
			return badBackup("the table %s has a column %s of unknown type %q", bt.Name, c.Name, c.Type)
		}
	}
	f := a.files[bt.File]
	if f == nil {
		return badBackup("%s is listed in the manifest but missing", bt.File)
	}
	var lineErr error
	sum, n, err := scanTable(f, func(no int64, line []byte) error {
		if lineErr == nil {
			if _, err := decodeRow(line, bt.Columns); err != nil {
				lineErr = badBackup("table %s, line %d: %v", bt.Name, no, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Damage first: a changed file explains bad lines and a wrong count.
	if sum != bt.SHA256 {
		return badBackup("%s does not match its SHA-256 in the manifest: the table file was altered or damaged", bt.File)
	}
	if lineErr != nil {
		return lineErr
	}
	if n != bt.Rows {
		return badBackup("table %s has %d rows but the manifest says %d", bt.Name, n, bt.Rows)
	}
	return nil
}

// scanTable reads a table file line by line, calling fn with each line
// number (from 1) and line, and returns the file's SHA-256 and line count.
func scanTable(f *zip.File, fn func(no int64, line []byte) error) (sum string, n int64, err error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, badBackup("%s cannot be read: %v", f.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	sc := bufio.NewScanner(io.TeeReader(rc, h))
	sc.Buffer(make([]byte, 64<<10), maxLineSize)
	for sc.Scan() {
		n++
		if err := fn(n, sc.Bytes()); err != nil {
			return "", n, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", n, badBackup("%s line %d is longer than %d MiB", f.Name, n+1, maxLineSize>>20)
		}
		return "", n, badBackup("%s is damaged: %v", f.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, badBackup("%s is too large", f.Name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, badBackup("%s cannot be read: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, badBackup("%s is damaged: %v", f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, badBackup("%s is too large", f.Name)
	}
	return b, nil
}

// Restore loads an archive into this database, which must be empty: no
// organisation, user or other record (a migrated schema is fine; Restore
// migrates a blank database first), and no file in the data directory's
// files/ folder other than identical copies of the archive's own. The
// whole archive is verified before anything is written (see VerifyBackup),
// then every row is inserted in one transaction and the files are written
// before it commits: on any error nothing is kept. Settings of the empty
// target (such as its setup token) are replaced by the archive's. Sessions
// are not restored, so users sign in again. Like Backup it is an
// installation-level operation and checks no actor. Errors wrap
// ErrBadBackup, ErrBackupVersion or ErrRestoreTargetNotEmpty where those
// apply.
func (db *DB) Restore(ctx context.Context, r io.ReaderAt, size int64) (BackupInfo, error) {
	a, err := openArchive(r, size)
	if err != nil {
		return BackupInfo{}, err
	}
	info := a.info
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return info, fmt.Errorf("read schema version: %w", err)
	}
	if cur > 0 {
		// Refuse an installation in use before migrating it; the check is
		// repeated inside the restore transaction.
		var orgs, users int64
		err := db.read(ctx, func(t *tx) error {
			if err := t.QueryRow(`SELECT COUNT(*) FROM organisations`).Scan(&orgs); err != nil {
				return err
			}
			return t.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users)
		})
		if err != nil {
			return info, err
		}
		if orgs+users > 0 {
			return info, fmt.Errorf("%w: the database already holds %d organisation(s) and %d user(s): restore only into a new, empty database",
				ErrRestoreTargetNotEmpty, orgs, users)
		}
	}
	filesDir := ""
	var missing []BackupFile
	if len(info.Files) > 0 {
		if db.dataDir == "" {
			return info, fmt.Errorf("the archive holds %d files but no data directory is configured for them: give --data", len(info.Files))
		}
		filesDir = filepath.Join(db.dataDir, "files")
		if missing, err = planFiles(a, filesDir); err != nil {
			return info, err
		}
	}
	// Rebuild the schema the archive was made with; an older archive is
	// brought up to date by the ordinary migrations after the restore.
	if cur > info.SchemaVersion {
		return info, fmt.Errorf("%w: the archive holds schema version %d but this database has already been migrated to version %d: restore into a new database",
			ErrBackupVersion, info.SchemaVersion, cur)
	}
	if err := db.MigrateTo(ctx, info.SchemaVersion); err != nil {
		return info, err
	}
	if cur, _, err = db.SchemaVersion(ctx); err != nil {
		return info, fmt.Errorf("read schema version: %w", err)
	}
	if cur != info.SchemaVersion {
		return info, fmt.Errorf("%w: the archive holds schema version %d but this database is at version %d", ErrBackupVersion, info.SchemaVersion, cur)
	}

	db.kept.wrote()
	defer db.kept.wrote()
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return info, fmt.Errorf("start the restore transaction: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{sqlTx: sqlTx, ctx: ctx, db: db, now: db.Now().UTC(), write: true}
	tables, err := t.backupSchema()
	if err != nil {
		return info, err
	}
	if err := t.checkEmpty(tables); err != nil {
		return info, err
	}
	byName := map[string]BackupTable{}
	for _, bt := range info.Tables {
		byName[bt.Name] = bt
	}
	for _, ts := range tables {
		bt, ok := byName[ts.name]
		if !ok {
			return info, badBackup("the archive has no table %s", ts.name)
		}
		if !slices.Equal(bt.Columns, ts.columns) {
			return info, badBackup("the archive's table %s has the columns %s, but this database has %s",
				ts.name, describeColumns(bt.Columns), describeColumns(ts.columns))
		}
	}
	if len(byName) != len(tables) {
		for _, bt := range info.Tables {
			if !slices.ContainsFunc(tables, func(ts tableSchema) bool { return ts.name == bt.Name }) {
				return info, badBackup("the archive holds a table %s that this database does not have", bt.Name)
			}
		}
	}
	// An empty installation may hold a setup token and anonymous sessions;
	// the restored installation has neither.
	for _, q := range []string{`DELETE FROM settings`, `DELETE FROM sessions`} {
		if _, err := t.Exec(q); err != nil {
			return info, err
		}
	}
	for _, ts := range tables {
		if err := t.restoreTable(ctx, a, byName[ts.name], ts); err != nil {
			return info, fmt.Errorf("restore table %s: %w", ts.name, err)
		}
	}
	undo := func() {}
	if filesDir != "" {
		if undo, err = writeFiles(ctx, a, filesDir, missing); err != nil {
			return info, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		undo()
		return info, fmt.Errorf("commit the restore: %w", err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return info, fmt.Errorf("the archive was restored, but bringing its schema up to date failed (run holdfast migrate): %w", err)
	}
	return info, db.Analyze(ctx)
}

func describeColumns(cols []BackupColumn) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.Name + " " + c.Type
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// checkEmpty refuses a database that holds any record. Settings alone
// (such as a setup token) do not count: a fresh installation has them.
func (t *tx) checkEmpty(tables []tableSchema) error {
	var found []string
	for _, ts := range tables {
		if ts.name == "settings" {
			continue
		}
		var n int64
		if err := t.QueryRow(`SELECT COUNT(*) FROM ` + quoteIdent(ts.name)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s: %d", ts.name, n))
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("%w: the database already holds records (%s): restore only into a new, empty database", ErrRestoreTargetNotEmpty, strings.Join(found, ", "))
	}
	return nil
}

// restoreTable inserts one table's rows in batches. A column that
// references its own table (people.manager_id) and points to a row not yet
// inserted is inserted as NULL and set afterwards, so rows may come in any
// order.
func (t *tx) restoreTable(ctx context.Context, a *archive, bt BackupTable, ts tableSchema) error {
	self := map[int]int{} // column index → index of the column it references
	for _, fk := range ts.fks {
		if fk.refTable == ts.name {
			from := slices.IndexFunc(ts.columns, func(c BackupColumn) bool { return c.Name == fk.column })
			to := slices.IndexFunc(ts.columns, func(c BackupColumn) bool { return c.Name == fk.refColumn })
			self[from] = to
		}
	}
	type link struct {
		col, refCol int
		value, key  any
	}
	var links []link
	inserted := map[int]map[any]bool{} // referenced column → values inserted so far
	for _, to := range self {
		inserted[to] = map[any]bool{}
	}
	ncols := len(ts.columns)
	perBatch := max(1, min(insertBatchRows, 30000/ncols))
	head := `INSERT INTO ` + quoteIdent(ts.name) + ` (` + columnList(ts.columns) + `) VALUES `
	var args []any
	rowsIn := 0
	flush := func() error {
		if rowsIn == 0 {
			return nil
		}
		var sb strings.Builder
		sb.WriteString(head)
		for i := 0; i < rowsIn; i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + placeholders(i*ncols+1, ncols) + ")")
		}
		if _, err := t.Exec(sb.String(), args...); err != nil {
			return err
		}
		args, rowsIn = args[:0], 0
		return ctx.Err()
	}
	sum, n, err := scanTable(a.files[bt.File], func(no int64, line []byte) error {
		vals, err := decodeRow(line, bt.Columns)
		if err != nil {
			return badBackup("table %s, line %d: %v", bt.Name, no, err)
		}
		for from, to := range self {
			if vals[from] != nil && !inserted[to][hashKey(vals[from])] {
				links = append(links, link{col: from, refCol: to, value: vals[from], key: vals[to]})
				vals[from] = nil
			}
		}
		for to, seen := range inserted {
			seen[hashKey(vals[to])] = true
		}
		args = append(args, vals...)
		rowsIn++
		if rowsIn == perBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	// The archive was verified; this guards against it changing since.
	if sum != bt.SHA256 || n != bt.Rows {
		return badBackup("%s changed while it was being restored", bt.File)
	}
	for _, l := range links {
		q := fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2`, quoteIdent(ts.name), quoteIdent(ts.columns[l.col].Name), quoteIdent(ts.columns[l.refCol].Name))
		if _, err := t.Exec(q, l.value, l.key); err != nil {
			return err
		}
	}
	return nil
}

// hashKey makes a decoded value usable as a map key.
func hashKey(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// planFiles compares the target's files folder with the archive and
// returns the files still to write. The folder may be missing or empty, or
// hold identical copies of the archive's files (a move from SQLite to
// PostgreSQL that keeps its data directory); any other file means the
// target is in use.
func planFiles(a *archive, filesDir string) ([]BackupFile, error) {
	want := map[string]BackupFile{}
	for _, bf := range a.info.Files {
		want[bf.Path] = bf
	}
	root, err := os.OpenRoot(filesDir)
	if errors.Is(err, fs.ErrNotExist) {
		return a.info.Files, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the files folder: %w", err)
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		bf, ok := want[p]
		if !ok || !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s holds files/%s, which the archive does not: restore into a new, empty data directory",
				ErrRestoreTargetNotEmpty, filepath.Dir(filesDir), p)
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		if n != bf.Size || hex.EncodeToString(h.Sum(nil)) != bf.SHA256 {
			return fmt.Errorf("%w: files/%s in %s differs from the archive's copy: restore into a new, empty data directory",
				ErrRestoreTargetNotEmpty, p, filepath.Dir(filesDir))
		}
		delete(want, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var missing []BackupFile
	for _, bf := range a.info.Files {
		if _, ok := want[bf.Path]; ok {
			missing = append(missing, bf)
		}
	}
	return missing, nil
}

// writeFiles writes files from the archive into the files folder through
// os.Root, so no name can leave the folder even if one slipped past
// verification. It returns a function that removes what it wrote, for when
// the database transaction fails afterwards; on its own error it has
// already removed it.
func writeFiles(ctx context.Context, a *archive, filesDir string, files []BackupFile) (undo func(), err error) {
	_, statErr := os.Stat(filesDir)
	madeDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(filesDir, 0o700); err != nil {
		return nil, fmt.Errorf("create the files folder: %w", err)
	}
	root, err := os.OpenRoot(filesDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var written []string
	undo = func() {
		if madeDir {
			os.RemoveAll(filesDir)
			return
		}
		if r, err := os.OpenRoot(filesDir); err == nil {
			for _, p := range written {
				r.Remove(p)
			}
			r.Close()
		}
	}
	for _, bf := range files {
		if err = ctx.Err(); err == nil {
			err = writeFile(root, a.files["files/"+bf.Path], bf, &written)
		}
		if err != nil {
			undo()
			return nil, err
		}
	}
	return undo, nil
}

func writeFile(root *os.Root, zf *zip.File, bf BackupFile, written *[]string) error {
	if dir := path.Dir(bf.Path); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("restore files/%s: %w", bf.Path, err)
		}
	}
	out, err := root.OpenFile(bf.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore files/%s: %w", bf.Path, err)
	}
	*written = append(*written, bf.Path)
	rc, err := zf.Open()
	if err != nil {
		out.Close()
		return badBackup("files/%s cannot be read: %v", bf.Path, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), rc)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore files/%s: %w", bf.Path, err)
	}
	if n != bf.Size || hex.EncodeToString(h.Sum(nil)) != bf.SHA256 {
		return badBackup("files/%s changed while it was being restored", bf.Path)
	}
	return nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// hashWriter counts and hashes what passes through to w.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// RecordCounts counts the rows of every table a backup carries (what the
// demo generator and the benchmark report as the size of the data).
func (db *DB) RecordCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.read(ctx, func(t *tx) error {
		names, err := t.schemaTables()
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, n := range names {
			present[n] = true
		}
		for _, n := range backupOrder {
			if !present[n] {
				continue
			}
			var c int64
			if err := t.QueryRow(`SELECT COUNT(*) FROM ` + n).Scan(&c); err != nil {
				return err
			}
			out[n] = c
		}
		return nil
	})
	return out, err
}
