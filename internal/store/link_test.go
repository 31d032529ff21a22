package store_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestLinks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		g := storetest.Seed(t, db, "other")
		owner := f.Owner()
		p, _ := db.CreatePerson(ctx, owner, isms.Person{Name: "Pat"})
		x, _ := db.CreateAction(ctx, owner, isms.Action{Title: "Train Pat"})
		foreign, _ := db.CreatePerson(ctx, g.Owner(), isms.Person{Name: "Elsewhere"})
		l := isms.Link{FromType: "action", FromID: x.ID, ToType: "person", ToID: p.ID, Note: "trainee"}
		if err := db.Link(ctx, owner, l); err != nil {
			t.Fatal(err)
		}
		if err := db.Link(ctx, owner, l); err != nil {
			t.Fatalf("linking twice: %v", err)
		}
		to, err := db.LinksTo(ctx, owner, "person", p.ID)
		if err != nil || len(to) != 1 || to[0].OtherRef != x.Ref || to[0].OtherTitle != "Train Pat" {
			t.Fatalf("links to person %+v %v", to, err)
		}
		from, _ := db.LinksFrom(ctx, owner, "action", x.ID)
		if len(from) != 1 || from[0].OtherTitle != "Pat" {
			t.Fatalf("links from action %+v", from)
		}
		// Other organisations' records, unknown types and other roles are refused.
		if err := db.Link(ctx, owner, isms.Link{FromType: "action", FromID: x.ID, ToType: "person", ToID: foreign.ID}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("cross-org link: %v", err)
		}
		if err := db.Link(ctx, owner, isms.Link{FromType: "widget", FromID: "1", ToType: "person", ToID: p.ID}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("unknown type: %v", err)
		}
		if err := db.Link(ctx, f.Actors[isms.RoleAuditor], l); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor link: %v", err)
		}
		if err := db.Unlink(ctx, owner, l); err != nil {
			t.Fatal(err)
		}
		if err := db.Unlink(ctx, owner, l); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("unlink twice: %v", err)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n == 0 {
			t.Fatalf("audit: %v %+v", err, brk)
		}
	})
}

func TestRequestView(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		g := storetest.Seed(t, db, "other")
		auditor := f.Users[isms.RoleAuditor]
		v, err := db.RequestView(ctx, auditor.ID, "acme")
		if err != nil || !v.InOrg || v.Actor.Role != isms.RoleAuditor || v.Org.Slug != "acme" || v.User.Email != auditor.Email || len(v.Memberships) != 1 {
			t.Fatalf("member view %+v %v", v, err)
		}
		// Another organisation's slug: signed in, but not inside it.
		v, err = db.RequestView(ctx, auditor.ID, g.Org.Slug)
		if err != nil || v.InOrg || v.Actor.OrgID != "" || v.User.ID != auditor.ID {
			t.Fatalf("non-member view %+v %v", v, err)
		}
		if _, err := db.RequestView(ctx, "no-such-user", "acme"); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("unknown user: %v", err)
		}
	})
}
