package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A request's read scope holds a read connection (on SQLite) from its
// first read until its answer begins, and no longer: a slow client must
// not hold one while it downloads. A read made while answering runs on
// its own, and a request that never answers gives the connection back
// when it is done.
func TestReadScopeEndsWhenTheAnswerBegins(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	owner := storetest.Seed(t, db, "acme").Owner()
	inUse := func() int {
		_, r := db.PoolStats()
		return r.InUse
	}
	read := func(ctx context.Context) {
		t.Helper()
		if _, err := db.Actions(ctx, owner, isms.ListQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	var during, answering, afterRead []int
	h := httpx.ReadScope(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read(r.Context())
		during = append(during, inUse())
		if r.URL.Path == "/silent" {
			return
		}
		w.WriteHeader(http.StatusOK)
		answering = append(answering, inUse())
		read(r.Context())
		afterRead = append(afterRead, inUse())
		w.Write([]byte("done"))
	}))
	serve := func(path string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	// A statement seen for the first time is prepared in the background,
	// on a connection of its own: once, before the requests measured.
	serve("/answer")
	db.SettleStatements()
	during, answering, afterRead = nil, nil, nil
	for _, path := range []string{"/answer", "/silent"} {
		serve(path)
		if n := inUse(); n != 0 {
			t.Errorf("%s: %d read connections in use after the request", path, n)
		}
	}
	if len(during) != 2 || during[0] != 1 || during[1] != 1 {
		t.Errorf("connections in use between the reads of a request: %v, want 1 each", during)
	}
	if len(answering) != 1 || answering[0] != 0 || afterRead[0] != 0 {
		t.Errorf("connections in use once the answer began: %v, after a read then: %v; want none", answering, afterRead)
	}
}
