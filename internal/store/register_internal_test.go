package store

import (
	"encoding/json"
	"testing"
)

// jsonStrings writes what encoding/json writes, quickly for plain ids.
func TestJSONStrings(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"01a24d33-e1ca-7924-a78f-1a50c69e941d"}, {"a", "B_9-z"},
		{"plain", `quote " and \ back`, "<tag> & ünïcode", "\x00\n"}} {
		want, err := json.Marshal(ss)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) == 0 {
			want = []byte("[]")
		}
		if got := jsonStrings(ss); got != string(want) {
			t.Errorf("jsonStrings(%q) = %s, want %s", ss, got, want)
		}
	}
}
