// Package i18n is Holdfast's message catalogue. Every user-facing text —
// templates, validation messages, API problem details, CLI errors — is
// looked up here by key, so adding a language touches no template.
package i18n

import (
	"fmt"
	"sort"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Lang is a language tag; only English ships today.
type Lang string

// English is the default language.
const English Lang = "en"

var catalogs = map[Lang]map[string]string{English: {}}

// register adds messages to a language; each messages_*.go file calls it
// from init. A key defined twice is a programming error.
func register(l Lang, msgs map[string]string) {
	c := catalogs[l]
	if c == nil {
		c = map[string]string{}
		catalogs[l] = c
	}
	for k, v := range msgs {
		if _, dup := c[k]; dup {
			panic("i18n: duplicate message key " + k)
		}
		c[k] = v
	}
}

// Has reports whether key exists in English.
func Has(key string) bool { _, ok := catalogs[English][key]; return ok }

// Keys lists every English key, sorted (for tests).
func Keys() []string {
	var out []string
	for k := range catalogs[English] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Translator renders messages in one language, formatting times in one
// zone and date format (the organisation's).
type Translator struct {
	Lang Lang
	// FormatTime renders time arguments; nil uses "02 Jan 2006 15:04 UTC".
	FormatTime func(time.Time) string
}

// T looks up key and formats args into it with fmt verbs. An unknown key
// renders as the key itself, which tests catch.
func (tr Translator) T(key string, args ...any) string {
	msg, ok := catalogs[tr.Lang][key]
	if !ok {
		msg, ok = catalogs[English][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			if tr.FormatTime != nil {
				args[i] = tr.FormatTime(v)
			} else {
				args[i] = v.UTC().Format("02 Jan 2006 15:04 UTC")
			}
		case isms.Role:
			args[i] = tr.T("role." + string(v))
		}
	}
	return fmt.Sprintf(msg, args...)
}

// Msg renders a domain message.
func (tr Translator) Msg(m isms.Msg) string {
	return tr.T(m.Key, append([]any(nil), m.Args...)...)
}

// Error renders an error for a user: the message of a domain error, or the
// generic internal-error text for anything else.
func (tr Translator) Error(err error) string {
	return tr.Msg(isms.AsError(err).Msg)
}

// Plural picks key+".one" or key+".other" by n and formats n into it.
func (tr Translator) Plural(key string, n int) string {
	if n == 1 {
		return tr.T(key+".one", n)
	}
	return tr.T(key+".other", n)
}

// Default is the English translator with UTC times.
var Default = Translator{Lang: English}

// T translates with the default translator.
func T(key string, args ...any) string { return Default.T(key, args...) }
