package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// orgAudit returns the organisation's audit entries, oldest first.
func orgAudit(t *testing.T, db *store.DB, a isms.Actor) []isms.AuditEntry {
	t.Helper()
	page, err := db.AuditLog(context.Background(), a, isms.AuditFilter{Limit: isms.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]isms.AuditEntry, 0, len(page.Items))
	for i := len(page.Items) - 1; i >= 0; i-- {
		out = append(out, page.Items[i])
	}
	return out
}

func TestEveryWriteAuditsOnce(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		other := storetest.Seed(t, db, "other")
		owner := f.Owner()
		var person isms.Person
		steps := []struct {
			name                  string
			do                    func() error
			recordType, action    string
			recordID              func() string
			before, after         map[string]any // fields that must have these values
			beforeEmpty, afterNil bool
		}{
			{
				name: "create person",
				do: func() (err error) {
					person, err = db.CreatePerson(ctx, owner, isms.Person{Name: "Ada", JobTitle: "CISO"})
					return err
				},
				recordType: "person", action: isms.ActionCreate, recordID: func() string { return person.ID },
				beforeEmpty: true, after: map[string]any{"name": "Ada", "job_title": "CISO", "ref": "P-001"},
			},
			{
				name: "update person",
				do: func() (err error) {
					p := person
					p.JobTitle = "CTO"
					person, err = db.UpdatePerson(ctx, owner, p, p.Version)
					return err
				},
				recordType: "person", action: isms.ActionUpdate, recordID: func() string { return person.ID },
				before: map[string]any{"job_title": "CISO", "name": "Ada"}, after: map[string]any{"job_title": "CTO", "name": "Ada"},
			},
			{
				name: "archive person",
				do: func() (err error) {
					person, err = db.ArchivePerson(ctx, owner, person.ID, person.Version, true)
					return err
				},
				recordType: "person", action: isms.ActionArchive, recordID: func() string { return person.ID },
				before: map[string]any{"archived": "false"}, after: map[string]any{"archived": "true"},
			},
			{
				name: "restore person",
				do: func() (err error) {
					person, err = db.ArchivePerson(ctx, owner, person.ID, person.Version, false)
					return err
				},
				recordType: "person", action: isms.ActionRestore, recordID: func() string { return person.ID },
				before: map[string]any{"archived": "true"}, after: map[string]any{"archived": "false"},
			},
			{
				name: "change role",
				do: func() error {
					return db.ChangeRole(ctx, owner, f.Users[isms.RoleStaff].ID, isms.RoleAuditor, 1)
				},
				recordType: "membership", action: isms.ActionUpdate, recordID: func() string { return f.Users[isms.RoleStaff].ID },
				before: map[string]any{"role": "staff"}, after: map[string]any{"role": "auditor"},
			},
			{
				name: "add existing user",
				do: func() error {
					_, _, err := db.AddMember(ctx, owner, store.NewMember{Email: "owner@other.test", Role: isms.RoleContributor})
					return err
				},
				recordType: "membership", action: isms.ActionCreate, recordID: func() string { return other.Users[isms.RoleOwner].ID },
				beforeEmpty: true, after: map[string]any{"role": "contributor"},
			},
			{
				name: "remove member",
				do: func() error {
					return db.RemoveMember(ctx, owner, other.Users[isms.RoleOwner].ID)
				},
				recordType: "membership", action: isms.ActionDelete, recordID: func() string { return other.Users[isms.RoleOwner].ID },
				before: map[string]any{"role": "contributor"}, afterNil: true,
			},
			{
				name: "update organisation",
				do: func() error {
					o := f.Org
					o.Sector = "Software"
					_, err := db.UpdateOrg(ctx, owner, o, o.Version)
					return err
				},
				recordType: "organisation", action: isms.ActionUpdate, recordID: func() string { return f.Org.ID },
				before: map[string]any{"sector": "", "slug": "acme"}, after: map[string]any{"sector": "Software", "slug": "acme"},
			},
		}
		for _, s := range steps {
			before := orgAudit(t, db, owner)
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			after := orgAudit(t, db, owner)
			if len(after) != len(before)+1 {
				t.Fatalf("%s appended %d audit entries; want 1", s.name, len(after)-len(before))
			}
			e := after[len(after)-1]
			if e.RecordType != s.recordType || e.Action != s.action || e.RecordID != s.recordID() || e.ActorID != owner.UserID || e.OrgID != owner.OrgID {
				t.Errorf("%s: entry %+v", s.name, e)
			}
			if e.Seq != int64(len(after)) || e.PrevHash != before[len(before)-1].Hash {
				t.Errorf("%s: entry #%d does not extend the chain", s.name, e.Seq)
			}
			if s.beforeEmpty && e.Before != "" {
				t.Errorf("%s: before = %s; want empty", s.name, e.Before)
			}
			if s.afterNil && e.After != "" {
				t.Errorf("%s: after = %s; want empty", s.name, e.After)
			}
			checkFields(t, s.name+" before", isms.DecodeFields(e.Before), s.before)
			checkFields(t, s.name+" after", isms.DecodeFields(e.After), s.after)
		}
		// Saving without a change writes nothing, not even to the log.
		n := len(orgAudit(t, db, owner))
		if _, err := db.UpdatePerson(ctx, owner, person, person.Version); err != nil {
			t.Fatal(err)
		}
		if got := len(orgAudit(t, db, owner)); got != n {
			t.Errorf("an unchanged save appended %d entries", got-n)
		}
		// A refused write leaves no entry either.
		if _, err := db.CreatePerson(ctx, owner, isms.Person{Name: ""}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("invalid person: %v", err)
		}
		if got := len(orgAudit(t, db, owner)); got != n {
			t.Errorf("a refused write appended %d entries", got-n)
		}
		checked, brk, err := db.VerifyAuditLog(ctx)
		if err != nil || brk != nil || checked < int64(n) {
			t.Fatalf("verify: %d %+v %v", checked, brk, err)
		}
	})
}

