package i18n

// Core messages: errors, validation, roles, field labels shared by every
// layer. Screen texts live in messages_en_web.go; API-only texts in
// messages_en_api.go.
func init() {
	register(English, map[string]string{
		// Errors shown to users.
		"error.internal":         "Something went wrong on our side. The problem has been logged; please try again.",
		"error.timeout":          "The request took too long. Please try again.",
		"error.invalid":          "Some of the information you entered needs correcting.",
		"error.not_found":        "That record does not exist or is not visible to you.",
		"error.org_not_found":    "That organisation does not exist or you are not a member of it.",
		"error.forbidden":        "Your role does not allow this action.",
		"error.unauthorized":     "Sign in to continue.",
		"error.bad_token":        "The API token is missing, unknown or revoked.",
		"error.bad_credentials":  "The email or password is not correct.",
		"error.rate_limited":     "Too many failed attempts. Please wait %s and try again.",
		"error.too_large":        "The request is too large.",
		"error.duplicate":        "A record with the same identifier already exists.",
		"error.broken_link":      "A linked record does not exist.",
		"error.stale":            "This record was changed by %s at %s after you opened it. Reload it to see their changes, then make yours again.",
		"error.stale_org":        "The organisation's settings were changed at %s after you opened them. Reload and try again.",
		"error.stale_member":     "This membership was changed after you opened it. Reload and try again.",
		"error.already_archived": "This record is already archived.",
		"error.already_active":   "This record is not archived.",
		"error.setup_done":       "Holdfast has already been set up. Sign in instead.",
		"error.bad_setup_token":  "This setup link is not valid. Use the link printed by `holdfast serve` when it started.",
		"error.csrf":             "The request came from another site and was refused.",
		"error.method":           "That method is not allowed here.",
		"error.json":             "The request body is not valid JSON: %s",

		// Validation messages (per field).
		"validation.required":           "Enter a value.",
		"validation.too_long":           "Use at most %d characters.",
		"validation.email":              "Enter an email address like name@example.com.",
		"validation.date":               "Enter a date as YYYY-MM-DD.",
		"validation.choice":             "Choose one of the listed options.",
		"validation.slug":               "Use 2–40 lower-case letters, digits and hyphens, starting and ending with a letter or digit.",
		"validation.slug_taken":         "Another organisation already uses this short name.",
		"validation.time_zone":          "Choose a time zone such as Europe/London.",
		"validation.email_taken":        "An account with this email already exists.",
		"validation.person_email_taken": "Another person in the directory already has this email.",
		"validation.already_member":     "This person is already a member of the organisation.",
		"validation.last_owner":         "An organisation needs at least one owner. Make someone else an owner first.",
		"validation.password_short":     "Use at least %d characters. A few unrelated words make a strong, memorable password.",
		"validation.password_mismatch":  "The two passwords do not match.",
		"validation.password_wrong":     "Your current password is not correct.",
		"validation.limit":              "Ask for between 1 and %d items.",
		"validation.sort":               "That column cannot be sorted on.",
		"validation.filter":             "That filter does not exist.",
		"validation.cursor":             "The page position is not valid. Start again from the first page.",
		"validation.leave_before_start": "The leaving date must be on or after the start date.",
		"validation.manager_self":       "A person cannot be their own manager.",
		"validation.manager_cycle":      "This would make a loop of managers.",
		"validation.unknown_person":     "Choose a person from this organisation's directory.",
		"validation.not_member":         "Choose a user who is a member of this organisation.",
		"validation.version":            "The version the change is based on is missing.",

		// Roles.
		"role.owner":                    "Owner",
		"role.isms_manager":             "ISMS manager",
		"role.contributor":              "Contributor",
		"role.auditor":                  "Auditor",
		"role.staff":                    "Staff",
		"role.owner.description":        "Runs the organisation in Holdfast: members, settings and every register.",
		"role.isms_manager.description": "Runs the ISMS day to day: edits every register and approves.",
		"role.contributor.description":  "Keeps the risks, controls and actions assigned to them up to date.",
		"role.auditor.description":      "Reads everything, including the audit log, and records findings.",
		"role.staff.description":        "Reads and accepts policies and sees their own tasks.",

		// Size bands.
		"size.micro":  "Micro (fewer than 10 staff)",
		"size.small":  "Small (10–49 staff)",
		"size.medium": "Medium (50–249 staff)",
		"size.large":  "Large (250 or more staff)",

		// Field labels used in history and exports.
		"field.ref":         "Reference",
		"field.archived":    "Archived",
		"org.slug":          "Short name",
		"org.name":          "Name",
		"org.size_band":     "Size",
		"org.sector":        "Sector",
		"org.countries":     "Countries",
		"org.sites":         "Sites",
		"org.time_zone":     "Time zone",
		"org.date_format":   "Date format",
		"person.name":       "Name",
		"person.email":      "Email",
		"person.job_title":  "Job title",
		"person.department": "Department",
		"person.manager":    "Manager",
		"person.start_date": "Start date",
		"person.leave_date": "Leaving date",
		"person.user":       "User account",

		// Audit actions and record types.
		"action.create":          "Created",
		"action.update":          "Changed",
		"action.archive":         "Archived",
		"action.restore":         "Restored",
		"action.delete":          "Removed",
		"action.revoke":          "Revoked",
		"action.password_change": "Password changed",
		"record.person":          "Person",
		"record.organisation":    "Organisation",
		"record.membership":      "Membership",
		"record.user":            "User",
		"record.api_token":       "API token",
	})
}

// Action model messages (shared by every plan).
func init() {
	register(English, map[string]string{
		"action.title":                   "What will be done",
		"action.description":             "Details",
		"action.resources":               "Resources needed",
		"action.responsible":             "Responsible",
		"action.due_date":                "Due date",
		"action.evaluation":              "How results will be evaluated",
		"action.status":                  "Status",
		"action.completion_evidence":     "Completion evidence",
		"action.completed_at":            "Completed on",
		"action.serves_type":             "Serves (record type)",
		"action.serves_id":               "Serves (record)",
		"action_status.open":             "Open",
		"action_status.in_progress":      "In progress",
		"action_status.done":             "Done",
		"action_status.cancelled":        "Cancelled",
		"record.action":                  "Action",
		"record.action_note":             "Progress note",
		"validation.completion_evidence": "Say what shows the action was done before marking it done.",
		"validation.serves":              "Give both the type and the id of the record this action serves, or neither.",
		"validation.reassign":            "Only an owner or ISMS manager can make someone else responsible.",
	})
}

// Link messages.
func init() {
	register(English, map[string]string{
		"validation.link_type":   "Records of this kind cannot be linked.",
		"validation.link_target": "The linked record does not exist in this organisation.",
		"record.link":            "Link",
	})
}
