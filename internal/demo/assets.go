package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// Asset, risk and action generation: about eight assets, four risks and
// forty actions per person in the directory (2,000, 1,000 and 10,000 for a
// 250-person firm), the starter threat and vulnerability catalogue, assets
// that depend on other assets, and actions spread over past and future due
// dates so that some are overdue and some done: first the treatment
// actions of the risks, then actions serving assets or nothing.

var (
	assetKinds = []struct {
		typ   isms.AssetType
		names []string
	}{
		{isms.AssetInformation, []string{"Customer records", "Payroll data", "Contracts archive", "Board minutes", "Supplier invoices", "Product designs", "Marketing lists", "HR files"}},
		{isms.AssetApplication, []string{"CRM", "Accounting system", "Email service", "File sharing", "Ticketing system", "Website CMS", "HR system", "Password manager"}},
		{isms.AssetHardware, []string{"Laptop", "Desktop", "File server", "Firewall", "Wi-Fi access point", "Printer", "Phone", "Backup drive"}},
		{isms.AssetService, []string{"Internet connection", "Backup service", "Payment processing", "Telephone system", "Domain and DNS"}},
		{isms.AssetPeople, []string{"Finance team", "IT administrator", "Customer support team", "Directors"}},
		{isms.AssetSite, []string{"Head office", "Warehouse", "Server room", "Branch office"}},
		{isms.AssetSupplierService, []string{"Managed IT support", "Cloud hosting", "Payroll bureau", "Courier service"}},
	}
	locations   = []string{"Head office", "Cloud", "Warehouse", "Remote", "Server room", "Branch office"}
	actionVerbs = []string{"Review access to", "Patch", "Test the backup of", "Encrypt", "Document the recovery of", "Replace", "Train the users of", "Check the supplier contract for"}
)

// actionsPerPerson sizes the action register: the reference firm of the
// performance targets, 250 people, carries 10,000 actions.
const actionsPerPerson = 40

// risksPerPerson sizes the risk register: 1,000 risks for 250 people.
const risksPerPerson = 4

// generateRegisters loads the starter catalogue and generates assets,
// risks and actions for one organisation with a directory of n people.
func generateRegisters(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int, memberIDs []string) error {
	if _, err := db.LoadStarterCatalogue(ctx, a); err != nil {
		return fmt.Errorf("starter catalogue: %w", err)
	}
	assetIDs, err := generateAssets(ctx, db, a, rng, n*8, memberIDs)
	if err != nil {
		return fmt.Errorf("assets: %w", err)
	}
	treated, err := generateRisks(ctx, db, a, rng, n*risksPerPerson)
	if err != nil {
		return fmt.Errorf("risks: %w", err)
	}
	if err := generateActions(ctx, db, a, rng, n*actionsPerPerson, memberIDs, assetIDs, treated); err != nil {
		return fmt.Errorf("actions: %w", err)
	}
	return nil
}

