// Command holdfast runs the Holdfast ISMS: `holdfast serve` starts the web
// UI and API; other subcommands set up, check, back up and restore it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // organisation time zones work without system zoneinfo

	"github.com/holdfast-isms/holdfast/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "holdfast:", err)
		os.Exit(cli.ExitCode(err))
	}
}
