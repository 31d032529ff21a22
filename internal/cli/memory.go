package cli

import (
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Memory policy of `holdfast serve`.
//
// A page allocates a few hundred kilobytes and keeps little of it, so with
// Go's default (collect when the heap has doubled) a busy server spent a
// tenth of its time collecting a heap of a few megabytes. It collects at
// four times the live heap instead, within a soft limit that keeps the
// heap of a large export in bounds; GOGC and GOMEMLIMIT still override
// both. What a burst of requests leaves behind is handed back to the
// system once the server has been idle for a while, so an idle server is
// small again. The pages of the binary that only start-up touched are
// dropped once, when start-up is done (releaseBinaryPages); dropping them
// after every quiet spell would make the next request map back what
// serving uses, for no memory the system gains (the page cache keeps them).
const (
	serverGCPercent   = 300
	serverMemoryLimit = 128 << 20
	idleAfter         = 10 * time.Second
)

// tuneMemory applies the server's collector settings unless the
// environment sets them.
func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}

// releaseStartup hands back to the system what start-up leaves behind:
// freed heap, and the mappings of the binary's code and constant data,
// which serving maps back page by page as it uses them.
func releaseStartup(log *slog.Logger) {
	debug.FreeOSMemory()
	if _, err := releaseBinaryPages(); err != nil {
		log.Debug("release the binary's pages", "err", err)
	}
}

// idleReleaser notes when requests arrive and, once none has for
// idleAfter, releases memory (once per quiet spell).
type idleReleaser struct {
	last     atomic.Int64 // unix nanoseconds of the latest request
	released atomic.Bool
	now      func() time.Time
	release  func()
}

func newIdleReleaser() *idleReleaser {
	r := &idleReleaser{now: time.Now, release: debug.FreeOSMemory}
	r.last.Store(r.now().UnixNano())
	return r
}

// wrap returns h noting each request.
func (r *idleReleaser) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.seen()
		h.ServeHTTP(w, req)
	})
}

func (r *idleReleaser) seen() {
	r.last.Store(r.now().UnixNano())
	if r.released.Load() {
		r.released.Store(false)
	}
}

// check releases memory if the server has been idle long enough and has
// not released since its last request.
func (r *idleReleaser) check() bool {
	if r.released.Load() || r.now().UnixNano()-r.last.Load() < int64(idleAfter) {
		return false
	}
	r.released.Store(true)
	r.release()
	return true
}
