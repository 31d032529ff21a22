package server

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Sessions round-trip through the JSON codec, sessions written by the
// older gob codec are still read, and a value that is not a string is
// refused rather than changed.
func TestSessionCodec(t *testing.T) {
	deadline := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	values := map[string]any{"user_id": "u-1", "org": "acme", "flash": `Saved "R-001" & more`}
	b, err := sessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err := sessionCodec{}.Decode(b)
	if err != nil || !gotDeadline.Equal(deadline) || len(got) != 3 || got["flash"] != values["flash"] || got["user_id"] != "u-1" {
		t.Fatalf("round trip: %v %v %v", gotDeadline, got, err)
	}
	old, err := scs.GobCodec{}.Encode(deadline, map[string]any{"user_id": "u-2"})
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err = sessionCodec{}.Decode(old)
	if err != nil || !gotDeadline.Equal(deadline) || got["user_id"] != "u-2" {
		t.Fatalf("gob session: %v %v %v", gotDeadline, got, err)
	}
	if _, err := (sessionCodec{}).Encode(deadline, map[string]any{"n": 3}); err == nil {
		t.Fatal("a number was stored as if it were a string")
	}
	if _, _, err := (sessionCodec{}).Decode([]byte(`{"d":`)); err == nil {
		t.Fatal("a truncated session decoded")
	}
}
