package store_test

import (
	"context"
	"fmt"
	"strings"
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

// samePart fails the test if a part a page read differs from what the
// store's method for it reads.
func samePart(t *testing.T, part string, got, want any) {
	t.Helper()
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", part, g, w)
	}
}

// The pages of a risk, a piece of evidence and an action read their record
// and what they show with it at once: each part is what the store's method
// for it reads, on both databases, and none is empty here. Who may not
// read the record may not read its page; an unknown record is not found.
func TestRecordPagesReadWhatTheirPartsRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib, staff := f.Owner(), f.Actors[isms.RoleContributor], f.Actors[isms.RoleStaff]
		approvedCriteria(t, db, owner, isms.Preset5x5)
		ctl := controlByRef(t, db, owner, "A.8.13")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Laptop theft", OwnerID: contrib.UserID, Treatment: []isms.TreatmentOption{"modify"},
			Inherent: isms.Rating{Likelihood: 4, Consequence: 4}, Residual: isms.Rating{Likelihood: 2, Consequence: 2}})
		must(err)
		must(db.Link(ctx, owner, isms.Link{FromType: "risk", FromID: r.ID, ToType: "control", ToID: ctl.ID}))
		r, err = db.Risk(ctx, owner, r.ID)
		must(err)
		_, err = db.ApproveRiskPlan(ctx, contrib, r.ID, r.Version, isms.AcceptInput{Justification: "Encryption covers it"})
		must(err)
		e, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Backup report", Kind: isms.EvidenceNote, Description: "Restored"}, []string{ctl.ID}, nil)
		must(err)
		x, err := db.CreateAction(ctx, owner, isms.Action{Title: "Encrypt laptops", ResponsibleID: contrib.UserID, ServesType: "risk", ServesID: r.ID})
		must(err)
		_, err = db.CreateAction(ctx, owner, isms.Action{Title: "Fresh backup report", ServesType: "evidence", ServesID: e.ID})
		must(err)
		_, err = db.AddActionNote(ctx, contrib, x.ID, "Half the fleet done")
		must(err)

		req := func() context.Context { return store.WithReadMemo(ctx) }
		rp, err := db.RiskPage(req(), owner, r.ID)
		must(err)
		risk, err := db.Risk(ctx, owner, r.ID)
		must(err)
		links, err := db.LinksFrom(ctx, owner, "risk", r.ID)
		must(err)
		acts, err := db.ActionsServing(ctx, owner, "risk", r.ID)
		must(err)
		decs, err := db.RiskDecisions(ctx, owner, r.ID)
		must(err)
		hist, err := db.RiskHistory(ctx, owner, r.ID)
		must(err)
		samePart(t, "risk", rp.Risk, risk)
		samePart(t, "risk links", rp.Links, links)
		samePart(t, "risk actions", rp.Actions, acts)
		samePart(t, "risk decisions", rp.Decisions, decs)
		samePart(t, "risk history", rp.History, hist)
		if len(rp.Links) != 1 || rp.Links[0].OtherRef != "A.8.13" || len(rp.Actions) != 1 || len(rp.Decisions) != 1 || len(rp.History) < 2 {
			t.Errorf("risk page %+v", rp)
		}

		ep, err := db.EvidencePage(req(), owner, e.ID)
		must(err)
		ev, err := db.Evidence(ctx, owner, e.ID)
		must(err)
		ctls, err := db.EvidenceControls(ctx, owner, e.ID)
		must(err)
		reqs, err := db.ActionsServing(ctx, owner, "evidence", e.ID)
		must(err)
		hist, err = db.EvidenceHistory(ctx, owner, e.ID)
		must(err)
		samePart(t, "evidence", ep.Evidence, ev)
		samePart(t, "evidence controls", ep.Controls, ctls)
		samePart(t, "evidence requests", ep.Requests, reqs)
		samePart(t, "evidence history", ep.History, hist)
		if len(ep.Controls) != 1 || ep.Controls[0].OtherRef != "A.8.13" || len(ep.Requests) != 1 || len(ep.History) != 1 {
			t.Errorf("evidence page %+v", ep)
		}

		// The action's responsible contributor reads its page too.
		for _, a := range []isms.Actor{owner, contrib} {
			ap, err := db.ActionPage(req(), a, x.ID)
			must(err)
			act, err := db.Action(ctx, a, x.ID)
			must(err)
			notes, err := db.ActionNotes(ctx, a, x.ID)
			must(err)
			hist, err := db.ActionHistory(ctx, a, x.ID)
			must(err)
			samePart(t, "action", ap.Action, act)
			samePart(t, "action notes", ap.Notes, notes)
			samePart(t, "action history", ap.History, hist)
			if len(ap.Notes) != 1 || ap.Notes[0].Body != "Half the fleet done" || len(ap.History) != 1 {
				t.Errorf("action page %+v", ap)
			}
		}

		unknown := "00000000-0000-7000-8000-000000000000"
		for name, read := range map[string]func(context.Context, isms.Actor, string) error{
			"risk": func(c context.Context, a isms.Actor, id string) error { _, err := db.RiskPage(c, a, id); return err },
			"evidence": func(c context.Context, a isms.Actor, id string) error {
				_, err := db.EvidencePage(c, a, id)
				return err
			},
			"action": func(c context.Context, a isms.Actor, id string) error { _, err := db.ActionPage(c, a, id); return err },
		} {
			id := map[string]string{"risk": r.ID, "evidence": e.ID, "action": x.ID}[name]
			if err := read(req(), staff, id); isms.ErrorKind(err) != isms.KindForbidden {
				t.Errorf("%s page read by staff: %v", name, err)
			}
			if err := read(req(), owner, unknown); isms.ErrorKind(err) != isms.KindNotFound {
				t.Errorf("an unknown %s's page: %v", name, err)
			}
		}
	})
}

