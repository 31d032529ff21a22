package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func (e *env) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage user accounts"}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a user to an organisation with a role, creating the account if needed",
		Long: "Add a user to an organisation. A new account's password is read from --password-file or standard input;\n" +
			"an existing account keeps its password. Roles: owner, isms_manager, contributor, auditor, staff.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			slug, _ := f.GetString("org")
			email, _ := f.GetString("email")
			name, _ := f.GetString("name")
			role, _ := f.GetString("role")
			pwFile, _ := f.GetString("password-file")
			if slug == "" || email == "" || role == "" {
				return usageError{errors.New("--org, --email and --role are required")}
			}
			if !isms.Role(role).Valid() {
				return usageError{fmt.Errorf("unknown role %q: use owner, isms_manager, contributor, auditor or staff", role)}
			}
			db, err := e.openDB(cmd, nil, true)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := cmd.Context()
			if _, err := db.OrgBySlug(ctx, slug); isms.ErrorKind(err) == isms.KindNotFound {
				return fmt.Errorf("no organisation with slug %q", slug)
			} else if err != nil {
				return err
			}
			created := false
			if _, err := db.UserByEmail(ctx, email); isms.ErrorKind(err) == isms.KindNotFound {
				hash, err := e.newPasswordHash(pwFile)
				if err != nil {
					return err
				}
				if name == "" {
					name = strings.SplitN(email, "@", 2)[0]
				}
				if _, err := db.CreateUser(ctx, isms.User{Email: email, Name: name, PasswordHash: hash}); err != nil {
					return userError(err)
				}
				created = true
			} else if err != nil {
				return err
			}
			if err := db.AddMemberByEmail(ctx, slug, email, isms.Role(role)); err != nil {
				return userError(err)
			}
			what := "Added existing user"
			if created {
				what = "Created user"
			}
			fmt.Fprintf(e.stdout, "%s %s to %s as %s.\n", what, isms.NormalizeEmail(email), slug, role)
			return nil
		},
	}
	f := add.Flags()
	f.String("org", "", "organisation slug (required)")
	f.String("email", "", "user's email (required)")
	f.String("name", "", "user's name for a new account (default: the email's local part)")
	f.String("role", "", "role in the organisation (required)")
	f.String("password-file", "", "file whose first line is a new account's password (default: standard input)")
	cmd.AddCommand(add)
	return cmd
}
