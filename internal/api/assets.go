package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// assetRoutes registers the asset register's operations.
func (h *handler) assetRoutes(read, write []int) {
	const tag = "Assets"
	huma.Register(h.api, op("GET", "/orgs/{org}/assets", "list-assets", tag, "List assets",
		"The asset register: information and what it depends on. Readable by every role except staff.", isms.PermReadRegisters, read...), h.listAssets)
	create := op("POST", "/orgs/{org}/assets", "create-asset", tag, "Add an asset",
		"Adds an asset and answers 201 with its Location. depends_on lists the assets it depends on, by id or reference. Owners and ISMS managers only.", isms.PermWriteRegisters, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createAsset)
	exp := op("GET", "/orgs/{org}/assets/export.xlsx", "export-assets", tag, "Export assets as XLSX",
		"Every active asset as an Excel workbook in the columns the import reads back.", isms.PermReadRegisters, read...)
	exp.Responses = map[string]*huma.Response{"200": {
		Description: "The workbook, sent as an attachment named <org>-assets-<YYYY-MM-DD>.xlsx.",
		Content:     map[string]*huma.MediaType{xlsxType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
	}}
	huma.Register(h.api, exp, h.exportAssets)
	imp := op("POST", "/orgs/{org}/assets/import", "import-assets", tag, "Import assets from XLSX or CSV",
		"Send the file as the request body (Content-Type text/csv or the XLSX media type). With dry_run=true nothing is written and the answer reports, row by row, what the import would do and every problem found. Without it the import is applied in one transaction only if every row is valid; otherwise the answer is 422 with each problem located as row.<line>.<column> and nothing is written. A row with the reference of an existing asset updates it; the optional version column refuses rows exported before the asset last changed.",
		isms.PermWriteRegisters, write...)
	imp.RequestBody = &huma.RequestBody{Required: true, Description: "The import file.", Content: map[string]*huma.MediaType{
		"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}},
		xlsxType:   {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}},
	}}
	huma.Register(h.api, imp, h.importAssets)
	huma.Register(h.api, op("GET", "/orgs/{org}/assets/{id}", "get-asset", tag, "Get an asset", "", isms.PermReadRegisters, read...), h.getAsset)
	huma.Register(h.api, op("PATCH", "/orgs/{org}/assets/{id}", "update-asset", tag, "Change an asset",
		"Send the version you read and only the fields to change; depends_on replaces the whole list. A stale version answers 409.", isms.PermWriteRegisters, write...), h.updateAsset)
	huma.Register(h.api, op("POST", "/orgs/{org}/assets/{id}/archive", "archive-asset", tag, "Archive an asset", "", isms.PermWriteRegisters, write...), h.archiveAsset)
	huma.Register(h.api, op("POST", "/orgs/{org}/assets/{id}/restore", "restore-asset", tag, "Restore an archived asset", "", isms.PermWriteRegisters, write...), h.restoreAsset)
	huma.Register(h.api, op("GET", "/orgs/{org}/assets/{id}/history", "asset-history", tag, "An asset's history",
		"Every change to the asset, oldest first, including its dependencies.", isms.PermReadRegisters, read...), h.assetHistory)
}

// Asset is an entry of the asset register.
type Asset struct {
	Record
	Name            string   `json:"name" example:"Customer database"`
	Description     string   `json:"description"`
	Type            string   `json:"type" enum:"information,application,hardware,service,people,site,supplier_service"`
	OwnerID         *string  `json:"owner_id" doc:"User id of the member accountable for the asset, or null."`
	OwnerName       string   `json:"owner_name" readOnly:"true"`
	CustodianID     *string  `json:"custodian_id" doc:"User id of the member who looks after it, or null."`
	CustodianName   string   `json:"custodian_name" readOnly:"true"`
	CustodianText   string   `json:"custodian_text" doc:"A custodian outside Holdfast (a supplier), when custodian_id is null."`
	Location        string   `json:"location"`
	Classification  string   `json:"classification" enum:"public,internal,confidential,restricted"`
	Confidentiality int      `json:"confidentiality" doc:"Requirement on the consequence scale of the approved risk criteria (1–5 without criteria); 0 when not assessed."`
	Integrity       int      `json:"integrity"`
	Availability    int      `json:"availability"`
	State           string   `json:"state" enum:"planned,in_use,retiring,retired"`
	DependsOn       []string `json:"depends_on" nullable:"false" doc:"References of the assets this one depends on."`
}

func assetOf(x isms.Asset) Asset {
	deps := x.DependsOn
	if deps == nil {
		deps = []string{}
	}
	return Asset{
		Record: recordOf(x.Meta), Name: x.Name, Description: x.Description, Type: string(x.Type),
		OwnerID: nullable(x.OwnerID), OwnerName: x.OwnerName, CustodianID: nullable(x.CustodianID), CustodianName: x.CustodianName,
		CustodianText: x.CustodianText, Location: x.Location, Classification: string(x.Classification),
		Confidentiality: x.Confidentiality, Integrity: x.Integrity, Availability: x.Availability, State: string(x.State), DependsOn: deps,
	}
}