// A person's page reads the person, their manager, the people they manage
// and their history at once; each part is what the store's methods read.
func TestPersonPageReadsWhatItsPartsRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		mk := func(name, manager string) isms.Person {
			t.Helper()
			p, err := db.CreatePerson(ctx, owner, isms.Person{Name: name, Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@acme.test", ManagerID: manager})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		boss := mk("Grace", "")
		lead := mk("Ada", boss.ID)
		mk("Zed", lead.ID)
		mk("Alan", lead.ID)
		gone := mk("Old hand", lead.ID)
		if _, err := db.ArchivePerson(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		for _, x := range []isms.Person{lead, boss} {
			p, err := db.PersonPage(store.WithReadMemo(ctx), owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			one, err := db.Person(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			reports, err := db.People(ctx, owner, isms.ListQuery{Limit: 100, Filters: map[string]string{"manager_id": x.ID}})
			if err != nil {
				t.Fatal(err)
			}
			hist, err := db.PersonHistory(ctx, owner, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			samePart(t, x.Name, p.Person, one)
			samePart(t, x.Name+"'s reports", p.Reports, reports.Items)
			samePart(t, x.Name+"'s history", p.History, hist)
			if x.ID == boss.ID {
				if p.Manager.ID != "" || len(p.Reports) != 1 {
					t.Errorf("Grace: manager %q, %d reports", p.Manager.Name, len(p.Reports))
				}
				continue
			}
			if p.Manager.ID != boss.ID || p.Manager.Name != "Grace" || p.Manager.Ref != boss.Ref {
				t.Errorf("Ada's manager: %+v", p.Manager)
			}
			var names []string
			for _, r := range p.Reports {
				names = append(names, r.Name)
			}
			if fmt.Sprint(names) != "[Alan Zed]" {
				t.Errorf("Ada's reports: %v, want the active ones by name", names)
			}
		}
		if _, err := db.PersonPage(ctx, f.Actors[isms.RoleStaff], lead.ID); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff reads a person's page: %v", err)
		}
		if _, err := db.PersonPage(ctx, owner, "00000000-0000-7000-8000-000000000000"); isms.ErrorKind(err) != isms.KindNotFound {
			t.Errorf("an unknown person's page: %v", err)
		}
	})
}

// The pages of a threat, a risk assessment run and a control read their
// parts together too: each is what the store's method for it reads.
func TestMorePagesReadWhatTheirPartsRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		approvedCriteria(t, db, owner, isms.Preset5x5)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		th, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: "Burglary", Category: "deliberate", Controls: []string{"A.7.2"}})
		must(err)
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Break-in at the office"})
		must(err)
		must(db.Link(ctx, owner, isms.Link{FromType: "risk", FromID: r.ID, ToType: "threat", ToID: th.ID}))
		run, err := db.CreateAssessment(ctx, owner, isms.Assessment{Date: "2025-03-01", Scope: "Whole firm", ParticipantIDs: []string{owner.UserID}})
		must(err)
		ctl := controlByRef(t, db, owner, "A.7.2")
		_, err = db.CreateAction(ctx, owner, isms.Action{Title: "Fit an alarm", ServesType: "control", ServesID: ctl.ID})
		must(err)
		req := func() context.Context { return store.WithReadMemo(ctx) }

		tp, err := db.ThreatPage(req(), owner, isms.KindThreat, th.ID)
		must(err)
		one, err := db.Threat(ctx, owner, isms.KindThreat, th.ID)
		must(err)
		hist, err := db.ThreatHistory(ctx, owner, isms.KindThreat, th.ID)
		must(err)
		links, err := db.LinksTo(ctx, owner, "threat", th.ID)
		must(err)
		samePart(t, "threat", tp.Threat, one)
		samePart(t, "threat history", tp.History, hist)
		samePart(t, "threat links", tp.Links, links)
		if len(tp.Links) != 1 || tp.Links[0].OtherTitle != "Break-in at the office" || len(tp.History) != 1 {
			t.Errorf("threat page %+v", tp)
		}
		if _, err := db.ThreatPage(req(), owner, isms.KindVulnerability, th.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Errorf("a threat read as a vulnerability: %v", err)
		}

		ap, err := db.AssessmentPage(req(), owner, run.ID)
		must(err)
		x, err := db.Assessment(ctx, owner, run.ID)
		must(err)
		hist, err = db.AssessmentHistory(ctx, owner, run.ID)
		must(err)
		samePart(t, "assessment", ap.Assessment, x)
		samePart(t, "assessment history", ap.History, hist)
		if len(ap.History) != 1 || ap.Assessment.Scope != "Whole firm" {
			t.Errorf("assessment page %+v", ap)
		}

		cp, err := db.ControlPage(req(), owner, ctl.ID)
		must(err)
		reqs, err := db.ActionsServing(ctx, owner, "control", ctl.ID)
		must(err)
		hist, err = db.ControlHistory(ctx, owner, ctl.ID)
		must(err)
		samePart(t, "control requests", cp.Requests, reqs)
		samePart(t, "control history", cp.History, hist)
		if len(cp.Requests) != 1 || cp.Requests[0].Title != "Fit an alarm" {
			t.Errorf("control page's requests %+v", cp.Requests)
		}

		staff := f.Actors[isms.RoleStaff]
		if _, err := db.ThreatPage(req(), staff, isms.KindThreat, th.ID); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff reads a threat's page: %v", err)
		}
		if _, err := db.AssessmentPage(req(), owner, "00000000-0000-7000-8000-000000000000"); isms.ErrorKind(err) != isms.KindNotFound {
			t.Errorf("an unknown run's page: %v", err)
		}
	})
}

