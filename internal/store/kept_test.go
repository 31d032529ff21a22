package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// twoServers opens a migrated database of dialect d twice, as two servers
// sharing it would.
func twoServers(t *testing.T, d store.Dialect) (db, other *store.DB) {
	t.Helper()
	ctx := context.Background()
	dsn, dir := "", t.TempDir()
	if d == store.Postgres {
		dsn = storetest.NewPostgresDB(t)
	}
	open := func() *store.DB {
		db, err := store.Open(ctx, store.Config{DSN: dsn, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db = open()
	if d == store.SQLite {
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return db, open()
}

// actionsTotal returns a function reading the total of the actor's
// action list, with the reads of the request ctx carries, if any.
func actionsTotal(t *testing.T, db *store.DB, owner isms.Actor) func(ctx context.Context) int {
	return func(ctx context.Context) int {
		t.Helper()
		p, err := db.Actions(ctx, owner, isms.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
}

// Register lists keep their totals between reads, and risk criteria their
// decoded versions; every change, made by this server or by another one on
// the same database, must show in the next read.
func TestKeptValuesFollowChanges(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			f := storetest.Seed(t, db, "acme")
			owner := f.Owner()
			var made []isms.Action
			for i := range isms.DefaultLimit + 10 {
				x, err := db.CreateAction(ctx, owner, isms.Action{Title: fmt.Sprintf("Action %02d", i)})
				if err != nil {
					t.Fatal(err)
				}
				made = append(made, x)
			}
			total := func(db *store.DB, q isms.ListQuery) int {
				t.Helper()
				p, err := db.Actions(ctx, owner, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) != min(p.Total, isms.DefaultLimit) {
					t.Fatalf("page of %d items for a total of %d", len(p.Items), p.Total)
				}
				return p.Total
			}
			all := isms.ListQuery{}
			openOnes := isms.ListQuery{Filters: map[string]string{"status": string(isms.ActionOpen)}}
			want := func(step string, q isms.ListQuery, n int) {
				t.Helper()
				for _, s := range []*store.DB{db, other} {
					// Twice each: the second read is answered from what the first kept.
					for range 2 {
						if got := total(s, q); got != n {
							t.Fatalf("%s: total %d, want %d", step, got, n)
						}
					}
				}
			}
			n := len(made)
			want("created", all, n)
			want("created, open ones", openOnes, n)
			if _, err := db.CreateAction(ctx, owner, isms.Action{Title: "One more"}); err != nil {
				t.Fatal(err)
			}
			want("one more", all, n+1)
			if _, err := other.ArchiveAction(ctx, owner, made[0].ID, made[0].Version, true); err != nil {
				t.Fatal(err)
			}
			want("archived on the other server", all, n)
			want("archived, open ones", openOnes, n)
			x := made[1]
			x.Status = isms.ActionInProgress
			if _, err := other.UpdateAction(ctx, owner, x, x.Version); err != nil {
				t.Fatal(err)
			}
			want("one started on the other server", openOnes, n-1)
			want("one started, all", all, n)
			// A search's total follows too.
			search := isms.ListQuery{Q: "Action 0"}
			want("search", search, 9)
			y := made[2]
			y.Title = "Renamed"
			if _, err := db.UpdateAction(ctx, owner, y, y.Version); err != nil {
				t.Fatal(err)
			}
			want("renamed out of the search", search, 8)

			// So are the people list's departments.
			depts := func(s *store.DB) []string {
				t.Helper()
				ds, err := s.Departments(ctx, owner)
				if err != nil {
					t.Fatal(err)
				}
				return ds
			}
			before := len(depts(db))
			if _, err := other.CreatePerson(ctx, owner, isms.Person{Name: "Kit Marlowe", Department: "Zymurgy"}); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if ds := depts(s); len(ds) != before+1 || ds[len(ds)-1] != "Zymurgy" {
					t.Fatalf("departments after a new one on the other server: %v", ds)
				}
			}

			// So are the members the lists offer as owners: a member
			// added, given another role and removed on one server shows
			// on both, and a caller changing its copy changes nothing kept.
			memberRole := func(s *store.DB, email string) (isms.Role, int) {
				t.Helper()
				ms, err := s.Members(ctx, owner)
				if err != nil {
					t.Fatal(err)
				}
				for i := range ms {
					ms[i].Role = "changed by a caller"
				}
				ms, _ = s.Members(ctx, owner)
				for _, m := range ms {
					if m.UserEmail == email {
						return m.Role, len(ms)
					}
				}
				return "", len(ms)
			}
			_, members := memberRole(db, "")
			nm, _, err := other.AddMember(ctx, owner, store.NewMember{Email: "kit@acme.test", Name: "Kit Marlowe", Role: isms.RoleStaff, PasswordHash: "x"})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if role, n := memberRole(s, "kit@acme.test"); role != isms.RoleStaff || n != members+1 {
					t.Fatalf("after adding a member on the other server: role %q of %d members", role, n)
				}
			}
			if err := other.ChangeRole(ctx, owner, nm.UserID, isms.RoleContributor, nm.Version); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if role, _ := memberRole(s, "kit@acme.test"); role != isms.RoleContributor {
					t.Fatalf("after a role change on the other server: %q", role)
				}
			}
			if err := other.RemoveMember(ctx, owner, nm.UserID); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if role, n := memberRole(s, "kit@acme.test"); role != "" || n != members {
					t.Fatalf("after removing a member on the other server: role %q of %d members", role, n)
				}
			}

			// The control outlines a control's page reads: a custom
			// control added and renamed on one server shows on both, and a
			// caller changing its copy changes nothing kept.
			outline := func(s *store.DB, ref string) (isms.Control, bool) {
				t.Helper()
				cs, err := s.ControlOutlines(ctx, owner)
				if err != nil {
					t.Fatal(err)
				}
				for i := range cs {
					if len(cs[i].RelatedIDs) > 0 {
						cs[i].RelatedIDs[0] = "changed by a caller"
					}
					cs[i].Title = "changed by a caller"
				}
				cs, _ = s.ControlOutlines(ctx, owner)
				for _, c := range cs {
					if c.Ref == ref {
						return c, true
					}
				}
				return isms.Control{}, false
			}
			for _, s := range []*store.DB{db, other} {
				if _, ok := outline(s, "MDM-1"); ok {
					t.Fatal("a custom control before it was added")
				}
			}
			mdm, err := other.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Mobile devices", Theme: "Technological", RelatedIDs: []string{"8.1"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if c, ok := outline(s, "MDM-1"); !ok || c.Title != "Mobile devices" || len(c.RelatedIDs) != 1 || c.RelatedIDs[0] != "8.1" {
					t.Fatalf("outline after adding a control on the other server: %v %+v", ok, c)
				}
			}
			mdm.Title = "Mobile device management"
			if _, err := other.UpdateControl(ctx, owner, mdm, mdm.Version); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if c, _ := outline(s, "MDM-1"); c.Title != "Mobile device management" {
					t.Fatalf("outline after renaming on the other server: %q", c.Title)
				}
			}

			// Risk criteria are kept too: each server sees the version
			// the other approved, and a caller changing what it was given
			// changes nothing kept.
			current := func(s *store.DB) (isms.RiskCriteria, bool) {
				t.Helper()
				c, ok, err := s.CurrentCriteria(ctx, owner)
				if err != nil {
					t.Fatal(err)
				}
				return c, ok
			}
			for _, s := range []*store.DB{db, other} {
				if _, ok := current(s); ok {
					t.Fatal("criteria in force before any was approved")
				}
			}
			d, err := other.StartCriteria(ctx, owner, isms.Preset5x5)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.ApproveCriteria(ctx, owner, d.ID, d.Version); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				c, ok := current(s)
				if !ok || c.ID != d.ID || len(c.Levels) == 0 {
					t.Fatalf("criteria in force after the approval: %v %+v", ok, c)
				}
				c.Levels[0].Label = "changed by a caller"
				if again, _ := current(s); again.Levels[0].Label == c.Levels[0].Label {
					t.Fatal("a caller's change reached the kept criteria")
				}
			}
			r, err := db.ReviseCriteria(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApproveCriteria(ctx, owner, r.ID, r.Version); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				if c, _ := current(s); c.ID != r.ID {
					t.Fatalf("criteria in force after the revision: %s, want %s", c.ID, r.ID)
				}
				vs, err := s.CriteriaVersions(ctx, owner)
				if err != nil || len(vs) != 2 || vs[1].Status != isms.CriteriaSuperseded {
					t.Fatalf("versions after the revision: %d %v", len(vs), err)
				}
			}
		})
	}
}

