package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/netip"
	"strings"
	"time"
)

// Refusals of a network caller, before its message is read any further.
var (
	// ErrUnauthenticated means a message from the network came without a
	// valid credential of the partner it names.
	ErrUnauthenticated = errors.New("caller not authenticated")
	// ErrForbiddenCaller means a caller proved to be another partner than
	// the one its message names, or came from an address the partner may
	// not send from.
	ErrForbiddenCaller = errors.New("caller not allowed")
)

// MinInboundTokenLength is the shortest inbound token accepted: tokens are
// long random strings, so one unsalted SHA-256 keeps them safe at rest.
const MinInboundTokenLength = 32

const tokenHashPrefix = "sha256:"

// hashToken is how an inbound token is kept.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return tokenHashPrefix + hex.EncodeToString(sum[:])
}

// SetInboundToken makes token the one the partner must present; the
// partner then no longer goes without authentication.
func (p *Partner) SetInboundToken(token string) error {
	token = strings.TrimSpace(token)
	if len(token) < MinInboundTokenLength || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return refuse(ErrInvalidInput, "An inbound token must be at least %d printable characters without spaces, e.g. from: openssl rand -hex 32.", MinInboundTokenLength)
	}
	p.InboundToken, p.NoAuth = hashToken(token), false
	return nil
}

// SetClientCA makes the certificates in pemText the authority whose client
// certificates prove the partner; "" removes it. Only the certificates
// are kept: a private key given in the same file is dropped.
func (p *Partner) SetClientCA(pemText string) error {
	if strings.TrimSpace(pemText) == "" {
		p.ClientCA = ""
		return nil
	}
	certs, err := parseCerts(pemText)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, c := range certs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	p.ClientCA, p.NoAuth = b.String(), false
	return nil
}

// SetAllowFrom limits the addresses the partner's messages may come from
// to the networks in list (CIDR or single addresses, comma-separated); ""
// lifts the limit.
func (p *Partner) SetAllowFrom(list string) error {
	var nets []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		pfx, err := parseAllowed(f)
		if err != nil {
			return refuse(ErrInvalidInput, "%q is not a network: write CIDR such as 192.0.2.0/24 or 2001:db8::/32, or one address.", f)
		}
		nets = append(nets, pfx.String())
	}
	p.AllowFrom = nets
	if len(nets) > 0 {
		p.NoAuth = false
	}
	return nil
}

// SetNoAuth records that the partner needs no credential at all: its
// token, certificate authority and address limit are removed.
func (p *Partner) SetNoAuth() {
	p.InboundToken, p.ClientCA, p.AllowFrom, p.NoAuth = "", "", nil, true
}

// HasCredential reports whether the partner must present a token or a
// client certificate.
func (p Partner) HasCredential() bool { return p.InboundToken != "" || p.ClientCA != "" }

// NotAuthenticated reports a partner exchanging ISO 18626 messages whose
// messages are taken on its word: no credential, no address limit, and
// staff have not chosen --no-auth.
func (p Partner) NotAuthenticated() bool {
	return p.AgencyID != "" && !p.HasCredential() && len(p.AllowFrom) == 0 && !p.NoAuth
}

// Authentication says in a few words how the partner proves who it is,
// for staff; it never shows a credential.
func (p Partner) Authentication() string {
	var ways []string
	if p.InboundToken != "" {
		ways = append(ways, "token")
	}
	if p.ClientCA != "" {
		ways = append(ways, "client certificate")
	}
	if len(p.AllowFrom) > 0 {
		ways = append(ways, "from "+strings.Join(p.AllowFrom, ","))
	}
	switch {
	case len(ways) > 0:
		return strings.Join(ways, " + ")
	case p.NoAuth:
		return "none (no-auth)"
	case p.NotAuthenticated():
		return "not authenticated"
	}
	return ""
}

// credentialsShown is p as the audit log keeps it: its token and
// certificate authority only as "set" or "not set", changed ones marked.
func credentialsShown(p, other Partner) Partner {
	shown := func(v, o string) string {
		switch {
		case v == "":
			return "not set"
		case o != "" && o != v:
			return "set (" + hashToken(v)[len(tokenHashPrefix):][:8] + ")"
		}
		return "set"
	}
	if p.InboundToken != "" || other.InboundToken != "" {
		p.InboundToken = shown(p.InboundToken, other.InboundToken)
	}
	if p.ClientCA != "" || other.ClientCA != "" {
		p.ClientCA = shown(p.ClientCA, other.ClientCA)
	}
	return p
}

func parseAllowed(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		return pfx.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseCerts reads the certificates of a PEM text, at least one.
func parseCerts(pemText string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(pemText)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, refuse(ErrInvalidInput, "The client CA file holds a certificate that cannot be read: %v.", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, refuse(ErrInvalidInput, "The client CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----).")
	}
	return certs, nil
}

// caPool is the pool of the certificates of a PEM text.
func caPool(pemText string) (*x509.CertPool, error) {
	certs, err := parseCerts(pemText)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// ClientCAs is every certificate of the partners' client CAs, for a TLS
// server to ask for and verify client certificates with; the desk then
// checks that a certificate belongs to the partner a message names.
func ClientCAs(partners []Partner) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, p := range partners {
		if p.ClientCA != "" {
			pool.AppendCertsFromPEM([]byte(p.ClientCA))
		}
	}
	return pool
}

// presented is what a caller shows: its tokens hashed once, its chains.
type presented struct {
	hashes []string
	chains [][]*x509.Certificate
	now    time.Time
}

func present(c Caller, securityCode string, now time.Time) presented {
	pr := presented{chains: c.Chains, now: now}
	for _, t := range []string{c.Token, securityCode} {
		if t != "" {
			pr.hashes = append(pr.hashes, hashToken(t))
		}
	}
	return pr
}

// provesTo reports whether what was presented is one of p's credentials.
func (pr presented) provesTo(p Partner) bool {
	if p.InboundToken != "" {
		for _, h := range pr.hashes {
			if subtle.ConstantTimeCompare([]byte(h), []byte(p.InboundToken)) == 1 {
				return true
			}
		}
	}
	if p.ClientCA == "" || len(pr.chains) == 0 {
		return false
	}
	pool, err := caPool(p.ClientCA)
	if err != nil {
		return false
	}
	for _, chain := range pr.chains {
		if len(chain) == 0 {
			continue
		}
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		if _, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: pr.now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
			return true
		}
	}
	return false
}

