package domain

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	rapidToken = "rapid-0123456789abcdef0123456789abcdef"
	bvbToken   = "bvb-0123456789abcdef0123456789abcdef00"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: wednesday.Add(-time.Hour), NotAfter: wednesday.Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return testCA{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// client is a chain of one client certificate issued by the CA.
func (ca testCA) client(t *testing.T, name string) [][]*x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: wednesday.Add(-time.Hour), NotAfter: wednesday.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return [][]*x509.Certificate{{cert, ca.cert}}
}

func credentialed(t *testing.T, p Partner, edit func(*Partner) error) Partner {
	t.Helper()
	require.NoError(t, edit(&p))
	return p
}

func TestCheckCaller(t *testing.T) {
	rapidCA, bvbCA, stranger := newTestCA(t, "Rapid CA"), newTestCA(t, "BVB CA"), newTestCA(t, "Stranger CA")
	partners := []Partner{
		credentialed(t, Partner{Code: "RAPID", AgencyID: "OCLC:RAPID"}, func(p *Partner) error { return p.SetInboundToken(rapidToken) }),
		credentialed(t, Partner{Code: "BVB", AgencyID: "ISIL:DE-BVB"}, func(p *Partner) error {
			if err := p.SetClientCA(bvbCA.pem); err != nil {
				return err
			}
			return p.SetAllowFrom("10.1.0.0/16, 192.0.2.7")
		}),
		credentialed(t, Partner{Code: "TOK2", AgencyID: "ISIL:DE-TOK2"}, func(p *Partner) error { return p.SetInboundToken(bvbToken) }),
		{Code: "OLD", AgencyID: "ISIL:DE-OLD"},
		credentialed(t, Partner{Code: "NET", AgencyID: "ISIL:DE-NET"}, func(p *Partner) error { return p.SetAllowFrom("2001:db8::/32") }),
		credentialed(t, Partner{Code: "RCA", AgencyID: "ISIL:DE-RCA"}, func(p *Partner) error { return p.SetClientCA(rapidCA.pem) }),
	}
	cases := []struct {
		name    string
		claimed string
		code    string // the message's securityCode
		c       Caller
		want    error
		proven  bool
		found   bool
	}{
		{"bearer token", "OCLC:RAPID", "", Caller{Addr: "198.51.100.1", Token: rapidToken}, nil, true, true},
		{"agency written in another case", "oclc:rapid", "", Caller{Addr: "198.51.100.1", Token: rapidToken}, nil, true, true},
		{"security code of the message", "OCLC:RAPID", rapidToken, Caller{Addr: "198.51.100.1"}, nil, true, true},
		{"no credential", "OCLC:RAPID", "", Caller{Addr: "198.51.100.1"}, ErrUnauthenticated, false, false},
		{"wrong token", "OCLC:RAPID", "", Caller{Addr: "198.51.100.1", Token: rapidToken + "x"}, ErrUnauthenticated, false, false},
		{"another partner's token", "OCLC:RAPID", "", Caller{Addr: "198.51.100.1", Token: bvbToken}, ErrForbiddenCaller, false, false},
		{"another partner's security code", "OCLC:RAPID", bvbToken, Caller{Addr: "198.51.100.1"}, ErrForbiddenCaller, false, false},
		{"client certificate from an allowed network", "ISIL:DE-BVB", "", Caller{Addr: "10.1.2.3", Chains: bvbCA.client(t, "bvb")}, nil, true, true},
		{"client certificate from a single allowed address", "ISIL:DE-BVB", "", Caller{Addr: "192.0.2.7", Chains: bvbCA.client(t, "bvb")}, nil, true, true},
		{"client certificate from elsewhere", "ISIL:DE-BVB", "", Caller{Addr: "10.2.0.1", Chains: bvbCA.client(t, "bvb")}, ErrForbiddenCaller, false, false},
		{"certificate of another CA", "ISIL:DE-BVB", "", Caller{Addr: "10.1.2.3", Chains: stranger.client(t, "bvb")}, ErrUnauthenticated, false, false},
		{"certificate of another partner's CA", "ISIL:DE-BVB", "", Caller{Addr: "10.1.2.3", Chains: rapidCA.client(t, "rapid")}, ErrForbiddenCaller, false, false},
		{"a partner without credentials is taken on its word", "ISIL:DE-OLD", "", Caller{Addr: "203.0.113.9"}, nil, false, true},
		{"a stranger's token for it changes nothing", "ISIL:DE-OLD", "", Caller{Addr: "203.0.113.9", Token: "whatever"}, nil, false, true},
		{"but another partner's token is refused", "ISIL:DE-OLD", "", Caller{Addr: "203.0.113.9", Token: rapidToken}, ErrForbiddenCaller, false, false},
		{"an allowed address proves an address-only partner", "ISIL:DE-NET", "", Caller{Addr: "2001:db8::5"}, nil, true, true},
		{"any other address is refused", "ISIL:DE-NET", "", Caller{Addr: "203.0.113.9"}, ErrForbiddenCaller, false, false},
		{"an unknown agency is left to the desk", "ISIL:NOBODY", "", Caller{Addr: "203.0.113.9"}, nil, false, false},
		{"an unknown agency with a partner's credential", "ISIL:NOBODY", "", Caller{Addr: "203.0.113.9", Token: rapidToken}, ErrForbiddenCaller, false, false},
		{"an unknown agency with a partner's certificate", "ISIL:NOBODY", "", Caller{Addr: "10.1.2.3", Chains: bvbCA.client(t, "bvb")}, ErrForbiddenCaller, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckCaller(partners, tc.claimed, tc.code, tc.c, wednesday)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Equal(t, CallerCheck{}, got)
				assert.NotContains(t, err.Error(), rapidToken, "a refusal never repeats a credential")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.proven, got.Proven)
			assert.Equal(t, tc.found, got.Found)
		})
	}
}