// The reads of one request (WithReadMemo) read the organisation's audit
// head once: what they keep and look up (here a list's total) is that of
// the state the request's first read saw. A change another server makes
// meanwhile shows from the next request on; a change the request makes
// itself shows in its own later reads.
func TestReadMemoKeepsOneHeadPerRequest(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			f := storetest.Seed(t, db, "acme")
			owner := f.Owner()
			n := isms.DefaultLimit + 5 // more than a page: the total is counted, and kept
			for i := range n {
				if _, err := db.CreateAction(ctx, owner, isms.Action{Title: fmt.Sprintf("Action %02d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			total := actionsTotal(t, db, owner)
			want := func(step string, ctx context.Context, n int) {
				t.Helper()
				if got := total(ctx); got != n {
					t.Fatalf("%s: total %d, want %d", step, got, n)
				}
			}
			add := func(db *store.DB, ctx context.Context, title string) {
				t.Helper()
				if _, err := db.CreateAction(ctx, owner, isms.Action{Title: title}); err != nil {
					t.Fatal(err)
				}
			}
			req := store.WithReadMemo(ctx)
			want("first read of the request", req, n)
			add(other, ctx, "Made elsewhere")
			want("a later read of the same request (what its first read saw)", req, n)
			want("the next request", store.WithReadMemo(ctx), n+1)
			want("a read outside any request", ctx, n+1)
			add(db, req, "Made by the request")
			want("after the request's own change", req, n+2)
			// A request that reads, changes and reads again, with no other
			// read in between to replace what its first read kept.
			req = store.WithReadMemo(ctx)
			want("a new request", req, n+2)
			add(db, req, "Made by the new request")
			want("after the new request's own change", req, n+3)
		})
	}
}

// renameAction renames action id through s in ctx, as of its version that
// other reads outside any request.
func renameAction(t *testing.T, s, other *store.DB, ctx context.Context, owner isms.Actor, id, to string) {
	t.Helper()
	cur, err := other.Action(context.Background(), owner, id)
	if err != nil {
		t.Fatal(err)
	}
	cur.Title = to
	if _, err := s.UpdateAction(ctx, owner, cur, cur.Version); err != nil {
		t.Fatal(err)
	}
}

// In a read scope the reads of a request on SQLite share one transaction:
// they see the database as the first of them did, until the request
// writes (its later reads see its change) or the scope ends, and the read
// connection is given back when it ends. On PostgreSQL each read sees the
// latest state. (The title is read from the list: a record looked up by
// its id is kept for the request on both databases, see
// TestRequestLooksARecordUpOnce.)
func TestReadScopeSharesOneSnapshot(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			x, err := db.CreateAction(ctx, owner, isms.Action{Title: "Before"})
			if err != nil {
				t.Fatal(err)
			}
			title := func(ctx context.Context) string {
				t.Helper()
				p, err := db.Actions(ctx, owner, isms.ListQuery{})
				if err != nil || len(p.Items) != 1 || p.Items[0].ID != x.ID {
					t.Fatalf("the list: %+v %v", p.Items, err)
				}
				return p.Items[0].Title
			}
			rename := func(s *store.DB, ctx context.Context, to string) {
				t.Helper()
				renameAction(t, s, other, ctx, owner, x.ID, to)
			}
			inUse := func() int {
				_, r := db.PoolStats()
				return r.InUse
			}
			sqlite := d == store.SQLite
			scoped := func(onSQLite, onPostgres string) string {
				if sqlite {
					return onSQLite
				}
				return onPostgres
			}

			// A statement seen for the first time is prepared in the
			// background, on a connection of its own: once, before.
			title(ctx)
			db.SettleStatements()
			req, end := store.WithReadScope(ctx)
			if got := title(req); got != "Before" {
				t.Fatalf("first read: %q", got)
			}
			held := 0 // the scope's read transaction holds a connection
			if sqlite {
				held = 1
			}
			if n := inUse(); n != held {
				t.Fatalf("%d read connections in use between the reads of a scope, want %d", n, held)
			}
			rename(other, ctx, "Elsewhere")
			if got, want := title(req), scoped("Before", "Elsewhere"); got != want {
				t.Fatalf("a later read of the scope, after a change elsewhere: %q, want %q", got, want)
			}
			rename(db, req, "By the request")
			if got := title(req); got != "By the request" {
				t.Fatalf("after the request's own change: %q", got)
			}
			rename(other, ctx, "Elsewhere again")
			if got, want := title(req), scoped("By the request", "Elsewhere again"); got != want {
				t.Fatalf("a read after another change elsewhere: %q, want %q", got, want)
			}
			end()
			if n := inUse(); n != 0 {
				t.Fatalf("%d read connections in use after the scope ended", n)
			}
			if got := title(req); got != "Elsewhere again" {
				t.Fatalf("a read after the scope ended: %q", got)
			}
			if n := inUse(); n != 0 {
				t.Fatalf("%d read connections in use after a read that ran on its own", n)
			}
		})
	}
}

