package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// riskScenarios are the demonstration risks: a title, a category and the
// treatment usually chosen.
var riskScenarios = []struct {
	title, category string
	kind            isms.RiskKind
	option          isms.TreatmentOption
}{
	{"Ransomware encrypts shared files", "Malware", isms.RiskScenario, isms.TreatModify},
	{"Phishing email steals a mailbox password", "Social engineering", isms.RiskScenario, isms.TreatModify},
	{"Laptop with customer data lost or stolen", "Physical", isms.RiskAsset, isms.TreatModify},
	{"Cloud provider outage stops order processing", "Suppliers", isms.RiskScenario, isms.TreatShare},
	{"Former employee keeps access to systems", "Access control", isms.RiskScenario, isms.TreatModify},
	{"Backups cannot be restored when needed", "Continuity", isms.RiskScenario, isms.TreatModify},
	{"Personal data sent to the wrong recipient", "Privacy", isms.RiskScenario, isms.TreatModify},
	{"Payment fraud through a spoofed supplier invoice", "Fraud", isms.RiskScenario, isms.TreatShare},
	{"Unpatched web server exploited", "Vulnerabilities", isms.RiskAsset, isms.TreatModify},
	{"Office fire destroys paper records", "Physical", isms.RiskScenario, isms.TreatShare},
	{"Top management loses interest in the ISMS", "Governance", isms.RiskISMS, isms.TreatModify},
	{"Security tasks have no clear owner", "Governance", isms.RiskISMS, isms.TreatModify},
	{"Shared admin account misused", "Access control", isms.RiskAsset, isms.TreatAvoid},
	{"Minor website defacement", "Reputation", isms.RiskScenario, isms.TreatRetain},
	{"Certification opens tenders with larger customers", "Business", isms.RiskOpportunity, isms.TreatTake},
}

// generateRisks puts the 5 × 5 preset in force and adds n risks with
// ratings, owners and treatment; for some, the owner's approval of the
// plan and acceptance of the residual risk (a concession where needed).
func generateRisks(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int) error {
	draft, err := db.StartCriteria(ctx, a, isms.Preset5x5)
	if err != nil {
		return err
	}
	crit, err := db.ApproveCriteria(ctx, a, draft.ID, draft.Version)
	if err != nil {
		return err
	}
	ms, err := db.Members(ctx, a)
	if err != nil {
		return err
	}
	var owners []string
	for _, m := range ms {
		if m.Role.Can(isms.PermWriteOwned) {
			owners = append(owners, m.UserID)
		}
	}
	today := time.Now().UTC()
	for i := 0; i < n; i++ {
		sc := riskScenarios[rng.IntN(len(riskScenarios))]
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
			return fmt.Errorf("risk %d: %w", i+1, err)
		}
		// Treatment actions are not generated here: the Actions register's
		// demonstration data is sized on its own (see assets.go).
		if len(x.Treatment) > 0 && x.Residual.Rated() && rng.IntN(6) == 0 {
			if x, err = db.ApproveRiskPlan(ctx, a, x.ID, x.Version, isms.AcceptInput{Justification: "Plan agreed at the risk review"}); err != nil {
				return fmt.Errorf("approve plan of %s: %w", x.Ref, err)
			}
			in := isms.AcceptInput{Justification: "Residual risk reviewed with the owner"}
			in.Concession = !crit.Acceptable(x.Residual.Level, x.Category)
			if _, err := db.AcceptRisk(ctx, a, x.ID, x.Version, in); err != nil {
				return fmt.Errorf("accept %s: %w", x.Ref, err)
			}
		}
	}
	return nil
}
