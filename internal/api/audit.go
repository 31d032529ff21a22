package api

import (
	"context"
	"strconv"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// HistoryEntry is one change in a record's history.
type HistoryEntry struct {
	ID      string    `json:"id" doc:"The audit log entry's id."`
	Seq     int64     `json:"seq" doc:"The audit log entry's sequence number."`
	At      time.Time `json:"at"`
	Actor   *ActorRef `json:"actor" doc:"Who made the change; null for changes made by the system or the command line."`
	Action  string    `json:"action" example:"update" doc:"create, update, archive, restore …"`
	Changes []Change  `json:"changes" nullable:"false" doc:"The fields whose values changed."`
}

// ActorRef names the user who made a change.
type ActorRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Change is one field's value before and after a change ("" when empty).
type Change struct {
	Field  string `json:"field" example:"job_title"`
	Before string `json:"before" example:"Engineer"`
	After  string `json:"after" example:"Head of Engineering"`
}

func historyOf(entries []isms.HistoryEntry) *ListOutput[HistoryEntry] {
	page := isms.Page[isms.HistoryEntry]{Items: entries, Total: len(entries)}
	return listOf(page, func(e isms.HistoryEntry) HistoryEntry {
		out := HistoryEntry{ID: e.ID, Seq: e.Seq, At: e.At.UTC(), Action: e.Action, Changes: make([]Change, 0, len(e.Changes))}
		if e.ActorID != "" {
			out.Actor = &ActorRef{ID: e.ActorID, Name: e.ActorName}
		}
		for _, c := range e.Changes {
			out.Changes = append(out.Changes, Change{Field: c.Field, Before: c.Before, After: c.After})
		}
		return out
	})
}

// AuditEntry is one entry of the organisation's append-only, hash-chained
// audit log.
type AuditEntry struct {
	Seq        int64          `json:"seq" doc:"Position in the organisation's chain: 1, 2, 3 …"`
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    string         `json:"actor_id" doc:"The user who acted; empty for the system or the command line."`
	ActorName  string         `json:"actor_name"`
	RecordType string         `json:"record_type" example:"person"`
	RecordID   string         `json:"record_id"`
	Action     string         `json:"action" example:"update"`
	Before     map[string]any `json:"before" doc:"Field values before the change; null for a creation."`
	After      map[string]any `json:"after" doc:"Field values after the change; null for a removal."`
	Hash       string         `json:"hash" doc:"SHA-256 over the entry's content and prev_hash."`
	PrevHash   string         `json:"prev_hash" doc:"The previous entry's hash; empty for the first entry."`
}

type auditLogInput struct {
	OrgPath
	Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Entries per page, 1–500."`
	Cursor     string `query:"cursor" doc:"Continue after the previous page: its next_cursor (the seq of its last entry)."`
	RecordType string `query:"record_type" doc:"Only entries about this record type (person, organisation, membership …)."`
	RecordID   string `query:"record_id" doc:"Only entries about this record."`
	Action     string `query:"action" doc:"Only entries with this action (create, update, archive …)."`
	ActorID    string `query:"actor_id" doc:"Only entries made by this user."`
	From       string `query:"from" doc:"Only entries on or after this date (YYYY-MM-DD, UTC)."`
	To         string `query:"to" doc:"Only entries on or before this date (YYYY-MM-DD, UTC)."`
}

func (h *handler) auditLog(ctx context.Context, in *auditLogInput) (*ListOutput[AuditEntry], error) {
	a, _ := actorOf(ctx)
	f := isms.AuditFilter{
		RecordType: in.RecordType, RecordID: in.RecordID, ActorID: in.ActorID, Action: in.Action,
		From: in.From, To: in.To, Limit: in.Limit,
	}
	if in.Cursor != "" {
		seq, err := strconv.ParseInt(in.Cursor, 10, 64)
		if err != nil || seq < 1 {
			return nil, h.fail(ctx, isms.Invalid("cursor", "validation.cursor"), "query")
		}
		f.BeforeSeq = seq
	}
	page, err := h.DB.AuditLog(ctx, a, f)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	total, err := h.DB.AuditLogCount(ctx, a, f)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := &ListOutput[AuditEntry]{Body: List[AuditEntry]{Items: make([]AuditEntry, 0, len(page.Items)), Total: total}}
	if page.NextSeq > 0 {
		out.Body.NextCursor = strconv.FormatInt(page.NextSeq, 10)
	}
	for _, e := range page.Items {
		out.Body.Items = append(out.Body.Items, AuditEntry{
			Seq: e.Seq, ID: e.ID, At: e.At.UTC(), ActorID: e.ActorID, ActorName: e.ActorName,
			RecordType: e.RecordType, RecordID: e.RecordID, Action: e.Action,
			Before: isms.DecodeFields(e.Before), After: isms.DecodeFields(e.After), Hash: e.Hash, PrevHash: e.PrevHash,
		})
	}
	return out, nil
}
