package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// riskReportRoutes registers the risk assessment report's downloads.
// Every role that reads registers may fetch them.
func (h *handler) riskReportRoutes(read, _ []int) {
	const tag = "Risks"
	for _, f := range []struct {
		ext, ctype, what string
		write            func(io.Writer, report.Document) error
	}{
		{"docx", docxType, "a Word document", report.WriteDOCX},
		{"pdf", pdfType, "a PDF document", report.WritePDF},
	} {
		f := f
		o := op("GET", "/orgs/{org}/risks/report."+f.ext, "risk-report-"+f.ext, tag, "The risk assessment report as "+f.ext,
			"The risk assessment report as "+f.what+": the method and who approved the risk criteria, the criteria (scales, matrix, acceptance), the results (counts by level and heat maps), the risks in priority order and the treatment plan.",
			isms.PermReadRegisters, read...)
		o.Responses = map[string]*huma.Response{"200": {
			Description: "Sent as an attachment named <org>-risk-assessment-<YYYY-MM-DD>." + f.ext + ".",
			Content:     map[string]*huma.MediaType{f.ctype: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
		}}
		huma.Register(h.api, o, func(ctx context.Context, in *OrgPath) (*ExportOutput, error) {
			return h.riskReport(ctx, f.ext, f.ctype, f.write)
		})
	}
}

func (h *handler) riskReport(ctx context.Context, ext, ctype string, write func(io.Writer, report.Document) error) (*ExportOutput, error) {
	a, o := actorOf(ctx)
	now := time.Now()
	ra, err := report.LoadRiskAssessment(ctx, h.DB, a, o, report.Info{Version: h.Version, ExportedAt: now})
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	// Render before answering, so that a failure is still a problem
	// response rather than a truncated file.
	var buf bytes.Buffer
	if err := write(&buf, report.RiskAssessmentDocument(ra)); err != nil {
		return nil, h.fail(ctx, isms.Internal(err), "query")
	}
	name := fmt.Sprintf("%s-risk-assessment-%s.%s", o.Slug, now.In(o.Location()).Format(isms.DateLayout), ext)
	return &ExportOutput{
		ContentType:        ctype,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s"`, name),
		Body: func(hc huma.Context) {
			hc.SetHeader("Cache-Control", "no-store")
			hc.SetStatus(http.StatusOK)
			if _, err := buf.WriteTo(hc.BodyWriter()); err != nil {
				h.logInternal(ctx, fmt.Errorf("send risk report: %w", err))
			}
		},
	}, nil
}
