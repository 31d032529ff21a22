package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// riskCriteriaRoutes registers the risk criteria operations (clause
// 6.1.2 a): the versions of the organisation's risk assessment method, the
// draft being prepared and its approval, and the re-rating worklist of
// risks still rated under an older version.
//
// Who may do what: every role except staff reads the criteria; owners and
// ISMS managers prepare and discard drafts; only organisation owners
// approve one.
func (h *handler) riskCriteriaRoutes(read, write []int) {
	const tag = "Risk criteria"
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-criteria", "list-risk-criteria", tag, "List risk criteria versions",
		"Every version of the risk criteria, newest first: the approved one in force, superseded ones and drafts (a discarded draft has archived_at set). Not paged.",
		isms.PermReadRegisters, read...), h.listCriteria)
	create := op("POST", "/orgs/{org}/risk-criteria", "create-risk-criteria-draft", tag, "Start a draft of the risk criteria",
		"Starts a draft from a preset (from=3x3 or from=5x5) or as a copy of the approved version in force (from=current), and answers 201 with its Location. There is at most one draft at a time (409 otherwise). Owners and ISMS managers.",
		isms.PermWriteRegisters, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createCriteria)
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-criteria/current", "current-risk-criteria", tag, "Get the risk criteria in force",
		"The approved version every new rating is made under; 404 while none has been approved.", isms.PermReadRegisters, read...), h.currentCriteria)
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-criteria/rerate", "risk-rerate-worklist", tag, "Re-rating worklist",
		"The active risks still rated under an older criteria version, with the ratings suggested under the version in force (scale positions kept, levels mapped by label or position) and the suggested mapping of each older version's levels. Apply a suggestion with POST /orgs/{org}/risks/{id}/rerate. Up to 500 risks, highest priority first.",
		isms.PermReadRegisters, read...), h.rerateWorklist)
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-criteria/{id}", "get-risk-criteria", tag, "Get a risk criteria version",
		"Scales, consequence dimensions, risk levels, the matrix and the acceptance criteria.", isms.PermReadRegisters, read...), h.getCriteria)
	huma.Register(h.api, op("PATCH", "/orgs/{org}/risk-criteria/{id}", "update-risk-criteria-draft", tag, "Change the draft",
		"Send the version you read and only the parts to change; a list (likelihood, consequence, dimensions, levels, matrix, category_acceptance) replaces the whole list. The whole draft is checked on every change: a gap in a scale, an unpainted or out-of-order matrix cell or an unknown acceptance level answers 422 naming it (body.matrix.3.2 is likelihood 3, consequence 2). Approved and superseded versions never change (409). Owners and ISMS managers.",
		isms.PermWriteRegisters, write...), h.updateCriteria)
	huma.Register(h.api, op("POST", "/orgs/{org}/risk-criteria/{id}/approve", "approve-risk-criteria", tag, "Approve the draft",
		"Puts the draft in force; the version it replaces becomes superseded. Risks rated under older versions keep their ratings and appear on the re-rating worklist. Organisation owners only.",
		isms.PermManageOrg, write...), h.approveCriteria)
	discard := op("POST", "/orgs/{org}/risk-criteria/{id}/discard", "discard-risk-criteria-draft", tag, "Discard the draft",
		"Archives the draft so that a new one can be started; answers 204. Owners and ISMS managers.", isms.PermWriteRegisters, write...)
	discard.DefaultStatus = http.StatusNoContent
	huma.Register(h.api, discard, h.discardCriteria)
	huma.Register(h.api, op("GET", "/orgs/{org}/risk-criteria/{id}/history", "risk-criteria-history", tag, "A criteria version's history",
		"Every change to the version, oldest first.", isms.PermReadRegisters, read...), h.criteriaHistory)
}

// ScaleLevel is one step of a likelihood or consequence scale.
type ScaleLevel struct {
	Value       int      `json:"value,omitempty" minimum:"1" maximum:"6" doc:"Position on the scale, 1 for the lowest; filled in from the position when left out."`
	Label       string   `json:"label" maxLength:"60" example:"Possible"`
	Description string   `json:"description" maxLength:"1000" doc:"What the step means, so that two people rate alike."`
	Frequency   *float64 `json:"frequency,omitempty" nullable:"true" doc:"Likelihood only: indicative events per year (required for the quantitative approach)."`
	MoneyMin    *float64 `json:"money_min,omitempty" nullable:"true" doc:"Consequence only: lower bound of the loss range, in currency."`
	MoneyMax    *float64 `json:"money_max,omitempty" nullable:"true" doc:"Consequence only: upper bound of the loss range; null for \"and above\"."`
}

