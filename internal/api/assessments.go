package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// assessmentRoutes registers the risk assessment run operations (clause
// 8.2): the runs, their frozen snapshots, comparisons between them and
// the due date of the next broad assessment.
//
// Who may do what: every role except staff reads; owners and ISMS
// managers record, change, close, archive and restore runs. A closed run
// never changes again (409).
func (h *handler) assessmentRoutes(read, write []int) {
	const tag = "Risk assessments"
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments", "list-assessments", tag, "List risk assessment runs",
		"Every risk assessment run, newest first by default. Readable by every role except staff.", isms.PermReadRegisters, read...), h.listAssessments)
	create := op("POST", "/orgs/{org}/assessments", "create-assessment", tag, "Start a risk assessment run",
		"Records a new, open run and answers 201 with its Location. criteria_id left out means the risk criteria in force (409 while none is approved). Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createAssessment)
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments/compare", "compare-assessments", tag, "Compare two risk assessment runs",
		"Compares the snapshot of closed run from with that of closed run to, or with the risk register as it stands now (to=now or left out). Risks are compared on their current level by its position in the ordering, so runs made under different criteria versions compare too. Not paged.",
		isms.PermReadRegisters, read...), h.compareAssessments)
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments/due", "assessment-due", tag, "When the next broad risk assessment is due",
		"Twelve months after the date of the last closed scheduled run that is not archived; runs after a change or an incident do not reset the clock. state is never (no scheduled run closed yet), later, soon (within 30 days) or overdue.",
		isms.PermReadRegisters, read...), h.assessmentDue)
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments/{id}", "get-assessment", tag, "Get a risk assessment run", "", isms.PermReadRegisters, read...), h.getAssessment)
	huma.Register(h.api, op("PATCH", "/orgs/{org}/assessments/{id}", "update-assessment", tag, "Change an open risk assessment run",
		"Send the version you read and only the fields to change. A closed run cannot be changed, and a stale version answers 409. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...), h.updateAssessment)
	huma.Register(h.api, op("POST", "/orgs/{org}/assessments/{id}/close", "close-assessment", tag, "Close a run and freeze its snapshot",
		"Closes the open run and, in the same transaction, freezes the inherent, expected residual and current rating of every active risk into its snapshot. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...), h.closeAssessment)
	huma.Register(h.api, op("POST", "/orgs/{org}/assessments/{id}/archive", "archive-assessment", tag, "Archive a risk assessment run",
		"Archived runs leave lists, comparisons, the trend and the due date; their snapshot is kept. Owners and ISMS managers only.", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*AssessmentOutput, error) {
			return h.setAssessmentArchived(ctx, in, true)
		})
	huma.Register(h.api, op("POST", "/orgs/{org}/assessments/{id}/restore", "restore-assessment", tag, "Restore an archived risk assessment run",
		"Owners and ISMS managers only.", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*AssessmentOutput, error) {
			return h.setAssessmentArchived(ctx, in, false)
		})
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments/{id}/history", "assessment-history", tag, "A risk assessment run's history",
		"Every change to the run, oldest first, with the fields that changed.", isms.PermReadRegisters, read...), h.assessmentHistory)
	huma.Register(h.api, op("GET", "/orgs/{org}/assessments/{id}/snapshot", "assessment-snapshot", tag, "A run's snapshot of risk ratings",
		"Every risk as it stood when the run was closed, in reference order; empty while the run is open. Not paged.", isms.PermReadRegisters, read...), h.assessmentSnapshot)
}

// Assessment is one risk assessment run.
type Assessment struct {
	Record
	AssessedOn        string     `json:"assessed_on" format:"date" doc:"When the assessment was performed (YYYY-MM-DD)." example:"2026-03-02"`
	Scope             string     `json:"scope" doc:"What the run covered." example:"The whole firm"`
	Trigger           string     `json:"trigger" enum:"scheduled,significant_change,incident" doc:"Why the run was made: the planned broad assessment, a significant change or an incident."`
	ParticipantIDs    []string   `json:"participant_ids" nullable:"false" doc:"User ids of the members who took part."`
	OtherParticipants []string   `json:"other_participants" nullable:"false" doc:"Names of anyone else who took part."`
	CriteriaID        string     `json:"criteria_id" doc:"The risk criteria version the run was made under."`
	CriteriaNumber    int        `json:"criteria_number" readOnly:"true"`
	Notes             string     `json:"notes" doc:"Method, sources, conclusions."`
	Status            string     `json:"status" readOnly:"true" enum:"open,closed" doc:"A closed run and its snapshot never change again."`
	ClosedAt          *time.Time `json:"closed_at" readOnly:"true" doc:"When the run was closed; null while open."`
	ClosedBy          *string    `json:"closed_by" readOnly:"true" doc:"User id of whoever closed it; null while open."`
	ClosedByName      string     `json:"closed_by_name" readOnly:"true"`
	RisksFrozen       int        `json:"risks_frozen" readOnly:"true" doc:"How many risks the snapshot holds."`
}

func assessmentOf(x isms.Assessment) Assessment {
	out := Assessment{Record: recordOf(x.Meta), AssessedOn: x.Date, Scope: x.Scope, Trigger: string(x.Trigger),
		ParticipantIDs: append([]string{}, x.ParticipantIDs...), OtherParticipants: []string{}, CriteriaID: x.CriteriaID,
		CriteriaNumber: x.CriteriaNumber, Notes: x.Notes, Status: string(x.Status), ClosedBy: nullable(x.ClosedBy),
		ClosedByName: x.ClosedByName, RisksFrozen: x.Lines}
	if x.OtherParticipants != "" {
		out.OtherParticipants = strings.Split(x.OtherParticipants, "\n")
	}
	if x.ClosedAt != nil {
		t := x.ClosedAt.UTC()
		out.ClosedAt = &t
	}
	return out
}

// AssessmentCreate is the body that starts a run.
type AssessmentCreate struct {
	AssessedOn        string   `json:"assessed_on" format:"date" doc:"When the assessment was performed (YYYY-MM-DD)."`
	Scope             string   `json:"scope" doc:"What the run covers."`
	Trigger           string   `json:"trigger,omitempty" enum:"scheduled,significant_change,incident" doc:"Default scheduled."`
	ParticipantIDs    []string `json:"participant_ids,omitempty" doc:"User ids of members who take part. Name at least one participant here or in other_participants."`
	OtherParticipants []string `json:"other_participants,omitempty" doc:"Names of anyone else who takes part."`
	CriteriaID        string   `json:"criteria_id,omitempty" doc:"An approved (or since superseded) risk criteria version; default the one in force."`
	Notes             string   `json:"notes,omitempty"`
}

// AssessmentPatch changes an open run: the version read and the fields to
// change.
type AssessmentPatch struct {
	Version           int       `json:"version" minimum:"1" doc:"The version of the run the change is based on."`
	AssessedOn        *string   `json:"assessed_on,omitempty" format:"date"`
	Scope             *string   `json:"scope,omitempty"`
	Trigger           *string   `json:"trigger,omitempty" enum:"scheduled,significant_change,incident"`
	ParticipantIDs    *[]string `json:"participant_ids,omitempty"`
	OtherParticipants *[]string `json:"other_participants,omitempty"`
	CriteriaID        *string   `json:"criteria_id,omitempty"`
	Notes             *string   `json:"notes,omitempty"`
}

// AssessmentOutput is the response carrying one run.
type AssessmentOutput struct{ Body Assessment }

// AssessmentCreated is the response to starting a run.
type AssessmentCreated struct {
	Location string `header:"Location" doc:"The new run's URL."`
	Body     Assessment
}

// assessmentField renames the store's field names to the body's.
func assessmentField(err error) error {
	e := isms.AsError(err)
	if e.Kind != isms.KindInvalid {
		return err
	}
	out := *e
	out.Fields = nil
	for _, f := range e.Fields {
		if f.Field == "trigger_kind" {
			f.Field = "trigger"
		}
		out.Fields = append(out.Fields, f)
	}
	return &out
}

type listAssessmentsInput struct {
	OrgPath
	ListParams
	Sort    string `query:"sort" enum:"date,-date,ref,-ref,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default -date (newest first)."`
	Status  string `query:"status" enum:"open,closed" doc:"Only runs with this status."`
	Trigger string `query:"trigger" enum:"scheduled,significant_change,incident" doc:"Only runs with this trigger."`
}

func (h *handler) listAssessments(ctx context.Context, in *listAssessmentsInput) (*ListOutput[Assessment], error) {
	a, _ := actorOf(ctx)
	sort := in.Sort
	if sort == "" {
		sort = "-date"
	}
	page, err := h.DB.Assessments(ctx, a, in.query(sort, map[string]string{"status": in.Status, "trigger": in.Trigger}))
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, assessmentOf), nil
}

