package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

var people = &table[isms.Person]{
	name:       "people",
	recordType: "person",
	refPrefix:  "P",
	fields:     isms.PersonFields,
	columns:    []string{"name", "email", "job_title", "department", "manager_id", "start_date", "leave_date", "user_id"},
	meta:       func(p *isms.Person) *isms.Meta { return &p.Meta },
	dest: func(p *isms.Person) []any {
		return []any{&p.Name, &p.Email, &p.JobTitle, &p.Department, nullText{&p.ManagerID}, &p.StartDate, &p.LeaveDate, nullText{&p.UserID}}
	},
	values: func(p *isms.Person) []any {
		return []any{p.Name, p.Email, p.JobTitle, p.Department, orNull(p.ManagerID), p.StartDate, p.LeaveDate, orNull(p.UserID)}
	},
	fieldsOf: func(p *isms.Person) map[string]any { return p.Fields() },
	extra: []extraColumn{
		{"manager_name", "COALESCE((SELECT m.name FROM people m WHERE m.id = people.manager_id), '')"},
		{"user_email", "COALESCE((SELECT u.email FROM users u WHERE u.id = people.user_id), '')"},
	},
	extraDest: func(p *isms.Person) []any { return []any{&p.ManagerName, &p.UserEmail} },
	sorts: map[string]string{
		"name": "lower(name)", "email": "email", "job_title": "lower(job_title)", "department": "lower(department)",
		"start_date": "start_date", "leave_date": "leave_date", "updated_at": "updated_at", "created_at": "created_at",
	},
	defaultSort:   "name",
	filters:       map[string]string{"department": "department", "manager_id": "manager_id", "user_id": "user_id", "job_title": "job_title"},
	search:        []string{"name", "email", "job_title", "department", "ref"},
	searchIndexed: true,
	// The list page shows when each person was updated.
	briefMeta: []string{"updated_at"},
	// Lists name each person's manager from the kept names of the
	// organisation's managers, not with a lookup per row.
	lookups:     []string{"manager_name", "user_email"},
	users:       func(p *isms.Person) []userRef { return []userRef{{p.UserID, nil, &p.UserEmail}} },
	fillLookups: nameManagers,
}

// maxKeptManagers bounds the managers whose names are kept for the people
// list (DB.maxManagers): an organisation with more has each page's
// managers read.
const maxKeptManagers = 1000

// keptNames is names by id, kept up to a bound.
type keptNames struct {
	names map[string]string
	over  bool // there were more than are kept; names is nil
	bytes int
}

func (k keptNames) keptBytes() int { return k.bytes }

// nameManagers names the managers of people: from the names of the
// organisation's managers, kept until its records change (up to
// maxKeptManagers of them), or else with one read for the page. Reading
// them for every page was a statement of its own, on PostgreSQL a third
// round trip.
func nameManagers(t *tx, orgID string, ps []isms.Person) error {
	v, err := t.kept(orgID, "manager names", func() (any, error) {
		limit := t.db.maxManagers
		names, err := t.names(fmt.Sprintf(`SELECT m.id, m.name FROM people m WHERE m.org_id = $1
			AND EXISTS (SELECT 1 FROM people p WHERE p.org_id = $1 AND p.manager_id = m.id) LIMIT %d`, limit+1), []any{orgID})
		if err != nil || len(names) > limit {
			return keptNames{over: true}, err
		}
		n := 0
		for id, name := range names {
			n += 64 + len(id) + len(name)
		}
		return keptNames{names: names, bytes: n}, nil
	})
	if err != nil {
		return err
	}
	k := v.(keptNames) // kept: read, never changed
	names := k.names
	if k.over {
		args := []any{orgID}
		seen := map[string]bool{}
		for _, p := range ps {
			if p.ManagerID != "" && !seen[p.ManagerID] {
				seen[p.ManagerID] = true
				args = append(args, p.ManagerID)
			}
		}
		if len(args) == 1 {
			return nil
		}
		if names, err = t.names(`SELECT id, name FROM people WHERE org_id = $1 AND id IN (`+placeholders(2, len(args)-1)+`)`, args); err != nil {
			return err
		}
	}
	for i := range ps {
		ps[i].ManagerName = names[ps[i].ManagerID]
	}
	return nil
}

