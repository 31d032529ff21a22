package web

import (
	"log/slog"

	"github.com/alexedwards/scs/v2"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// Deps is what the web UI needs from the server that mounts it.
type Deps struct {
	DB       *store.DB
	Log      *slog.Logger
	Sessions *scs.SessionManager
	// LoginByAccount and LoginByIP limit failed sign-ins.
	LoginByAccount *auth.Limiter
	LoginByIP      *auth.Limiter
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// Version is shown in the footer.
	Version string
	// MaxUpload is the largest evidence file accepted, in bytes (default
	// 20 MiB).
	MaxUpload int64
}
