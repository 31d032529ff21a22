package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// matrixRecords makes the record that a route's {id} names, for registers
// whose records are not people. The key is the path segment before {id}
// ("assets" in /o/{org}/assets/{id}); the record always belongs to the
// first organisation, so that the second organisation's owner must get 404
// for it through either organisation's URLs. A register adds itself here.
var matrixRecords = map[string]func(ctx context.Context, db *store.DB, w *world) (string, error){
	"assets": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateAsset(ctx, w.a.Owner(), isms.Asset{Name: "Matrix asset", Type: isms.AssetHardware})
		return x.ID, err
	},
	"threats": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateThreat(ctx, w.a.Owner(), isms.Threat{Kind: isms.KindThreat, Title: "Matrix threat", Category: "deliberate"})
		return x.ID, err
	},
	"vulnerabilities": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateThreat(ctx, w.a.Owner(), isms.Threat{Kind: isms.KindVulnerability, Title: "Matrix weakness", Category: "process"})
		return x.ID, err
	},
	// The matrix risk has no owner yet, so that editors (not contributors)
	// may change it and record the owner's decisions.
	"risks": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateRisk(ctx, w.a.Owner(), isms.Risk{Title: "Matrix risk"})
		return x.ID, err
	},
	// The matrix risk criteria are the approved version in force (made
	// from the 5×5 preset unless a draft or a version already exists).
	"risk-criteria": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		a := w.a.Owner()
		if c, ok, err := db.CurrentCriteria(ctx, a); err != nil || ok {
			return c.ID, err
		}
		c, ok, err := db.DraftCriteria(ctx, a)
		if err != nil {
			return "", err
		}
		if !ok {
			if c, err = db.StartCriteria(ctx, a, isms.Preset5x5); err != nil {
				return "", err
			}
		}
		c, err = db.ApproveCriteria(ctx, a, c.ID, c.Version)
		return c.ID, err
	},
	// The matrix control is Annex A control 5.1, owned by nobody, so that
	// only editors may change it; the matrix evidence is the owner's.
	"controls": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		cs, err := db.ActiveControls(ctx, w.a.Owner())
		if err != nil || len(cs) == 0 {
			return "", err
		}
		return cs[0].ID, nil
	},
	"evidence": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateEvidence(ctx, w.a.Owner(), isms.Evidence{Title: "Matrix evidence", Kind: isms.EvidenceFile}, nil,
			&store.Upload{Name: "matrix.txt", R: strings.NewReader("matrix"), Max: 100})
		return x.ID, err
	},
	// The matrix SoA version is the first approved one; approving again
	// (the approval route may have run first) changes nothing.
	"versions": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		if _, err := db.PublishSoA(ctx, w.a.Owner(), "Matrix"); err != nil && isms.ErrorKind(err) != isms.KindConflict {
			return "", err
		}
		return "1", nil
	},
	// The matrix risk assessment is an open run under the first approved
	// risk criteria (approved here when no route has yet).
	"assessments": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		owner := w.a.Owner()
		if _, ok, err := db.CurrentCriteria(ctx, owner); err != nil {
			return "", err
		} else if !ok {
			d, ok, err := db.DraftCriteria(ctx, owner)
			if err != nil {
				return "", err
			}
			if !ok {
				if d, err = db.StartCriteria(ctx, owner, isms.Preset3x3); err != nil {
					return "", err
				}
			}
			if _, err := db.ApproveCriteria(ctx, owner, d.ID, d.Version); err != nil {
				return "", err
			}
		}
		x, err := db.CreateAssessment(ctx, owner, isms.Assessment{Date: "2026-01-15", Scope: "Matrix run", OtherParticipants: "Matrix"})
		return x.ID, err
	},
	// The matrix action is the staff member's, so that the routes open to
	// the responsible member can be told from those open to editors only.
	"actions": func(ctx context.Context, db *store.DB, w *world) (string, error) {
		x, err := db.CreateAction(ctx, w.a.Owner(), isms.Action{Title: "Matrix action", ResponsibleID: w.a.Users[isms.RoleStaff].ID})
		return x.ID, err
	},
}

var matrixIDs sync.Map // world + register → record id

// recordID returns the id a pattern's {id} stands for: a record of the
// register the pattern is about, made once per world, or the person.
func (w *world) recordID(t *testing.T, pattern string, person isms.Person) string {
	t.Helper()
	before, _, ok := strings.Cut(pattern, "/{id}")
	if !ok {
		return person.ID
	}
	register := before[strings.LastIndex(before, "/")+1:]
	mk, ok := matrixRecords[register]
	if !ok {
		return person.ID
	}
	key := struct {
		w   *world
		reg string
	}{w, register}
	if id, ok := matrixIDs.Load(key); ok {
		return id.(string)
	}
	id, err := mk(context.Background(), w.db, w)
	if err != nil {
		t.Fatalf("make a %s record for the matrix: %v", register, err)
	}
	matrixIDs.Store(key, id)
	return id
}