// People lists the staff directory.
func (db *DB) People(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Person], error) {
	var page isms.Page[isms.Person]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = people.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// Person returns one person.
func (db *DB) Person(ctx context.Context, a isms.Actor, id string) (isms.Person, error) {
	var p isms.Person
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		p, err = people.get(t, a.OrgID, id)
		return err
	})
	return p, err
}

// checkPersonLinks validates a person's manager and linked account, which
// must belong to the same organisation.
func (t *tx) checkPersonLinks(a isms.Actor, p *isms.Person) error {
	var pr isms.Problems
	if p.ManagerID != "" {
		ok, err := people.exists(t, a.OrgID, p.ManagerID, false)
		if err != nil {
			return err
		}
		if !ok {
			pr.Add("manager_id", "validation.unknown_person")
		} else if p.ID != "" {
			// Walk up the chain: a person cannot manage their own manager.
			seen, id := map[string]bool{p.ID: true}, p.ManagerID
			for id != "" && !pr.Has("manager_id") {
				if seen[id] {
					pr.Add("manager_id", "validation.manager_cycle")
					break
				}
				seen[id] = true
				var next *string = new(string)
				if err := t.QueryRow(`SELECT manager_id FROM people WHERE org_id = $1 AND id = $2`, a.OrgID, id).Scan(nullText{next}); err != nil {
					return err
				}
				id = *next
			}
		}
	}
	if p.UserID != "" {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, p.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			pr.Add("user_id", "validation.not_member")
		}
	}
	return pr.Err()
}

func personErr(err error) error {
	if isUnique(err) {
		return isms.Invalid("email", "validation.person_email_taken")
	}
	return err
}

// CreatePerson adds a person to the directory.
func (db *DB) CreatePerson(ctx context.Context, a isms.Actor, p isms.Person) (isms.Person, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return p, err
	}
	p.Meta = isms.Meta{}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return p, err
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.checkPersonLinks(a, &p); err != nil {
			return err
		}
		if err := people.insert(t, a, &p); err != nil {
			return personErr(err)
		}
		var err error
		p, err = people.get(t, a.OrgID, p.ID)
		return err
	})
	return p, err
}

// UpdatePerson saves changes to a person read at version base.
func (db *DB) UpdatePerson(ctx context.Context, a isms.Actor, p isms.Person, base int) (isms.Person, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return p, err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return p, err
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.checkPersonLinks(a, &p); err != nil {
			return err
		}
		if err := people.update(t, a, &p, base); err != nil {
			return personErr(err)
		}
		var err error
		p, err = people.get(t, a.OrgID, p.ID)
		return err
	})
	return p, err
}

// ArchivePerson archives (archive=true) or restores a person read at
// version base.
func (db *DB) ArchivePerson(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Person, error) {
	var p isms.Person
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return p, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		p, err = people.setArchived(t, a, id, base, archive)
		return personErr(err)
	})
	return p, err
}

// PersonHistory lists a person's changes, oldest first.
func (db *DB) PersonHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = people.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// PersonPage is a person with what their page shows of other records.
type PersonPage struct {
	Person  isms.Person
	Manager isms.Person   // their manager; zero if they have none
	Reports []isms.Person // the active people they manage, by name, up to 100
	History []isms.HistoryEntry
}

