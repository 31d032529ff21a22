package httpx

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func TestStatus(t *testing.T) {
	want := map[isms.Kind]int{
		isms.KindInvalid: 422, isms.KindNotFound: 404, isms.KindConflict: 409, isms.KindForbidden: 403,
		isms.KindUnauthorized: 401, isms.KindTooLarge: 413, isms.KindRateLimited: 429, isms.KindInternal: 500,
	}
	for k, s := range want {
		if Status(k) != s {
			t.Errorf("%s → %d, want %d", k, Status(k), s)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), true)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for k, v := range map[string]string{
		"Content-Security-Policy":   "frame-ancestors 'none'",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "same-origin",
		"Strict-Transport-Security": "max-age=",
	} {
		if !strings.Contains(rec.Header().Get(k), v) {
			t.Errorf("%s = %q, want it to contain %q", k, rec.Header().Get(k), v)
		}
	}
	if strings.Contains(CSP, "unsafe-inline") || strings.Contains(CSP, "unsafe-eval") {
		t.Fatal("the CSP allows inline or evaluated script")
	}
	rec = httptest.NewRecorder()
	SecurityHeaders(http.NotFoundHandler(), false).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS sent without TLS")
	}
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.2")
	if got := ClientIP(r, false); got != "192.0.2.7" {
		t.Fatalf("without a trusted proxy: %q", got)
	}
	if got := ClientIP(r, true); got != "198.51.100.2" {
		t.Fatalf("behind a trusted proxy: %q", got)
	}
}

func TestObserveRecoversAndLabels(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	m := NewMetrics(nil, nil, nil)
	h := Observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetRoute(r, "GET /boom/{id}")
		panic("kaboom")
	}), log, m)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom/7?token=secret-setup-token", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "kaboom") {
		t.Fatalf("panic answered %d %q: the client must get a plain 500", rec.Code, rec.Body.String())
	}
	if strings.Contains(logs.String(), "secret-setup-token") {
		t.Fatal("a query string was logged")
	}
	if !strings.Contains(logs.String(), `route="GET /boom/{id}"`) {
		t.Fatalf("route label missing from the log: %s", logs.String())
	}
	rec = httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `holdfast_http_requests_total{method="GET",route="GET /boom/{id}",status="500"} 1`) {
		t.Fatalf("request not counted by route:\n%s", rec.Body.String())
	}
}

// TestServerTiming: every response says how long the server took to its
// first byte, whether the handler sets a status or only writes.
func TestServerTiming(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for name, handler := range map[string]http.HandlerFunc{
		"status": func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(3 * time.Millisecond)
			w.WriteHeader(http.StatusCreated)
		},
		"write only": func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(3 * time.Millisecond)
			w.Write([]byte("hello"))
		},
	} {
		rec := httptest.NewRecorder()
		Observe(handler, log, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		v := rec.Header().Get("Server-Timing")
		ms, ok := strings.CutPrefix(v, "app;dur=")
		if !ok {
			t.Fatalf("%s: Server-Timing %q", name, v)
		}
		d, err := strconv.ParseFloat(ms, 64)
		if err != nil || d < 3 {
			t.Errorf("%s: Server-Timing %q: want at least the 3 ms the handler slept", name, v)
		}
	}
}
