// Package server assembles Holdfast's HTTP handler: the web UI, the JSON
// API, health and metrics endpoints, and the middleware every request
// passes through.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/holdfast-isms/holdfast/internal/api"
	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/web"
)

// Config holds the server's settings.
type Config struct {
	// SecureCookies marks cookies Secure and sends HSTS (serving behind TLS).
	SecureCookies bool
	// TrustProxy takes client addresses from X-Forwarded-For.
	TrustProxy bool
	// MaxBody caps request bodies in bytes (default 1 MiB).
	MaxBody int64
	// MaxUpload caps evidence uploads in bytes (default 20 MiB); the
	// upload routes take bodies up to it instead of MaxBody.
	MaxUpload int64
	Version   string
	Log       *slog.Logger
}

// New returns the complete HTTP handler for db.
func New(cfg Config, db *store.DB) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = web.DefaultMaxUpload
	}
	metrics := httpx.NewMetrics(db.PoolStats, db.Statements, db.RoundTrips)

	sm := scs.New()
	// A session lasts a day at most and ends after 8 idle hours. The store
	// keeps the idle deadline, so scs does not rewrite the session on every
	// request to move it.
	sm.Store = db.Sessions(8 * time.Hour)
	sm.Codec = sessionCodec{}
	sm.Lifetime = 24 * time.Hour
	sm.Cookie.Name = "holdfast_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		cfg.Log.Error("session store", "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET /healthz")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET /readyz")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			cfg.Log.Warn("readiness: database unreachable", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if err := db.CheckSchema(ctx); err != nil {
			http.Error(w, "schema not current: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET /metrics")
		metrics.Handler().ServeHTTP(w, r)
	}))
	mux.Handle("/api/", httpx.ReadScope(api.New(api.Deps{DB: db, Log: cfg.Log, Version: cfg.Version, MaxUpload: cfg.MaxUpload})))
	mux.Handle("/", web.New(web.Deps{
		DB: db, Log: cfg.Log, Sessions: sm,
		LoginByAccount: auth.NewLimiter(5, 15*time.Minute),
		LoginByIP:      auth.NewLimiter(30, 15*time.Minute),
		TrustProxy:     cfg.TrustProxy, Version: cfg.Version, MaxUpload: cfg.MaxUpload,
	}))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "csrf")
		http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
	}))
	var h http.Handler = mux
	h = limitBodies(h, cfg.MaxBody, cfg.MaxUpload)
	h = cop.Handler(h)
	h = httpx.SecurityHeaders(h, cfg.SecureCookies)
	return httpx.Observe(h, cfg.Log, metrics)
}

// limitBodies caps request bodies at max, except on the evidence upload
// routes, which take up to maxUpload (plus room for the form's other
// fields); their handlers enforce the file limit exactly.
func limitBodies(next http.Handler, max, maxUpload int64) http.Handler {
	small := httpx.LimitBody(next, max)
	large := httpx.LimitBody(next, maxUpload+1<<20)
	imports := httpx.LimitBody(next, maxImportBody)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && uploadPath.MatchString(r.URL.Path) {
			large.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && importPath.MatchString(r.URL.Path) {
			imports.ServeHTTP(w, r)
			return
		}
		small.ServeHTTP(w, r)
	})
}

// importPath matches the register imports that take spreadsheets larger
// than the general cap, up to maxImportBody.
var importPath = regexp.MustCompile(`^/o/[^/]+/risks/import$`)

const maxImportBody = 10 << 20

// uploadPath matches the routes that receive files.
var uploadPath = regexp.MustCompile(`^(/o/[^/]+/evidence/(new|[^/]+/edit)|/o/[^/]+/controls/licensed-text|/api/v1/orgs/[^/]+/evidence/[^/]+/file)$`)
