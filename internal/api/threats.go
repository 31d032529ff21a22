package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// threatRoutes registers the threat register's and the vulnerability
// register's operations (the same shape under two paths) and the loading
// of the starter catalogue.
func (h *handler) threatRoutes(read, write []int) {
	for _, reg := range []struct {
		kind                 isms.ThreatKind
		path, one, many, tag string
	}{
		{isms.KindThreat, "threats", "threat", "threats", "Threats"},
		{isms.KindVulnerability, "vulnerabilities", "vulnerability", "vulnerabilities", "Vulnerabilities"},
	} {
		kind, base := reg.kind, "/orgs/{org}/"+reg.path
		huma.Register(h.api, op("GET", base, "list-"+reg.many, reg.tag, "List "+reg.many,
			"The organisation's "+reg.one+" register. Readable by every role except staff.", isms.PermReadRegisters, read...),
			func(ctx context.Context, in *listThreatsInput) (*ListOutput[Threat], error) {
				return h.listThreats(ctx, kind, in)
			})
		create := op("POST", base, "create-"+reg.one, reg.tag, "Add a "+reg.one,
			"Adds the firm's own entry and answers 201 with its Location. Owners and ISMS managers only.", isms.PermWriteRegisters, write...)
		create.DefaultStatus = http.StatusCreated
		huma.Register(h.api, create, func(ctx context.Context, in *createThreatInput) (*ThreatCreated, error) {
			return h.createThreat(ctx, kind, reg.path, in)
		})
		huma.Register(h.api, op("GET", base+"/{id}", "get-"+reg.one, reg.tag, "Get a "+reg.one, "", isms.PermReadRegisters, read...),
			func(ctx context.Context, in *getPersonInput) (*ThreatOutput, error) {
				return h.getThreat(ctx, kind, in)
			})
		huma.Register(h.api, op("PATCH", base+"/{id}", "update-"+reg.one, reg.tag, "Change a "+reg.one,
			"Send the version you read and only the fields to change. A stale version answers 409.", isms.PermWriteRegisters, write...),
			func(ctx context.Context, in *updateThreatInput) (*ThreatOutput, error) {
				return h.updateThreat(ctx, kind, in)
			})
		huma.Register(h.api, op("POST", base+"/{id}/archive", "archive-"+reg.one, reg.tag, "Archive a "+reg.one, "", isms.PermWriteRegisters, write...),
			func(ctx context.Context, in *archivePersonInput) (*ThreatOutput, error) {
				return h.setThreatArchived(ctx, kind, in, true)
			})
		huma.Register(h.api, op("POST", base+"/{id}/restore", "restore-"+reg.one, reg.tag, "Restore an archived "+reg.one, "", isms.PermWriteRegisters, write...),
			func(ctx context.Context, in *archivePersonInput) (*ThreatOutput, error) {
				return h.setThreatArchived(ctx, kind, in, false)
			})
		huma.Register(h.api, op("GET", base+"/{id}/history", reg.one+"-history", reg.tag, "A "+reg.one+"'s history", "", isms.PermReadRegisters, read...),
			func(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
				a, _ := actorOf(ctx)
				entries, err := h.DB.ThreatHistory(ctx, a, kind, in.ID)
				if err != nil {
					return nil, h.fail(ctx, err, "path")
				}
				return historyOf(entries), nil
			})
	}
	huma.Register(h.api, op("POST", "/orgs/{org}/starter-catalogue", "load-starter-catalogue", "Threats", "Load the starter catalogue",
		"Adds Holdfast's starter threats and vulnerabilities (each mapped to the Annex A controls that address it) to the organisation's registers. Loading again adds only entries not loaded before; edited and archived entries are left alone. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...), h.loadStarterCatalogue)
}

// Threat is an entry of the threat or vulnerability register.
type Threat struct {
	Record
	CatalogueID string   `json:"catalogue_id" doc:"Id in Holdfast's starter catalogue (T-01, V-01); empty for the firm's own entries." readOnly:"true"`
	Title       string   `json:"title" example:"Phishing email"`
	Description string   `json:"description"`
	Category    string   `json:"category" doc:"Threats: deliberate, accidental, technical, environmental or supplier. Vulnerabilities: people, process, technology, physical or supplier."`
	Controls    []string `json:"controls" nullable:"false" doc:"Annex A 2022 controls that address it." example:"[\"6.3\",\"8.7\"]"`
}

func threatOf(x isms.Threat) Threat {
	ctl := x.Controls
	if ctl == nil {
		ctl = []string{}
	}
	return Threat{Record: recordOf(x.Meta), CatalogueID: x.CatalogueID, Title: x.Title, Description: x.Description, Category: x.Category, Controls: ctl}
}

// ThreatCreate is the body that adds an entry.
type ThreatCreate struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Category    string   `json:"category"`
	Controls    []string `json:"controls,omitempty" doc:"Annex A 2022 control ids such as 8.7."`
}

// ThreatPatch changes an entry.
type ThreatPatch struct {
	Version     int       `json:"version" minimum:"1"`
	Title       *string   `json:"title,omitempty"`
	Description *string   `json:"description,omitempty"`
	Category    *string   `json:"category,omitempty"`
	Controls    *[]string `json:"controls,omitempty"`
}

// ThreatOutput is the response carrying one entry.
type ThreatOutput struct{ Body Threat }

// ThreatCreated is the response to adding an entry.
type ThreatCreated struct {
	Location string `header:"Location"`
	Body     Threat
}

type listThreatsInput struct {
	OrgPath
	ListParams
	Sort     string `query:"sort" enum:"ref,-ref,title,-title,category,-category,updated_at,-updated_at" doc:"Sort field; default ref."`
	Category string `query:"category" doc:"Only entries of this category."`
	Control  string `query:"control" doc:"Only entries addressed by this Annex A control (e.g. 8.7)."`
	Source   string `query:"source" enum:"catalogue,own" doc:"catalogue: loaded from the starter catalogue; own: added by the firm."`
}

func (h *handler) listThreats(ctx context.Context, kind isms.ThreatKind, in *listThreatsInput) (*ListOutput[Threat], error) {
	a, _ := actorOf(ctx)
	q := in.query(in.Sort, map[string]string{"category": in.Category, "control": in.Control, "source": in.Source})
	page, err := h.DB.Threats(ctx, a, kind, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, threatOf), nil
}

func (h *handler) getThreat(ctx context.Context, kind isms.ThreatKind, in *getPersonInput) (*ThreatOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.Threat(ctx, a, kind, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &ThreatOutput{Body: threatOf(x)}, nil
}

type createThreatInput struct {
	OrgPath
	Body ThreatCreate
}

func (h *handler) createThreat(ctx context.Context, kind isms.ThreatKind, path string, in *createThreatInput) (*ThreatCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	x, err := h.DB.CreateThreat(ctx, a, isms.Threat{Kind: kind, Title: b.Title, Description: b.Description, Category: b.Category, Controls: b.Controls})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ThreatCreated{Location: Prefix + "/orgs/" + url.PathEscape(o.Slug) + "/" + path + "/" + url.PathEscape(x.ID), Body: threatOf(x)}, nil
}

type updateThreatInput struct {
	RecordPath
	Body    ThreatPatch
	RawBody []byte
}

func (h *handler) updateThreat(ctx context.Context, kind isms.ThreatKind, in *updateThreatInput) (*ThreatOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	x, err := h.DB.Threat(ctx, a, kind, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{{"title", &x.Title, b.Title}, {"description", &x.Description, b.Description}, {"category", &x.Category, b.Category}} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	if present["controls"] {
		x.Controls = nil
		if b.Controls != nil {
			x.Controls = *b.Controls
		}
	}
	x, err = h.DB.UpdateThreat(ctx, a, x, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ThreatOutput{Body: threatOf(x)}, nil
}

func (h *handler) setThreatArchived(ctx context.Context, kind isms.ThreatKind, in *archivePersonInput, archive bool) (*ThreatOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.ArchiveThreat(ctx, a, kind, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &ThreatOutput{Body: threatOf(x)}, nil
}

// CatalogueLoaded says what loading the starter catalogue added.
type CatalogueLoaded struct {
	Body struct {
		Threats         int `json:"threats" doc:"Threats added by this call."`
		Vulnerabilities int `json:"vulnerabilities" doc:"Vulnerabilities added by this call."`
	}
}

func (h *handler) loadStarterCatalogue(ctx context.Context, in *struct{ OrgPath }) (*CatalogueLoaded, error) {
	a, _ := actorOf(ctx)
	res, err := h.DB.LoadStarterCatalogue(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	out := &CatalogueLoaded{}
	out.Body.Threats, out.Body.Vulnerabilities = res.Threats, res.Vulnerabilities
	return out, nil
}
