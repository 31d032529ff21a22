package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// evidencePerPerson sizes the evidence register: about 5,000 pieces for a
// 250-person firm.
const evidencePerPerson = 20

// Demonstration exclusions: Annex A controls a small, office-light firm
// plausibly leaves out, with the reason and the explanation.
var demoExclusions = map[string]struct {
	reason isms.ExclusionReason
	text   string
}{
	"7.5":  {isms.ExcludedOutOfScope, "We rent serviced offices; protection against physical and environmental threats is the landlord's, covered by the lease."},
	"7.11": {isms.ExcludedOutOfScope, "No on-premises servers or plant: supporting utilities are the data centre provider's."},
	"7.12": {isms.ExcludedOutOfScope, "We own no cabling; the building's network is managed by the landlord."},
	"8.28": {isms.ExcludedNotNeeded, "We develop no software ourselves; every system we use is bought as a service."},
	"8.30": {isms.ExcludedNotNeeded, "We do not commission software development from others."},
	"8.31": {isms.ExcludedNotNeeded, "No in-house development, so no separate development, test and production environments."},
}

var (
	themeJustifications = map[string][]string{
		"Organizational": {"Required to run the ISMS and meet customer contract terms.", "Addresses governance gaps found in the gap analysis.",
			"Customers ask for it in security questionnaires.", "Needed to manage supplier and legal obligations."},
		"People":        {"Staff handle customer personal data every day.", "Most incidents in our sector start with people.", "Required by our employment and confidentiality terms."},
		"Physical":      {"Laptops and paper records leave the office.", "We keep customer files at head office.", "Protects the equipment staff take home."},
		"Technological": {"Our services run on cloud systems holding customer data.", "Treats the risk of ransomware and account takeover.", "Required by our cyber insurance."},
	}
	implementations = []string{
		"Documented in the information security policy set and reviewed yearly by the ISMS manager.",
		"Configured centrally in the identity provider; exceptions are approved by the IT manager.",
		"Handled by the managed service provider under the signed service agreement.",
		"Part of onboarding and annual refresher training, tracked in the HR system.",
		"Checked monthly against the configuration baseline; deviations raise a ticket.",
	}
	evidenceTopics = []string{"Access review", "Backup restore test", "Patch compliance report", "Training completion", "Supplier assessment",
		"Firewall rule review", "Vulnerability scan", "Policy acknowledgement", "Incident drill", "Asset inventory check",
		"MFA enrolment report", "Encryption status report", "Visitor log review", "Change approval sample", "Logging configuration"}
	evidenceHosts = []string{"https://intranet.example.com/isms/", "https://drive.example.com/security/", "https://tickets.example.com/browse/SEC-"}
)

