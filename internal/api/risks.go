package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// riskRoutes registers the risk register operations (clauses 6.1.2 and
// 6.1.3), the heat maps and the risk treatment plan.
//
// Who may do what: every role except staff reads; owners and ISMS managers
// change any risk and contributors the risks they own (checked in
// mayEditRisk before the body is read); only owners and ISMS managers
// archive. A risk's treatment plan is approved, and its residual risk
// accepted, by its risk owner or an organisation owner (by an owner or
// ISMS manager while it has no risk owner), checked in mayDecideRisk.
func (h *handler) riskRoutes(read, write []int) {
	const tag = "Risks"
	huma.Register(h.api, op("GET", "/orgs/{org}/risks", "list-risks", tag, "List risks",
		"The risk register, in priority order by default, with each risk's levels under the criteria version it was rated under. Readable by every role except staff.",
		isms.PermReadRegisters, read...), h.listRisks)
	create := op("POST", "/orgs/{org}/risks", "create-risk", tag, "Add a risk",
		"Adds a risk and answers 201 with its Location. Ratings are made under the criteria in force. Owners and ISMS managers may make any member who keeps risks its owner; contributors add risks they own (owner_id left out means them).",
		isms.PermWriteOwned, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createRisk)
	exp := op("GET", "/orgs/{org}/risks/export.xlsx", "export-risks", tag, "Export the risk register as XLSX",
		"The risks matching the same filters as the list, as an Excel workbook with an About sheet.", isms.PermReadRegisters, read...)
	exp.Responses = xlsxResponse("<org>-risks-<YYYY-MM-DD>.xlsx")
	huma.Register(h.api, exp, h.exportRisks)
	huma.Register(h.api, op("GET", "/orgs/{org}/risks/heatmap", "risk-heatmap", tag, "Risk heat maps",
		"How many active risks rated under the criteria in force fall in each matrix cell: inherent, expected residual and current (as the risk stands today). Risks still rated under older versions are counted in older, unrated ones in unrated.",
		isms.PermReadRegisters, read...), h.riskHeatMap)
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-treatment-plan", "risk-treatment-plan", tag, "The risk treatment plan",
		"Every active risk with a treatment option or a treatment action, in priority order, with its actions (soonest due first) and planned controls, and the plan's progress. Not paged.",
		isms.PermReadRegisters, read...), h.riskTreatmentPlan)
	planExp := op("GET", "/orgs/{org}/risk-treatment-plan/export.xlsx", "export-risk-treatment-plan", tag, "Export the risk treatment plan as XLSX",
		"", isms.PermReadRegisters, read...)
	planExp.Responses = xlsxResponse("<org>-risk-treatment-plan-<YYYY-MM-DD>.xlsx")
	huma.Register(h.api, planExp, h.exportTreatmentPlan)
	huma.Register(h.api, op("GET", "/orgs/{org}/risks/{id}", "get-risk", tag, "Get a risk",
		"The risk with its levels, its evaluation against the acceptance criteria, its links, treatment actions and the owner's decisions.", isms.PermReadRegisters, read...), h.getRisk)
	patch := op("PATCH", "/orgs/{org}/risks/{id}", "update-risk", tag, "Change a risk",
		"Send the version you read and only the fields to change; null clears owner_id, next_review, priority and a rating value. Changing the expected residual rating voids the acceptance, and changing it or the treatment options voids the plan approval. A risk rated under an older criteria version keeps its ratings until it is re-rated (POST …/rerate). Contributors change only the risks they own and cannot hand them on. A stale version answers 409.",
		isms.PermWriteOwned, write...)
	patch.Middlewares = huma.Middlewares{h.mayEditRisk}
	huma.Register(h.api, patch, h.updateRisk)
	huma.Register(h.api, op("POST", "/orgs/{org}/risks/{id}/archive", "archive-risk", tag, "Archive a risk", "Owners and ISMS managers.", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*RiskOutput, error) {
			return h.setRiskArchived(ctx, in, true)
		})
	huma.Register(h.api, op("POST", "/orgs/{org}/risks/{id}/restore", "restore-risk", tag, "Restore an archived risk", "Owners and ISMS managers.", isms.PermWriteRegisters, write...),
		func(ctx context.Context, in *archivePersonInput) (*RiskOutput, error) {
			return h.setRiskArchived(ctx, in, false)
		})
	huma.Register(h.api, op("GET", "/orgs/{org}/risks/{id}/history", "risk-history", tag, "A risk's history",
		"Every change to the risk, oldest first, with the fields that changed.", isms.PermReadRegisters, read...), h.riskHistory)
	link := op("POST", "/orgs/{org}/risks/{id}/links", "link-risk", tag, "Link a risk to another record",
		"Links the risk to an asset, threat, vulnerability, control or other risk of the organisation and answers 201 with the risk's links. Linking twice changes nothing. Whoever may change the risk may link it.",
		isms.PermWriteOwned, write...)
	link.DefaultStatus = http.StatusCreated
	link.Middlewares = huma.Middlewares{h.mayEditRisk}
	huma.Register(h.api, link, h.linkRisk)
	unlink := op("DELETE", "/orgs/{org}/risks/{id}/links/{to_type}/{to_id}", "unlink-risk", tag, "Remove a link from a risk",
		"Answers 204; 404 when there is no such link.", isms.PermWriteOwned, write...)
	unlink.DefaultStatus = http.StatusNoContent
	unlink.Middlewares = huma.Middlewares{h.mayEditRisk}
	huma.Register(h.api, unlink, h.unlinkRisk)
	approve := op("POST", "/orgs/{org}/risks/{id}/approve-plan", "approve-risk-plan", tag, "Approve the treatment plan",
		"Records the risk owner's approval of the treatment plan (clause 6.1.3 f). The risk needs an owner, ratings under the criteria in force, treatment options and an expected residual rating (422 naming what is missing). The risk owner or an organisation owner decides.",
		isms.PermWriteOwned, write...)
	approve.Middlewares = huma.Middlewares{h.mayDecideRisk}
	huma.Register(h.api, approve, h.approveRiskPlan)
	accept := op("POST", "/orgs/{org}/risks/{id}/accept", "accept-risk", tag, "Accept the residual risk",
		"Records the risk owner's acceptance of the residual risk with a justification. A residual level above the acceptance criteria needs concession=true and is flagged as a concession (422 otherwise). The acceptance lapses after expires_on (default: the next review date, or a year from today) and is voided when the residual rating changes.",
		isms.PermWriteOwned, write...)
	accept.Middlewares = huma.Middlewares{h.mayDecideRisk}
	huma.Register(h.api, accept, h.acceptRisk)
	rerate := op("POST", "/orgs/{org}/risks/{id}/rerate", "rerate-risk", tag, "Re-rate a risk under the criteria in force",
		"For a risk on the re-rating worklist: applies the suggested ratings under the criteria in force, or the ratings sent instead. 409 when the risk is not rated under an older version.",
		isms.PermWriteOwned, write...)
	rerate.Middlewares = huma.Middlewares{h.mayEditRisk}
	huma.Register(h.api, rerate, h.rerateRisk)
}

