package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
)

// The asset register's pages: list, detail with dependencies in both
// directions, form, XLSX export and the import with its dry run.

var assetListSpec = &listSpec{
	sorts:   []string{"name", "ref", "type", "state", "location", "updated_at"},
	filters: []string{"type", "classification", "state", "owner_id"},
}

func typeOptions(tr i18n.Translator, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, t := range isms.AssetTypes {
		out = append(out, option{string(t), tr.T("asset_type." + string(t))})
	}
	return out
}

func classificationOptions(tr i18n.Translator, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, c := range isms.Classifications {
		out = append(out, option{string(c), tr.T("classification." + string(c))})
	}
	return out
}

func stateOptions(tr i18n.Translator, first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, s := range isms.AssetStates {
		out = append(out, option{string(s), tr.T("asset_state." + string(s))})
	}
	return out
}

// assetRow is an asset as the list and detail pages show it.
type assetRow struct {
	isms.Asset
	TypeText, ClassText, StateText, ClassPill string
	Custodian                                 string
	Levels                                    []levelCell
}

// levelCell is one of the confidentiality, integrity and availability
// requirements with its letter, number and label.
type levelCell struct {
	Letter, Label, Name string
	Value               int
}

func classPill(c isms.Classification) string {
	switch c {
	case isms.ClassRestricted:
		return "pill-danger"
	case isms.ClassConfidential:
		return "pill-warning"
	case isms.ClassPublic:
		return "pill-muted"
	}
	return "pill-neutral"
}

func assetRowOf(tr i18n.Translator, x isms.Asset, scale []string) assetRow {
	row := assetRow{Asset: x, TypeText: optional(tr, "asset_type."+string(x.Type), string(x.Type)),
		ClassText: optional(tr, "classification."+string(x.Classification), string(x.Classification)),
		StateText: optional(tr, "asset_state."+string(x.State), string(x.State)), ClassPill: classPill(x.Classification),
		Custodian: x.CustodianName}
	if row.Custodian == "" {
		row.Custodian = x.CustodianText
	}
	for _, l := range []struct {
		letter, label string
		v             int
	}{{"web.assets.c", "asset.confidentiality", x.Confidentiality}, {"web.assets.i", "asset.integrity", x.Integrity}, {"web.assets.a", "asset.availability", x.Availability}} {
		cell := levelCell{Letter: tr.T(l.letter), Label: tr.T(l.label), Value: l.v}
		if l.v > 0 && l.v <= len(scale) {
			cell.Name = scale[l.v-1]
		}
		row.Levels = append(row.Levels, cell)
	}
	return row
}

// assetListRow is one line of the asset list with its link and texts
// made ready, so the template only places them. Its fields are its own,
// not embedded: templates find an embedded field by a slow search on
// every use.
type assetListRow struct {
	Ref, Name, URL   string
	Archived         bool
	Type, Owner      string
	Class, ClassPill string
	Levels           [3]levelTag
	State            string
	DependsOn        string // references, comma-separated
}

// levelTag is a requirement level as the list abbreviates it: the letter,
// its title (the requirement and the level's name) and the value, or a
// dash when not assessed.
type levelTag struct{ Letter, Title, Value string }

// labelCache translates the values of one kind (asset types, action
// statuses …) once per page, however many rows show them.
type labelCache struct {
	tr     i18n.Translator
	prefix string
	m      map[string]string
}

func newLabelCache(tr i18n.Translator, prefix string) *labelCache {
	return &labelCache{tr: tr, prefix: prefix, m: map[string]string{}}
}

// get is the translation of prefix+v, or v itself when there is none.
func (c *labelCache) get(v string) string {
	s, ok := c.m[v]
	if !ok {
		s = optional(c.tr, c.prefix+v, v)
		c.m[v] = s
	}
	return s
}

// assetListText holds what every row of the asset list shares, looked up
// once per page.
type assetListText struct {
	base                  string
	types, classes, state *labelCache
	letters, labels       [3]string
	scale                 []string
}

