package httpx

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/store"
)

// ReadScope gives each request a read scope (store.WithReadScope): its
// reads share what they have in common, on SQLite one read transaction.
// The scope ends when the answer begins, so that a slow client holds no
// read connection while it downloads, and at the latest when the request
// has been served.
func ReadScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, end := store.WithReadScope(r.Context())
		defer end()
		next.ServeHTTP(&scopeWriter{ResponseWriter: w, end: end}, r.WithContext(ctx))
	})
}

// scopeWriter ends a read scope when the answer begins.
type scopeWriter struct {
	http.ResponseWriter
	end   func()
	ended bool
}

func (w *scopeWriter) begin() {
	if !w.ended {
		w.ended = true
		w.end()
	}
}

func (w *scopeWriter) WriteHeader(code int) {
	w.begin()
	w.ResponseWriter.WriteHeader(code)
}

func (w *scopeWriter) Write(b []byte) (int, error) {
	w.begin()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *scopeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
