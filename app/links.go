package main

import (
	"crypto/rand"
	"encoding/base64"
)

// linkToken makes the secret token of a download link: 128 bits from
// crypto/rand, base64url without padding (22 characters).
func linkToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error: it ends the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// cmdLink revokes the download links of a request.
func (s *requestCommands) cmdLink(args []string) error {
	const usage = "usage: illdesk link revoke REF"
	if len(args) != 2 || args[0] != "revoke" {
		return usagef("%s", usage)
	}
	r, revoked, err := s.desk.RevokeLinks(args[1], s.actor())
	if err != nil {
		return err
	}
	if len(revoked) == 0 {
		s.printf("%s has no download link that still works; nothing was revoked.\n", r.Ref())
		return nil
	}
	for _, dl := range revoked {
		s.printf("%s: the download link of %s for %s is revoked.\n", r.Ref(), dl.File, dl.Partner)
	}
	return nil
}