// A request's session read (SessionStore.FindCtx), and an API call's read
// of its actor (ActorFor), bring the audit heads of the user's
// organisations along: the request's later reads use them instead of
// reading them, so they see kept values as of that first read, on both
// databases, and a request without it reads the head itself.
func TestFirstReadOfARequestBringsTheHeads(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			f := storetest.Seed(t, db, "acme")
			owner, user := f.Owner(), f.Users[isms.RoleOwner]
			n := isms.DefaultLimit + 5 // more than a page: the total is counted, and kept
			add := func(title string) {
				t.Helper()
				if _, err := other.CreateAction(ctx, owner, isms.Action{Title: title}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				add(fmt.Sprintf("Action %02d", i))
			}
			total := actionsTotal(t, db, owner)
			if got := total(ctx); got != n {
				t.Fatalf("total %d, want %d", got, n)
			}
			s := db.Sessions(time.Hour)
			if err := s.CommitCtx(ctx, "tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.TagSession(ctx, "tok", user.ID, "test", "127.0.0.1"); err != nil {
				t.Fatal(err)
			}

			req := store.WithReadMemo(ctx)
			if _, ok, err := s.FindCtx(req, "tok"); err != nil || !ok {
				t.Fatalf("session: %v %v", ok, err)
			}
			add("After the session read")
			if got := total(req); got != n {
				t.Fatalf("in the request, after a change elsewhere: total %d, want %d (as the session read saw it)", got, n)
			}
			if got := total(store.WithReadMemo(ctx)); got != n+1 {
				t.Fatalf("in a request without a session read: total %d, want %d", got, n+1)
			}

			api := store.WithReadMemo(ctx)
			if _, _, err := db.ActorFor(api, user.ID, "acme"); err != nil {
				t.Fatal(err)
			}
			add("After the actor read")
			if got := total(api); got != n+1 {
				t.Fatalf("in an API call, after a change elsewhere: total %d, want %d (as its actor read saw it)", got, n+1)
			}
			if got := total(ctx); got != n+2 {
				t.Fatalf("outside any request: total %d, want %d", got, n+2)
			}

			// A second organisation of the user: the session read brings
			// its head too, and each organisation keeps to its own.
			if _, err := db.CreateOrg(ctx, user.ID, isms.Organisation{Slug: "beta", Name: "Beta", TimeZone: "UTC"}); err != nil {
				t.Fatal(err)
			}
			beta, _, err := db.ActorFor(ctx, user.ID, "beta")
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if _, err := other.CreateAction(ctx, beta, isms.Action{Title: fmt.Sprintf("Beta %02d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			betaTotal := actionsTotal(t, db, beta)
			if got, acme := betaTotal(ctx), total(ctx); got != n || acme != n+2 {
				t.Fatalf("beta %d, acme %d; want %d and %d", got, acme, n, n+2)
			}
			req = store.WithReadMemo(ctx)
			if _, ok, err := s.FindCtx(req, "tok"); err != nil || !ok {
				t.Fatalf("session: %v %v", ok, err)
			}
			if _, err := other.CreateAction(ctx, beta, isms.Action{Title: "Beta after the session read"}); err != nil {
				t.Fatal(err)
			}
			add("Acme after the session read")
			if got, acme := betaTotal(req), total(req); got != n || acme != n+2 {
				t.Fatalf("in the request: beta %d, acme %d; want %d and %d (as the session read saw them)", got, acme, n, n+2)
			}
			if got, acme := betaTotal(ctx), total(ctx); got != n+1 || acme != n+3 {
				t.Fatalf("outside the request: beta %d, acme %d; want %d and %d", got, acme, n+1, n+3)
			}
		})
	}
}

// A request looks each record up by its id once: the record's page asks
// the store for it several times (the record, its history and notes, which
// check that it exists), and the later asks are answered from the first,
// on both databases. The request sees the record as its first read did
// until it changes the record itself; the next request, and a read after
// the request's scope has ended, look it up afresh.
func TestRequestLooksARecordUpOnce(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			x, err := db.CreateAction(ctx, owner, isms.Action{Title: "Before"})
			if err != nil {
				t.Fatal(err)
			}
			title := func(ctx context.Context) string {
				t.Helper()
				a, err := db.Action(ctx, owner, x.ID)
				if err != nil {
					t.Fatal(err)
				}
				return a.Title
			}
			rename := func(s *store.DB, ctx context.Context, to string) {
				t.Helper()
				renameAction(t, s, other, ctx, owner, x.ID, to)
			}
			reads := func() uint64 {
				_, r := db.Statements()
				return r
			}

			req := store.WithReadMemo(ctx)
			if got := title(req); got != "Before" {
				t.Fatalf("first read: %q", got)
			}
			// The page's other reads: each runs its own statement and
			// none to look the action up again.
			before := reads()
			if _, err := db.ActionNotes(req, owner, x.ID); err != nil {
				t.Fatal(err)
			}
			if h, err := db.ActionHistory(req, owner, x.ID); err != nil || len(h) != 1 {
				t.Fatalf("history: %d entries, %v", len(h), err)
			}
			title(req)
			if n := reads() - before; n != 2 {
				t.Fatalf("notes, history and the action again ran %d statements, want 2 (the notes, the history)", n)
			}
			// The memo is by organisation: in another one the action is
			// not found.
			stranger := storetest.Seed(t, db, "globex").Owner()
			if _, err := db.Action(req, stranger, x.ID); isms.ErrorKind(err) != isms.KindNotFound {
				t.Fatalf("the action read in another organisation: %v", err)
			}

			rename(other, ctx, "Elsewhere")
			if got := title(req); got != "Before" {
				t.Fatalf("a later read of the request, after a change elsewhere: %q, want what its first read saw", got)
			}
			if got := title(store.WithReadMemo(ctx)); got != "Elsewhere" {
				t.Fatalf("the next request: %q", got)
			}
			rename(db, req, "By the request")
			if got := title(req); got != "By the request" {
				t.Fatalf("after the request's own change: %q", got)
			}

			scope, end := store.WithReadScope(ctx)
			if got := title(scope); got != "By the request" {
				t.Fatalf("first read of a scope: %q", got)
			}
			rename(other, ctx, "Elsewhere again")
			end()
			if got := title(scope); got != "Elsewhere again" {
				t.Fatalf("a read after the scope ended: %q", got)
			}
		})
	}
}

