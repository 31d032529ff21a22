package cli

import (
	"fmt"

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
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := e.openExistingDB(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.CheckSchema(cmd.Context()); err != nil {
				return err
			}
			n, brk, err := db.VerifyAuditLog(cmd.Context())
			if err != nil {
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
	return cmd
}
