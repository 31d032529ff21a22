package web

import (
	"html/template"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// refAssetRelated is the asset page's related lists as the template wrote
// them before assetRelatedItems.
const refAssetRelated = `{{define "depends"}}{{range .DependsOn}}<li><a class="ref" href="{{$.Href (printf "/assets/%s" .ID)}}">{{.Ref}}</a> <a href="{{$.Href (printf "/assets/%s" .ID)}}">{{.Name}}</a>{{if .Archived}} <span class="pill pill-muted">{{t "web.reg.archived_pill"}}</span>{{end}}</li>
        {{else}}<li class="muted">{{t "web.assets.no_dependencies"}}</li>{{end}}{{end}}
{{define "used"}}{{range .UsedBy}}<li><a class="ref" href="{{$.Href (printf "/assets/%s" .ID)}}">{{.Ref}}</a> <a href="{{$.Href (printf "/assets/%s" .ID)}}">{{.Name}}</a></li>
        {{else}}<li class="muted">{{t "web.assets.no_users"}}</li>{{end}}{{end}}
{{define "actions"}}{{range .Actions}}<li><a class="ref" href="{{$.Href (printf "/actions/%s" .ID)}}">{{.Ref}}</a> <a href="{{$.Href (printf "/actions/%s" .ID)}}">{{.Title}}</a> {{if .IsOverdue}}<span class="overdue"><svg class="icon" aria-hidden="true" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/><path d="M12 7v6M12 16.5v.5"/></svg> {{t "web.actions.overdue"}}</span>{{else}}<span class="pill {{.StatusPill}}">{{.StatusText}}</span>{{end}}</li>
        {{else}}<li class="muted">{{t "web.assets.no_actions"}}</li>{{end}}{{end}}
{{define "risks"}}{{range .Risks}}<li><a class="ref" href="{{$.Href (printf "/risks/%s" .FromID)}}">{{.OtherRef}}</a> <a href="{{$.Href (printf "/risks/%s" .FromID)}}">{{.OtherTitle}}</a></li>
        {{else}}<li class="muted">{{t "web.assets.no_risks"}}</li>{{end}}{{end}}`

type refAssetData struct {
	Slug      string
	DependsOn []isms.Asset
	UsedBy    []isms.Asset
	Actions   []actionRow
	Risks     []isms.Link
}

func (d refAssetData) Href(p string) string { return orgPath(d.Slug, p) }

// An asset's related lists written in Go are byte for byte what the
// template wrote: items with text and ids that need escaping, an archived
// dependency, overdue and open actions, and every list empty.
func TestAssetRelatedItemsAreWhatTheTemplateWrote(t *testing.T) {
	org := isms.Organisation{Slug: "b&b"}
	tr := translator(org)
	ref := refTemplate(org, refAssetRelated)
	odd := `Tom & "Jerry" <b>'s</b> +1 é`
	archived := time.Now()
	full := refAssetData{Slug: org.Slug,
		DependsOn: []isms.Asset{{Meta: isms.Meta{ID: "a1", Ref: "A-001"}, Name: "Database"},
			{Meta: isms.Meta{ID: "a b\"c'd(e)%zz%41", Ref: odd, ArchivedAt: &archived}, Name: odd}},
		UsedBy: []isms.Asset{{Meta: isms.Meta{ID: "a3", Ref: "A-003"}, Name: "Shop <web>"}},
		Actions: []actionRow{
			{Action: isms.Action{Meta: isms.Meta{ID: "x1", Ref: "AC-1"}, Title: odd}, IsOverdue: true},
			{Action: isms.Action{Meta: isms.Meta{ID: "x2", Ref: "AC-2"}, Title: "Patch"}, StatusPill: "pill-info", StatusText: "In progress & more"},
		},
		Risks: []isms.Link{{FromID: "r1", OtherRef: "R-001", OtherTitle: odd}, {FromID: "javascript:alert(1)", OtherRef: "R-2", OtherTitle: "x"}},
	}
	for name, data := range map[string]refAssetData{"full": full, "empty": {Slug: org.Slug}} {
		d, u, ac, r := assetRelatedItems(tr, data.Slug, data.DependsOn, data.UsedBy, data.Actions, data.Risks)
		for list, got := range map[string]template.HTML{"depends": d, "used": u, "actions": ac, "risks": r} {
			sameAsTemplate(t, name+" "+list, ref, list, data, string(got))
		}
	}
}
