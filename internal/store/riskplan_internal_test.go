package store

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Asking for the treatment actions and controls of no risks gives none,
// whether the organisation's are kept or each call reads its own (an
// organisation over the bounds), on both databases.
func TestPlanItemsOfNoRisks(t *testing.T) {
	dbs := map[string]*DB{"sqlite": openInternalDB(t)}
	if admin := os.Getenv("HOLDFAST_TEST_POSTGRES"); admin != "" {
		db := openPostgresForTest(t, admin)
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		dbs["postgres"] = db
	} else if os.Getenv("CI") != "" {
		t.Fatal("HOLDFAST_TEST_POSTGRES is not set")
	}
	for name, db := range dbs {
		for _, over := range []bool{false, true} {
			if over {
				db.maxPlanActions, db.maxPlanLinks = -1, -1
			}
			org := fmt.Sprintf("org-over-%v", over) // kept apart
			err := db.read(context.Background(), func(t *tx) error {
				n := 0
				if err := t.planActions(org, []string{}, func(isms.Action) { n++ }); err != nil {
					return err
				}
				if err := t.plannedControls(org, []string{}, func(isms.Link) { n++ }); err != nil {
					return err
				}
				if n != 0 {
					return fmt.Errorf("got %d items", n)
				}
				return nil
			})
			if err != nil {
				t.Errorf("%s, over the bounds %v: %v", name, over, err)
			}
		}
	}
}
