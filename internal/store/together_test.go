package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// An asset's page reads the asset and what it shows with it at once (on
// PostgreSQL in one round trip): each part is what the store's method for
// it reads, on both databases, for an asset with every part filled in and
// for one with none; an unknown asset, or one of another organisation, is
// not found, and a member who may not read registers is refused.
func TestAssetPageReadsWhatItsPartsRead(t *testing.T) {
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
		db1, db2, old := mk("Database one"), mk("Database two"), mk("Old archive")
		app := mk("Web shop", db2.Ref, db1.Ref, old.Ref)
		mk("Back office", app.Ref)
		mk("Mobile app", app.Ref)
		lone := mk("Spare laptop")
		if _, err := db.ArchiveAsset(ctx, owner, old.ID, old.Version, true); err != nil {
			t.Fatal(err)
		}
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Shop outage"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Link(ctx, owner, isms.Link{FromType: "risk", FromID: r.ID, ToType: "asset", ToID: app.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAction(ctx, owner, isms.Action{Title: "Add a second region", ServesType: "asset", ServesID: app.ID}); err != nil {
			t.Fatal(err)
		}
		cur, err := db.Asset(ctx, owner, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Location = "Frankfurt"
		if _, err := db.UpdateAsset(ctx, owner, cur, cur.Version); err != nil {
			t.Fatal(err)
		}

		names := func(xs []isms.Asset) string {
			var s []string
			for _, x := range xs {
				s = append(s, x.Name)
			}
			return fmt.Sprint(s)
		}
		for _, x := range []isms.Asset{app, lone} {
			p, err := db.AssetPage(store.WithReadMemo(ctx), owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			one, err := db.Asset(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			deps, err := db.Assets(ctx, owner, isms.ListQuery{Limit: isms.MaxLimit, Archived: isms.ArchivedInclude, Filters: map[string]string{"depended_by": x.ID}})
			if err != nil {
				t.Fatal(err)
			}
			users, err := db.AssetUsers(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			links, err := db.LinksTo(ctx, owner, "asset", x.ID)
			if err != nil {
				t.Fatal(err)
			}
			acts, err := db.ActionsServing(ctx, owner, "asset", x.ID)
			if err != nil {
				t.Fatal(err)
			}
			hist, err := db.AssetHistory(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ part, got, want string }{
				{"asset", fmt.Sprintf("%+v", p.Asset), fmt.Sprintf("%+v", one)},
				{"dependencies", names(p.DependsOn), names(deps.Items)},
				{"users", names(p.UsedBy), names(users)},
				{"links", fmt.Sprintf("%+v", p.Links), fmt.Sprintf("%+v", links)},
				{"actions", fmt.Sprintf("%+v", p.Actions), fmt.Sprintf("%+v", acts)},
				{"history", fmt.Sprintf("%+v", p.History), fmt.Sprintf("%+v", hist)},
			} {
				if c.got != c.want {
					t.Errorf("%s: %s\n got %s\nwant %s", x.Name, c.part, c.got, c.want)
				}
			}
			if x.ID != app.ID {
				if len(p.DependsOn)+len(p.UsedBy)+len(p.Links)+len(p.Actions) != 0 {
					t.Errorf("%s has related records: %+v", x.Name, p)
				}
				continue
			}
			// What a user sees on the page.
			if got := names(p.DependsOn); got != "[Database one Database two Old archive]" {
				t.Errorf("depends on %s", got)
			}
			if got := names(p.UsedBy); got != "[Back office Mobile app]" {
				t.Errorf("used by %s", got)
			}
			var linked []string
			for _, l := range p.Links {
				linked = append(linked, l.FromType+" "+l.OtherRef+" "+l.OtherTitle)
			}
			if got, want := fmt.Sprint(linked), "[asset AS-005 Back office asset AS-006 Mobile app risk "+r.Ref+" Shop outage]"; got != want {
				t.Errorf("links arriving: %s, want %s", got, want)
			}
			if len(p.Actions) != 1 || p.Actions[0].Title != "Add a second region" {
				t.Errorf("actions %+v", p.Actions)
			}
			if len(p.History) != 2 || p.History[1].Changes[0].Field != "location" {
				t.Errorf("history %+v", p.History)
			}
		}

		for name, c := range map[string]struct {
			a    isms.Actor
			id   string
			kind isms.Kind
		}{
			"an unknown asset":               {owner, "00000000-0000-7000-8000-000000000000", isms.KindNotFound},
			"another organisation's asset":   {storetest.Seed(t, db, "globex").Owner(), app.ID, isms.KindNotFound},
			"a member who may not read them": {f.Actors[isms.RoleStaff], app.ID, isms.KindForbidden},
		} {
			if _, err := db.AssetPage(store.WithReadMemo(ctx), c.a, c.id); isms.ErrorKind(err) != c.kind {
				t.Errorf("%s: %v, want %s", name, err, c.kind)
			}
		}
	})
}
