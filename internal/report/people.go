package report

import (
	"io"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// peopleColumns lays out the People register.
var peopleColumns = []Column[isms.Person]{
	{Label: "field.ref", Width: 10, Value: func(p isms.Person) any { return p.Ref }},
	{Label: "person.name", Width: 28, Value: func(p isms.Person) any { return p.Name }},
	{Label: "person.email", Width: 32, Value: func(p isms.Person) any { return p.Email }},
	{Label: "person.job_title", Width: 28, Value: func(p isms.Person) any { return p.JobTitle }},
	{Label: "person.department", Width: 20, Value: func(p isms.Person) any { return p.Department }},
	{Label: "person.manager", Width: 28, Value: func(p isms.Person) any { return p.ManagerName }},
	{Label: "person.start_date", Width: 14, Value: func(p isms.Person) any { return Date(p.StartDate) }},
	{Label: "person.leave_date", Width: 14, Value: func(p isms.Person) any { return Date(p.LeaveDate) }},
	{Label: "person.user", Width: 32, Value: func(p isms.Person) any { return p.UserEmail }},
	{Label: "report.updated_at", Width: 18, Value: func(p isms.Person) any { return p.UpdatedAt }},
}

// PeopleXLSX writes the People register of org as an XLSX workbook: one
// row per person in the order given, then an About sheet.
func PeopleXLSX(w io.Writer, org isms.Organisation, people []isms.Person) error {
	return PeopleXLSXWith(w, org, people, Info{})
}

// PeopleXLSXWith is PeopleXLSX with the export's version and time given.
func PeopleXLSXWith(w io.Writer, org isms.Organisation, people []isms.Person, info Info) error {
	return writeWorkbook(w, org, Sheet[isms.Person]{Name: "report.people", Columns: peopleColumns, Rows: people}, info)
}
