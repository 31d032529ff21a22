package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// actionRoutes registers the Actions operations and "my actions".
//
// Who may do what: the register is read by every role except staff; the
// member responsible for an action may read and update it (progress,
// notes, completion) whatever their role; owners and ISMS managers may
// change any action, and contributors create the actions they are
// responsible for. Operations open to the responsible member check it in
// mayEditAction or the store before the body is read.
func (h *handler) actionRoutes(read, write []int) {
	const tag = "Actions"
	huma.Register(h.api, op("GET", "/orgs/{org}/actions", "list-actions", tag, "List actions",
		"Every plan of the ISMS (risk treatment, objectives, corrective actions …) with the five questions of clause 6.2. Readable by every role except staff.",
		isms.PermReadRegisters, read...), h.listActions)
	create := op("POST", "/orgs/{org}/actions", "create-action", tag, "Add an action",
		"Adds an action and answers 201 with its Location. Owners and ISMS managers may make anyone responsible; contributors only themselves.",
		isms.PermWriteOwned, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createAction)
	huma.Register(h.api, op("GET", "/orgs/{org}/my-actions", "my-actions", tag, "My actions",
		"The open actions you are responsible for, soonest due first, each flagged when overdue (in the organisation's time zone). Every role, staff included. status=done, cancelled or all shows closed ones instead.",
		"", read...), h.myActions)
	huma.Register(h.api, op("GET", "/orgs/{org}/actions/{id}", "get-action", tag, "Get an action",
		"Readable by every role except staff, and by the member responsible for it.", "", read...), h.getAction)
	patch := op("PATCH", "/orgs/{org}/actions/{id}", "update-action", tag, "Change an action",
		"Send the version you read and only the fields to change. The responsible member may update it; only owners and ISMS managers may make someone else responsible. Marking it done needs completion_evidence. A stale version answers 409.",
		"", write...)
	patch.Middlewares = huma.Middlewares{h.mayEditAction}
	huma.Register(h.api, patch, h.updateAction)
	done := op("POST", "/orgs/{org}/actions/{id}/complete", "complete-action", tag, "Mark an action done",
		"Records what shows the action was done and marks it done, dated today.", "", write...)
	done.Middlewares = huma.Middlewares{h.mayEditAction}
	huma.Register(h.api, done, h.completeAction)
	huma.Register(h.api, op("POST", "/orgs/{org}/actions/{id}/archive", "archive-action", tag, "Archive an action", "", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*ActionOutput, error) {
			return h.setActionArchived(ctx, in, true)
		})
	huma.Register(h.api, op("POST", "/orgs/{org}/actions/{id}/restore", "restore-action", tag, "Restore an archived action", "", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*ActionOutput, error) {
			return h.setActionArchived(ctx, in, false)
		})
	huma.Register(h.api, op("GET", "/orgs/{org}/actions/{id}/history", "action-history", tag, "An action's history", "", "", read...), h.actionHistory)
	huma.Register(h.api, op("GET", "/orgs/{org}/actions/{id}/notes", "action-notes", tag, "An action's progress notes", "Oldest first.", "", read...), h.actionNotes)
	note := op("POST", "/orgs/{org}/actions/{id}/notes", "add-action-note", tag, "Add a progress note", "", "", write...)
	note.DefaultStatus = http.StatusCreated
	note.Middlewares = huma.Middlewares{h.mayEditAction}
	huma.Register(h.api, note, h.addActionNote)
}

