package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// inPlan selects the risks the treatment plan lists: those with a
// treatment option or a treatment action. The action is looked up risk by
// risk: written as EXISTS, PostgreSQL may instead hash the risk actions of
// every organisation to list a page of fifty risks.
const inPlan = `(treatment <> '' OR (SELECT 1 ` + actionsOfRisk + ` LIMIT 1) IS NOT NULL)`

// planCounts counts the risks of the whole plan and its treatment actions
// (cancelled ones left out): done, and open past their due date on $2.
// Every action of an active risk puts the risk in the plan, so the
// actions of the plan are those of the active risks.
const planCounts = `SELECT (SELECT COUNT(*) FROM risks WHERE org_id = $1 AND archived_at IS NULL AND ` + inPlan + `),
	COUNT(*),
	COALESCE(SUM(CASE WHEN x.` + actionDone + ` THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN x.status NOT IN ('done', 'cancelled') AND x.due_date <> '' AND x.due_date < $2 THEN 1 ELSE 0 END), 0)
	FROM actions x WHERE x.org_id = $1 AND x.serves_type = 'risk' AND x.archived_at IS NULL AND x.` + actionCounts + `
	AND EXISTS (SELECT 1 FROM risks r WHERE r.org_id = x.org_id AND r.id = x.serves_id AND r.archived_at IS NULL)`

// RiskTreatmentPlanPage returns a page of the risk treatment plan in the
// order of RiskTreatmentPlan: up to limit risks (isms.DefaultLimit when
// 0) from the start, or after or before at (a page's NextCursor or
// PrevCursor). Total is the number of risks in the whole plan, and
// progress counts the whole plan's actions, overdue meaning open past
// their due date on today (YYYY-MM-DD in the organisation's time zone).
//
// An entry holds what the plan shows, not whole records: of the risk its
// reference, title, owner's name, criteria version, ratings' cells and
// levels, treatment options, plan approval, acceptance and action counts;
// of each action its reference, title, responsible's name, due date and
// status; and the planned controls. RiskTreatmentPlan has them whole.
func (db *DB) RiskTreatmentPlanPage(ctx context.Context, a isms.Actor, at string, limit int, today string) (isms.Page[isms.PlanEntry], isms.PlanProgress, error) {
	var page isms.Page[isms.PlanEntry]
	var p isms.PlanProgress
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return page, p, err
	}
	if limit == 0 {
		limit = isms.DefaultLimit
	}
	if limit < 1 || limit > isms.MaxLimit {
		return page, p, isms.Invalid("limit", "validation.limit", isms.MaxLimit)
	}
	if !isms.ValidDate(today) {
		return page, p, isms.Invalid("today", "validation.date")
	}
	var c cursor
	if at != "" {
		var err error
		if c, err = decodeCursor(at); err != nil {
			return page, p, err
		}
		if _, ok := c.V.(int64); !ok {
			return page, p, isms.Invalid("cursor", "validation.cursor")
		}
	}
	err := db.read(ctx, func(t *tx) error {
		if err := t.counts(a.OrgID, planCounts, []any{a.OrgID, today}, &page.Total, &p.Actions, &p.Done, &p.Overdue); err != nil {
			return err
		}
		p.Open = p.Actions - p.Done
		if page.Total == 0 {
			return nil
		}
		keys, more, err := t.planRisks(a.OrgID, c, at != "", limit, &page)
		if err != nil || len(page.Items) == 0 {
			return err
		}
		n := len(page.Items)
		if (!c.B && more) || (c.B && at != "") {
			page.NextCursor = encodeCursor(cursor{V: keys[n-1], ID: page.Items[n-1].Risk.ID})
		}
		if (c.B && more) || (!c.B && at != "") {
			page.PrevCursor = encodeCursor(cursor{V: keys[0], ID: page.Items[0].Risk.ID, B: true})
		}
		return t.fillPlanEntries(a.OrgID, page.Items)
	})
	return page, p, err
}