func newAssetListText(tr i18n.Translator, slug string, scale []string) *assetListText {
	return &assetListText{base: orgPath(slug, "/assets/"), types: newLabelCache(tr, "asset_type."),
		classes: newLabelCache(tr, "classification."), state: newLabelCache(tr, "asset_state."),
		letters: [3]string{tr.T("web.assets.c"), tr.T("web.assets.i"), tr.T("web.assets.a")},
		labels:  [3]string{tr.T("asset.confidentiality"), tr.T("asset.integrity"), tr.T("asset.availability")},
		scale:   scale}
}

// row is the list line of asset x.
func (t *assetListText) row(x isms.Asset) assetListRow {
	row := assetListRow{Ref: x.Ref, Name: x.Name, URL: t.base + x.ID, Archived: x.Archived(),
		Type: t.types.get(string(x.Type)), Owner: x.OwnerName,
		Class: t.classes.get(string(x.Classification)), ClassPill: classPill(x.Classification),
		State: t.state.get(string(x.State)), DependsOn: strings.Join(x.DependsOn, ", ")}
	for i, v := range [3]int{x.Confidentiality, x.Integrity, x.Availability} {
		tag := levelTag{Letter: t.letters[i], Title: t.labels[i], Value: "–"}
		if v != 0 {
			tag.Value = strconv.Itoa(v)
		}
		if v > 0 && v <= len(t.scale) && t.scale[v-1] != "" {
			tag.Title += ": " + t.scale[v-1]
		}
		row.Levels[i] = tag
	}
	return row
}

type assetList struct {
	listPage
	Rows           []assetListRow
	Body           template.HTML // the table's rows
	Types          []option
	Classes        []option
	States         []option
	Owners         []option
	CanWrite       bool
	ExportURL      string
	ImportURL      string
	TemplateURL    string
	ScaleFromRisks bool

	// The row texts every page shares.
	ArchivedPill, NoOwner, None string
}

// rows writes the asset table's rows.
func (d *assetList) rows() template.HTML {
	m := newMarkup(len(d.Rows))
	for _, r := range d.Rows {
		m.recordCells(r.URL, r.Ref, r.Name, "wrap", pillIf(r.Archived, "pill-muted", d.ArchivedPill))
		m.cell("", r.Type)
		m.raw("<td>")
		if r.Owner != "" {
			m.text(r.Owner)
		} else {
			m.mutedText(d.NoOwner)
		}
		m.raw("</td><td>")
		m.pill(r.ClassPill, r.Class)
		m.raw(`</td><td class="nowrap">`)
		for _, l := range r.Levels {
			m.raw("<abbr")
			m.attr("title", l.Title)
			m.raw(">")
			m.text(l.Letter)
			m.raw("</abbr> ")
			m.text(l.Value)
			m.raw(" ")
		}
		m.raw("</td>")
		m.cell("", r.State)
		m.raw(`<td class="mono small">`)
		if r.DependsOn != "" {
			m.text(r.DependsOn)
		} else {
			m.none(d.None)
		}
		m.raw("</td></tr>")
	}
	return m.html()
}

