package store

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// On SQLite a list page reads each row as one JSON array of its columns
// (SQLite's json_array) rather than column by column. The driver crosses
// into SQLite three times for every column of every row (the column's
// type, its text, its length), and each crossing takes and releases the
// connection's mutex: for a page of fifty risks, some 3,300 crossings,
// a seventh of the page. One text per row is three.
//
// jsonRow scans such an array as database/sql would have scanned its
// columns: SQLite's TEXT arrives as a JSON string, INTEGER as a number,
// NULL as null (the registers have no BLOB columns, which json_array
// refuses). Strings without escapes are slices of the row's text, so a
// row is one allocation rather than one for each of its columns.
type jsonRow struct {
	src string
	at  int
}

// jsonColumns is a select list of one column, the array of cols.
func jsonColumns(cols string) string { return "json_array(" + cols + ")" }

// jsonRows adapts a reading's row function to rows selected as one JSON
// array each (jsonColumns).
func jsonRows(fn func(scanner) error) func(scanner) error {
	var r jsonRow
	return func(s scanner) error {
		if err := s.Scan(&r.src); err != nil {
			return err
		}
		return fn(&r)
	}
}

// rowValue is one element of the array: a string, an integer, a real or
// null.
type rowValue struct {
	kind byte // 's', 'i', 'f' or 'n'
	s    string
	i    int64
	f    float64
}

// native is the value as the driver would have given it.
func (v *rowValue) native() any {
	switch v.kind {
	case 's':
		return v.s
	case 'i':
		return v.i
	case 'f':
		return v.f
	}
	return nil
}

var errJSONRow = errors.New("a row read as JSON is not an array of strings, numbers and nulls")

// Scan reads the row from its start into dest, as sql.Rows.Scan does.
func (r *jsonRow) Scan(dest ...any) error {
	r.at = 0
	if !r.next('[') {
		return errJSONRow
	}
	var v rowValue
	for i, d := range dest {
		if i > 0 && !r.next(',') {
			return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", i, len(dest))
		}
		if err := r.value(&v); err != nil {
			return err
		}
		if err := assignJSON(d, &v); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d: %w", i, err)
		}
	}
	if !r.next(']') {
		return fmt.Errorf("sql: expected more than %d destination arguments in Scan", len(dest))
	}
	return nil
}

// skip skips spaces (SQLite writes none).
func (r *jsonRow) skip() {
	for r.at < len(r.src) && r.src[r.at] == ' ' {
		r.at++
	}
}

// next skips spaces and consumes c if it comes next.
func (r *jsonRow) next(c byte) bool {
	r.skip()
	if r.at < len(r.src) && r.src[r.at] == c {
		r.at++
		return true
	}
	return false
}

// value reads the next element into v.
func (r *jsonRow) value(v *rowValue) error {
	r.skip()
	s := r.src[r.at:]
	switch {
	case s == "":
		return errJSONRow
	case s[0] == '"':
		return r.str(v)
	case strings.HasPrefix(s, "null"):
		r.at += 4
		v.kind = 'n'
		return nil
	}
	n := 0
	float := false
	for n < len(s) && strings.IndexByte("-+0123456789.eE", s[n]) >= 0 {
		float = float || s[n] == '.' || s[n] == 'e' || s[n] == 'E'
		n++
	}
	if n == 0 {
		return errJSONRow
	}
	var err error
	if float {
		v.kind = 'f'
		v.f, err = strconv.ParseFloat(s[:n], 64)
	} else {
		v.kind = 'i'
		v.i, err = strconv.ParseInt(s[:n], 10, 64)
	}
	r.at += n
	return err
}

