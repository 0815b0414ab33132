package domain

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// What ILL Desk presents to partners when it sends them messages: the
// token each partner gave us, our client certificate for mutual TLS, and
// the partner's own server CA when it is self-signed.

// Setting keys of the outbound connection.
const (
	// SettingTLSClientCert and SettingTLSClientKey are the files of our
	// client certificate and its key, presented to partners that ask for
	// mutual TLS.
	SettingTLSClientCert = "tls_client_cert"
	SettingTLSClientKey  = "tls_client_key"
	// SettingAllowPlainHTTP, "on", lets partner endpoints be plain http on
	// another computer; otherwise only loopback addresses may be.
	SettingAllowPlainHTTP = "allow_plain_http"
)

// SecretPartnerToken, followed by a partner's code, is the key of the
// token we present to that partner in the secret store.
const SecretPartnerToken = "partner-token:"

// DefaultSendTimeout is how long one message may take to reach a partner
// and be answered before it counts as failed.
const DefaultSendTimeout = 30 * time.Second

// maxParallelPartners is how many partners are sent to at once.
const maxParallelPartners = 8

// PartnerTokenEnv is the environment variable that gives the token we
// present to a partner where no system keyring exists:
// ILLDESK_PARTNER_TOKEN_ and the code upper-cased, every character other
// than a letter or digit written "_".
func PartnerTokenEnv(code string) string {
	return "ILLDESK_PARTNER_TOKEN_" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, code)
}

// CheckOutboundToken refuses a token that cannot be sent as a bearer token:
// it must be visible ASCII, so that it travels unchanged in an HTTP header.
func CheckOutboundToken(token string) error {
	if token == "" || len(token) > 4096 || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return refuse(ErrInvalidInput, "A partner's token must be 1–4096 visible ASCII characters without spaces, as the partner gave it.")
	}
	return nil
}

// CheckServerCA refuses PEM text that is not one or more CA certificates.
func CheckServerCA(pemText string) error {
	_, err := serverCA(pemText)
	return err
}

// serverCA parses the certificates of a partner's server CA.
func serverCA(pemText string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(pemText)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, refuse(ErrInvalidInput, "The server CA file holds a %s; give only the partner's CA certificate (PEM).", strings.ToLower(block.Type))
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, refuse(ErrInvalidInput, "The server CA file holds a certificate that cannot be read: %v.", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, refuse(ErrInvalidInput, "The server CA file holds no certificate: give the partner's CA certificate in PEM (-----BEGIN CERTIFICATE-----).")
	}
	return certs, nil
}

// describeCA names a server CA in the audit trail without its whole PEM text.
func describeCA(pemText string) string {
	certs, err := serverCA(pemText)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(certs[0].Raw)
	return fmt.Sprintf("%s (SHA-256 %s)", certs[0].Subject, hex.EncodeToString(sum[:]))
}

// plainHTTP reports whether endpoint is plain http to a host other than
// this computer, where messages and our token would travel unencrypted.
func plainHTTP(endpoint string) bool {
	u, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(u.Scheme, "http") && !LoopbackHost(u.Hostname())
}

// shownEndpoint is an endpoint without the password it may carry.
func shownEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "the partner's endpoint"
	}
	return u.Redacted()
}

// checkEndpoint refuses, for a partner being added or changed, a plain
// http endpoint on another computer unless plain http is allowed.
func checkEndpoint(tx Tx, endpoint string) error {
	if !plainHTTP(endpoint) {
		return nil
	}
	allowed, err := tx.Setting(SettingAllowPlainHTTP)
	if err != nil || allowed == "on" {
		return err
	}
	return refuse(ErrInvalidInput, "The ISO 18626 endpoint %s is plain http to another computer: messages and the token we present would travel unencrypted. "+
		"Give its https:// address, or allow plain http with config set allow-plain-http on.", shownEndpoint(endpoint))
}

// outbound is what a pass over the outbox needs to know about how to reach
// partners.
type outbound struct {
	clientCert, clientKey string
	allowPlainHTTP        bool
}

func readOutbound(tx Tx) (outbound, error) {
	var o outbound
	var allow string
	for k, v := range map[string]*string{SettingTLSClientCert: &o.clientCert, SettingTLSClientKey: &o.clientKey, SettingAllowPlainHTTP: &allow} {
		var err error
		if *v, err = tx.Setting(k); err != nil {
			return o, err
		}
	}
	o.allowPlainHTTP = allow == "on"
	return o, nil
}

// destination decides where p's messages go and with which credentials;
// an error says why none may go now, as a failure kept with each message.
func (d *OutboxService) destination(p Partner, o outbound) (Destination, error) {
	if plainHTTP(p.ISOEndpoint) && !o.allowPlainHTTP {
		return Destination{}, fmt.Errorf("plain http to %s is refused, as messages and the token we present would travel unencrypted: "+
			"change partner %s's endpoint to its https:// address (partner edit %s --iso-endpoint URL), or allow plain http (config set allow-plain-http on)",
			shownEndpoint(p.ISOEndpoint), p.Code, p.Code)
	}
	if (o.clientCert == "") != (o.clientKey == "") {
		return Destination{}, errors.New("our client certificate is incomplete: set both tls-client-cert and tls-client-key, or neither")
	}
	to := Destination{URL: p.ISOEndpoint, ServerCAPEM: p.ServerCA, ClientCert: o.clientCert, ClientKey: o.clientKey}
	if d.secrets != nil {
		tok, err := d.secrets.Get(SecretPartnerToken + p.Code)
		if err != nil {
			return Destination{}, fmt.Errorf("the token for %s cannot be read: %w", p.Code, err)
		}
		to.Token = tok
	}
	return to, nil
}

