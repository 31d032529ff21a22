package api

import (
	"log/slog"

	"github.com/holdfast-isms/holdfast/internal/store"
)

// Deps is what the JSON API needs from the server that mounts it.
type Deps struct {
	DB      *store.DB
	Log     *slog.Logger
	Version string
	// MaxUpload caps evidence file uploads in bytes (DefaultMaxUpload
	// when 0).
	MaxUpload int64
}