func checkFields(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %#v; want %#v (all: %v)", what, k, got[k], v, got)
		}
	}
}

// auditEntryAltered is a tampering that changes what the i-th entry of
// the chain records.
func auditEntryAltered(i int) func(*testing.T, testDB, []isms.AuditEntry) (isms.AuditEntry, string) {
	return func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
		dropAuditTrigger(t, db, "audit_log_no_update")
		db.exec(t, `UPDATE audit_log SET after_values = $1 WHERE id = $2`, `{"name":"Mallory"}`, chain[i].ID)
		return chain[i], "altered"
	}
}

// auditFieldNulled is a tampering that sets column of the i-th entry of
// the chain to NULL, which the audit log's own columns refuse, in a copy
// of the log without its constraints; reason is a word the break found
// must use.
func auditFieldNulled(column string, i int, reason string) func(*testing.T, testDB, []isms.AuditEntry) (isms.AuditEntry, string) {
	return func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
		unconstrainAuditLog(t, db)
		db.exec(t, `UPDATE audit_log SET `+column+` = NULL WHERE id = $1`, chain[i].ID)
		return chain[i], reason
	}
}

// unconstrainAuditLog replaces the audit log with a copy that has no
// constraints and no triggers, as an attacker with database access could.
func unconstrainAuditLog(t *testing.T, db testDB) {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE audit_copy AS SELECT * FROM audit_log`,
		`DROP TABLE audit_log`,
		`ALTER TABLE audit_copy RENAME TO audit_log`,
	} {
		db.exec(t, q)
	}
}

// dropAuditTrigger removes one of the triggers that make the audit log
// append-only, as an attacker with database access could.
func dropAuditTrigger(t *testing.T, db testDB, name string) {
	t.Helper()
	if db.dialect == store.Postgres {
		db.exec(t, `DROP TRIGGER `+name+` ON audit_log`)
	} else {
		db.exec(t, `DROP TRIGGER `+name)
	}
}

// auditFixture makes an organisation with a chain of at least six entries
// and returns it with the chain.
func auditFixture(t *testing.T, db testDB) (storetest.Fixture, []isms.AuditEntry) {
	t.Helper()
	f := storetest.Seed(t, db.DB, "acme")
	for _, name := range []string{"Ada", "Bob", "Cy"} {
		if _, err := db.CreatePerson(context.Background(), f.Owner(), isms.Person{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	chain := orgAudit(t, db.DB, f.Owner())
	if len(chain) < 6 {
		t.Fatalf("chain has %d entries", len(chain))
	}
	if _, brk, err := db.VerifyAuditLog(context.Background()); err != nil || brk != nil {
		t.Fatalf("fresh chain: %+v %v", brk, err)
	}
	return f, chain
}

func TestAuditLogTamperingIsDetected(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d)+"/altered", func(t *testing.T) {
			db := openTestDB(t, d, true)
			f, chain := auditFixture(t, db)
			other := storetest.Seed(t, db.DB, "other")
			victim := chain[3]
			dropAuditTrigger(t, db, "audit_log_no_update")
			db.exec(t, `UPDATE audit_log SET after_values = $1 WHERE id = $2`, `{"name":"Mallory"}`, victim.ID)
			_, brk, err := db.VerifyAuditLog(context.Background())
			if err != nil || brk == nil {
				t.Fatalf("altered entry not found: %v", err)
			}
			if brk.OrgID != f.Org.ID || brk.Seq != victim.Seq || brk.ID != victim.ID || !strings.Contains(brk.Reason, "altered") {
				t.Errorf("break %+v; want entry #%d (%s) reported as altered", brk, victim.Seq, victim.ID)
			}
			// The organisation's own check finds it too; another
			// organisation's chain is intact.
			if _, own, err := db.VerifyOrgAuditLog(context.Background(), f.Org.ID); err != nil || own == nil || own.ID != victim.ID {
				t.Errorf("organisation check: %+v %v; want entry %s", own, err, victim.ID)
			}
			if n, other, err := db.VerifyOrgAuditLog(context.Background(), other.Org.ID); err != nil || other != nil || n == 0 {
				t.Errorf("another organisation's check: %d entries, break %+v, %v", n, other, err)
			}
		})
		t.Run(string(d)+"/middle_deleted", func(t *testing.T) {
			db := openTestDB(t, d, true)
			f, chain := auditFixture(t, db)
			victim := chain[2]
			dropAuditTrigger(t, db, "audit_log_no_delete")
			db.exec(t, `DELETE FROM audit_log WHERE id = $1`, victim.ID)
			_, brk, err := db.VerifyAuditLog(context.Background())
			if err != nil || brk == nil {
				t.Fatalf("deleted entry not found: %v", err)
			}
			if brk.OrgID != f.Org.ID || brk.Seq != victim.Seq+1 || !strings.Contains(brk.Reason, "missing") || !strings.Contains(brk.Reason, fmt.Sprintf("expected entry %d here", victim.Seq)) {
				t.Errorf("break %+v; want entry #%d reported missing", brk, victim.Seq)
			}
		})
		t.Run(string(d)+"/last_deleted", func(t *testing.T) {
			db := openTestDB(t, d, true)
			f, chain := auditFixture(t, db)
			victim := chain[len(chain)-1]
			dropAuditTrigger(t, db, "audit_log_no_delete")
			db.exec(t, `DELETE FROM audit_log WHERE id = $1`, victim.ID)
			_, brk, err := db.VerifyAuditLog(context.Background())
			if err != nil || brk == nil {
				t.Fatalf("removed tail not found: %v", err)
			}
			if brk.OrgID != f.Org.ID || brk.Seq != victim.Seq || !strings.Contains(brk.Reason, "removed") {
				t.Errorf("break %+v; want entry #%d reported removed", brk, victim.Seq)
			}
		})
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := openTestDB(t, d, true)
			f, chain := auditFixture(t, db)
			stmts := []string{
				`UPDATE audit_log SET after_values = '{}' WHERE id = '` + chain[1].ID + `'`,
				`DELETE FROM audit_log WHERE id = '` + chain[1].ID + `'`,
				`DELETE FROM audit_log`,
			}
			if d == store.Postgres {
				stmts = append(stmts, `TRUNCATE audit_log`)
			}
			for _, q := range stmts {
				_, err := db.raw.Exec(q)
				if err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v; want the database to refuse it", q, err)
				}
			}
			if got := orgAudit(t, db.DB, f.Owner()); len(got) != len(chain) {
				t.Errorf("chain has %d entries after refused changes; want %d", len(got), len(chain))
			}
			if _, brk, err := db.VerifyAuditLog(context.Background()); err != nil || brk != nil {
				t.Errorf("chain after refused changes: %+v %v", brk, err)
			}
		})
	}
}

// Chains are read a chunk at a time; every kind of tampering is found
// wherever the chunk boundaries fall, for one organisation's chain and for
// the whole installation's.
func TestAuditLogTamperingIsDetectedAtChunkBoundaries(t *testing.T) {
	chunks := []int{1, 2, 3, 4, 5, 1000}
	cases := []struct {
		name string
		// tamper changes the chain and returns the entry that must be
		// reported (its id may be empty) and a word the reason must use.
		tamper func(t *testing.T, db testDB, chain []isms.AuditEntry) (want isms.AuditEntry, reason string)
	}{
		{"intact", func(*testing.T, testDB, []isms.AuditEntry) (isms.AuditEntry, string) { return isms.AuditEntry{}, "" }},
		{"altered", auditEntryAltered(3)},
		{"time_rewritten", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			dropAuditTrigger(t, db, "audit_log_no_update")
			db.exec(t, `UPDATE audit_log SET at = $1 WHERE id = $2`, isms.FormatTime(chain[4].At.Add(-time.Hour)), chain[4].ID)
			return chain[4], "altered"
		}},
		{"reordered", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			dropAuditTrigger(t, db, "audit_log_no_update")
			a, b := chain[2], chain[3]
			db.exec(t, `UPDATE audit_log SET seq = -1 WHERE id = $1`, a.ID)
			db.exec(t, `UPDATE audit_log SET seq = $1 WHERE id = $2`, a.Seq, b.ID)
			db.exec(t, `UPDATE audit_log SET seq = $1 WHERE id = $2`, b.Seq, a.ID)
			want := b
			want.Seq = a.Seq
			return want, "link"
		}},
		{"middle_deleted", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			dropAuditTrigger(t, db, "audit_log_no_delete")
			db.exec(t, `DELETE FROM audit_log WHERE id = $1`, chain[2].ID)
			return chain[3], "missing"
		}},
		{"last_deleted", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			dropAuditTrigger(t, db, "audit_log_no_delete")
			last := chain[len(chain)-1]
			db.exec(t, `DELETE FROM audit_log WHERE id = $1`, last.ID)
			return isms.AuditEntry{Seq: last.Seq}, "removed"
		}},
		{"last_rewritten_with_its_hash", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			// Hash and link both match; only the chain's head still
			// remembers the entry's original hash.
			dropAuditTrigger(t, db, "audit_log_no_update")
			last := chain[len(chain)-1]
			forged := last
			forged.After = `{"name":"Mallory"}`
			db.exec(t, `UPDATE audit_log SET after_values = $1, hash = $2 WHERE id = $3`, forged.After, forged.ComputeHash(), last.ID)
			return last, "head"
		}},
		{"early_altered", auditEntryAltered(1)},
		{"rewritten_from_the_middle", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			// From the middle on (where a chain read in halves is
			// joined), every entry and the head are rewritten to hash and
			// link among themselves; only the first rewritten entry's
			// link to the entry before it is wrong.
			dropAuditTrigger(t, db, "audit_log_no_update")
			k := len(chain) / 2
			prev := "forged"
			for _, e := range chain[k:] {
				e.PrevHash = prev
				e.Hash = e.ComputeHash()
				db.exec(t, `UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3`, e.PrevHash, e.Hash, e.ID)
				prev = e.Hash
			}
			db.exec(t, `UPDATE audit_heads SET hash = $1 WHERE org_id = $2`, prev, chain[k].OrgID)
			return chain[k], "link"
		}},
		{"field_emptied_to_null", auditFieldNulled("before_values", 3, "altered")},
		{"hash_emptied_to_null", auditFieldNulled("hash", 2, "altered")},
		{"link_emptied_to_null", auditFieldNulled("prev_hash", 4, "link")},
		// An entry without a number falls out of the chain's order: the
		// entry after it reports its number missing, as if it were deleted.
		{"number_emptied_to_null", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			auditFieldNulled("seq", 2, "")(t, db, chain)
			return chain[3], "missing"
		}},
		// The first entry links to nothing; without its empty link its
		// hashed text loses a field.
		{"first_link_emptied_to_null", auditFieldNulled("prev_hash", 0, "altered")},
		{"last_numbered_with_text", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			if db.dialect != store.SQLite {
				t.Skip("PostgreSQL keeps only numbers in a number column")
			}
			dropAuditTrigger(t, db, "audit_log_no_update")
			last := chain[len(chain)-1]
			db.exec(t, `UPDATE audit_log SET seq = 'last' WHERE id = $1`, last.ID)
			return isms.AuditEntry{Seq: last.Seq}, "no sequence number"
		}},
		{"entry_repeated", func(t *testing.T, db testDB, chain []isms.AuditEntry) (isms.AuditEntry, string) {
			// Without its constraints the table takes a second entry with
			// a sequence number already used, which a chunk may end at.
			unconstrainAuditLog(t, db)
			db.exec(t, `INSERT INTO audit_log SELECT 'copy', org_id, seq, at, actor_id, record_type, record_id, action, before_values, after_values, prev_hash, hash
				FROM audit_log WHERE id = $1`, chain[2].ID)
			return isms.AuditEntry{}, "?"
		}},
	}
	for _, d := range storetest.Dialects(t) {
		for _, tc := range cases {
			t.Run(string(d)+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				db := openTestDB(t, d, true)
				f, chain := auditFixture(t, db)
				other := storetest.Seed(t, db.DB, "other")
				total, _, err := db.VerifyAuditLog(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want, reason := tc.tamper(t, db, chain)
				for _, n := range chunks {
					for _, split := range []int64{0, 2} {
						for _, org := range []*string{&f.Org.ID, nil} {
							checked, brk, err := db.VerifyAuditLogInChunks(ctx, org, n, split)
							if err != nil {
								t.Fatalf("%d per query: %v", n, err)
							}
							what := fmt.Sprintf("%d per query, halves from %d, organisation only %v", n, split, org != nil)
							switch {
							case reason == "":
								if brk != nil || (org == nil && checked != total) || checked == 0 {
									t.Errorf("%s: %d entries, break %+v; want all %d intact", what, checked, brk, total)
								}
							case brk == nil:
								t.Errorf("%s: tampering not found (%d entries checked)", what, checked)
							case brk.OrgID != f.Org.ID:
								t.Errorf("%s: break %+v in the wrong organisation", what, brk)
							case reason == "?":
								// Which way a repeated entry shows depends on
								// where the chunks end.
							case brk.Seq != want.Seq || brk.ID != want.ID || !strings.Contains(brk.Reason, reason):
								t.Errorf("%s: break %+v; want entry #%d (%q) reported with %q", what, brk, want.Seq, want.ID, reason)
							}
						}
					}
					// The other organisation's chain is untouched.
					if n, brk, err := db.VerifyAuditLogInChunks(ctx, &other.Org.ID, n, 2); err != nil || brk != nil || n == 0 {
						t.Errorf("other organisation: %d entries, break %+v, %v", n, brk, err)
					}
				}
			})
		}
	}
}

// A chain verified while entries are appended to it is intact: the
// verification reads its chunks, counts and chain heads in one snapshot.
func TestAuditLogVerifiedWhileAppended(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		done := make(chan error, 1)
		go func() {
			for i := range 40 {
				if _, err := db.CreatePerson(ctx, f.Owner(), isms.Person{Name: fmt.Sprintf("Person %d", i)}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for verified := 0; ; verified++ {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				if verified == 0 {
					t.Log("the appends finished before a verification ran")
				}
				return
			default:
			}
			for _, org := range []*string{&f.Org.ID, nil} {
				for _, split := range []int64{0, 2} {
					if n, brk, err := db.VerifyAuditLogInChunks(ctx, org, 2, split); err != nil || brk != nil {
						t.Fatalf("verification %d while appending (%d entries, halves from %d): break %+v, %v", verified, n, split, brk, err)
					}
				}
			}
		}
	})
}
