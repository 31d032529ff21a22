package store

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
)

type named string

// scanTargets of every kind a register's row scans into, fresh.
func jsonRowTargets() []any {
	var (
		s  string
		n  named
		i  int
		i8 int8
		i6 int64
		b  bool
		p  *string
		ns sql.NullString
		a  any
		s2 string
	)
	return []any{&s, &n, &i, &i8, &i6, &b, &p, &ns, &a, &s2}
}

// A row read as one JSON array scans into its targets exactly as its
// columns read one by one do, whatever the text holds.
func TestJSONRowScansAsColumns(t *testing.T) {
	db := openInternalDB(t)
	texts := []string{
		"", "plain", `quote " and backslash \ and slash /`, "line\nbreak\ttab\rreturn",
		"control \x01\x02\x1f and \x7f", "accents é ü ß, CJK 漢字, emoji 😀", `{"looks": ["like", "json"]}`,
		"null", "12", "[1,2]", strings.Repeat("long ", 500), "nul \x00 inside", "not UTF-8 \xff\xfe\xc3",
	}
	for _, text := range texts {
		for _, num := range []int64{0, 1} {
			cols := `$1, $1, $2, $2, $2, $2, $1, $1, $1, $2 * 4611686018427387903`
			if num == 0 {
				cols = `$1, $1, $2, $2, $2, $2, NULL, NULL, NULL, -$2`
			}
			want, got := jsonRowTargets(), jsonRowTargets()
			errCols := db.r.QueryRow(`SELECT `+cols, text, num).Scan(want...)
			var src string
			if err := db.r.QueryRow(`SELECT `+jsonColumns(cols), text, num).Scan(&src); err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			errJSON := (&jsonRow{src: src}).Scan(got...)
			if (errCols == nil) != (errJSON == nil) {
				t.Fatalf("%q: read as columns %v, as JSON %s: %v", text, errCols, src, errJSON)
			}
			if errCols != nil {
				continue
			}
			for i := range want {
				w, g := reflect.ValueOf(want[i]).Elem().Interface(), reflect.ValueOf(got[i]).Elem().Interface()
				if !reflect.DeepEqual(w, g) {
					t.Errorf("%.40q, column %d: read as JSON %#v, as a column %#v", text, i, g, w)
				}
			}
		}
	}
}

// Numbers in text columns convert as database/sql converts them, and so
// do integers into text; what it refuses the JSON row refuses.
func TestJSONRowConversions(t *testing.T) {
	var (
		i int
		s string
		b bool
		p *int
	)
	if err := (&jsonRow{src: `["42",7,1,"9"]`}).Scan(&i, &s, &b, &p); err != nil || i != 42 || s != "7" || !b || p == nil || *p != 9 {
		t.Errorf("got %d %q %v %v, %v", i, s, b, p, err)
	}
	for _, c := range []struct {
		src  string
		dest []any
		want string
	}{
		{`[null]`, []any{&s}, "converting NULL to string"},
		{`[null]`, []any{&i}, "converting NULL to int"},
		{`["x"]`, []any{&i}, `converting "x" to a int`},
		{`[2]`, []any{&b}, "converting 2 to a bool"},
		{`[1,2]`, []any{&i}, "expected more than 1 destination"},
		{`[1]`, []any{&i, &s}, "expected 1 destination arguments in Scan, not 2"},
		{`{"a":1}`, []any{&i}, "not an array"},
		{`["unterminated`, []any{&s}, "not an array"},
		{`["bad \q escape"]`, []any{&s}, "not an array"},
		{`[tru]`, []any{&b}, "not an array"},
		{`[1]`, []any{i}, "not a pointer"},
	} {
		err := (&jsonRow{src: c.src}).Scan(c.dest...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s into %T: %v, want an error with %q", c.src, c.dest[0], err, c.want)
		}
	}
	// Escapes SQLite does not write but JSON allows: \u escapes of any
	// character, surrogate pairs among them, and \/.
	if err := (&jsonRow{src: `["\u00e9\ud83d\ude00\/\u0041"]`}).Scan(&s); err != nil || s != "é😀/A" {
		t.Errorf("escapes read as %q, %v", s, err)
	}
}
