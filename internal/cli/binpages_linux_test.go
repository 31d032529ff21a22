package cli

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// releaseProbe is a variable with an initial value in the binary's
// writable data, which releasing must leave as the program changed it.
var releaseProbe = 1

// rssFileKB is how much of files mapped into this process is resident.
func rssFileKB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("RssFile %q: %v", v, err)
			}
			return kb
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// The binary's code and constant data stop counting towards the process's
// resident memory, and the program carries on: its code runs, its tables
// read as before, and its variables keep the values it gave them.
func TestReleaseBinaryPages(t *testing.T) {
	releaseProbe = 42
	table := strings.Repeat(strconv.Quote("café\t"), 2) // constant data and code of two packages
	before := rssFileKB(t)
	n, err := releaseBinaryPages()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFileKB(t)
	if n < 1<<20 {
		t.Errorf("released %d bytes of the binary's mappings; its code alone is larger", n)
	}
	if after >= before || before-after < 1024 {
		t.Errorf("resident file pages %d kB before, %d kB after the release", before, after)
	}
	if releaseProbe != 42 {
		t.Errorf("a variable reads %d after the release, want the 42 the program set", releaseProbe)
	}
	if again := strings.Repeat(strconv.Quote("café\t"), 2); again != table || table != `"café\t""café\t"` {
		t.Errorf("after the release the same code gives %q, before %q", again, table)
	}
}
