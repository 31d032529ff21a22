package auth

import (
	"sync"
	"time"
)

// Limiter counts failed sign-ins per key (an account's email, a client IP)
// in a sliding window and refuses further attempts once a key reaches its
// limit. It is in memory: with several instances each limits on its own.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

// NewLimiter allows max failures per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, now: time.Now, fails: map[string][]time.Time{}}
}

// SetClock replaces the limiter's clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= l.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = f
	return f
}

// Allowed reports whether key may try again, and if not, how long until it
// may.
func (l *Limiter) Allowed(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.prune(key, now)
	if len(f) < l.max {
		return true, 0
	}
	return false, l.window - now.Sub(f[0])
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(key, now)
	l.fails[key] = append(l.fails[key], now)
	if len(l.fails) > 100000 { // bound memory under a spray of keys
		for k := range l.fails {
			l.prune(k, now)
		}
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
