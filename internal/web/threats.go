package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// The threat and vulnerability registers' pages. Both registers have the
// same shape, so every handler takes the kind; path and texts follow it.

var threatListSpec = &listSpec{sorts: []string{"ref", "title", "category", "updated_at"}, filters: []string{"category", "control", "source"}}

// kindPath is the URL segment of a register.
func kindPath(k isms.ThreatKind) string {
	if k == isms.KindVulnerability {
		return "/vulnerabilities"
	}
	return "/threats"
}

// kindKeys is the prefix of a register's own texts.
func kindKeys(k isms.ThreatKind) string {
	if k == isms.KindVulnerability {
		return "web.vulns."
	}
	return "web.threats."
}

// kt translates the kind-specific text key "<prefix><name>".
func kt(tr i18n.Translator, k isms.ThreatKind, name string, args ...any) string {
	return tr.T(kindKeys(k)+name, args...)
}

func categoryOptions(tr i18n.Translator, k isms.ThreatKind, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, c := range k.Categories() {
		out = append(out, option{c, tr.T("threat_category." + c)})
	}
	return out
}

// controlRef is a control id with its title, for lists of controls.
type controlRef struct{ ID, Title string }

func controlRefs(ids []string) []controlRef {
	c := catalog.Must()
	out := make([]controlRef, 0, len(ids))
	for _, id := range ids {
		ref := controlRef{ID: id}
		if ct, ok := c.Control(id); ok {
			ref.Title = ct.Title
		}
		out = append(out, ref)
	}
	return out
}

type threatRow struct {
	isms.Threat
	CategoryText string
	ControlRefs  []controlRef
}

func threatRowOf(tr i18n.Translator, x isms.Threat) threatRow {
	return threatRow{Threat: x, CategoryText: optional(tr, "threat_category."+x.Category, x.Category), ControlRefs: controlRefs(x.Controls)}
}

type threatList struct {
	listPage
	Kind          string
	Keys          string
	Path          string
	Body          template.HTML // the table's rows; empty if none are shown
	Categories    []option
	Sources       []option
	CanWrite      bool
	OfferLoad     bool
	LoadURL       string
	Lede, Caption string
	Other         string // the other register's path
}

// threatListRows writes the rows of a threat or vulnerability register
// table: reference and title linking to the entry (base is the register's
// URL with a trailing slash), the archived pill, the catalogue id of a
// starter entry, the category and the controls that address the entry,
// each with its title. Rows are indented as the page around them.
func threatListRows(tr i18n.Translator, base string, rows []isms.Threat) template.HTML {
	m := &markup{}
	m.b.Grow(len(rows) * threatRowBytes)
	archived := tr.T("web.reg.archived_pill")
	categories := newLabelCache(tr, "threat_category.")
	abbrs := controlAbbrs()
	for i := range rows {
		x := &rows[i]
		url := base + x.ID
		m.raw("\n      <tr>\n        <td>")
		m.link("ref", url, x.Ref)
		m.raw("</td>\n        <td class=\"wrap\">")
		m.link("title-link", url, x.Title)
		m.pills(pillIf(x.Archived(), "pill-muted", archived))
		if x.CatalogueID != "" {
			m.raw(` <span class="muted small">`)
			m.text(tr.T("web.threats.from_catalogue", x.CatalogueID))
			m.raw("</span>")
		}
		m.raw("</td>\n        ")
		m.cell("", categories.get(x.Category))
		m.raw("\n        <td class=\"mono small\">")
		for j, id := range x.Controls {
			if j > 0 {
				m.raw(", ")
			}
			if a, ok := abbrs[id]; ok {
				m.raw(a)
			} else {
				controlAbbr(m, id, "")
			}
		}
		m.raw("</td>\n      </tr>\n      ")
	}
	return m.html()
}

// threatRowBytes is about what one row of a threat or vulnerability
// table takes; the controls' titles make it longer than most registers'.
const threatRowBytes = 800

// controlAbbr writes control id in an abbreviation titled with the
// control's title.
func controlAbbr(m *markup, id, title string) {
	m.raw("<abbr")
	m.attr("title", title)
	m.raw(">")
	m.text(id)
	m.raw("</abbr>")
}

// controlAbbrs returns the markup controlAbbr writes for each Annex A
// control, by id: a page of fifty threats names some two hundred
// controls, the same few dozen over and over.
var controlAbbrs = sync.OnceValue(func() map[string]string {
	cs := catalog.Must().Controls
	out := make(map[string]string, len(cs))
	for _, ct := range cs {
		var m markup
		controlAbbr(&m, ct.ID, ct.Title)
		out[ct.ID] = m.b.String()
	}
	return out
})

