package store

import (
	"context"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

var actions = &table[isms.Action]{
	name:       "actions",
	recordType: "action",
	refPrefix:  "A",
	fields:     isms.ActionFields,
	columns: []string{"title", "description", "resources", "responsible_id", "due_date", "evaluation", "status",
		"completion_evidence", "completed_at", "serves_type", "serves_id"},
	meta: func(x *isms.Action) *isms.Meta { return &x.Meta },
	dest: func(x *isms.Action) []any {
		return []any{&x.Title, &x.Description, &x.Resources, nullText{&x.ResponsibleID}, &x.DueDate, &x.Evaluation, &x.Status,
			&x.CompletionEvidence, &x.CompletedAt, &x.ServesType, &x.ServesID}
	},
	values: func(x *isms.Action) []any {
		return []any{x.Title, x.Description, x.Resources, orNull(x.ResponsibleID), x.DueDate, x.Evaluation, string(x.Status),
			x.CompletionEvidence, x.CompletedAt, x.ServesType, x.ServesID}
	},
	fieldsOf:  func(x *isms.Action) map[string]any { return x.Fields() },
	extra:     []extraColumn{{"responsible_name", "COALESCE((SELECT u.name FROM users u WHERE u.id = actions.responsible_id), '')"}},
	extraDest: func(x *isms.Action) []any { return []any{&x.ResponsibleName} },
	sorts: map[string]string{
		"title": "lower(title)", "due_date": "due_date", "status": "status", "updated_at": "updated_at", "created_at": "created_at",
	},
	defaultSort: "due_date",
	filters: map[string]string{
		"status": "status", "responsible_id": "responsible_id", "serves_type": "serves_type", "serves_id": "serves_id",
	},
	conds: map[string]func(string, func(any) string) (string, error){
		// open=yes: not done or cancelled.
		"open": func(v string, _ func(any) string) (string, error) {
			if v != "yes" {
				return "", isms.Invalid("open", "validation.choice")
			}
			return "status IN ('open', 'in_progress')", nil
		},
		// due_before=YYYY-MM-DD: has a due date before that day (with
		// open=yes: overdue).
		"due_before": func(v string, arg func(any) string) (string, error) {
			if !isms.ValidDate(v) {
				return "", isms.Invalid("due_before", "validation.date")
			}
			return "due_date > '' AND due_date < " + arg(v), nil
		},
	},
	search:        []string{"title", "description", "ref"},
	searchIndexed: true,
	brief:         []string{"description", "resources", "evaluation", "completion_evidence"},
	lookups:       []string{"responsible_name"},
	users:         func(x *isms.Action) []userRef { return []userRef{{x.ResponsibleID, &x.ResponsibleName, nil}} },
}

// Actions lists the organisation's actions.
func (db *DB) Actions(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Action], error) {
	var page isms.Page[isms.Action]
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, err
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = actions.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// MyActions lists the open actions the actor is responsible for, soonest
// due first. Every role, staff included, may see their own.
func (db *DB) MyActions(ctx context.Context, a isms.Actor, q isms.ListQuery) (isms.Page[isms.Action], error) {
	var page isms.Page[isms.Action]
	if a.OrgID == "" || a.UserID == "" {
		return page, isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if q.Filters == nil {
		q.Filters = map[string]string{}
	}
	q.Filters["responsible_id"] = a.UserID
	if _, ok := q.Filters["status"]; !ok {
		q.Filters["open"] = "yes"
	}
	err := db.read(ctx, func(t *tx) error {
		var err error
		page, err = actions.list(t, a.OrgID, q)
		return err
	})
	return page, err
}

// Action returns one action. Its responsible member may read it whatever
// their role.
func (db *DB) Action(ctx context.Context, a isms.Actor, id string) (isms.Action, error) {
	var x isms.Action
	err := db.read(ctx, func(t *tx) error {
		var err error
		if x, err = actions.get(t, a.OrgID, id); err != nil {
			return err
		}
		if x.ResponsibleID != a.UserID {
			return a.Require(isms.PermReadRegisters)
		}
		return nil
	})
	return x, err
}

// canEditAction: editors may change any action; contributors and others
// the actions they are responsible for.
func canEditAction(a isms.Actor, x isms.Action) error {
	if a.Can(isms.PermWriteRegisters) || (x.ResponsibleID != "" && x.ResponsibleID == a.UserID) {
		return nil
	}
	return isms.Errorf(isms.KindForbidden, "error.forbidden")
}

func (t *tx) checkAction(a isms.Actor, x *isms.Action, prevStatus isms.ActionStatus) error {
	if x.ResponsibleID != "" {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, x.ResponsibleID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return isms.Invalid("responsible_id", "validation.not_member")
		}
	}
	switch {
	case x.Status == isms.ActionDone && prevStatus != isms.ActionDone:
		x.CompletedAt = t.now.Format(isms.DateLayout)
	case x.Status != isms.ActionDone:
		x.CompletedAt = ""
	}
	return nil
}

// CreateAction records a new action. Editors may create any; contributors
// may create actions they are responsible for (e.g. for their own risks).
func (db *DB) CreateAction(ctx context.Context, a isms.Actor, x isms.Action) (isms.Action, error) {
	if err := prepareAction(a, &x); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.createAction(a, &x); err != nil {
			return err
		}
		var err error
		x, err = actions.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// CreateActions records several new actions in one transaction: all of
// them or, on the first one that fails, none. Each is checked and audited
// as CreateAction does.
func (db *DB) CreateActions(ctx context.Context, a isms.Actor, xs []isms.Action) error {
	for i := range xs {
		if err := prepareAction(a, &xs[i]); err != nil {
			return err
		}
	}
	return db.write(ctx, func(t *tx) error {
		for i := range xs {
			if err := t.createAction(a, &xs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// prepareAction normalises and validates a new action for a.
func prepareAction(a isms.Actor, x *isms.Action) error {
	x.Meta = isms.Meta{}
	x.Normalize()
	if !a.Can(isms.PermWriteRegisters) && !(a.Can(isms.PermWriteOwned) && x.ResponsibleID == a.UserID) {
		return isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	return x.Validate()
}

func (t *tx) createAction(a isms.Actor, x *isms.Action) error {
	if err := t.checkAction(a, x, ""); err != nil {
		return err
	}
	return actions.insert(t, a, x)
}

// UpdateAction saves changes to an action read at version base. The
// responsible member may update it (progress, completion) whatever their
// role; editors may change anything.
func (db *DB) UpdateAction(ctx context.Context, a isms.Actor, x isms.Action, base int) (isms.Action, error) {
	x.Normalize()
	if err := x.Validate(); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := actions.get(t, a.OrgID, x.ID)
		if err != nil {
			return err
		}
		if err := canEditAction(a, cur); err != nil {
			return err
		}
		// Only editors may hand an action to someone else.
		if x.ResponsibleID != cur.ResponsibleID && !a.Can(isms.PermWriteRegisters) {
			return isms.Invalid("responsible_id", "validation.reassign")
		}
		if err := t.checkAction(a, &x, cur.Status); err != nil {
			return err
		}
		if cur.Status == isms.ActionDone && x.Status == isms.ActionDone {
			x.CompletedAt = cur.CompletedAt
		}
		if err := actions.update(t, a, &x, base); err != nil {
			return err
		}
		x, err = actions.get(t, a.OrgID, x.ID)
		return err
	})
	return x, err
}

// ArchiveAction archives or restores an action (editors only).
func (db *DB) ArchiveAction(ctx context.Context, a isms.Actor, id string, base int, archive bool) (isms.Action, error) {
	var x isms.Action
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return x, err
	}
	err := db.write(ctx, func(t *tx) error {
		var err error
		x, err = actions.setArchived(t, a, id, base, archive)
		return err
	})
	return x, err
}

// ActionHistory lists an action's changes, oldest first.
func (db *DB) ActionHistory(ctx context.Context, a isms.Actor, id string) ([]isms.HistoryEntry, error) {
	if _, err := db.Action(ctx, a, id); err != nil {
		return nil, err
	}
	var h []isms.HistoryEntry
	err := db.read(ctx, func(t *tx) error {
		var err error
		h, err = actions.historyOf(t, a.OrgID, id)
		return err
	})
	return h, err
}

// actionsServing reads the active actions serving a record into out,
// oldest first.
func actionsServing(orgID, servesType, servesID string, out *[]isms.Action) reading {
	return reading{`SELECT ` + actions.selectList() + ` FROM actions WHERE org_id = $1 AND serves_type = $2 AND serves_id = $3 AND archived_at IS NULL ORDER BY created_at, id`,
		[]any{orgID, servesType, servesID}, actions.rowsOf(out)}
}

// AddActionNote appends a progress note; whoever may edit the action may
// add notes.
func (db *DB) AddActionNote(ctx context.Context, a isms.Actor, actionID, body string) (isms.ActionNote, error) {
	n := isms.ActionNote{ActionID: actionID, AuthorID: a.UserID, AuthorName: a.UserName, Body: strings.TrimSpace(body)}
	if n.Body == "" {
		return n, isms.Invalid("body", "validation.required")
	}
	if len([]rune(n.Body)) > 5000 {
		return n, isms.Invalid("body", "validation.too_long", 5000)
	}
	err := db.write(ctx, func(t *tx) error {
		cur, err := actions.get(t, a.OrgID, actionID)
		if err != nil {
			return err
		}
		if err := canEditAction(a, cur); err != nil {
			return err
		}
		n.ID, n.CreatedAt = newID(), t.now
		if _, err := t.Exec(`INSERT INTO action_notes (id, org_id, action_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			n.ID, a.OrgID, actionID, a.UserID, n.Body, t.nowText()); err != nil {
			return err
		}
		return t.audit(a.OrgID, a.UserID, "action_note", n.ID, isms.ActionCreate, nil, map[string]any{"action_id": actionID, "body": n.Body})
	})
	return n, err
}

// ActionNotes lists an action's progress notes, oldest first.
func (db *DB) ActionNotes(ctx context.Context, a isms.Actor, actionID string) ([]isms.ActionNote, error) {
	if _, err := db.Action(ctx, a, actionID); err != nil {
		return nil, err
	}
	var out []isms.ActionNote
	err := db.read(ctx, func(t *tx) error { return t.readTogether(notesReading(a.OrgID, actionID, &out)) })
	return out, err
}

// notesReading reads an action's progress notes into out, oldest first.
func notesReading(orgID, actionID string, out *[]isms.ActionNote) reading {
	return reading{`SELECT n.id, n.action_id, n.author_id, COALESCE(u.name, ''), n.body, n.created_at
			FROM action_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.org_id = $1 AND n.action_id = $2 ORDER BY n.created_at, n.id`,
		[]any{orgID, actionID}, func(s scanner) error {
			var n isms.ActionNote
			var at string
			if err := s.Scan(&n.ID, &n.ActionID, &n.AuthorID, &n.AuthorName, &n.Body, &at); err != nil {
				return err
			}
			n.CreatedAt, _ = isms.ParseTime(at)
			*out = append(*out, n)
			return nil
		}}
}

// ActionPage is an action with what its page shows besides.
type ActionPage struct {
	Action  isms.Action
	Notes   []isms.ActionNote // oldest first
	History []isms.HistoryEntry
}

// ActionPage reads an action, its notes and its history in one read: on
// PostgreSQL one round trip (see readTogether) instead of three. Its
// responsible member may read it whatever their role, so who may read it
// is known only once it has been read.
func (db *DB) ActionPage(ctx context.Context, a isms.Actor, id string) (ActionPage, error) {
	var p ActionPage
	err := db.read(ctx, func(t *tx) error {
		if err := actions.getTogether(t, a.OrgID, id, &p.Action, notesReading(a.OrgID, id, &p.Notes),
			actions.historyReading(a.OrgID, id, &p.History)); err != nil {
			return err
		}
		if p.Action.ResponsibleID != a.UserID {
			return a.Require(isms.PermReadRegisters)
		}
		return nil
	})
	if err != nil {
		return ActionPage{}, err
	}
	return p, nil
}
