package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/i18n"
)

// The snapshot's pager links the first and last pages and two either side
// of the current one, with a gap for the pages between.
func TestSnapshotPagerLinks(t *testing.T) {
	tr := i18n.Translator{Lang: i18n.English}
	cases := []struct {
		page, pages int
		want        string
	}{
		{1, 1, ""},
		{1, 3, "[1] 2 3"},
		{1, 20, "[1] 2 3 … 20"},
		{5, 20, "1 2 3 4 [5] 6 7 … 20"},
		{6, 20, "1 … 4 5 [6] 7 8 … 20"},
		{10, 20, "1 … 8 9 [10] 11 12 … 20"},
		{16, 20, "1 … 14 15 [16] 17 18 19 20"},
		{20, 20, "1 … 18 19 [20]"},
	}
	for _, c := range cases {
		p := snapshotPagerOf(tr, "/o/acme/assessments/x", c.page, c.pages, 50, c.pages*50)
		var got []string
		for _, l := range p.Pages {
			switch {
			case l.Gap:
				got = append(got, "…")
			case l.Current:
				got = append(got, "["+strconv.Itoa(l.N)+"]")
			default:
				got = append(got, strconv.Itoa(l.N))
			}
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("page %d of %d: %q, want %q", c.page, c.pages, s, c.want)
		}
		if (p.PrevURL != "") != (c.page > 1) || (p.NextURL != "") != (c.page < c.pages) {
			t.Errorf("page %d of %d: previous %q, next %q", c.page, c.pages, p.PrevURL, p.NextURL)
		}
	}
	p := snapshotPagerOf(tr, "/o/acme/assessments/x", 3, 3, 7, 107)
	if p.Shown != "Risks 101 to 107 of 107" || p.PrevURL != "/o/acme/assessments/x?page=2#snapshot-title" {
		t.Fatalf("last page: %+v", p)
	}
}
