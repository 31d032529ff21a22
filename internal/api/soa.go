package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// soaRoutes registers the Statement of Applicability's operations. Every
// role except staff reads it; owners and ISMS managers approve versions.
func (h *handler) soaRoutes(read, write []int) {
	const tag = "Statement of Applicability"
	huma.Register(h.api, op("GET", "/orgs/{org}/soa", "get-soa", tag, "The current Statement of Applicability",
		"The draft SoA as it stands: one line per active control, with its decision, the justification derived from the risks and requirements linked to it plus the organisation's own text, its status, owner, evidence and consistency warnings, and how it compares with the latest approved version.",
		isms.PermReadRegisters, read...), h.getSoA)
	huma.Register(h.api, op("GET", "/orgs/{org}/soa/warnings", "soa-warnings", tag, "The SoA's consistency warnings",
		"Every consistency problem of the current SoA, in control order: undecided controls, inclusions without justification, exclusions without reason or relied on by a risk treatment, implemented controls without evidence, expired evidence.",
		isms.PermReadRegisters, read...), h.soaWarnings)
	pub := op("POST", "/orgs/{org}/soa/versions", "approve-soa", tag, "Approve the SoA",
		"Freezes the current SoA into a new numbered, immutable version approved by you, and answers 201 with it. Warnings do not block approval; each is kept with its line. Nothing changed since the latest version answers 409. Owners and ISMS managers only.",
		isms.PermWriteRegisters, write...)
	pub.DefaultStatus = http.StatusCreated
	huma.Register(h.api, pub, h.approveSoA)
	huma.Register(h.api, op("GET", "/orgs/{org}/soa/versions", "list-soa-versions", tag, "List approved SoA versions",
		"Newest first, with their counts but without their lines. Not paged.", isms.PermReadRegisters, read...), h.listSoAVersions)
	huma.Register(h.api, op("GET", "/orgs/{org}/soa/versions/{id}", "get-soa-version", tag, "Get an approved SoA version",
		"The version with every line as it was approved.", isms.PermReadRegisters, read...), h.getSoAVersion)
	huma.Register(h.api, op("GET", "/orgs/{org}/soa/diff", "diff-soa", tag, "Compare two SoA versions",
		"The controls whose decision, justification or status differ between version from and version to (numbers, or \"draft\" for the current SoA).",
		isms.PermReadRegisters, read...), h.diffSoA)
	for _, f := range []struct{ ext, ctype, what string }{
		{"xlsx", xlsxType, "an Excel workbook"},
		{"docx", docxType, "a Word document"},
		{"pdf", pdfType, "a PDF document"},
	} {
		f := f
		exp := op("GET", "/orgs/{org}/soa/export."+f.ext, "export-soa-"+f.ext, tag, "Export the SoA as "+f.ext,
			"The SoA as "+f.what+": the current draft, or approved version N with version=N.", isms.PermReadRegisters, read...)
		exp.Responses = map[string]*huma.Response{"200": {
			Description: "Sent as an attachment named <org>-soa-<draft|vN>-<YYYY-MM-DD>." + f.ext + ".",
			Content:     map[string]*huma.MediaType{f.ctype: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
		}}
		huma.Register(h.api, exp, func(ctx context.Context, in *exportSoAInput) (*ExportOutput, error) {
			return h.exportSoA(ctx, in, f.ext, f.ctype)
		})
	}
}

const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	pdfType  = "application/pdf"
)

