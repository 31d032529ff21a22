package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestSessionIdleTimeout: a session ends after its idle time without use;
// reading it marks it seen, at most once a minute, which keeps it alive.
func TestSessionIdleTimeout(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		now := start
		db.Now = func() time.Time { return now }
		s := db.Sessions(time.Hour)
		data := []byte("session data")
		if err := s.CommitCtx(ctx, "tok", data, start.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		user := storetest.Seed(t, db, "acme").Users[isms.RoleOwner]
		if err := db.TagSession(ctx, "tok", user.ID, "test", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		find := func(at time.Duration) bool {
			t.Helper()
			now = start.Add(at)
			got, ok, err := s.FindCtx(ctx, "tok")
			if err != nil {
				t.Fatal(err)
			}
			if ok && !bytes.Equal(got, data) {
				t.Fatalf("found %q, want %q", got, data)
			}
			return ok
		}
		lastSeen := func() time.Time {
			t.Helper()
			list, err := db.UserSessions(ctx, user.ID, "tok")
			if err != nil || len(list) != 1 {
				t.Fatalf("sessions of the user: %v %v", list, err)
			}
			return list[0].LastSeenAt
		}
		if !find(30 * time.Second) {
			t.Fatal("a fresh session is not found")
		}
		if got := lastSeen(); !got.Equal(start) {
			t.Errorf("read within a minute moved last seen to %s; want it left at %s", got, start)
		}
		if !find(50 * time.Minute) {
			t.Fatal("a session used 50 minutes ago is not found with a one-hour idle time")
		}
		if got := lastSeen(); !got.Equal(start.Add(50 * time.Minute)) {
			t.Errorf("last seen %s after a read at +50m", got)
		}
		// 100 minutes after start but only 50 after the last read: alive.
		if !find(100 * time.Minute) {
			t.Fatal("a session read 50 minutes ago has ended")
		}
		// Unused for more than an hour: gone.
		if find(100*time.Minute + 61*time.Minute) {
			t.Fatal("a session idle for 61 minutes is still found")
		}
		// Past its lifetime, idle or not.
		now = start.Add(23 * time.Hour)
		if err := s.CommitCtx(ctx, "tok", data, start.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if find(24*time.Hour + time.Second) {
			t.Fatal("a session past its expiry is found")
		}
		// Without an idle time only the expiry counts.
		if err := db.Sessions(0).CommitCtx(ctx, "tok2", data, start.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		now = start.Add(47 * time.Hour)
		if _, ok, err := db.Sessions(0).FindCtx(ctx, "tok2"); err != nil || !ok {
			t.Fatalf("session without idle time not found after 23 idle hours: %v %v", ok, err)
		}
	})
}
