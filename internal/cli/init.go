package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

func (e *env) initCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create an organisation and its owner without the browser",
		Long: "Create an organisation and its owner. The password is read from --password-file or standard input.\n" +
			"If an account with the email exists, it becomes the owner and its password is left unchanged.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			org, _ := f.GetString("org")
			slug, _ := f.GetString("slug")
			size, _ := f.GetString("size")
			tz, _ := f.GetString("time-zone")
			email, _ := f.GetString("email")
			name, _ := f.GetString("name")
			pwFile, _ := f.GetString("password-file")
			if org == "" || email == "" {
				return usageError{errors.New("--org and --email are required")}
			}
			if slug == "" {
				slug = isms.Slugify(org)
			}
			if name == "" {
				name = strings.SplitN(email, "@", 2)[0]
			}
			db, err := e.openDB(cmd, nil, true)
			if err != nil {
				return err
			}
			defer db.Close()
			hash := ""
			if _, err := db.UserByEmail(cmd.Context(), email); isms.ErrorKind(err) == isms.KindNotFound {
				if hash, err = e.newPasswordHash(pwFile); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			o, u, err := db.InitOrg(cmd.Context(), isms.Organisation{Name: org, Slug: slug, SizeBand: isms.SizeBand(size), TimeZone: tz},
				isms.User{Email: email, Name: name, PasswordHash: hash})
			if err != nil {
				return userError(err)
			}
			fmt.Fprintf(e.stdout, "Created organisation %q (slug %s) with owner %s.\n", o.Name, o.Slug, u.Email)
			return nil
		},
	}
	f := cmd.Flags()
	f.String("org", "", "organisation name (required)")
	f.String("slug", "", "short name used in URLs (default: derived from the name)")
	f.String("size", "small", "size band: micro, small, medium or large")
	f.String("time-zone", "UTC", "organisation time zone, e.g. Europe/London")
	f.String("email", "", "owner's email (required)")
	f.String("name", "", "owner's name (default: the email's local part)")
	f.String("password-file", "", "file whose first line is the owner's password (default: standard input)")
	return cmd
}
