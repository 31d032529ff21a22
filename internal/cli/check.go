package cli

import (
	"fmt"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/spf13/cobra"
)

// errCheckFailed is returned when a check finds a problem; the report has
// already been printed.
type errCheckFailed struct{ msg string }

func (e errCheckFailed) Error() string { return e.msg }

func (e *env) checkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the installation: today, that the audit log's hash chain is intact",
		Long: "Check the installation: today, that the audit log's hash chain is intact.\n" +
			"With --org, only that organisation's chain is verified.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The check reads every audit entry once and keeps none: with
			// Go's default the collector ran every few megabytes, over a
			// live heap of a few. The server's settings suit it as well.
			tuneMemory()
			slug, _ := cmd.Flags().GetString("org")
			db, err := e.openExistingDB(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := cmd.Context()
			if err := db.CheckSchema(ctx); err != nil {
				return err
			}
			var n int64
			var brk *isms.ChainBreak
			if slug != "" {
				o, err := db.OrgBySlug(ctx, slug)
				if isms.ErrorKind(err) == isms.KindNotFound {
					return usageError{fmt.Errorf("no organisation with the slug %q", slug)}
				}
				if err != nil {
					return err
				}
				n, brk, err = db.VerifyOrgAuditLog(ctx, o.ID)
				if err != nil {
					return err
				}
			} else if n, brk, err = db.VerifyAuditLog(ctx); err != nil {
				return err
			}
			if brk != nil {
				org := brk.OrgID
				if org == "" {
					org = "(installation)"
				}
				fmt.Fprintf(e.stdout, "Audit log: BROKEN. First broken entry: organisation %s, entry #%d (id %s): %s.\n", org, brk.Seq, brk.ID, brk.Reason)
				return errCheckFailed{fmt.Sprintf("the audit log has been tampered with at entry #%d of organisation %s", brk.Seq, org)}
			}
			fmt.Fprintf(e.stdout, "Audit log: intact (%d entries verified).\n", n)
			return nil
		},
	}
	cmd.Flags().Bool("audit-log", true, "verify the audit log's hash chain")
	cmd.Flags().String("org", "", "check only the organisation with this slug")
	return cmd
}