// generateControls gives the organisation realistic SoA decisions,
// statuses and owners, about evidencePerPerson × people pieces of
// evidence linked to controls (a few of them files), risk treatments
// relying on controls, an approved SoA version with later changes, and
// evidence requests.
func generateControls(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, people int) error {
	ms, err := db.Members(ctx, a)
	if err != nil {
		return err
	}
	var owners, asked []string
	for _, m := range ms {
		if m.Role.Can(isms.PermWriteOwned) {
			owners = append(owners, m.UserID)
		}
		if m.Role == isms.RoleContributor {
			asked = append(asked, m.UserID)
		}
	}
	if len(asked) == 0 {
		asked = owners
	}
	cs, err := db.ActiveControls(ctx, a)
	if err != nil {
		return err
	}
	today := time.Now().UTC()
	day := func(months int) string { return today.AddDate(0, months, 0).Format(isms.DateLayout) }
	var included []isms.Control
	for _, c := range cs {
		if ex, ok := demoExclusions[c.CatalogID]; ok {
			c.Decision, c.ExclusionReason, c.ExclusionText, c.Status = isms.DecisionExcluded, ex.reason, ex.text, isms.StatusNotApplicable
		} else if rng.IntN(30) > 0 { // a few stay undecided, for the warnings
			c.Decision = isms.DecisionIncluded
			if rng.IntN(8) > 0 {
				c.Justification = pick(rng, themeJustifications[c.Theme])
			}
			switch p := rng.IntN(20); {
			case p < 9:
				c.Status = isms.StatusImplemented
			case p < 14:
				c.Status = isms.StatusPartial
			case p < 17:
				c.Status = isms.StatusPlanned
			default:
				c.Status = isms.StatusNotStarted
			}
			if c.Status != isms.StatusNotStarted {
				c.Implementation = pick(rng, implementations)
			}
			if c.Status == isms.StatusImplemented {
				c.LastReview, c.NextReview = day(-rng.IntN(10)-1), day(2+rng.IntN(10))
				c.Effectiveness = "Operating as intended at the last review."
			}
		}
		c.OwnerID = owners[rng.IntN(len(owners))]
		x, err := db.UpdateControl(ctx, a, c, c.Version)
		if err != nil {
			return fmt.Errorf("control %s: %w", c.Ref, err)
		}
		if x.Decision == isms.DecisionIncluded {
			included = append(included, x)
		}
	}
	if len(included) == 0 {
		return nil
	}

	// Risk treatments rely on included controls.
	rs, err := db.ActiveRisks(ctx, a)
	if err != nil {
		return err
	}
	for i, r := range rs {
		if i >= 60 || len(r.Treatment) == 0 {
			continue
		}
		for k := 0; k < 1+rng.IntN(2); k++ {
			c := included[rng.IntN(len(included))]
			if err := db.LinkRisk(ctx, a, r.ID, "control", c.ID, "Treatment relies on this control"); err != nil && isms.ErrorKind(err) != isms.KindConflict {
				return fmt.Errorf("link %s to %s: %w", r.Ref, c.Ref, err)
			}
		}
	}

	// Evidence, in chunks of one transaction each.
	n := max(50, evidencePerPerson*people)
	var rows []store.EvidenceRow
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if _, err := db.ImportEvidence(ctx, a, rows); err != nil {
			return err
		}
		rows = rows[:0]
		return nil
	}
	for i := 0; i < n; i++ {
		topic := pick(rng, evidenceTopics)
		c := included[rng.IntN(len(included))]
		collected := today.AddDate(0, 0, -rng.IntN(400))
		e := isms.Evidence{
			Title:       fmt.Sprintf("%s, %s", topic, collected.Format("January 2006")),
			OwnerID:     owners[rng.IntN(len(owners))],
			CollectedOn: collected.Format(isms.DateLayout),
		}
		switch v := rng.IntN(40); {
		case v == 0:
			e.ValidUntil = today.AddDate(0, 0, -1-rng.IntN(60)).Format(isms.DateLayout) // expired
		case v < 3:
			e.ValidUntil = today.AddDate(0, 0, 1+rng.IntN(isms.ExpiringSoonDays)).Format(isms.DateLayout) // expiring soon
		case v < 25:
			e.ValidUntil = today.AddDate(0, 2+rng.IntN(12), 0).Format(isms.DateLayout)
		}
		if e.ValidUntil != "" && e.ValidUntil < e.CollectedOn {
			e.CollectedOn = e.ValidUntil
		}
		if rng.IntN(5) < 3 {
			e.Kind = isms.EvidenceLink
			e.URL = fmt.Sprintf("%s%d", pick(rng, evidenceHosts), 1000+i)
		} else {
			e.Kind = isms.EvidenceNote
			e.Description = fmt.Sprintf("%s carried out for %s %s. Result: no exceptions found; records kept by the control owner.", topic, c.Ref, c.Title)
		}
		ids := []string{c.ID}
		if rng.IntN(4) == 0 {
			ids = append(ids, included[rng.IntN(len(included))].ID)
		}
		rows = append(rows, store.EvidenceRow{Evidence: e, ControlIDs: ids})
		if len(rows) == 1000 {
			if err := flush(); err != nil {
				return fmt.Errorf("evidence: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	// A handful of small files.
	for i := 0; i < 5; i++ {
		c := included[rng.IntN(len(included))]
		body := fmt.Sprintf("%s\nControl: %s %s\nChecked: %s\nResult: passed\n", evidenceTopics[i], c.Ref, c.Title, today.AddDate(0, 0, -i*7).Format(isms.DateLayout))
		name := fmt.Sprintf("%s-%d.txt", c.Ref, i+1)
		if _, err := db.CreateEvidence(ctx, a, isms.Evidence{Title: evidenceTopics[i] + " record", Kind: isms.EvidenceFile, OwnerID: owners[rng.IntN(len(owners))],
			CollectedOn: today.AddDate(0, 0, -i*7).Format(isms.DateLayout)}, []string{c.ID},
			&store.Upload{Name: name, R: bytes.NewReader([]byte(body)), Max: 1 << 20}); err != nil {
			return fmt.Errorf("evidence file: %w", err)
		}
	}

	// The SoA approved as it stands, then a few changes since.
	if _, err := db.PublishSoA(ctx, a, "Approved at the management review"); err != nil {
		return fmt.Errorf("approve SoA: %w", err)
	}
	for i := 0; i < 3; i++ {
		c := included[rng.IntN(len(included))]
		if c.Status == isms.StatusImplemented {
			continue
		}
		cur, err := db.Control(ctx, a, c.ID)
		if err != nil {
			return err
		}
		cur.Status = isms.StatusImplemented
		cur.LastReview, cur.NextReview = day(0), day(12)
		if _, err := db.UpdateControl(ctx, a, cur, cur.Version); err != nil {
			return fmt.Errorf("control %s: %w", c.Ref, err)
		}
	}

	// Evidence requests: for controls, and renewals of expired evidence.
	for i := 0; i < 4; i++ {
		c := included[rng.IntN(len(included))]
		if _, err := db.RequestEvidence(ctx, a, "control", c.ID, isms.Action{
			Title: fmt.Sprintf("Provide evidence for %s %s", c.Ref, c.Title), ResponsibleID: asked[rng.IntN(len(asked))],
			DueDate: today.AddDate(0, 0, 7+rng.IntN(30)).Format(isms.DateLayout), Evaluation: "The evidence is recorded and linked to the control.",
		}); err != nil {
			return fmt.Errorf("evidence request: %w", err)
		}
	}
	expired, err := db.EvidenceList(ctx, a, isms.ListQuery{Limit: 3, Filters: map[string]string{"expiry": store.ExpiryExpired}})
	if err != nil {
		return err
	}
	for _, e := range expired.Items {
		if _, err := db.RequestEvidence(ctx, a, "evidence", e.ID, isms.Action{
			Title: fmt.Sprintf("Renew evidence %s %s", e.Ref, e.Title), ResponsibleID: asked[rng.IntN(len(asked))],
			DueDate: today.AddDate(0, 0, 14).Format(isms.DateLayout), Evaluation: "Renewed evidence is recorded with a new valid-until date.",
		}); err != nil {
			return fmt.Errorf("renewal request: %w", err)
		}
	}
	return nil
}
