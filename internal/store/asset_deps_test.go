package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// An asset keeps its dependencies' references for the lists. Every way a
// dependency is added or removed (the asset form, the link API, an
// import) must show in the asset, its full and brief lists, and nowhere
// else.
func TestAssetDependencyReferencesFollowLinks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		mk := func(name string, deps ...string) isms.Asset {
			t.Helper()
			x, err := db.CreateAsset(ctx, owner, isms.Asset{Name: name, Type: isms.AssetApplication, DependsOn: deps})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		db1, db2 := mk("Database one"), mk("Database two")
		app := mk("Web shop", db2.Ref, db1.ID)
		other := mk("Back office", db1.Ref)
		want := func(step string, x isms.Asset, refs ...string) {
			t.Helper()
			w := fmt.Sprint(refs)
			got, err := db.Asset(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.DependsOn) != w {
				t.Fatalf("%s: %s depends on %v, want %s", step, x.Name, got.DependsOn, w)
			}
			for _, brief := range []bool{false, true} {
				page, err := db.Assets(ctx, owner, isms.ListQuery{Q: x.Name, Brief: brief})
				if err != nil || len(page.Items) != 1 {
					t.Fatalf("%s: list %+v %v", step, page, err)
				}
				if fmt.Sprint(page.Items[0].DependsOn) != w {
					t.Fatalf("%s: %s listed (brief %v) as depending on %v, want %s", step, x.Name, brief, page.Items[0].DependsOn, w)
				}
			}
		}
		want("created", app, db1.Ref, db2.Ref) // sorted, whichever way they were named
		want("created", other, db1.Ref)
		want("created", db1)

		// The form: one removed.
		cur, _ := db.Asset(ctx, owner, app.ID)
		cur.DependsOn = []string{db2.Ref}
		if _, err := db.UpdateAsset(ctx, owner, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		want("one removed", app, db2.Ref)
		want("one removed, the other asset", other, db1.Ref)

		// The link API, both ways; a link to another kind of record
		// changes nothing.
		if err := db.Link(ctx, owner, isms.Link{FromType: "asset", FromID: app.ID, ToType: "asset", ToID: db1.ID}); err != nil {
			t.Fatal(err)
		}
		want("linked", app, db1.Ref, db2.Ref)
		if err := db.Unlink(ctx, owner, isms.Link{FromType: "asset", FromID: app.ID, ToType: "asset", ToID: db2.ID}); err != nil {
			t.Fatal(err)
		}
		want("unlinked", app, db1.Ref)
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Shop outage"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Link(ctx, owner, isms.Link{FromType: "risk", FromID: r.ID, ToType: "asset", ToID: app.ID}); err != nil {
			t.Fatal(err)
		}
		want("a risk linked to it", app, db1.Ref)
		want("a risk linked to the shop, the database", db1)

		// Archiving a dependency keeps it listed, as the links stay.
		d1, _ := db.Asset(ctx, owner, db1.ID)
		if _, err := db.ArchiveAsset(ctx, owner, d1.ID, d1.Version, true); err != nil {
			t.Fatal(err)
		}
		want("dependency archived", app, db1.Ref)

		// Emptied by the form.
		cur, _ = db.Asset(ctx, owner, app.ID)
		cur.DependsOn = nil
		if _, err := db.UpdateAsset(ctx, owner, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		want("emptied", app)
		want("emptied, the other asset", other, db1.Ref)
	})
}

// Migration 00016 fills the references of the dependencies that existed
// before assets kept them.
func TestAssetDependencyReferencesBackfill(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openTestDB(t, d, false)
			if err := db.MigrateTo(ctx, 15); err != nil {
				t.Fatal(err)
			}
			now := "2025-01-02T03:04:05.000000Z"
			db.exec(t, `INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at) VALUES ('o1', 'old', 'Old Firm', 'small', 'UTC', '02 Jan 2006', 1, $1, $1)`, now)
			db.exec(t, `INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at) VALUES ('o2', 'two', 'Other Firm', 'small', 'UTC', '02 Jan 2006', 1, $1, $1)`, now)
			for _, a := range [][3]string{{"a1", "o1", "AS-001"}, {"a2", "o1", "AS-002"}, {"a3", "o1", "AS-010"}, {"a4", "o1", "AS-004"}, {"b1", "o2", "AS-001"}} {
				db.exec(t, `INSERT INTO assets (id, org_id, ref, version, created_at, updated_at, created_by, updated_by, name, type, classification, state)
					VALUES ($1, $2, $3, 1, $4, $4, 'u1', 'u1', $1, 'application', 'internal', 'in_use')`, a[0], a[1], a[2], now)
			}
			for _, l := range [][4]string{{"o1", "a1", "asset", "a3"}, {"o1", "a1", "asset", "a2"}, {"o1", "a4", "asset", "a1"}, {"o1", "a2", "risk", "r1"}, {"o2", "b1", "asset", "b1"}} {
				db.exec(t, `INSERT INTO record_links (org_id, from_type, from_id, to_type, to_id, created_at, created_by) VALUES ($1, 'asset', $2, $3, $4, $5, 'u1')`, l[0], l[1], l[2], l[3], now)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"a1": "AS-002,AS-010", "a2": "", "a3": "", "a4": "AS-001", "b1": "AS-001"}
			rows, err := db.raw.Query(`SELECT id, depends_on_refs FROM assets`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var id, refs string
				if err := rows.Scan(&id, &refs); err != nil {
					t.Fatal(err)
				}
				if refs != want[id] {
					t.Errorf("asset %s keeps %q, want %q", id, refs, want[id])
				}
				n++
			}
			if n != len(want) {
				t.Fatalf("%d assets after the migration, want %d", n, len(want))
			}
		})
	}
}
