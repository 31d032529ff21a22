package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/auth"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

func (e *env) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user; the token is the last line of the output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			email, _ := cmd.Flags().GetString("email")
			name, _ := cmd.Flags().GetString("name")
			if email == "" || name == "" {
				return usageError{errors.New("--email and --name are required")}
			}
			db, err := e.openDB(cmd, nil, true)
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := db.UserByEmail(cmd.Context(), email)
			if isms.ErrorKind(err) == isms.KindNotFound {
				return fmt.Errorf("no user with email %q", email)
			} else if err != nil {
				return err
			}
			secret, prefix, hash := auth.NewAPIToken()
			if _, err := db.CreateToken(cmd.Context(), u.ID, name, prefix, hash); err != nil {
				return userError(err)
			}
			fmt.Fprintf(e.stdout, "Created API token %q for %s. It acts with this user's roles and is shown only once:\n%s\n", name, u.Email, secret)
			return nil
		},
	}
	create.Flags().String("email", "", "the user the token acts as (required)")
	create.Flags().String("name", "", "a name to recognise the token by (required)")
	cmd.AddCommand(create)
	return cmd
}
