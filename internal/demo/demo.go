// Package demo fills a database with realistic, linked demonstration data
// for trying Holdfast out and for the benchmark harness. The content is
// deterministic for a seed (ids and timestamps are not).
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// Password is the password of every demonstration account.
const Password = "holdfast-demo-password"

// Options sizes the generated data.
type Options struct {
	// Scale 1 is about one 250-person firm; 10 is ten of them; 0.1 is one
	// 25-person firm.
	Scale float64
	Seed  uint64
	// PeoplePerOrg overrides the staff directory size of each organisation.
	PeoplePerOrg int
	// SlugPrefix names the organisations "<prefix>-01", "<prefix>-02" …
	SlugPrefix string
	// Progress, if set, receives a line per organisation.
	Progress func(string)
}

// Summary counts what was generated.
type Summary struct {
	Orgs, Users, People, Updates int
	Slugs                        []string
	OwnerEmails                  []string
}

var (
	firms = []string{"Northwind Logistics", "Bluebell Dental", "Harbour Analytics", "Kestrel Engineering", "Juniper Legal",
		"Oakridge Software", "Marlow Print", "Tidewater Insurance Brokers", "Fenwick Architects", "Quayside Foods",
		"Cobalt Payments", "Larkspur Clinics", "Ironbridge Manufacturing", "Saffron Travel", "Willow Care Homes"}
	sectors     = []string{"Logistics", "Healthcare", "Software", "Engineering", "Legal services", "Manufacturing", "Financial services", "Hospitality"}
	first       = []string{"Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Isla", "Jamal", "Kasia", "Liam", "Maya", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe"}
	last        = []string{"Adeyemi", "Brown", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova", "Jones", "Khan", "Lopez", "Murphy", "Nowak", "O'Brien", "Patel", "Quinn", "Rossi", "Smith", "Taylor", "Usman", "Virtanen", "Williams", "Young", "Zhang"}
	departments = []string{"Operations", "Finance", "Sales", "Customer Support", "Engineering", "People & Culture", "IT", "Legal", "Marketing", "Facilities"}
	titles      = map[string][]string{
		"Operations": {"Operations Manager", "Operations Analyst", "Coordinator"}, "Finance": {"Finance Director", "Accountant", "Payroll Officer"},
		"Sales": {"Sales Lead", "Account Manager", "Sales Executive"}, "Customer Support": {"Support Lead", "Support Agent"},
		"Engineering": {"Engineering Manager", "Software Engineer", "QA Engineer"}, "People & Culture": {"HR Manager", "HR Advisor"},
		"IT": {"IT Manager", "Systems Administrator", "Service Desk Analyst"}, "Legal": {"General Counsel", "Paralegal"},
		"Marketing": {"Marketing Manager", "Content Writer"}, "Facilities": {"Facilities Manager", "Receptionist"},
	}
)

// Generate creates the organisations, members and people described by opt.
func Generate(ctx context.Context, db *store.DB, opt Options) (Summary, error) {
	var sum Summary
	if opt.Scale <= 0 {
		return sum, fmt.Errorf("scale must be positive")
	}
	if opt.SlugPrefix == "" {
		opt.SlugPrefix = "demo"
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	orgs := int(math.Max(1, math.Round(opt.Scale)))
	perOrg := opt.PeoplePerOrg
	if perOrg == 0 {
		perOrg = int(math.Max(5, math.Round(250*opt.Scale/float64(orgs))))
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return sum, err
	}
	for i := 1; i <= orgs; i++ {
		slug := fmt.Sprintf("%s-%02d", opt.SlugPrefix, i)
		name := firms[(i-1)%len(firms)]
		if i > len(firms) {
			name = fmt.Sprintf("%s %d", name, i)
		}
		owner := "owner@" + slug + ".test"
		o, _, err := db.InitOrg(ctx, isms.Organisation{Slug: slug, Name: name, SizeBand: sizeFor(perOrg),
			Sector: sectors[rng.IntN(len(sectors))], Countries: "United Kingdom", Sites: "Head office",
			TimeZone: "Europe/London"}, isms.User{Email: owner, Name: pick(rng, first) + " " + pick(rng, last), PasswordHash: hash})
		if err != nil {
			return sum, fmt.Errorf("organisation %s: %w", slug, err)
		}
		sum.Orgs++
		sum.Users++
		sum.Slugs = append(sum.Slugs, o.Slug)
		sum.OwnerEmails = append(sum.OwnerEmails, owner)
		u, err := db.UserByEmail(ctx, owner)
		if err != nil {
			return sum, err
		}
		a, _, err := db.ActorFor(ctx, u.ID, slug)
		if err != nil {
			return sum, err
		}
		// Members: a handful per firm, one of each role at least.
		roles := []isms.Role{isms.RoleISMSManager, isms.RoleContributor, isms.RoleContributor, isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff}
		nMembers := int(math.Max(float64(len(roles)), float64(perOrg)/20))
		var memberIDs []string
		for m := 0; m < nMembers; m++ {
			r := roles[m%len(roles)]
			email := fmt.Sprintf("%s%d@%s.test", strings.ReplaceAll(string(r), "_", "-"), m+1, slug)
			mem, _, err := db.AddMember(ctx, a, store.NewMember{Email: email, Name: pick(rng, first) + " " + pick(rng, last), Role: r, PasswordHash: hash})
			if err != nil {
				return sum, fmt.Errorf("member %s: %w", email, err)
			}
			memberIDs = append(memberIDs, mem.UserID)
			sum.Users++
		}
		n, upd, err := generatePeople(ctx, db, a, rng, perOrg, memberIDs)
		if err != nil {
			return sum, fmt.Errorf("people of %s: %w", slug, err)
		}
		sum.People += n
		sum.Updates += upd
		if err := generateRegisters(ctx, db, a, rng, perOrg, memberIDs); err != nil {
			return sum, fmt.Errorf("registers of %s: %w", slug, err)
		}
		if err := generateAssessments(ctx, db, a, memberIDs); err != nil {
			return sum, fmt.Errorf("risk assessments of %s: %w", slug, err)
		}
		if err := generateControls(ctx, db, a, rng, perOrg); err != nil {
			return sum, fmt.Errorf("controls and evidence of %s: %w", slug, err)
		}
		if opt.Progress != nil {
			opt.Progress(fmt.Sprintf("%s: %s, %d people, %d members", slug, name, n, nMembers+1))
		}
	}
	return sum, nil
}

func sizeFor(people int) isms.SizeBand {
	switch {
	case people < 10:
		return isms.SizeMicro
	case people < 50:
		return isms.SizeSmall
	case people < 250:
		return isms.SizeMedium
	}
	return isms.SizeLarge
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// generatePeople makes a staff directory: managers first, then everyone
// else reporting to one of them; some leavers are archived, some people are
// linked to member accounts, and a few records get later edits so that
// history exists.
func generatePeople(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int, memberIDs []string) (int, int, error) {
	nManagers := max(1, n/12)
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(i int, manager string) isms.Person {
		dept := departments[rng.IntN(len(departments))]
		fn, ln := pick(rng, first), pick(rng, last)
		p := isms.Person{
			Name:       fn + " " + ln,
			Email:      fmt.Sprintf("%s.%s.%d@staff.test", strings.ToLower(fn), strings.ToLower(strings.ReplaceAll(ln, "'", "")), i),
			Department: dept, JobTitle: pick(rng, titles[dept]), ManagerID: manager,
			StartDate: base.AddDate(0, 0, rng.IntN(3900)).Format(isms.DateLayout),
		}
		if rng.IntN(20) == 0 {
			p.LeaveDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(300)).Format(isms.DateLayout)
		}
		return p
	}
	var managers []isms.Person
	for i := 0; i < nManagers; i++ {
		managers = append(managers, mk(i, ""))
	}
	for i := 0; i < len(managers) && i < len(memberIDs); i++ {
		managers[i].UserID = memberIDs[i]
	}
	created, err := importBatches(ctx, db, a, managers)
	if err != nil {
		return 0, 0, err
	}
	var staff []isms.Person
	for i := nManagers; i < n; i++ {
		staff = append(staff, mk(i, created[rng.IntN(len(created))].ID))
	}
	more, err := importBatches(ctx, db, a, staff)
	if err != nil {
		return 0, 0, err
	}
	all := append(created, more...)
	updates := 0
	for i := range all {
		p := all[i]
		switch {
		case p.LeaveDate != "" && rng.IntN(2) == 0:
			if _, err := db.ArchivePerson(ctx, a, p.ID, p.Version, true); err != nil {
				return 0, 0, err
			}
			updates++
		case rng.IntN(25) == 0:
			p.JobTitle = "Senior " + p.JobTitle
			if _, err := db.UpdatePerson(ctx, a, p, p.Version); err != nil {
				return 0, 0, err
			}
			updates++
		}
	}
	return len(all), updates, nil
}

func importBatches(ctx context.Context, db *store.DB, a isms.Actor, rows []isms.Person) ([]isms.Person, error) {
	var out []isms.Person
	for len(rows) > 0 {
		k := min(len(rows), 2000)
		got, err := db.ImportPeople(ctx, a, rows[:k])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		rows = rows[k:]
	}
	return out, nil
}
