package store

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// TestCatalogueSync removes a catalogue control and scrambles another's
// catalogue fields, as an older binary would have left them: start-up
// brings both back without touching the firm's own fields.
func TestCatalogueSync(t *testing.T) {
	db := openInternalDB(t)
	ctx := context.Background()
	o, u, err := db.InitOrg(ctx, isms.Organisation{Slug: "acme", Name: "Acme"}, isms.User{Email: "o@acme.test", Name: "O", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.ActorFor(ctx, u.ID, "acme")
	if err != nil {
		t.Fatal(err)
	}
	err = db.write(ctx, func(t *tx) error {
		if _, err := t.Exec(`DELETE FROM controls WHERE org_id = $1 AND catalog_id = '8.34'`, o.ID); err != nil {
			return err
		}
		_, err := t.Exec(`UPDATE controls SET title = 'Old title', implementation = 'Our firewall', status = 'implemented' WHERE org_id = $1 AND catalog_id = '8.20'`, o.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.SyncCatalogControls(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sync added %d: %v", n, err)
	}
	cs, _ := db.ActiveControls(ctx, a)
	if len(cs) != 93 {
		t.Fatalf("%d controls after sync", len(cs))
	}
	for _, c := range cs {
		if c.CatalogID == "8.20" && (c.Title != "Networks security" || c.Implementation != "Our firewall" || c.Status != isms.StatusImplemented) {
			t.Fatalf("8.20 after sync: %+v", c)
		}
	}
	if n, err := db.SyncCatalogControls(ctx); err != nil || n != 0 {
		t.Fatalf("second sync added %d: %v", n, err)
	}
	// A start with the same catalogue skips the pass; a binary with
	// another catalogue (another fingerprint) runs it again.
	err = db.write(ctx, func(t *tx) error {
		_, err := t.Exec(`DELETE FROM controls WHERE org_id = $1 AND catalog_id = '8.33'`, o.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.SyncCatalogControls(ctx); err != nil || n != 0 {
		t.Fatalf("sync with an unchanged catalogue added %d: %v", n, err)
	}
	err = db.write(ctx, func(t *tx) error {
		_, err := t.Exec(`UPDATE settings SET value = 'an older catalogue' WHERE key = 'catalogue_fingerprint'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.SyncCatalogControls(ctx); err != nil || n != 1 {
		t.Fatalf("sync after a catalogue change added %d: %v", n, err)
	}
}

// TestSoAVersionsImmutable: the database itself refuses to change or
// remove a published version.
func TestSoAVersionsImmutable(t *testing.T) {
	db := openInternalDB(t)
	ctx := context.Background()
	_, u, err := db.InitOrg(ctx, isms.Organisation{Slug: "acme", Name: "Acme"}, isms.User{Email: "o@acme.test", Name: "O", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	a, _, _ := db.ActorFor(ctx, u.ID, "acme")
	v, err := db.PublishSoA(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE soa_versions SET note = 'changed' WHERE id = $1`, `DELETE FROM soa_versions WHERE id = $1`} {
		if err := db.write(ctx, func(t *tx) error { _, err := t.Exec(q, v.ID); return err }); err == nil {
			t.Fatalf("%s succeeded", q)
		}
	}
}

// openInternalDB opens a migrated SQLite database for tests inside the
// package (storetest cannot be imported from here).
func openInternalDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
