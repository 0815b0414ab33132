package domain

import (
	"time"
)

// SettingPublicURL is the address partners reach this desk's server at
// (`illdesk serve`), used for download links of shipped files.
const SettingPublicURL = "public_url"

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // will be retried
	// DeliveryAvailable means the partner downloads the file from our server.
	DeliveryAvailable = "available"
	// DeliveryRevoked means staff revoked the download link.
	DeliveryRevoked = "revoked"
)

// Delivery is a shipped file on its way to the partner.
type Delivery struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	Ref       string    `json:"ref"`
	Partner   string    `json:"partner"`
	Method    string    `json:"method"`
	Target    string    `json:"target,omitempty"`
	File      string    `json:"file"` // name in the vault
	Created   time.Time `json:"created"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Where     string    `json:"where,omitempty"`
	At        time.Time `json:"at,omitzero"`
	// TokenHash is the SHA-256 in hex of the secret token of a download
	// link (the token itself is not kept); empty for other deliveries and
	// for links made before tokens, which the delivery's id names.
	TokenHash string `json:"token_hash,omitempty"`
	// Expires is when a download link stops working.
	Expires time.Time `json:"expires,omitzero"`
	// Revoked is when staff revoked a download link.
	Revoked time.Time `json:"revoked,omitzero"`
	// Lease is the claim of the dispatcher sending the file now.
	Lease Lease `json:"lease,omitzero"`
}

// FileSender delivers a shipped file by email or into a folder.
type FileSender interface {
	SendFile(d Delivery, path string) (where string, err error)
}

// sendable reports whether the file still has to be sent by email or into
// a folder.
func (dl Delivery) sendable() bool {
	return dl.Status == DeliveryPending || dl.Status == DeliveryFailed
}