// Dimension is one kind of harm whose consequence is rated separately.
type Dimension struct {
	Key          string   `json:"key,omitempty" maxLength:"30" doc:"Lower-case key used in ratings (inherent_dims); made from the label when left out." example:"legal"`
	Label        string   `json:"label" maxLength:"100" example:"Legal and regulatory"`
	Descriptions []string `json:"descriptions" nullable:"false" doc:"For each consequence level in order, what it means in this dimension."`
}

// RiskLevelDef is one level (colour) of the matrix, lowest first.
type RiskLevelDef struct {
	Key    string `json:"key,omitempty" maxLength:"30" doc:"Lower-case key used in the matrix; made from the label when left out." example:"medium"`
	Label  string `json:"label" maxLength:"60" example:"Medium"`
	Colour string `json:"colour" doc:"Background colour, #rrggbb." example:"#fee090"`
	Rank   int    `json:"rank,omitempty" readOnly:"true" doc:"Position, 1 for the lowest."`
}

// CategoryRule makes acceptance stricter for one risk category.
type CategoryRule struct {
	Category string `json:"category" maxLength:"100" example:"Personal data"`
	Level    string `json:"level" doc:"Key of the highest level that may be accepted for this category." example:"low"`
}

// RiskCriteria is one version of the organisation's risk criteria.
type RiskCriteria struct {
	Record
	Number             int            `json:"number" readOnly:"true" doc:"1, 2, 3 … in the organisation."`
	Status             string         `json:"status" readOnly:"true" enum:"draft,approved,superseded"`
	Name               string         `json:"name" example:"5 × 5 risk criteria"`
	Approach           string         `json:"approach" enum:"qualitative,semi_quantitative,quantitative"`
	Currency           string         `json:"currency" doc:"ISO 4217 code for money figures; required for the quantitative approach." example:"EUR"`
	Notes              string         `json:"notes"`
	Likelihood         []ScaleLevel   `json:"likelihood" nullable:"false" doc:"3 to 6 levels, lowest first."`
	Consequence        []ScaleLevel   `json:"consequence" nullable:"false" doc:"3 to 6 levels, lowest first."`
	Dimensions         []Dimension    `json:"dimensions" nullable:"false" doc:"Up to 8 kinds of harm; a consequence rated per dimension is the worst of them."`
	Levels             []RiskLevelDef `json:"levels" nullable:"false" doc:"2 to 6 risk levels, lowest first."`
	Matrix             [][]string     `json:"matrix" nullable:"false" doc:"matrix[l-1][c-1] is the key of the level for likelihood l and consequence c."`
	AcceptLevel        string         `json:"accept_level" doc:"Key of the highest level a risk owner may accept without treatment." example:"low"`
	CategoryAcceptance []CategoryRule `json:"category_acceptance" nullable:"false" doc:"Stricter acceptance levels for some risk categories."`
	ApprovedBy         *string        `json:"approved_by" readOnly:"true" doc:"User id of the owner who approved it; null for a draft."`
	ApprovedByName     string         `json:"approved_by_name" readOnly:"true"`
	ApprovedAt         *time.Time     `json:"approved_at" readOnly:"true"`
	BasedOnID          *string        `json:"based_on_id" readOnly:"true" doc:"The version this one was copied from, or null."`
}

func criteriaOf(c isms.RiskCriteria) RiskCriteria {
	out := RiskCriteria{Record: recordOf(c.Meta), Number: c.Number, Status: string(c.Status), Name: c.Name,
		Approach: string(c.Approach), Currency: c.Currency, Notes: c.Notes, AcceptLevel: c.AcceptLevel,
		Likelihood: scaleOf(c.Likelihood), Consequence: scaleOf(c.Consequence),
		Dimensions: make([]Dimension, 0, len(c.Dimensions)), Levels: make([]RiskLevelDef, 0, len(c.Levels)),
		Matrix: c.Matrix, CategoryAcceptance: make([]CategoryRule, 0, len(c.CategoryAcceptance)),
		ApprovedBy: nullable(c.ApprovedBy), ApprovedByName: c.ApprovedByName, BasedOnID: nullable(c.BasedOnID)}
	if out.Matrix == nil {
		out.Matrix = [][]string{}
	}
	for _, d := range c.Dimensions {
		desc := d.Descriptions
		if desc == nil {
			desc = []string{}
		}
		out.Dimensions = append(out.Dimensions, Dimension{Key: d.Key, Label: d.Label, Descriptions: desc})
	}
	for _, l := range c.Levels {
		out.Levels = append(out.Levels, RiskLevelDef{Key: l.Key, Label: l.Label, Colour: l.Colour, Rank: l.Rank})
	}
	for _, r := range c.CategoryAcceptance {
		out.CategoryAcceptance = append(out.CategoryAcceptance, CategoryRule{Category: r.Category, Level: r.Level})
	}
	if c.ApprovedAt != nil {
		t := c.ApprovedAt.UTC()
		out.ApprovedAt = &t
	}
	return out
}

