package store_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// searchRow is a listed record as the search tests see it: its id and the
// values of its searched fields, ref included.
type searchRow struct {
	id    string
	texts []string
}

type searchPage struct {
	rows       []searchRow
	total      int
	next, prev string
}

// searchRegister describes one register to the search tests.
type searchRegister struct {
	name string
	cols []string // searched columns besides ref
	// value returns a valid value of col holding s at the start, the end
	// or in the middle (pos <0, >0, 0), or "" if col cannot hold it there.
	value func(col, s string, pos int) string
	// create stores a record with vals for some searched columns; n
	// numbers it, for fillers that must be unique.
	create func(t *testing.T, n int, vals map[string]string)
	list   func(q isms.ListQuery) (searchPage, error)
}

func pageOf[T any](p isms.Page[T], err error, row func(T) searchRow) (searchPage, error) {
	out := searchPage{total: p.Total, next: p.NextCursor, prev: p.PrevCursor}
	for _, x := range p.Items {
		out.rows = append(out.rows, row(x))
	}
	return out, err
}

// freeText places s in a column that takes any text.
func freeText(s string, pos int) string {
	switch {
	case pos < 0:
		return s + " filler"
	case pos > 0:
		return "filler " + s
	}
	return "a " + s + " b"
}

func searchRegisters(t *testing.T, db *store.DB, owner isms.Actor) []searchRegister {
	ctx := context.Background()
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	or := func(v, filler string) string {
		if v == "" {
			return filler
		}
		return v
	}
	return []searchRegister{{
		name: "people",
		cols: []string{"name", "email", "job_title", "department"},
		value: func(col, s string, pos int) string {
			if col != "email" {
				return freeText(s, pos)
			}
			if pos > 0 || strings.ContainsAny(s, `%_\ `) {
				return ""
			}
			return s + "x@acme.test"
		},
		create: func(t *testing.T, n int, v map[string]string) {
			email := v["email"]
			if email != "" { // addresses are unique
				email = strings.Replace(email, "@", fmt.Sprintf("%d@", n), 1)
			}
			_, err := db.CreatePerson(ctx, owner, isms.Person{Name: or(v["name"], fmt.Sprintf("Person %d", n)),
				Email: email, JobTitle: v["job_title"], Department: v["department"]})
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.People(ctx, owner, q)
			return pageOf(p, err, func(x isms.Person) searchRow {
				return searchRow{x.ID, []string{x.Name, x.Email, x.JobTitle, x.Department, x.Ref}}
			})
		},
	}, {
		name:  "assets",
		cols:  []string{"name", "description", "location", "custodian_text"},
		value: func(_, s string, pos int) string { return freeText(s, pos) },
		create: func(t *testing.T, n int, v map[string]string) {
			name := v["name"]
			if name == "" {
				name = "Asset"
			}
			// Asset names are unique.
			_, err := db.CreateAsset(ctx, owner, isms.Asset{Name: fmt.Sprintf("%s %d", name, n), Type: isms.AssetApplication,
				Description: v["description"], Location: v["location"], CustodianText: v["custodian_text"]})
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.Assets(ctx, owner, q)
			return pageOf(p, err, func(x isms.Asset) searchRow {
				return searchRow{x.ID, []string{x.Name, x.Description, x.Location, x.CustodianText, x.Ref}}
			})
		},
	}, {
		name:  "risks",
		cols:  []string{"title", "description", "category"},
		value: func(_, s string, pos int) string { return freeText(s, pos) },
		create: func(t *testing.T, n int, v map[string]string) {
			_, err := db.CreateRisk(ctx, owner, isms.Risk{Title: or(v["title"], fmt.Sprintf("Risk %d", n)),
				Description: v["description"], Category: v["category"]})
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.Risks(ctx, owner, q)
			return pageOf(p, err, func(x isms.Risk) searchRow {
				return searchRow{x.ID, []string{x.Title, x.Description, x.Category, x.Ref}}
			})
		},
	}, {
		name: "evidence",
		cols: []string{"title", "description", "file_name", "url"},
		value: func(col, s string, pos int) string {
			switch {
			case col == "title" || col == "description":
				return freeText(s, pos)
			case strings.ContainsAny(s, `%_\ `):
				return ""
			case col == "file_name":
				return map[int]string{-1: s + "x.png", 0: "x" + s + ".png", 1: "x." + s}[pos]
			case pos < 0:
				return ""
			}
			return "https://x.test/" + s
		},
		create: func(t *testing.T, n int, v map[string]string) {
			e := isms.Evidence{Title: or(v["title"], fmt.Sprintf("Evidence %d", n)), Description: v["description"],
				Kind: isms.EvidenceLink, URL: or(v["url"], fmt.Sprintf("https://x.test/%d", n))}
			var up *store.Upload
			if v["file_name"] != "" {
				if v["url"] != "" {
					return // a record has a file or a link, not both
				}
				e.Kind, e.URL = isms.EvidenceFile, ""
				up = &store.Upload{Name: v["file_name"], R: bytes.NewReader(pngHeader), Max: 4096}
			}
			_, err := db.CreateEvidence(ctx, owner, e, nil, up)
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.EvidenceList(ctx, owner, q)
			return pageOf(p, err, func(x isms.Evidence) searchRow {
				return searchRow{x.ID, []string{x.Title, x.Description, x.FileName, x.URL, x.Ref}}
			})
		},
	}, {
		name:  "actions",
		cols:  []string{"title", "description"},
		value: func(_, s string, pos int) string { return freeText(s, pos) },
		create: func(t *testing.T, n int, v map[string]string) {
			_, err := db.CreateAction(ctx, owner, isms.Action{Title: or(v["title"], fmt.Sprintf("Action %d", n)),
				Description: v["description"], ResponsibleID: owner.UserID})
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.Actions(ctx, owner, q)
			return pageOf(p, err, func(x isms.Action) searchRow {
				return searchRow{x.ID, []string{x.Title, x.Description, x.Ref}}
			})
		},
	}, {
		// A register without a search index: its columns are tested one
		// by one.
		name:  "risk assessments",
		cols:  []string{"scope", "notes"},
		value: func(_, s string, pos int) string { return freeText(s, pos) },
		create: func(t *testing.T, n int, v map[string]string) {
			if n == 1 { // a run needs approved risk criteria
				approvedCriteria(t, db, owner, isms.Preset5x5)
			}
			_, err := db.CreateAssessment(ctx, owner, isms.Assessment{Date: "2026-03-01",
				Scope: or(v["scope"], fmt.Sprintf("Scope %d", n)), Notes: v["notes"], ParticipantIDs: []string{owner.UserID}})
			must(t, err)
		},
		list: func(q isms.ListQuery) (searchPage, error) {
			p, err := db.Assessments(ctx, owner, q)
			return pageOf(p, err, func(x isms.Assessment) searchRow {
				return searchRow{x.ID, []string{x.Scope, x.Notes, x.Ref}}
			})
		},
	}}
}