// threatList shows a threat or vulnerability register.
func (a *app) threatList(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		ctx := r.Context()
		tr := c.tr()
		p := parseList(threatListSpec, orgPath(c.Org.Slug, kindPath(kind)), r.URL.Query())
		q := p.query()
		q.Brief = true
		page, err := a.DB.Threats(ctx, c.Actor, kind, q)
		if err != nil {
			return err
		}
		d := &threatList{Kind: string(kind), Keys: kindKeys(kind), Path: kindPath(kind), Categories: categoryOptions(tr, kind, tr.T("web.threats.any_category")),
			Sources:  []option{{"", tr.T("web.threats.any_source")}, {"catalogue", tr.T("web.threats.source_catalogue")}, {"own", tr.T("web.threats.source_own")}},
			CanWrite: c.Actor.Can(isms.PermWriteRegisters), LoadURL: orgPath(c.Org.Slug, "/starter-catalogue"),
			Lede: kt(tr, kind, "lede"), Caption: kt(tr, kind, "title")}
		if d.CanWrite { // only those who may load the starter catalogue are offered it
			loaded, err := a.DB.StarterCatalogueLoaded(ctx, c.Actor)
			if err != nil {
				return err
			}
			d.OfferLoad = loaded.Threats == 0 || loaded.Vulnerabilities == 0
		}
		d.Other = kindPath(isms.KindThreat)
		if kind == isms.KindThreat {
			d.Other = kindPath(isms.KindVulnerability)
		}
		label := func(name, v string) string {
			switch name {
			case "category":
				return tr.T("web.threats.chip_category", optional(tr, "threat_category."+v, v))
			case "control":
				return tr.T("web.threats.chip_control", v)
			case "source":
				if v == "own" {
					return tr.T("web.threats.source_own")
				}
				return tr.T("web.threats.source_catalogue")
			}
			return v
		}
		cols := []column{{"ref", "field.ref", false}, {"title", "threat.title", false}, {"category", "threat.category", false}, {"", "threat.controls", false}}
		d.listPage = p.page(tr, cols, page.Total, len(page.Items), page.PrevCursor, page.NextCursor, label)
		d.Body = threatListRows(tr, orgPath(c.Org.Slug, kindPath(kind)+"/"), page.Items)
		v := a.view(c, kt(tr, kind, "title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
		v.Nav = string(kind) + "s"
		v.Data = d
		return a.render(w, r, http.StatusOK, "threat_list", v)
	}
}

// loadStarterCatalogue adds the starter threats and vulnerabilities.
func (a *app) loadStarterCatalogue(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	res, err := a.DB.LoadStarterCatalogue(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	if res.Threats+res.Vulnerabilities == 0 {
		a.flash(r, tr.T("web.threats.loaded_nothing"))
	} else {
		a.flash(r, tr.T("web.threats.loaded", res.Threats, res.Vulnerabilities))
	}
	back := kindPath(isms.ThreatKind(r.FormValue("kind")))
	return redirect(w, r, orgPath(c.Org.Slug, back))
}

type threatPage struct {
	Row      threatRow
	Kind     string
	Keys     string
	Path     string
	Risks    []isms.Link
	History  []historyView
	CanWrite bool
	Notice   string
}

func (a *app) threatPage(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		return a.showThreat(w, r, c, kind, r.PathValue("id"), http.StatusOK, "")
	}
}

func (a *app) showThreat(w http.ResponseWriter, r *http.Request, c *reqCtx, kind isms.ThreatKind, id string, status int, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	p, err := a.DB.ThreatPage(ctx, c.Actor, kind, id)
	if err != nil {
		return err
	}
	x, hist, links := p.Threat, p.History, p.Links
	d := &threatPage{Row: threatRowOf(tr, x), Kind: string(kind), Keys: kindKeys(kind), Path: kindPath(kind), CanWrite: c.Actor.Can(isms.PermWriteRegisters), Notice: notice}
	for _, l := range links {
		if l.FromType == "risk" {
			d.Risks = append(d.Risks, l)
		}
	}
	users := map[string]string{}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		users = memberNames(ms)
	}
	d.History = recordHistory(tr, c.Org, hist, users, func(field, v string) string {
		switch field {
		case "category":
			return optional(tr, "threat_category."+v, v)
		case "archived":
			if v == "true" {
				return tr.T("web.yes")
			}
			if v == "false" {
				return tr.T("web.no")
			}
		}
		return v
	})
	v := a.view(c, x.Title, crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{kt(tr, kind, "title"), orgPath(c.Org.Slug, kindPath(kind))})
	v.Nav = string(kind) + "s"
	v.Data = d
	return a.render(w, r, status, "threat", v)
}

