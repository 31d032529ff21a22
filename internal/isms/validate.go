package isms

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Clean trims surrounding white space; every text input passes through it.
func Clean(s string) string { return strings.TrimSpace(s) }

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkText adds a problem when a required value is empty or any value is
// longer than max characters.
func checkText(p *Problems, field, v string, required bool, max int) {
	if required && v == "" {
		p.Add(field, "validation.required")
		return
	}
	if utf8.RuneCountInString(v) > max {
		p.Add(field, "validation.too_long", max)
	}
}

// ValidEmail reports whether s is a plain address such as a@b.example.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

func checkEmail(p *Problems, field, v string, required bool) {
	if v == "" {
		if required {
			p.Add(field, "validation.required")
		}
		return
	}
	if !ValidEmail(v) {
		p.Add(field, "validation.email")
	}
}

// ValidDate reports whether s is a YYYY-MM-DD calendar date.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

func checkDate(p *Problems, field, v string) {
	if v != "" && !ValidDate(v) {
		p.Add(field, "validation.date")
	}
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$`)

// ValidSlug reports whether s can name an organisation in URLs: 2–40
// lower-case letters, digits and inner hyphens.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Slugify proposes a slug from an organisation name.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	switch {
	case s == "":
		s = "org"
	case len(s) < 2:
		s = "org-" + s
	}
	return s
}