func scaleOf(s []isms.ScaleLevel) []ScaleLevel {
	out := make([]ScaleLevel, 0, len(s))
	for _, l := range s {
		out = append(out, ScaleLevel{Value: l.Value, Label: l.Label, Description: l.Description, Frequency: l.Frequency, MoneyMin: l.MoneyMin, MoneyMax: l.MoneyMax})
	}
	return out
}

// scaleFrom converts a submitted scale; a left-out value is the position.
func scaleFrom(s []ScaleLevel) []isms.ScaleLevel {
	out := make([]isms.ScaleLevel, 0, len(s))
	for i, l := range s {
		v := l.Value
		if v == 0 {
			v = i + 1
		}
		out = append(out, isms.ScaleLevel{Value: v, Label: l.Label, Description: l.Description, Frequency: l.Frequency, MoneyMin: l.MoneyMin, MoneyMax: l.MoneyMax})
	}
	return out
}

// RiskCriteriaOutput is the response carrying one criteria version.
type RiskCriteriaOutput struct{ Body RiskCriteria }

// RiskCriteriaCreated is the response to starting a draft.
type RiskCriteriaCreated struct {
	Location string `header:"Location"`
	Body     RiskCriteria
}

// CriteriaCreate is the body that starts a draft.
type CriteriaCreate struct {
	From string `json:"from" enum:"3x3,5x5,current" doc:"3x3 or 5x5 starts from Holdfast's preset of that size; current copies the approved version in force."`
}

// CriteriaPatch changes the draft: the version read and the parts to change.
type CriteriaPatch struct {
	Version            int             `json:"version" minimum:"1" doc:"The version of the draft the change is based on."`
	Name               *string         `json:"name,omitempty"`
	Approach           *string         `json:"approach,omitempty" enum:"qualitative,semi_quantitative,quantitative"`
	Currency           *string         `json:"currency,omitempty"`
	Notes              *string         `json:"notes,omitempty"`
	Likelihood         *[]ScaleLevel   `json:"likelihood,omitempty"`
	Consequence        *[]ScaleLevel   `json:"consequence,omitempty"`
	Dimensions         *[]Dimension    `json:"dimensions,omitempty" doc:"null or [] removes every dimension."`
	Levels             *[]RiskLevelDef `json:"levels,omitempty"`
	Matrix             *[][]string     `json:"matrix,omitempty"`
	AcceptLevel        *string         `json:"accept_level,omitempty"`
	CategoryAcceptance *[]CategoryRule `json:"category_acceptance,omitempty" doc:"null or [] removes every category rule."`
}

func (h *handler) listCriteria(ctx context.Context, in *struct{ OrgPath }) (*ListOutput[RiskCriteria], error) {
	a, _ := actorOf(ctx)
	vs, err := h.DB.CriteriaVersions(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(isms.Page[isms.RiskCriteria]{Items: vs, Total: len(vs)}, criteriaOf), nil
}

func criteriaURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/risk-criteria/" + url.PathEscape(id)
}

func (h *handler) createCriteria(ctx context.Context, in *struct {
	OrgPath
	Body CriteriaCreate
}) (*RiskCriteriaCreated, error) {
	a, o := actorOf(ctx)
	var c isms.RiskCriteria
	var err error
	if in.Body.From == "current" {
		c, err = h.DB.ReviseCriteria(ctx, a)
	} else {
		c, err = h.DB.StartCriteria(ctx, a, in.Body.From)
		if isms.ErrorKind(err) == isms.KindInvalid {
			err = isms.Invalid("from", "validation.choice")
		}
	}
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskCriteriaCreated{Location: criteriaURL(o.Slug, c.ID), Body: criteriaOf(c)}, nil
}

