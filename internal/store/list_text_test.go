package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A list shows each record's text exactly as the record holds it, in every
// way a page is read (on SQLite a row arrives as one JSON text): quotes,
// backslashes, line breaks, characters beyond ASCII, text that looks like
// JSON or a number.
func TestListsShowTextAsStored(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := storetest.Seed(t, db, "acme").Owner()
		titles := []string{
			`Quote " and backslash \ in the title`, "Tabs\tand accents é ü ß, 漢字, 😀",
			`{"looks": ["like", "json"]}`, "null", "12", `\u0041 is not an escape here`,
		}
		byID := map[string]isms.Risk{}
		for i, title := range titles {
			r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: title, Description: title + "\nsecond line\r\nthird",
				Causes: `C:\path\to "file"`, Category: titles[(i+1)%len(titles)]})
			if err != nil {
				t.Fatal(err)
			}
			if byID[r.ID], err = db.Risk(ctx, owner, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []isms.ListQuery{
			{}, {Brief: true}, {Sort: "title"}, {Q: "the", Brief: true}, {Q: "e", Sort: "title"}, {Limit: 2},
		} {
			page, err := db.Risks(ctx, owner, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) == 0 {
				t.Fatalf("%+v: nothing listed", q)
			}
			for _, got := range page.Items {
				want := byID[got.ID]
				if q.Brief {
					// A brief row leaves out the long texts.
					if got.Title != want.Title || got.Category != want.Category || got.Description != "" {
						t.Errorf("%+v: listed %q/%q/%q, want %q/%q and no description", q, got.Title, got.Category, got.Description, want.Title, want.Category)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%+v: listed\n%#v\nwant\n%#v", q, got, want)
				}
			}
		}
	})
}
