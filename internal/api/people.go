package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// Person is an entry of the People register (the staff directory).
type Person struct {
	Record
	Name        string  `json:"name" example:"Ada Lovelace"`
	Email       string  `json:"email" doc:"Work email address; empty if none." example:"ada@example.com"`
	JobTitle    string  `json:"job_title" example:"Head of Engineering"`
	Department  string  `json:"department" example:"Engineering"`
	ManagerID   *string `json:"manager_id" doc:"Id of this person's manager in the directory, or null."`
	ManagerName string  `json:"manager_name" doc:"The manager's name." readOnly:"true"`
	StartDate   *string `json:"start_date" format:"date" doc:"First working day (YYYY-MM-DD), or null." example:"2024-01-15"`
	LeaveDate   *string `json:"leave_date" format:"date" doc:"Last working day (YYYY-MM-DD), or null."`
	UserID      *string `json:"user_id" doc:"Id of the linked user account (a member of the organisation), or null."`
}

func personOf(p isms.Person) Person {
	return Person{
		Record: recordOf(p.Meta), Name: p.Name, Email: p.Email, JobTitle: p.JobTitle, Department: p.Department,
		ManagerID: nullable(p.ManagerID), ManagerName: p.ManagerName,
		StartDate: nullable(p.StartDate), LeaveDate: nullable(p.LeaveDate), UserID: nullable(p.UserID),
	}
}

// PersonCreate is the body that adds a person.
type PersonCreate struct {
	Name       string  `json:"name" doc:"Full name." example:"Ada Lovelace"`
	Email      string  `json:"email,omitempty" doc:"Work email address; unique in the directory." example:"ada@example.com"`
	JobTitle   string  `json:"job_title,omitempty" example:"Head of Engineering"`
	Department string  `json:"department,omitempty" example:"Engineering"`
	ManagerID  *string `json:"manager_id,omitempty" nullable:"true" doc:"Id of the manager, a person in the same directory."`
	StartDate  *string `json:"start_date,omitempty" nullable:"true" format:"date" example:"2024-01-15"`
	LeaveDate  *string `json:"leave_date,omitempty" nullable:"true" format:"date"`
	UserID     *string `json:"user_id,omitempty" nullable:"true" doc:"Id of a user account that is a member of the organisation."`
}

// PersonPatch is the body that changes a person: the version the change is
// based on and only the fields to change. Null clears a nullable field.
type PersonPatch struct {
	Version    int     `json:"version" minimum:"1" doc:"The version of the person the change is based on."`
	Name       *string `json:"name,omitempty"`
	Email      *string `json:"email,omitempty"`
	JobTitle   *string `json:"job_title,omitempty"`
	Department *string `json:"department,omitempty"`
	ManagerID  *string `json:"manager_id,omitempty" nullable:"true"`
	StartDate  *string `json:"start_date,omitempty" nullable:"true" format:"date"`
	LeaveDate  *string `json:"leave_date,omitempty" nullable:"true" format:"date"`
	UserID     *string `json:"user_id,omitempty" nullable:"true"`
}

// PersonOutput is the response carrying one person.
type PersonOutput struct {
	Body Person
}

// PersonCreated is the response to adding a person.
type PersonCreated struct {
	Location string `header:"Location" doc:"The new person's URL."`
	Body     Person
}

type listPeopleInput struct {
	OrgPath
	ListParams
	Sort       string `query:"sort" enum:"name,-name,email,-email,job_title,-job_title,department,-department,start_date,-start_date,leave_date,-leave_date,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default name."`
	Department string `query:"department" doc:"Only people in this department; \"-\" for people without one."`
	ManagerID  string `query:"manager_id" doc:"Only people with this manager (a person id); \"-\" for people without one."`
	UserID     string `query:"user_id" doc:"Only the person linked to this user account; \"-\" for people without one."`
	JobTitle   string `query:"job_title" doc:"Only people with exactly this job title; \"-\" for people without one."`
}

