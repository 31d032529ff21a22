package store_test

import (
	"bytes"
	"context"
	"reflect"
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
			// Outside a request, and inside one, where the session is read
			// with the user's memberships: the same answer.
			found := map[bool]bool{}
			for _, ctx := range []context.Context{ctx, store.WithReadMemo(ctx)} {
				got, ok, err := s.FindCtx(ctx, "tok")
				if err != nil {
					t.Fatal(err)
				}
				if ok && !bytes.Equal(got, data) {
					t.Fatalf("found %q, want %q", got, data)
				}
				found[ok] = true
			}
			if len(found) != 1 {
				t.Fatal("the session is found outside a request and not in one, or the other way round")
			}
			return found[true]
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

// In a request (store.WithReadMemo), a member's session is read together
// with their memberships, and the request's RequestView is answered from
// them: it must be exactly what reading it afresh gives, for the user of
// that session only, and afresh again once the request has written.
// Sessions of no user yet, or of a user without organisations, are found
// as before.
func TestSessionReadBringsTheMemberships(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, editor := f.Users[isms.RoleOwner], f.Users[isms.RoleContributor]
		if _, err := db.CreateOrg(ctx, owner.ID, isms.Organisation{Slug: "beta", Name: "Beta & Co", TimeZone: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
		s := db.Sessions(time.Hour)
		session := func(token, userID string) []byte {
			t.Helper()
			data := []byte("data of " + token)
			if err := s.CommitCtx(ctx, token, data, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if userID != "" {
				if err := db.TagSession(ctx, token, userID, "test", "127.0.0.1"); err != nil {
					t.Fatal(err)
				}
			}
			return data
		}
		find := func(ctx context.Context, token string, want []byte) {
			t.Helper()
			got, ok, err := s.FindCtx(ctx, token)
			if err != nil || !ok || !bytes.Equal(got, want) {
				t.Fatalf("session %s: %q %v %v, want %q", token, got, ok, err, want)
			}
		}
		same := func(step string, req context.Context, userID, slug string) store.RequestView {
			t.Helper()
			want, err := db.RequestView(ctx, userID, slug)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.RequestView(req, userID, slug)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: request view\n%+v\nwant\n%+v", step, got, want)
			}
			return got
		}

		req := store.WithReadMemo(ctx)
		find(req, "owner", session("owner", owner.ID))
		for _, slug := range []string{"", "acme", "beta", "gamma"} {
			v := same("owner in "+slug, req, owner.ID, slug)
			if len(v.Memberships) != 2 || v.InOrg != (slug == "acme" || slug == "beta") {
				t.Fatalf("owner in %q: %d memberships, in the organisation %v", slug, len(v.Memberships), v.InOrg)
			}
		}
		// Another user's view is never the session's.
		if v := same("a contributor in the owner's request", req, editor.ID, "acme"); v.User.ID != editor.ID || v.Actor.Role != isms.RoleContributor {
			t.Fatalf("contributor's view in the owner's request: %+v", v.Actor)
		}
		// The request writes: its later views are read afresh.
		acme := f.Org
		acme.Name = "Acme Renamed"
		if _, err := db.UpdateOrg(req, f.Owner(), acme, f.Org.Version); err != nil {
			t.Fatal(err)
		}
		if v := same("after the request renamed its organisation", req, owner.ID, "acme"); v.Org.Name != "Acme Renamed" {
			t.Fatalf("organisation after the rename: %q", v.Org.Name)
		}

		// A session not yet tagged with its user, and one of a user who
		// belongs to no organisation.
		find(store.WithReadMemo(ctx), "untagged", session("untagged", ""))
		if err := db.RemoveMember(ctx, f.Owner(), editor.ID); err != nil {
			t.Fatal(err)
		}
		req = store.WithReadMemo(ctx)
		find(req, "editor", session("editor", editor.ID))
		if v := same("a user without organisations", req, editor.ID, "acme"); v.InOrg || len(v.Memberships) != 0 || v.User.ID != editor.ID {
			t.Fatalf("user without organisations: %+v", v)
		}
	})
}