// assetList shows the asset register with search, filters, sorting and
// paging.
func (a *app) assetList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	tr := c.tr()
	p := parseList(assetListSpec, orgPath(c.Org.Slug, "/assets"), r.URL.Query())
	q := p.query()
	q.Brief = true
	page, err := a.DB.Assets(ctx, c.Actor, q)
	if err != nil {
		return err
	}
	scale, err := a.DB.AssetScale(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &assetList{Types: typeOptions(tr, tr.T("web.assets.any_type")), Classes: classificationOptions(tr, tr.T("web.assets.any_class")),
		States: stateOptions(tr, tr.T("web.assets.any_state")), CanWrite: c.Actor.Can(isms.PermWriteRegisters), ScaleFromRisks: scale != nil}
	names := map[string]string{}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		names = memberNames(ms)
		d.Owners = append(memberOptions(ms, tr.T("web.assets.any_owner")), option{"-", tr.T("web.assets.no_owner")})
	}
	label := func(name, v string) string {
		switch name {
		case "type":
			return tr.T("web.assets.chip_type", optional(tr, "asset_type."+v, v))
		case "classification":
			return tr.T("web.assets.chip_class", optional(tr, "classification."+v, v))
		case "state":
			return tr.T("web.assets.chip_state", optional(tr, "asset_state."+v, v))
		case "owner_id":
			if v == "-" {
				return tr.T("web.assets.no_owner")
			}
			return tr.T("web.assets.chip_owner", orDefault(names[v], v))
		}
		return v
	}
	cols := []column{{"ref", "field.ref", false}, {"name", "asset.name", false}, {"type", "asset.type", false},
		{"", "asset.owner", false}, {"", "asset.classification", false}, {"", "web.assets.cia", false},
		{"state", "asset.state", false}, {"", "asset.depends_on", false}}
	d.listPage = p.page(tr, cols, page.Total, len(page.Items), page.PrevCursor, page.NextCursor, label)
	text := newAssetListText(tr, c.Org.Slug, scale)
	d.Rows = make([]assetListRow, len(page.Items))
	for i, x := range page.Items {
		d.Rows[i] = text.row(x)
	}
	d.ArchivedPill, d.NoOwner, d.None = tr.T("web.reg.archived_pill"), tr.T("web.assets.no_owner"), tr.T("web.none")
	d.Body = d.rows()
	exp := p
	exp.Cursor = ""
	d.ExportURL = withQuery(orgPath(c.Org.Slug, "/assets/export.xlsx"), exp.values())
	d.ImportURL = orgPath(c.Org.Slug, "/assets/import")
	d.TemplateURL = orgPath(c.Org.Slug, "/assets/import/template.xlsx")
	v := a.view(c, tr.T("web.assets.title"), crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")})
	v.Nav = "assets"
	v.Data = d
	return a.render(w, r, http.StatusOK, "asset_list", v)
}

type assetPage struct {
	Row       assetRow
	NewAction string
	// The related records' list items (assetRelatedItems).
	DependsOn, UsedBy, Actions, Risks template.HTML
	History                           []historyView
	CanWrite                          bool
	Notice                            string
}

// assetRelatedItems writes the <li> items of an asset's related lists: the
// assets it depends on and those that depend on it, its actions and the
// risks linked to it, each linked by reference and title, or the list's
// empty state. Written in Go for the reason the register tables' rows are
// (see markup): each item ran half a dozen values through html/template's
// escapers, a sixth of the page.
func assetRelatedItems(tr i18n.Translator, slug string, dependsOn, usedBy []isms.Asset, actions []actionRow, links []isms.Link) (d, u, ac, r template.HTML) {
	const sep = "\n        " // between items, as the page's markup is indented
	assets := newURLPrefix(orgPath(slug, "/assets/"))
	item := func(m *markup, p urlPrefix, id, ref, title string) {
		m.raw("<li>")
		m.recordLinks(p, id, ref, title)
	}
	list := func(n int, empty string, each func(m *markup, i int)) template.HTML {
		m := &markup{}
		m.b.Grow(n * 200)
		for i := range n {
			each(m, i)
			m.raw("</li>" + sep)
		}
		if n == 0 {
			m.emptyItem(tr.T(empty))
		}
		return m.html()
	}
	d = list(len(dependsOn), "web.assets.no_dependencies", func(m *markup, i int) {
		x := &dependsOn[i]
		item(m, assets, x.ID, x.Ref, x.Name)
		if x.Archived() {
			m.raw(" ")
			m.pill("pill-muted", tr.T("web.reg.archived_pill"))
		}
	})
	u = list(len(usedBy), "web.assets.no_users", func(m *markup, i int) {
		item(m, assets, usedBy[i].ID, usedBy[i].Ref, usedBy[i].Name)
	})
	actionURL := newURLPrefix(orgPath(slug, "/actions/"))
	ac = list(len(actions), "web.assets.no_actions", func(m *markup, i int) {
		x := &actions[i]
		item(m, actionURL, x.ID, x.Ref, x.Title)
		m.raw(" ")
		if x.IsOverdue {
			m.raw(`<span class="overdue">` + overdueIcon + " ")
			m.text(tr.T("web.actions.overdue"))
			m.raw("</span>")
		} else {
			m.pill(x.StatusPill, x.StatusText)
		}
	})
	riskURL := newURLPrefix(orgPath(slug, "/risks/"))
	r = list(len(links), "web.assets.no_risks", func(m *markup, i int) {
		item(m, riskURL, links[i].FromID, links[i].OtherRef, links[i].OtherTitle)
	})
	return d, u, ac, r
}

