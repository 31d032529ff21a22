package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestEvidenceFiles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		c := controlByRef(t, db, owner, "A.8.13")
		content := append(append([]byte{}, pngHeader...), bytes.Repeat([]byte("x"), 1000)...)
		sum := sha256.Sum256(content)
		e, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Backup dashboard", Kind: isms.EvidenceFile, CollectedOn: "2025-05-01"},
			[]string{c.ID, c.ID}, &store.Upload{Name: "../../../etc/screen shot.png", R: bytes.NewReader(content), Max: 4096})
		if err != nil {
			t.Fatal(err)
		}
		if e.Ref != "E-001" || e.FileName != "screen shot.png" || e.FileSize != int64(len(content)) ||
			e.SHA256 != hex.EncodeToString(sum[:]) || e.ContentType != "image/png" {
			t.Fatalf("stored evidence %+v", e)
		}
		// Kept under <data>/files/evidence/<org>/<id>, nowhere else.
		path := filepath.Join(db.DataDir(), "files", "evidence", f.Org.ID, e.ID)
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, content) {
			t.Fatalf("file on disk: %v", err)
		}
		left, _ := filepath.Glob(filepath.Join(db.DataDir(), "files", "evidence", f.Org.ID, ".upload-*"))
		if len(left) != 0 {
			t.Fatalf("temporary files left: %v", left)
		}
		links, err := db.EvidenceControls(ctx, owner, e.ID)
		if err != nil || len(links) != 1 || links[0].OtherRef != "A.8.13" {
			t.Fatalf("links %+v %v", links, err)
		}
		// Download: readers only, audited.
		before, _, _ := db.VerifyAuditLog(ctx)
		got, rc, err := db.OpenEvidenceFile(ctx, f.Actors[isms.RoleAuditor], e.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, content) || got.FileName != "screen shot.png" {
			t.Fatal("downloaded content differs")
		}
		if after, _, _ := db.VerifyAuditLog(ctx); after != before+1 {
			t.Fatalf("download not audited: %d → %d", before, after)
		}
		if _, _, err := db.OpenEvidenceFile(ctx, f.Actors[isms.RoleStaff], e.ID); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff download: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if _, _, err := db.OpenEvidenceFile(ctx, g.Owner(), e.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("download from another organisation: %v", err)
		}

		// Over the limit: refused, nothing stored, no file left behind.
		_, err = db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Too big", Kind: isms.EvidenceFile}, nil,
			&store.Upload{Name: "big.bin", R: bytes.NewReader(make([]byte, 4097)), Max: 4096})
		if isms.ErrorKind(err) != isms.KindTooLarge || fieldOf(err) != "file" {
			t.Fatalf("oversized upload: %v", err)
		}
		if _, err = db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Empty", Kind: isms.EvidenceFile}, nil,
			&store.Upload{Name: "empty.txt", R: bytes.NewReader(nil), Max: 4096}); fieldOf(err) != "file" {
			t.Fatalf("empty upload: %v", err)
		}
		if _, err = db.CreateEvidence(ctx, owner, isms.Evidence{Title: "No file", Kind: isms.EvidenceFile}, nil, nil); fieldOf(err) != "file" {
			t.Fatalf("file evidence without a file: %v", err)
		}
		p, _ := db.EvidenceList(ctx, owner, isms.ListQuery{})
		if p.Total != 1 {
			t.Fatalf("%d evidence records after refused uploads", p.Total)
		}
		if entries, _ := os.ReadDir(filepath.Join(db.DataDir(), "files", "evidence", f.Org.ID)); len(entries) != 1 {
			t.Fatalf("files after refused uploads: %v", entries)
		}

		// Replacing the file keeps one file and updates the hash.
		e2, err := db.UpdateEvidence(ctx, owner, e, e.Version, nil, &store.Upload{Name: "v2.txt", R: bytes.NewReader([]byte("second version")), Max: 4096})
		if err != nil || e2.FileName != "v2.txt" || e2.ContentType != "text/plain; charset=utf-8" || e2.Version != e.Version+1 {
			t.Fatalf("replace: %+v %v", e2, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "second version" {
			t.Fatalf("file after replace: %q", b)
		}
		if links, _ := db.EvidenceControls(ctx, owner, e.ID); len(links) != 1 {
			t.Fatal("links changed although none were given")
		}
		// An empty list unlinks every control.
		if e2, err = db.UpdateEvidence(ctx, owner, e2, e2.Version, []string{}, nil); err != nil {
			t.Fatal(err)
		}
		if links, _ := db.EvidenceControls(ctx, owner, e.ID); len(links) != 0 {
			t.Fatalf("links after clearing: %+v", links)
		}
		// Stale edits conflict.
		if _, err := db.UpdateEvidence(ctx, owner, e, e.Version, nil, nil); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale: %v", err)
		}
	})
}

