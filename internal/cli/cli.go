// Package cli implements the holdfast command: one file per subcommand.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// Version is set at build time with -ldflags "-X …/cli.Version=v1.2.3".
var Version = "dev"

// usageError marks command-line mistakes (exit status 2).
type usageError struct{ error }

// ExitCode maps an error from Run to a process exit status.
func ExitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// env bundles the process environment a command may use.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Run executes the holdfast command line.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "holdfast",
		Short:         "Holdfast: a self-hosted ISO/IEC 27001:2022 information security management system",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return e.applyConfig(cmd)
		},
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().String("data", "./holdfast-data", "directory for the SQLite database and uploaded files")
	root.PersistentFlags().String("db", "", "PostgreSQL URL (postgres://…); empty uses the built-in SQLite database in --data")
	root.PersistentFlags().String("config", "", "optional configuration file of key = value lines (keys are flag names)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(e.serveCmd(), e.migrateCmd(), e.initCmd(), e.userCmd(), e.tokenCmd(), e.checkCmd(), e.versionCmd())
	for _, c := range extraCommands {
		root.AddCommand(c(e))
	}
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		return usageError{err}
	}
	return err
}

// extraCommands lets subcommands defined in other files register
// themselves (backup, restore …).
var extraCommands []func(*env) *cobra.Command

// applyConfig fills every flag the user did not set from HOLDFAST_<FLAG>
// in the environment, then from the configuration file: flags win over
// the environment, which wins over the file.
func (e *env) applyConfig(cmd *cobra.Command) error {
	file := map[string]string{}
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = e.getenv("HOLDFAST_CONFIG")
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return usageError{fmt.Errorf("read configuration file: %w", err)}
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return usageError{fmt.Errorf("%s line %d: expected key = value", path, n)}
			}
			file[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
		}
		if err := sc.Err(); err != nil {
			return err
		}
	}
	var ferr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || ferr != nil || f.Name == "config" || f.Name == "help" {
			return
		}
		v, ok := file[f.Name]
		if ev := e.getenv("HOLDFAST_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))); ev != "" {
			v, ok = ev, true
		}
		if ok {
			if err := f.Value.Set(v); err != nil {
				ferr = usageError{fmt.Errorf("invalid value %q for %s: %w", v, f.Name, err)}
			}
		}
	})
	return ferr
}

// openDB opens the database named by --db / --data. With migrate set it
// applies pending migrations.
func (e *env) openDB(cmd *cobra.Command, log *slog.Logger, migrate bool) (*store.DB, error) {
	return e.open(cmd, store.Config{Logger: log}, migrate)
}

// open is openDB with cfg's other settings.
func (e *env) open(cmd *cobra.Command, cfg store.Config, migrate bool) (*store.DB, error) {
	cfg.DataDir, _ = cmd.Flags().GetString("data")
	cfg.DSN, _ = cmd.Flags().GetString("db")
	if cfg.DSN != "" && !store.IsPostgresDSN(cfg.DSN) {
		return nil, usageError{errors.New("--db must be a postgres:// URL; leave it empty for the built-in SQLite database")}
	}
	db, err := store.Open(cmd.Context(), cfg)
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := db.Migrate(cmd.Context())
		if err != nil {
			db.Close()
			return nil, err
		}
		if n > 0 && cfg.Logger != nil {
			cfg.Logger.Info("database migrated", "applied", n)
		}
	}
	return db, nil
}

// openExistingDB opens a database that must already hold Holdfast's
// records: on SQLite a missing database file is an error rather than a
// new empty database (for check and backup).
func (e *env) openExistingDB(cmd *cobra.Command) (*store.DB, error) {
	dataDir, _ := cmd.Flags().GetString("data")
	dsn, _ := cmd.Flags().GetString("db")
	if dsn == "" {
		if _, err := os.Stat(filepath.Join(dataDir, "holdfast.db")); err != nil {
			return nil, fmt.Errorf("no Holdfast database in %s: give --data the directory Holdfast serves from, or --db a PostgreSQL URL", dataDir)
		}
	}
	return e.open(cmd, store.Config{Existing: true}, false)
}

// userError renders a domain error for the terminal, naming fields.
func userError(err error) error {
	if err == nil {
		return nil
	}
	var e *isms.Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Kind == isms.KindInternal {
		return err
	}
	msg := i18n.Default.Msg(e.Msg)
	for _, f := range e.Fields {
		msg += fmt.Sprintf("\n  %s: %s", f.Field, i18n.Default.Msg(f.Msg))
	}
	return errors.New(msg)
}

// readPassword reads a password from file (or standard input with "-" or
// when file is empty), taking the first line.
func (e *env) readPassword(file string) (string, error) {
	var r io.Reader = e.stdin
	if file != "" && file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("read password file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{errors.New("no password given: use --password-file FILE or pipe the password on standard input")}
	}
	return pw, nil
}

func buildVersion() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
	}
	return v
}

// newPasswordHash reads a new account's password (see readPassword),
// checks it against the password rules and hashes it.
func (e *env) newPasswordHash(file string) (string, error) {
	pw, err := e.readPassword(file)
	if err != nil {
		return "", err
	}
	if err := isms.ValidatePassword("password", pw); err != nil {
		return "", userError(err)
	}
	return auth.HashPassword(pw)
}
