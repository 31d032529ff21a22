package isms

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodeFields parses Before/After JSON; empty or malformed yields nil.
//
// Every history section and audit log page decodes a few dozen of these,
// and encoding/json's reflective decoding into a map was a quarter of the
// audit log page. What EncodeFields writes (an object of strings, numbers,
// booleans, nulls, lists and objects, with plain escapes) is read here
// directly, into exactly what encoding/json makes of it: float64 numbers,
// []any lists, map[string]any objects. Anything else (a surrogate \u
// escape, a string that is not UTF-8, a control character, malformed
// JSON) goes to encoding/json, so the result is the same whatever the input (a fuzz
// test holds the two equal).
func DecodeFields(s string) map[string]any {
	if s == "" {
		return nil
	}
	d := fieldsDecoder{s: s}
	if m, ok := d.object(); ok && d.end() {
		return m
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// fieldsDecoder reads the JSON in s from i; each method reports false for
// anything it leaves to encoding/json.
type fieldsDecoder struct {
	s string
	i int
}

func (d *fieldsDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// end reports whether only white space is left.
func (d *fieldsDecoder) end() bool {
	d.space()
	return d.i == len(d.s)
}

func (d *fieldsDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fieldsDecoder) object() (map[string]any, bool) {
	if !d.next('{') {
		return nil, false
	}
	m := map[string]any{}
	if d.next('}') {
		return m, true
	}
	for {
		d.space()
		k, ok := d.str()
		if !ok || !d.next(':') {
			return nil, false
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if d.next(',') {
			continue
		}
		return m, d.next('}')
	}
}

func (d *fieldsDecoder) list() ([]any, bool) {
	if !d.next('[') {
		return nil, false
	}
	l := []any{}
	if d.next(']') {
		return l, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		l = append(l, v)
		if d.next(',') {
			continue
		}
		return l, d.next(']')
	}
}

func (d *fieldsDecoder) value() (any, bool) {
	d.space()
	if d.i >= len(d.s) {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		return d.str()
	case c == '{':
		return d.object()
	case c == '[':
		return d.list()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	rest := d.s[d.i:]
	switch {
	case strings.HasPrefix(rest, "true"):
		d.i += 4
		return true, true
	case strings.HasPrefix(rest, "false"):
		d.i += 5
		return false, true
	case strings.HasPrefix(rest, "null"):
		d.i += 4
		return nil, true
	}
	return nil, false
}

// str reads a string of valid UTF-8 without control characters, whose
// escapes are \" \\ \/ \b \f \n \r \t and \u outside the surrogates.
func (d *fieldsDecoder) str() (string, bool) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", false
	}
	d.i++
	start := d.i
	var b []byte // only once an escape is met
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			var out string
			if b == nil {
				out = d.s[start:d.i]
			} else {
				out = string(append(b, d.s[start:d.i]...))
			}
			d.i++
			if !utf8.ValidString(out) {
				return "", false
			}
			return out, true
		case c < 0x20:
			return "", false
		case c == '\\':
			if d.i+1 >= len(d.s) {
				return "", false
			}
			var r byte
			switch d.s[d.i+1] {
			case '"', '\\', '/':
				r = d.s[d.i+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u': // json.Marshal writes <, > and & so
				if d.i+6 > len(d.s) {
					return "", false
				}
				n, err := strconv.ParseUint(d.s[d.i+2:d.i+6], 16, 16)
				if err != nil || d.s[d.i+2] == '+' || (n >= 0xd800 && n < 0xe000) { // surrogates: encoding/json
					return "", false
				}
				b = utf8.AppendRune(append(b, d.s[start:d.i]...), rune(n))
				d.i += 6
				start = d.i
				continue
			default:
				return "", false
			}
			b = append(append(b, d.s[start:d.i]...), r)
			d.i += 2
			start = d.i
		default:
			d.i++
		}
	}
	return "", false
}

// number reads a JSON number as encoding/json does, into a float64.
func (d *fieldsDecoder) number() (any, bool) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.s) && d.s[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(d.s[start:d.i], 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
