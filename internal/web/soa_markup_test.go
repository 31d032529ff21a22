package web

import (
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// A URL written as an escaped prefix and its rest reads as the whole URL
// written at once, whatever the rest holds.
func TestURLAfterWritesTheWholeURL(t *testing.T) {
	for _, prefix := range []string{"/o/acme/evidence/", "/o/a b&c/controls/", "/o/x%4/controls/", "evidence/", "/o/acme/e%", ""} {
		p := newURLPrefix(prefix)
		for _, rest := range []string{"01a24d33-cf72-7de6-8434-6d2861b658f8", "", "javascript:alert(1)", "a/b:c", "a b", "%41x", "1", "ünï&+\"'<>"} {
			var want strings.Builder
			urlInto(&want, prefix+rest)
			var m markup
			m.urlAfter(p, rest)
			if got := m.b.String(); got != want.String() {
				t.Errorf("%q + %q: %q, want %q", prefix, rest, got, want.String())
			}
			var link, whole markup
			link.linkAfter("ref", p, rest, "E-1 <x>")
			whole.link("ref", prefix+rest, "E-1 <x>")
			if link.b.String() != whole.b.String() {
				t.Errorf("%q + %q: link %s, want %s", prefix, rest, link.b.String(), whole.b.String())
			}
		}
	}
}

// A sentence put together from its parts reads as the translator formats
// it, for messages with plain %s verbs and for any other.
func TestSentenceFormatsAsTranslator(t *testing.T) {
	tr := translator(isms.Organisation{})
	for _, c := range []struct {
		key  string
		n    int
		args []string
	}{
		{"soa.warning.evidence_expired_named", 3, []string{"E-001", `100% "sure" & <done>`, "1 May 2025"}},
		{"soa.warning.evidence_expired_named", 3, []string{"", "", ""}},
		{"soa.warning.evidence_expired_named", 2, []string{"E-001", "Policy"}},
		{"web.ev.until", 1, []string{"31 Jan 2099"}},
		{"web.soa.row_warnings.other", 1, []string{"3"}},
		{"soa.warning.undecided", 0, nil},
		{"no.such.key", 1, []string{"x"}},
	} {
		args := make([]any, len(c.args))
		for i, a := range c.args {
			args[i] = a
		}
		want := tr.T(c.key, args...)
		if got := newSentence(tr, c.key, c.n).format(c.args...); got != want {
			t.Errorf("%s %q: %q, want %q", c.key, c.args, got, want)
		}
	}
}