func xlsxResponse(name string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {
		Description: "The workbook, sent as an attachment named " + name + ".",
		Content:     map[string]*huma.MediaType{xlsxType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
	}}
}

// mayEditRisk refuses, before the body is read, callers who may not
// change this risk: contributors who do not own it.
func (h *handler) mayEditRisk(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	r, err := h.DB.Risk(ctx.Context(), a, ctx.Param("id"))
	if err == nil && !store.CanEditRisk(a, r) {
		err = isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// mayDecideRisk refuses, before the body is read, callers who may not
// decide on this risk's plan or acceptance.
func (h *handler) mayDecideRisk(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	r, err := h.DB.Risk(ctx.Context(), a, ctx.Param("id"))
	if err == nil && !store.CanDecideRisk(a, r) && !(r.OwnerID == "" && a.Can(isms.PermWriteRegisters)) {
		err = isms.Errorf(isms.KindForbidden, "error.not_risk_owner")
	}
	if err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// criteriaSet holds every criteria version of the organisation, to show
// ratings made under any of them.
type criteriaSet = isms.CriteriaSet

func (h *handler) criteriaSet(ctx context.Context, a isms.Actor) (criteriaSet, error) {
	return h.DB.CriteriaSet(ctx, a)
}

// Evaluation compares a risk with the acceptance criteria of the version
// it is rated under (clause 6.1.2 e).
type Evaluation struct {
	AcceptLevel        *LevelRef `json:"accept_level,omitempty" doc:"The highest level that may be accepted without treatment for this risk's category."`
	InherentAcceptable bool      `json:"inherent_acceptable" doc:"The inherent level is within the acceptance criteria."`
	ResidualAcceptable bool      `json:"residual_acceptable" doc:"The expected residual level is within the acceptance criteria."`
	NeedsRerating      bool      `json:"needs_rerating" doc:"Rated under an older criteria version than the one in force."`
	InherentAnnualLoss *float64  `json:"inherent_annual_loss" doc:"Expected annual loss of the inherent rating (frequency × money impact), when the criteria give both numbers."`
	ResidualAnnualLoss *float64  `json:"residual_annual_loss" doc:"Expected annual loss of the expected residual rating."`
	Currency           string    `json:"currency"`
}

// Risk is an entry of the risk register.
type Risk struct {
	Record
	Kind                string         `json:"kind" enum:"scenario,asset,isms,opportunity"`
	Title               string         `json:"title" example:"Ransomware encrypts the file server"`
	Description         string         `json:"description" doc:"The event or scenario."`
	Causes              string         `json:"causes"`
	Impacts             string         `json:"impacts" doc:"What would happen, in words."`
	Category            string         `json:"category" example:"Cyber attack"`
	OwnerID             *string        `json:"owner_id" doc:"User id of the risk owner (a member who keeps risks), or null."`
	OwnerName           string         `json:"owner_name" readOnly:"true"`
	CIA                 string         `json:"cia" doc:"Affected properties: a subset of \"CIA\"." example:"CA"`
	ExistingControls    string         `json:"existing_controls" doc:"What is already in place, considered when rating."`
	CriteriaID          *string        `json:"criteria_id" readOnly:"true" doc:"The criteria version the ratings were made under; null while unrated."`
	CriteriaNumber      int            `json:"criteria_number" readOnly:"true"`
	InherentLikelihood  *int           `json:"inherent_likelihood"`
	InherentConsequence *int           `json:"inherent_consequence"`
	InherentDims        map[string]int `json:"inherent_dims" nullable:"false" doc:"Inherent consequence per dimension key; the consequence is then the worst of them."`
	ResidualLikelihood  *int           `json:"residual_likelihood"`
	ResidualConsequence *int           `json:"residual_consequence"`
	ResidualDims        map[string]int `json:"residual_dims" nullable:"false"`
	Inherent            *Rating        `json:"inherent,omitempty" readOnly:"true" doc:"The inherent rating with its level; absent while unrated."`
	Residual            *Rating        `json:"residual,omitempty" readOnly:"true" doc:"The expected residual rating once treated; absent while unrated."`
	Current             *Rating        `json:"current,omitempty" readOnly:"true" doc:"The risk as it stands today: the expected residual once every treatment action is done, otherwise the inherent rating."`
	Evaluation          Evaluation     `json:"evaluation" readOnly:"true"`
	Treatment           []string       `json:"treatment" nullable:"false" doc:"Treatment options: avoid, take, modify, share, retain."`
	TreatmentNotes      string         `json:"treatment_notes"`
	Priority            *int           `json:"priority" doc:"1 = treat first; null when not set."`
	NextReview          *string        `json:"next_review" format:"date"`
	Status              string         `json:"status" readOnly:"true" enum:"identified,assessed,planned,approved,accepted" doc:"Derived from the ratings, treatment and decisions."`
	PlanApprovedAt      *string        `json:"plan_approved_at" readOnly:"true" doc:"When the owner approved the treatment plan; null without a standing approval."`
	AcceptedUntil       *string        `json:"accepted_until" readOnly:"true" format:"date" doc:"The day the residual-risk acceptance lapses after; null without one."`
	AcceptConcession    bool           `json:"accept_concession" readOnly:"true" doc:"The acceptance is a concession above the acceptance criteria."`
	Acceptance          string         `json:"acceptance" readOnly:"true" enum:"none,valid,expired"`
	ActionsTotal        int            `json:"actions_total" readOnly:"true" doc:"Treatment actions, cancelled ones left out."`
	ActionsDone         int            `json:"actions_done" readOnly:"true"`
}

func intOrNull(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func dimsOf(d map[string]int) map[string]int {
	if d == nil {
		return map[string]int{}
	}
	return d
}

func riskOf(cs criteriaSet, today string) func(isms.Risk) Risk {
	return func(r isms.Risk) Risk {
		c := cs.ByID[r.CriteriaID]
		out := Risk{Record: recordOf(r.Meta), Kind: string(r.Kind), Title: r.Title, Description: r.Description, Causes: r.Causes,
			Impacts: r.Impacts, Category: r.Category, OwnerID: nullable(r.OwnerID), OwnerName: r.OwnerName, CIA: r.CIA,
			ExistingControls: r.ExistingControls, CriteriaID: nullable(r.CriteriaID), CriteriaNumber: r.CriteriaNumber,
			InherentLikelihood: intOrNull(r.Inherent.Likelihood), InherentConsequence: intOrNull(r.Inherent.Consequence), InherentDims: dimsOf(r.Inherent.Dims),
			ResidualLikelihood: intOrNull(r.Residual.Likelihood), ResidualConsequence: intOrNull(r.Residual.Consequence), ResidualDims: dimsOf(r.Residual.Dims),
			Inherent: ratingOf(c, r.Inherent), Residual: ratingOf(c, r.Residual), Current: ratingOf(c, r.CurrentResidual()),
			Treatment: make([]string, 0, len(r.Treatment)), TreatmentNotes: r.TreatmentNotes, Priority: intOrNull(r.Priority),
			NextReview: nullable(r.NextReview), Status: string(r.Status), PlanApprovedAt: nullable(r.PlanApprovedAt),
			AcceptedUntil: nullable(r.AcceptedUntil), AcceptConcession: r.AcceptConcession, Acceptance: string(r.Acceptance(today)),
			ActionsTotal: r.ActionsTotal, ActionsDone: r.ActionsDone}
		for _, o := range r.Treatment {
			out.Treatment = append(out.Treatment, string(o))
		}
		if r.CriteriaID != "" {
			e := &out.Evaluation
			e.AcceptLevel = levelRef(c, c.AcceptLevelFor(r.Category).Key)
			e.InherentAcceptable = r.Inherent.Rated() && c.Acceptable(r.Inherent.Level, r.Category)
			e.ResidualAcceptable = r.Residual.Rated() && c.Acceptable(r.Residual.Level, r.Category)
			e.NeedsRerating = cs.Has && r.CriteriaID != cs.Current.ID
			e.Currency = c.Currency
			if v, ok := c.ExpectedAnnualLoss(r.Inherent.Likelihood, r.Inherent.Consequence); ok {
				e.InherentAnnualLoss = &v
			}
			if v, ok := c.ExpectedAnnualLoss(r.Residual.Likelihood, r.Residual.Consequence); ok {
				e.ResidualAnnualLoss = &v
			}
		}
		return out
	}
}

// RiskLink is a link from a risk to another record.
type RiskLink struct {
	ToType    string    `json:"to_type" enum:"asset,threat,vulnerability,control,risk"`
	ToID      string    `json:"to_id"`
	Ref       string    `json:"ref" doc:"The other record's reference."`
	Title     string    `json:"title" doc:"The other record's title or name."`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

func riskLinkOf(l isms.Link) RiskLink {
	return RiskLink{ToType: l.ToType, ToID: l.ToID, Ref: l.OtherRef, Title: l.OtherTitle, Note: l.Note, CreatedAt: l.CreatedAt.UTC()}
}

// RiskDecision is a risk owner's approval of the treatment plan or
// acceptance of the residual risk.
type RiskDecision struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind" enum:"plan_approval,acceptance"`
	DecidedBy      string     `json:"decided_by" doc:"User id."`
	DecidedByName  string     `json:"decided_by_name"`
	DecidedAt      time.Time  `json:"decided_at"`
	CriteriaID     string     `json:"criteria_id"`
	CriteriaNumber int        `json:"criteria_number"`
	Justification  string     `json:"justification"`
	Concession     bool       `json:"concession" doc:"A residual level above the acceptance criteria was accepted anyway."`
	Treatment      []string   `json:"treatment" nullable:"false" doc:"The treatment options decided on."`
	Residual       *Rating    `json:"residual,omitempty" doc:"The expected residual rating decided on."`
	ExpiresOn      *string    `json:"expires_on" format:"date" doc:"Acceptances: the day they lapse after."`
	VoidedAt       *time.Time `json:"voided_at" doc:"When a change voided the decision; null while it stands."`
	VoidReason     string     `json:"void_reason" doc:"treatment_changed, residual_changed or superseded."`
}

// RiskDetail is one risk with its links, treatment actions and decisions.
type RiskDetail struct {
	Risk
	Links     []RiskLink     `json:"links" nullable:"false" readOnly:"true"`
	Actions   []Action       `json:"actions" nullable:"false" readOnly:"true" doc:"Treatment actions (add them with POST /orgs/{org}/actions, serves_type=risk)."`
	Decisions []RiskDecision `json:"decisions" nullable:"false" readOnly:"true" doc:"The owner's decisions, newest first, voided ones included."`
}

// RiskOutput is the response carrying one risk.
type RiskOutput struct{ Body Risk }

// RiskDetailOutput is the response carrying one risk in full.
type RiskDetailOutput struct{ Body RiskDetail }

// RiskCreated is the response to adding a risk.
type RiskCreated struct {
	Location string `header:"Location"`
	Body     Risk
}

// RiskCreate is the body that adds a risk.
type RiskCreate struct {
	Kind                string         `json:"kind,omitempty" enum:"scenario,asset,isms,opportunity" doc:"Default scenario."`
	Title               string         `json:"title" doc:"Short name of the risk."`
	Description         string         `json:"description,omitempty"`
	Causes              string         `json:"causes,omitempty"`
	Impacts             string         `json:"impacts,omitempty"`
	Category            string         `json:"category,omitempty"`
	OwnerID             *string        `json:"owner_id,omitempty" nullable:"true"`
	CIA                 string         `json:"cia,omitempty"`
	ExistingControls    string         `json:"existing_controls,omitempty"`
	InherentLikelihood  *int           `json:"inherent_likelihood,omitempty" nullable:"true"`
	InherentConsequence *int           `json:"inherent_consequence,omitempty" nullable:"true"`
	InherentDims        map[string]int `json:"inherent_dims,omitempty"`
	ResidualLikelihood  *int           `json:"residual_likelihood,omitempty" nullable:"true"`
	ResidualConsequence *int           `json:"residual_consequence,omitempty" nullable:"true"`
	ResidualDims        map[string]int `json:"residual_dims,omitempty"`
	Treatment           []string       `json:"treatment,omitempty" doc:"avoid, take (opportunities only), modify, share, retain."`
	TreatmentNotes      string         `json:"treatment_notes,omitempty"`
	Priority            *int           `json:"priority,omitempty" nullable:"true"`
	NextReview          *string        `json:"next_review,omitempty" nullable:"true" format:"date"`
	Links               []LinkCreate   `json:"links,omitempty" doc:"Records to link the new risk to, in the same transaction."`
}

// RiskPatch changes a risk: the version read and the fields to change.
type RiskPatch struct {
	Version             int             `json:"version" minimum:"1" doc:"The version of the risk the change is based on."`
	Kind                *string         `json:"kind,omitempty" enum:"scenario,asset,isms,opportunity"`
	Title               *string         `json:"title,omitempty"`
	Description         *string         `json:"description,omitempty"`
	Causes              *string         `json:"causes,omitempty"`
	Impacts             *string         `json:"impacts,omitempty"`
	Category            *string         `json:"category,omitempty"`
	OwnerID             *string         `json:"owner_id,omitempty" nullable:"true"`
	CIA                 *string         `json:"cia,omitempty"`
	ExistingControls    *string         `json:"existing_controls,omitempty"`
	InherentLikelihood  *int            `json:"inherent_likelihood,omitempty" nullable:"true"`
	InherentConsequence *int            `json:"inherent_consequence,omitempty" nullable:"true"`
	InherentDims        *map[string]int `json:"inherent_dims,omitempty"`
	ResidualLikelihood  *int            `json:"residual_likelihood,omitempty" nullable:"true"`
	ResidualConsequence *int            `json:"residual_consequence,omitempty" nullable:"true"`
	ResidualDims        *map[string]int `json:"residual_dims,omitempty"`
	Treatment           *[]string       `json:"treatment,omitempty"`
	TreatmentNotes      *string         `json:"treatment_notes,omitempty"`
	Priority            *int            `json:"priority,omitempty" nullable:"true"`
	NextReview          *string         `json:"next_review,omitempty" nullable:"true" format:"date"`
}

// LinkCreate names a record to link a risk to.
type LinkCreate struct {
	ToType string `json:"to_type" enum:"asset,threat,vulnerability,control,risk"`
	ToID   string `json:"to_id" doc:"The record's id."`
	Note   string `json:"note,omitempty" maxLength:"1000" doc:"Why they are linked."`
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func treatmentFrom(s []string) []isms.TreatmentOption {
	out := make([]isms.TreatmentOption, 0, len(s))
	for _, o := range s {
		out = append(out, isms.TreatmentOption(o))
	}
	return out
}

type listRisksInput struct {
	OrgPath
	ListParams
	Sort          string `query:"sort" enum:"priority,-priority,ref,-ref,title,-title,level,-level,residual,-residual,status,-status,next_review,-next_review,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default priority (explicit priority first, then the highest inherent level). level is the inherent level, residual the expected residual level."`
	Status        string `query:"status" enum:"identified,assessed,planned,approved,accepted" doc:"Only risks with this status."`
	InherentLevel string `query:"inherent_level" doc:"Only risks whose inherent level has this key (e.g. high)."`
	ResidualLevel string `query:"residual_level" doc:"Only risks whose expected residual level has this key."`
	OwnerID       string `query:"owner_id" doc:"Only risks owned by this member (a user id); \"-\" for risks without an owner."`
	Kind          string `query:"kind" enum:"scenario,asset,isms,opportunity" doc:"Only risks of this kind."`
	Category      string `query:"category" doc:"Only risks in this category; \"-\" for risks without one."`
	Acceptance    string `query:"acceptance" enum:"none,valid,expired,concession" doc:"Only risks whose residual-risk acceptance is in this state (concession: accepted above the criteria)."`
	InherentCell  string `query:"inherent_cell" pattern:"^[1-6]-[1-6]$" doc:"Only risks in this cell of the inherent heat map: likelihood-consequence, e.g. 4-3. Combine with criteria_id."`
	ResidualCell  string `query:"residual_cell" pattern:"^[1-6]-[1-6]$" doc:"Only risks in this cell of the expected residual heat map."`
	CriteriaID    string `query:"criteria_id" doc:"Only risks rated under this criteria version."`
	ReviewBefore  string `query:"review_before" format:"date" doc:"Only risks whose next review is due before this day (YYYY-MM-DD)."`
}

func (in *listRisksInput) filters() map[string]string {
	return map[string]string{"status": in.Status, "inherent_level": in.InherentLevel, "residual_level": in.ResidualLevel,
		"owner_id": in.OwnerID, "kind": in.Kind, "category": in.Category, "acceptance": in.Acceptance,
		"inherent_cell": in.InherentCell, "residual_cell": in.ResidualCell, "criteria_id": in.CriteriaID, "review_before": in.ReviewBefore}
}

func (h *handler) listRisks(ctx context.Context, in *listRisksInput) (*ListOutput[Risk], error) {
	a, o := actorOf(ctx)
	page, err := h.DB.Risks(ctx, a, in.query(in.Sort, in.filters()))
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, riskOf(cs, today(o))), nil
}

func (h *handler) getRisk(ctx context.Context, in *getPersonInput) (*RiskDetailOutput, error) {
	a, o := actorOf(ctx)
	p, err := h.DB.RiskRecord(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	d, err := h.riskDetail(ctx, a, o, p)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &RiskDetailOutput{Body: d}, nil
}

// riskDetail is a risk as the API gives it, with its links, treatment
// actions and decisions.
func (h *handler) riskDetail(ctx context.Context, a isms.Actor, o isms.Organisation, p store.RiskPage) (RiskDetail, error) {
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return RiskDetail{}, err
	}
	d := RiskDetail{Risk: riskOf(cs, today(o))(p.Risk), Links: []RiskLink{}, Actions: []Action{}, Decisions: []RiskDecision{}}
	for _, l := range p.Links {
		d.Links = append(d.Links, riskLinkOf(l))
	}
	conv := actionOf(today(o))
	for _, x := range p.Actions {
		d.Actions = append(d.Actions, conv(x))
	}
	for _, x := range p.Decisions {
		rd := RiskDecision{ID: x.ID, Kind: string(x.Kind), DecidedBy: x.DecidedBy, DecidedByName: x.DecidedByName, DecidedAt: x.DecidedAt.UTC(),
			CriteriaID: x.CriteriaID, CriteriaNumber: x.CriteriaNumber, Justification: x.Justification, Concession: x.Concession,
			Treatment: []string{}, Residual: ratingOf(cs.ByID[x.CriteriaID], x.Residual), ExpiresOn: nullable(x.ExpiresOn), VoidReason: x.VoidReason}
		for _, t := range isms.ParseTreatment(x.Treatment) {
			rd.Treatment = append(rd.Treatment, string(t))
		}
		if x.VoidedAt != nil {
			v := x.VoidedAt.UTC()
			rd.VoidedAt = &v
		}
		d.Decisions = append(d.Decisions, rd)
	}
	return d, nil
}

func riskURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/risks/" + url.PathEscape(id)
}

func (h *handler) createRisk(ctx context.Context, in *struct {
	OrgPath
	Body RiskCreate
}) (*RiskCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	r := isms.Risk{Kind: isms.RiskKind(b.Kind), Title: b.Title, Description: b.Description, Causes: b.Causes, Impacts: b.Impacts,
		Category: b.Category, OwnerID: deref(b.OwnerID), CIA: b.CIA, ExistingControls: b.ExistingControls,
		Inherent:  isms.Rating{Likelihood: derefInt(b.InherentLikelihood), Consequence: derefInt(b.InherentConsequence), Dims: b.InherentDims},
		Residual:  isms.Rating{Likelihood: derefInt(b.ResidualLikelihood), Consequence: derefInt(b.ResidualConsequence), Dims: b.ResidualDims},
		Treatment: treatmentFrom(b.Treatment), TreatmentNotes: b.TreatmentNotes, Priority: derefInt(b.Priority), NextReview: deref(b.NextReview)}
	var links []isms.Link
	for _, l := range b.Links {
		links = append(links, isms.Link{ToType: l.ToType, ToID: l.ToID, Note: l.Note})
	}
	r, err := h.DB.CreateRisk(ctx, a, r, links...)
	if err != nil {
		return nil, h.fail(ctx, linkField(err, "links"), "body")
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskCreated{Location: riskURL(o.Slug, r.ID), Body: riskOf(cs, today(o))(r)}, nil
}

// linkField renames the store's "to" field (the other end of a link) to
// the body field that named it.
func linkField(err error, field string) error {
	e := isms.AsError(err)
	if e.Kind != isms.KindInvalid {
		return err
	}
	out := *e
	out.Fields = nil
	for _, f := range e.Fields {
		if f.Field == "to" {
			f.Field = field
		}
		out.Fields = append(out.Fields, f)
	}
	return &out
}

func (h *handler) updateRisk(ctx context.Context, in *struct {
	RecordPath
	Body    RiskPatch
	RawBody []byte
}) (*RiskOutput, error) {
	a, o := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	r, err := h.DB.Risk(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"title", &r.Title, b.Title}, {"description", &r.Description, b.Description}, {"causes", &r.Causes, b.Causes},
		{"impacts", &r.Impacts, b.Impacts}, {"category", &r.Category, b.Category}, {"owner_id", &r.OwnerID, b.OwnerID},
		{"cia", &r.CIA, b.CIA}, {"existing_controls", &r.ExistingControls, b.ExistingControls},
		{"treatment_notes", &r.TreatmentNotes, b.TreatmentNotes}, {"next_review", &r.NextReview, b.NextReview},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
		v    *int
	}{
		{"inherent_likelihood", &r.Inherent.Likelihood, b.InherentLikelihood}, {"inherent_consequence", &r.Inherent.Consequence, b.InherentConsequence},
		{"residual_likelihood", &r.Residual.Likelihood, b.ResidualLikelihood}, {"residual_consequence", &r.Residual.Consequence, b.ResidualConsequence},
		{"priority", &r.Priority, b.Priority},
	} {
		if present[f.name] {
			*f.dst = derefInt(f.v)
		}
	}
	if present["kind"] {
		r.Kind = isms.RiskKind(deref(b.Kind))
	}
	if present["inherent_dims"] {
		r.Inherent.Dims = nil
		if b.InherentDims != nil {
			r.Inherent.Dims = *b.InherentDims
		}
	}
	if present["residual_dims"] {
		r.Residual.Dims = nil
		if b.ResidualDims != nil {
			r.Residual.Dims = *b.ResidualDims
		}
	}
	if present["treatment"] {
		r.Treatment = nil
		if b.Treatment != nil {
			r.Treatment = treatmentFrom(*b.Treatment)
		}
	}
	r, err = h.DB.UpdateRisk(ctx, a, r, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return h.riskOutput(ctx, a, o, r)
}

func (h *handler) riskOutput(ctx context.Context, a isms.Actor, o isms.Organisation, r isms.Risk) (*RiskOutput, error) {
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskOutput{Body: riskOf(cs, today(o))(r)}, nil
}

func (h *handler) setRiskArchived(ctx context.Context, in *archivePersonInput, archive bool) (*RiskOutput, error) {
	a, o := actorOf(ctx)
	r, err := h.DB.ArchiveRisk(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return h.riskOutput(ctx, a, o, r)
}

func (h *handler) riskHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.RiskHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// RiskLinksOutput is the response carrying a risk's links.
type RiskLinksOutput struct{ Body List[RiskLink] }

func (h *handler) linkRisk(ctx context.Context, in *struct {
	RecordPath
	Body LinkCreate
}) (*RiskLinksOutput, error) {
	a, _ := actorOf(ctx)
	if err := h.DB.LinkRisk(ctx, a, in.ID, in.Body.ToType, in.Body.ToID, in.Body.Note); err != nil {
		return nil, h.fail(ctx, linkField(err, "to_id"), "body")
	}
	links, err := h.DB.LinksFrom(ctx, a, "risk", in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	out := &RiskLinksOutput{Body: List[RiskLink]{Items: make([]RiskLink, 0, len(links)), Total: len(links)}}
	for _, l := range links {
		out.Body.Items = append(out.Body.Items, riskLinkOf(l))
	}
	return out, nil
}

func (h *handler) unlinkRisk(ctx context.Context, in *struct {
	RecordPath
	ToType string `path:"to_type" enum:"asset,threat,vulnerability,control,risk" doc:"The kind of the linked record."`
	ToID   string `path:"to_id" doc:"The linked record's id."`
}) (*struct{}, error) {
	a, _ := actorOf(ctx)
	if err := h.DB.UnlinkRisk(ctx, a, in.ID, in.ToType, in.ToID); err != nil {
		if isms.ErrorKind(err) == isms.KindNotFound {
			err = isms.Errorf(isms.KindNotFound, "api.no_such_link")
		}
		return nil, h.fail(ctx, err, "path")
	}
	return nil, nil
}

// DecisionBody is the body of a plan approval or an acceptance.
type DecisionBody struct {
	Version       int    `json:"version" minimum:"1" doc:"The version of the risk the decision is based on."`
	Justification string `json:"justification,omitempty" doc:"Why; required to accept a residual risk." maxLength:"5000"`
}

// AcceptBody is the body of a residual-risk acceptance.
type AcceptBody struct {
	Version       int     `json:"version" minimum:"1" doc:"The version of the risk the acceptance is based on."`
	Justification string  `json:"justification" doc:"Why the residual risk is accepted." maxLength:"5000"`
	Concession    bool    `json:"concession,omitempty" doc:"Set to accept a residual level above the acceptance criteria; the acceptance is flagged as a concession."`
	ExpiresOn     *string `json:"expires_on,omitempty" nullable:"true" format:"date" doc:"The review date the acceptance lapses after; default the next review date, or a year from today."`
}

func (h *handler) approveRiskPlan(ctx context.Context, in *struct {
	RecordPath
	Body DecisionBody
}) (*RiskOutput, error) {
	a, o := actorOf(ctx)
	r, err := h.DB.ApproveRiskPlan(ctx, a, in.ID, in.Body.Version, isms.AcceptInput{Justification: in.Body.Justification})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return h.riskOutput(ctx, a, o, r)
}

func (h *handler) acceptRisk(ctx context.Context, in *struct {
	RecordPath
	Body AcceptBody
}) (*RiskOutput, error) {
	a, o := actorOf(ctx)
	r, err := h.DB.AcceptRisk(ctx, a, in.ID, in.Body.Version, isms.AcceptInput{
		Justification: in.Body.Justification, Concession: in.Body.Concession, ExpiresOn: deref(in.Body.ExpiresOn)})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return h.riskOutput(ctx, a, o, r)
}

// RerateBody re-rates a risk: the version read and, optionally, ratings
// that replace the suggested ones.
type RerateBody struct {
	Version             int             `json:"version" minimum:"1" doc:"The version of the risk the re-rating is based on."`
	InherentLikelihood  *int            `json:"inherent_likelihood,omitempty" doc:"Replaces the suggested inherent likelihood."`
	InherentConsequence *int            `json:"inherent_consequence,omitempty"`
	InherentDims        *map[string]int `json:"inherent_dims,omitempty"`
	ResidualLikelihood  *int            `json:"residual_likelihood,omitempty"`
	ResidualConsequence *int            `json:"residual_consequence,omitempty"`
	ResidualDims        *map[string]int `json:"residual_dims,omitempty"`
}

func (h *handler) rerateRisk(ctx context.Context, in *struct {
	RecordPath
	Body RerateBody
}) (*RiskOutput, error) {
	a, o := actorOf(ctx)
	r, err := h.DB.Risk(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	from, known := cs.ByID[r.CriteriaID]
	if !cs.Has || r.CriteriaID == "" || r.CriteriaID == cs.Current.ID || !known {
		return nil, h.fail(ctx, isms.Errorf(isms.KindConflict, "api.risk_not_on_worklist"), "path")
	}
	s := isms.SuggestRerating(from, cs.Current, r)
	b := in.Body
	pick := func(v *int, def int) int {
		if v != nil {
			return *v
		}
		return def
	}
	dims := func(v *map[string]int, def map[string]int) map[string]int {
		if v != nil {
			return *v
		}
		return def
	}
	r.CriteriaID = cs.Current.ID
	r.Inherent = isms.Rating{Likelihood: pick(b.InherentLikelihood, s.Inherent.Likelihood), Consequence: pick(b.InherentConsequence, s.Inherent.Consequence),
		Dims: dims(b.InherentDims, s.Inherent.Dims)}
	r.Residual = isms.Rating{Likelihood: pick(b.ResidualLikelihood, s.Residual.Likelihood), Consequence: pick(b.ResidualConsequence, s.Residual.Consequence),
		Dims: dims(b.ResidualDims, s.Residual.Dims)}
	if b.InherentConsequence != nil && b.InherentDims == nil {
		r.Inherent.Dims = nil
	}
	if b.ResidualConsequence != nil && b.ResidualDims == nil {
		r.Residual.Dims = nil
	}
	r, err = h.DB.UpdateRisk(ctx, a, r, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskOutput{Body: riskOf(cs, today(o))(r)}, nil
}

func (h *handler) exportRisks(ctx context.Context, in *listRisksInput) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	// Read everything before answering, so that a failure is still a
	// problem response rather than a truncated file.
	q := in.query(in.Sort, in.filters())
	q.Cursor, q.Limit = "", isms.MaxLimit
	var list []isms.Risk
	for {
		page, err := h.DB.Risks(ctx, a, q)
		if err != nil {
			return nil, h.fail(ctx, err, "query")
		}
		list = append(list, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	refs, err := h.DB.RiskExportRefs(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return h.xlsxExport(ctx, o, "risks", func(hc huma.Context, info report.Info) error {
		return report.RisksXLSX(hc.BodyWriter(), o, list, cs.ByID, refs, info)
	}), nil
}

// xlsxExport answers with a workbook named <org>-<name>-<day>.xlsx that
// write produces.
func (h *handler) xlsxExport(ctx context.Context, o isms.Organisation, name string, write func(huma.Context, report.Info) error) *ExportOutput {
	now := time.Now()
	file := fmt.Sprintf("%s-%s-%s.xlsx", o.Slug, name, now.In(o.Location()).Format(isms.DateLayout))
	return &ExportOutput{
		ContentType:        xlsxType,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s"`, file),
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			if err := write(hc, report.Info{Version: h.Version, ExportedAt: now}); err != nil {
				// The status is sent; all that is left is to log it.
				h.logInternal(ctx, fmt.Errorf("write %s export: %w", name, err))
			}
		},
	}
}

// HeatMap counts risks per matrix cell of the criteria in force.
type HeatMap struct {
	CriteriaID     *string        `json:"criteria_id" doc:"The version in force; null while none is approved (the grids are then empty)."`
	CriteriaNumber int            `json:"criteria_number"`
	Likelihood     []ScaleLevel   `json:"likelihood" nullable:"false" doc:"The rows: likelihood levels, lowest first."`
	Consequence    []ScaleLevel   `json:"consequence" nullable:"false" doc:"The columns: consequence levels, lowest first."`
	Levels         []RiskLevelDef `json:"levels" nullable:"false"`
	Matrix         [][]string     `json:"matrix" nullable:"false" doc:"matrix[l-1][c-1] is the level key of each cell."`
	Inherent       [][]int        `json:"inherent" nullable:"false" doc:"inherent[l-1][c-1] counts the risks of likelihood l and consequence c."`
	Residual       [][]int        `json:"residual" nullable:"false" doc:"Expected residual ratings."`
	Current        [][]int        `json:"current" nullable:"false" doc:"Ratings as the risks stand today."`
	Older          int            `json:"older" doc:"Active risks still rated under an older version (see the re-rating worklist)."`
	Unrated        int            `json:"unrated" doc:"Active risks not rated yet."`
}

// HeatMapOutput is the response carrying the heat maps.
type HeatMapOutput struct{ Body HeatMap }

func (h *handler) riskHeatMap(ctx context.Context, in *struct{ OrgPath }) (*HeatMapOutput, error) {
	a, _ := actorOf(ctx)
	hm, ok, err := h.DB.RiskHeatMaps(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := HeatMap{Likelihood: []ScaleLevel{}, Consequence: []ScaleLevel{}, Levels: []RiskLevelDef{}, Matrix: [][]string{},
		Inherent: [][]int{}, Residual: [][]int{}, Current: [][]int{}, Older: hm.Older, Unrated: hm.Unrated}
	if ok {
		c := criteriaOf(hm.Criteria)
		out.CriteriaID, out.CriteriaNumber = &hm.Criteria.ID, hm.Criteria.Number
		out.Likelihood, out.Consequence, out.Levels, out.Matrix = c.Likelihood, c.Consequence, c.Levels, c.Matrix
		out.Inherent, out.Residual, out.Current = hm.Inherent, hm.Residual, hm.Current
	}
	return &HeatMapOutput{Body: out}, nil
}

// PlanEntry is one risk of the risk treatment plan.
type PlanEntry struct {
	Risk     Risk       `json:"risk"`
	Actions  []Action   `json:"actions" nullable:"false" doc:"Its treatment actions, soonest due first."`
	Controls []RiskLink `json:"controls" nullable:"false" doc:"The controls planned to treat it."`
}

// PlanProgress counts the plan's treatment actions (cancelled ones left out).
type PlanProgress struct {
	Actions int `json:"actions"`
	Done    int `json:"done"`
	Open    int `json:"open"`
	Overdue int `json:"overdue" doc:"Open past their due date, in the organisation's time zone."`
	Percent int `json:"percent" doc:"Done as a whole percentage of all actions."`
}

// TreatmentPlan is the risk treatment plan.
type TreatmentPlan struct {
	List[PlanEntry]
	Progress PlanProgress `json:"progress"`
}

// TreatmentPlanOutput is the response carrying the plan.
type TreatmentPlanOutput struct{ Body TreatmentPlan }

func (h *handler) riskTreatmentPlan(ctx context.Context, in *struct{ OrgPath }) (*TreatmentPlanOutput, error) {
	a, o := actorOf(ctx)
	plan, err := h.DB.RiskTreatmentPlan(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	d := today(o)
	p := isms.Progress(plan, d)
	out := TreatmentPlan{List: List[PlanEntry]{Items: make([]PlanEntry, 0, len(plan)), Total: len(plan)},
		Progress: PlanProgress{Actions: p.Actions, Done: p.Done, Open: p.Open, Overdue: p.Overdue}}
	if p.Actions > 0 {
		out.Progress.Percent = p.Done * 100 / p.Actions
	}
	conv, convAction := riskOf(cs, d), actionOf(d)
	for _, e := range plan {
		pe := PlanEntry{Risk: conv(e.Risk), Actions: make([]Action, 0, len(e.Actions)), Controls: make([]RiskLink, 0, len(e.Controls))}
		for _, x := range e.Actions {
			pe.Actions = append(pe.Actions, convAction(x))
		}
		for _, l := range e.Controls {
			pe.Controls = append(pe.Controls, riskLinkOf(l))
		}
		out.Items = append(out.Items, pe)
	}
	return &TreatmentPlanOutput{Body: out}, nil
}

func (h *handler) exportTreatmentPlan(ctx context.Context, in *struct{ OrgPath }) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	plan, err := h.DB.RiskTreatmentPlan(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	cs, err := h.criteriaSet(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return h.xlsxExport(ctx, o, "risk-treatment-plan", func(hc huma.Context, info report.Info) error {
		return report.TreatmentPlanXLSX(hc.BodyWriter(), o, plan, cs.ByID, info)
	}), nil
}