// A search across the registers finds in each what its list with the same
// words finds, page and total, including registers with no match and
// with more matches than a page; on PostgreSQL the pages' rows come in
// one round trip once the matches are kept.
func TestSearchFindsWhatEachListFinds(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		approvedCriteria(t, db, owner, isms.Preset5x5)
		for i := range 7 {
			if _, err := db.CreateAction(ctx, owner, isms.Action{Title: fmt.Sprintf("Restore test %d of the backups", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Backups cannot be restored"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Backup server", Type: isms.AssetHardware}); err != nil {
			t.Fatal(err)
		}
		q := isms.ListQuery{Q: "backup", Limit: 5, Brief: true}
		found, err := db.Search(store.WithReadMemo(ctx), owner, q)
		if err != nil {
			t.Fatal(err)
		}
		people, err := db.People(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		risks, err := db.Risks(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		ctls, err := db.Controls(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		assets, err := db.Assets(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		evidence, err := db.EvidenceList(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := db.Actions(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		samePart(t, "people", found.People, people)
		samePart(t, "risks", found.Risks, risks)
		samePart(t, "controls", found.Controls, ctls)
		samePart(t, "assets", found.Assets, assets)
		samePart(t, "evidence", found.Evidence, evidence)
		samePart(t, "actions", found.Actions, acts)
		if found.People.Total != 0 || found.Risks.Total != 1 || found.Assets.Total != 1 || found.Actions.Total != 7 ||
			len(found.Actions.Items) != 5 || found.Actions.NextCursor == "" || found.Controls.Total == 0 {
			t.Errorf("found people %d, risks %d, assets %d, actions %d (%d shown), controls %d", found.People.Total, found.Risks.Total,
				found.Assets.Total, found.Actions.Total, len(found.Actions.Items), found.Controls.Total)
		}

		// Again, with the matches kept: the registers with matches read
		// their rows, together.
		req := store.WithReadMemo(ctx)
		if _, err := db.Search(req, owner, q); err != nil {
			t.Fatal(err)
		}
		_, s0 := db.Statements()
		_, t0 := db.RoundTrips()
		if _, err := db.Search(req, owner, q); err != nil {
			t.Fatal(err)
		}
		_, s1 := db.Statements()
		_, t1 := db.RoundTrips()
		if db.Dialect() == store.Postgres && (t1-t0 != 1 || s1-s0 < 4) {
			t.Errorf("a repeated search: %d statements in %d round trips, want its pages' rows in one", s1-s0, t1-t0)
		}
		if _, err := db.Search(ctx, f.Actors[isms.RoleStaff], q); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff searches: %v", err)
		}
	})
}