func (a *app) assetPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.showAsset(w, r, c, r.PathValue("id"), http.StatusOK, "")
}

func (a *app) showAsset(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, status int, notice string) error {
	ctx := r.Context()
	tr := c.tr()
	p, err := a.DB.AssetPage(ctx, c.Actor, id)
	if err != nil {
		return err
	}
	x := p.Asset
	scale, err := a.DB.AssetScale(ctx, c.Actor)
	if err != nil {
		return err
	}
	d := &assetPage{Row: assetRowOf(tr, x, scale), CanWrite: c.Actor.Can(isms.PermWriteRegisters), Notice: notice}
	var risks []isms.Link
	for _, l := range p.Links {
		if l.FromType == "risk" {
			risks = append(risks, l)
		}
	}
	today := zoneToday(c.Org)
	actions := make([]actionRow, 0, len(p.Actions))
	for _, ac := range p.Actions {
		actions = append(actions, actionRowOf(tr, c.Org.Slug, today, ac))
	}
	d.DependsOn, d.UsedBy, d.Actions, d.Risks = assetRelatedItems(tr, c.Org.Slug, p.DependsOn, p.UsedBy, actions, risks)
	if c.Actor.Can(isms.PermWriteOwned) {
		d.NewAction = orgPath(c.Org.Slug, "/actions/new?serves_type=asset&serves_id="+x.ID)
	}
	hist := p.History
	users := map[string]string{}
	if c.Actor.Can(isms.PermReadMembers) {
		ms, err := a.DB.Members(ctx, c.Actor)
		if err != nil {
			return err
		}
		users = memberNames(ms)
	}
	d.History = recordHistory(tr, c.Org, hist, users, assetValue(tr, users))
	v := a.view(c, x.Name, crumb{tr.T("web.nav.area.6"), orgPath(c.Org.Slug, "/areas/6")}, crumb{tr.T("web.assets.title"), orgPath(c.Org.Slug, "/assets")})
	v.Nav = "assets"
	v.Data = d
	return a.render(w, r, status, "asset", v)
}

// assetValue shows a stored asset field to a reader.
func assetValue(tr i18n.Translator, users map[string]string) func(field, v string) string {
	return func(field, v string) string {
		if v == "" {
			return ""
		}
		switch field {
		case "owner_id", "custodian_id":
			return orDefault(users[v], v)
		case "type":
			return optional(tr, "asset_type."+v, v)
		case "classification":
			return optional(tr, "classification."+v, v)
		case "state":
			return optional(tr, "asset_state."+v, v)
		case "archived":
			if v == "true" {
				return tr.T("web.yes")
			}
			return tr.T("web.no")
		}
		return v
	}
}

type assetForm struct {
	Form        *form
	Asset       isms.Asset
	Editing     bool
	Types       []option
	Classes     []option
	States      []option
	Members     []option
	Custodians  []option
	Levels      []option
	FormAction  string
	CancelURL   string
	ScaleHint   string
	AssetRefs   dataList
	ScaleLabels []string
}

func assetValues(x isms.Asset) map[string]string {
	lv := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	return map[string]string{
		"name": x.Name, "description": x.Description, "type": string(x.Type), "owner_id": x.OwnerID,
		"custodian_id": x.CustodianID, "custodian_text": x.CustodianText, "location": x.Location,
		"classification": string(x.Classification), "confidentiality": lv(x.Confidentiality), "integrity": lv(x.Integrity),
		"availability": lv(x.Availability), "state": string(x.State), "depends_on": strings.Join(x.DependsOn, ", "),
	}
}

