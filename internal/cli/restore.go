package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/store"
)

func init() { extraCommands = append(extraCommands, (*env).restoreCmd) }

func (e *env) restoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a backup made by `holdfast backup` into an empty database",
		Long: "Restore a backup into the database given by --db / --data, which must be empty (a new data directory or an\n" +
			"empty PostgreSQL database; it is migrated first). The whole archive is checked before anything is written,\n" +
			"and everything is restored in one transaction: a damaged archive or any error leaves the database empty.\n" +
			"Uploaded files go to the data directory's files/ folder. Users sign in again afterwards.\n" +
			"FILE may be - for standard input. With --verify-only the archive is checked and nothing is written.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			verifyOnly, _ := cmd.Flags().GetBool("verify-only")
			f, size, cleanup, err := e.openArchive(args[0])
			if err != nil {
				return err
			}
			defer cleanup()
			if verifyOnly {
				info, err := store.VerifyBackup(f, size)
				if err != nil {
					return err
				}
				printBackupSummary(e.stdout, "The backup "+args[0]+" is intact and can be restored by this Holdfast", info)
				return nil
			}
			db, err := e.openDB(cmd, nil, false)
			if err != nil {
				return err
			}
			defer db.Close()
			info, err := db.Restore(cmd.Context(), f, size)
			if err != nil {
				return err
			}
			printBackupSummary(e.stdout, fmt.Sprintf("Restored %s into the %s database", args[0], db.Dialect()), info)
			fmt.Fprintln(e.stdout, "Sessions are not restored: users sign in again.")
			return nil
		},
	}
	cmd.Flags().Bool("verify-only", false, "only check that the archive is intact and restorable; write nothing")
	return cmd
}

// openArchive opens a backup file, or copies standard input ("-") to a
// temporary file, since a zip archive is read from its end.
func (e *env) openArchive(name string) (f *os.File, size int64, cleanup func(), err error) {
	if name != "-" {
		f, err = os.Open(name)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("open the backup: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, nil, err
		}
		return f, st.Size(), func() { f.Close() }, nil
	}
	f, err = os.CreateTemp("", "holdfast-restore-*.zip")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup = func() { f.Close(); os.Remove(f.Name()) }
	size, err = io.Copy(f, e.stdin)
	if err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("read the backup from standard input: %w", err)
	}
	return f, size, cleanup, nil
}
