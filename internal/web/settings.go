package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

type settingsPage struct {
	Form    *form
	CanEdit bool
}

// settingsPage shows the organisation's profile: a form for owners, the
// values for everyone else.
func (a *app) settingsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f := newForm(orgValues(c.Org))
	f.Set("version", strconv.Itoa(c.Org.Version))
	return a.renderSettings(w, r, c, http.StatusOK, f)
}

func (a *app) renderSettings(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *form) error {
	v := a.view(c, c.tr().T("web.settings.title"))
	v.Nav = "settings"
	v.Data = &settingsPage{Form: f, CanEdit: c.Actor.Can(isms.PermManageOrg)}
	return a.render(w, r, status, "settings", v)
}

// updateSettings saves the profile (owners only; the store checks).
func (a *app) updateSettings(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	tr := c.tr()
	f := postedForm(r).labelled(tr, specLabels(isms.OrgFields))
	base, err := f.version()
	if err != nil {
		return err
	}
	o, err := a.DB.UpdateOrg(r.Context(), c.Actor, orgFromForm(f), base)
	if err != nil {
		if status, ok := f.take(tr, err, nil); ok {
			return a.renderSettings(w, r, c, status, f)
		}
		return err
	}
	a.flash(r, tr.T("web.settings.saved"))
	return redirect(w, r, orgPath(o.Slug, "/settings"))
}

// orgFromForm reads the organisation profile fields.
func orgFromForm(f *form) isms.Organisation {
	return isms.Organisation{
		Name: f.Value("name"), Slug: f.Value("slug"), SizeBand: isms.SizeBand(f.Value("size_band")),
		Sector: f.Value("sector"), Countries: f.Value("countries"), Sites: f.Value("sites"),
		TimeZone: f.Value("time_zone"), DateFormat: f.Value("date_format"),
	}
}

// orgValues are the profile's form values.
func orgValues(o isms.Organisation) map[string]string {
	return map[string]string{
		"name": o.Name, "slug": o.Slug, "size_band": string(o.SizeBand), "sector": o.Sector,
		"countries": o.Countries, "sites": o.Sites, "time_zone": o.TimeZone, "date_format": o.DateFormat,
	}
}

// sizeOptions lists the size bands for a select.
func sizeOptions(tr i18n.Translator) []option {
	var out []option
	for _, b := range isms.SizeBands {
		out = append(out, option{string(b), tr.T("size." + string(b))})
	}
	return out
}

// dateFormatOptions shows each date format by example.
func dateFormatOptions() []option {
	sample := time.Date(2026, time.March, 14, 12, 0, 0, 0, time.UTC)
	var out []option
	for _, f := range isms.DateFormats {
		out = append(out, option{f, sample.Format(f)})
	}
	return out
}

// dataList is a <datalist> of suggestions.
type dataList struct {
	ID      string
	Options []option
}

// commonTimeZones are suggested in time zone fields; any IANA name is
// accepted.
var commonTimeZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
	"Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Zurich",
	"Europe/Vienna", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki",
	"Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Bucharest", "Europe/Istanbul",
	"Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata",
	"Asia/Singapore", "Asia/Hong_Kong", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Toronto", "America/Sao_Paulo", "America/Mexico_City",
}

func timeZoneList() dataList {
	d := dataList{ID: "time-zones"}
	for _, z := range commonTimeZones {
		d.Options = append(d.Options, option{Value: z})
	}
	return d
}
