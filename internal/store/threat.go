package store

import (
	"context"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// threatTable describes the threat register or the vulnerability
// register; both have the same columns.
func threatTable(kind isms.ThreatKind, name, prefix string) *table[isms.Threat] {
	return &table[isms.Threat]{
		name:       name,
		recordType: string(kind),
		refPrefix:  prefix,
		fields:     isms.ThreatFields,
		columns:    []string{"catalogue_id", "title", "description", "category", "controls"},
		meta:       func(x *isms.Threat) *isms.Meta { return &x.Meta },
		dest: func(x *isms.Threat) []any {
			return []any{&x.CatalogueID, &x.Title, &x.Description, &x.Category, controlList{&x.Controls}}
		},
		values: func(x *isms.Threat) []any {
			return []any{x.CatalogueID, x.Title, x.Description, x.Category, strings.Join(x.Controls, ", ")}
		},
		fieldsOf:  func(x *isms.Threat) map[string]any { return x.Fields() },
		extra:     []extraColumn{{"kind", "'" + string(kind) + "'"}},
		extraDest: func(x *isms.Threat) []any { return []any{&x.Kind} },
		sorts: map[string]string{
			"ref": refSortKey, "title": "lower(title)", "category": "category", "updated_at": "updated_at",
		},
		defaultSort: "ref",
		filters:     map[string]string{"category": "category"},
		conds: map[string]func(string, func(any) string) (string, error){
			// source=catalogue or source=own: loaded from the starter
			// catalogue or added by the firm.
			"source": func(v string, _ func(any) string) (string, error) {
				switch v {
				case "catalogue":
					return "catalogue_id <> ''", nil
				case "own":
					return "catalogue_id = ''", nil
				}
				return "", isms.Invalid("source", "validation.choice")
			},
			// control=8.7: entries addressed by that control.
			"control": func(v string, arg func(any) string) (string, error) {
				v = strings.TrimPrefix(strings.TrimSpace(v), "A.")
				if len(v) > 10 {
					return "", isms.Invalid("control", "validation.choice")
				}
				return "(', ' || controls || ', ') LIKE " + arg("%, "+v+", %"), nil
			},
		},
		search: []string{"title", "description", "ref", "catalogue_id"},
		// The list pages show an entry's reference, title, catalogue id,
		// category and controls, not its description. The kind every
		// entry of the table has is set in Go rather than scanned.
		brief: []string{"description", "kind"},
		fillBrief: func(_ *tx, _ string, xs []isms.Threat) error {
			for i := range xs {
				xs[i].Kind = kind
			}
			return nil
		},
	}
}

var (
	threats         = threatTable(isms.KindThreat, "threats", "T")
	vulnerabilities = threatTable(isms.KindVulnerability, "vulnerabilities", "V")
)

func threatTableOf(kind isms.ThreatKind) (*table[isms.Threat], error) {
	switch kind {
	case isms.KindThreat:
		return threats, nil
	case isms.KindVulnerability:
		return vulnerabilities, nil
	}
	return nil, isms.Invalid("kind", "validation.choice")
}

// controlList scans a comma-separated list of control ids.
type controlList struct{ s *[]string }

func (c controlList) Scan(v any) error {
	var text string
	if err := (nullText{&text}).Scan(v); err != nil {
		return err
	}
	*c.s = nil
	if strings.TrimSpace(text) == "" {
		return nil
	}
	// A list page scans some fifty of these: room for every id at once.
	ids := make([]string, 0, strings.Count(text, ",")+1)
	for id := range strings.SplitSeq(text, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		*c.s = ids
	}
	return nil
}

// Threats lists the threat register (kind threat) or the vulnerability
// register (kind vulnerability).
func (db *DB) Threats(ctx context.Context, a isms.Actor, kind isms.ThreatKind, q isms.ListQuery) (isms.Page[isms.Threat], error) {
	var page isms.Page[isms.Threat]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	tb, err := threatTableOf(kind)
	if err != nil {
		return page, err
	}
	err = db.read(ctx, func(t *tx) error {
		var err error
		page, err = tb.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// Threat returns one entry of the register of kind.
func (db *DB) Threat(ctx context.Context, a isms.Actor, kind isms.ThreatKind, id string) (isms.Threat, error) {
	var x isms.Threat
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return x, err
	}
	tb, err := threatTableOf(kind)
	if err != nil {
		return x, err
	}
	err = db.read(ctx, func(t *tx) error {
		var err error
		x, err = tb.get(t, a.OrgID, id)
		return err
	})
	return x, err
}

// CreateThreat adds the firm's own entry to the register of x.Kind (owners
// and ISMS managers).
func (db *DB) CreateThreat(ctx context.Context, a isms.Actor, x isms.Threat) (isms.Threat, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	tb, err := threatTableOf(x.Kind)
	if err != nil {
		return x, err
	}
	x.Meta, x.CatalogueID = isms.Meta{}, ""
	x.Normalize()
	if err := x.Validate(); err != nil {
		return x, err
	}
	err = db.write(ctx, func(t *tx) error {
		if err := tb.insert(t, a, &x); err != nil {
			return err
		}
		var err error
		x, err = tb.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// UpdateThreat saves changes to an entry read at version base. Entries
// loaded from the starter catalogue may be edited too; they keep their
// catalogue id.
func (db *DB) UpdateThreat(ctx context.Context, a isms.Actor, x isms.Threat, base int) (isms.Threat, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	tb, err := threatTableOf(x.Kind)
	if err != nil {
		return x, err
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return x, err
	}
	err = db.write(ctx, func(t *tx) error {
		cur, err := tb.get(t, a.OrgID, x.ID)
		if err != nil {
			return err
		}
		x.CatalogueID = cur.CatalogueID
		if err := tb.update(t, a, &x, base); err != nil {
			return err
		}
		x, err = tb.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// ArchiveThreat archives (archive=true) or restores an entry read at
// version base.
func (db *DB) ArchiveThreat(ctx context.Context, a isms.Actor, kind isms.ThreatKind, id string, base int, archive bool) (isms.Threat, error) {
	var x isms.Threat
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	tb, err := threatTableOf(kind)
	if err != nil {
		return x, err
	}
	err = db.write(ctx, func(t *tx) error {
		var err error
		x, err = tb.setArchived(t, a, id, base, archive)
		return err
	})
	return x, err
}

// ThreatHistory lists an entry's changes, oldest first.
func (db *DB) ThreatHistory(ctx context.Context, a isms.Actor, kind isms.ThreatKind, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	tb, err := threatTableOf(kind)
	if err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err = db.read(ctx, func(t *tx) error {
		var err error
		h, err = tb.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// ThreatPage is an entry of the threat or vulnerability register with
// what its page shows besides.
type ThreatPage struct {
	Threat  isms.Threat
	History []isms.HistoryEntry
	Links   []isms.Link // the links arriving at it (risks name their threats so)
}

// ThreatPage reads an entry of the register of kind, its history and the
// links arriving at it in one read: on PostgreSQL one round trip (see
// readTogether) instead of three.
func (db *DB) ThreatPage(ctx context.Context, a isms.Actor, kind isms.ThreatKind, id string) (ThreatPage, error) {
	var p ThreatPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	tb, err := threatTableOf(kind)
	if err != nil {
		return p, err
	}
	err = db.read(ctx, func(t *tx) error {
		if err := tb.getTogether(t, a.OrgID, id, &p.Threat, tb.historyReading(a.OrgID, id, &p.History),
			linksReading(a.OrgID, string(kind), id, false, &p.Links)); err != nil {
			return err
		}
		return t.nameLinks(a.OrgID, false, p.Links)
	})
	return p, err
}

// CatalogueLoad says what loading the starter catalogue added.
type CatalogueLoad struct {
	Threats, Vulnerabilities int
}

// LoadStarterCatalogue adds the starter threats and vulnerabilities to the
// organisation's registers (owners and ISMS managers), in one transaction.
// It is idempotent: an entry whose catalogue id the register already holds
// (archived or not, edited or not) is left alone, so loading twice adds
// nothing and a firm's edits and archiving stick.
func (db *DB) LoadStarterCatalogue(ctx context.Context, a isms.Actor) (CatalogueLoad, error) {
	var res CatalogueLoad
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return res, err
	}
	err := db.write(ctx, func(t *tx) error {
		for _, set := range []struct {
			kind    isms.ThreatKind
			tb      *table[isms.Threat]
			entries []catalog.Entry
			n       *int
		}{
			{isms.KindThreat, threats, catalog.Threats(), &res.Threats},
			{isms.KindVulnerability, vulnerabilities, catalog.Vulnerabilities(), &res.Vulnerabilities},
		} {
			have := map[string]bool{}
			rows, err := t.Query(`SELECT catalogue_id FROM `+set.tb.name+` WHERE org_id = $1 AND catalogue_id <> ''`, a.OrgID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				have[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, e := range set.entries {
				if have[e.ID] {
					continue
				}
				x := isms.ThreatFromCatalogue(set.kind, e)
				x.Normalize()
				if err := x.Validate(); err != nil {
					return isms.Internal(err) // the catalogue is checked by tests
				}
				if err := set.tb.insert(t, a, &x); err != nil {
					return err
				}
				*set.n++
			}
		}
		return nil
	})
	if err != nil {
		return CatalogueLoad{}, err
	}
	return res, nil
}

// StarterCatalogueLoaded reports how many entries of each register came
// from the starter catalogue, so that pages can offer to load it.
func (db *DB) StarterCatalogueLoaded(ctx context.Context, a isms.Actor) (CatalogueLoad, error) {
	var res CatalogueLoad
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return res, err
	}
	// Both registers' list pages ask on every view: the counts are kept
	// until the organisation's records change.
	err := db.read(ctx, func(t *tx) error {
		return t.counts(a.OrgID, `SELECT (SELECT COUNT(*) FROM threats WHERE org_id = $1 AND catalogue_id <> ''),
			(SELECT COUNT(*) FROM vulnerabilities WHERE org_id = $1 AND catalogue_id <> '')`, []any{a.OrgID}, &res.Threats, &res.Vulnerabilities)
	})
	return res, err
}
