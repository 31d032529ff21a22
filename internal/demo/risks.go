package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// riskScenario is a demonstration risk: a title, a category, the
// treatment usually chosen and the actions that carry it out.
type riskScenario struct {
	title, category string
	kind            isms.RiskKind
	option          isms.TreatmentOption
	actions         []string
}

var riskScenarios = []riskScenario{
	{"Ransomware encrypts shared files", "Malware", isms.RiskScenario, isms.TreatModify,
		[]string{"Keep an offline copy of the shared files", "Install endpoint protection on every laptop", "Limit write access to shared folders"}},
	{"Phishing email steals a mailbox password", "Social engineering", isms.RiskScenario, isms.TreatModify,
		[]string{"Turn on multi-factor sign-in for every mailbox", "Run a phishing awareness session", "Mark emails from outside the firm"}},
	{"Laptop with customer data lost or stolen", "Physical", isms.RiskAsset, isms.TreatModify,
		[]string{"Encrypt the disk of every laptop", "Enable remote wipe on laptops"}},
	{"Cloud provider outage stops order processing", "Suppliers", isms.RiskScenario, isms.TreatShare,
		[]string{"Agree a service level with the cloud provider", "Write down how orders are taken by hand", "Review the provider's continuity report"}},
	{"Former employee keeps access to systems", "Access control", isms.RiskScenario, isms.TreatModify,
		[]string{"Add account removal to the leaver checklist", "Compare accounts with the leavers list every month"}},
	{"Backups cannot be restored when needed", "Continuity", isms.RiskScenario, isms.TreatModify,
		[]string{"Restore a full backup every quarter", "Keep one backup copy offline"}},
	{"Personal data sent to the wrong recipient", "Privacy", isms.RiskScenario, isms.TreatModify,
		[]string{"Turn on the mail client's recipient check", "Train staff in sending personal data"}},
	{"Payment fraud through a spoofed supplier invoice", "Fraud", isms.RiskScenario, isms.TreatShare,
		[]string{"Confirm changed supplier bank details by phone", "Require two approvals for a new payee", "Check the insurance cover for payment fraud"}},
	{"Unpatched web server exploited", "Vulnerabilities", isms.RiskAsset, isms.TreatModify,
		[]string{"Apply security updates within fourteen days", "Scan the web server for vulnerabilities every month"}},
	{"Office fire destroys paper records", "Physical", isms.RiskScenario, isms.TreatShare,
		[]string{"Scan paper records into the document system", "Check the insurance cover for records"}},
	{"Top management loses interest in the ISMS", "Governance", isms.RiskISMS, isms.TreatModify,
		[]string{"Put the ISMS on the board agenda every quarter", "Agree next year's security budget"}},
	{"Security tasks have no clear owner", "Governance", isms.RiskISMS, isms.TreatModify,
		[]string{"Name an owner for every security task", "Publish the ISMS roles in the staff handbook"}},
	{"Shared admin account misused", "Access control", isms.RiskAsset, isms.TreatAvoid,
		[]string{"Replace the shared admin account with named accounts", "Move the remaining admin secrets to the password manager"}},
	{"Minor website defacement", "Reputation", isms.RiskScenario, isms.TreatRetain, nil},
	{"Certification opens tenders with larger customers", "Business", isms.RiskOpportunity, isms.TreatTake,
		[]string{"Book the certification audit", "List the tenders that ask for certification"}},
}

// treatedRisk is a generated risk whose treatment needs actions: its id,
// owner and scenario.
type treatedRisk struct {
	id, ownerID string
	scenario    int
}

// generateRisks puts the 5 × 5 preset in force and adds n risks with
// ratings, owners and treatment; for some, the owner's approval of the
// plan and acceptance of the residual risk (a concession where needed).
// It returns the risks whose treatment is carried out by actions, for
// generateActions.
func generateRisks(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int) ([]treatedRisk, error) {
	draft, err := db.StartCriteria(ctx, a, isms.Preset5x5)
	if err != nil {
		return nil, err
	}
	crit, err := db.ApproveCriteria(ctx, a, draft.ID, draft.Version)
	if err != nil {
		return nil, err
	}
	ms, err := db.Members(ctx, a)
	if err != nil {
		return nil, err
	}
	var owners []string
	for _, m := range ms {
		if m.Role.Can(isms.PermWriteOwned) {
			owners = append(owners, m.UserID)
		}
	}
	today := time.Now().UTC()
	var treated []treatedRisk
	for i := 0; i < n; i++ {
		k := rng.IntN(len(riskScenarios))
		sc := riskScenarios[k]
		r := isms.Risk{
			Kind: sc.kind, Title: fmt.Sprintf("%s (%d)", sc.title, i+1), Category: sc.category,
			OwnerID: owners[rng.IntN(len(owners))], CIA: []string{"C", "CI", "IA", "CIA", "A"}[rng.IntN(5)],
			Description: "Demonstration risk: " + sc.title + ".",
			NextReview:  today.AddDate(0, 1+rng.IntN(12), 0).Format(isms.DateLayout),
		}
		il := 1 + rng.IntN(len(crit.Likelihood))
		r.Inherent = isms.Rating{Likelihood: il, Dims: map[string]int{}}
		for _, d := range crit.Dimensions {
			if rng.IntN(3) > 0 {
				r.Inherent.Dims[d.Key] = 1 + rng.IntN(len(crit.Consequence))
			}
		}
		if len(r.Inherent.Dims) == 0 {
			r.Inherent.Dims[crit.Dimensions[0].Key] = 1 + rng.IntN(len(crit.Consequence))
		}
		if rng.IntN(5) > 0 { // most risks have a treatment chosen
			r.Treatment = []isms.TreatmentOption{sc.option}
			if sc.option != isms.TreatRetain {
				r.Residual = isms.Rating{Likelihood: max(1, il-1-rng.IntN(2)), Consequence: 1 + rng.IntN(3)}
			}
		}
		x, err := db.CreateRisk(ctx, a, r)
		if err != nil {
			return nil, fmt.Errorf("risk %d: %w", i+1, err)
		}
		if len(x.Treatment) > 0 && len(sc.actions) > 0 {
			treated = append(treated, treatedRisk{id: x.ID, ownerID: x.OwnerID, scenario: k})
		}
		if len(x.Treatment) > 0 && x.Residual.Rated() && rng.IntN(6) == 0 {
			if x, err = db.ApproveRiskPlan(ctx, a, x.ID, x.Version, isms.AcceptInput{Justification: "Plan agreed at the risk review"}); err != nil {
				return nil, fmt.Errorf("approve plan of %s: %w", x.Ref, err)
			}
			in := isms.AcceptInput{Justification: "Residual risk reviewed with the owner"}
			in.Concession = !crit.Acceptable(x.Residual.Level, x.Category)
			if _, err := db.AcceptRisk(ctx, a, x.ID, x.Version, in); err != nil {
				return nil, fmt.Errorf("accept %s: %w", x.Ref, err)
			}
		}
	}
	return treated, nil
}
