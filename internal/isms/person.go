package isms

// Person is an entry in the staff directory (People register): everyone who
// works for the organisation, whether or not they sign in to Holdfast.
type Person struct {
	Meta
	Name       string
	Email      string
	JobTitle   string
	Department string
	ManagerID  string // another person in the same organisation
	StartDate  string // YYYY-MM-DD
	LeaveDate  string // YYYY-MM-DD
	UserID     string // linked user account, a member of the organisation

	// Filled in by reads, not stored.
	ManagerName string
	UserEmail   string
}

// PersonFields lists the People register's fields in display order.
var PersonFields = []FieldSpec{
	{"name", "person.name"}, {"email", "person.email"}, {"job_title", "person.job_title"},
	{"department", "person.department"}, {"manager_id", "person.manager"},
	{"start_date", "person.start_date"}, {"leave_date", "person.leave_date"},
	{"user_id", "person.user"},
}

// Fields returns the stored field values for the audit log and history.
func (p Person) Fields() map[string]any {
	return map[string]any{
		"name": p.Name, "email": p.Email, "job_title": p.JobTitle, "department": p.Department,
		"manager_id": p.ManagerID, "start_date": p.StartDate, "leave_date": p.LeaveDate, "user_id": p.UserID,
	}
}

// Normalize trims every input.
func (p *Person) Normalize() {
	p.Name = Clean(p.Name)
	p.Email = NormalizeEmail(p.Email)
	p.JobTitle = Clean(p.JobTitle)
	p.Department = Clean(p.Department)
	p.ManagerID = Clean(p.ManagerID)
	p.StartDate = Clean(p.StartDate)
	p.LeaveDate = Clean(p.LeaveDate)
	p.UserID = Clean(p.UserID)
}

// Validate checks the fields a person can get wrong on their own; links to
// other records (manager, user) are checked by the store.
func (p Person) Validate() error {
	var pr Problems
	checkText(&pr, "name", p.Name, true, 200)
	checkEmail(&pr, "email", p.Email, false)
	checkText(&pr, "job_title", p.JobTitle, false, 200)
	checkText(&pr, "department", p.Department, false, 200)
	checkDate(&pr, "start_date", p.StartDate)
	checkDate(&pr, "leave_date", p.LeaveDate)
	if p.StartDate != "" && p.LeaveDate != "" && !pr.Has("start_date") && !pr.Has("leave_date") && p.LeaveDate < p.StartDate {
		pr.Add("leave_date", "validation.leave_before_start")
	}
	if p.ManagerID != "" && p.ManagerID == p.ID {
		pr.Add("manager_id", "validation.manager_self")
	}
	return pr.Err()
}
