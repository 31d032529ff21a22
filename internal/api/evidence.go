package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// DefaultMaxUpload is the evidence file limit when Deps sets none.
const DefaultMaxUpload = 20 << 20

// evidenceRoutes registers the evidence register's operations.
//
// Who may do what: every role except staff reads evidence and downloads
// its files (each download is audited); owners and ISMS managers record
// and change any evidence; contributors record evidence they own and
// change only that (mayEditEvidence checks it before the body is read).
func (h *handler) evidenceRoutes(read, write []int) {
	const tag = "Evidence"
	huma.Register(h.api, op("GET", "/orgs/{org}/evidence", "list-evidence", tag, "List evidence",
		"The evidence that controls are in place: files, links and notes, with their owner and how long they stay valid. Readable by every role except staff.",
		isms.PermReadRegisters, read...), h.listEvidence)
	create := op("POST", "/orgs/{org}/evidence", "create-evidence", tag, "Record evidence",
		"Records a link or a note, linked to the controls it supports, and answers 201 with its Location. For a file, record it as a note or link and then upload the file with POST /evidence/{id}/file. Contributors record evidence they own.",
		isms.PermWriteOwned, write...)
	create.DefaultStatus = http.StatusCreated
	huma.Register(h.api, create, h.createEvidence)
	huma.Register(h.api, op("GET", "/orgs/{org}/evidence/{id}", "get-evidence", tag, "Get evidence",
		"The evidence with the controls it supports.", isms.PermReadRegisters, read...), h.getEvidence)
	patch := op("PATCH", "/orgs/{org}/evidence/{id}", "update-evidence", tag, "Change evidence",
		"Send the version you read and only the fields to change; null clears owner_id, collected_on or valid_until; control_ids replaces the list of controls it supports. Contributors may change the evidence they own but not hand it on. A stale version answers 409.",
		isms.PermWriteOwned, write...)
	patch.Middlewares = huma.Middlewares{h.mayEditEvidence}
	huma.Register(h.api, patch, h.updateEvidence)
	up := op("POST", "/orgs/{org}/evidence/{id}/file", "upload-evidence-file", tag, "Upload the evidence file",
		"Send multipart/form-data with the file in the part \"file\" and the version you read in the part \"version\". The file becomes the evidence's content (replacing any earlier file; a link or note becomes file evidence). Files over the server's upload limit (20 MiB by default) answer 413. A stale version answers 409.",
		isms.PermWriteOwned, write...)
	up.Middlewares = huma.Middlewares{h.mayEditEvidence, h.keepRequest}
	huma.Register(h.api, up, h.uploadEvidenceFile)
	// The handler reads the multipart body itself (streaming large files to
	// disk), so the body is described only in the document: declared on the
	// operation before registering, huma would buffer and parse it.
	for _, item := range h.api.OpenAPI().Paths {
		if item.Post != nil && item.Post.OperationID == up.OperationID {
			item.Post.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
				Type: huma.TypeObject, Required: []string{"file", "version"},
				Properties: map[string]*huma.Schema{
					"file":    {Type: huma.TypeString, Format: "binary", Description: "The file."},
					"version": {Type: huma.TypeInteger, Description: "The version of the evidence the upload is based on."},
				},
			}}}}
		}
	}
	dl := op("GET", "/orgs/{org}/evidence/{id}/file", "download-evidence-file", tag, "Download the evidence file",
		"Sends the file as an attachment, with the content type detected at upload. Every download is recorded in the audit log. Evidence without a file answers 404.",
		isms.PermReadRegisters, read...)
	dl.Responses = map[string]*huma.Response{"200": {
		Description: "The file, as an attachment under its uploaded name.",
		Content:     map[string]*huma.MediaType{"application/octet-stream": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
	}}
	huma.Register(h.api, dl, h.downloadEvidenceFile)
	arch := op("POST", "/orgs/{org}/evidence/{id}/archive", "archive-evidence", tag, "Archive evidence",
		"Archived evidence no longer supports its controls in the SoA; its file is kept.", isms.PermWriteOwned, write...)
	arch.Middlewares = huma.Middlewares{h.mayEditEvidence}
	huma.Register(h.api, arch, h.archiveEvidence)
	rest := op("POST", "/orgs/{org}/evidence/{id}/restore", "restore-evidence", tag, "Restore archived evidence", "", isms.PermWriteOwned, write...)
	rest.Middlewares = huma.Middlewares{h.mayEditEvidence}
	huma.Register(h.api, rest, h.restoreEvidence)
	huma.Register(h.api, op("GET", "/orgs/{org}/evidence/{id}/history", "evidence-history", tag, "Evidence history",
		"Every change to the evidence, oldest first.", isms.PermReadRegisters, read...), h.evidenceHistory)
	req := op("POST", "/orgs/{org}/evidence/{id}/renewal-requests", "request-evidence-renewal", tag, "Request renewed evidence",
		"Asks a member to renew the evidence by a date: creates an action serving the evidence, which appears in their actions. Answers 201 with the action. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...)
	req.DefaultStatus = http.StatusCreated
	req.Middlewares = huma.Middlewares{h.evidenceExists}
	huma.Register(h.api, req, h.requestEvidenceRenewal)
}

// mayEditEvidence refuses, before the body is read, callers who may
// neither change every piece of evidence nor own this one.
func (h *handler) mayEditEvidence(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	e, err := h.DB.Evidence(ctx.Context(), a, ctx.Param("id"))
	if err == nil && !store.CanEditEvidence(a, e) {
		err = isms.Errorf(isms.KindForbidden, "error.forbidden")
	}
	if err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

// evidenceExists answers 404, before the body is read, when the path
// names no evidence of the organisation.
func (h *handler) evidenceExists(ctx huma.Context, next func(huma.Context)) {
	a, _ := actorOf(ctx.Context())
	if _, err := h.DB.Evidence(ctx.Context(), a, ctx.Param("id")); err != nil {
		h.write(ctx, h.fail(ctx.Context(), err, "path"))
		return
	}
	next(ctx)
}

const keyRequest ctxKey = 100

// keepRequest makes the HTTP request available to an operation that reads
// its body itself (the multipart upload, which huma would buffer).
func (h *handler) keepRequest(ctx huma.Context, next func(huma.Context)) {
	r, _ := unwrap(ctx)
	next(huma.WithValue(ctx, keyRequest, r))
}

// Evidence is one piece of evidence.
type Evidence struct {
	Record
	Title       string  `json:"title" example:"Access review Q3 export"`
	Description string  `json:"description" doc:"Markdown; the whole content of a note."`
	Kind        string  `json:"kind" enum:"file,link,note"`
	OwnerID     *string `json:"owner_id" doc:"User id of the member who owns it, or null."`
	OwnerName   string  `json:"owner_name" readOnly:"true"`
	CollectedOn *string `json:"collected_on" format:"date"`
	ValidUntil  *string `json:"valid_until" format:"date" doc:"The last day it is valid; null if it does not expire."`
	URL         string  `json:"url" doc:"Where a link points."`
	FileName    string  `json:"file_name" readOnly:"true"`
	FileSize    int64   `json:"file_size" readOnly:"true" doc:"In bytes."`
	ContentType string  `json:"content_type" readOnly:"true" doc:"Detected from the file's content at upload."`
	SHA256      string  `json:"sha256" readOnly:"true" doc:"Hex SHA-256 of the file."`
	Expired     bool    `json:"expired" readOnly:"true" doc:"Past its valid_until date in the organisation's time zone."`
	ExpiresSoon bool    `json:"expires_soon" readOnly:"true" doc:"Still valid, but expires within 30 days."`
}

func evidenceOf(today string) func(isms.Evidence) Evidence {
	return func(e isms.Evidence) Evidence {
		return Evidence{
			Record: recordOf(e.Meta), Title: e.Title, Description: e.Description, Kind: string(e.Kind),
			OwnerID: nullable(e.OwnerID), OwnerName: e.OwnerName, CollectedOn: nullable(e.CollectedOn), ValidUntil: nullable(e.ValidUntil),
			URL: e.URL, FileName: e.FileName, FileSize: e.FileSize, ContentType: e.ContentType, SHA256: e.SHA256,
			Expired: e.Expired(today), ExpiresSoon: e.ExpiresSoon(today),
		}
	}
}

// ControlRef names a control evidence supports.
type ControlRef struct {
	ID    string `json:"id"`
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// EvidenceDetail is a piece of evidence with the controls it supports.
type EvidenceDetail struct {
	Evidence
	Controls []ControlRef `json:"controls" nullable:"false" readOnly:"true"`
}

// EvidenceOutput is the response carrying one piece of evidence.
type EvidenceOutput struct{ Body EvidenceDetail }

// EvidenceCreated is the response to recording evidence.
type EvidenceCreated struct {
	Location string `header:"Location" doc:"The new evidence's URL."`
	Body     EvidenceDetail
}

// EvidenceCreate is the body that records a link or a note.
type EvidenceCreate struct {
	Title       string   `json:"title" example:"Access review Q3 export"`
	Description string   `json:"description,omitempty" doc:"Required for a note: it is the note."`
	Kind        string   `json:"kind" doc:"link or note (upload files with POST /evidence/{id}/file)." example:"link"`
	OwnerID     *string  `json:"owner_id,omitempty" nullable:"true" doc:"Defaults to you for contributors."`
	CollectedOn *string  `json:"collected_on,omitempty" nullable:"true" format:"date"`
	ValidUntil  *string  `json:"valid_until,omitempty" nullable:"true" format:"date"`
	URL         string   `json:"url,omitempty" doc:"For links: an http or https URL." example:"https://wiki.example.com/access-review"`
	ControlIDs  []string `json:"control_ids,omitempty" doc:"Ids of the controls it supports."`
}

// EvidencePatch changes evidence: the version read and the fields to
// change.
type EvidencePatch struct {
	Version     int       `json:"version" minimum:"1" doc:"The version of the evidence the change is based on."`
	Title       *string   `json:"title,omitempty"`
	Description *string   `json:"description,omitempty"`
	Kind        *string   `json:"kind,omitempty" doc:"link or note; a file stays a file unless changed to one of these (which removes the file)."`
	OwnerID     *string   `json:"owner_id,omitempty" nullable:"true"`
	CollectedOn *string   `json:"collected_on,omitempty" nullable:"true" format:"date"`
	ValidUntil  *string   `json:"valid_until,omitempty" nullable:"true" format:"date"`
	URL         *string   `json:"url,omitempty"`
	ControlIDs  *[]string `json:"control_ids,omitempty" doc:"Replaces the controls it supports."`
}

type listEvidenceInput struct {
	OrgPath
	ListParams
	Sort    string `query:"sort" enum:"ref,-ref,title,-title,collected_on,-collected_on,valid_until,-valid_until,updated_at,-updated_at" doc:"Sort field; \"-\" in front for descending. Default ref."`
	Kind    string `query:"kind" enum:"file,link,note" doc:"Only evidence of this kind."`
	Expiry  string `query:"expiry" enum:"expired,expiring" doc:"expired: past its valid_until date; expiring: still valid but expiring within 30 days (in the organisation's time zone)."`
	OwnerID string `query:"owner_id" doc:"Only evidence owned by this user; \"-\" for evidence without an owner."`
	Control string `query:"control" doc:"Only evidence supporting this control (its id)."`
}

func (h *handler) listEvidence(ctx context.Context, in *listEvidenceInput) (*ListOutput[Evidence], error) {
	a, o := actorOf(ctx)
	expiry := in.Expiry
	if expiry == "expiring" {
		expiry = store.ExpirySoon
	}
	q := in.query(in.Sort, map[string]string{"kind": in.Kind, "expiry": expiry, "owner_id": in.OwnerID, "control": in.Control})
	page, err := h.DB.EvidenceList(ctx, a, q)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return listOf(page, evidenceOf(today(o))), nil
}

// evidenceDetail is a piece of evidence as the API gives it, with the
// controls it supports (read afresh: after a change).
func (h *handler) evidenceDetail(ctx context.Context, e isms.Evidence) (EvidenceDetail, error) {
	a, o := actorOf(ctx)
	links, err := h.DB.EvidenceControls(ctx, a, e.ID)
	if err != nil {
		return EvidenceDetail{}, err
	}
	return evidenceDetailOf(o, e, links), nil
}

// evidenceDetailOf is a piece of evidence with the links to the controls
// it supports.
func evidenceDetailOf(o isms.Organisation, e isms.Evidence, controls []isms.Link) EvidenceDetail {
	d := EvidenceDetail{Evidence: evidenceOf(today(o))(e), Controls: []ControlRef{}}
	for _, l := range controls {
		d.Controls = append(d.Controls, ControlRef{ID: l.ToID, Ref: l.OtherRef, Title: l.OtherTitle})
	}
	return d
}

func (h *handler) getEvidence(ctx context.Context, in *getPersonInput) (*EvidenceOutput, error) {
	a, o := actorOf(ctx)
	p, err := h.DB.EvidenceRecord(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &EvidenceOutput{Body: evidenceDetailOf(o, p.Evidence, p.Controls)}, nil
}

type createEvidenceInput struct {
	OrgPath
	Body EvidenceCreate
}

func (h *handler) createEvidence(ctx context.Context, in *createEvidenceInput) (*EvidenceCreated, error) {
	a, o := actorOf(ctx)
	b := in.Body
	if b.Kind == string(isms.EvidenceFile) {
		return nil, h.fail(ctx, isms.Invalid("kind", "api.evidence_file_kind"), "body")
	}
	e, err := h.DB.CreateEvidence(ctx, a, isms.Evidence{
		Title: b.Title, Description: b.Description, Kind: isms.EvidenceKind(b.Kind), OwnerID: deref(b.OwnerID),
		CollectedOn: deref(b.CollectedOn), ValidUntil: deref(b.ValidUntil), URL: b.URL,
	}, controlIDs(b.ControlIDs), nil)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	d, err := h.evidenceDetail(ctx, e)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &EvidenceCreated{Location: evidenceURL(o.Slug, e.ID), Body: d}, nil
}

func controlIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func evidenceURL(slug, id string) string {
	return Prefix + "/orgs/" + url.PathEscape(slug) + "/evidence/" + url.PathEscape(id)
}

type updateEvidenceInput struct {
	RecordPath
	Body    EvidencePatch
	RawBody []byte
}

func (h *handler) updateEvidence(ctx context.Context, in *updateEvidenceInput) (*EvidenceOutput, error) {
	a, _ := actorOf(ctx)
	present, err := presentFields(in.RawBody)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	e, err := h.DB.Evidence(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	b := in.Body
	if present["kind"] && deref(b.Kind) == string(isms.EvidenceFile) && e.Kind != isms.EvidenceFile {
		return nil, h.fail(ctx, isms.Invalid("kind", "api.evidence_file_kind"), "body")
	}
	kind := string(e.Kind)
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"title", &e.Title, b.Title}, {"description", &e.Description, b.Description}, {"kind", &kind, b.Kind},
		{"owner_id", &e.OwnerID, b.OwnerID}, {"collected_on", &e.CollectedOn, b.CollectedOn},
		{"valid_until", &e.ValidUntil, b.ValidUntil}, {"url", &e.URL, b.URL},
	} {
		if present[f.name] {
			*f.dst = deref(f.v)
		}
	}
	e.Kind = isms.EvidenceKind(kind)
	var ids []string
	if present["control_ids"] && b.ControlIDs != nil {
		ids = controlIDs(*b.ControlIDs)
	}
	e, err = h.DB.UpdateEvidence(ctx, a, e, b.Version, ids, nil)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	d, err := h.evidenceDetail(ctx, e)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &EvidenceOutput{Body: d}, nil
}

func (h *handler) uploadEvidenceFile(ctx context.Context, in *getPersonInput) (*EvidenceOutput, error) {
	a, _ := actorOf(ctx)
	r, _ := ctx.Value(keyRequest).(*http.Request)
	if r == nil {
		return nil, h.fail(ctx, errors.New("upload: no request in context"), "body")
	}
	max := h.MaxUpload
	if max <= 0 {
		max = DefaultMaxUpload
	}
	r.Body = http.MaxBytesReader(nil, r.Body, max+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return nil, h.fail(ctx, isms.Errorf(isms.KindTooLarge, "error.file_too_large", humanBytes(max)), "body")
		case errors.Is(err, http.ErrNotMultipart):
			return nil, newProblem(http.StatusUnsupportedMediaType, tr.T("api.multipart"))
		}
		return nil, newProblem(http.StatusBadRequest, tr.T("api.bad_request"), FieldProblem{Location: "body", Message: tr.T("api.multipart")})
	}
	defer r.MultipartForm.RemoveAll()
	var p isms.Problems
	base, err := strconv.Atoi(r.FormValue("version"))
	if err != nil || base < 1 {
		p.Add("version", "api.version_required")
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		p.Add("file", "validation.file_required")
	}
	if err := p.Err(); err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	defer file.Close()
	e, err := h.DB.Evidence(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	e.Kind = isms.EvidenceFile
	e, err = h.DB.UpdateEvidence(ctx, a, e, base, nil, &store.Upload{Name: hdr.Filename, R: file, Max: max})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	d, err := h.evidenceDetail(ctx, e)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &EvidenceOutput{Body: d}, nil
}

// humanBytes renders a size limit as people read it.
func humanBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// FileOutput streams an evidence file.
type FileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	ContentLength      string `header:"Content-Length"`
	CacheControl       string `header:"Cache-Control"`
	NoSniff            string `header:"X-Content-Type-Options"`
	Body               func(huma.Context)
}

func (h *handler) downloadEvidenceFile(ctx context.Context, in *getPersonInput) (*FileOutput, error) {
	a, _ := actorOf(ctx)
	e, rc, err := h.DB.OpenEvidenceFile(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	ctype := e.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return &FileOutput{
		ContentType:        ctype,
		ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": e.FileName}),
		ContentLength:      strconv.FormatInt(e.FileSize, 10),
		CacheControl:       "no-store",
		NoSniff:            "nosniff",
		Body: func(hc huma.Context) {
			defer rc.Close()
			hc.SetStatus(http.StatusOK)
			if _, err := io.Copy(hc.BodyWriter(), rc); err != nil {
				h.Log.Warn("api: send evidence file", "err", err)
			}
		},
	}, nil
}

func (h *handler) archiveEvidence(ctx context.Context, in *archivePersonInput) (*EvidenceOutput, error) {
	return h.setEvidenceArchived(ctx, in, true)
}

func (h *handler) restoreEvidence(ctx context.Context, in *archivePersonInput) (*EvidenceOutput, error) {
	return h.setEvidenceArchived(ctx, in, false)
}

func (h *handler) setEvidenceArchived(ctx context.Context, in *archivePersonInput, archive bool) (*EvidenceOutput, error) {
	a, _ := actorOf(ctx)
	e, err := h.DB.ArchiveEvidence(ctx, a, in.ID, in.Body.Version, archive)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	d, err := h.evidenceDetail(ctx, e)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &EvidenceOutput{Body: d}, nil
}

func (h *handler) evidenceHistory(ctx context.Context, in *getPersonInput) (*ListOutput[HistoryEntry], error) {
	a, _ := actorOf(ctx)
	entries, err := h.DB.EvidenceHistory(ctx, a, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return historyOf(entries), nil
}

func (h *handler) requestEvidenceRenewal(ctx context.Context, in *evidenceRequestInput) (*ActionCreated, error) {
	return h.requestEvidence(ctx, "evidence", in)
}
