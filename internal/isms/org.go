package isms

import (
	"strings"
	"sync"
	"time"
)

// SizeBand is an organisation's headcount band; guidance and defaults scale
// with it.
type SizeBand string

// The size bands.
const (
	SizeMicro  SizeBand = "micro"  // fewer than 10 staff
	SizeSmall  SizeBand = "small"  // 10–49
	SizeMedium SizeBand = "medium" // 50–249
	SizeLarge  SizeBand = "large"  // 250 or more
)

// SizeBands lists the bands in order.
var SizeBands = []SizeBand{SizeMicro, SizeSmall, SizeMedium, SizeLarge}

// DateFormats are the date formats an organisation may choose, as Go layouts.
var DateFormats = []string{"02 Jan 2006", "2006-01-02", "02/01/2006", "01/02/2006"}

// Organisation is one firm whose ISMS lives in this installation. Every
// register record belongs to exactly one organisation.
type Organisation struct {
	ID         string
	Slug       string
	Name       string
	SizeBand   SizeBand
	Sector     string
	Countries  string // comma-separated country names or codes
	Sites      string // sites and locations, free text
	TimeZone   string // IANA name, e.g. Europe/London
	DateFormat string // one of DateFormats
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// OrgFields lists the organisation profile fields for history and diffs.
var OrgFields = []FieldSpec{
	{"slug", "org.slug"}, {"name", "org.name"}, {"size_band", "org.size_band"},
	{"sector", "org.sector"}, {"countries", "org.countries"}, {"sites", "org.sites"},
	{"time_zone", "org.time_zone"}, {"date_format", "org.date_format"},
}

// Fields returns the profile as field values for the audit log.
func (o Organisation) Fields() map[string]any {
	return map[string]any{
		"slug": o.Slug, "name": o.Name, "size_band": string(o.SizeBand), "sector": o.Sector,
		"countries": o.Countries, "sites": o.Sites, "time_zone": o.TimeZone, "date_format": o.DateFormat,
	}
}

// Normalize trims inputs and fills defaults for an unset time zone and
// date format.
func (o *Organisation) Normalize() {
	o.Slug = strings.ToLower(Clean(o.Slug))
	o.Name = Clean(o.Name)
	o.Sector = Clean(o.Sector)
	o.Countries = Clean(o.Countries)
	o.Sites = Clean(o.Sites)
	o.TimeZone = Clean(o.TimeZone)
	if o.TimeZone == "" {
		o.TimeZone = "UTC"
	}
	if o.DateFormat == "" {
		o.DateFormat = DateFormats[0]
	}
	if o.SizeBand == "" {
		o.SizeBand = SizeSmall
	}
}

// Validate checks the profile.
func (o Organisation) Validate() error {
	var p Problems
	checkText(&p, "name", o.Name, true, 200)
	if o.Slug == "" {
		p.Add("slug", "validation.required")
	} else if !ValidSlug(o.Slug) {
		p.Add("slug", "validation.slug")
	}
	ok := false
	for _, b := range SizeBands {
		ok = ok || o.SizeBand == b
	}
	if !ok {
		p.Add("size_band", "validation.choice")
	}
	checkText(&p, "sector", o.Sector, false, 200)
	checkText(&p, "countries", o.Countries, false, 500)
	checkText(&p, "sites", o.Sites, false, 2000)
	if _, err := time.LoadLocation(o.TimeZone); err != nil || o.TimeZone == "" || o.TimeZone == "Local" {
		p.Add("time_zone", "validation.time_zone")
	}
	ok = false
	for _, f := range DateFormats {
		ok = ok || o.DateFormat == f
	}
	if !ok {
		p.Add("date_format", "validation.choice")
	}
	return p.Err()
}

// zones caches loaded time zones: time.LoadLocation parses zone data on
// every call, and pages format many dates.
var zones sync.Map // name → *time.Location

// Location returns the organisation's time zone, UTC if unknown.
func (o Organisation) Location() *time.Location {
	if loc, ok := zones.Load(o.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(o.TimeZone, loc)
	return loc
}

// Today returns the calendar date (YYYY-MM-DD) at now in the
// organisation's time zone: what "expired" and "overdue" compare against.
func (o Organisation) Today(now time.Time) string {
	return now.In(o.Location()).Format(DateLayout)
}

// FormatDate shows t as a date in the organisation's zone and format.
func (o Organisation) FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(o.Location()).Format(o.dateFormat())
}

// FormatDateTime shows t with date and time in the organisation's zone.
func (o Organisation) FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(o.Location()).Format(o.dateFormat() + " 15:04")
}

// FormatCalendarDate shows a stored YYYY-MM-DD date in the organisation's
// date format (calendar dates have no time zone).
func (o Organisation) FormatCalendarDate(d string) string {
	t, err := time.Parse(DateLayout, d)
	if err != nil {
		return d
	}
	return t.Format(o.dateFormat())
}

func (o Organisation) dateFormat() string {
	if o.DateFormat == "" {
		return DateFormats[0]
	}
	return o.DateFormat
}
