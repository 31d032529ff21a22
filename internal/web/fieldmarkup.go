package web

import (
	"fmt"
	"html/template"
	"strconv"

	"github.com/holdfast-isms/holdfast/internal/i18n"
)

// fieldHTML writes a form field as the label, input, select and textarea
// partials of forms.html show it: label with its hint and error, then the
// control. A form's partials were each some twenty reflective calls of
// html/template (every value through its escaper); a risk's page holds
// seven fields in its inline forms, a fifth of the page. Written in Go, a
// field is one call.
func fieldHTML(tr i18n.Translator, kind string, fv fieldView) (template.HTML, error) {
	m := &markup{}
	m.b.Grow(512 + len(fv.Value) + 48*len(fv.Options))
	if kind == "label" {
		fieldLabel(m, tr, &fv)
		return m.html(), nil
	}
	m.raw(`<div class="field`)
	if fv.Error != "" {
		m.raw(" field-error")
	}
	m.raw("\">\n")
	fieldLabel(m, tr, &fv)
	m.raw("\n")
	switch kind {
	case "input":
		m.raw("<input")
		m.attr("id", fv.ID)
		m.attr("name", fv.Name)
		m.attr("type", fv.Type)
		m.attr("value", fv.Value)
		fieldAttrs(m, &fv, true)
		m.raw(">\n")
	case "select":
		m.raw("<select")
		m.attr("id", fv.ID)
		m.attr("name", fv.Name)
		fieldAttrs(m, &fv, false)
		m.raw(">\n")
		m.raw(string(optionsHTML(fv.Options, fv.Value)))
		m.raw("</select>\n")
	case "textarea":
		m.raw("<textarea")
		m.attr("id", fv.ID)
		m.attr("name", fv.Name)
		rows := fv.Rows
		if rows == 0 {
			rows = 4
		}
		m.attr("rows", strconv.Itoa(rows))
		fieldAttrs(m, &fv, false)
		m.raw(">")
		m.text(fv.Value)
		m.raw("</textarea>\n")
	default:
		return "", fmt.Errorf("fieldMarkup: no field of kind %q", kind)
	}
	m.raw("</div>")
	return m.html(), nil
}

// fieldLabel writes the label, its hint and its error message.
func fieldLabel(m *markup, tr i18n.Translator, fv *fieldView) {
	m.raw("<label")
	m.attr("for", fv.ID)
	m.raw(">")
	m.text(fv.Label)
	if fv.Required {
		m.raw(` <span class="req" aria-hidden="true">*</span>`)
	}
	m.raw("</label>\n")
	if fv.Hint != "" {
		m.raw(`<span class="hint"`)
		m.attr("id", fv.ID+"-hint")
		m.raw(">")
		m.text(fv.Hint)
		m.raw("</span>")
	}
	m.raw("\n")
	if fv.Error != "" {
		m.raw(`<span class="error-message"`)
		m.attr("id", fv.ID+"-error")
		m.raw(`><span class="visually-hidden">`)
		m.text(tr.T("web.form.error_prefix"))
		m.raw("</span> ")
		m.text(fv.Error)
		m.raw("</span>")
	}
}

// fieldAttrs writes the optional attributes of a control in the partials'
// order: class, then for an input autocomplete, list and inputmode, then
// the states (readonly only for an input).
func fieldAttrs(m *markup, fv *fieldView, input bool) {
	opt := func(name, value string) {
		if value != "" {
			m.attr(name, value)
		}
	}
	opt("class", fv.Class)
	if input {
		opt("autocomplete", fv.Autocomplete)
		opt("list", fv.List)
		opt("inputmode", fv.Inputmode)
	}
	if fv.Required {
		m.raw(" required")
	}
	if input && fv.Readonly {
		m.raw(" readonly")
	}
	if fv.Error != "" {
		m.raw(` aria-invalid="true"`)
	}
	if d := fv.Describedby(); d != "" {
		m.attr("aria-describedby", d)
	}
}
