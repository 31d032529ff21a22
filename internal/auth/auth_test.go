package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not use OWASP argon2id parameters", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterz"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=2,p=1$AA$AA", "$bcrypt$x", "$argon2id$v=19$m=19456,t=2,p=1$!!$AA"} {
		if ok, err := CheckPassword(bad, "x"); ok || err == nil {
			t.Fatalf("malformed hash %q: ok=%v err=%v", bad, ok, err)
		}
	}
}

// TestDummyHash: the hash checked for unknown accounts is well-formed with
// the real parameters (so it costs the same work) and matches nothing.
func TestDummyHash(t *testing.T) {
	real, _ := HashPassword("x")
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyHash) != params(real) {
		t.Fatalf("dummy hash %q does not carry the parameters of %q", dummyHash, real)
	}
	for _, pw := range []string{"", "holdfast", "x"} {
		if ok, err := CheckPassword(dummyHash, pw); ok || err != nil {
			t.Fatalf("dummy hash and %q: ok=%v err=%v", pw, ok, err)
		}
	}
}

func TestAPIToken(t *testing.T) {
	s, p, h := NewAPIToken()
	if !strings.HasPrefix(s, "hf_") || !strings.HasPrefix(s, p) || len(s) < 50 {
		t.Fatalf("token %q prefix %q", s, p)
	}
	if HashToken(s) != h || strings.Contains(h, s) {
		t.Fatal("hash does not match secret")
	}
	s2, _, _ := NewAPIToken()
	if s2 == s {
		t.Fatal("tokens repeat")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute)
	l.SetClock(func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allowed("a"); !ok {
			t.Fatalf("refused after %d failures", i)
		}
		l.Fail("a")
	}
	if ok, wait := l.Allowed("a"); ok || wait != time.Minute {
		t.Fatalf("allowed after 3 failures (wait %v)", wait)
	}
	if ok, _ := l.Allowed("b"); !ok {
		t.Fatal("other key refused")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := l.Allowed("a"); !ok {
		t.Fatal("still refused after the window")
	}
	l.Fail("a")
	l.Reset("a")
	if ok, _ := l.Allowed("a"); !ok {
		t.Fatal("reset did not clear")
	}
}
