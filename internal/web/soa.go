package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// soaRow is one control's line on the SoA page, with everything its cells
// show worked out beforehand.
type soaRow struct {
	Control       isms.Control
	Href          string // the control's page
	Justification string
	Warnings      []string
	WarningTitle  string // the warnings in one line, for the row's pill
	EvidenceCount int
}

type soaTheme struct {
	ID, Title string
	Rows      []soaRow
	Body      template.HTML // the table's rows
}

// soaRows writes the rows of one theme's table.
func soaRows(tr i18n.Translator, rows []soaRow) template.HTML {
	none := tr.T("web.none")
	m := newMarkup(len(rows))
	for _, r := range rows {
		c := r.Control
		m.raw("\n<tr><td>")
		m.link("ref", r.Href, c.Ref)
		m.raw("</td><td>")
		m.text(c.Title)
		if len(r.Warnings) > 0 {
			m.raw(` <span class="pill pill-warning"`)
			m.attr("title", r.WarningTitle)
			m.raw(">")
			m.text(tr.Plural("web.soa.row_warnings", len(r.Warnings)))
			m.raw("</span>")
		}
		m.raw("</td><td>")
		d := soaDecisionPill(tr, c.Decision)
		m.pill(d.Class, d.Text)
		m.raw(`</td><td class="wrap">`)
		if r.Justification != "" {
			m.text(r.Justification)
		} else {
			m.mutedText(none)
		}
		m.raw("</td><td>")
		st := controlStatusPill(tr, c.Status)
		m.pill(st.Class, st.Text)
		m.raw("</td>")
		m.cell("", c.OwnerName)
		m.cell("num", strconv.Itoa(r.EvidenceCount))
		m.raw("</tr>")
	}
	return m.html()
}

type soaWarningView struct {
	Ref, Href, Text string
}

type soaPage struct {
	Summary  isms.SoASummary
	Latest   int
	Changed  bool
	Themes   []soaTheme
	Warnings []soaWarningView
	// WarningItems are the <li> items of Warnings, written in Go: an
	// organisation may have a hundred and more.
	WarningItems template.HTML
	Versions     []isms.SoAVersion
	Form         *form
	CanWrite     bool
	Today        string
}

// soaWarningItems writes each warning as a list item naming its control.
func soaWarningItems(ws []soaWarningView) template.HTML {
	m := &markup{}
	m.b.Grow(len(ws) * 200)
	for _, w := range ws {
		m.raw("<li>")
		m.link("ref", w.Href, w.Ref)
		m.raw(" <span>")
		m.text(w.Text)
		m.raw("</span></li>")
	}
	return m.html()
}

// soaPage shows the Statement of Applicability: every control with its
// decision, derived justification and status, the consistency warnings,
// publishing and the published versions.
func (a *app) soaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showSoA(w, r, c, http.StatusOK, newForm(nil))
}

func (a *app) showSoA(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form) error {
	ctx := r.Context()
	tr := c.tr()
	// The page shows how much evidence each control has and names only
	// the expired pieces: the overview is enough.
	s, err := a.DB.SoAOverview(ctx, c.Actor)
	if err != nil {
		return err
	}
	vs, err := a.DB.SoAVersions(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &soaPage{Summary: s.Summary, Latest: s.Latest, Changed: s.Changed, Versions: vs, Form: f,
		CanWrite: c.Actor.Can(isms.PermWriteRegisters), Today: s.Today}
	entries := isms.Entries(s.Lines)
	idx := map[string]int{}
	for i, l := range s.Lines {
		ctl := l.Control
		row := soaRow{Control: ctl, Href: orgPath(c.Org.Slug, "/controls/"+ctl.ID), Justification: report.Justification(tr, entries[i]),
			Warnings: ctlWarningTexts(tr, c.Org, l.Warnings), EvidenceCount: l.EvidenceCount}
		row.WarningTitle = strings.Join(row.Warnings, " ")
		th := ctl.Theme
		j, ok := idx[th]
		if !ok {
			j = len(d.Themes)
			idx[th] = j
			d.Themes = append(d.Themes, soaTheme{ID: "soa-" + th, Title: tr.T("theme." + th)})
		}
		d.Themes[j].Rows = append(d.Themes[j].Rows, row)
		for _, t := range row.Warnings {
			d.Warnings = append(d.Warnings, soaWarningView{Ref: ctl.Ref, Href: row.Href, Text: t})
		}
	}
	for i := range d.Themes {
		d.Themes[i].Body = soaRows(tr, d.Themes[i].Rows)
	}
	d.WarningItems = soaWarningItems(d.Warnings)
	v := a.view(c, tr.T("web.soa.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "soa"
	v.Data = d
	return a.render(w, r, status, "soa_page", v)
}

// publishSoA approves the current SoA into a new numbered version.
func (a *app) publishSoA(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, map[string]string{"note": "report.soa.note"})
	v, err := a.DB.PublishSoA(r.Context(), c.Actor, f.Value("note"))
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.showSoA(w, r, c, status, f)
		}
		return err
	}
	a.flash(r, tr.T("web.soa.published", v.Number))
	return redirect(w, r, orgPath(c.Org.Slug, "/soa"))
}

