package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// pipeList stores a list of values as "|a|b|", so that a filter on one
// value is a LIKE '%|a|%' on every database.
type pipeList struct{ s *[]string }

func (p pipeList) Scan(v any) error {
	var str string
	if err := (nullText{&str}).Scan(v); err != nil {
		return err
	}
	*p.s = nil
	for _, x := range strings.Split(strings.Trim(str, "|"), "|") {
		if x != "" {
			*p.s = append(*p.s, x)
		}
	}
	return nil
}

func pipes(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return "|" + strings.Join(list, "|") + "|"
}

// controlAttributeColumns maps each attribute set (catalog.Attributes) to
// the column holding it.
var controlAttributeColumns = map[string]string{
	"control_type": "control_types", "security_property": "security_properties",
	"cybersecurity_concept": "cybersecurity_concepts", "operational_capability": "operational_capabilities",
	"security_domain": "security_domains",
}

func attributeCond(name string) func(string, func(any) string) (string, error) {
	col := controlAttributeColumns[name]
	var vocab []string
	for _, a := range catalog.Attributes {
		if a.Name == name {
			vocab = a.Values
		}
	}
	return func(v string, arg func(any) string) (string, error) {
		ok := false
		for _, x := range vocab {
			ok = ok || x == v
		}
		if !ok {
			return "", isms.Invalid(name, "validation.choice")
		}
		return col + " LIKE " + arg("%|"+v+"|%"), nil
	}
}

var controls = &table[isms.Control]{
	name:       "controls",
	recordType: "control",
	fields:     isms.ControlFields,
	columns: []string{"kind", "catalog_id", "sort_key", "title", "description", "theme", "control_types", "security_properties",
		"cybersecurity_concepts", "operational_capabilities", "security_domains", "related_ids", "owner_id", "status",
		"implementation", "last_review", "next_review", "effectiveness", "licensed_text", "decision", "justification",
		"exclusion_reason", "replaced_by_id", "exclusion_text"},
	meta: func(c *isms.Control) *isms.Meta { return &c.Meta },
	dest: func(c *isms.Control) []any {
		var sortKey string
		return []any{&c.Kind, &c.CatalogID, &sortKey, &c.Title, &c.Description, &c.Theme, pipeList{&c.ControlTypes},
			pipeList{&c.SecurityProperties}, pipeList{&c.CybersecurityConcepts}, pipeList{&c.OperationalCapabilities},
			pipeList{&c.SecurityDomains}, pipeList{&c.RelatedIDs}, nullText{&c.OwnerID}, &c.Status, &c.Implementation,
			&c.LastReview, &c.NextReview, &c.Effectiveness, &c.LicensedText, &c.Decision, &c.Justification,
			&c.ExclusionReason, nullText{&c.ReplacedByID}, &c.ExclusionText}
	},
	values: func(c *isms.Control) []any {
		return []any{string(c.Kind), c.CatalogID, isms.ControlSortKey(c.Kind, c.CatalogID, c.Ref), c.Title, c.Description, c.Theme,
			pipes(c.ControlTypes), pipes(c.SecurityProperties), pipes(c.CybersecurityConcepts), pipes(c.OperationalCapabilities),
			pipes(c.SecurityDomains), pipes(c.RelatedIDs), orNull(c.OwnerID), string(c.Status), c.Implementation,
			c.LastReview, c.NextReview, c.Effectiveness, c.LicensedText, string(c.Decision), c.Justification,
			string(c.ExclusionReason), orNull(c.ReplacedByID), c.ExclusionText}
	},
	fieldsOf: func(c *isms.Control) map[string]any { return c.Fields() },
	extra: []extraColumn{
		{"owner_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = controls.owner_id), '')"},
		{"replaced_by_ref", "COALESCE((SELECT r.ref FROM controls r WHERE r.id = controls.replaced_by_id), '')"},
	},
	extraDest: func(c *isms.Control) []any { return []any{&c.OwnerName, &c.ReplacedByRef} },
	sorts: map[string]string{
		"ref": "sort_key", "title": "lower(title)", "theme": "theme", "status": "status", "decision": "decision",
		"next_review": "next_review", "updated_at": "updated_at",
	},
	defaultSort: "ref",
	filters: map[string]string{
		"theme": "theme", "status": "status", "decision": "decision", "owner_id": "owner_id", "kind": "kind",
	},
	conds: map[string]func(string, func(any) string) (string, error){
		"control_type":           attributeCond("control_type"),
		"security_property":      attributeCond("security_property"),
		"cybersecurity_concept":  attributeCond("cybersecurity_concept"),
		"operational_capability": attributeCond("operational_capability"),
		"security_domain":        attributeCond("security_domain"),
		// review_before=YYYY-MM-DD: a next review date before that day.
		"review_before": func(v string, arg func(any) string) (string, error) {
			if !isms.ValidDate(v) {
				return "", isms.Invalid("review_before", "validation.date")
			}
			return "next_review > '' AND next_review < " + arg(v), nil
		},
	},
	search: []string{"ref", "title", "description", "implementation"},
	// A brief list leaves out the ISO/IEC 27002 attributes too: the
	// controls list reads them only when it groups by one.
	brief: []string{"description", "implementation", "licensed_text", "justification", "exclusion_text", "related_ids",
		"effectiveness", "control_types", "security_properties", "cybersecurity_concepts", "operational_capabilities",
		"security_domains", "catalog_id", "sort_key", "last_review", "exclusion_reason", "replaced_by_id",
		"replaced_by_ref"},
	lookups: []string{"owner_name"},
	users:   func(c *isms.Control) []userRef { return []userRef{{c.OwnerID, &c.OwnerName, nil}} },
}