// The dashboard's counts (a list asked for its total alone) and when the
// next broad risk assessment is due are kept between reads, and follow
// changes another server makes: a request after the change sees it. A
// count asked for again in the same request runs no statement.
func TestDashboardFiguresFollowChanges(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			approvedCriteria(t, db, owner, isms.Preset5x5)
			count := func(ctx context.Context, filters map[string]string) int {
				t.Helper()
				p, err := db.People(ctx, owner, isms.ListQuery{CountOnly: true, Filters: filters})
				if err != nil || len(p.Items) != 0 {
					t.Fatalf("count: %+v %v", p, err)
				}
				return p.Total
			}
			noAccount := map[string]string{"user_id": "-"}
			for i, name := range []string{"Ada", "Grace", "Alan"} {
				p := isms.Person{Name: name, Email: fmt.Sprintf("p%d@acme.test", i)}
				if _, err := db.CreatePerson(ctx, owner, p); err != nil {
					t.Fatal(err)
				}
			}
			req := store.WithReadMemo(ctx)
			full, err := db.People(ctx, owner, isms.ListQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if got := count(req, nil); got != full.Total || got != 3 {
				t.Fatalf("count %d, the list's total %d, want 3", got, full.Total)
			}
			if got := count(req, noAccount); got != 3 {
				t.Fatalf("people without an account: %d, want 3", got)
			}
			_, r0 := db.Statements()
			count(req, nil)
			count(req, noAccount)
			if _, r1 := db.Statements(); r1 != r0 {
				t.Fatalf("counts asked again in a request ran %d statements", r1-r0)
			}
			if _, err := other.CreatePerson(ctx, owner, isms.Person{Name: "Edsger", Email: "e@acme.test"}); err != nil {
				t.Fatal(err)
			}
			if got := count(store.WithReadMemo(ctx), nil); got != 4 {
				t.Fatalf("after a person was added elsewhere: %d, want 4", got)
			}

			due := func() isms.AssessmentDue {
				t.Helper()
				d, err := db.NextBroadAssessment(store.WithReadMemo(ctx), owner)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			if d := due(); d.State != isms.DueNever {
				t.Fatalf("due with no run: %+v", d)
			}
			run, err := other.CreateAssessment(ctx, owner, isms.Assessment{Date: "2025-03-01", Scope: "Whole firm", ParticipantIDs: []string{owner.UserID}})
			if err != nil {
				t.Fatal(err)
			}
			if d := due(); d.State != isms.DueNever {
				t.Fatalf("due with an open run: %+v", d)
			}
			if _, err := other.CloseAssessment(ctx, owner, run.ID, run.Version); err != nil {
				t.Fatal(err)
			}
			if d := due(); d.LastID != run.ID || d.DueDate != "2026-03-01" {
				t.Fatalf("due after a run was closed elsewhere: %+v", d)
			}
		})
	}
}

