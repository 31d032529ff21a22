package api_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/i18n"
)

// TestMessagesExist fails when the API or the reports name a catalogue key
// that has no English text (it would reach users as the bare key).
func TestMessagesExist(t *testing.T) {
	key := regexp.MustCompile(`"((?:api|error|validation|report|field|person)\.[a-z_.]+[a-z_])"`)
	n := 0
	for _, dir := range []string{".", "../report"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range key.FindAllStringSubmatch(string(src), -1) {
				n++
				if !i18n.Has(m[1]) {
					t.Errorf("%s: message %q is not in the catalogue", f, m[1])
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d message keys: has the code changed shape?", n)
	}
}