// TestEvidenceFilesStayInside plants a symbolic link where the
// organisation's evidence folder would be, pointing outside the data
// directory: the upload must fail rather than write through it.
func TestEvidenceFilesStayInside(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	f := storetest.Seed(t, db, "acme")
	outside := t.TempDir()
	dir := filepath.Join(db.DataDir(), "files", "evidence")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, f.Org.ID)); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateEvidence(ctx, f.Owner(), isms.Evidence{Title: "Escape", Kind: isms.EvidenceFile}, nil,
		&store.Upload{Name: "x.txt", R: bytes.NewReader([]byte("escape")), Max: 100})
	if err == nil {
		t.Fatal("upload wrote through a link leaving the data directory")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("files written outside: %v", entries)
	}
}

func TestEvidenceRules(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		if _, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Wiki", Kind: isms.EvidenceLink, URL: "javascript:alert(1)"}, nil, nil); fieldOf(err) != "url" {
			t.Fatalf("script URL: %v", err)
		}
		// Contributors record evidence they own; it defaults to them.
		mine, err := db.CreateEvidence(ctx, contrib, isms.Evidence{Title: "Training log", Kind: isms.EvidenceLink, URL: "https://lms.example.com/log", ValidUntil: "2025-06-20"}, nil, nil)
		if err != nil || mine.OwnerID != contrib.UserID {
			t.Fatalf("contributor evidence %+v %v", mine, err)
		}
		if _, err := db.CreateEvidence(ctx, contrib, isms.Evidence{Title: "x", Kind: isms.EvidenceNote, Description: "y", OwnerID: owner.UserID}, nil, nil); fieldOf(err) != "owner_id" {
			t.Fatalf("contributor recording for someone else: %v", err)
		}
		theirs, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Board minutes", Kind: isms.EvidenceNote, Description: "Approved", ValidUntil: "2025-05-01"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateEvidence(ctx, contrib, theirs, theirs.Version, nil, nil); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor editing another's evidence: %v", err)
		}
		if _, err := db.CreateEvidence(ctx, f.Actors[isms.RoleAuditor], isms.Evidence{Title: "x", Kind: isms.EvidenceNote, Description: "y"}, nil, nil); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor recording evidence: %v", err)
		}
		// Expired and soon-expiring lists.
		list := func(expiry string) []string {
			t.Helper()
			p, err := db.EvidenceList(ctx, owner, isms.ListQuery{Filters: map[string]string{"expiry": expiry}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range p.Items {
				out = append(out, e.Title)
			}
			return out
		}
		if got := list(store.ExpiryExpired); len(got) != 1 || got[0] != "Board minutes" {
			t.Fatalf("expired %v", got)
		}
		if got := list(store.ExpirySoon); len(got) != 1 || got[0] != "Training log" {
			t.Fatalf("soon %v", got)
		}
		// The counts above the list agree with the filtered lists.
		if _, expired, soon, err := db.EvidenceRegister(ctx, owner, isms.ListQuery{}); err != nil || expired != 1 || soon != 1 {
			t.Fatalf("expiry counts: %d expired, %d soon, %v; want 1 and 1", expired, soon, err)
		}
		if _, _, _, err := db.EvidenceRegister(ctx, f.Actors[isms.RoleStaff], isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff reading expiry counts: %v", err)
		}
		if _, err := db.EvidenceList(ctx, owner, isms.ListQuery{Filters: map[string]string{"expiry": "someday"}}); fieldOf(err) != "expiry" {
			t.Fatalf("bad expiry filter: %v", err)
		}

		// Evidence requests are actions in the owner's list.
		c := controlByRef(t, db, owner, "A.6.3")
		x, err := db.RequestEvidence(ctx, owner, "control", c.ID, isms.Action{Title: "Send the 2025 training records", ResponsibleID: contrib.UserID, DueDate: "2025-06-30"})
		if err != nil {
			t.Fatal(err)
		}
		if x.ServesType != "control" || x.ServesID != c.ID || x.Ref == "" {
			t.Fatalf("request %+v", x)
		}
		my, err := db.MyActions(ctx, contrib, isms.ListQuery{})
		if err != nil || my.Total != 1 || my.Items[0].ID != x.ID {
			t.Fatalf("contributor's actions %+v %v", my.Items, err)
		}
		if _, err := db.RequestEvidence(ctx, owner, "control", c.ID, isms.Action{Title: "x"}); fieldOf(err) != "responsible_id" {
			t.Fatalf("request without responsible: %v", err)
		}
		if _, err := db.RequestEvidence(ctx, contrib, "control", c.ID, isms.Action{Title: "x", ResponsibleID: contrib.UserID, DueDate: "2025-07-01"}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor requesting: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if _, err := db.RequestEvidence(ctx, g.Owner(), "control", c.ID, isms.Action{Title: "x", ResponsibleID: g.Owner().UserID, DueDate: "2025-07-01"}); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("request for another organisation's control: %v", err)
		}
		reqs, err := db.ActionsServing(ctx, owner, "control", c.ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests of the control %d %v", len(reqs), err)
		}
	})
}
