package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// form is a submitted (or initial) form: the values to show back, the
// problems per field in the order they were found, and a message for the
// top of the form (a conflict, a sign-in failure).
type form struct {
	values map[string]string
	errs   map[string]string
	order  []formError
	labels map[string]string // field id → label, for the error summary
	Notice string
}

// formError is one problem, as listed in the error summary: the field's
// label (when known) and the message.
type formError struct{ ID, Label, Message string }

// newForm returns a form showing values.
func newForm(values map[string]string) *form {
	if values == nil {
		values = map[string]string{}
	}
	return &form{values: values, errs: map[string]string{}}
}

// postedForm returns the parsed POST body as a form.
func postedForm(r *http.Request) *form {
	f := newForm(nil)
	for k, v := range r.PostForm {
		if len(v) > 0 {
			f.values[k] = v[0]
		}
	}
	return f
}

// Value is the value of field name.
func (f *form) Value(name string) string { return f.values[name] }

// has reports whether field name was submitted.
func (f *form) has(name string) bool { _, ok := f.values[name]; return ok }

// Set changes the value shown for field name.
func (f *form) Set(name, v string) { f.values[name] = v }

// Error is the problem with field name, if any.
func (f *form) Error(name string) string { return f.errs[name] }

// Errors lists the problems for the error summary.
func (f *form) Errors() []formError { return f.order }

// Invalid reports whether the form has any problem.
func (f *form) Invalid() bool { return len(f.order) > 0 || f.Notice != "" }

// labelled names the form's fields (id → catalogue key of the label), so
// that the error summary says which field each problem is about.
func (f *form) labelled(tr i18n.Translator, keys map[string]string) *form {
	f.labels = make(map[string]string, len(keys))
	for id, k := range keys {
		f.labels[id] = tr.T(k)
	}
	return f
}

// specLabels maps a register's field names to their label keys.
func specLabels(specs []isms.FieldSpec) map[string]string {
	m := make(map[string]string, len(specs))
	for _, s := range specs {
		m[s.Name] = s.Label
	}
	return m
}

// addError records a problem with field id (the first one per field wins).
func (f *form) addError(id, msg string) {
	if _, dup := f.errs[id]; dup {
		return
	}
	f.errs[id] = msg
	f.order = append(f.order, formError{ID: id, Label: f.labels[id], Message: msg})
}

// dropError forgets the problem with field id.
func (f *form) dropError(id string) {
	if _, ok := f.errs[id]; !ok {
		return
	}
	delete(f.errs, id)
	for i, e := range f.order {
		if e.ID == id {
			f.order = append(f.order[:i], f.order[i+1:]...)
			break
		}
	}
}

// take records a domain error on the form and returns the status to
// re-render it with. It returns false for errors that are not the user's to
// fix on this form (forbidden, not found, internal), which the caller
// returns instead. rename maps domain field names to form field ids where
// they differ.
func (f *form) take(tr i18n.Translator, err error, rename map[string]string) (int, bool) {
	e := isms.AsError(err)
	switch e.Kind {
	case isms.KindInvalid:
		for _, fe := range e.Fields {
			id := fe.Field
			if r, ok := rename[id]; ok {
				id = r
			}
			f.addError(id, tr.Msg(fe.Msg))
		}
		if len(e.Fields) == 0 {
			f.Notice = tr.Msg(e.Msg)
		}
		return http.StatusUnprocessableEntity, true
	case isms.KindConflict:
		f.Notice = tr.Error(err)
		return http.StatusConflict, true
	}
	return 0, false
}

// version reads the hidden version field an update is based on.
func (f *form) version() (int, error) {
	n, err := strconv.Atoi(f.Value("version"))
	if err != nil || n < 1 {
		return 0, isms.Invalid("version", "validation.version")
	}
	return n, nil
}

// option is one choice of a select or datalist.
type option struct{ Value, Label string }

// fieldView is what the input, select and textarea partials render: label
// above the control, hint, error message, and the value kept from the
// submission.
type fieldView struct {
	ID, Name, Label, Hint, Type, Value, Error string
	Autocomplete, List, Class, Inputmode      string
	Required, Readonly                        bool
	Rows                                      int
	Options                                   []option
}

// Describedby lists the ids of the hint and error for aria-describedby.
func (fv fieldView) Describedby() string {
	s := ""
	if fv.Hint != "" {
		s = fv.ID + "-hint"
	}
	if fv.Error != "" {
		if s != "" {
			s += " "
		}
		s += fv.ID + "-error"
	}
	return s
}

// field builds a fieldView for the template function of the same name:
//
//	{{template "input" (field .Data.Form "email" "label" (t "person.email") "type" "email" "required" true)}}
//
// Options come in pairs; see fieldView for the names. Password fields never
// show a value back.
func field(f *form, name string, opts ...any) (fieldView, error) {
	fv := fieldView{ID: name, Name: name, Type: "text"}
	if len(opts)%2 != 0 {
		return fv, fmt.Errorf("field %s: options must come in pairs", name)
	}
	for i := 0; i < len(opts); i += 2 {
		k, _ := opts[i].(string)
		v := opts[i+1]
		var ok bool
		switch k {
		case "label":
			fv.Label, ok = v.(string)
		case "hint":
			fv.Hint, ok = v.(string)
		case "type":
			fv.Type, ok = v.(string)
		case "autocomplete":
			fv.Autocomplete, ok = v.(string)
		case "list":
			fv.List, ok = v.(string)
		case "class":
			fv.Class, ok = v.(string)
		case "inputmode":
			fv.Inputmode, ok = v.(string)
		case "id":
			fv.ID, ok = v.(string)
		case "required":
			fv.Required, ok = v.(bool)
		case "readonly":
			fv.Readonly, ok = v.(bool)
		case "rows":
			fv.Rows, ok = v.(int)
		case "options":
			fv.Options, ok = v.([]option)
		}
		if !ok {
			return fv, fmt.Errorf("field %s: bad option %v=%v", name, k, v)
		}
	}
	if f != nil {
		fv.Value, fv.Error = f.Value(fv.Name), f.Error(fv.ID)
	}
	if fv.Type == "password" {
		fv.Value = ""
	}
	return fv, nil
}