// SoALinkedRecord names a risk or requirement that justifies a control.
type SoALinkedRecord struct {
	ID    string `json:"id"`
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// SoAEvidence names a piece of evidence supporting a control.
type SoAEvidence struct {
	ID         string  `json:"id"`
	Ref        string  `json:"ref"`
	Title      string  `json:"title"`
	ValidUntil *string `json:"valid_until" format:"date"`
}

// SoAWarning is one consistency problem of one control.
type SoAWarning struct {
	Kind     string       `json:"kind" enum:"undecided,excluded_treats_risk,included_unjustified,excluded_no_reason,implemented_no_evidence,evidence_expired"`
	Message  string       `json:"message" doc:"The problem in words."`
	Evidence *SoAEvidence `json:"evidence,omitempty" doc:"The expired evidence, for evidence_expired."`
}

// SoALine is one line of the SoA.
type SoALine struct {
	ControlID         string            `json:"control_id"`
	Ref               string            `json:"ref" example:"A.5.1"`
	Title             string            `json:"title"`
	Theme             string            `json:"theme"`
	Kind              string            `json:"kind" enum:"annex_a,custom"`
	Decision          *string           `json:"decision" enum:"included,excluded" doc:"Null while undecided."`
	Justification     string            `json:"justification" doc:"The justification as an auditor reads it: derived from the linked risks and requirements and the organisation's text, or the exclusion's reason and explanation."`
	JustificationText string            `json:"justification_text" doc:"The organisation's own inclusion text alone."`
	ExclusionReason   *string           `json:"exclusion_reason" enum:"not_needed,out_of_scope,replaced"`
	ExclusionText     string            `json:"exclusion_text"`
	ReplacedBy        string            `json:"replaced_by" doc:"Reference of the custom control replacing an excluded one."`
	Risks             []SoALinkedRecord `json:"risks" nullable:"false"`
	Requirements      []SoALinkedRecord `json:"requirements" nullable:"false"`
	Status            string            `json:"status"`
	Owner             string            `json:"owner" doc:"The owner's name."`
	Evidence          []SoAEvidence     `json:"evidence" nullable:"false"`
	Warnings          []SoAWarning      `json:"warnings" nullable:"false"`
}

// SoASummary counts an SoA's lines.
type SoASummary struct {
	Controls    int `json:"controls"`
	Included    int `json:"included"`
	Excluded    int `json:"excluded"`
	Undecided   int `json:"undecided"`
	Implemented int `json:"implemented"`
	Warnings    int `json:"warnings"`
}

func summaryOf(s isms.SoASummary) SoASummary {
	return SoASummary{Controls: s.Controls, Included: s.Included, Excluded: s.Excluded, Undecided: s.Undecided, Implemented: s.Implemented, Warnings: s.Warnings}
}

// SoADraft is the current SoA.
type SoADraft struct {
	Today         string     `json:"today" format:"date" doc:"The day (in the organisation's time zone) the warnings were checked against."`
	LatestVersion int        `json:"latest_version" doc:"The newest approved version's number; 0 if none."`
	Changed       bool       `json:"changed" doc:"Whether the draft differs from the latest approved version (true when there is none)."`
	Summary       SoASummary `json:"summary"`
	Items         []SoALine  `json:"items" nullable:"false"`
	Total         int        `json:"total"`
	NextCursor    string     `json:"next_cursor" doc:"Always empty: not paged."`
}

func linkedOf(rs []isms.RecordRef) []SoALinkedRecord {
	out := make([]SoALinkedRecord, 0, len(rs))
	for _, r := range rs {
		out = append(out, SoALinkedRecord{ID: r.ID, Ref: r.Ref, Title: r.Title})
	}
	return out
}

func evidenceRefsOf(es []isms.EvidenceRef) []SoAEvidence {
	out := make([]SoAEvidence, 0, len(es))
	for _, e := range es {
		out = append(out, SoAEvidence{ID: e.ID, Ref: e.Ref, Title: e.Title, ValidUntil: nullable(e.ValidUntil)})
	}
	return out
}

// lineOf converts an SoA entry (a frozen or current line) for the API;
// warnings carries the live warnings of a current line, or nil to use the
// entry's own warning kinds.
func lineOf(t i18n.Translator, o isms.Organisation, e isms.SoAEntry, warnings []isms.SoAWarning) SoALine {
	l := SoALine{
		ControlID: e.ControlID, Ref: e.Ref, Title: e.Title, Theme: e.Theme, Kind: string(e.Kind),
		Decision: nullable(string(e.Decision)), Justification: report.Justification(t, e), JustificationText: e.Justification,
		ExclusionReason: nullable(e.ExclusionReason), ExclusionText: e.ExclusionText, ReplacedBy: e.ReplacedBy,
		Risks: linkedOf(e.Risks), Requirements: linkedOf(e.Requirements), Status: string(e.Status), Owner: e.Owner,
		Evidence: evidenceRefsOf(e.Evidence), Warnings: []SoAWarning{},
	}
	if warnings == nil {
		for _, k := range e.Warnings {
			warnings = append(warnings, isms.SoAWarning{Kind: k})
		}
	}
	for _, w := range warnings {
		l.Warnings = append(l.Warnings, warningOf(t, o, w))
	}
	return l
}

func warningOf(t i18n.Translator, o isms.Organisation, w isms.SoAWarning) SoAWarning {
	out := SoAWarning{Kind: string(w.Kind), Message: t.T("soa.warning." + string(w.Kind))}
	if w.Evidence != nil {
		ev := evidenceRefsOf([]isms.EvidenceRef{*w.Evidence})[0]
		out.Evidence = &ev
		out.Message = t.T("soa.warning.evidence_expired_named", w.Evidence.Ref, w.Evidence.Title, o.FormatCalendarDate(w.Evidence.ValidUntil))
	}
	return out
}

// SoADraftOutput is the response carrying the current SoA.
type SoADraftOutput struct{ Body SoADraft }

func (h *handler) getSoA(ctx context.Context, in *struct{ OrgPath }) (*SoADraftOutput, error) {
	a, o := actorOf(ctx)
	s, err := h.DB.SoA(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	entries := isms.Entries(s.Lines)
	d := SoADraft{Today: s.Today, LatestVersion: s.Latest, Changed: s.Latest == 0 || s.Changed, Summary: summaryOf(s.Summary),
		Items: make([]SoALine, 0, len(entries)), Total: len(entries)}
	for i, e := range entries {
		d.Items = append(d.Items, lineOf(tr, o, e, s.Lines[i].Warnings))
	}
	return &SoADraftOutput{Body: d}, nil
}

// SoAControlWarning is one consistency problem with the control it is about.
type SoAControlWarning struct {
	ControlID string `json:"control_id"`
	Ref       string `json:"ref"`
	Title     string `json:"title"`
	SoAWarning
}

func (h *handler) soaWarnings(ctx context.Context, in *struct {
	OrgPath
	Kind string `query:"kind" enum:"undecided,excluded_treats_risk,included_unjustified,excluded_no_reason,implemented_no_evidence,evidence_expired" doc:"Only warnings of this kind."`
}) (*ListOutput[SoAControlWarning], error) {
	a, o := actorOf(ctx)
	s, err := h.DB.SoAOverview(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	out := &ListOutput[SoAControlWarning]{Body: List[SoAControlWarning]{Items: []SoAControlWarning{}}}
	for _, l := range s.Lines {
		for _, w := range l.Warnings {
			if in.Kind != "" && string(w.Kind) != in.Kind {
				continue
			}
			out.Body.Items = append(out.Body.Items, SoAControlWarning{ControlID: l.Control.ID, Ref: l.Control.Ref, Title: l.Control.Title, SoAWarning: warningOf(tr, o, w)})
		}
	}
	out.Body.Total = len(out.Body.Items)
	return out, nil
}

// SoAVersion is an approved, immutable edition of the SoA.
type SoAVersion struct {
	Number       int        `json:"number" doc:"1 for the first approved version, then 2, 3 …"`
	ApprovedAt   time.Time  `json:"approved_at"`
	ApprovedBy   string     `json:"approved_by" doc:"User id of the approver."`
	ApproverName string     `json:"approver_name"`
	ApproverRole string     `json:"approver_role" doc:"The approver's role when approving."`
	Note         string     `json:"note"`
	Summary      SoASummary `json:"summary"`
	Items        []SoALine  `json:"items,omitempty" doc:"The lines as approved; only when getting one version."`
}

func versionOf(o isms.Organisation, v isms.SoAVersion, lines bool) SoAVersion {
	out := SoAVersion{Number: v.Number, ApprovedAt: v.ApprovedAt.UTC(), ApprovedBy: v.ApprovedBy, ApproverName: v.ApproverName,
		ApproverRole: string(v.ApproverRole), Note: v.Note, Summary: summaryOf(v.Summary)}
	if lines {
		out.Items = make([]SoALine, 0, len(v.Entries))
		for _, e := range v.Entries {
			out.Items = append(out.Items, lineOf(tr, o, e, nil))
		}
	}
	return out
}

// SoAVersionOutput is the response carrying one version.
type SoAVersionOutput struct{ Body SoAVersion }

// SoAVersionCreated is the response to approving the SoA.
type SoAVersionCreated struct {
	Location string `header:"Location" doc:"The new version's URL."`
	Body     SoAVersion
}

// SoAApproval is the body of an approval.
type SoAApproval struct {
	Note string `json:"note,omitempty" maxLength:"2000" doc:"What changed or why it is approved now."`
}

func (h *handler) approveSoA(ctx context.Context, in *struct {
	OrgPath
	Body *SoAApproval
}) (*SoAVersionCreated, error) {
	a, o := actorOf(ctx)
	note := ""
	if in.Body != nil {
		note = in.Body.Note
	}
	v, err := h.DB.PublishSoA(ctx, a, note)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &SoAVersionCreated{Location: Prefix + "/orgs/" + url.PathEscape(o.Slug) + "/soa/versions/" + strconv.Itoa(v.Number), Body: versionOf(o, v, true)}, nil
}

// SoAVersionList lists approved versions.
type SoAVersionList struct {
	Items      []SoAVersion `json:"items" nullable:"false"`
	Total      int          `json:"total"`
	NextCursor string       `json:"next_cursor" doc:"Always empty: not paged."`
}

func (h *handler) listSoAVersions(ctx context.Context, in *struct{ OrgPath }) (*struct{ Body SoAVersionList }, error) {
	a, o := actorOf(ctx)
	vs, err := h.DB.SoAVersions(ctx, a)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	out := &struct{ Body SoAVersionList }{Body: SoAVersionList{Items: make([]SoAVersion, 0, len(vs)), Total: len(vs)}}
	for _, v := range vs {
		out.Body.Items = append(out.Body.Items, versionOf(o, v, false))
	}
	return out, nil
}

type soaVersionInput struct {
	OrgPath
	Number int `path:"id" minimum:"1" doc:"The version number."`
}

func (h *handler) getSoAVersion(ctx context.Context, in *soaVersionInput) (*SoAVersionOutput, error) {
	a, o := actorOf(ctx)
	v, err := h.DB.SoAVersion(ctx, a, in.Number)
	if err != nil {
		return nil, h.fail(ctx, err, "path")
	}
	return &SoAVersionOutput{Body: versionOf(o, v, true)}, nil
}

// SoAChange is one control whose line differs between two versions.
type SoAChange struct {
	Ref    string   `json:"ref"`
	Title  string   `json:"title"`
	Kind   string   `json:"kind" enum:"added,removed,changed"`
	Fields []string `json:"fields" nullable:"false" doc:"What changed, for changed lines: decision, justification, status."`
	Before *SoALine `json:"before" doc:"The line in version from; null for added lines."`
	After  *SoALine `json:"after" doc:"The line in version to; null for removed lines."`
}

// SoADiff is the comparison of two versions.
type SoADiff struct {
	From       string      `json:"from"`
	To         string      `json:"to"`
	Items      []SoAChange `json:"items" nullable:"false"`
	Total      int         `json:"total"`
	NextCursor string      `json:"next_cursor" doc:"Always empty: not paged."`
}

// versionNumber reads a version parameter: a number of at least 1, or
// "draft" (0).
func versionNumber(name, s string) (int, error) {
	if s == "draft" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, newProblem(http.StatusUnprocessableEntity, tr.T("api.soa_version"), FieldProblem{Location: "query." + name, Message: tr.T("api.soa_version")})
	}
	return n, nil
}

func (h *handler) diffSoA(ctx context.Context, in *struct {
	OrgPath
	From string `query:"from" required:"true" doc:"The earlier version: a number, or \"draft\"." example:"1"`
	To   string `query:"to" doc:"The later version: a number, or \"draft\" (the default)." example:"draft"`
}) (*struct{ Body SoADiff }, error) {
	a, o := actorOf(ctx)
	if in.To == "" {
		in.To = "draft"
	}
	from, err := versionNumber("from", in.From)
	if err != nil {
		return nil, err
	}
	to, err := versionNumber("to", in.To)
	if err != nil {
		return nil, err
	}
	changes, err := h.DB.CompareSoA(ctx, a, from, to)
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	out := &struct{ Body SoADiff }{Body: SoADiff{From: in.From, To: in.To, Items: make([]SoAChange, 0, len(changes)), Total: len(changes)}}
	for _, c := range changes {
		x := SoAChange{Ref: c.Ref, Title: c.Title, Kind: string(c.Kind), Fields: c.Fields}
		if x.Fields == nil {
			x.Fields = []string{}
		}
		if c.Before != nil {
			l := lineOf(tr, o, *c.Before, nil)
			x.Before = &l
		}
		if c.After != nil {
			l := lineOf(tr, o, *c.After, nil)
			x.After = &l
		}
		out.Body.Items = append(out.Body.Items, x)
	}
	return out, nil
}

type exportSoAInput struct {
	OrgPath
	Version int `query:"version" minimum:"0" doc:"The approved version to export; omit (or 0) for the current draft."`
}

func (h *handler) exportSoA(ctx context.Context, in *exportSoAInput, ext, ctype string) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	now := time.Now()
	s := report.SoA{Org: o, Info: report.Info{Version: h.Version, ExportedAt: now}}
	if in.Version > 0 {
		v, err := h.DB.SoAVersion(ctx, a, in.Version)
		if err != nil {
			return nil, h.fail(ctx, err, "query")
		}
		s.Number, s.ApprovedAt, s.ApproverName, s.ApproverRole, s.Note, s.Entries = v.Number, v.ApprovedAt, v.ApproverName, v.ApproverRole, v.Note, v.Entries
	} else {
		cur, err := h.DB.SoA(ctx, a)
		if err != nil {
			return nil, h.fail(ctx, err, "query")
		}
		s.Entries = isms.Entries(cur.Lines)
	}
	// Render before answering, so that a failure is still a problem
	// response rather than a truncated file.
	var buf bytes.Buffer
	var err error
	switch ext {
	case "xlsx":
		err = report.SoAXLSX(&buf, s)
	case "docx":
		err = report.WriteDOCX(&buf, report.SoADocument(s))
	default:
		err = report.WritePDF(&buf, report.SoADocument(s))
	}
	if err != nil {
		return nil, h.fail(ctx, isms.Internal(err), "query")
	}
	edition := "draft"
	if s.Number > 0 {
		edition = fmt.Sprintf("v%d", s.Number)
	}
	name := fmt.Sprintf("%s-soa-%s-%s.%s", o.Slug, edition, now.In(o.Location()).Format(isms.DateLayout), ext)
	return &ExportOutput{
		ContentType:        ctype,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s"`, name),
		Body: func(hc huma.Context) {
			hc.SetHeader("Cache-Control", "no-store")
			hc.SetStatus(http.StatusOK)
			if _, err := buf.WriteTo(hc.BodyWriter()); err != nil {
				h.logInternal(ctx, fmt.Errorf("send SoA export: %w", err))
			}
		},
	}, nil
}