// owner is the code of a partner other than except whose credential was
// presented, "" when none.
func (pr presented) owner(partners []Partner, except string) string {
	if len(pr.hashes) == 0 && len(pr.chains) == 0 {
		return ""
	}
	for _, q := range partners {
		if q.Code != except && q.HasCredential() && pr.provesTo(q) {
			return q.Code
		}
	}
	return ""
}

// allowedFrom reports whether addr is inside p's address limit (any
// address when it has none).
func allowedFrom(p Partner, addr string) bool {
	if len(p.AllowFrom) == 0 {
		return true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, n := range p.AllowFrom {
		if pfx, err := netip.ParsePrefix(n); err == nil && pfx.Contains(a) {
			return true
		}
	}
	return false
}

// CallerCheck is what deciding on a network caller found.
type CallerCheck struct {
	// Partner is the partner the message names; Found is false when no
	// partner has that agency id.
	Partner Partner
	Found   bool
	// Proven is true when the caller proved to be that partner (a
	// credential or an allowed address), false when it is taken on its
	// word or the agency is unknown.
	Proven bool
}

// CheckCaller decides whether caller c may send a message naming the
// agency claimed (securityCode is the message's own credential, if any).
// When the named partner has a token or a client CA, the caller must
// present one of them (else ErrUnauthenticated) and come from an allowed
// address (else ErrForbiddenCaller). A credential of another partner is
// ErrForbiddenCaller, also on a message naming an unknown agency. A
// partner with neither credential is taken on its word, from its allowed
// addresses. It reads nothing but its arguments.
func CheckCaller(partners []Partner, claimed, securityCode string, c Caller, now time.Time) (CallerCheck, error) {
	pr := present(c, securityCode, now)
	for _, p := range partners {
		if p.AgencyID == "" || !strings.EqualFold(p.AgencyID, claimed) {
			continue
		}
		if pr.provesTo(p) {
			if !allowedFrom(p, c.Addr) {
				return CallerCheck{}, refuse(ErrForbiddenCaller, "Partner %s may not send from %q; nothing changed.", p.Code, c.Addr)
			}
			return CallerCheck{Partner: p, Found: true, Proven: true}, nil
		}
		if q := pr.owner(partners, p.Code); q != "" {
			return CallerCheck{}, refuse(ErrForbiddenCaller, "A message naming %q came from %q with the credential of partner %s; nothing changed.", claimed, c.Addr, q)
		}
		if p.HasCredential() {
			return CallerCheck{}, refuse(ErrUnauthenticated, "A message naming %q came from %q without a valid credential of partner %s; nothing changed.", claimed, c.Addr, p.Code)
		}
		if !allowedFrom(p, c.Addr) {
			return CallerCheck{}, refuse(ErrForbiddenCaller, "Partner %s may not send from %q; nothing changed.", p.Code, c.Addr)
		}
		return CallerCheck{Partner: p, Found: true, Proven: len(p.AllowFrom) > 0}, nil
	}
	if q := pr.owner(partners, ""); q != "" {
		return CallerCheck{}, refuse(ErrForbiddenCaller, "A message naming the unknown agency %q came from %q with the credential of partner %s; nothing changed.", claimed, c.Addr, q)
	}
	return CallerCheck{}, nil
}

// claimedSender is the agency a message says it comes from: its sender,
// or for a confirmation, whichever side is not us.
func claimedSender(in Incoming, self string) string {
	if in.Kind == KindConfirmation && self != "" && strings.EqualFold(in.From, self) {
		return in.To
	}
	return in.From
}

// checkCaller is CheckCaller on the partners and agency id in the store.
func (d *MessageService) checkCaller(tx Tx, in Incoming, c Caller) (CallerCheck, error) {
	self, err := tx.Setting(SettingAgencyID)
	if err != nil {
		return CallerCheck{}, err
	}
	ps, err := tx.Partners()
	if err != nil {
		return CallerCheck{}, err
	}
	return CheckCaller(ps, claimedSender(in, self), in.SecurityCode, c, d.clock.Now())
}

// uniformRefusal is what a caller that proved nothing learns of a message
// that matched nothing: not whether a request or partner exists.
const uniformRefusal = "The message does not match anything we can act on for its sender."

// shownProblem is the problem as the caller may see it.
func shownProblem(p MessageProblem, proven bool) *MessageProblem {
	if !proven && p.ErrorType == "UnrecognisedDataValue" {
		p.Value = uniformRefusal
	}
	return &p
}

// isCallerRefusal reports the refusals that answer a caller with nothing
// but an HTTP status.
func isCallerRefusal(err error) bool {
	return errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrForbiddenCaller)
}

// Sender is the agency a network message names as its sender, "" when it
// cannot be read: the server limits the messages naming one agency with
// it before taking one in.
func (d *MessageService) Sender(raw []byte) string {
	if d.codec == nil {
		return ""
	}
	in, err := d.codec.Decode(raw)
	if err != nil {
		return ""
	}
	return in.From
}