// TestSearchMatchesWhatEachColumnHolds checks every searched register
// against the definition of a search: the records one of whose searched
// fields holds the text, ignoring (ASCII) case, with %, _ and \ meaning
// themselves, never a match that runs from one field into the next; the
// same order and paging as the unsearched list, and the number of matches
// as the total on every page.
func TestSearchMatchesWhatEachColumnHolds(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db, "acme")
		for _, r := range searchRegisters(t, db, f.Owner()) {
			t.Run(r.name, func(t *testing.T) {
				n := 0
				add := func(vals map[string]string) {
					n++
					r.create(t, n, vals)
				}
				// The text in each column, in mixed case.
				for _, c := range r.cols {
					add(map[string]string{c: r.value(c, "NeEdLe", 0)})
				}
				// The text split over two columns: no match.
				for _, a := range r.cols {
					for _, b := range r.cols {
						va, vb := r.value(a, "nee", 1), r.value(b, "dle", -1)
						if a != b && va != "" && vb != "" {
							add(map[string]string{a: va, b: vb})
						}
					}
				}
				// Text next to the reference: "zq" before it, "q7" after it.
				for _, c := range r.cols {
					if v := r.value(c, "zq", 1); v != "" {
						add(map[string]string{c: v})
					}
					if v := r.value(c, "q7", -1); v != "" {
						add(map[string]string{c: v})
					}
				}
				// LIKE's special characters, the column separator and a
				// longer run of plain records to page through.
				first := r.cols[0]
				add(map[string]string{first: r.value(first, `50%_off\now`, 0)})
				add(map[string]string{first: r.value(first, "5x0", 0)})
				add(map[string]string{first: r.value(first, "p\x1fq", 0)})
				add(map[string]string{first: r.value(first, "xa", 1), r.cols[1]: r.value(r.cols[1], "by", -1)})
				for i := 0; i < 12; i++ {
					add(nil)
				}

				all, err := r.list(isms.ListQuery{Limit: isms.MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				n = len(all.rows)
				if all.total != n || n < 20 {
					t.Fatalf("unsearched list: %d records, total %d", n, all.total)
				}
				prefix := strings.ToLower(strings.SplitN(all.rows[0].texts[len(all.rows[0].texts)-1], "-", 2)[0])
				queries := map[string]int{ // search text → matches expected
					"needle": len(r.cols), "NEEDLE": len(r.cols), "needlE": len(r.cols),
					"%": 1, "_": 1, `\`: 1, `0%_o`: 1, `%_off\n`: 1, "0%o": 0, "5_0": 0, "5%0": 0,
					"p\x1fq": 1, "a\x1fb": 0, "zq" + prefix: 0, "filler": -1, "e": -1, prefix + "-": n,
				}
				for d := 0; d < 10; d++ {
					queries[fmt.Sprintf("%dq7", d)] = 0
				}
				for q, want := range queries {
					got := checkSearch(t, r, all.rows, q)
					if want >= 0 && got != want {
						t.Errorf("search %q: %d matches, want %d", q, got, want)
					}
				}
			})
		}
	})
}

// checkSearch pages through the search for q in both directions, with a
// small page and a large one, and compares it with the unsearched list
// filtered by the definition of a search. It returns the number of
// matches.
func checkSearch(t *testing.T, r searchRegister, all []searchRow, q string) int {
	t.Helper()
	var want []string
	for _, row := range all {
		if slices.ContainsFunc(row.texts, func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(q)) }) {
			want = append(want, row.id)
		}
	}
	for _, limit := range []int{3, isms.DefaultLimit} {
		var got []string
		var pages []searchPage
		lq := isms.ListQuery{Q: q, Limit: limit}
		for {
			p, err := r.list(lq)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if p.total != len(want) {
				t.Fatalf("search %q, page %d of %d: total %d, want %d", q, len(pages)+1, limit, p.total, len(want))
			}
			for _, row := range p.rows {
				got = append(got, row.id)
			}
			pages = append(pages, p)
			if p.next == "" || len(pages) > len(all) {
				break
			}
			lq.Cursor = p.next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("search %q by %d: got %d records %v, want %d %v", q, limit, len(got), got, len(want), want)
		}
		if n := len(pages); n > 1 {
			back, err := r.list(isms.ListQuery{Q: q, Limit: limit, Cursor: pages[n-1].prev})
			if err != nil || back.total != len(want) || !slices.EqualFunc(back.rows, pages[n-2].rows, func(a, b searchRow) bool { return a.id == b.id }) {
				t.Fatalf("search %q by %d: the page before the last is %+v (%v), want %+v", q, limit, back, err, pages[n-2])
			}
		}
	}
	return len(want)
}

// TestSearchPageAfterTheMatchesEnd asks for the page after a cursor when
// the records after it no longer match: the page is empty and the total
// still counts the matches before the cursor.
func TestSearchPageAfterTheMatchesEnd(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := storetest.Seed(t, db, "acme").Owner()
		for i := 0; i < 5; i++ {
			if _, err := db.CreatePerson(ctx, owner, isms.Person{Name: fmt.Sprintf("Needle %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		first, err := db.People(ctx, owner, isms.ListQuery{Q: "needle", Limit: 2})
		if err != nil || first.Total != 5 || first.NextCursor == "" {
			t.Fatalf("first page %+v %v", first, err)
		}
		rest, err := db.People(ctx, owner, isms.ListQuery{Q: "needle", Limit: 10, Cursor: first.NextCursor})
		if err != nil || len(rest.Items) != 3 {
			t.Fatalf("rest %+v %v", rest, err)
		}
		for _, p := range rest.Items {
			if _, err := db.ArchivePerson(ctx, owner, p.ID, p.Version, true); err != nil {
				t.Fatal(err)
			}
		}
		after, err := db.People(ctx, owner, isms.ListQuery{Q: "needle", Limit: 2, Cursor: first.NextCursor})
		if err != nil || len(after.Items) != 0 || after.Total != 2 || after.NextCursor != "" {
			t.Fatalf("page after the matches: %d items, total %d, next %q, %v", len(after.Items), after.Total, after.NextCursor, err)
		}
	})
}
