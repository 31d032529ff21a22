package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// The risk register's import (check first, then import all or nothing)
// and the risk assessment report as Word and PDF.

// importRiskColumn documents one import column on the import page.
type importRiskColumn struct {
	Key, Label, Hint string
	Import           bool
}

type riskImportPage struct {
	importView
	Columns []importRiskColumn
}

func (a *app) riskImportPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderRiskImport(w, r, c, http.StatusOK, &riskImportPage{})
}

func (a *app) renderRiskImport(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, d *riskImportPage) error {
	tr := c.tr()
	for _, col := range report.RiskColumns {
		d.Columns = append(d.Columns, importRiskColumn{Key: col.Key, Label: tr.T(col.Label), Hint: tr.T(col.Hint), Import: col.Import})
	}
	d.Action = orgPath(c.Org.Slug, "/risks/import")
	d.CleanKey, d.ListPath, d.NameLabel = "web.risks.import_clean", "/risks", "risk.title"
	v := a.view(c, tr.T("web.risks.import_title"), crumb{tr.T("web.risks.title"), orgPath(c.Org.Slug, "/risks")})
	v.Nav = "risks"
	v.Data = d
	return a.render(w, r, status, "risk_import", v)
}

// maxRiskImportForm bounds what a risk import upload may carry in memory;
// the server lets this route's bodies grow to it.
const maxRiskImportForm = 10 << 20

// importRisks checks an uploaded file (a dry run) and shows the row-by-row
// report; a clean report offers to import. The confirming form posts the
// same file back (commit=yes), which is checked again and imported all or
// nothing in one transaction.
func (a *app) importRisks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	tr := c.tr()
	d := &riskImportPage{}
	up, err := readImportUpload(r, maxRiskImportForm)
	if err != nil {
		return err
	}
	d.FileName = up.FileName
	if len(up.Data) == 0 {
		d.FileError = []string{tr.T("web.assets.import_no_file")}
		return a.renderRiskImport(w, r, c, http.StatusUnprocessableEntity, d)
	}
	data, commit := up.Data, up.Commit
	rows, err := report.ParseRisks(data)
	if err != nil {
		var ie *report.ImportError
		if !errors.As(err, &ie) {
			return err
		}
		for _, m := range ie.Problems {
			d.FileError = append(d.FileError, tr.Msg(m))
		}
		return a.renderRiskImport(w, r, c, http.StatusUnprocessableEntity, d)
	}
	rep, err := a.DB.ImportRisks(r.Context(), c.Actor, rows, !commit)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindInvalid {
			d.FileError = []string{tr.Error(err)}
			for _, fe := range isms.AsError(err).Fields {
				d.FileError = append(d.FileError, tr.Msg(fe.Msg))
			}
			return a.renderRiskImport(w, r, c, http.StatusUnprocessableEntity, d)
		}
		return err
	}
	if rep.Applied {
		a.flash(r, tr.T("web.risks.imported", rep.Created, rep.Updated, rep.Unchanged))
		return redirect(w, r, orgPath(c.Org.Slug, "/risks"))
	}
	d.Report, d.Problems = &rep, rep.ProblemRows()
	d.Rows, d.ShowAll = importRowViews(c, rep, report.RiskColumnLabel)
	status := http.StatusOK
	if d.Problems > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		d.Data = base64.StdEncoding.EncodeToString(data)
	}
	return a.renderRiskImport(w, r, c, status, d)
}

// importUpload is an import file as posted: uploaded for checking, or
// sent back base64-encoded by the confirming form (Commit).
type importUpload struct {
	Data     []byte
	FileName string
	Commit   bool
}

// readImportUpload reads an import file from a multipart upload (field
// "file", at most report.MaxImportBytes are read) or from the confirming
// form's "data" field. A form larger than maxForm is a too-large error.
func readImportUpload(r *http.Request, maxForm int64) (importUpload, error) {
	var up importUpload
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxForm); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return up, isms.Errorf(isms.KindTooLarge, "error.too_large")
			}
			return up, isms.Errorf(isms.KindInvalid, "error.invalid")
		}
		if file, hdr, err := r.FormFile("file"); err == nil {
			defer file.Close()
			up.FileName = hdr.Filename
			if up.Data, err = io.ReadAll(io.LimitReader(file, report.MaxImportBytes+1)); err != nil {
				return up, isms.Errorf(isms.KindInvalid, "error.invalid")
			}
		}
	} else if err := parseForm(r); err != nil {
		return up, err
	}
	up.Commit = r.FormValue("commit") == "yes"
	if s := r.FormValue("data"); s != "" && up.Data == nil {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return up, isms.Errorf(isms.KindInvalid, "error.invalid")
		}
		up.Data, up.FileName = b, r.FormValue("file_name")
	}
	return up, nil
}

// importRowViews lays an import report's rows out for the page: every row
// of a file of up to 200 rows (showAll), only the rows with problems of a
// larger one. label names a problem's column.
func importRowViews(c *reqCtx, rep isms.AssetImportReport, label func(string) string) (rows []importRowView, showAll bool) {
	tr := c.tr()
	showAll = len(rep.Rows) <= 200
	for _, row := range rep.Rows {
		if len(row.Problems) == 0 && !showAll {
			continue
		}
		rv := importRowView{Line: row.Line, Ref: row.Ref, Name: row.Name, Action: tr.T("web.assets.import_action." + row.Action)}
		for _, p := range row.Problems {
			rv.Problems = append(rv.Problems, formError{ID: p.Field, Label: label(p.Field), Message: tr.Msg(p.Msg)})
		}
		rows = append(rows, rv)
	}
	return rows, showAll
}

func (a *app) riskReportDOCX(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.sendRiskReport(w, r, c, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", report.WriteDOCX)
}

func (a *app) riskReportPDF(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.sendRiskReport(w, r, c, "pdf", "application/pdf", report.WritePDF)
}

// sendRiskReport renders the risk assessment report with write and sends
// it as an attachment; it is rendered in full first, so a failure is
// still an error page.
func (a *app) sendRiskReport(w http.ResponseWriter, r *http.Request, c *reqCtx, ext, ctype string, write func(io.Writer, report.Document) error) error {
	now := time.Now()
	ra, err := report.LoadRiskAssessment(r.Context(), a.DB, c.Actor, c.Org, report.Info{Version: a.Version, ExportedAt: now})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, report.RiskAssessmentDocument(ra)); err != nil {
		return isms.Internal(err)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+fmt.Sprintf("%s-risk-assessment-%s.%s", c.Org.Slug, now.In(c.Org.Location()).Format(isms.DateLayout), ext)+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
