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

// AuditHashSeparator separates the fields of the text an entry's hash
// covers. No field Holdfast writes contains it (ids are UUIDs, Before and
// After are JSON, which escapes control characters), so an entry whose
// fields were changed cannot join into the text it was hashed from.
const AuditHashSeparator = "\x1f"

// ComputeHash returns the hash the entry should carry, from its content and
// PrevHash: the SHA-256 of HashedText in hex.
func (e AuditEntry) ComputeHash() string {
	sum := AuditSumOf([]byte(e.HashedText()))
	return string(sum[:])
}

// HashedText is the text the entry's hash covers: PrevHash, Seq, ID, OrgID,
// At (in TimeLayout), ActorID, RecordType, RecordID, Action, Before and
// After, joined by AuditHashSeparator. The store's verification has the
// database build the same text from the stored columns, in this order, so
// that a whole chain is checked without decoding every entry.
func (e AuditEntry) HashedText() string {
	return strings.Join([]string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, e.OrgID, FormatTime(e.At), e.ActorID,
		e.RecordType, e.RecordID, e.Action, e.Before, e.After,
	}, AuditHashSeparator)
}

// AuditSum is an entry's hash as stored: SHA-256, in lower-case hex.
type AuditSum [2 * sha256.Size]byte

// Is reports whether hash is this hash.
func (s AuditSum) Is(hash string) bool { return string(s[:]) == hash }

// AuditSumOf returns the hash an entry whose HashedText is text must carry.
func AuditSumOf(text []byte) AuditSum {
	var out AuditSum
	sum := sha256.Sum256(text)
	hex.Encode(out[:], sum[:])
	return out
}

var auditHashSeparator = []byte(AuditHashSeparator)

// AuditSumOfFields is AuditSumOf the fields joined by AuditHashSeparator,
// hashed as they are, without joining them first. A nil field is left out,
// separator and all, as SQL's concat_ws leaves out a NULL, so a stored
// entry whose column was emptied to NULL is hashed as the database would
// join it, and fails its check the same way.
func AuditSumOfFields(fields [][]byte) AuditSum {
	h := sha256.New()
	sep := false
	for _, f := range fields {
		if f == nil {
			continue
		}
		if sep {
			h.Write(auditHashSeparator)
		}
		h.Write(f)
		sep = true
	}
	var sum [sha256.Size]byte
	var out AuditSum
	hex.Encode(out[:], h.Sum(sum[:0]))
	return out
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