// assetFromForm reads a submitted asset; a level that is not a number is
// recorded on f.
func assetFromForm(tr i18n.Translator, f *form) isms.Asset {
	lv := func(name string) int {
		s := strings.TrimSpace(f.Value(name))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			f.addError(name, tr.T("validation.whole_number"))
			return 0
		}
		return n
	}
	return isms.Asset{
		Name: f.Value("name"), Description: f.Value("description"), Type: isms.AssetType(f.Value("type")),
		OwnerID: f.Value("owner_id"), CustodianID: f.Value("custodian_id"), CustodianText: f.Value("custodian_text"),
		Location: f.Value("location"), Classification: isms.Classification(f.Value("classification")),
		Confidentiality: lv("confidentiality"), Integrity: lv("integrity"), Availability: lv("availability"),
		State: isms.AssetState(f.Value("state")), DependsOn: isms.SplitList(f.Value("depends_on")),
	}
}

func (a *app) renderAssetForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form, self isms.Asset) error {
	ctx := r.Context()
	tr := c.tr()
	af := &assetForm{Form: f, Asset: self, Editing: self.ID != "", Types: typeOptions(tr, tr.T("web.assets.choose_type")),
		Classes: classificationOptions(tr, ""), States: stateOptions(tr, "")}
	af.FormAction, af.CancelURL = orgPath(c.Org.Slug, "/assets/new"), orgPath(c.Org.Slug, "/assets")
	if af.Editing {
		af.FormAction = orgPath(c.Org.Slug, "/assets/"+self.ID+"/edit")
		af.CancelURL = orgPath(c.Org.Slug, "/assets/"+self.ID)
	}
	ms, err := a.DB.Members(ctx, c.Actor)
	if err != nil {
		return err
	}
	af.Members = memberOptions(ms, tr.T("web.assets.no_owner"))
	af.Custodians = memberOptions(ms, tr.T("web.assets.custodian_outside"))
	scale, err := a.DB.AssetScale(ctx, c.Actor)
	if err != nil {
		return err
	}
	af.Levels = []option{{"", tr.T("web.assets.not_assessed")}}
	n := len(scale)
	if n == 0 {
		n = isms.DefaultScale
		af.ScaleHint = tr.T("web.assets.scale_default", n)
	} else {
		af.ScaleHint = tr.T("web.assets.scale_criteria", n)
	}
	for i := 1; i <= n; i++ {
		label := strconv.Itoa(i)
		if i <= len(scale) {
			label += " – " + scale[i-1]
		}
		af.Levels = append(af.Levels, option{strconv.Itoa(i), label})
	}
	refs, err := a.DB.Assets(ctx, c.Actor, isms.ListQuery{Limit: isms.MaxLimit, Sort: "ref"})
	if err != nil {
		return err
	}
	af.AssetRefs.ID = "asset-refs"
	for _, x := range refs.Items {
		if x.ID != self.ID {
			af.AssetRefs.Options = append(af.AssetRefs.Options, option{x.Ref, x.Name})
		}
	}
	title := tr.T("web.assets.new_title")
	crumbs := []crumb{{tr.T("web.assets.title"), orgPath(c.Org.Slug, "/assets")}}
	if af.Editing {
		title = tr.T("web.assets.edit_title", self.Name)
		crumbs = append(crumbs, crumb{self.Name, orgPath(c.Org.Slug, "/assets/"+self.ID)})
	}
	v := a.view(c, title, crumbs...)
	v.Nav = "assets"
	v.Data = af
	return a.render(w, r, status, "asset_form", v)
}

func (a *app) newAssetPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderAssetForm(w, r, c, http.StatusOK, newForm(map[string]string{"classification": string(isms.ClassInternal), "state": string(isms.AssetInUse)}), isms.Asset{})
}

func (a *app) createAsset(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.AssetFields))
	x := assetFromForm(tr, f)
	if f.Invalid() {
		return a.renderAssetForm(w, r, c, http.StatusUnprocessableEntity, f, isms.Asset{})
	}
	x, err := a.DB.CreateAsset(r.Context(), c.Actor, x)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderAssetForm(w, r, c, status, f, isms.Asset{})
		}
		return err
	}
	a.flash(r, tr.T("web.assets.created", x.Name))
	return redirect(w, r, orgPath(c.Org.Slug, "/assets/"+x.ID))
}