type threatForm struct {
	Form       *form
	Threat     isms.Threat
	Editing    bool
	Kind       string
	Keys       string
	Categories []option
	Controls   dataList
	FormAction string
	CancelURL  string
}

func (a *app) renderThreatForm(w http.ResponseWriter, r *http.Request, c *reqCtx, kind isms.ThreatKind, status int, f *form, self isms.Threat) error {
	tr := c.tr()
	tf := &threatForm{Form: f, Threat: self, Editing: self.ID != "", Kind: string(kind), Keys: kindKeys(kind), Categories: categoryOptions(tr, kind, tr.T("web.threats.choose_category"))}
	base := orgPath(c.Org.Slug, kindPath(kind))
	tf.FormAction, tf.CancelURL = base+"/new", base
	if tf.Editing {
		tf.FormAction, tf.CancelURL = base+"/"+self.ID+"/edit", base+"/"+self.ID
	}
	tf.Controls.ID = "control-ids"
	for _, ct := range catalog.Must().Controls {
		tf.Controls.Options = append(tf.Controls.Options, option{ct.ID, ct.Title})
	}
	title := kt(tr, kind, "new_title")
	crumbs := []crumb{{kt(tr, kind, "title"), base}}
	if tf.Editing {
		title = tr.T("web.threats.edit_title", self.Ref)
		crumbs = append(crumbs, crumb{self.Ref, base + "/" + self.ID})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = string(kind) + "s"
	v.Data = tf
	return a.render(w, r, status, "threat_form", v)
}

func (a *app) newThreatPage(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
			return err
		}
		return a.renderThreatForm(w, r, c, kind, http.StatusOK, newForm(nil), isms.Threat{})
	}
}

func threatFromForm(kind isms.ThreatKind, f *form) isms.Threat {
	return isms.Threat{Kind: kind, Title: f.Value("title"), Description: f.Value("description"), Category: f.Value("category"),
		Controls: isms.SplitList(strings.ReplaceAll(f.Value("controls"), " ", ","))}
}

func (a *app) createThreat(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		tr := c.tr()
		f := postedForm(r).labelled(tr, specLabels(isms.ThreatFields))
		x, err := a.DB.CreateThreat(r.Context(), c.Actor, threatFromForm(kind, f))
		if err != nil {
			if status, ok := f.take(tr, err, nil); ok {
				return a.renderThreatForm(w, r, c, kind, status, f, isms.Threat{})
			}
			return err
		}
		a.flash(r, tr.T("web.threats.created", x.Ref))
		return redirect(w, r, orgPath(c.Org.Slug, kindPath(kind)+"/"+x.ID))
	}
}

func (a *app) editThreatPage(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
			return err
		}
		x, err := a.DB.Threat(r.Context(), c.Actor, kind, r.PathValue("id"))
		if err != nil {
			return err
		}
		f := newForm(map[string]string{"title": x.Title, "description": x.Description, "category": x.Category,
			"controls": strings.Join(x.Controls, ", "), "version": strconv.Itoa(x.Version)})
		return a.renderThreatForm(w, r, c, kind, http.StatusOK, f, x)
	}
}

func (a *app) updateThreat(kind isms.ThreatKind) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		tr := c.tr()
		cur, err := a.DB.Threat(ctx, c.Actor, kind, r.PathValue("id"))
		if err != nil {
			return err
		}
		f := postedForm(r).labelled(tr, specLabels(isms.ThreatFields))
		base, err := f.version()
		if err != nil {
			return err
		}
		x := threatFromForm(kind, f)
		x.ID = cur.ID
		x, err = a.DB.UpdateThreat(ctx, c.Actor, x, base)
		if err != nil {
			if status, ok := f.take(tr, err, nil); ok {
				return a.renderThreatForm(w, r, c, kind, status, f, cur)
			}
			return err
		}
		a.flash(r, tr.T("web.threats.saved", x.Ref))
		return redirect(w, r, orgPath(c.Org.Slug, kindPath(kind)+"/"+x.ID))
	}
}

func (a *app) setThreatArchived(kind isms.ThreatKind, archive bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		return a.setArchivedRecord(w, r, c, archiver{
			require: requireWrite,
			set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
				x, err := a.DB.ArchiveThreat(ctx, ac, kind, id, base, archive)
				return x.Ref, x.ID, err
			},
			show: func(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
				return a.showThreat(w, r, c, kind, id, status, notice)
			},
			path: kindPath(kind), restored: "web.reg.restored", archived: "web.reg.archived",
		}, archive)
	}
}
