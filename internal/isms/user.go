package isms

import "time"

// User is a person who can sign in. Users belong to organisations through
// memberships.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate checks a user's name and email.
func (u User) Validate() error {
	var p Problems
	checkText(&p, "name", u.Name, true, 200)
	checkEmail(&p, "email", u.Email, true)
	return p.Err()
}

// MinPasswordLength and MaxPasswordLength bound passwords (NIST 800-63B:
// length over composition rules).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// ValidatePassword checks a new password.
func ValidatePassword(field, pw string) error {
	n := len([]rune(pw))
	if n < MinPasswordLength {
		return Invalid(field, "validation.password_short", MinPasswordLength)
	}
	if n > MaxPasswordLength {
		return Invalid(field, "validation.too_long", MaxPasswordLength)
	}
	return nil
}

// Membership is a user's role in one organisation.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	// Filled in by listings.
	UserEmail string
	UserName  string
	OrgSlug   string
	OrgName   string
}

// APIToken is a named bearer token acting as its user. Only its hash is
// stored; the secret is shown once at creation.
type APIToken struct {
	ID         string
	UserID     string
	Name       string
	Prefix     string // first characters of the secret, to recognise it
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Session describes one signed-in browser session of a user.
type Session struct {
	ID         string // a short, non-secret handle derived from the token hash
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
	Current    bool
}