// mayEditAction refuses, before the body is read, callers who may neither
// change every action nor are responsible for this one.
func (h *handler) mayEditAction(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	x, err := h.DB.Action(ctx.Context(), a, ctx.Param("id"))
	if err == nil && !a.Can(isms.PermWriteRegisters) && (x.ResponsibleID == "" || x.ResponsibleID != a.UserID) {
		err = isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// Action is one plan: the five questions of clause 6.2 (what, resources,
// who, when, how evaluated) plus status, completion evidence and the
// record it serves.
type Action struct {
	Record
	Title              string  `json:"title" doc:"What will be done." example:"Turn on multi-factor authentication for email"`
	Description        string  `json:"description" doc:"Details."`
	Resources          string  `json:"resources" doc:"What resources it needs." example:"Two days of IT time"`
	ResponsibleID      *string `json:"responsible_id" doc:"User id of the member responsible, or null."`
	ResponsibleName    string  `json:"responsible_name" readOnly:"true"`
	DueDate            *string `json:"due_date" format:"date" doc:"When it will be completed (YYYY-MM-DD), or null."`
	Evaluation         string  `json:"evaluation" doc:"How the results will be evaluated." example:"The admin console shows MFA on for every mailbox"`
	Status             string  `json:"status" enum:"open,in_progress,done,cancelled"`
	CompletionEvidence string  `json:"completion_evidence" doc:"What shows it was done; required to mark it done."`
	CompletedAt        *string `json:"completed_at" format:"date" readOnly:"true" doc:"The day it was marked done."`
	ServesType         string  `json:"serves_type" doc:"The kind of record this action serves (risk, control, objective …); empty if none."`
	ServesID           string  `json:"serves_id" doc:"The id of the record it serves."`
	Overdue            bool    `json:"overdue" readOnly:"true" doc:"Open and past its due date in the organisation's time zone."`
}

func actionOf(today string) func(isms.Action) Action {
	return func(x isms.Action) Action {
		return Action{
			Record: recordOf(x.Meta), Title: x.Title, Description: x.Description, Resources: x.Resources,
			ResponsibleID: nullable(x.ResponsibleID), ResponsibleName: x.ResponsibleName, DueDate: nullable(x.DueDate),
			Evaluation: x.Evaluation, Status: string(x.Status), CompletionEvidence: x.CompletionEvidence,
			CompletedAt: nullable(x.CompletedAt), ServesType: x.ServesType, ServesID: x.ServesID, Overdue: x.Overdue(today),
		}
	}
}

// today is the date in the organisation's time zone.
func today(o isms.Organisation) string { return time.Now().In(o.Location()).Format(isms.DateLayout) }

// ActionCreate is the body that adds an action.
type ActionCreate struct {
	Title         string  `json:"title" doc:"What will be done."`
	Description   string  `json:"description,omitempty"`
	Resources     string  `json:"resources,omitempty" doc:"What resources it needs."`
	ResponsibleID *string `json:"responsible_id,omitempty" nullable:"true" doc:"Who is responsible: a member's user id."`
	DueDate       *string `json:"due_date,omitempty" nullable:"true" format:"date" doc:"When it will be completed."`
	Evaluation    string  `json:"evaluation,omitempty" doc:"How the results will be evaluated."`
	Status        string  `json:"status,omitempty" enum:"open,in_progress,done,cancelled" doc:"Default open."`
	Evidence      string  `json:"completion_evidence,omitempty"`
	ServesType    string  `json:"serves_type,omitempty"`
	ServesID      string  `json:"serves_id,omitempty"`
}

// ActionPatch changes an action: the version read and the fields to change.
type ActionPatch struct {
	Version       int     `json:"version" minimum:"1"`
	Title         *string `json:"title,omitempty"`
	Description   *string `json:"description,omitempty"`
	Resources     *string `json:"resources,omitempty"`
	ResponsibleID *string `json:"responsible_id,omitempty" nullable:"true"`
	DueDate       *string `json:"due_date,omitempty" nullable:"true" format:"date"`
	Evaluation    *string `json:"evaluation,omitempty"`
	Status        *string `json:"status,omitempty" enum:"open,in_progress,done,cancelled"`
	Evidence      *string `json:"completion_evidence,omitempty"`
	ServesType    *string `json:"serves_type,omitempty"`
	ServesID      *string `json:"serves_id,omitempty"`
}

// ActionOutput is the response carrying one action.
type ActionOutput struct{ Body Action }

// ActionCreated is the response to adding an action.
type ActionCreated struct {
	Location string `header:"Location"`
	Body     Action
}

type listActionsInput struct {
	OrgPath
	ListParams
	Sort          string `query:"sort" enum:"due_date,-due_date,title,-title,status,-status,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; default due_date."`
	Status        string `query:"status" enum:"open,in_progress,done,cancelled" doc:"Only actions with this status."`
	ResponsibleID string `query:"responsible_id" doc:"Only actions this member is responsible for; \"-\" for actions without anyone responsible."`
	ServesType    string `query:"serves_type" doc:"Only actions serving records of this kind."`
	ServesID      string `query:"serves_id" doc:"Only actions serving this record."`
	Open          string `query:"open" enum:"yes" doc:"yes: only actions still open or in progress."`
	Overdue       string `query:"overdue" enum:"yes" doc:"yes: only open actions past their due date."`
}

func (h *handler) listActions(ctx context.Context, in *listActionsInput) (*ListOutput[Action], error) {
	a, o := actorOf(ctx)
	f := map[string]string{"status": in.Status, "responsible_id": in.ResponsibleID, "serves_type": in.ServesType,
		"serves_id": in.ServesID, "open": in.Open}
	d := today(o)
	if in.Overdue == "yes" {
		f["open"], f["due_before"] = "yes", d
	}
	page, err := h.DB.Actions(ctx, a, in.query(in.Sort, f))
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, actionOf(d)), nil
}

type myActionsInput struct {
	OrgPath
	ListParams
	Sort   string `query:"sort" enum:"due_date,-due_date,title,-title,status,-status,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; default due_date."`
	Status string `query:"status" enum:"open,in_progress,done,cancelled,all" doc:"Omit for open and in-progress actions."`
}

func (h *handler) myActions(ctx context.Context, in *myActionsInput) (*ListOutput[Action], error) {
	a, o := actorOf(ctx)
	f := map[string]string{}
	switch in.Status {
	case "":
	case "all":
		f["status"] = ""
	default:
		f["status"] = in.Status
	}
	q := in.query(in.Sort, nil)
	q.Filters = f
	page, err := h.DB.MyActions(ctx, a, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, actionOf(today(o))), nil
}

func (h *handler) getAction(ctx context.Context, in *getPersonInput) (*ActionOutput, error) {
	a, o := actorOf(ctx)
	x, err := h.DB.Action(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &ActionOutput{Body: actionOf(today(o))(x)}, nil
}

func (h *handler) createAction(ctx context.Context, in *struct {
	OrgPath
	Body ActionCreate
}) (*ActionCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	x, err := h.DB.CreateAction(ctx, a, isms.Action{
		Title: b.Title, Description: b.Description, Resources: b.Resources, ResponsibleID: deref(b.ResponsibleID),
		DueDate: deref(b.DueDate), Evaluation: b.Evaluation, Status: isms.ActionStatus(b.Status), CompletionEvidence: b.Evidence,
		ServesType: b.ServesType, ServesID: b.ServesID,
	})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ActionCreated{Location: Prefix + "/orgs/" + url.PathEscape(o.Slug) + "/actions/" + url.PathEscape(x.ID), Body: actionOf(today(o))(x)}, nil
}

func (h *handler) updateAction(ctx context.Context, in *struct {
	RecordPath
	Body    ActionPatch
	RawBody []byte
}) (*ActionOutput, error) {
	a, o := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	x, err := h.DB.Action(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"title", &x.Title, b.Title}, {"description", &x.Description, b.Description}, {"resources", &x.Resources, b.Resources},
		{"responsible_id", &x.ResponsibleID, b.ResponsibleID}, {"due_date", &x.DueDate, b.DueDate},
		{"evaluation", &x.Evaluation, b.Evaluation}, {"completion_evidence", &x.CompletionEvidence, b.Evidence},
		{"serves_type", &x.ServesType, b.ServesType}, {"serves_id", &x.ServesID, b.ServesID},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	if present["status"] {
		x.Status = isms.ActionStatus(deref(b.Status))
	}
	x, err = h.DB.UpdateAction(ctx, a, x, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ActionOutput{Body: actionOf(today(o))(x)}, nil
}

// ActionComplete is the body that marks an action done.
type ActionComplete struct {
	Version  int    `json:"version" minimum:"1"`
	Evidence string `json:"completion_evidence" doc:"What shows the action was done (a report, a screenshot's location, a ticket)."`
}

func (h *handler) completeAction(ctx context.Context, in *struct {
	RecordPath
	Body ActionComplete
}) (*ActionOutput, error) {
	a, o := actorOf(ctx)
	x, err := h.DB.Action(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	x.Status, x.CompletionEvidence = isms.ActionDone, in.Body.Evidence
	x, err = h.DB.UpdateAction(ctx, a, x, in.Body.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ActionOutput{Body: actionOf(today(o))(x)}, nil
}

func (h *handler) setActionArchived(ctx context.Context, in *archivePersonInput, archive bool) (*ActionOutput, error) {
	a, o := actorOf(ctx)
	x, err := h.DB.ArchiveAction(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ActionOutput{Body: actionOf(today(o))(x)}, nil
}

func (h *handler) actionHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.ActionHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// ActionNote is a progress note on an action.
type ActionNote struct {
	ID         string    `json:"id" readOnly:"true"`
	AuthorID   string    `json:"author_id" readOnly:"true"`
	AuthorName string    `json:"author_name" readOnly:"true"`
	Body       string    `json:"body" example:"Rolled out to the finance team."`
	CreatedAt  time.Time `json:"created_at" readOnly:"true"`
}

func noteOf(n isms.ActionNote) ActionNote {
	return ActionNote{ID: n.ID, AuthorID: n.AuthorID, AuthorName: n.AuthorName, Body: n.Body, CreatedAt: n.CreatedAt.UTC()}
}

func (h *handler) actionNotes(ctx context.Context, in *getPersonInput) (*ListOutput[ActionNote], error) {
	a, _ := actorOf(ctx)
	notes, err := h.DB.ActionNotes(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return listOf(isms.Page[isms.ActionNote]{Items: notes, Total: len(notes)}, noteOf), nil
}

// NoteCreate is the body that adds a progress note.
type NoteCreate struct {
	Body string `json:"body" doc:"The note (up to 5,000 characters)."`
}

// NoteCreated is the response to adding a note.
type NoteCreated struct{ Body ActionNote }

func (h *handler) addActionNote(ctx context.Context, in *struct {
	RecordPath
	Body NoteCreate
}) (*NoteCreated, error) {
	a, _ := actorOf(ctx)
	n, err := h.DB.AddActionNote(ctx, a, in.ID, in.Body.Body)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	n.AuthorName = a.UserName
	return &NoteCreated{Body: noteOf(n)}, nil
}