func (h *handler) getAssessment(ctx context.Context, in *getPersonInput) (*AssessmentOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.Assessment(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &AssessmentOutput{Body: assessmentOf(x)}, nil
}

func assessmentURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/assessments/" + url.PathEscape(id)
}

func (h *handler) createAssessment(ctx context.Context, in *struct {
	OrgPath
	Body AssessmentCreate
}) (*AssessmentCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	x, err := h.DB.CreateAssessment(ctx, a, isms.Assessment{Date: b.AssessedOn, Scope: b.Scope, Trigger: isms.AssessmentTrigger(b.Trigger),
		ParticipantIDs: b.ParticipantIDs, OtherParticipants: strings.Join(b.OtherParticipants, "\n"), CriteriaID: b.CriteriaID, Notes: b.Notes})
	if err != nil {
		return nil, h.fail(ctx, assessmentField(err), "body")
	}
	return &AssessmentCreated{Location: assessmentURL(o.Slug, x.ID), Body: assessmentOf(x)}, nil
}

func (h *handler) updateAssessment(ctx context.Context, in *struct {
	RecordPath
	Body    AssessmentPatch
	RawBody []byte
}) (*AssessmentOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	x, err := h.DB.Assessment(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"assessed_on", &x.Date, b.AssessedOn}, {"scope", &x.Scope, b.Scope}, {"criteria_id", &x.CriteriaID, b.CriteriaID}, {"notes", &x.Notes, b.Notes},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	if present["trigger"] {
		x.Trigger = isms.AssessmentTrigger(deref(b.Trigger))
	}
	if present["participant_ids"] {
		x.ParticipantIDs = nil
		if b.ParticipantIDs != nil {
			x.ParticipantIDs = *b.ParticipantIDs
		}
	}
	if present["other_participants"] {
		x.OtherParticipants = ""
		if b.OtherParticipants != nil {
			x.OtherParticipants = strings.Join(*b.OtherParticipants, "\n")
		}
	}
	x, err = h.DB.UpdateAssessment(ctx, a, x, b.Version)
	if err != nil {
		return nil, h.fail(ctx, assessmentField(err), "body")
	}
	return &AssessmentOutput{Body: assessmentOf(x)}, nil
}

