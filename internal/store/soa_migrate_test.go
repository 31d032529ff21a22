package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestSoAVersionSummaryBackfill: versions approved before their summaries
// were kept get them counted from their entries when the schema is
// brought up to date, and stay immutable.
func TestSoAVersionSummaryBackfill(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openTestDB(t, d, false)
			// Schema version 8, the last without summaries, filled with
			// plain SQL as a binary of that version left it.
			if err := db.MigrateTo(ctx, 8); err != nil {
				t.Fatal(err)
			}
			now := "2025-01-02T03:04:05.000000Z"
			db.exec(t, `INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at) VALUES ('o1', 'old', 'Old Firm', 'small', 'UTC', '02 Jan 2006', 1, $1, $1)`, now)
			db.exec(t, `INSERT INTO users (id, email, name, password_hash, version, created_at, updated_at) VALUES ('u1', 'owner@old.test', 'Olga', 'x', 1, $1, $1)`, now)
			db.exec(t, `INSERT INTO memberships (org_id, user_id, role, version, created_at, updated_at) VALUES ('o1', 'u1', 'owner', 1, $1, $1)`, now)
			versions := [][]isms.SoAEntry{
				{
					{ControlID: "c1", Ref: "A.5.1", Decision: isms.DecisionIncluded, Status: isms.StatusImplemented,
						Warnings: []isms.WarningKind{isms.WarnEvidenceExpired, isms.WarnEvidenceExpired}},
					{ControlID: "c2", Ref: "A.5.2", Decision: isms.DecisionIncluded, Justification: "Contract", Status: isms.StatusImplemented},
					{ControlID: "c3", Ref: "A.5.3", Decision: isms.DecisionExcluded, Status: isms.StatusNotStarted, Warnings: []isms.WarningKind{isms.WarnExcludedNoReason}},
					{ControlID: "c4", Ref: "A.5.4", Status: isms.StatusPlanned, Warnings: []isms.WarningKind{isms.WarnUndecided}},
					{ControlID: "c5", Ref: "A.5.5", Status: isms.StatusNotStarted, Warnings: []isms.WarningKind{isms.WarnUndecided}},
				},
				{{ControlID: "c1", Ref: "A.5.1", Decision: isms.DecisionIncluded, Justification: "Policy", Status: isms.StatusPartial}},
			}
			for i, entries := range versions {
				b, err := json.Marshal(entries)
				if err != nil {
					t.Fatal(err)
				}
				db.exec(t, `INSERT INTO soa_versions (id, org_id, number, approved_at, approved_by, approver_role, note, entries, fingerprint)
					VALUES ($1, 'o1', $2, $3, 'u1', 'owner', 'Before the upgrade', $4, $5)`,
					fmt.Sprintf("v%d", i+1), i+1, now, string(b), isms.SoAFingerprint(entries))
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			a, _, err := db.ActorFor(ctx, "u1", "old")
			if err != nil {
				t.Fatal(err)
			}
			vs, err := db.SoAVersions(ctx, a)
			if err != nil || len(vs) != 2 {
				t.Fatalf("%d versions, %v", len(vs), err)
			}
			for _, v := range vs {
				entries := versions[v.Number-1]
				if got := v.Summary; got != isms.SummarizeEntries(entries) {
					t.Errorf("version %d summary %+v, want %+v", v.Number, got, isms.SummarizeEntries(entries))
				}
			}
			if s := vs[1].Summary; s != (isms.SoASummary{Controls: 5, Included: 2, Excluded: 1, Undecided: 2, Implemented: 2, Warnings: 5}) {
				t.Errorf("version 1 summary %+v", s)
			}
			if s := vs[0].Summary; s != (isms.SoASummary{Controls: 1, Included: 1}) {
				t.Errorf("version 2 summary %+v", s)
			}
			if _, err := db.raw.ExecContext(ctx, `UPDATE soa_versions SET controls = 0`); err == nil {
				t.Error("a published version could be changed after the migration")
			}
		})
	}
}

// TestSoAVersionsSurviveBackup: a restored installation lists the same
// versions with the same summaries, and the draft still matches the
// latest of them, on either database.
func TestSoAVersionsSurviveBackup(t *testing.T) {
	ds := storetest.Dialects(t)
	for _, from := range ds {
		for _, to := range ds {
			t.Run(string(from)+"_to_"+string(to), func(t *testing.T) {
				ctx := context.Background()
				src := openTestDB(t, from, true)
				f := storetest.Seed(t, src.DB, "acme")
				owner := f.Owner()
				c := controlByRef(t, src.DB, owner, "A.5.1")
				c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Policy set", isms.StatusImplemented
				if _, err := src.UpdateControl(ctx, owner, c, c.Version); err != nil {
					t.Fatal(err)
				}
				if _, err := src.PublishSoA(ctx, owner, "First"); err != nil {
					t.Fatal(err)
				}
				want, err := src.SoAVersions(ctx, owner)
				if err != nil {
					t.Fatal(err)
				}
				archive, _ := backup(t, src.DB)
				dst := openTestDB(t, to, false)
				if _, err := dst.Restore(ctx, bytes.NewReader(archive), int64(len(archive))); err != nil {
					t.Fatalf("restore: %v", err)
				}
				a, _, err := dst.ActorFor(ctx, f.Users[isms.RoleOwner].ID, "acme")
				if err != nil {
					t.Fatal(err)
				}
				got, err := dst.SoAVersions(ctx, a)
				if err != nil || len(got) != 1 || got[0].Summary != want[0].Summary || got[0].Summary.Implemented != 1 || got[0].Note != "First" {
					t.Fatalf("restored versions %+v, %v; want %+v", got, err, want)
				}
				if s, err := dst.SoAOverview(ctx, a); err != nil || s.Latest != 1 || s.Changed {
					t.Fatalf("restored draft: latest %d, changed %v, %v", s.Latest, s.Changed, err)
				}
			})
		}
	}
}
