package cli

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Memory is released once per quiet spell: not while requests arrive, once
// the server has been idle, and not again until after the next request.
func TestIdleReleaser(t *testing.T) {
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	releases := 0
	r := &idleReleaser{now: func() time.Time { return clock }, release: func() { releases++ }}
	r.last.Store(clock.UnixNano())
	h := r.wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	serve := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) }

	clock = clock.Add(idleAfter / 2)
	serve()
	clock = clock.Add(idleAfter / 2)
	if r.check() || releases != 0 {
		t.Fatalf("released %d times while requests kept arriving", releases)
	}
	clock = clock.Add(idleAfter)
	if !r.check() || releases != 1 {
		t.Fatalf("after %v idle: %d releases, want 1", idleAfter, releases)
	}
	clock = clock.Add(idleAfter * 3)
	if r.check() || releases != 1 {
		t.Fatalf("released again in the same quiet spell: %d", releases)
	}
	serve()
	clock = clock.Add(idleAfter + time.Second)
	if !r.check() || releases != 2 {
		t.Fatalf("after a request and another quiet spell: %d releases, want 2", releases)
	}
}
