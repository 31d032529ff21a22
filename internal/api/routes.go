package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// routes registers every operation. Paths are relative to Prefix; every
// operation requires a bearer token (see authenticate), and those under
// /orgs/{org} a membership of that organisation whose role grants the
// operation's permission. authenticate checks the permission before the
// body is read, so a refused caller learns nothing from validation; the
// store checks it again.
func (h *handler) routes() {
	const (
		tagOrgs   = "Organisations"
		tagPeople = "People"
		tagAudit  = "Audit log"
	)
	// Error statuses each kind of operation can answer, for the document.
	var (
		read  = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}
		write = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}
	)

	huma.Register(h.api, op("GET", "/orgs", "list-orgs", tagOrgs, "List your organisations",
		"The organisations the token's user belongs to, with their role in each. Not paged.", "", http.StatusUnauthorized), h.listOrgs)
	huma.Register(h.api, op("GET", "/orgs/{org}/members", "list-members", tagOrgs, "List members",
		"The organisation's members (user accounts) and their roles. Any role except staff may list them.", isms.PermReadMembers, read...), h.listMembers)

	huma.Register(h.api, op("GET", "/orgs/{org}/people", "list-people", tagPeople, "List people",
		"The People register (staff directory). Readable by every role except staff.", isms.PermReadRegisters, read...), h.listPeople)
	create := op("POST", "/orgs/{org}/people", "create-person", tagPeople, "Add a person",
		"Adds a person to the directory and answers 201 with its Location. Owners and ISMS managers only.", isms.PermWriteRegisters, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createPerson)
	exp := op("GET", "/orgs/{org}/people/export.xlsx", "export-people", tagPeople, "Export people as XLSX",
		"Every active person as an Excel workbook, one row each, with an About sheet.", isms.PermReadRegisters, read...)
	exp.Responses = map[string]*huma.Response{"200": {
		Description: "The workbook, sent as an attachment named <org>-people-<YYYY-MM-DD>.xlsx.",
		Content:     map[string]*huma.MediaType{xlsxType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
	}}
	huma.Register(h.api, exp, h.exportPeople)
	huma.Register(h.api, op("GET", "/orgs/{org}/people/{id}", "get-person", tagPeople, "Get a person", "", isms.PermReadRegisters, read...), h.getPerson)
	huma.Register(h.api, op("PATCH", "/orgs/{org}/people/{id}", "update-person", tagPeople, "Change a person",
		"Send the version you read and only the fields to change; null clears manager_id, start_date, leave_date or user_id. A stale version answers 409.", isms.PermWriteRegisters, write...), h.updatePerson)
	huma.Register(h.api, op("POST", "/orgs/{org}/people/{id}/archive", "archive-person", tagPeople, "Archive a person",
		"Archived people leave lists (unless archived=archived or all) but keep their history.", isms.PermWriteRegisters, write...), h.archivePerson)
	huma.Register(h.api, op("POST", "/orgs/{org}/people/{id}/restore", "restore-person", tagPeople, "Restore an archived person", "", isms.PermWriteRegisters, write...), h.restorePerson)
	huma.Register(h.api, op("GET", "/orgs/{org}/people/{id}/history", "person-history", tagPeople, "A person's history",
		"Every change to the person, oldest first, with the fields that changed.", isms.PermReadRegisters, read...), h.personHistory)

	huma.Register(h.api, op("GET", "/orgs/{org}/audit-log", "audit-log", tagAudit, "Browse the audit log",
		"The organisation's append-only, hash-chained audit log, newest first. Owners and auditors only.", isms.PermReadAudit, read...), h.auditLog)

	h.assetRoutes(read, write)
	h.threatRoutes(read, write)
	h.actionRoutes(read, write)
	h.controlRoutes(read, write)
	h.soaRoutes(read, write)
	h.evidenceRoutes(read, write)
	h.riskReportRoutes(read, write)
	h.riskRoutes(read, write)
	h.riskCriteriaRoutes(read, write)
	h.assessmentRoutes(read, write)
}

// op describes one operation; perm is the permission it needs inside the
// organisation ("" for none).
func op(method, path, id, tag, summary, description string, perm isms.Permission, errs ...int) huma.Operation {
	return huma.Operation{
		OperationID: id, Method: method, Path: path, Tags: []string{tag},
		Summary: summary, Description: description, Errors: errs,
		Metadata: map[string]any{metaPermission: perm},
	}
}

// metaPermission is the operation metadata key holding its permission.
const metaPermission = "holdfast.permission"