// annexControl builds an organisation's record of catalogue control ct.
func annexControl(ct catalog.Control) isms.Control {
	c := isms.Control{Kind: isms.ControlAnnexA, CatalogID: ct.ID, Status: isms.StatusNotStarted}
	c.Ref = isms.AnnexARef(ct.ID)
	setCatalogFields(&c, ct)
	return c
}

// setCatalogFields copies what the catalogue decides about an Annex A
// control: its title, theme and attributes. Firm fields are untouched.
func setCatalogFields(c *isms.Control, ct catalog.Control) {
	c.Title, c.Theme = ct.Title, ct.Theme
	c.ControlTypes, c.SecurityProperties = ct.ControlTypes, ct.SecurityProperties
	c.CybersecurityConcepts, c.OperationalCapabilities, c.SecurityDomains = ct.CybersecurityConcepts, ct.OperationalCapabilities, ct.SecurityDomains
}

// addCatalogControls gives an organisation a record of every catalogue
// control it lacks and brings the catalogue fields of the ones it has up
// to date. actorID is who caused it ("" for the system). It returns how
// many controls were added.
func (t *tx) addCatalogControls(orgID, actorID string) (int, error) {
	cat, err := catalog.Load()
	if err != nil {
		return 0, err
	}
	have := map[string]isms.Control{}
	rows, err := t.Query(`SELECT `+controls.selectList()+` FROM controls WHERE org_id = $1 AND kind = 'annex_a'`, orgID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		c, err := controls.scan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		have[c.CatalogID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	a := isms.Actor{OrgID: orgID, UserID: actorID}
	added := 0
	for _, ct := range cat.Controls {
		cur, ok := have[ct.ID]
		if !ok {
			c := annexControl(ct)
			if err := controls.insert(t, a, &c); err != nil {
				return added, err
			}
			added++
			continue
		}
		upd := cur
		setCatalogFields(&upd, ct)
		if isms.EncodeFields(upd.Fields()) != isms.EncodeFields(cur.Fields()) {
			if err := controls.update(t, a, &upd, cur.Version); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

// SyncCatalogControls runs after migrations at start-up: every
// organisation gets the catalogue controls it lacks (a new binary may
// bring new ones) and the catalogue's titles, themes and attributes. The
// organisation's own fields (owner, status, decision …) are never
// changed. It returns how many controls were added in all.
func (db *DB) SyncCatalogControls(ctx context.Context) (int, error) {
	// Skip the per-organisation pass when the catalogue is the one the
	// last sync applied: most starts bring no catalogue change.
	fp, err := catalogFingerprint()
	if err != nil {
		return 0, err
	}
	var stored string
	err = db.read(ctx, func(t *tx) error {
		err := t.QueryRow(`SELECT value FROM settings WHERE key = 'catalogue_fingerprint'`).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || stored == fp {
		return 0, err
	}
	orgs, err := db.Orgs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, o := range orgs {
		err := db.write(ctx, func(t *tx) error {
			n, err := t.addCatalogControls(o.ID, "")
			total += n
			return err
		})
		if err != nil {
			return total, fmt.Errorf("catalogue controls of %s: %w", o.Slug, err)
		}
	}
	err = db.write(ctx, func(t *tx) error {
		_, err := t.Exec(`INSERT INTO settings (key, value) VALUES ('catalogue_fingerprint', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fp)
		return err
	})
	return total, err
}

// catalogFingerprint identifies the catalogue's control data: everything
// setCatalogFields copies into an organisation's controls.
func catalogFingerprint() (string, error) {
	cat, err := catalog.Load()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(cat.Controls)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// Controls lists the organisation's controls (Annex A and custom).
func (db *DB) Controls(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Control], error) {
	var page isms.Page[isms.Control]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = controls.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// ControlsOverview returns a page of the controls register, as Controls
// does, with the SoA overview (see SoAOverview), in one read. The
// overview's lines hold every active control in reference order; a page
// in that order without a search is taken from them (see
// controlsFromOverview) instead of read again. Its records are then whole
// and shared with the overview: callers read them and never change them.
func (db *DB) ControlsOverview(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Control], SoA, error) {
	var page isms.Page[isms.Control]
	var s SoA
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, s, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		if s, err = t.keptOverview(a.OrgID); err != nil {
			return err
		}
		var ok bool
		if page, ok = controlsFromOverview(s.Lines, q); !ok {
			page, err = controls.list(t, a.OrgID, q)
		}
		return err
	})
	return page, s, err
}

// controlsFromOverview lists the controls of lines (every active control,
// in reference order) that q selects, as the controls table's list would.
// It answers only what it can answer as the list does: the first page of
// active controls in reference order, without a search, filtered by the
// equality filters and the attribute sets (an attribute's values are its
// set's, so that the list's LIKE '%|value|%' matches exactly the controls
// holding the value), and all on that page. Otherwise ok is false.
func controlsFromOverview(lines []isms.SoALine, q isms.ListQuery) (page isms.Page[isms.Control], ok bool) {
	if err := q.Normalize(); err != nil || strings.TrimSpace(q.Q) != "" || (q.Sort != "" && q.Sort != controls.defaultSort) ||
		q.Desc || q.Cursor != "" || q.Archived != isms.ArchivedExclude {
		return page, false
	}
	var tests []func(*isms.Control) bool
	for name, v := range q.Filters {
		if v == "" {
			continue // as the list ignores an empty filter
		}
		var field func(*isms.Control) string
		switch name {
		case "theme":
			field = func(c *isms.Control) string { return c.Theme }
		case "status":
			field = func(c *isms.Control) string { return string(c.Status) }
		case "decision":
			field = func(c *isms.Control) string { return string(c.Decision) }
		case "owner_id":
			field = func(c *isms.Control) string { return c.OwnerID }
		case "kind":
			field = func(c *isms.Control) string { return string(c.Kind) }
		}
		if field != nil {
			if v == "-" { // the field is empty
				v = ""
			}
			tests = append(tests, func(c *isms.Control) bool { return field(c) == v })
			continue
		}
		set := catalogAttribute(name)
		if set == nil || !slices.Contains(set.Values, v) {
			return page, false // not a filter of this kind, or an invalid value: the list says which
		}
		tests = append(tests, func(c *isms.Control) bool { return slices.Contains(c.AttributeValues(name), v) })
	}
	n := 0
	for i := range lines {
		if controlPasses(&lines[i].Control, tests) {
			n++
		}
	}
	if n > q.Limit {
		return page, false // more than a page: the list makes the cursor
	}
	page.Items = make([]isms.Control, 0, n)
	for i := range lines {
		if c := &lines[i].Control; controlPasses(c, tests) {
			page.Items = append(page.Items, *c)
		}
	}
	page.Total = n
	return page, true
}

func controlPasses(c *isms.Control, tests []func(*isms.Control) bool) bool {
	for _, ok := range tests {
		if !ok(c) {
			return false
		}
	}
	return true
}

// catalogAttribute returns the attribute set called name, or nil.
func catalogAttribute(name string) *catalog.Attribute {
	for i := range catalog.Attributes {
		if catalog.Attributes[i].Name == name {
			return &catalog.Attributes[i]
		}
	}
	return nil
}

// ActiveControls returns every active control in reference order.
func (db *DB) ActiveControls(ctx context.Context, a isms.Actor) ([]isms.Control, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Control
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = allActive(t, controls, a.OrgID)
		return err
	})
	return out, err
}

// ControlOutlines returns the organisation's active controls with only
// their id, reference, title, kind, catalogue id, related controls and
// replacement: what a control's page needs to name the controls that
// replace or relate to it, without reading every control's texts. They
// are kept until the organisation's records change; the caller gets its
// own copy.
func (db *DB) ControlOutlines(ctx context.Context, a isms.Actor) ([]isms.Control, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Control
	err := db.read(ctx, func(t *tx) error {
		v, err := t.keptOutlines(a.OrgID)
		if err != nil {
			return err
		}
		out = slices.Clone(v)
		for i := range out {
			out[i].RelatedIDs = slices.Clone(out[i].RelatedIDs)
		}
		return nil
	})
	return out, err
}

func (t *tx) controlOutlines(orgID string) ([]isms.Control, error) {
	var out []isms.Control
	err := t.each(`SELECT id, ref, title, kind, catalog_id, related_ids, replaced_by_id FROM controls
		WHERE org_id = $1 AND archived_at IS NULL ORDER BY `+controls.sorts[controls.defaultSort]+`, id`, []any{orgID},
		func(rows *sql.Rows) error {
			c := isms.Control{Meta: isms.Meta{OrgID: orgID}}
			if err := rows.Scan(&c.ID, &c.Ref, &c.Title, &c.Kind, &c.CatalogID, pipeList{&c.RelatedIDs}, nullText{&c.ReplacedByID}); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	return out, err
}

// ControlPage is what a control's page shows from the store.
type ControlPage struct {
	// Line is the control, archived or not, with its SoA line, as
	// SoALine returns it.
	Line isms.SoALine
	// Outlines are the organisation's active controls as ControlOutlines
	// returns them, but shared: callers read them and never change them.
	Outlines []isms.Control
	// History is the control's history, as ControlHistory returns it.
	History []isms.HistoryEntry
	// Requests are the actions serving the control, as ActionsServing
	// lists them.
	Requests []isms.Action
	// Members are the organisation's members as Members lists them, but
	// shared: callers read them and never change them. Nil for those who
	// may not read the members.
	Members []isms.Membership
}

// ControlPage reads a control's SoA line, the outlines of the active
// controls, the control's history and, for those who may read them, the
// organisation's members, in one read.
func (db *DB) ControlPage(ctx context.Context, a isms.Actor, id string) (ControlPage, error) {
	var p ControlPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		if p.Line, err = t.soaLine(a.OrgID, id); err != nil {
			return err
		}
		if p.Outlines, err = t.keptOutlines(a.OrgID); err != nil {
			return err
		}
		// Read together: on PostgreSQL one round trip (see readTogether).
		if err := t.readTogether(controls.historyReading(a.OrgID, id, &p.History), actionsServing(a.OrgID, "control", id, &p.Requests)); err != nil {
			return err
		}
		if err := controls.historyFound(t, a.OrgID, id, p.History); err != nil || !a.Can(isms.PermReadMembers) {
			return err
		}
		p.Members, err = t.keptMembers(a.OrgID)
		return err
	})
	return p, err
}

// keptOutlines returns the outlines of the organisation's active controls
// (see ControlOutlines), kept until its records change; callers must not
// change them.
func (t *tx) keptOutlines(orgID string) ([]isms.Control, error) {
	v, err := t.kept(orgID, "control outlines", func() (any, error) { return t.controlOutlines(orgID) })
	if err != nil {
		return nil, err
	}
	return v.([]isms.Control), nil
}

// Control returns one control.
func (db *DB) Control(ctx context.Context, a isms.Actor, id string) (isms.Control, error) {
	var c isms.Control
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return c, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		c, err = controls.get(t, a.OrgID, id)
		return err
	})
	return c, err
}

// CanEditControl reports whether the actor may change c: owners and ISMS
// managers any control, contributors the controls they own.
func CanEditControl(a isms.Actor, c isms.Control) bool {
	return a.Can(isms.PermWriteRegisters) || (a.Can(isms.PermWriteOwned) && c.OwnerID != "" && c.OwnerID == a.UserID)
}

// checkControl validates what a control says about other records: its
// owner is a member, its replacement is an active custom control of the
// organisation, and the Annex A numbers and attribute values it names
// exist.
func (t *tx) checkControl(a isms.Actor, c *isms.Control) error {
	var p isms.Problems
	if c.OwnerID != "" {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, c.OwnerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			p.Add("owner_id", "validation.not_member")
		}
	}
	if c.ReplacedByID != "" {
		var kind string
		var archived sql.NullString
		err := t.QueryRow(`SELECT kind, archived_at FROM controls WHERE org_id = $1 AND id = $2`, a.OrgID, c.ReplacedByID).Scan(&kind, &archived)
		switch {
		case err == sql.ErrNoRows || (err == nil && archived.Valid):
			p.Add("replaced_by_id", "validation.replaced_by")
		case err != nil:
			return err
		case kind != string(isms.ControlCustom):
			p.Add("replaced_by_id", "validation.replaced_by_custom")
		}
	}
	cat := catalog.Must()
	for _, id := range c.RelatedIDs {
		if _, ok := cat.Control(id); !ok {
			p.Add("related_ids", "validation.unknown_annex_control", id)
			break
		}
	}
	for _, at := range catalog.Attributes {
		for _, v := range c.AttributeValues(at.Name) {
			ok := false
			for _, w := range at.Values {
				ok = ok || v == w
			}
			if !ok {
				p.Add(controlAttributeColumns[at.Name], "validation.choice")
				break
			}
		}
	}
	return p.Err()
}

func controlErr(err error) error {
	if isUnique(err) {
		return isms.Invalid("ref", "validation.control_ref_taken")
	}
	return err
}

// CreateControl adds a custom control (owners and ISMS managers).
func (db *DB) CreateControl(ctx context.Context, a isms.Actor, c isms.Control) (isms.Control, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return c, err
	}
	c.Meta = isms.Meta{Ref: c.Ref}
	c.Kind, c.CatalogID = isms.ControlCustom, ""
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.checkControl(a, &c); err != nil {
			return err
		}
		if err := controls.insert(t, a, &c); err != nil {
			return controlErr(err)
		}
		var err error
		c, err = controls.get(t, a.OrgID, c.ID)
		return err
	})
	return c, err
}

// UpdateControl saves changes to a control read at version base. Owners
// and ISMS managers may change any control; contributors the controls
// they own, without handing them to someone else. What the catalogue
// decides about an Annex A control (number, title, theme, attributes)
// cannot be changed; a custom control's code is fixed once created.
func (db *DB) UpdateControl(ctx context.Context, a isms.Actor, c isms.Control, base int) (isms.Control, error) {
	if !a.Can(isms.PermWriteRegisters) && !a.Can(isms.PermWriteOwned) {
		return c, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := controls.get(t, a.OrgID, c.ID)
		if err != nil {
			return err
		}
		if !CanEditControl(a, cur) {
			return isms.Errorf(isms.KindForbidden, "error.forbidden")
		}
		if c.OwnerID != cur.OwnerID && !a.Can(isms.PermWriteRegisters) {
			return isms.Invalid("owner_id", "validation.reassign")
		}
		c.Meta, c.Kind, c.CatalogID = cur.Meta, cur.Kind, cur.CatalogID
		if cur.Kind == isms.ControlAnnexA {
			c.Description, c.RelatedIDs = "", nil
			setCatalogFields(&c, catalog.Control{Title: cur.Title, Theme: cur.Theme, ControlTypes: cur.ControlTypes,
				SecurityProperties: cur.SecurityProperties, CybersecurityConcepts: cur.CybersecurityConcepts,
				OperationalCapabilities: cur.OperationalCapabilities, SecurityDomains: cur.SecurityDomains})
		}
		c.Normalize()
		if err := c.Validate(); err != nil {
			return err
		}
		if err := t.checkControl(a, &c); err != nil {
			return err
		}
		if err := controls.update(t, a, &c, base); err != nil {
			return controlErr(err)
		}
		c, err = controls.get(t, a.OrgID, c.ID)
		return err
	})
	return c, err
}

// ArchiveControl archives or restores a custom control (owners and ISMS
// managers). Annex A controls cannot be archived: exclude them in the SoA
// instead. A control that replaces an excluded one cannot be archived
// while it does.
func (db *DB) ArchiveControl(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Control, error) {
	var c isms.Control
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return c, err
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := controls.get(t, a.OrgID, id)
		if err != nil {
			return err
		}
		if cur.Kind == isms.ControlAnnexA {
			return isms.Errorf(isms.KindConflict, "error.archive_annex_a")
		}
		if archive {
			var n int
			if err := t.QueryRow(`SELECT COUNT(*) FROM controls WHERE org_id = $1 AND replaced_by_id = $2 AND archived_at IS NULL`, a.OrgID, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return isms.Errorf(isms.KindConflict, "error.control_replaces", n)
			}
		}
		c, err = controls.setArchived(t, a, id, base, archive)
		return err
	})
	return c, err
}

// ControlHistory lists a control's changes, oldest first.
func (db *DB) ControlHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = controls.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// LicensedText is one row of a licensed-text import: an Annex A number
// ("5.1" or "A.5.1") or a custom control's code, and the text.
type LicensedText struct {
	ID, Text string
}

// ImportLicensedText stores the standard's own control text, which an
// organisation holding a licence pastes or imports, on its controls — all
// rows or none (owners and ISMS managers). The text stays private to the
// organisation. It returns how many controls changed.
func (db *DB) ImportLicensedText(ctx context.Context, a isms.Actor, rows []LicensedText) (int, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, isms.Invalid("file", "validation.import_empty")
	}
	var bad []RowError
	for i, r := range rows {
		rows[i].ID, rows[i].Text = isms.Clean(r.ID), isms.Clean(r.Text)
		switch {
		case rows[i].ID == "":
			bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "id", Msg: isms.M("validation.required")}}})
		case len([]rune(rows[i].Text)) > 20000:
			bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "text", Msg: isms.M("validation.too_long", 20000)}}})
		}
	}
	if len(bad) > 0 {
		return 0, &ImportError{Rows: bad}
	}
	changed := 0
	err := db.write(ctx, func(t *tx) error {
		for i, r := range rows {
			ref := r.ID
			if !strings.HasPrefix(strings.ToUpper(ref), "A.") {
				if _, ok := catalog.Must().Control(ref); ok {
					ref = isms.AnnexARef(ref)
				}
			}
			var id string
			err := t.QueryRow(`SELECT id FROM controls WHERE org_id = $1 AND (ref = $2 OR upper(ref) = upper($2)) AND archived_at IS NULL`, a.OrgID, ref).Scan(&id)
			if err == sql.ErrNoRows {
				bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "id", Msg: isms.M("validation.not_a_control")}}})
				continue
			} else if err != nil {
				return err
			}
			cur, err := controls.get(t, a.OrgID, id)
			if err != nil {
				return err
			}
			if cur.LicensedText == r.Text {
				continue
			}
			upd := cur
			upd.LicensedText = r.Text
			if err := controls.update(t, a, &upd, cur.Version); err != nil {
				return err
			}
			changed++
		}
		if len(bad) > 0 {
			return &ImportError{Rows: bad}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}

// CustomControls lists the active custom controls (for choosing the one
// that replaces an excluded control).
func (db *DB) CustomControls(ctx context.Context, a isms.Actor) ([]isms.Control, error) {
	page, err := db.Controls(ctx, a, isms.ListQuery{Filters: map[string]string{"kind": string(isms.ControlCustom)}, Limit: isms.MaxLimit})
	return page.Items, err
}