// AssetCreate is the body that adds an asset.
type AssetCreate struct {
	Name            string   `json:"name" example:"Customer database"`
	Description     string   `json:"description,omitempty"`
	Type            string   `json:"type" example:"information" doc:"information, application, hardware, service, people, site or supplier_service."`
	OwnerID         *string  `json:"owner_id,omitempty" nullable:"true"`
	CustodianID     *string  `json:"custodian_id,omitempty" nullable:"true"`
	CustodianText   string   `json:"custodian_text,omitempty"`
	Location        string   `json:"location,omitempty"`
	Classification  string   `json:"classification,omitempty" doc:"public, internal (the default), confidential or restricted."`
	Confidentiality int      `json:"confidentiality,omitempty"`
	Integrity       int      `json:"integrity,omitempty"`
	Availability    int      `json:"availability,omitempty"`
	State           string   `json:"state,omitempty" doc:"planned, in_use (the default), retiring or retired."`
	DependsOn       []string `json:"depends_on,omitempty" doc:"Ids or references of the assets it depends on."`
}

// AssetPatch changes an asset: the version read and the fields to change.
type AssetPatch struct {
	Version         int       `json:"version" minimum:"1"`
	Name            *string   `json:"name,omitempty"`
	Description     *string   `json:"description,omitempty"`
	Type            *string   `json:"type,omitempty"`
	OwnerID         *string   `json:"owner_id,omitempty" nullable:"true"`
	CustodianID     *string   `json:"custodian_id,omitempty" nullable:"true"`
	CustodianText   *string   `json:"custodian_text,omitempty"`
	Location        *string   `json:"location,omitempty"`
	Classification  *string   `json:"classification,omitempty"`
	Confidentiality *int      `json:"confidentiality,omitempty"`
	Integrity       *int      `json:"integrity,omitempty"`
	Availability    *int      `json:"availability,omitempty"`
	State           *string   `json:"state,omitempty"`
	DependsOn       *[]string `json:"depends_on,omitempty"`
}

// AssetOutput is the response carrying one asset.
type AssetOutput struct{ Body Asset }

// AssetCreated is the response to adding an asset.
type AssetCreated struct {
	Location string `header:"Location"`
	Body     Asset
}

type listAssetsInput struct {
	OrgPath
	ListParams
	Sort           string `query:"sort" enum:"name,-name,ref,-ref,type,-type,state,-state,location,-location,created_at,-created_at,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default name."`
	Type           string `query:"type" doc:"Only assets of this type."`
	Classification string `query:"classification" doc:"Only assets with this classification."`
	State          string `query:"state" doc:"Only assets in this lifecycle state."`
	OwnerID        string `query:"owner_id" doc:"Only assets with this owner (a user id); \"-\" for assets without one."`
	CustodianID    string `query:"custodian_id" doc:"Only assets with this custodian (a user id)."`
}

func (h *handler) listAssets(ctx context.Context, in *listAssetsInput) (*ListOutput[Asset], error) {
	a, _ := actorOf(ctx)
	q := in.query(in.Sort, map[string]string{"type": in.Type, "classification": in.Classification, "state": in.State,
		"owner_id": in.OwnerID, "custodian_id": in.CustodianID})
	page, err := h.DB.Assets(ctx, a, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, assetOf), nil
}