func (h *handler) closeAssessment(ctx context.Context, in *archivePersonInput) (*AssessmentOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.CloseAssessment(ctx, a, in.ID, in.Body.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &AssessmentOutput{Body: assessmentOf(x)}, nil
}

func (h *handler) setAssessmentArchived(ctx context.Context, in *archivePersonInput, archive bool) (*AssessmentOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.ArchiveAssessment(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &AssessmentOutput{Body: assessmentOf(x)}, nil
}

func (h *handler) assessmentHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.AssessmentHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// SnapshotRating is a rating as a snapshot froze it.
type SnapshotRating struct {
	Likelihood  int       `json:"likelihood" doc:"0 while unrated."`
	Consequence int       `json:"consequence" doc:"0 while unrated."`
	Level       *LevelRef `json:"level" doc:"The level it gave under the risk's criteria version; null while unrated."`
}

func snapshotRatingOf(r isms.SnapRating) SnapshotRating {
	out := SnapshotRating{Likelihood: r.Likelihood, Consequence: r.Consequence}
	if r.Rated() {
		out.Level = &LevelRef{Key: r.Level, Label: r.Label, Colour: r.Colour, Rank: r.Rank}
	}
	return out
}

// SnapshotLine is one risk as it stood when a run was closed (or, in a
// comparison with now, as it stands today).
type SnapshotLine struct {
	RiskID         string         `json:"risk_id"`
	RiskRef        string         `json:"risk_ref" example:"R-012"`
	Title          string         `json:"title"`
	Category       string         `json:"category"`
	OwnerName      string         `json:"owner_name"`
	CriteriaID     *string        `json:"criteria_id" doc:"The criteria version the risk was rated under; null while unrated."`
	CriteriaNumber int            `json:"criteria_number"`
	LevelCount     int            `json:"level_count" doc:"How many levels that criteria version has, to compare ranks across versions."`
	Inherent       SnapshotRating `json:"inherent"`
	Residual       SnapshotRating `json:"residual" doc:"The expected residual rating once treated."`
	Current        SnapshotRating `json:"current" doc:"The risk as it stood: the expected residual once every treatment action was done, otherwise the inherent rating."`
}

func snapshotLineOf(l isms.SnapshotLine) SnapshotLine {
	return SnapshotLine{RiskID: l.RiskID, RiskRef: l.RiskRef, Title: l.Title, Category: l.Category, OwnerName: l.OwnerName,
		CriteriaID: nullable(l.CriteriaID), CriteriaNumber: l.CriteriaNumber, LevelCount: l.LevelCount,
		Inherent: snapshotRatingOf(l.Inherent), Residual: snapshotRatingOf(l.Residual), Current: snapshotRatingOf(l.Current)}
}

func (h *handler) assessmentSnapshot(ctx context.Context, in *getPersonInput) (*ListOutput[SnapshotLine], error) {
	a, _ := actorOf(ctx)
	lines, err := h.DB.AssessmentSnapshot(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	out := &ListOutput[SnapshotLine]{Body: List[SnapshotLine]{Items: make([]SnapshotLine, 0, len(lines)), Total: len(lines)}}
	for _, l := range lines {
		out.Body.Items = append(out.Body.Items, snapshotLineOf(l))
	}
	return out, nil
}

// SnapshotChange is how one risk differs between two snapshots.
type SnapshotChange struct {
	Kind    string        `json:"kind" enum:"added,removed,up,down,unchanged"`
	RiskID  string        `json:"risk_id"`
	RiskRef string        `json:"risk_ref"`
	Title   string        `json:"title"`
	Before  *SnapshotLine `json:"before" doc:"The risk in the earlier snapshot; null when added since."`
	After   *SnapshotLine `json:"after" doc:"The risk in the later snapshot (or now); null when removed since."`
}

// AssessmentComparison is the difference between two snapshots; each list
// is in reference order.
type AssessmentComparison struct {
	From      Assessment       `json:"from"`
	To        *Assessment      `json:"to" doc:"The later run; null when compared with the register as it stands now."`
	Changed   int              `json:"changed" doc:"Risks added, removed, up or down."`
	Added     []SnapshotChange `json:"added" nullable:"false"`
	Removed   []SnapshotChange `json:"removed" nullable:"false" doc:"Risks closed or archived since."`
	Up        []SnapshotChange `json:"up" nullable:"false" doc:"Current level higher."`
	Down      []SnapshotChange `json:"down" nullable:"false" doc:"Current level lower."`
	Unchanged []SnapshotChange `json:"unchanged" nullable:"false"`
}

// AssessmentComparisonOutput is the response carrying a comparison.
type AssessmentComparisonOutput struct{ Body AssessmentComparison }

func changesOf(cs []isms.SnapshotChange) []SnapshotChange {
	out := make([]SnapshotChange, 0, len(cs))
	for _, c := range cs {
		ch := SnapshotChange{Kind: string(c.Kind), RiskID: c.RiskID, RiskRef: c.RiskRef, Title: c.Title}
		if c.Before != nil {
			l := snapshotLineOf(*c.Before)
			ch.Before = &l
		}
		if c.After != nil {
			l := snapshotLineOf(*c.After)
			ch.After = &l
		}
		out = append(out, ch)
	}
	return out
}

func (h *handler) compareAssessments(ctx context.Context, in *struct {
	OrgPath
	From string `query:"from" doc:"Id of the earlier closed run (required)."`
	To   string `query:"to" doc:"Id of the later closed run, or \"now\" (the default) for the register as it stands."`
}) (*AssessmentComparisonOutput, error) {
	a, _ := actorOf(ctx)
	to := in.To
	if to == "now" {
		to = ""
	}
	from, later, cmp, err := h.DB.CompareAssessments(ctx, a, in.From, to)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := AssessmentComparison{From: assessmentOf(from), Changed: cmp.Changed(), Added: changesOf(cmp.Added), Removed: changesOf(cmp.Removed),
		Up: changesOf(cmp.Up), Down: changesOf(cmp.Down), Unchanged: changesOf(cmp.Unchanged)}
	if to != "" {
		t := assessmentOf(later)
		out.To = &t
	}
	return &AssessmentComparisonOutput{Body: out}, nil
}

// AssessmentDue is when the next broad (scheduled) risk assessment falls
// due.
type AssessmentDue struct {
	State    string  `json:"state" enum:"never,later,soon,overdue" doc:"never: no scheduled run closed yet; soon: due within 30 days; overdue: past its due date."`
	DueOn    *string `json:"due_on" format:"date" doc:"Twelve months after the last closed scheduled run; null when state is never."`
	Days     *int    `json:"days" doc:"Days until due, negative when overdue; null when state is never."`
	LastID   *string `json:"last_id" doc:"The last closed scheduled run; null when state is never."`
	LastRef  *string `json:"last_ref"`
	LastDate *string `json:"last_date" format:"date"`
}

// AssessmentDueOutput is the response carrying the due date.
type AssessmentDueOutput struct{ Body AssessmentDue }

func (h *handler) assessmentDue(ctx context.Context, in *struct{ OrgPath }) (*AssessmentDueOutput, error) {
	a, _ := actorOf(ctx)
	d, err := h.DB.NextBroadAssessment(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := AssessmentDue{State: string(d.State)}
	if d.State != isms.DueNever {
		days := d.Days
		out.DueOn, out.Days, out.LastID, out.LastRef, out.LastDate = nullable(d.DueDate), &days, nullable(d.LastID), nullable(d.LastRef), nullable(d.LastDate)
	}
	return &AssessmentDueOutput{Body: out}, nil
}