func (h *handler) listPeople(ctx context.Context, in *listPeopleInput) (*ListOutput[Person], error) {
	a, _ := actorOf(ctx)
	q := in.query(in.Sort, map[string]string{
		"department": in.Department, "manager_id": in.ManagerID, "user_id": in.UserID, "job_title": in.JobTitle,
	})
	page, err := h.DB.People(ctx, a, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, personOf), nil
}

type getPersonInput struct {
	RecordPath
}

func (h *handler) getPerson(ctx context.Context, in *getPersonInput) (*PersonOutput, error) {
	a, _ := actorOf(ctx)
	p, err := h.DB.Person(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &PersonOutput{Body: personOf(p)}, nil
}

type createPersonInput struct {
	OrgPath
	Body PersonCreate
}

func (h *handler) createPerson(ctx context.Context, in *createPersonInput) (*PersonCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	p, err := h.DB.CreatePerson(ctx, a, isms.Person{
		Name: b.Name, Email: b.Email, JobTitle: b.JobTitle, Department: b.Department,
		ManagerID: deref(b.ManagerID), StartDate: deref(b.StartDate), LeaveDate: deref(b.LeaveDate), UserID: deref(b.UserID),
	})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &PersonCreated{Location: personURL(o.Slug, p.ID), Body: personOf(p)}, nil
}

func personURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/people/" + url.PathEscape(id)
}

type updatePersonInput struct {
	RecordPath
	Body    PersonPatch
	RawBody []byte
}

func (h *handler) updatePerson(ctx context.Context, in *updatePersonInput) (*PersonOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	p, err := h.DB.Person(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"name", &p.Name, b.Name}, {"email", &p.Email, b.Email}, {"job_title", &p.JobTitle, b.JobTitle},
		{"department", &p.Department, b.Department}, {"manager_id", &p.ManagerID, b.ManagerID},
		{"start_date", &p.StartDate, b.StartDate}, {"leave_date", &p.LeaveDate, b.LeaveDate}, {"user_id", &p.UserID, b.UserID},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	p, err = h.DB.UpdatePerson(ctx, a, p, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &PersonOutput{Body: personOf(p)}, nil
}

// presentFields lists the top-level fields of a JSON object body, so that
// PATCH can tell an absent field (unchanged) from a null one (cleared).
func presentFields(body []byte) (map[string]bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, newProblem(http.StatusBadRequest, tr.T("error.json", err.Error()), FieldProblem{Location: "body", Message: tr.T("error.json", err.Error())})
	}
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out, nil
}

type archivePersonInput struct {
	RecordPath
	Body VersionBody
}

func (h *handler) archivePerson(ctx context.Context, in *archivePersonInput) (*PersonOutput, error) {
	return h.setPersonArchived(ctx, in, true)
}

func (h *handler) restorePerson(ctx context.Context, in *archivePersonInput) (*PersonOutput, error) {
	return h.setPersonArchived(ctx, in, false)
}

func (h *handler) setPersonArchived(ctx context.Context, in *archivePersonInput, archive bool) (*PersonOutput, error) {
	a, _ := actorOf(ctx)
	p, err := h.DB.ArchivePerson(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &PersonOutput{Body: personOf(p)}, nil
}

func (h *handler) personHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.PersonHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// ExportOutput streams a file download.
type ExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               func(huma.Context)
}

// xlsxType is the media type of Excel workbooks.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (h *handler) exportPeople(ctx context.Context, in *struct{ OrgPath }) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	// Read everything before answering, so that a failure is still a
	// problem response rather than a truncated file. One query rather than
	// a loop over pages: a third of the time at 100,000 people.
	people, err := h.DB.ActivePeople(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	now := time.Now()
	name := fmt.Sprintf("%s-people-%s.xlsx", o.Slug, now.In(o.Location()).Format(isms.DateLayout))
	return &ExportOutput{
		ContentType:        xlsxType,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s"`, name),
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			info := report.Info{Version: h.Version, ExportedAt: now}
			if err := report.PeopleXLSXWith(hc.BodyWriter(), o, people, info); err != nil {
				// The status is sent; all that is left is to log it.
				h.logInternal(ctx, fmt.Errorf("write people export: %w", err))
			}
		},
	}, nil
}