// planRisks reads a page of the plan's risks into page, in display
// order, with their sort keys; more tells whether the plan goes on past
// the page in the direction read.
func (t *tx) planRisks(orgID string, c cursor, after bool, limit int, page *isms.Page[isms.PlanEntry]) (keys []int64, more bool, err error) {
	args := []any{orgID}
	cond, dir := "", "ASC"
	if after {
		op := ">"
		if c.B {
			op, dir = "<", "DESC"
		}
		cond = " AND (sort_priority, id) " + op + " ($2, $3)"
		args = append(args, c.V, c.ID)
	}
	page.Items = make([]isms.PlanEntry, 0, limit+1)
	keys = make([]int64, 0, limit+1)
	err = t.each(`SELECT id, ref, title, owner_id, criteria_id, criteria_number,
		inherent_likelihood, inherent_consequence, inherent_level, residual_likelihood, residual_consequence, residual_level,
		treatment, plan_approved_at, accepted_until, sort_priority
		FROM risks WHERE org_id = $1 AND archived_at IS NULL AND `+inPlan+cond+`
		ORDER BY sort_priority `+dir+`, id `+dir+` LIMIT `+fmt.Sprint(limit+1), args, func(rows *sql.Rows) error {
		page.Items = append(page.Items, isms.PlanEntry{})
		r := &page.Items[len(page.Items)-1].Risk
		var key int64
		if err := rows.Scan(&r.ID, &r.Ref, &r.Title, nullText{&r.OwnerID}, nullText{&r.CriteriaID}, &r.CriteriaNumber,
			&r.Inherent.Likelihood, &r.Inherent.Consequence, &r.Inherent.Level, &r.Residual.Likelihood, &r.Residual.Consequence, &r.Residual.Level,
			treatmentCol{&r.Treatment}, &r.PlanApprovedAt, &r.AcceptedUntil, &key); err != nil {
			return err
		}
		r.OrgID = orgID
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if more = len(page.Items) > limit; more {
		page.Items, keys = page.Items[:limit], keys[:limit]
	}
	if c.B && after { // read backwards: put back in display order
		for i, j := 0, len(page.Items)-1; i < j; i, j = i+1, j-1 {
			page.Items[i], page.Items[j] = page.Items[j], page.Items[i]
			keys[i], keys[j] = keys[j], keys[i]
		}
	}
	return keys, more, nil
}

// fillPlanEntries adds to the entries their treatment actions, by due
// date, their action counts, planned controls and the names of owners
// and of those responsible.
func (t *tx) fillPlanEntries(orgID string, entries []isms.PlanEntry) error {
	index := make(map[string]int, len(entries))
	ids := make([]string, len(entries))
	for i, e := range entries {
		index[e.Risk.ID] = i
		ids[i] = e.Risk.ID
	}
	err := t.planActions(orgID, ids, func(x isms.Action) {
		e := &entries[index[x.ServesID]]
		e.Actions = append(e.Actions, x)
		if x.Status != isms.ActionCancelled {
			e.Risk.ActionsTotal++
		}
		if x.Status == isms.ActionDone {
			e.Risk.ActionsDone++
		}
	})
	if err != nil {
		return err
	}
	if err := t.plannedControls(orgID, ids, func(l isms.Link) {
		e := &entries[index[l.FromID]]
		e.Controls = append(e.Controls, l)
	}); err != nil {
		return err
	}
	var refs []userRef
	for i := range entries {
		refs = append(refs, risks.users(&entries[i].Risk)...)
		for j := range entries[i].Actions {
			refs = append(refs, actions.users(&entries[i].Actions[j])...)
		}
	}
	return t.nameUsers(orgID, refs)
}

// maxKeptPlanLinks bounds the risk-to-control links kept for the
// treatment plan (DB.maxPlanLinks): an organisation with more has each
// page's links read.
const maxKeptPlanLinks = 1000

// plannedControls calls add with each control linked from the
// organisation's risks (only from riskIDs, unless nil), by the control's
// reference. The links are kept, named and in that order, until the
// organisation's records change (up to maxKeptPlanLinks of them): a page
// of the plan looked up fifty risks' links in the index and each link in
// the table, a fifth of the page.
func (t *tx) plannedControls(orgID string, riskIDs []string, add func(isms.Link)) error {
	return keptOfRisks(t, orgID, "risk control links", t.db.maxPlanLinks, linkBytes,
		func(l isms.Link) string { return l.FromID }, riskIDs,
		func(ids []string, limit int) ([]isms.Link, error) { return t.riskControls(orgID, ids, limit) }, add)
}

// keptOfRisks calls add with each of the organisation's items that belong
// to the risks riskIDs (to any risk when nil; risk tells an item's), in
// the order read gives them. The organisation's items are kept until its
// records change, up to max of them (read(nil, limit) reads at most limit
// items, of any risk), with where each risk's are, so that a page of risks
// looks up its own rather than testing all of them; with more, each call
// reads its risks' own (read(riskIDs, 0)). size tells about what an item
// holds (see keptUpTo). No risks (an empty riskIDs) have no items: nothing
// is read (PostgreSQL refuses an empty IN list).
func keptOfRisks[T any](t *tx, orgID, key string, max int, size func(T) int, risk func(T) string, riskIDs []string,
	read func(riskIDs []string, limit int) ([]T, error), add func(T)) error {
	if riskIDs != nil && len(riskIDs) == 0 {
		return nil
	}
	v, err := t.kept(orgID, key, func() (any, error) {
		items, err := read(nil, max+1)
		if err != nil || len(items) > max {
			return risksItems[T]{over: true}, err
		}
		k := risksItems[T]{items: items, at: make(map[string][]int32)}
		for i, x := range items {
			id := risk(x)
			k.at[id] = append(k.at[id], int32(i))
			k.bytes += size(x) + 4
		}
		k.bytes += 64 * len(k.at) // the index's keys and slice headers
		return k, nil
	})
	if err != nil {
		return err
	}
	k := v.(risksItems[T])
	if k.over { // more than are kept: read the risks' own
		items, err := read(riskIDs, 0)
		if err != nil {
			return err
		}
		for _, x := range items {
			add(x)
		}
		return nil
	}
	if riskIDs == nil {
		for _, x := range k.items {
			add(x)
		}
		return nil
	}
	for _, id := range riskIDs {
		for _, i := range k.at[id] {
			add(k.items[i])
		}
	}
	return nil
}

// risksItems is what keptOfRisks keeps: the organisation's items in order
// and, for each risk, where its own are.
type risksItems[T any] struct {
	items []T
	at    map[string][]int32
	over  bool // there were more than are kept; items is nil
	bytes int  // about what items and at hold
}

func (k risksItems[T]) keptBytes() int { return k.bytes }

// maxKeptPlanActions bounds the treatment actions kept for the treatment
// plan (DB.maxPlanActions): an organisation with more has each page's
// actions read.
const maxKeptPlanActions = 5000

// planAction is what the plan shows of a treatment action.
type planAction struct {
	id, ref, title, responsibleID, dueDate, riskID string
	status                                         isms.ActionStatus
}

// planActionBytes is about what a kept planAction holds.
func planActionBytes(x planAction) int {
	return 128 + len(x.id) + len(x.ref) + len(x.title) + len(x.responsibleID) + len(x.dueDate) + len(x.riskID) + len(x.status)
}

// planActions calls add with each active treatment action of the
// organisation's risks riskIDs (every risk's when nil), by due date (those
// without one last), then by when they were made, holding what the plan
// shows: reference, title, the responsible's id, due date and status.
// They are kept, in that order, until the organisation's records change
// (up to maxKeptPlanActions of them): a page of the plan looked up fifty
// risks' actions in the index and each action in the table and sorted
// them, a third of the page on SQLite, and a round trip on PostgreSQL.
func (t *tx) planActions(orgID string, riskIDs []string, add func(isms.Action)) error {
	return keptOfRisks(t, orgID, "risk plan actions", t.db.maxPlanActions, planActionBytes,
		func(x planAction) string { return x.riskID }, riskIDs,
		func(ids []string, limit int) ([]planAction, error) { return t.riskActions(orgID, ids, limit) },
		func(x planAction) {
			add(isms.Action{Meta: isms.Meta{ID: x.id, OrgID: orgID, Ref: x.ref}, Title: x.title, ResponsibleID: x.responsibleID,
				DueDate: x.dueDate, Status: x.status, ServesType: "risk", ServesID: x.riskID})
		})
}

// planActionOrder is the order of a risk's actions in the treatment plan:
// by due date, undated last.
const planActionOrder = `CASE WHEN due_date = '' THEN 1 ELSE 0 END, due_date, created_at, id`

// riskActions reads the active treatment actions of the organisation's
// risks (only of riskIDs, unless nil) in the plan's order, at most limit
// of them (0: all).
func (t *tx) riskActions(orgID string, riskIDs []string, limit int) ([]planAction, error) {
	cond, args := ofRisks(orgID, riskIDs, "serves_id")
	q := `SELECT id, ref, title, responsible_id, due_date, status, serves_id FROM actions
		WHERE org_id = $1 AND serves_type = 'risk'` + cond + ` AND archived_at IS NULL
		ORDER BY ` + planActionOrder
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var xs []planAction
	err := t.each(q, args, func(rows *sql.Rows) error {
		var x planAction
		if err := rows.Scan(&x.id, &x.ref, &x.title, nullText{&x.responsibleID}, &x.dueDate, &x.status, &x.riskID); err != nil {
			return err
		}
		xs = append(xs, x)
		return nil
	})
	return xs, err
}

// ofRisks gives the arguments of a query of the organisation's ($1)
// records of risks and, unless riskIDs is nil, the condition that column
// is one of riskIDs ($2 …).
func ofRisks(orgID string, riskIDs []string, column string) (cond string, args []any) {
	args = make([]any, 0, len(riskIDs)+1)
	args = append(args, orgID)
	if riskIDs == nil {
		return "", args
	}
	for _, id := range riskIDs {
		args = append(args, id)
	}
	return ` AND ` + column + ` IN (` + placeholders(2, len(riskIDs)) + `)`, args
}

// linkBytes is about what a named link holds: its string headers and the
// texts of its ends.
func linkBytes(l isms.Link) int {
	return 160 + len(l.FromID) + len(l.ToID) + len(l.Note) + len(l.OtherRef) + len(l.OtherTitle)
}

// riskControls reads the links from the organisation's risks (only from
// riskIDs, unless nil) to controls, at most limit of them (0: all), named
// and by the control's reference; when there are limit of them, they are
// left unnamed, there being more than the caller keeps. The links are read
// alone; the controls are named from their kept outlines, and only
// controls not among them (archived ones) are read.
func (t *tx) riskControls(orgID string, riskIDs []string, limit int) ([]isms.Link, error) {
	cond, args := ofRisks(orgID, riskIDs, "from_id")
	if limit > 0 {
		cond += fmt.Sprintf(" LIMIT %d", limit)
	}
	var links []isms.Link
	err := t.each(`SELECT from_id, to_id, note FROM record_links
		WHERE org_id = $1 AND from_type = 'risk' AND to_type = 'control'`+cond, args,
		func(rows *sql.Rows) error {
			l := isms.Link{FromType: "risk", ToType: "control"}
			if err := rows.Scan(&l.FromID, &l.ToID, &l.Note); err != nil {
				return err
			}
			links = append(links, l)
			return nil
		})
	if err != nil || len(links) == 0 || limit > 0 && len(links) >= limit {
		return links, err
	}
	outlines, err := t.keptOutlines(orgID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*isms.Control, len(outlines))
	for i := range outlines {
		byID[outlines[i].ID] = &outlines[i]
	}
	var others []string
	for i := range links {
		if c, ok := byID[links[i].ToID]; ok {
			links[i].OtherRef, links[i].OtherTitle = c.Ref, c.Title
		} else if !slices.Contains(others, links[i].ToID) {
			others = append(others, links[i].ToID)
		}
	}
	if len(others) > 0 {
		refs := map[string]isms.RecordRef{}
		if err := t.refsOf(orgID, "control", others, false, refs); err != nil {
			return nil, err
		}
		for i := range links {
			if r, ok := refs["control:"+links[i].ToID]; ok {
				links[i].OtherRef, links[i].OtherTitle = r.Ref, r.Title
			}
		}
	}
	// By reference, as SQL's ORDER BY of the text would (byte order).
	slices.SortFunc(links, func(a, b isms.Link) int {
		return cmp.Or(strings.Compare(a.OtherRef, b.OtherRef), strings.Compare(a.ToID, b.ToID))
	})
	return links, nil
}
