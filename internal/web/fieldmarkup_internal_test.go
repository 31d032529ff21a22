package web

import (
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// refFieldPartials are forms.html's field partials as templates, before
// fieldHTML wrote them.
const refFieldPartials = `{{define "label"}}<label for="{{.ID}}">{{.Label}}{{if .Required}} <span class="req" aria-hidden="true">*</span>{{end}}</label>
{{with .Hint}}<span class="hint" id="{{$.ID}}-hint">{{.}}</span>{{end}}
{{with .Error}}<span class="error-message" id="{{$.ID}}-error"><span class="visually-hidden">{{t "web.form.error_prefix"}}</span> {{.}}</span>{{end}}{{end}}

{{define "input"}}<div class="field{{if .Error}} field-error{{end}}">
{{template "label" .}}
<input id="{{.ID}}" name="{{.Name}}" type="{{.Type}}" value="{{.Value}}"{{with .Class}} class="{{.}}"{{end}}{{with .Autocomplete}} autocomplete="{{.}}"{{end}}{{with .List}} list="{{.}}"{{end}}{{with .Inputmode}} inputmode="{{.}}"{{end}}{{if .Required}} required{{end}}{{if .Readonly}} readonly{{end}}{{if .Error}} aria-invalid="true"{{end}}{{with .Describedby}} aria-describedby="{{.}}"{{end}}>
</div>{{end}}

{{define "select"}}<div class="field{{if .Error}} field-error{{end}}">
{{template "label" .}}
<select id="{{.ID}}" name="{{.Name}}"{{with .Class}} class="{{.}}"{{end}}{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true"{{end}}{{with .Describedby}} aria-describedby="{{.}}"{{end}}>
{{options .Options .Value}}</select>
</div>{{end}}

{{define "textarea"}}<div class="field{{if .Error}} field-error{{end}}">
{{template "label" .}}
<textarea id="{{.ID}}" name="{{.Name}}" rows="{{if .Rows}}{{.Rows}}{{else}}4{{end}}"{{with .Class}} class="{{.}}"{{end}}{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true"{{end}}{{with .Describedby}} aria-describedby="{{.}}"{{end}}>{{.Value}}</textarea>
</div>{{end}}`

// Every field written in Go is byte for byte what its partial wrote, for
// fields with and without hints, errors and each optional attribute, and
// for values that need escaping in an attribute, as text and in a
// textarea.
func TestFieldsAreWhatTheTemplatesWrote(t *testing.T) {
	org := isms.Organisation{}
	tr := translator(org)
	ref := refTemplate(org, refFieldPartials)
	odd := `Tom & "Jerry" <b>'s</b> +1 ` + "\x00 é\n</textarea><script>"
	opts := []option{{"", "Choose"}, {"a&b", "A & B"}, {odd, odd}}
	fields := map[string]fieldView{
		"plain":    {ID: "title", Name: "title", Type: "text", Label: "Title"},
		"required": {ID: "title", Name: "title", Type: "text", Label: "Title", Required: true, Value: "Backup"},
		"hint":     {ID: "due", Name: "due", Type: "date", Label: "Due", Hint: "When it is due"},
		"error":    {ID: "due", Name: "due", Type: "date", Label: "Due", Error: "Enter a date"},
		"hint and error": {ID: "plan-justification", Name: "justification", Type: "text", Label: "Why", Hint: "Say why",
			Error: "Too long", Required: true, Rows: 2, Value: "x", Options: opts},
		"every attribute": {ID: "tz", Name: "time_zone", Type: "text", Label: "Zone", Class: "input-medium", Autocomplete: "off",
			List: "time-zones", Inputmode: "numeric", Required: true, Readonly: true, Rows: 3, Options: opts, Value: "a&b"},
		"odd values": {ID: odd, Name: odd, Type: "text", Label: odd, Hint: odd, Error: odd, Value: odd, Class: odd,
			Autocomplete: odd, List: odd, Inputmode: odd, Options: opts},
		"password": {ID: "pw", Name: "password", Type: "password", Label: "Password", Autocomplete: "current-password"},
	}
	for name, fv := range fields {
		for _, kind := range []string{"label", "input", "select", "textarea"} {
			got, err := fieldHTML(tr, kind, fv)
			if err != nil {
				t.Fatal(err)
			}
			sameAsTemplate(t, name+" "+kind, ref, kind, fv, string(got))
		}
	}
	if _, err := fieldHTML(tr, "checkbox", fieldView{}); err == nil {
		t.Error("an unknown kind of field was written")
	}
}