func TestCheckCallerExpiredCertificate(t *testing.T) {
	ca := newTestCA(t, "BVB CA")
	p := credentialed(t, Partner{Code: "BVB", AgencyID: "ISIL:DE-BVB"}, func(p *Partner) error { return p.SetClientCA(ca.pem) })
	_, err := CheckCaller([]Partner{p}, "ISIL:DE-BVB", "", Caller{Addr: "10.0.0.1", Chains: ca.client(t, "bvb")}, wednesday.Add(48*time.Hour))
	require.ErrorIs(t, err, ErrUnauthenticated)
}

func TestPartnerCredentialsRefuseBadInput(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Partner) error
		says string
	}{
		{"short token", func(p *Partner) error { return p.SetInboundToken("short-token") }, "at least 32"},
		{"token with spaces", func(p *Partner) error { return p.SetInboundToken(strings.Repeat("a b", 20)) }, "without spaces"},
		{"no certificate", func(p *Partner) error { return p.SetClientCA("hello") }, "no PEM certificate"},
		{"bad network", func(p *Partner) error { return p.SetAllowFrom("10.0.0.0/8,nowhere") }, `"nowhere"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Partner{Code: "X", NoAuth: true}
			err := tc.edit(&p)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.says)
			assert.Equal(t, Partner{Code: "X", NoAuth: true}, p, "bad input changes nothing")
		})
	}
}

func TestClientCAKeepsOnlyCertificates(t *testing.T) {
	ca := newTestCA(t, "CA")
	var p Partner
	withKey := "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n" + ca.pem
	require.NoError(t, p.SetClientCA(withKey))
	assert.Equal(t, ca.pem, p.ClientCA, "a key given in the same file is not kept")
}

func TestPartnerAuthentication(t *testing.T) {
	ca := newTestCA(t, "CA")
	cases := []struct {
		name string
		p    Partner
		want string
		not  bool
	}{
		{"no ISO 18626", Partner{Code: "MAIL"}, "", false},
		{"before this release", Partner{Code: "OLD", AgencyID: "ISIL:X"}, "not authenticated", true},
		{"no-auth", credentialed(t, Partner{Code: "N", AgencyID: "ISIL:X", InboundToken: "sha256:00"}, func(p *Partner) error { p.SetNoAuth(); return nil }), "none (no-auth)", false},
		{"token", credentialed(t, Partner{Code: "T", AgencyID: "ISIL:X", NoAuth: true}, func(p *Partner) error { return p.SetInboundToken(rapidToken) }), "token", false},
		{"everything", credentialed(t, Partner{Code: "E", AgencyID: "ISIL:X"}, func(p *Partner) error {
			_ = p.SetInboundToken(rapidToken)
			_ = p.SetClientCA(ca.pem)
			return p.SetAllowFrom("10.0.0.0/8")
		}), "token + client certificate + from 10.0.0.0/8", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.p.Authentication())
			assert.Equal(t, tc.not, tc.p.NotAuthenticated())
			assert.NotContains(t, tc.p.InboundToken, rapidToken, "only the hash is kept")
		})
	}
}

func TestPartnerCredentialEditsAreAuditedNotShown(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	ca := newTestCA(t, "CA")
	_, err := f.desk.EditPartner("RAPID", func(p *Partner) { _ = p.SetInboundToken(rapidToken); _ = p.SetClientCA(ca.pem) }, atRS)
	require.NoError(t, err)
	_, err = f.desk.EditPartner("RAPID", func(p *Partner) { _ = p.SetInboundToken(bvbToken) }, atRS)
	require.NoError(t, err)
	stored := f.partner("RAPID")
	es := f.audit(AuditFilter{Action: ActConfigure})
	require.Len(t, es, 2)
	assert.Contains(t, es[0].Note, "inbound_token: not set → set")
	assert.Contains(t, es[0].Note, "client_ca: not set → set")
	assert.Contains(t, es[1].Note, "inbound_token: set (")
	for _, e := range es {
		for _, secret := range []string{rapidToken, bvbToken, stored.InboundToken, "BEGIN CERTIFICATE"} {
			assert.NotContains(t, e.Note, secret)
		}
	}
}

// authFixture is the interop fixture with RAPID asking for a token and
// BVB known by its agency id and a token of its own.
func authFixture(t *testing.T) *deskFixture {
	f := newInteropFixture(t)
	_, err := f.desk.EditPartner("RAPID", func(p *Partner) { require.NoError(t, p.SetInboundToken(rapidToken)) })
	require.NoError(t, err)
	_, err = f.desk.EditPartner("BVB", func(p *Partner) {
		p.AgencyID = "ISIL:DE-BVB"
		require.NoError(t, p.SetInboundToken(bvbToken))
	})
	require.NoError(t, err)
	return f
}

func TestIntakeFromRefusesUnprovenCallers(t *testing.T) {
	f := authFixture(t)
	l := f.lending("RAPID", "R-1")
	cancel := msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "Cancel"})
	cases := []struct {
		name string
		c    Caller
		want error
	}{
		{"no token", Caller{Addr: "203.0.113.9"}, ErrUnauthenticated},
		{"a wrong token", Caller{Addr: "203.0.113.9", Token: strings.Repeat("x", 40)}, ErrUnauthenticated},
		{"signed as another partner", Caller{Addr: "203.0.113.9", Token: bvbToken}, ErrForbiddenCaller},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.store.snapshot()
			_, conf, err := f.desk.IntakeFrom(cancel, tc.c)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, conf, "the caller gets no confirmation")
			assert.Equal(t, before, f.store.snapshot(), "nothing changed")
		})
	}
	res, conf, err := f.desk.IntakeFrom(cancel, Caller{Addr: "203.0.113.9", Token: rapidToken})
	require.NoError(t, err)
	assert.Equal(t, "OK requestingAgencyMessage", string(conf))
	assert.Equal(t, Cancelled, f.stored(l.ID).State)
	assert.False(t, res.Duplicate)

	// The same message again, from someone without the token: refused,
	// not answered from the messages seen before.
	_, conf, err = f.desk.IntakeFrom(cancel, Caller{Addr: "203.0.113.66"})
	require.ErrorIs(t, err, ErrUnauthenticated)
	assert.Nil(t, conf)
	again, _, err := f.desk.IntakeFrom(cancel, Caller{Addr: "203.0.113.9", Token: rapidToken})
	require.NoError(t, err)
	assert.True(t, again.Duplicate)

	// The staff's own files are their own act.
	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}))
	require.NoError(t, err)
}

func TestIntakeFromSecurityCode(t *testing.T) {
	f := authFixture(t)
	l := f.lending("RAPID", "R-1")
	_, _, err := f.desk.IntakeFrom(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1",
		Action: "Cancel", AccountID: "ours", SecurityCode: rapidToken}), Caller{Addr: "203.0.113.9"})
	require.NoError(t, err)
	assert.Equal(t, Cancelled, f.stored(l.ID).State)
}

func TestIntakeFromRevealsNoIdsToUnprovenCallers(t *testing.T) {
	f := newInteropFixture(t) // RAPID has no credential: taken on its word
	f.lending("RAPID", "R-1")
	_, err := f.desk.EditPartner("BVB", func(p *Partner) {
		p.AgencyID = "ISIL:DE-BVB"
		require.NoError(t, p.SetInboundToken(bvbToken))
	})
	require.NoError(t, err)
	cases := []struct {
		name   string
		raw    []byte
		c      Caller
		answer string
	}{
		{"no such request, unproven", msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "NOPE", Action: "Cancel"}),
			Caller{Addr: "203.0.113.9"}, uniformRefusal},
		{"a request id in use, unproven", msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", RequestingRequestID: "R-1", Citation: Citation{Title: "T"}}),
			Caller{Addr: "203.0.113.9"}, uniformRefusal},
		{"no such request, proven", msg(t, Incoming{Kind: KindSupplying, From: "ISIL:DE-BVB", RequestingRequestID: "NOPE", Status: "Loaned"}),
			Caller{Addr: "203.0.113.9", Token: bvbToken}, "We have no borrowing request NOPE with BVB."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.store.snapshot()
			_, conf, err := f.desk.IntakeFrom(tc.raw, tc.c)
			require.Error(t, err, "staff and the log see why")
			assert.Equal(t, "ERROR UnrecognisedDataValue: "+tc.answer, string(conf))
			assert.Equal(t, before, f.store.snapshot())
		})
	}
}

func TestNeedsAttentionForPartners(t *testing.T) {
	f := newInteropFixture(t) // RAPID speaks ISO 18626 without credentials; BVB does not speak it
	f.lending("RAPID", "R-1")
	f.now = wednesday.Add(25 * time.Hour)
	cases := []struct {
		name string
		edit func(*Partner)
		want []string // the items: a request's ref, or a partner's code
	}{
		{"not authenticated", func(*Partner) {}, []string{"R-1", "partner RAPID"}},
		{"a token", func(p *Partner) { require.NoError(t, p.SetInboundToken(rapidToken)) }, []string{"R-1"}},
		{"no-auth chosen", (*Partner).SetNoAuth, []string{"R-1"}},
		{"added from a message, not reviewed", func(p *Partner) { p.NeedsReview = true }, []string{"R-1", "partner RAPID"}},
		{"reviewed", func(p *Partner) { p.NeedsReview = false }, []string{"R-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.desk.EditPartner("RAPID", tc.edit)
			require.NoError(t, err)
			var got []string
			for _, a := range f.needsAttention(t) {
				if a.Partner != "" {
					got = append(got, "partner "+a.Partner)
					assert.Regexp(t, "Partner RAPID (is not authenticated|was added from a message)", a.Why)
				} else {
					got = append(got, a.Request.Ref())
				}
			}
			assert.Equal(t, tc.want, got, "requests first, then partners")
		})
	}
}
