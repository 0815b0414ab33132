// Package keyring keeps ILL Desk's secrets (the SMTP password, the tokens
// we present to partners) in the operating system's keyring, through
// go-keyring.
package keyring

import (
	"strings"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/illdesk/illdesk/domain"
)

// keyringService names ILL Desk's entries in the system keyring.
const keyringService = "ILL Desk"

// EnvSMTPPassword is the environment variable that gives the SMTP password
// where no system keyring is available (a server without a desktop session).
const EnvSMTPPassword = "ILLDESK_SMTP_PASSWORD"

// EnvNCIPKey is the environment variable that gives the ILS's API key
// where no system keyring is available.
const EnvNCIPKey = "ILLDESK_NCIP_KEY"

// Secrets keeps secrets in the operating system's keyring — the Secret
// Service on Linux, the Keychain on macOS, the Credential Manager on
// Windows — so they are never written into the database.
type Secrets struct {
	// Getenv reads the environment; the SMTP password and the partners'
	// tokens (domain.PartnerTokenEnv) set there win.
	Getenv func(string) string
}

var _ domain.SecretStore = Secrets{}

// Get returns a secret, "" when none is kept (or no keyring can be reached).
func (k Secrets) Get(key string) (string, error) {
	if k.Getenv != nil && strings.HasPrefix(key, "smtp:") {
		if v := k.Getenv(EnvSMTPPassword); v != "" {
			return v, nil
		}
	}
	if key == domain.SecretNCIPKey && k.Getenv != nil {
		if v := k.Getenv(EnvNCIPKey); v != "" {
			return v, nil
		}
	}
	if code, ok := strings.CutPrefix(key, domain.SecretPartnerToken); ok && k.Getenv != nil {
		if v := k.Getenv(domain.PartnerTokenEnv(code)); v != "" {
			return v, nil
		}
	}
	v, err := gokeyring.Get(keyringService, key)
	if err != nil {
		// Not found, or no keyring on this machine: there is no secret to
		// use, and the mail server then refuses the login and says so.
		return "", nil
	}
	return v, nil
}

// Set keeps a secret in the system keyring.
func (k Secrets) Set(key, value string) error {
	return gokeyring.Set(keyringService, key, value)
}