// generateAssets imports n assets in batches; each may depend on up to
// three assets of earlier rows.
func generateAssets(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int, memberIDs []string) ([]string, error) {
	emails := map[string]string{}
	if ms, err := db.Members(ctx, a); err == nil {
		for _, m := range ms {
			emails[m.UserID] = m.UserEmail
		}
	}
	var names []string
	rows := make([]isms.AssetRow, 0, n)
	for i := 0; i < n; i++ {
		k := assetKinds[rng.IntN(len(assetKinds))]
		name := fmt.Sprintf("%s %04d", k.names[rng.IntN(len(k.names))], i+1)
		x := isms.Asset{Name: name, Type: k.typ, Location: locations[rng.IntN(len(locations))],
			Classification:  isms.Classifications[rng.IntN(len(isms.Classifications))],
			Confidentiality: 1 + rng.IntN(5), Integrity: 1 + rng.IntN(5), Availability: 1 + rng.IntN(5),
			State: isms.AssetStates[weighted(rng, []int{1, 12, 2, 1})], Description: "Generated for the demonstration."}
		r := isms.AssetRow{Line: i + 2, Asset: x}
		if len(memberIDs) > 0 && rng.IntN(5) > 0 {
			r.Owner = emails[memberIDs[rng.IntN(len(memberIDs))]]
		}
		if rng.IntN(3) == 0 {
			r.Custodian = "Managed IT support"
		}
		// Dependencies on assets of the same batch, named earlier.
		batchStart := len(rows) - len(rows)%1000
		for d := rng.IntN(4); d > 0 && len(rows) > batchStart; d-- {
			r.DependsOn = append(r.DependsOn, names[batchStart+rng.IntN(len(rows)-batchStart)])
		}
		names = append(names, name)
		rows = append(rows, r)
	}
	var ids []string
	for start := 0; start < len(rows); start += 1000 {
		batch := rows[start:min(start+1000, len(rows))]
		rep, err := db.ImportAssets(ctx, a, batch, false)
		if err != nil {
			return nil, err
		}
		if !rep.Valid() {
			return nil, fmt.Errorf("generated assets are invalid: %+v", rep.Rows[0].Problems)
		}
	}
	all, err := db.ActiveAssets(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		ids = append(ids, x.ID)
	}
	return ids, nil
}

func weighted(rng *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := rng.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// generateActions creates n actions: one to three for each treated risk,
// named after its scenario, with the risk's owner responsible, and the
// rest serving an asset (most) or nothing. Due dates run from six months
// ago to six months ahead; past ones are mostly done, some left overdue.
func generateActions(ctx context.Context, db *store.DB, a isms.Actor, rng *rand.Rand, n int, memberIDs, assetIDs []string, treated []treatedRisk) error {
	today := time.Now().UTC()
	var batch []isms.Action
	add := func(x isms.Action) error {
		x.Resources = fmt.Sprintf("%d hours of staff time", 1+rng.IntN(16))
		x.DueDate = today.AddDate(0, 0, rng.IntN(365)-182).Format(isms.DateLayout)
		past := x.DueDate < today.Format(isms.DateLayout)
		switch {
		case past && rng.IntN(4) > 0:
			x.Status, x.CompletionEvidence = isms.ActionDone, "Recorded in the IT ticket system."
		case rng.IntN(3) == 0:
			x.Status = isms.ActionInProgress
		}
		batch = append(batch, x)
		if len(batch) < actionBatch {
			return nil
		}
		err := db.CreateActions(ctx, a, batch)
		batch = batch[:0]
		return err
	}
	made := 0
	for _, r := range treated {
		if made == n {
			break
		}
		titles := riskScenarios[r.scenario].actions
		for _, j := range rng.Perm(len(titles))[:1+rng.IntN(len(titles))] {
			if made == n {
				break
			}
			if err := add(isms.Action{Title: titles[j], ResponsibleID: r.ownerID, ServesType: "risk", ServesID: r.id,
				Evaluation: "The risk is rated again at the next risk review."}); err != nil {
				return err
			}
			made++
		}
	}
	for ; made < n; made++ {
		x := isms.Action{
			Title:      fmt.Sprintf("%s asset group %d", actionVerbs[rng.IntN(len(actionVerbs))], 1+rng.IntN(200)),
			Evaluation: "Checked at the next monthly security review.",
		}
		if len(memberIDs) > 0 {
			x.ResponsibleID = memberIDs[rng.IntN(len(memberIDs))]
		}
		if len(assetIDs) > 0 && rng.IntN(4) > 0 {
			x.ServesType, x.ServesID = "asset", assetIDs[rng.IntN(len(assetIDs))]
		}
		if err := add(x); err != nil {
			return err
		}
	}
	if len(batch) > 0 {
		return db.CreateActions(ctx, a, batch)
	}
	return nil
}

// actionBatch is how many actions go into one transaction.
const actionBatch = 500
