package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/httpx"
)

//go:embed static
var staticFiles embed.FS

// assets serves the embedded stylesheets, scripts and images under
// /static/. Pages link them with ?v=<hash of all assets>, so browsers may
// cache them for a year and still pick up a new release at once.
type assets struct {
	files   fs.FS
	version string
	handler http.Handler
}

func newAssets() *assets {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	h := sha256.New()
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return &assets{
		files:   sub,
		version: hex.EncodeToString(h.Sum(nil))[:12],
		handler: http.StripPrefix("/static/", http.FileServerFS(sub)),
	}
}

// url returns the versioned URL of a static file, e.g. "css/app.css".
func (s *assets) url(p string) string { return "/static/" + p + "?v=" + s.version }

// ServeHTTP serves one static file; directories are not listed.
func (s *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	httpx.SetRoute(r, "GET /static/")
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name == "" || strings.HasSuffix(name, "/") {
		http.NotFound(w, r)
		return
	}
	if st, err := fs.Stat(s.files, name); err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == s.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	s.handler.ServeHTTP(w, r)
}
