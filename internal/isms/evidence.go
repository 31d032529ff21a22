package isms

import (
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
)

// EvidenceKind says what a piece of evidence is.
type EvidenceKind string

// The evidence kinds.
const (
	EvidenceFile EvidenceKind = "file" // an uploaded file kept under the data directory
	EvidenceLink EvidenceKind = "link" // a link to where the evidence lives
	EvidenceNote EvidenceKind = "note" // a written note (the description)
)

// EvidenceKinds lists the kinds in display order.
var EvidenceKinds = []EvidenceKind{EvidenceFile, EvidenceLink, EvidenceNote}

// ExpiringSoonDays is how far ahead "soon-expiring" evidence is listed.
const ExpiringSoonDays = 30

// Evidence is one piece of evidence that controls are in place: a file,
// a link or a note, with who owns it and how long it stays valid. It is
// linked to the controls it supports (record links evidence → control).
type Evidence struct {
	Meta        // Ref is "E-001"
	Title       string
	Description string // Markdown; the whole content of a note
	Kind        EvidenceKind
	OwnerID     string // user id
	CollectedOn string // YYYY-MM-DD
	ValidUntil  string // YYYY-MM-DD; empty when it does not expire
	URL         string // links only

	// Set by the store when a file is uploaded.
	FileName    string
	FileSize    int64
	ContentType string
	SHA256      string

	// Filled in by reads.
	OwnerName string
}

// EvidenceFields lists the evidence fields in display order.
var EvidenceFields = []FieldSpec{
	{"title", "evidence.title"}, {"description", "evidence.description"}, {"kind", "evidence.kind"},
	{"owner_id", "evidence.owner"}, {"collected_on", "evidence.collected_on"}, {"valid_until", "evidence.valid_until"},
	{"url", "evidence.url"}, {"file_name", "evidence.file_name"}, {"file_size", "evidence.file_size"},
	{"content_type", "evidence.content_type"}, {"sha256", "evidence.sha256"},
}

// Fields returns the stored field values for the audit log and history.
func (e Evidence) Fields() map[string]any {
	m := map[string]any{
		"title": e.Title, "description": e.Description, "kind": string(e.Kind), "owner_id": e.OwnerID,
		"collected_on": e.CollectedOn, "valid_until": e.ValidUntil, "url": e.URL,
		"file_name": e.FileName, "content_type": e.ContentType, "sha256": e.SHA256, "file_size": "",
	}
	if e.FileSize > 0 || e.FileName != "" {
		m["file_size"] = e.FileSize
	}
	return m
}

// Normalize trims inputs and clears what does not belong to the kind.
func (e *Evidence) Normalize() {
	e.Title, e.Description, e.OwnerID = Clean(e.Title), Clean(e.Description), Clean(e.OwnerID)
	e.CollectedOn, e.ValidUntil, e.URL = Clean(e.CollectedOn), Clean(e.ValidUntil), Clean(e.URL)
	if e.Kind != EvidenceLink {
		e.URL = ""
	}
	if e.Kind != EvidenceFile {
		e.FileName, e.FileSize, e.ContentType, e.SHA256 = "", 0, "", ""
	}
}

// Validate checks the evidence on its own. A file's presence is checked
// by the store, which receives the upload.
func (e Evidence) Validate() error {
	var p Problems
	checkText(&p, "title", e.Title, true, 300)
	checkText(&p, "description", e.Description, e.Kind == EvidenceNote, 20000)
	switch e.Kind {
	case EvidenceFile, EvidenceNote:
	case EvidenceLink:
		if e.URL == "" {
			p.Add("url", "validation.required")
		} else if !ValidURL(e.URL) {
			p.Add("url", "validation.url")
		}
	default:
		p.Add("kind", "validation.choice")
	}
	checkDate(&p, "collected_on", e.CollectedOn)
	checkDate(&p, "valid_until", e.ValidUntil)
	if e.CollectedOn != "" && e.ValidUntil != "" && !p.Has("collected_on") && !p.Has("valid_until") && e.ValidUntil < e.CollectedOn {
		p.Add("valid_until", "validation.valid_before_collected")
	}
	return p.Err()
}

// ValidURL reports whether s is an absolute http or https URL.
func ValidURL(s string) bool {
	if len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Expired reports whether the evidence is past its valid-until date.
func (e Evidence) Expired(today string) bool { return e.ValidUntil != "" && e.ValidUntil < today }

// ExpiresSoon reports whether the evidence is still valid but expires
// within ExpiringSoonDays of today.
func (e Evidence) ExpiresSoon(today string) bool {
	if e.ValidUntil == "" || e.Expired(today) {
		return false
	}
	return e.ValidUntil <= AddDays(today, ExpiringSoonDays)
}

// AsRef returns the evidence as a reference for SoA lines.
func (e Evidence) AsRef() EvidenceRef {
	return EvidenceRef{ID: e.ID, Ref: e.Ref, Title: e.Title, ValidUntil: e.ValidUntil}
}

// AddDays returns the YYYY-MM-DD date n days after day ("" if day is not
// a date).
func AddDays(day string, n int) string {
	t, err := time.Parse(DateLayout, day)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(DateLayout)
}

// SanitizeFileName makes an uploaded file's name safe to store and to
// send back in a Content-Disposition header: the base name only, no
// control characters, quotes, slashes or leading dots, at most 120
// characters; "file" when nothing is left.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), strings.ContainsRune(`"/\:*?<>|;`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if r := []rune(s); len(r) > 120 {
		ext := path.Ext(s)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		s = string(r[:120-len([]rune(ext))]) + ext
	}
	if s == "" || s == "." {
		s = "file"
	}
	return s
}
