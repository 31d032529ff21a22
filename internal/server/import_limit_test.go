package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestImportBodyLimit: the risk import takes spreadsheets up to 10 MiB,
// other forms stay under the general cap.
func TestImportBodyLimit(t *testing.T) {
	read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	})
	h := limitBodies(read, 1<<20, 20<<20)
	for _, c := range []struct {
		path string
		size int
		want int
	}{
		{"/o/acme/risks/import", 3 << 20, http.StatusOK},
		{"/o/acme/risks/import", 11 << 20, http.StatusRequestEntityTooLarge},
		{"/o/acme/risks/new", 3 << 20, http.StatusRequestEntityTooLarge},
		{"/o/acme/risks/import/other", 3 << 20, http.StatusRequestEntityTooLarge},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", c.path, bytes.NewReader(make([]byte, c.size))))
		if w.Code != c.want {
			t.Errorf("POST %s with %d bytes: %d, want %d", c.path, c.size, w.Code, c.want)
		}
	}
}
