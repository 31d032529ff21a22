package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/server"
)

func (e *env) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Start the web UI and API",
		Args:  cobra.NoArgs,
		RunE:  e.serve,
	}
	f := cmd.Flags()
	f.String("addr", "127.0.0.1:8080", "address to listen on")
	f.String("base-url", "", "public URL of this instance (default http://ADDR); used in printed links")
	f.Bool("no-migrate", false, "refuse to start on an out-of-date schema instead of migrating it")
	f.String("log-format", "text", "log format: text or json")
	f.String("log-level", "info", "log level: debug, info, warn or error")
	f.Bool("trust-proxy", false, "take client addresses from X-Forwarded-For (behind a reverse proxy)")
	f.Bool("secure-cookies", false, "mark cookies Secure and send HSTS (when served over HTTPS; implied by an https base URL)")
	f.Int64("max-body", 1<<20, "largest request body accepted, in bytes")
	f.Int64("max-upload", 20<<20, "largest evidence file accepted, in bytes")
	return cmd
}

// newLogger builds the structured logger from --log-format/--log-level.
func newLogger(cmd *cobra.Command, e *env) (*slog.Logger, error) {
	format, _ := cmd.Flags().GetString("log-format")
	level, _ := cmd.Flags().GetString("log-level")
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("--log-level: %w", err)}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format must be text or json, not %q", format)}
}

func (e *env) serve(cmd *cobra.Command, _ []string) error {
	log, err := newLogger(cmd, e)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	f := cmd.Flags()
	addr, _ := f.GetString("addr")
	noMigrate, _ := f.GetBool("no-migrate")
	db, err := e.openDB(cmd, log, !noMigrate)
	if err != nil {
		return err
	}
	defer db.Close()
	if noMigrate {
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
	}
	// A new binary may bring catalogue controls an organisation lacks.
	if n, err := db.SyncCatalogControls(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("added catalogue controls to existing organisations", "controls", n)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base, _ := f.GetString("base-url")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	base = strings.TrimRight(base, "/")
	secure, _ := f.GetBool("secure-cookies")
	trust, _ := f.GetBool("trust-proxy")
	maxBody, _ := f.GetInt64("max-body")
	maxUpload, _ := f.GetInt64("max-upload")
	if maxUpload < 1 {
		return usageError{fmt.Errorf("--max-upload must be a positive number of bytes")}
	}
	h := server.New(server.Config{
		SecureCookies: secure || strings.HasPrefix(base, "https://"),
		TrustProxy:    trust, MaxBody: maxBody, MaxUpload: maxUpload, Version: buildVersion(), Log: log,
	}, db)
	tuneMemory()
	idle := newIdleReleaser()
	srv := &http.Server{
		Handler:           idle.wrap(h),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "Holdfast %s is running at %s (database: %s)\n", buildVersion(), base, db.Dialect())
	tok, err := db.SetupToken(ctx, func() string { return auth.RandomToken(20) })
	if err != nil {
		return err
	}
	if tok != "" {
		fmt.Fprintf(e.stdout, "No user exists yet. Open this one-time setup link to create the first organisation and its owner:\n  %s/setup?token=%s\n", base, tok)
	}
	go func() {
		// Statistics are kept in the database, so pages are served with the
		// last ones while they are refreshed.
		if err := db.Optimize(ctx, false); err != nil {
			log.Warn("refresh planner statistics", "err", err)
		}
		// Start-up work (migrations, catalogue sync, statistics) leaves
		// garbage behind and the binary's pages mapped; hand both back to
		// the system rather than carry them while idle.
		releaseStartup(log)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		quiet := time.NewTicker(idleAfter / 4)
		defer quiet.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-quiet.C:
				idle.check()
			case <-t.C:
				if err := db.DeleteExpiredSessions(ctx); err != nil {
					log.Warn("remove expired sessions", "err", err)
				}
				if err := db.Optimize(ctx, true); err != nil {
					log.Warn("refresh planner statistics", "err", err)
				}
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
	}
	return nil
}
