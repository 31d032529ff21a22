package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// soaRowBytes is about what a row of the SoA takes, its warnings and
// justification included.
const soaRowBytes = 768

type soaTheme struct {
	ID, Title string
	Count     int           // its controls
	Body      template.HTML // the table's rows
	rows      *markup       // where the rows are written
}

// soaRow writes line's row to a theme's table, linking to controls+the
// control's id: its justification and the texts of its warnings (ws) come
// worked out.
func (m *markup) soaRow(l *isms.SoALine, controls urlPrefix, justification string, ws []string, labels *ctlLabels, plurals *soaPlurals) {
	c := &l.Control
	m.raw("\n<tr><td>")
	m.linkAfter("ref", controls, c.ID, c.Ref)
	m.raw("</td><td>")
	m.text(c.Title)
	if len(ws) > 0 {
		m.raw(` <span class="pill pill-warning" title="`)
		for i, w := range ws {
			if i > 0 {
				m.raw(" ")
			}
			escapeInto(&m.b, w)
		}
		m.raw(`">`)
		m.text(plurals.warnings(len(ws)))
		m.raw("</span>")
	}
	m.raw("</td><td>")
	d := labels.decision(c.Decision)
	m.pill(d.Class, d.Text)
	m.raw(`</td><td class="wrap">`)
	if justification != "" {
		m.text(justification)
	} else {
		m.mutedText(labels.none)
	}
	m.raw("</td><td>")
	st := labels.status(c.Status)
	m.pill(st.Class, st.Text)
	m.raw("</td>")
	m.cell("", c.OwnerName)
	m.cell("num", strconv.Itoa(l.EvidenceCount))
	m.raw("</tr>")
}

// soaPlurals is the pill text of a row's warnings, by their number,
// translated once for a page.
type soaPlurals struct {
	tr    i18n.Translator
	texts map[int]string
}

func (p *soaPlurals) warnings(n int) string {
	s, ok := p.texts[n]
	if !ok {
		s = p.tr.Plural("web.soa.row_warnings", n)
		p.texts[n] = s
	}
	return s
}

// soaWarningItem writes a warning of control c as a list item naming
// it, linking to controls+its id.
func (m *markup) soaWarningItem(c *isms.Control, controls urlPrefix, text string) {
	m.raw("<li>")
	m.linkAfter("ref", controls, c.ID, c.Ref)
	m.raw(" <span>")
	m.text(text)
	m.raw("</span></li>")
}

type soaPage struct {
	Summary      isms.SoASummary
	Latest       int
	Changed      bool
	Themes       []soaTheme
	WarningCount int
	// WarningItems are the <li> items of the warnings, written in Go: an
	// organisation may have a hundred and more.
	WarningItems template.HTML
	Versions     []isms.SoAVersion
	Form         *form
	CanWrite     bool
	Today        string
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
	s, vs, err := a.DB.SoAPage(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &soaPage{Summary: s.Summary, Latest: s.Latest, Changed: s.Changed, Versions: vs, Form: f,
		CanWrite: c.Actor.Can(isms.PermWriteRegisters), Today: s.Today}
	entries := isms.Entries(s.Lines)
	labels := newCtlLabels(tr)
	plurals := &soaPlurals{tr: tr, texts: map[int]string{}}
	texts := newWarningTexts(tr, c.Org)
	controls := newURLPrefix(orgPath(c.Org.Slug, "/controls/"))
	items := &markup{}
	items.b.Grow(s.Summary.Warnings * 200)
	// The themes in the order of their first control, each table's room
	// made for its rows at once.
	idx := map[string]int{}
	for i := range s.Lines {
		th := s.Lines[i].Control.Theme
		j, ok := idx[th]
		if !ok {
			j = len(d.Themes)
			idx[th] = j
			d.Themes = append(d.Themes, soaTheme{ID: "soa-" + th, Title: tr.T("theme." + th)})
		}
		d.Themes[j].Count++
	}
	for i := range d.Themes {
		d.Themes[i].rows = &markup{}
		d.Themes[i].rows.b.Grow(d.Themes[i].Count * soaRowBytes)
	}
	var ws []string // the row's warnings, for each row in turn
	for i := range s.Lines {
		l := &s.Lines[i]
		ctl := &l.Control
		ws = ws[:0]
		for _, x := range l.Warnings {
			ws = append(ws, texts.text(x))
		}
		d.Themes[idx[ctl.Theme]].rows.soaRow(l, controls, report.Justification(tr, entries[i]), ws, labels, plurals)
		for _, t := range ws {
			items.soaWarningItem(ctl, controls, t)
		}
		d.WarningCount += len(ws)
	}
	for i := range d.Themes {
		d.Themes[i].Body, d.Themes[i].rows = d.Themes[i].rows.html(), nil
	}
	d.WarningItems = items.html()
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