func (h *handler) currentCriteria(ctx context.Context, in *struct{ OrgPath }) (*RiskCriteriaOutput, error) {
	a, _ := actorOf(ctx)
	c, ok, err := h.DB.CurrentCriteria(ctx, a)
	if err == nil && !ok {
		err = isms.Errorf(isms.KindNotFound, "error.no_criteria")
	}
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &RiskCriteriaOutput{Body: criteriaOf(c)}, nil
}

func (h *handler) getCriteria(ctx context.Context, in *getPersonInput) (*RiskCriteriaOutput, error) {
	a, _ := actorOf(ctx)
	c, err := h.DB.CriteriaVersion(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &RiskCriteriaOutput{Body: criteriaOf(c)}, nil
}

func (h *handler) updateCriteria(ctx context.Context, in *struct {
	RecordPath
	Body    CriteriaPatch
	RawBody []byte
}) (*RiskCriteriaOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	c, err := h.DB.CriteriaVersion(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"name", &c.Name, b.Name}, {"currency", &c.Currency, b.Currency}, {"notes", &c.Notes, b.Notes}, {"accept_level", &c.AcceptLevel, b.AcceptLevel},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	if present["approach"] {
		c.Approach = isms.RiskApproach(deref(b.Approach))
	}
	if present["likelihood"] {
		c.Likelihood = nil
		if b.Likelihood != nil {
			c.Likelihood = scaleFrom(*b.Likelihood)
		}
	}
	if present["consequence"] {
		c.Consequence = nil
		if b.Consequence != nil {
			c.Consequence = scaleFrom(*b.Consequence)
		}
	}
	if present["dimensions"] {
		c.Dimensions = nil
		if b.Dimensions != nil {
			for _, d := range *b.Dimensions {
				c.Dimensions = append(c.Dimensions, isms.ConsequenceDimension{Key: d.Key, Label: d.Label, Descriptions: d.Descriptions})
			}
		}
	}
	if present["levels"] {
		c.Levels = nil
		if b.Levels != nil {
			for _, l := range *b.Levels {
				c.Levels = append(c.Levels, isms.RiskLevel{Key: l.Key, Label: l.Label, Colour: l.Colour})
			}
		}
	}
	if present["matrix"] {
		c.Matrix = nil
		if b.Matrix != nil {
			c.Matrix = *b.Matrix
		}
	}
	if present["category_acceptance"] {
		c.CategoryAcceptance = nil
		if b.CategoryAcceptance != nil {
			for _, r := range *b.CategoryAcceptance {
				c.CategoryAcceptance = append(c.CategoryAcceptance, isms.CategoryRule{Category: r.Category, Level: r.Level})
			}
		}
	}
	c, err = h.DB.UpdateCriteriaDraft(ctx, a, c, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskCriteriaOutput{Body: criteriaOf(c)}, nil
}

func (h *handler) approveCriteria(ctx context.Context, in *archivePersonInput) (*RiskCriteriaOutput, error) {
	a, _ := actorOf(ctx)
	c, err := h.DB.ApproveCriteria(ctx, a, in.ID, in.Body.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &RiskCriteriaOutput{Body: criteriaOf(c)}, nil
}

func (h *handler) discardCriteria(ctx context.Context, in *archivePersonInput) (*struct{}, error) {
	a, _ := actorOf(ctx)
	if err := h.DB.DiscardCriteriaDraft(ctx, a, in.ID, in.Body.Version); err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return nil, nil
}

func (h *handler) criteriaHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.CriteriaHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

// LevelRef is a risk level as a rating shows it.
type LevelRef struct {
	Key    string `json:"key" example:"high"`
	Label  string `json:"label" example:"High"`
	Colour string `json:"colour" example:"#f46d43"`
	Rank   int    `json:"rank" doc:"Position among the version's levels, 1 for the lowest."`
}

// levelRef returns the level with key k in c, nil when there is none.
func levelRef(c isms.RiskCriteria, k string) *LevelRef {
	l, ok := c.LevelByKey(k)
	if !ok || k == "" {
		return nil
	}
	return &LevelRef{Key: l.Key, Label: l.Label, Colour: l.Colour, Rank: l.Rank}
}

// Rating is a likelihood × consequence rating and the level it gives.
type Rating struct {
	Likelihood  int            `json:"likelihood" doc:"Likelihood value, 1 for the lowest."`
	Consequence int            `json:"consequence" doc:"Consequence value (the worst dimension when dimensions are rated)."`
	Dims        map[string]int `json:"dims" nullable:"false" doc:"Consequence per dimension key, when rated per dimension."`
	Level       *LevelRef      `json:"level,omitempty" doc:"The level the matrix gives."`
}

// ratingOf converts a rating, nil when unrated.
func ratingOf(c isms.RiskCriteria, r isms.Rating) *Rating {
	if !r.Rated() {
		return nil
	}
	d := r.Dims
	if d == nil {
		d = map[string]int{}
	}
	return &Rating{Likelihood: r.Likelihood, Consequence: r.Consequence, Dims: d, Level: levelRef(c, r.Level)}
}

// LevelMapping pairs a level of an older version with the suggested level
// of the version in force.
type LevelMapping struct {
	From LevelRef `json:"from"`
	To   LevelRef `json:"to"`
}

// VersionMapping is the suggested mapping of one older version's levels.
type VersionMapping struct {
	CriteriaID     string         `json:"criteria_id"`
	CriteriaNumber int            `json:"criteria_number"`
	Levels         []LevelMapping `json:"levels" nullable:"false"`
}

// RerateItem is a risk on the re-rating worklist.
type RerateItem struct {
	RiskID            string  `json:"risk_id"`
	Ref               string  `json:"ref" example:"R-012"`
	Title             string  `json:"title"`
	Version           int     `json:"version" doc:"The risk's version; send it to POST …/risks/{id}/rerate."`
	OwnerID           *string `json:"owner_id"`
	OwnerName         string  `json:"owner_name"`
	CriteriaID        string  `json:"criteria_id" doc:"The older version the risk is rated under."`
	CriteriaNumber    int     `json:"criteria_number"`
	Inherent          *Rating `json:"inherent,omitempty" doc:"The inherent rating under the older version."`
	Residual          *Rating `json:"residual,omitempty" doc:"The expected residual rating under the older version."`
	SuggestedInherent *Rating `json:"suggested_inherent,omitempty" doc:"The suggested inherent rating under the version in force."`
	SuggestedResidual *Rating `json:"suggested_residual,omitempty" doc:"The suggested residual rating under the version in force."`
	CanRerate         bool    `json:"can_rerate" doc:"Whether you may re-rate this risk (owners and ISMS managers any, contributors their own)."`
}

// RerateWorklist is the re-rating worklist.
type RerateWorklist struct {
	List[RerateItem]
	CriteriaID     *string          `json:"criteria_id" doc:"The version in force; null while none is approved (the list is then empty)."`
	CriteriaNumber int              `json:"criteria_number"`
	Mappings       []VersionMapping `json:"mappings" nullable:"false" doc:"For each older version on the list, how its levels map onto the version in force."`
}

// RerateWorklistOutput is the response carrying the worklist.
type RerateWorklistOutput struct{ Body RerateWorklist }

func (h *handler) rerateWorklist(ctx context.Context, in *struct{ OrgPath }) (*RerateWorklistOutput, error) {
	a, _ := actorOf(ctx)
	cur, items, maps, ok, err := h.DB.RerateWorklist(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := RerateWorklist{List: List[RerateItem]{Items: make([]RerateItem, 0, len(items)), Total: len(items)}, Mappings: []VersionMapping{}}
	if ok {
		out.CriteriaID, out.CriteriaNumber = &cur.ID, cur.Number
	}
	seen := map[string]bool{}
	for _, it := range items {
		r := it.Risk
		out.Items = append(out.Items, RerateItem{RiskID: r.ID, Ref: r.Ref, Title: r.Title, Version: r.Version,
			OwnerID: nullable(r.OwnerID), OwnerName: r.OwnerName, CriteriaID: it.From.ID, CriteriaNumber: it.From.Number,
			Inherent: ratingOf(it.From, r.Inherent), Residual: ratingOf(it.From, r.Residual),
			SuggestedInherent: ratingOf(cur, it.Suggest.Inherent), SuggestedResidual: ratingOf(cur, it.Suggest.Residual),
			CanRerate: store.CanEditRisk(a, r)})
		if seen[it.From.ID] {
			continue
		}
		seen[it.From.ID] = true
		vm := VersionMapping{CriteriaID: it.From.ID, CriteriaNumber: it.From.Number, Levels: []LevelMapping{}}
		for _, m := range maps[it.From.ID] {
			vm.Levels = append(vm.Levels, LevelMapping{
				From: LevelRef{Key: m.From.Key, Label: m.From.Label, Colour: m.From.Colour, Rank: m.From.Rank},
				To:   LevelRef{Key: m.To.Key, Label: m.To.Label, Colour: m.To.Colour, Rank: m.To.Rank}})
		}
		out.Mappings = append(out.Mappings, vm)
	}
	return &RerateWorklistOutput{Body: out}, nil
}