// How many entries came from the starter catalogue (the threat and
// vulnerability lists ask on every view) is kept between reads and
// follows a load another server makes.
func TestStarterCatalogueCountsFollowALoad(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, other := twoServers(t, d)
			owner := storetest.Seed(t, db, "acme").Owner()
			loaded := func() store.CatalogueLoad {
				t.Helper()
				n, err := db.StarterCatalogueLoaded(store.WithReadMemo(ctx), owner)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := loaded(); n.Threats != 0 || n.Vulnerabilities != 0 {
				t.Fatalf("before a load: %+v", n)
			}
			added, err := other.LoadStarterCatalogue(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			if n := loaded(); n != added || n.Threats == 0 || n.Vulnerabilities == 0 {
				t.Fatalf("after a load elsewhere: %+v, it added %+v", n, added)
			}
			req := store.WithReadMemo(ctx)
			loaded()
			_, r0 := db.Statements()
			if _, err := db.StarterCatalogueLoaded(req, owner); err != nil {
				t.Fatal(err)
			}
			if _, err := db.StarterCatalogueLoaded(req, owner); err != nil {
				t.Fatal(err)
			}
			if _, r1 := db.Statements(); r1-r0 > 1 {
				t.Fatalf("asked twice in a request with the counts kept: %d statements, want at most the audit head", r1-r0)
			}
		})
	}
}
