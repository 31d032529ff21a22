package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// controlRoutes registers the controls register's operations.
//
// Who may do what: every role except staff reads controls; owners and
// ISMS managers change any control and add, archive and restore custom
// ones; contributors change the controls they own (not their owner).
// mayEditControl checks that before the body is read.
func (h *handler) controlRoutes(read, write []int) {
	const tag = "Controls"
	huma.Register(h.api, op("GET", "/orgs/{org}/controls", "list-controls", tag, "List controls",
		"The 93 Annex A controls and the organisation's own (custom) controls, in reference order by default, with how each is implemented and its Statement of Applicability decision. Readable by every role except staff.",
		isms.PermReadRegisters, read...), h.listControls)
	create := op("POST", "/orgs/{org}/controls", "create-control", tag, "Add a custom control",
		"Adds a control of the organisation's own and answers 201 with its Location. Its ref is its code (letters, digits, dots, hyphens, underscores; not starting with \"A.\"), unique in the organisation and fixed once created. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createControl)
	huma.Register(h.api, op("GET", "/orgs/{org}/controls/{id}", "get-control", tag, "Get a control", "", isms.PermReadRegisters, read...), h.getControl)
	patch := op("PATCH", "/orgs/{org}/controls/{id}", "update-control", tag, "Change a control",
		"Send the version you read and only the fields to change; null clears owner_id, last_review, next_review, decision, exclusion_reason or replaced_by_id. What the catalogue decides about an Annex A control (title, theme, attributes) cannot be changed. Contributors may change the controls they own but not hand them to someone else. A stale version answers 409.",
		isms.PermWriteOwned, write...)
	patch.Middlewares = huma.Middlewares{h.mayEditControl}
	huma.Register(h.api, patch, h.updateControl)
	huma.Register(h.api, op("POST", "/orgs/{org}/controls/{id}/archive", "archive-control", tag, "Archive a custom control",
		"Annex A controls cannot be archived (exclude them in the SoA instead): that answers 409, as does archiving a control that replaces an excluded one.",
		isms.PermWriteRegisters, write...), h.archiveControl)
	huma.Register(h.api, op("POST", "/orgs/{org}/controls/{id}/restore", "restore-control", tag, "Restore an archived custom control", "", isms.PermWriteRegisters, write...), h.restoreControl)
	huma.Register(h.api, op("GET", "/orgs/{org}/controls/{id}/history", "control-history", tag, "A control's history",
		"Every change to the control, oldest first.", isms.PermReadRegisters, read...), h.controlHistory)
	req := op("POST", "/orgs/{org}/controls/{id}/evidence-requests", "request-control-evidence", tag, "Request evidence for a control",
		"Asks a member for evidence by a date: creates an action serving the control, which appears in their actions. Answers 201 with the action. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...)
	req.DefaultStatus = http.StatusCreated
	req.Middlewares = huma.Middlewares{h.controlExists}
	huma.Register(h.api, req, h.requestControlEvidence)
}

// mayEditControl refuses, before the body is read, callers who may
// neither change every control nor own this one.
func (h *handler) mayEditControl(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	c, err := h.DB.Control(ctx.Context(), a, ctx.Param("id"))
	if err == nil && !store.CanEditControl(a, c) {
		err = isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// controlExists answers 404, before the body is read, when the path
// names no control of the organisation.
func (h *handler) controlExists(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	if _, err := h.DB.Control(ctx.Context(), a, ctx.Param("id")); err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// Control is one control: an Annex A control or one of the organisation's
// own, with its implementation and its Statement of Applicability decision.
type Control struct {
	Record
	Kind      string `json:"kind" enum:"annex_a,custom" readOnly:"true" doc:"annex_a for the 93 ISO/IEC 27001:2022 Annex A controls; custom for the organisation's own."`
	CatalogID string `json:"catalog_id" readOnly:"true" doc:"The Annex A number (\"5.1\"); empty for custom controls." example:"5.1"`
	Title     string `json:"title" example:"Policies for information security"`
	// Annex A controls carry Holdfast's own short summary of the control.
	Description             string   `json:"description" doc:"For custom controls, the organisation's description; for Annex A controls, Holdfast's summary of what the control is about (not the standard's text)."`
	Theme                   string   `json:"theme" enum:"Organizational,People,Physical,Technological"`
	ControlTypes            []string `json:"control_types" nullable:"false" doc:"ISO/IEC 27002 attribute values (Preventive, Detective, Corrective)."`
	SecurityProperties      []string `json:"security_properties" nullable:"false"`
	CybersecurityConcepts   []string `json:"cybersecurity_concepts" nullable:"false"`
	OperationalCapabilities []string `json:"operational_capabilities" nullable:"false"`
	SecurityDomains         []string `json:"security_domains" nullable:"false"`
	RelatedIDs              []string `json:"related_ids" nullable:"false" doc:"Annex A numbers a custom control relates to."`
	OwnerID                 *string  `json:"owner_id" doc:"User id of the member who owns the control, or null."`
	OwnerName               string   `json:"owner_name" readOnly:"true"`
	Status                  string   `json:"status" enum:"not_started,planned,partial,implemented,not_applicable"`
	Implementation          string   `json:"implementation" doc:"How the control is implemented (Markdown)."`
	LastReview              *string  `json:"last_review" format:"date"`
	NextReview              *string  `json:"next_review" format:"date"`
	Effectiveness           string   `json:"effectiveness" doc:"Notes on how effective the control is."`
	LicensedText            string   `json:"licensed_text" doc:"The standard's own text for the control, stored by an organisation that holds a licence; private to the organisation."`
	Decision                *string  `json:"decision" enum:"included,excluded" doc:"The SoA decision; null while undecided."`
	Justification           string   `json:"justification" doc:"Text justifying an inclusion, besides the risks and requirements linked to the control."`
	ExclusionReason         *string  `json:"exclusion_reason" enum:"not_needed,out_of_scope,replaced" doc:"Why an excluded control is excluded; null otherwise."`
	ExclusionText           string   `json:"exclusion_text" doc:"The explanation of an exclusion."`
	ReplacedByID            *string  `json:"replaced_by_id" doc:"The custom control that does an excluded control's job (exclusion_reason replaced)."`
	ReplacedByRef           string   `json:"replaced_by_ref" readOnly:"true"`
}

func controlOf(c isms.Control) Control {
	desc := c.Description
	if c.Kind == isms.ControlAnnexA {
		desc = catalog.Description(c.CatalogID)
	}
	list := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return Control{
		Record: recordOf(c.Meta), Kind: string(c.Kind), CatalogID: c.CatalogID, Title: c.Title, Description: desc, Theme: c.Theme,
		ControlTypes: list(c.ControlTypes), SecurityProperties: list(c.SecurityProperties), CybersecurityConcepts: list(c.CybersecurityConcepts),
		OperationalCapabilities: list(c.OperationalCapabilities), SecurityDomains: list(c.SecurityDomains), RelatedIDs: list(c.RelatedIDs),
		OwnerID: nullable(c.OwnerID), OwnerName: c.OwnerName, Status: string(c.Status), Implementation: c.Implementation,
		LastReview: nullable(c.LastReview), NextReview: nullable(c.NextReview), Effectiveness: c.Effectiveness, LicensedText: c.LicensedText,
		Decision: nullable(string(c.Decision)), Justification: c.Justification, ExclusionReason: nullable(string(c.ExclusionReason)),
		ExclusionText: c.ExclusionText, ReplacedByID: nullable(c.ReplacedByID), ReplacedByRef: c.ReplacedByRef,
	}
}

// ControlCreate is the body that adds a custom control.
type ControlCreate struct {
	Ref                     string   `json:"ref" doc:"The control's code, unique in the organisation." example:"ACME-1"`
	Title                   string   `json:"title" example:"Quarterly supplier access review"`
	Description             string   `json:"description,omitempty"`
	Theme                   string   `json:"theme" doc:"Organizational, People, Physical or Technological."`
	ControlTypes            []string `json:"control_types,omitempty"`
	SecurityProperties      []string `json:"security_properties,omitempty"`
	CybersecurityConcepts   []string `json:"cybersecurity_concepts,omitempty"`
	OperationalCapabilities []string `json:"operational_capabilities,omitempty"`
	SecurityDomains         []string `json:"security_domains,omitempty"`
	RelatedIDs              []string `json:"related_ids,omitempty" doc:"Annex A numbers (\"5.15\") it relates to."`
	OwnerID                 *string  `json:"owner_id,omitempty" nullable:"true"`
	Status                  string   `json:"status,omitempty" doc:"not_started (the default), planned, partial, implemented or not_applicable."`
	Implementation          string   `json:"implementation,omitempty"`
	LastReview              *string  `json:"last_review,omitempty" nullable:"true" format:"date"`
	NextReview              *string  `json:"next_review,omitempty" nullable:"true" format:"date"`
	Effectiveness           string   `json:"effectiveness,omitempty"`
	Decision                *string  `json:"decision,omitempty" nullable:"true" doc:"included, excluded or null (undecided)."`
	Justification           string   `json:"justification,omitempty"`
	ExclusionReason         *string  `json:"exclusion_reason,omitempty" nullable:"true"`
	ExclusionText           string   `json:"exclusion_text,omitempty"`
	ReplacedByID            *string  `json:"replaced_by_id,omitempty" nullable:"true"`
}

// ControlPatch changes a control: the version read and the fields to
// change. Title, description, theme, the attributes and related_ids apply
// to custom controls only.
type ControlPatch struct {
	Version                 int       `json:"version" minimum:"1" doc:"The version of the control the change is based on."`
	Title                   *string   `json:"title,omitempty"`
	Description             *string   `json:"description,omitempty"`
	Theme                   *string   `json:"theme,omitempty"`
	ControlTypes            *[]string `json:"control_types,omitempty"`
	SecurityProperties      *[]string `json:"security_properties,omitempty"`
	CybersecurityConcepts   *[]string `json:"cybersecurity_concepts,omitempty"`
	OperationalCapabilities *[]string `json:"operational_capabilities,omitempty"`
	SecurityDomains         *[]string `json:"security_domains,omitempty"`
	RelatedIDs              *[]string `json:"related_ids,omitempty"`
	OwnerID                 *string   `json:"owner_id,omitempty" nullable:"true"`
	Status                  *string   `json:"status,omitempty"`
	Implementation          *string   `json:"implementation,omitempty"`
	LastReview              *string   `json:"last_review,omitempty" nullable:"true" format:"date"`
	NextReview              *string   `json:"next_review,omitempty" nullable:"true" format:"date"`
	Effectiveness           *string   `json:"effectiveness,omitempty"`
	LicensedText            *string   `json:"licensed_text,omitempty"`
	Decision                *string   `json:"decision,omitempty" nullable:"true"`
	Justification           *string   `json:"justification,omitempty"`
	ExclusionReason         *string   `json:"exclusion_reason,omitempty" nullable:"true"`
	ExclusionText           *string   `json:"exclusion_text,omitempty"`
	ReplacedByID            *string   `json:"replaced_by_id,omitempty" nullable:"true"`
}

// ControlOutput is the response carrying one control.
type ControlOutput struct{ Body Control }

// ControlCreated is the response to adding a custom control.
type ControlCreated struct {
	Location string `header:"Location" doc:"The new control's URL."`
	Body     Control
}

type listControlsInput struct {
	OrgPath
	ListParams
	Sort                  string `query:"sort" enum:"ref,-ref,title,-title,theme,-theme,status,-status,decision,-decision,next_review,-next_review,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default ref (Annex A by number, then custom controls by code)."`
	Theme                 string `query:"theme" enum:"Organizational,People,Physical,Technological" doc:"Only controls of this theme."`
	Status                string `query:"status" enum:"not_started,planned,partial,implemented,not_applicable" doc:"Only controls with this implementation status."`
	Decision              string `query:"decision" enum:"included,excluded,-" doc:"Only controls with this SoA decision; \"-\" for undecided ones."`
	OwnerID               string `query:"owner_id" doc:"Only controls owned by this user; \"-\" for controls without an owner."`
	Kind                  string `query:"kind" enum:"annex_a,custom" doc:"Only Annex A controls, or only custom ones."`
	ControlType           string `query:"control_type" doc:"Only controls with this ISO/IEC 27002 control type (Preventive, Detective, Corrective)."`
	SecurityProperty      string `query:"security_property" doc:"Only controls with this security property (Confidentiality, Integrity, Availability)."`
	CybersecurityConcept  string `query:"cybersecurity_concept" doc:"Only controls with this cybersecurity concept (Identify, Protect, Detect, Respond, Recover)."`
	OperationalCapability string `query:"operational_capability" doc:"Only controls with this operational capability (Governance, Asset_management …)."`
	SecurityDomain        string `query:"security_domain" doc:"Only controls in this security domain (Governance_and_Ecosystem, Protection, Defence, Resilience)."`
	ReviewBefore          string `query:"review_before" format:"date" doc:"Only controls whose next review is before this date (YYYY-MM-DD)."`
}

func (h *handler) listControls(ctx context.Context, in *listControlsInput) (*ListOutput[Control], error) {
	a, _ := actorOf(ctx)
	q := in.query(in.Sort, map[string]string{
		"theme": in.Theme, "status": in.Status, "decision": in.Decision, "owner_id": in.OwnerID, "kind": in.Kind,
		"control_type": in.ControlType, "security_property": in.SecurityProperty, "cybersecurity_concept": in.CybersecurityConcept,
		"operational_capability": in.OperationalCapability, "security_domain": in.SecurityDomain, "review_before": in.ReviewBefore,
	})
	page, err := h.DB.Controls(ctx, a, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, controlOf), nil
}

func (h *handler) getControl(ctx context.Context, in *getPersonInput) (*ControlOutput, error) {
	a, _ := actorOf(ctx)
	c, err := h.DB.Control(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &ControlOutput{Body: controlOf(c)}, nil
}

type createControlInput struct {
	OrgPath
	Body ControlCreate
}

func (h *handler) createControl(ctx context.Context, in *createControlInput) (*ControlCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	c, err := h.DB.CreateControl(ctx, a, isms.Control{
		Meta: isms.Meta{Ref: b.Ref}, Title: b.Title, Description: b.Description, Theme: b.Theme,
		ControlTypes: b.ControlTypes, SecurityProperties: b.SecurityProperties, CybersecurityConcepts: b.CybersecurityConcepts,
		OperationalCapabilities: b.OperationalCapabilities, SecurityDomains: b.SecurityDomains, RelatedIDs: b.RelatedIDs,
		OwnerID: deref(b.OwnerID), Status: isms.ControlStatus(b.Status), Implementation: b.Implementation,
		LastReview: deref(b.LastReview), NextReview: deref(b.NextReview), Effectiveness: b.Effectiveness,
		Decision: isms.Decision(deref(b.Decision)), Justification: b.Justification, ExclusionReason: isms.ExclusionReason(deref(b.ExclusionReason)),
		ExclusionText: b.ExclusionText, ReplacedByID: deref(b.ReplacedByID),
	})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ControlCreated{Location: controlURL(o.Slug, c.ID), Body: controlOf(c)}, nil
}

func controlURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/controls/" + url.PathEscape(id)
}

type updateControlInput struct {
	RecordPath
	Body    ControlPatch
	RawBody []byte
}

// catalogueFields are the fields the catalogue decides for Annex A
// controls.
var catalogueFields = []string{"title", "description", "theme", "control_types", "security_properties",
	"cybersecurity_concepts", "operational_capabilities", "security_domains", "related_ids"}

func (h *handler) updateControl(ctx context.Context, in *updateControlInput) (*ControlOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	c, err := h.DB.Control(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	if c.Kind == isms.ControlAnnexA {
		var p isms.Problems
		for _, f := range catalogueFields {
			if present[f] {
				p.Add(f, "api.annex_a_fixed")
			}
		}
		if err := p.Err(); err != nil {
			return nil, h.fail(ctx, err, "body")
		}
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"title", &c.Title, b.Title}, {"description", &c.Description, b.Description}, {"theme", &c.Theme, b.Theme},
		{"owner_id", &c.OwnerID, b.OwnerID}, {"implementation", &c.Implementation, b.Implementation},
		{"last_review", &c.LastReview, b.LastReview}, {"next_review", &c.NextReview, b.NextReview},
		{"effectiveness", &c.Effectiveness, b.Effectiveness}, {"licensed_text", &c.LicensedText, b.LicensedText},
		{"justification", &c.Justification, b.Justification}, {"exclusion_text", &c.ExclusionText, b.ExclusionText},
		{"replaced_by_id", &c.ReplacedByID, b.ReplacedByID},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
		v    *[]string
	}{
		{"control_types", &c.ControlTypes, b.ControlTypes}, {"security_properties", &c.SecurityProperties, b.SecurityProperties},
		{"cybersecurity_concepts", &c.CybersecurityConcepts, b.CybersecurityConcepts},
		{"operational_capabilities", &c.OperationalCapabilities, b.OperationalCapabilities},
		{"security_domains", &c.SecurityDomains, b.SecurityDomains}, {"related_ids", &c.RelatedIDs, b.RelatedIDs},
	} {
		if present[f.name] && f.v != nil {
			*f.dst = *f.v
		}
	}
	if present["status"] {
		c.Status = isms.ControlStatus(deref(b.Status))
	}
	if present["decision"] {
		c.Decision = isms.Decision(deref(b.Decision))
	}
	if present["exclusion_reason"] {
		c.ExclusionReason = isms.ExclusionReason(deref(b.ExclusionReason))
	}
	c, err = h.DB.UpdateControl(ctx, a, c, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ControlOutput{Body: controlOf(c)}, nil
}

func (h *handler) archiveControl(ctx context.Context, in *archivePersonInput) (*ControlOutput, error) {
	return h.setControlArchived(ctx, in, true)
}

func (h *handler) restoreControl(ctx context.Context, in *archivePersonInput) (*ControlOutput, error) {
	return h.setControlArchived(ctx, in, false)
}

func (h *handler) setControlArchived(ctx context.Context, in *archivePersonInput, archive bool) (*ControlOutput, error) {
	a, _ := actorOf(ctx)
	c, err := h.DB.ArchiveControl(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ControlOutput{Body: controlOf(c)}, nil
}

func (h *handler) controlHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.ControlHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// EvidenceRequest asks a member for evidence by a date.
type EvidenceRequest struct {
	Title         string `json:"title" doc:"What is needed." example:"Export of the access review for Q3"`
	Description   string `json:"description,omitempty"`
	ResponsibleID string `json:"responsible_id" doc:"User id of the member asked."`
	DueDate       string `json:"due_date" format:"date" doc:"When it is needed (YYYY-MM-DD)."`
}

type evidenceRequestInput struct {
	RecordPath
	Body EvidenceRequest
}

func (h *handler) requestControlEvidence(ctx context.Context, in *evidenceRequestInput) (*ActionCreated, error) {
	return h.requestEvidence(ctx, "control", in)
}

func (h *handler) requestEvidence(ctx context.Context, servesType string, in *evidenceRequestInput) (*ActionCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	x, err := h.DB.RequestEvidence(ctx, a, servesType, in.ID, isms.Action{
		Title: b.Title, Description: b.Description, ResponsibleID: b.ResponsibleID, DueDate: b.DueDate,
		Evaluation: tr.T("web.ctl.request_evaluation"),
	})
	if err != nil {
		if isms.ErrorKind(err) == isms.KindNotFound {
			return nil, h.fail(ctx, err, "path")
		}
		return nil, h.fail(ctx, err, "body")
	}
	return &ActionCreated{Location: Prefix + "/orgs/" + url.PathEscape(o.Slug) + "/actions/" + url.PathEscape(x.ID), Body: actionOf(today(o))(x)}, nil
}
