package isms

import "time"

// ActionStatus is where an action stands.
type ActionStatus string

// The action statuses.
const (
	ActionOpen       ActionStatus = "open"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionCancelled  ActionStatus = "cancelled"
)

// ActionStatuses lists the statuses in order.
var ActionStatuses = []ActionStatus{ActionOpen, ActionInProgress, ActionDone, ActionCancelled}

// Closed reports whether the action needs no more work.
func (s ActionStatus) Closed() bool { return s == ActionDone || s == ActionCancelled }

// Action is one plan in the ISMS. Clause 6.2 asks five questions of every
// plan — what will be done, with what resources, who is responsible, by
// when, and how the results will be evaluated — and the same record serves
// risk treatment, objectives, corrective actions, audits, reviews and
// evidence requests. ServesType/ServesID link it to the record it serves.
type Action struct {
	Meta
	Title         string // what will be done
	Description   string // details (Markdown)
	Resources     string // what resources it needs
	ResponsibleID string // user id of the member responsible
	DueDate       string // YYYY-MM-DD: when it will be completed
	Evaluation    string // how the results will be evaluated
	Status        ActionStatus
	// CompletionEvidence says what shows the action was done; required to
	// mark it done.
	CompletionEvidence string
	CompletedAt        string // YYYY-MM-DD, set when marked done
	ServesType         string // record type served, e.g. "risk", "control", "evidence"
	ServesID           string

	// Filled in by reads.
	ResponsibleName string
}

// ActionFields lists an action's fields in display order.
var ActionFields = []FieldSpec{
	{"title", "action.title"}, {"description", "action.description"}, {"resources", "action.resources"},
	{"responsible_id", "action.responsible"}, {"due_date", "action.due_date"}, {"evaluation", "action.evaluation"},
	{"status", "action.status"}, {"completion_evidence", "action.completion_evidence"},
	{"completed_at", "action.completed_at"}, {"serves_type", "action.serves_type"}, {"serves_id", "action.serves_id"},
}

// Fields returns the stored field values for the audit log and history.
func (x Action) Fields() map[string]any {
	return map[string]any{
		"title": x.Title, "description": x.Description, "resources": x.Resources, "responsible_id": x.ResponsibleID,
		"due_date": x.DueDate, "evaluation": x.Evaluation, "status": string(x.Status),
		"completion_evidence": x.CompletionEvidence, "completed_at": x.CompletedAt,
		"serves_type": x.ServesType, "serves_id": x.ServesID,
	}
}

// Normalize trims inputs and defaults the status to open.
func (x *Action) Normalize() {
	x.Title, x.Description, x.Resources = Clean(x.Title), Clean(x.Description), Clean(x.Resources)
	x.ResponsibleID, x.DueDate, x.Evaluation = Clean(x.ResponsibleID), Clean(x.DueDate), Clean(x.Evaluation)
	x.CompletionEvidence, x.CompletedAt = Clean(x.CompletionEvidence), Clean(x.CompletedAt)
	x.ServesType, x.ServesID = Clean(x.ServesType), Clean(x.ServesID)
	if x.Status == "" {
		x.Status = ActionOpen
	}
}

// Validate checks an action on its own; the store checks that the
// responsible user is a member and the served record exists.
func (x Action) Validate() error {
	var p Problems
	checkText(&p, "title", x.Title, true, 300)
	checkText(&p, "description", x.Description, false, 20000)
	checkText(&p, "resources", x.Resources, false, 2000)
	checkText(&p, "evaluation", x.Evaluation, false, 2000)
	checkText(&p, "completion_evidence", x.CompletionEvidence, false, 5000)
	checkDate(&p, "due_date", x.DueDate)
	checkDate(&p, "completed_at", x.CompletedAt)
	ok := false
	for _, s := range ActionStatuses {
		ok = ok || x.Status == s
	}
	if !ok {
		p.Add("status", "validation.choice")
	}
	if x.Status == ActionDone && x.CompletionEvidence == "" {
		p.Add("completion_evidence", "validation.completion_evidence")
	}
	if (x.ServesType == "") != (x.ServesID == "") {
		p.Add("serves_id", "validation.serves")
	}
	return p.Err()
}

// Overdue reports whether the action is open past its due date (today is
// YYYY-MM-DD in the organisation's time zone).
func (x Action) Overdue(today string) bool {
	return !x.Status.Closed() && x.DueDate != "" && x.DueDate < today
}

// ActionNote is a progress note on an action.
type ActionNote struct {
	ID         string
	ActionID   string
	AuthorID   string
	AuthorName string
	Body       string
	CreatedAt  time.Time
}