// auditNote records a change of configuration described by one sentence
// (a secret's change, which must never be shown).
func (d *core) auditNote(tx Tx, by Actor, what, note string) error {
	ev := d.event(by, "")
	return tx.PutConfigChange(uuid.Must(uuid.NewV7()).String(),
		ConfigChange{At: ev.At, Operator: ev.Actor, Desk: ev.Desk, What: what, Changes: []string{note}})
}

// SetPartnerOutboundToken keeps the token we present to a partner (sent as
// "Authorization: Bearer TOKEN") in the system keyring, never in the
// database; the audit trail says only that it was set. It needs the
// Fulfillment Services role; by may be left out only while no operators
// are set up.
func (d *PartnerService) SetPartnerOutboundToken(code, token string, by ...Actor) error {
	if err := CheckOutboundToken(token); err != nil {
		return err
	}
	var p Partner
	if err := d.store.View(func(tx Tx) error {
		if err := allowTx(tx, actorOf(by), RoleFulfillment, "Setting a partner's token"); err != nil {
			return err
		}
		var err error
		p, err = partnerFor(tx, code)
		return err
	}); err != nil {
		return err
	}
	if d.secrets == nil {
		return refuse(ErrInvalidInput, "This workstation has no safe place for the token; set %s in ILL Desk's environment instead.", PartnerTokenEnv(p.Code))
	}
	if err := d.secrets.Set(SecretPartnerToken+p.Code, token); err != nil {
		return refuse(ErrInvalidInput, "The system keyring cannot keep the token here (%s); start ILL Desk with %s set instead — it is read when needed and never stored.",
			Redact(err.Error(), token), PartnerTokenEnv(p.Code))
	}
	return d.store.Update(func(tx Tx) error {
		return d.auditNote(tx, actorOf(by), "partner "+p.Code, "outbound token set")
	})
}

// SetPartnerServerCA sets the CA certificate (PEM) a partner's server is
// checked against when it is self-signed; "" trusts the system's
// authorities again. The audit trail names the certificate by subject and
// fingerprint. It needs the Fulfillment Services role; by may be left out
// only while no operators are set up.
func (d *PartnerService) SetPartnerServerCA(code, pemText string, by ...Actor) error {
	if strings.TrimSpace(pemText) == "" {
		pemText = ""
	} else if err := CheckServerCA(pemText); err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, actorOf(by), RoleFulfillment, "Setting a partner's server CA"); err != nil {
			return err
		}
		p, err := partnerFor(tx, code)
		if err != nil {
			return err
		}
		before := p.ServerCA
		p.ServerCA = pemText
		if err := d.auditConfig(tx, actorOf(by), "partner "+p.Code, map[string]string{"server_ca": describeCA(before)},
			map[string]string{"server_ca": describeCA(p.ServerCA)}); err != nil {
			return err
		}
		return tx.PutPartner(p)
	})
}

// ClientCertificate is the files of our client certificate and key for
// mutual TLS, "" when unset.
func (d *PartnerService) ClientCertificate() (cert, key string, err error) {
	err = d.store.View(func(tx Tx) error {
		o, err := readOutbound(tx)
		cert, key = o.clientCert, o.clientKey
		return err
	})
	return cert, key, err
}

// SetClientCertificate sets the files of our client certificate and key
// ("" for none); the front end has checked that they load. It needs the
// Fulfillment Services role; by may be left out only while no operators
// are set up.
func (d *PartnerService) SetClientCertificate(cert, key string, by ...Actor) error {
	return d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, actorOf(by), RoleFulfillment, "Setting our client certificate"); err != nil {
			return err
		}
		o, err := readOutbound(tx)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "client certificate",
			map[string]string{SettingTLSClientCert: o.clientCert, SettingTLSClientKey: o.clientKey},
			map[string]string{SettingTLSClientCert: cert, SettingTLSClientKey: key}); err != nil {
			return err
		}
		if err := tx.PutSetting(SettingTLSClientCert, cert); err != nil {
			return err
		}
		return tx.PutSetting(SettingTLSClientKey, key)
	})
}

// AllowPlainHTTP reports whether plain http is allowed to and from other
// computers (config set allow-plain-http on).
func (d *PartnerService) AllowPlainHTTP() (bool, error) {
	var o outbound
	err := d.store.View(func(tx Tx) error {
		var err error
		o, err = readOutbound(tx)
		return err
	})
	return o.allowPlainHTTP, err
}

// SetAllowPlainHTTP allows or forbids plain http with other computers. It
// needs the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *PartnerService) SetAllowPlainHTTP(on bool, by ...Actor) error {
	v := ""
	if on {
		v = "on"
	}
	return d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, actorOf(by), RoleFulfillment, "Allowing plain http"); err != nil {
			return err
		}
		before, err := tx.Setting(SettingAllowPlainHTTP)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "plain http", map[string]string{SettingAllowPlainHTTP: before},
			map[string]string{SettingAllowPlainHTTP: v}); err != nil {
			return err
		}
		return tx.PutSetting(SettingAllowPlainHTTP, v)
	})
}
