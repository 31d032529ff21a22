package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token so that secret scanners and people
// recognise one.
const TokenPrefix = "hf_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// RandomToken returns n random bytes as lower-case base32 text.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return strings.ToLower(b32.EncodeToString(b))
}

// NewAPIToken returns a new token secret, the short prefix shown in lists,
// and the hash to store.
func NewAPIToken() (secret, prefix, hash string) {
	secret = TokenPrefix + RandomToken(32)
	return secret, secret[:len(TokenPrefix)+6], HashToken(secret)
}

// HashToken returns the SHA-256 hex digest stored for a token secret. API
// tokens carry 256 bits of randomness, so a fast hash is enough.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
