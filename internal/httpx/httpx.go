// Package httpx holds the HTTP machinery shared by the web UI and the JSON
// API: security headers, request logging, panic recovery, metrics, route
// labels, client addresses and the mapping of domain errors to statuses.
package httpx

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Status maps a domain error kind to its HTTP status; this table is the
// only place that does so.
func Status(k isms.Kind) int {
	switch k {
	case isms.KindInvalid:
		return http.StatusUnprocessableEntity
	case isms.KindNotFound:
		return http.StatusNotFound
	case isms.KindConflict:
		return http.StatusConflict
	case isms.KindForbidden:
		return http.StatusForbidden
	case isms.KindUnauthorized:
		return http.StatusUnauthorized
	case isms.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case isms.KindRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// CSP is the Content-Security-Policy of every response: no inline script
// or style, nothing from other origins, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// SecurityHeaders sets the security headers on every response. hsts adds
// Strict-Transport-Security (only when served over TLS).
func SecurityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

type routeKey struct{}

// route is a mutable label carried in the request context so that the
// outer metrics and logging middleware learn which route served a request.
type route struct{ pattern string }

// SetRoute records the route pattern (e.g. "GET /o/{org}/people") that
// serves r. Routers call it once they have matched.
func SetRoute(r *http.Request, pattern string) {
	if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
		rt.pattern = pattern
	}
}

// Route returns the recorded route pattern or "unmatched".
func Route(ctx context.Context) string {
	if rt, ok := ctx.Value(routeKey{}).(*route); ok && rt.pattern != "" {
		return rt.pattern
	}
	return "unmatched"
}

// StatusWriter records the status and size of a response. When Start is
// set, the response carries a Server-Timing header with the time from Start
// to its first byte: pages are rendered into a buffer before anything is
// written, so this is the server's time for the request, which the
// benchmark harness reads apart from the time the client adds.
type StatusWriter struct {
	http.ResponseWriter
	Status int
	Bytes  int
	Start  time.Time
}

// WriteHeader records the status.
func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
		w.timing()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) timing() {
	if !w.Start.IsZero() {
		d := time.Since(w.Start)
		w.Header().Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64))
	}
}

// Write records the size.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
		w.timing()
	}
	n, err := w.ResponseWriter.Write(b)
	w.Bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe wraps next with panic recovery, a route label, request logging
// and the metrics in m (which may be nil). Query strings are never logged:
// they can carry a setup token.
func Observe(next http.Handler, log *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		sw := &StatusWriter{ResponseWriter: w, Start: start}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if sw.Status == 0 {
					http.Error(sw, "Internal server error", http.StatusInternalServerError)
				}
			}
			if sw.Status == 0 {
				sw.Status = http.StatusOK
			}
			d := time.Since(start)
			if m != nil {
				m.observe(r.Method, Route(r.Context()), sw.Status, d)
			}
			lvl := slog.LevelInfo
			if sw.Status >= 500 {
				lvl = slog.LevelError
			}
			log.Log(r.Context(), lvl, "request", "method", r.Method, "path", r.URL.Path, "route", Route(r.Context()),
				"status", sw.Status, "bytes", sw.Bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// ClientIP returns the client's address: the connection's peer, or with
// trustProxy the last address in X-Forwarded-For.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LimitBody caps request bodies at max bytes; larger bodies fail to read
// with *http.MaxBytesError, which handlers report as 413.
func LimitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}
