package isms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Audit actions.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionArchive = "archive"
	ActionRestore = "restore"
	ActionDelete  = "delete"
	ActionSignIn  = "sign_in"
)

// AuditEntry is one append-only record of a change. Entries of one
// organisation form a hash chain: each entry's Hash covers its content and
// the previous entry's Hash, so any edit or removal breaks the chain.
type AuditEntry struct {
	Seq        int64 // 1, 2, 3 … within the organisation's chain
	ID         string
	OrgID      string // empty for installation-level events
	At         time.Time
	ActorID    string // user id; empty for the system
	RecordType string
	RecordID   string
	Action     string
	Before     string // JSON object of field values, or empty
	After      string // JSON object of field values, or empty
	PrevHash   string
	Hash       string

	// Filled in by reads.
	ActorName string
}

// ComputeHash returns the hash the entry should carry, from its content and
// PrevHash.
func (e AuditEntry) ComputeHash() string {
	h := sha256.New()
	parts := []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, e.OrgID, FormatTime(e.At), e.ActorID,
		e.RecordType, e.RecordID, e.Action, e.Before, e.After,
	}
	h.Write([]byte(strings.Join(parts, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}

// EncodeFields renders field values as the JSON stored in Before/After.
// A nil map encodes as empty.
func EncodeFields(m map[string]any) string {
	if m == nil {
		return ""
	}
	b, err := json.Marshal(m) // map keys are sorted, so this is canonical
	if err != nil {
		return ""
	}
	return string(b)
}

// DecodeFields parses Before/After JSON; empty or malformed yields nil.
func DecodeFields(s string) map[string]any {
	if s == "" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// AuditFilter narrows an audit log listing.
type AuditFilter struct {
	RecordType string
	RecordID   string
	ActorID    string
	Action     string
	From, To   string // YYYY-MM-DD, inclusive
	BeforeSeq  int64  // page backwards from this sequence number
	Limit      int
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Items   []AuditEntry
	NextSeq int64 // pass as BeforeSeq for the next page; 0 when done
}

// HistoryEntry is one change in a record's history, with its field diff.
type HistoryEntry struct {
	AuditEntry
	Changes []FieldChange
}

// ChainBreak describes the first entry whose hash does not match.
type ChainBreak struct {
	OrgID  string
	Seq    int64
	ID     string
	Reason string
}
