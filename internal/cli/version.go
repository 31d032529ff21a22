package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/catalog"
)

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(e.stdout, "holdfast %s (%s, %s/%s, catalogue %s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH, catalog.Version)
			return nil
		},
	}
}