// PersonPage reads a person and what their page shows with them in one
// read: on PostgreSQL one round trip (see readTogether) instead of four.
func (db *DB) PersonPage(ctx context.Context, a isms.Actor, id string) (PersonPage, error) {
	var p PersonPage
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return p, err
	}
	err := db.read(ctx, func(t *tx) error {
		var managers []isms.Person
		err := people.getTogether(t, a.OrgID, id, &p.Person,
			reading{`SELECT ` + people.selectList() + ` FROM people WHERE org_id = $1 AND id =
				(SELECT manager_id FROM people WHERE org_id = $1 AND id = $2)`, []any{a.OrgID, id}, people.rowsOf(&managers)},
			reading{`SELECT ` + people.selectList() + ` FROM people WHERE org_id = $1 AND archived_at IS NULL AND manager_id = $2
				ORDER BY lower(name), id LIMIT 100`, []any{a.OrgID, id}, people.rowsOf(&p.Reports)},
			people.historyReading(a.OrgID, id, &p.History))
		if len(managers) == 1 {
			p.Manager = managers[0]
		}
		return err
	})
	return p, err
}

// Departments lists the distinct departments in use, for filters and
// form suggestions.
func (db *DB) Departments(ctx context.Context, a isms.Actor) ([]string, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []string
	err := db.read(ctx, func(t *tx) error {
		// The people list offers them as a filter on every view: kept
		// until the organisation's records change.
		v, err := t.kept(a.OrgID, "departments", func() (any, error) {
			return t.strings(`SELECT DISTINCT department FROM people WHERE org_id = $1 AND department <> '' AND archived_at IS NULL ORDER BY department LIMIT 500`, a.OrgID)
		})
		if err == nil {
			out = slices.Clone(v.([]string))
		}
		return err
	})
	return out, err
}

// RowError names a problem with one row of an import (1-based).
type RowError struct {
	Row    int
	Fields []isms.FieldError
	Msg    isms.Msg
}

// ImportError is returned when any row of an import is invalid; nothing
// has been written.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	return fmt.Sprintf("%d row(s) of the import are invalid", len(e.Rows))
}

// ImportPeople adds many people in one transaction: every row is checked
// first and either all are stored or none. Managers must already exist or
// appear earlier in the same import (ManagerID may name the Ref of an
// earlier row, e.g. "P-001", or an existing person's id or reference).
func (db *DB) ImportPeople(ctx context.Context, a isms.Actor, rows []isms.Person) ([]isms.Person, error) {
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return nil, err
	}
	var bad []RowError
	for i := range rows {
		rows[i].Meta = isms.Meta{}
		rows[i].Normalize()
		if err := rows[i].Validate(); err != nil {
			bad = append(bad, RowError{Row: i + 1, Fields: isms.AsError(err).Fields, Msg: isms.AsError(err).Msg})
		}
	}
	if len(bad) > 0 {
		return nil, &ImportError{Rows: bad}
	}
	err := db.write(ctx, func(t *tx) error {
		for i := range rows {
			p := &rows[i]
			if p.ManagerID != "" {
				var id string
				err := t.QueryRow(`SELECT id FROM people WHERE org_id = $1 AND (id = $2 OR ref = $2)`, a.OrgID, p.ManagerID).Scan(&id)
				if err == sql.ErrNoRows {
					bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "manager_id", Msg: isms.M("validation.unknown_person")}}})
					continue
				} else if err != nil {
					return err
				}
				p.ManagerID = id
			}
			if err := t.checkPersonLinks(a, p); err != nil {
				bad = append(bad, RowError{Row: i + 1, Fields: isms.AsError(err).Fields})
				continue
			}
			if err := people.insert(t, a, p); err != nil {
				if isUnique(err) {
					bad = append(bad, RowError{Row: i + 1, Fields: []isms.FieldError{{Field: "email", Msg: isms.M("validation.person_email_taken")}}})
					// PostgreSQL aborts the transaction on an error; stop here.
					return &ImportError{Rows: bad}
				}
				return err
			}
		}
		if len(bad) > 0 {
			return &ImportError{Rows: bad}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}