type soaChangeView struct {
	isms.SoAChange
	Before, After soaSide
}

type soaSide struct {
	Decision, Justification, Status string
}

type soaCompare struct {
	From, To int
	Options  []option
	Changes  []soaChangeView
	Versions int
}

// compareSoA shows what changed between two versions; 0 is the draft.
func (a *app) compareSoA(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	vs, err := a.DB.SoAVersions(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &soaCompare{Versions: len(vs)}
	d.Options = append(d.Options, option{"0", tr.T("web.soa.draft")})
	for _, v := range vs {
		d.Options = append(d.Options, option{strconv.Itoa(v.Number), tr.T("report.soa.version_n", v.Number)})
	}
	num := func(name string, def int) (int, error) {
		s := r.URL.Query().Get(name)
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > len(vs) && !hasVersion(vs, n) {
			return 0, isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		return n, nil
	}
	latest := 0
	if len(vs) > 0 {
		latest = vs[0].Number
	}
	prev := 0
	if len(vs) > 1 {
		prev = vs[1].Number
	}
	// By default: the latest version against the draft.
	defFrom, defTo := latest, 0
	if len(vs) > 1 && r.URL.Query().Get("from") == "" && r.URL.Query().Get("to") == "" {
		defFrom, defTo = prev, latest
	}
	if d.From, err = num("from", defFrom); err != nil {
		return err
	}
	if d.To, err = num("to", defTo); err != nil {
		return err
	}
	if len(vs) > 0 {
		changes, err := a.DB.CompareSoA(ctx, c.Actor, d.From, d.To)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			d.Changes = append(d.Changes, soaChangeView{SoAChange: ch, Before: side(tr, ch.Before), After: side(tr, ch.After)})
		}
	}
	v := a.view(c, tr.T("web.soa.compare_title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.soa.title"), orgPath(c.Org.Slug, "/soa")})
	v.Nav = "soa"
	v.Data = d
	return a.render(w, r, http.StatusOK, "soa_compare", v)
}

func hasVersion(vs []isms.SoAVersion, n int) bool {
	for _, v := range vs {
		if v.Number == n {
			return true
		}
	}
	return false
}

func side(tr i18n.Translator, e *isms.SoAEntry) soaSide {
	if e == nil {
		return soaSide{}
	}
	return soaSide{Decision: report.DecisionLabel(tr, e.Decision), Justification: report.Justification(tr, *e), Status: report.StatusLabel(tr, e.Status)}
}

// soaExport gathers the SoA to export: version=N, or the draft.
func (a *app) soaExport(r *http.Request, c *reqCtx) (report.SoA, error) {
	ctx := r.Context()
	out := report.SoA{Org: c.Org, Info: report.Info{Version: a.Version, ExportedAt: time.Now()}}
	if s := r.URL.Query().Get("version"); s != "" && s != "0" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return out, isms.Errorf(isms.KindNotFound, "error.not_found")
		}
		v, err := a.DB.SoAVersion(ctx, c.Actor, n)
		if err != nil {
			return out, err
		}
		out.Number, out.ApprovedAt, out.ApproverName, out.ApproverRole, out.Note, out.Entries = v.Number, v.ApprovedAt, v.ApproverName, v.ApproverRole, v.Note, v.Entries
		return out, nil
	}
	s, err := a.DB.SoA(ctx, c.Actor)
	if err != nil {
		return out, err
	}
	out.Entries = isms.Entries(s.Lines)
	return out, nil
}

func (a *app) sendSoA(w http.ResponseWriter, r *http.Request, c *reqCtx, ext, ctype string, write func(*bytes.Buffer, report.SoA) error) error {
	s, err := a.soaExport(r, c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, s); err != nil {
		return isms.Internal(err)
	}
	edition := "draft"
	if s.Number > 0 {
		edition = fmt.Sprintf("v%d", s.Number)
	}
	name := fmt.Sprintf("%s-soa-%s-%s.%s", c.Org.Slug, edition, s.Info.ExportedAt.In(c.Org.Location()).Format(isms.DateLayout), ext)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}

func (a *app) exportSoAXLSX(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.sendSoA(w, r, c, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(b *bytes.Buffer, s report.SoA) error { return report.SoAXLSX(b, s) })
}

func (a *app) exportSoADOCX(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.sendSoA(w, r, c, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		func(b *bytes.Buffer, s report.SoA) error { return report.WriteDOCX(b, report.SoADocument(s)) })
}

func (a *app) exportSoAPDF(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.sendSoA(w, r, c, "pdf", "application/pdf",
		func(b *bytes.Buffer, s report.SoA) error { return report.WritePDF(b, report.SoADocument(s)) })
}
