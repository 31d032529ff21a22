package store_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A search or filter with more matches than SQLite lists one by one (two
// pages) has their ids kept in the list's order, and each page reads its
// own. Paging forwards and backwards, in either direction and in an order
// with ties, shows every match once, in order, with the total; a change
// shows at once, a cursor from before it goes on where it was, and with
// more matches than are kept in order the pages are the same.
func TestListPagesOfManyMatches(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := storetest.Seed(t, db, "acme").Owner()
		var people []isms.Person
		for i := 0; i < 40; i++ {
			name, dept := fmt.Sprintf("Alpha %02d", i), []string{"Sales", "Ops", "Legal"}[i%3]
			if i >= 30 {
				name = fmt.Sprintf("Beta %02d", i)
			}
			p, err := db.CreatePerson(ctx, owner, isms.Person{Name: name, Department: dept})
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, p)
		}
		// Another organisation's records never show.
		other := storetest.Seed(t, db, "globex").Owner()
		for i := 0; i < 5; i++ {
			if _, err := db.CreatePerson(ctx, other, isms.Person{Name: fmt.Sprintf("Alpha other %d", i), Department: "Sales"}); err != nil {
				t.Fatal(err)
			}
		}
		// expect lists the active people keep selects, in the order of
		// sort (name or department, then id), descending if desc.
		expect := func(keep func(isms.Person) bool, sort string, desc bool) []string {
			var sel []isms.Person
			for _, p := range people {
				if keep(p) {
					sel = append(sel, p)
				}
			}
			key := func(p isms.Person) string { return strings.ToLower(p.Name) }
			if sort == "department" {
				key = func(p isms.Person) string { return strings.ToLower(p.Department) }
			}
			slices.SortFunc(sel, func(a, b isms.Person) int {
				c := cmp.Or(strings.Compare(key(a), key(b)), strings.Compare(a.ID, b.ID))
				if desc {
					return -c
				}
				return c
			})
			var ids []string
			for _, p := range sel {
				ids = append(ids, p.ID)
			}
			return ids
		}
		// walk pages q forwards to the end and back to the start.
		walk := func(q isms.ListQuery, want []string) {
			t.Helper()
			var got []string
			var pages [][]string
			prev := ""
			for n := 0; ; n++ {
				page, err := db.People(ctx, owner, q)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(want) {
					t.Fatalf("%+v: total %d, want %d", q, page.Total, len(want))
				}
				var ids []string
				for _, p := range page.Items {
					ids = append(ids, p.ID)
				}
				got, pages = append(got, ids...), append(pages, ids)
				if (n == 0) != (page.PrevCursor == "") {
					t.Fatalf("%+v page %d: previous %q", q, n, page.PrevCursor)
				}
				prev = page.PrevCursor
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%+v: pages hold\n%q\nwant\n%q", q, got, want)
			}
			for n := len(pages) - 2; n >= 0; n-- {
				q.Cursor = prev
				page, err := db.People(ctx, owner, q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, p := range page.Items {
					ids = append(ids, p.ID)
				}
				if !reflect.DeepEqual(ids, pages[n]) || page.NextCursor == "" {
					t.Fatalf("%+v: back to page %d: %q, want %q", q, n, ids, pages[n])
				}
				prev = page.PrevCursor
			}
			if prev != "" {
				t.Fatalf("%+v: the first page has a previous one", q)
			}
		}
		alpha := func(p isms.Person) bool { return strings.HasPrefix(p.Name, "Alpha") && p.ArchivedAt == nil }
		sales := func(p isms.Person) bool { return p.Department == "Sales" && p.ArchivedAt == nil }
		check := func() {
			t.Helper()
			for _, sort := range []string{"name", "department"} {
				for _, desc := range []bool{false, true} {
					walk(isms.ListQuery{Q: "alpha", Sort: sort, Desc: desc, Limit: 4}, expect(alpha, sort, desc))
					walk(isms.ListQuery{Filters: map[string]string{"department": "Sales"}, Sort: sort, Desc: desc, Limit: 3}, expect(sales, sort, desc))
				}
			}
		}
		check()

		// A cursor from before a change goes on after its record.
		first, err := db.People(ctx, owner, isms.ListQuery{Q: "alpha", Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		gone := first.Items[3] // the cursor's own record stays
		next := expect(alpha, "name", false)[4:8]
		p := people[slices.IndexFunc(people, func(p isms.Person) bool { return p.ID == next[0] })]
		archived, err := db.ArchivePerson(ctx, owner, p.ID, p.Version, true)
		if err != nil {
			t.Fatal(err)
		}
		people[slices.IndexFunc(people, func(x isms.Person) bool { return x.ID == p.ID })] = archived
		after, err := db.People(ctx, owner, isms.ListQuery{Q: "alpha", Limit: 4, Cursor: first.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range after.Items {
			ids = append(ids, x.ID)
		}
		if want := expect(alpha, "name", false)[4:8]; !reflect.DeepEqual(ids, want) || after.Total != 29 || ids[0] == p.ID || first.Items[3].ID != gone.ID {
			t.Fatalf("after a change: %q (total %d), want %q", ids, after.Total, want)
		}
		check()

		// More matches than are kept in order: the same pages.
		db.SetMaxOrderedMatches(5)
		check()
	})
}