func (h *handler) getAsset(ctx context.Context, in *getPersonInput) (*AssetOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.Asset(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &AssetOutput{Body: assetOf(x)}, nil
}

func (h *handler) createAsset(ctx context.Context, in *struct {
	OrgPath
	Body AssetCreate
}) (*AssetCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	x, err := h.DB.CreateAsset(ctx, a, isms.Asset{
		Name: b.Name, Description: b.Description, Type: isms.AssetType(b.Type), OwnerID: deref(b.OwnerID), CustodianID: deref(b.CustodianID),
		CustodianText: b.CustodianText, Location: b.Location, Classification: isms.Classification(b.Classification),
		Confidentiality: b.Confidentiality, Integrity: b.Integrity, Availability: b.Availability, State: isms.AssetState(b.State), DependsOn: b.DependsOn,
	})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &AssetCreated{Location: Prefix + "/orgs/" + url.PathEscape(o.Slug) + "/assets/" + url.PathEscape(x.ID), Body: assetOf(x)}, nil
}

func (h *handler) updateAsset(ctx context.Context, in *struct {
	RecordPath
	Body    AssetPatch
	RawBody []byte
}) (*AssetOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	x, err := h.DB.Asset(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"name", &x.Name, b.Name}, {"description", &x.Description, b.Description}, {"owner_id", &x.OwnerID, b.OwnerID},
		{"custodian_id", &x.CustodianID, b.CustodianID}, {"custodian_text", &x.CustodianText, b.CustodianText},
		{"location", &x.Location, b.Location},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	if present["type"] {
		x.Type = isms.AssetType(deref(b.Type))
	}
	if present["classification"] {
		x.Classification = isms.Classification(deref(b.Classification))
	}
	if present["state"] {
		x.State = isms.AssetState(deref(b.State))
	}
	for _, f := range []struct {
		name string
		dst  *int
		v    *int
	}{{"confidentiality", &x.Confidentiality, b.Confidentiality}, {"integrity", &x.Integrity, b.Integrity}, {"availability", &x.Availability, b.Availability}} {
		if present[f.name] {
			*f.dst = 0
			if f.v != nil {
				*f.dst = *f.v
			}
		}
	}
	if present["depends_on"] {
		x.DependsOn = nil
		if b.DependsOn != nil {
			x.DependsOn = *b.DependsOn
		}
	}
	x, err = h.DB.UpdateAsset(ctx, a, x, b.Version)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &AssetOutput{Body: assetOf(x)}, nil
}

func (h *handler) archiveAsset(ctx context.Context, in *archivePersonInput) (*AssetOutput, error) {
	return h.setAssetArchived(ctx, in, true)
}

func (h *handler) restoreAsset(ctx context.Context, in *archivePersonInput) (*AssetOutput, error) {
	return h.setAssetArchived(ctx, in, false)
}

func (h *handler) setAssetArchived(ctx context.Context, in *archivePersonInput, archive bool) (*AssetOutput, error) {
	a, _ := actorOf(ctx)
	x, err := h.DB.ArchiveAsset(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &AssetOutput{Body: assetOf(x)}, nil
}

func (h *handler) assetHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.AssetHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

func (h *handler) exportAssets(ctx context.Context, in *struct{ OrgPath }) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	list, err := h.DB.ActiveAssets(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	now := time.Now()
	var buf bytes.Buffer
	if err := report.AssetsXLSX(&buf, o, list, report.Info{Version: h.Version, ExportedAt: now}); err != nil {
		return nil, h.fail(ctx, isms.Internal(err), "query")
	}
	return &ExportOutput{
		ContentType:        xlsxType,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s-assets-%s.xlsx"`, o.Slug, now.In(o.Location()).Format(isms.DateLayout)),
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			_, _ = hc.BodyWriter().Write(buf.Bytes())
		},
	}, nil
}

// ImportReport is the outcome of an asset import or its dry run.
type ImportReport struct {
	Valid     bool        `json:"valid" doc:"True when no row has a problem."`
	Applied   bool        `json:"applied" doc:"True when the import was written (not a dry run)."`
	Created   int         `json:"created" doc:"Rows that add (or would add) an asset."`
	Updated   int         `json:"updated" doc:"Rows that change (or would change) an asset."`
	Unchanged int         `json:"unchanged" doc:"Rows identical to the asset they name."`
	Rows      []ImportRow `json:"rows" nullable:"false"`
}

// ImportRow is what the import found for one row of the file.
type ImportRow struct {
	Line     int            `json:"line" doc:"The row number as a spreadsheet shows it (the header is row 1)."`
	Ref      string         `json:"ref" doc:"The asset's reference; empty for a new asset in a dry run."`
	Name     string         `json:"name"`
	Action   string         `json:"action" enum:"create,update,unchanged"`
	Problems []FieldProblem `json:"problems" nullable:"false" doc:"What is wrong with the row; location is the column."`
}

func importReportOf(r isms.AssetImportReport) ImportReport {
	out := ImportReport{Valid: r.Valid(), Applied: r.Applied, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Rows: []ImportRow{}}
	for _, row := range r.Rows {
		ir := ImportRow{Line: row.Line, Ref: row.Ref, Name: row.Name, Action: row.Action, Problems: []FieldProblem{}}
		for _, p := range row.Problems {
			ir.Problems = append(ir.Problems, FieldProblem{Location: p.Field, Message: tr.Msg(p.Msg)})
		}
		out.Rows = append(out.Rows, ir)
	}
	return out
}

// ImportOutput is the response of an import.
type ImportOutput struct{ Body ImportReport }

func (h *handler) importAssets(ctx context.Context, in *struct {
	OrgPath
	DryRun  bool `query:"dry_run" doc:"Check the file and report, writing nothing."`
	RawBody []byte
}) (*ImportOutput, error) {
	a, _ := actorOf(ctx)
	rows, err := report.ParseAssets(in.RawBody)
	if err != nil {
		var ie *report.ImportError
		if errors.As(err, &ie) {
			p := newProblem(http.StatusUnprocessableEntity, tr.T("api.import_file"))
			for _, m := range ie.Problems {
				p.Errors = append(p.Errors, FieldProblem{Location: "body", Message: tr.Msg(m)})
			}
			return nil, p
		}
		return nil, h.fail(ctx, err, "body")
	}
	rep, err := h.DB.ImportAssets(ctx, a, rows, in.DryRun)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	if !in.DryRun && !rep.Valid() {
		p := newProblem(http.StatusUnprocessableEntity, tr.T("api.import_rows", rep.ProblemRows()))
		for _, row := range rep.Rows {
			for _, fp := range row.Problems {
				p.Errors = append(p.Errors, FieldProblem{Location: fmt.Sprintf("row.%d.%s", row.Line, fp.Field), Message: tr.Msg(fp.Msg)})
			}
		}
		return nil, p
	}
	return &ImportOutput{Body: importReportOf(rep)}, nil
}
