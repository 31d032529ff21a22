package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/demo"
)

func init() { extraCommands = append(extraCommands, (*env).demoCmd) }

func (e *env) demoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill the database with realistic demonstration organisations",
		Long: "Create demonstration organisations: members, a staff directory, assets, risks with their\n" +
			"treatment actions, other actions, the Annex A controls with SoA decisions and evidence, and risk\n" +
			"assessments. Scale 1 is about one 250-person firm, 10 is ten of them. Every demonstration\n" +
			"account's password is " + demo.Password + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			scale, _ := f.GetFloat64("scale")
			seed, _ := f.GetUint64("seed")
			people, _ := f.GetInt("people")
			prefix, _ := f.GetString("prefix")
			if scale <= 0 || scale > 1000 {
				return usageError{fmt.Errorf("--scale must be between 0 and 1000")}
			}
			db, err := e.openDB(cmd, nil, true)
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			sum, err := demo.Generate(cmd.Context(), db, demo.Options{Scale: scale, Seed: seed, PeoplePerOrg: people, SlugPrefix: prefix,
				Progress: func(s string) { fmt.Fprintln(e.stdout, "  "+s) }})
			if err != nil {
				return userError(err)
			}
			fmt.Fprintf(e.stdout, "Created %d organisation(s) (%s), %d users and %d people with %d later edits in %s.\n",
				sum.Orgs, strings.Join(sum.Slugs, ", "), sum.Users, sum.People, sum.Updates, time.Since(start).Round(time.Millisecond))
			if err := db.Analyze(cmd.Context()); err != nil {
				return err
			}
			counts, err := db.RecordCounts(cmd.Context())
			if err != nil {
				return err
			}
			var total int64
			var parts []string
			for _, name := range slices.Sorted(maps.Keys(counts)) {
				if counts[name] > 0 {
					total += counts[name]
					parts = append(parts, fmt.Sprintf("%s %d", name, counts[name]))
				}
			}
			fmt.Fprintf(e.stdout, "The database now holds %d records in total (%s).\n", total, strings.Join(parts, ", "))
			fmt.Fprintf(e.stdout, "Sign in as %s with password %s.\n", sum.OwnerEmails[0], demo.Password)
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64("scale", 1, "size: 1 ≈ one 250-person firm, 10 ≈ ten of them")
	f.Uint64("seed", 1, "random seed; the same seed gives the same content")
	f.Int("people", 0, "people per organisation (default: from the scale)")
	f.String("prefix", "demo", "organisation slugs are PREFIX-01, PREFIX-02 …")
	return cmd
}
