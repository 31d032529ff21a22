package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/store"
)

func init() { extraCommands = append(extraCommands, (*env).backupCmd) }

func (e *env) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a backup of everything to FILE (a zip archive; - for standard output)",
		Long: "Write a backup of every organisation, record, history entry, audit log entry and uploaded file to FILE.\n" +
			"The archive is independent of the database: `holdfast restore` loads it into an empty SQLite or PostgreSQL\n" +
			"database, which is also how to move from one to the other. It holds password hashes and evidence: store it\n" +
			"as securely as the database. Browser sessions are not included, so users sign in again after a restore.\n" +
			"The file is written atomically (a temporary file renamed into place) and readable only by its owner.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := e.openExistingDB(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			target := args[0]
			opt := store.WithHoldfastVersion(buildVersion())
			if target == "-" {
				info, err := db.Backup(cmd.Context(), e.stdout, opt)
				if err != nil {
					return err
				}
				// Standard output holds the archive: the summary goes to stderr.
				printBackupSummary(e.stderr, "Backup written to standard output", info)
				return nil
			}
			dir := filepath.Dir(target)
			tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
			if err != nil {
				return fmt.Errorf("create the backup file: %w", err)
			}
			ok := false
			defer func() {
				if !ok {
					tmp.Close()
					os.Remove(tmp.Name())
				}
			}()
			info, err := db.Backup(cmd.Context(), tmp, opt)
			if err != nil {
				return err
			}
			if err := tmp.Sync(); err != nil {
				return fmt.Errorf("write the backup file: %w", err)
			}
			if err := tmp.Close(); err != nil {
				return fmt.Errorf("write the backup file: %w", err)
			}
			if err := os.Rename(tmp.Name(), target); err != nil {
				return fmt.Errorf("move the backup into place: %w", err)
			}
			ok = true
			printBackupSummary(e.stdout, "Backup written to "+target, info)
			return nil
		},
	}
}

// printBackupSummary reports what an archive holds.
func printBackupSummary(w io.Writer, title string, info store.BackupInfo) {
	fmt.Fprintf(w, "%s (%d bytes).\n", title, info.ArchiveSize)
	fmt.Fprintf(w, "  organisations: %d\n", info.TableRows("organisations"))
	fmt.Fprintf(w, "  tables:        %d (%d rows)\n", len(info.Tables), info.Rows())
	fmt.Fprintf(w, "  files:         %d (%d bytes)\n", len(info.Files), info.FileBytes())
	fmt.Fprintf(w, "  schema:        version %d, from %s, made %s by holdfast %s\n", info.SchemaVersion, info.SourceDialect,
		info.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), orDash(info.HoldfastVersion))
	fmt.Fprintf(w, "  SHA-256:       %s\n", info.ArchiveSHA256)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