// str reads a string; one without escapes is a slice of the row's text.
func (r *jsonRow) str(v *rowValue) error {
	v.kind = 's'
	start := r.at + 1
	i := start
	for i < len(r.src) && r.src[i] != '"' && r.src[i] != '\\' {
		i++
	}
	if i < len(r.src) && r.src[i] == '"' {
		v.s, r.at = r.src[start:i], i+1
		return nil
	}
	b := []byte(r.src[start:i])
	for i < len(r.src) {
		c := r.src[i]
		switch {
		case c == '"':
			v.s, r.at = string(b), i+1
			return nil
		case c != '\\':
			b = append(b, c)
			i++
			continue
		case i+1 >= len(r.src):
			return errJSONRow
		}
		i++
		switch e := r.src[i]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			c, n := r.hex4(i + 1)
			if n == 0 {
				return errJSONRow
			}
			i += n
			if utf16.IsSurrogate(c) {
				if c2, n2 := r.hex4(i + 3); n2 > 0 && r.src[i+1] == '\\' && r.src[i+2] == 'u' {
					if d := utf16.DecodeRune(c, c2); d != utf8.RuneError {
						c, i = d, i+2+n2
					}
				}
			}
			b = utf8.AppendRune(b, c)
		default:
			return errJSONRow
		}
		i++
	}
	return errJSONRow
}

// hex4 reads the four hexadecimal digits at i: the rune and 4, or 0 if
// they are not there.
func (r *jsonRow) hex4(i int) (rune, int) {
	if i+4 > len(r.src) {
		return 0, 0
	}
	n, err := strconv.ParseUint(r.src[i:i+4], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(n), 4
}

// assignJSON stores v in dest as database/sql's Scan would store the
// driver's value: strings, integers and booleans of any named type, a
// pointer to one (nil for null), a Scanner, or any.
func assignJSON(dest any, v *rowValue) error {
	switch d := dest.(type) {
	case *string:
		switch v.kind {
		case 's':
			*d = v.s
		case 'i':
			*d = strconv.FormatInt(v.i, 10)
		case 'f':
			*d = strconv.FormatFloat(v.f, 'g', -1, 64)
		default:
			return errors.New("converting NULL to string is unsupported")
		}
		return nil
	case *int:
		if v.kind == 'i' {
			*d = int(v.i)
			return nil
		}
	case *int64:
		if v.kind == 'i' {
			*d = v.i
			return nil
		}
	case *any:
		*d = v.native()
		return nil
	case sql.Scanner:
		return d.Scan(v.native())
	}
	return assignReflect(reflect.ValueOf(dest), v)
}

func assignReflect(p reflect.Value, v *rowValue) error {
	if p.Kind() != reflect.Pointer || p.IsNil() {
		return fmt.Errorf("destination not a pointer: %s", p.Type())
	}
	d := p.Elem()
	if d.Kind() == reflect.Pointer {
		if v.kind == 'n' {
			d.SetZero()
			return nil
		}
		n := reflect.New(d.Type().Elem())
		if err := assignReflect(n, v); err != nil {
			return err
		}
		d.Set(n)
		return nil
	}
	if v.kind == 'n' {
		return fmt.Errorf("converting NULL to %s is unsupported", d.Kind())
	}
	text := v.s
	switch v.kind {
	case 'i':
		text = strconv.FormatInt(v.i, 10)
	case 'f':
		text = strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	switch d.Kind() {
	case reflect.String:
		d.SetString(text)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, d.Type().Bits())
		if err != nil {
			return fmt.Errorf("converting %q to a %s: %w", text, d.Kind(), err)
		}
		d.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, d.Type().Bits())
		if err != nil {
			return fmt.Errorf("converting %q to a %s: %w", text, d.Kind(), err)
		}
		d.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(text, d.Type().Bits())
		if err != nil {
			return fmt.Errorf("converting %q to a %s: %w", text, d.Kind(), err)
		}
		d.SetFloat(f)
		return nil
	case reflect.Bool:
		if v.kind == 'i' && v.i != 0 && v.i != 1 {
			return fmt.Errorf("converting %d to a bool: out of range", v.i)
		}
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("converting %q to a bool: %w", text, err)
		}
		d.SetBool(b)
		return nil
	}
	return fmt.Errorf("unsupported Scan, storing %T into %s", v.native(), p.Type())
}