func (a *app) editAssetPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	x, err := a.DB.Asset(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := newForm(assetValues(x))
	f.Set("version", strconv.Itoa(x.Version))
	return a.renderAssetForm(w, r, c, http.StatusOK, f, x)
}

func (a *app) updateAsset(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	tr := c.tr()
	cur, err := a.DB.Asset(ctx, c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postedForm(r).labelled(tr, specLabels(isms.AssetFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	x := assetFromForm(tr, f)
	if f.Invalid() {
		return a.renderAssetForm(w, r, c, http.StatusUnprocessableEntity, f, cur)
	}
	x.ID = cur.ID
	x, err = a.DB.UpdateAsset(ctx, c.Actor, x, base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderAssetForm(w, r, c, status, f, cur)
		}
		return err
	}
	a.flash(r, tr.T("web.assets.saved", x.Name))
	return redirect(w, r, orgPath(c.Org.Slug, "/assets/"+x.ID))
}

func (a *app) archiveAsset(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setAssetArchived(w, r, c, true)
}

func (a *app) restoreAsset(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return a.setAssetArchived(w, r, c, false)
}

func (a *app) setAssetArchived(w http.ResponseWriter, r *http.Request, c *reqCtx, archive bool) error {
	return a.setArchivedRecord(w, r, c, archiver{
		require: requireWrite,
		set: func(ctx context.Context, ac isms.Actor, id string, base int, archive bool) (string, string, error) {
			x, err := a.DB.ArchiveAsset(ctx, ac, id, base, archive)
			return x.Ref, x.ID, err
		},
		show: a.showAsset, path: "/assets", restored: "web.reg.restored", archived: "web.reg.archived",
	}, archive)
}

// exportAssets sends the assets matching the list's filters as a workbook
// in the columns the import reads back.
func (a *app) exportAssets(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	q := parseList(assetListSpec, "", r.URL.Query()).query()
	q.Cursor, q.Limit = "", isms.MaxLimit
	var list []isms.Asset
	for {
		page, err := a.DB.Assets(ctx, c.Actor, q)
		if err != nil {
			return err
		}
		list = append(list, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	now := time.Now()
	var buf bytes.Buffer
	if err := report.AssetsXLSX(&buf, c.Org, list, report.Info{Version: a.Version, ExportedAt: now}); err != nil {
		return isms.Internal(err)
	}
	return sendXLSX(w, &buf, fmt.Sprintf("%s-assets-%s.xlsx", c.Org.Slug, now.In(c.Org.Location()).Format(isms.DateLayout)))
}

func sendXLSX(w http.ResponseWriter, buf *bytes.Buffer, name string) error {
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}

// assetTemplate sends the empty import workbook with its guide.
func (a *app) assetTemplate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.AssetImportTemplate(&buf, c.Org); err != nil {
		return isms.Internal(err)
	}
	return sendXLSX(w, &buf, "holdfast-assets-import-template.xlsx")
}

// importColumn documents one import column on the import page.
type importColumn struct{ Key, Label, Hint string }

type importRowView struct {
	Line     int
	Ref      string
	Name     string
	Action   string
	Problems []formError
}

// importView is what every register's import page shows between its
// header and its column guide (templates/imports.html).
type importView struct {
	Action    string
	FileError []string
	Report    *isms.AssetImportReport
	Rows      []importRowView
	Problems  int
	Data      string // the checked file, base64, for the commit
	FileName  string
	ShowAll   bool
	CleanKey  string // message for a clean dry run: created, updated, unchanged
	ListPath  string // the register, where Cancel returns
	NameLabel string // label of the rows' name column
}

type assetImportPage struct {
	importView
	Columns     []importColumn
	TemplateURL string
}

func (a *app) assetImportPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	return a.renderAssetImport(w, r, c, http.StatusOK, &assetImportPage{})
}

func (a *app) renderAssetImport(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, d *assetImportPage) error {
	tr := c.tr()
	for _, col := range report.AssetColumns {
		d.Columns = append(d.Columns, importColumn{Key: col.Key, Label: tr.T(col.Label), Hint: tr.T(col.Hint)})
	}
	d.TemplateURL = orgPath(c.Org.Slug, "/assets/import/template.xlsx")
	d.Action = orgPath(c.Org.Slug, "/assets/import")
	d.CleanKey, d.ListPath, d.NameLabel = "web.assets.import_clean", "/assets", "asset.name"
	v := a.view(c, tr.T("web.assets.import_title"), crumb{tr.T("web.assets.title"), orgPath(c.Org.Slug, "/assets")})
	v.Nav = "assets"
	v.Data = d
	return a.render(w, r, status, "asset_import", v)
}

// maxImportForm bounds what an import upload may carry in memory.
const maxImportForm = 10 << 20

// importAsset checks an uploaded file (a dry run) and shows the report; a
// clean report offers to import. The confirming form posts the same file
// back (commit=yes), which is checked again and imported all or nothing.
func (a *app) importAssets(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := c.Actor.Require(isms.PermWriteRegisters); err != nil {
		return err
	}
	tr := c.tr()
	d := &assetImportPage{}
	var data []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxImportForm); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return isms.Errorf(isms.KindTooLarge, "error.too_large")
			}
			return isms.Errorf(isms.KindInvalid, "error.invalid")
		}
		if file, hdr, err := r.FormFile("file"); err == nil {
			defer file.Close()
			d.FileName = hdr.Filename
			if data, err = io.ReadAll(io.LimitReader(file, report.MaxImportBytes+1)); err != nil {
				return isms.Errorf(isms.KindInvalid, "error.invalid")
			}
		}
	} else if err := parseForm(r); err != nil {
		return err
	}
	commit := r.FormValue("commit") == "yes"
	if s := r.FormValue("data"); s != "" && data == nil {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return isms.Errorf(isms.KindInvalid, "error.invalid")
		}
		data, d.FileName = b, r.FormValue("file_name")
	}
	if len(data) == 0 {
		d.FileError = []string{tr.T("web.assets.import_no_file")}
		return a.renderAssetImport(w, r, c, http.StatusUnprocessableEntity, d)
	}
	rows, err := report.ParseAssets(data)
	if err != nil {
		var ie *report.ImportError
		if !errors.As(err, &ie) {
			return err
		}
		for _, m := range ie.Problems {
			d.FileError = append(d.FileError, tr.Msg(m))
		}
		return a.renderAssetImport(w, r, c, http.StatusUnprocessableEntity, d)
	}
	rep, err := a.DB.ImportAssets(r.Context(), c.Actor, rows, !commit)
	if err != nil {
		if isms.ErrorKind(err) == isms.KindInvalid {
			d.FileError = []string{tr.Error(err)}
			for _, fe := range isms.AsError(err).Fields {
				d.FileError = append(d.FileError, tr.Msg(fe.Msg))
			}
			return a.renderAssetImport(w, r, c, http.StatusUnprocessableEntity, d)
		}
		return err
	}
	if rep.Applied {
		a.flash(r, tr.T("web.assets.imported", rep.Created, rep.Updated, rep.Unchanged))
		return redirect(w, r, orgPath(c.Org.Slug, "/assets"))
	}
	d.Report, d.Problems = &rep, rep.ProblemRows()
	d.ShowAll = len(rep.Rows) <= 200
	for _, row := range rep.Rows {
		if len(row.Problems) == 0 && !d.ShowAll {
			continue
		}
		rv := importRowView{Line: row.Line, Ref: row.Ref, Name: row.Name, Action: tr.T("web.assets.import_action." + row.Action)}
		for _, p := range row.Problems {
			rv.Problems = append(rv.Problems, formError{ID: p.Field, Label: report.ColumnLabel(p.Field), Message: tr.Msg(p.Msg)})
		}
		d.Rows = append(d.Rows, rv)
	}
	status := http.StatusOK
	if d.Problems > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		d.Data = base64.RawURLEncoding.EncodeToString(data)
	}
	return a.renderAssetImport(w, r, c, status, d)
}
