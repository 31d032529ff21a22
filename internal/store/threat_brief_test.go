package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// A brief threat or vulnerability list, as the list pages ask for, leaves
// out the description and the meta no list shows, and nothing else: each
// entry keeps its kind, reference, title, catalogue id, category, controls
// and archived state, in the order and with the filters of the full list.
func TestBriefThreatList(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		if _, err := db.LoadStarterCatalogue(ctx, owner); err != nil {
			t.Fatal(err)
		}
		own, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: `Drone over the "yard"`, Description: "Seen twice",
			Category: "deliberate", Controls: []string{"7.4", "7.1"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveThreat(ctx, owner, isms.KindThreat, own.ID, own.Version, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindVulnerability, Title: "Nothing addresses this", Category: "process"}); err != nil {
			t.Fatal(err)
		}
		described := false
		for _, c := range []struct {
			kind isms.ThreatKind
			q    isms.ListQuery
			n    int // entries expected, at least
		}{
			{isms.KindThreat, isms.ListQuery{}, 38},
			{isms.KindThreat, isms.ListQuery{Archived: isms.ArchivedInclude, Sort: "title", Desc: true}, 39},
			{isms.KindThreat, isms.ListQuery{Archived: isms.ArchivedOnly}, 1},
			{isms.KindThreat, isms.ListQuery{Q: "phishing", Filters: map[string]string{"category": "deliberate"}}, 1},
			{isms.KindVulnerability, isms.ListQuery{Sort: "category"}, 39},
			{isms.KindVulnerability, isms.ListQuery{Filters: map[string]string{"source": "own"}}, 1},
		} {
			full, err := db.Threats(ctx, owner, c.kind, c.q)
			if err != nil {
				t.Fatalf("%s %+v: %v", c.kind, c.q, err)
			}
			c.q.Brief = true
			brief, err := db.Threats(ctx, owner, c.kind, c.q)
			if err != nil {
				t.Fatalf("%s %+v: %v", c.kind, c.q, err)
			}
			if len(full.Items) < c.n || len(brief.Items) != len(full.Items) || brief.Total != full.Total {
				t.Fatalf("%s %+v: %d entries of %d brief, %d of %d full; want at least %d", c.kind, c.q,
					len(brief.Items), brief.Total, len(full.Items), full.Total, c.n)
			}
			for i, want := range full.Items {
				got := brief.Items[i]
				if want.Kind != c.kind || want.Version == 0 || want.CreatedAt.IsZero() || want.CreatedBy != owner.UserID {
					t.Fatalf("full list lost the kind or meta: %+v", want)
				}
				if got.Description != "" || got.Version != 0 || !got.UpdatedAt.IsZero() || got.OrgID != "" {
					t.Fatalf("brief list kept what a list does not show: %+v", got)
				}
				described = described || want.Description != ""
				want.Description = ""
				want.Meta = isms.Meta{ID: want.ID, Ref: want.Ref, ArchivedAt: want.ArchivedAt}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %+v: brief entry %d differs beyond the description and meta:\n got %+v\nwant %+v", c.kind, c.q, i, got, want)
				}
			}
			if c.q.Archived == isms.ArchivedOnly {
				if got := brief.Items[0]; got.ID != own.ID || !got.Archived() || !reflect.DeepEqual(got.Controls, []string{"7.1", "7.4"}) {
					t.Fatalf("archived entry listed as %+v", got)
				}
			}
		}
		if !described {
			t.Fatal("full lists lost the descriptions")
		}
	})
}
