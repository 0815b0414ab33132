package domain

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withISOPartners adds partners exchanging ISO 18626 messages, each at
// https://code.example.org/iso.
func withISOPartners(f *deskFixture, codes ...string) {
	f.t.Helper()
	for _, c := range codes {
		_, err := f.desk.AddPartner(Partner{Code: c, Name: c, AgencyID: "OCLC:" + c, ISOEndpoint: endpointOf(c)})
		require.NoError(f.t, err)
	}
}

func endpointOf(code string) string { return "https://" + strings.ToLower(code) + ".example.org/iso" }

// queueTwo queues two messages about one new lending request of partner:
// the answer to a status request, then Unfilled.
func (f *deskFixture) queueTwo(partner, ext string) {
	f.t.Helper()
	r := f.lending(partner, ext)
	_, _, err := f.desk.Intake(msg(f.t, Incoming{Kind: KindRequesting, From: "OCLC:" + partner, RequestingRequestID: ext, Action: "StatusRequest"}))
	require.NoError(f.t, err)
	_, err = f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(f.t, err)
}

// about is "EXT STATUS" of a message body, as the fake codec wrote it.
func about(t *testing.T, body []byte) string {
	var o Outgoing
	require.NoError(t, json.Unmarshal(body, &o))
	return o.RequestingRequestID + " " + o.Status
}

func TestSlowPartnerDelaysNoOther(t *testing.T) {
	f := newInteropFixture(t)
	withISOPartners(f, "SLOW", "FAST")
	_, err := f.desk.Reject(f.lending("SLOW", "S-1").ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	_, err = f.desk.Reject(f.lending("FAST", "F-1").ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	f.desk.OutboxService.sendTimeout = 5 * time.Second // bounds the test should FAST wait behind SLOW
	fastGot := make(chan struct{})
	var seen string
	tr := &fakeTransport{reply: func(ctx context.Context, to Destination, _ []byte) ([]byte, error) {
		if to.URL == endpointOf("FAST") {
			close(fastGot)
			return []byte("OK"), nil
		}
		select { // SLOW never answers: it waits for FAST, or for its own timeout
		case <-fastGot:
			seen = "FAST was sent while SLOW had not answered"
		case <-ctx.Done():
			seen = "SLOW timed out before FAST was sent"
		}
		return nil, errors.New("no answer")
	}}
	sent, failed, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, tr)
	require.NoError(t, err)
	assert.Equal(t, "FAST was sent while SLOW had not answered", seen)
	assert.Equal(t, [2]int{1, 1}, [2]int{sent, failed})
	for _, m := range f.outbox() {
		want := map[string]string{"SLOW": MessageRetrying, "FAST": MessageSent}[m.Partner]
		assert.Equal(t, want, m.Status, m.Partner)
	}
}

func TestEachSendHasItsOwnTimeout(t *testing.T) {
	f := newInteropFixture(t)
	withISOPartners(f, "SILENT")
	for _, ext := range []string{"S-1", "S-2"} {
		_, err := f.desk.Reject(f.lending("SILENT", ext).ID, ReasonNotHeld, "", "", atRS)
		require.NoError(t, err)
	}
	f.desk.OutboxService.sendTimeout = 50 * time.Millisecond
	tr := &fakeTransport{reply: func(ctx context.Context, _ Destination, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	sent, failed, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, tr)
	require.NoError(t, err)
	assert.Equal(t, [2]int{0, 2}, [2]int{sent, failed}, "the second request's message gets its own time, not what the first left")
	for _, m := range f.outbox() {
		assert.Equal(t, MessageRetrying, m.Status)
		assert.Contains(t, m.LastError, "deadline exceeded")
		assert.Equal(t, f.now.Add(noticeBackoff(1)), m.NextTry, "retried with back-off")
	}
}

func TestPartnersInParallelKeepEachRequestInOrder(t *testing.T) {
	f := newInteropFixture(t)
	withISOPartners(f, "ALPHA", "BETA")
	f.queueTwo("ALPHA", "A-1")
	f.queueTwo("BETA", "B-1")
	f.queueTwo("ALPHA", "A-2")
	f.queueTwo("BETA", "B-2")
	var mu sync.Mutex
	inFlight := map[string]int{}
	most := 0
	got := map[string][]string{} // by partner endpoint
	tr := &fakeTransport{reply: func(_ context.Context, to Destination, body []byte) ([]byte, error) {
		mu.Lock()
		inFlight[to.URL]++
		most = max(most, inFlight[to.URL])
		got[to.URL] = append(got[to.URL], about(t, body))
		mu.Unlock()
		time.Sleep(time.Millisecond) // let the other partner's sends overlap
		mu.Lock()
		inFlight[to.URL]--
		mu.Unlock()
		if strings.HasPrefix(about(t, body), "A-1 RequestReceived") {
			return []byte("ERROR refused"), nil
		}
		return []byte("OK"), nil
	}}
	sent, failed, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, tr)
	require.NoError(t, err)
	assert.Equal(t, 1, most, "one partner's messages go one after another")
	assert.Equal(t, []string{"A-1 RequestReceived", "A-2 RequestReceived", "A-2 Unfilled"}, got[endpointOf("ALPHA")],
		"A-1's failure holds up only A-1's later message")
	assert.Equal(t, []string{"B-1 RequestReceived", "B-1 Unfilled", "B-2 RequestReceived", "B-2 Unfilled"}, got[endpointOf("BETA")])
	assert.Equal(t, [2]int{6, 1}, [2]int{sent, failed})
}

func TestAtMostEightPartnersAtOnce(t *testing.T) {
	f := newInteropFixture(t)
	codes := []string{"P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"}
	withISOPartners(f, codes...)
	for _, c := range codes {
		_, err := f.desk.Reject(f.lending(c, c+"-1").ID, ReasonNotHeld, "", "", atRS)
		require.NoError(t, err)
	}
	f.desk.OutboxService.sendTimeout = 100 * time.Millisecond
	var mu sync.Mutex
	inFlight, most := 0, 0
	tr := &fakeTransport{reply: func(ctx context.Context, _ Destination, _ []byte) ([]byte, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		<-ctx.Done() // every partner is silent
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil, ctx.Err()
	}}
	_, failed, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, tr)
	require.NoError(t, err)
	assert.Equal(t, maxParallelPartners, most)
	assert.Equal(t, 10, failed, "every partner was tried")
}

func TestCancelledPassStopsSending(t *testing.T) {
	f := newInteropFixture(t)
	withISOPartners(f, "SLOW")
	for _, ext := range []string{"S-1", "S-2"} {
		_, err := f.desk.Reject(f.lending("SLOW", ext).ID, ReasonNotHeld, "", "", atRS)
		require.NoError(t, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tr := &fakeTransport{reply: func(ctx context.Context, _ Destination, _ []byte) ([]byte, error) {
		cancel() // the pass's time is up while the first message is on its way
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	sent, failed, err := f.desk.sendMessages(ctx, f.desk.dispatch.holder, tr)
	require.NoError(t, err)
	assert.Equal(t, [2]int{0, 1}, [2]int{sent, failed})
	assert.Len(t, tr.posts, 1, "no further message is posted")
	var statuses []string
	for _, m := range f.outbox() {
		statuses = append(statuses, m.Status)
	}
	assert.Equal(t, []string{MessageRetrying, MessagePending}, statuses, "the outcome of the one posted is recorded")
}

// testCAPEM is a self-signed CA certificate in PEM, as a partner would give it.
func testCAPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Rapid Test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestWhatIsPresentedToAPartner(t *testing.T) {
	ca := testCAPEM(t)
	tests := []struct {
		name   string
		setup  func(f *deskFixture)
		posted *Destination // nil: nothing is posted
		err    string       // the failure kept with the message
	}{
		{"a loopback endpoint without credentials", func(*deskFixture) {},
			&Destination{URL: "http://127.0.0.1:1/iso"}, ""},
		{"the token from the keyring, the server CA and our client certificate", func(f *deskFixture) {
			require.NoError(f.t, f.desk.SetPartnerOutboundToken("RAPID", "tok-123"))
			require.NoError(f.t, f.desk.SetPartnerServerCA("RAPID", ca))
			require.NoError(f.t, f.desk.SetClientCertificate("/etc/ill/client.crt", "/etc/ill/client.key"))
		}, &Destination{URL: "http://127.0.0.1:1/iso", Token: "tok-123", ServerCAPEM: ca,
			ClientCert: "/etc/ill/client.crt", ClientKey: "/etc/ill/client.key"}, ""},
		{"a client certificate without its key", func(f *deskFixture) {
			require.NoError(f.t, f.desk.SetClientCertificate("/etc/ill/client.crt", ""))
		}, nil, "our client certificate is incomplete: set both tls-client-cert and tls-client-key, or neither"},
		{"an existing partner with plain http to another computer", func(f *deskFixture) {
			f.setEndpoint("http://lib:pw@rapid.example.org/iso")
		}, nil, "plain http to http://lib:xxxxx@rapid.example.org/iso is refused, as messages and the token we present would travel unencrypted: " +
			"change partner RAPID's endpoint to its https:// address (partner edit RAPID --iso-endpoint URL), or allow plain http (config set allow-plain-http on)"},
		{"plain http to another computer once allowed", func(f *deskFixture) {
			f.setEndpoint("http://rapid.example.org/iso")
			require.NoError(f.t, f.desk.SetAllowPlainHTTP(true))
		}, &Destination{URL: "http://rapid.example.org/iso"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInteropFixture(t)
			tt.setup(f)
			_, err := f.desk.Reject(f.lending("RAPID", "R-1").ID, ReasonNotHeld, "", "", atRS)
			require.NoError(t, err)
			tr := &fakeTransport{}
			_, _, err = f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, tr)
			require.NoError(t, err)
			if tt.posted == nil {
				assert.Empty(t, tr.posts)
			} else {
				assert.Equal(t, []Destination{*tt.posted}, tr.posts)
			}
			m := f.outbox()[0]
			assert.Equal(t, tt.err, m.LastError)
			if tt.err != "" {
				assert.Equal(t, MessageRetrying, m.Status)
				assert.Equal(t, f.now.Add(noticeBackoff(1)), m.NextTry, "retried with back-off like any failure")
			}
		})
	}
}

// setEndpoint gives RAPID an endpoint as a database from before this rule may hold.
func (f *deskFixture) setEndpoint(u string) {
	f.t.Helper()
	require.NoError(f.t, f.store.Update(func(tx Tx) error {
		p, err := tx.Partner("RAPID")
		if err != nil {
			return err
		}
		p.ISOEndpoint = u
		return tx.PutPartner(p)
	}))
}

func TestPartnerEndpointIsHTTPSUnlessLoopback(t *testing.T) {
	tests := []struct {
		endpoint string
		allowed  bool // with allow-plain-http on
		ok       bool
	}{
		{"https://rapid.example.org/iso", false, true},
		{"http://127.0.0.1:8626/", false, true},
		{"http://[::1]:8626/", false, true},
		{"http://localhost:8626/", false, true},
		{"http://rapid.example.org/iso", false, false},
		{"http://10.0.0.7:8626/", false, false},
		{"http://rapid.example.org/iso", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			f := newDeskFixture(t)
			require.NoError(t, f.desk.SetAllowPlainHTTP(tt.allowed))
			_, addErr := f.desk.AddPartner(Partner{Code: "NEW", Name: "New", ISOEndpoint: tt.endpoint})
			_, editErr := f.desk.EditPartner("RAPID", func(p *Partner) { p.ISOEndpoint = tt.endpoint })
			if tt.ok {
				assert.NoError(t, addErr)
				assert.NoError(t, editErr)
				return
			}
			for _, err := range []error{addErr, editErr} {
				require.ErrorIs(t, err, ErrInvalidInput)
				assert.Contains(t, err.Error(), "is plain http to another computer")
				assert.Contains(t, err.Error(), "config set allow-plain-http on")
			}
			ps, err := f.desk.Partners()
			require.NoError(t, err)
			for _, p := range ps {
				assert.NotEqual(t, "NEW", p.Code, "nothing changed")
				assert.Empty(t, p.ISOEndpoint, "nothing changed")
			}
		})
	}
}

func TestEditKeepsAnExistingPlainHTTPEndpoint(t *testing.T) {
	f := newDeskFixture(t)
	f.setEndpoint("http://rapid.example.org/iso")
	p, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.Name = "Rapid ILL" })
	require.NoError(t, err, "only a new endpoint is checked, so its other details can still change")
	assert.Equal(t, "http://rapid.example.org/iso", p.ISOEndpoint)
}

func TestSetPartnerOutboundToken(t *testing.T) {
	tests := []struct {
		name, code, token string
		err               error
		says              string
	}{
		{"kept in the keyring", "RAPID", "tok-123", nil, ""},
		{"a token with a space", "RAPID", "tok 123", ErrInvalidInput, "visible ASCII"},
		{"no token", "RAPID", "", ErrInvalidInput, "visible ASCII"},
		{"an unknown partner", "NOPE", "tok-123", ErrPartnerNotFound, ""},
		{"no keyring on this machine", "RAPID", "broken", ErrInvalidInput, "ILLDESK_PARTNER_TOKEN_RAPID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			secrets := fakeSecrets{}
			f.desk.PartnerService.secrets = secrets
			err := f.desk.SetPartnerOutboundToken(tt.code, tt.token, atRS)
			audit, aerr := f.desk.Audit(AuditFilter{Partner: "RAPID"})
			require.NoError(t, aerr)
			var notes []string
			for _, e := range audit {
				notes = append(notes, e.Note)
			}
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), tt.says)
				assert.Empty(t, secrets)
				assert.NotContains(t, notes, "outbound token set")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, fakeSecrets{"partner-token:RAPID": "tok-123"}, secrets)
			assert.Contains(t, notes, "outbound token set")
			for _, n := range notes {
				assert.NotContains(t, n, "tok-123", "the token is never shown")
			}
		})
	}
}

func TestSetPartnerServerCA(t *testing.T) {
	ca := testCAPEM(t)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("secret")}))
	tests := []struct {
		name, pem string
		stored    string
		says      string // the refusal; "" when accepted
	}{
		{"a CA certificate", ca, ca, ""},
		{"none: the system's authorities again", "", "", ""},
		{"a private key", key, "", "holds a private key"},
		{"not PEM", "hello", "", "holds no certificate"},
		{"a damaged certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "", "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			err := f.desk.SetPartnerServerCA("RAPID", tt.pem, atRS)
			if tt.says != "" {
				require.ErrorIs(t, err, ErrInvalidInput)
				assert.Contains(t, err.Error(), tt.says)
			} else {
				require.NoError(t, err)
			}
			ps, err := f.desk.Partners()
			require.NoError(t, err)
			assert.Equal(t, tt.stored, ps[1].ServerCA)
			audit, err := f.desk.Audit(AuditFilter{Partner: "RAPID"})
			require.NoError(t, err)
			var notes []string
			for _, e := range audit {
				notes = append(notes, e.Note)
			}
			if tt.stored != "" {
				assert.Contains(t, strings.Join(notes, "\n"), "server_ca: (none) → CN=Rapid Test CA (SHA-256 ")
				assert.NotContains(t, strings.Join(notes, "\n"), "BEGIN", "the audit names the certificate, not its text")
			}
		})
	}
}

func TestPartnerTokenEnv(t *testing.T) {
	for code, want := range map[string]string{
		"RAPID":   "ILLDESK_PARTNER_TOKEN_RAPID",
		"de-1.x":  "ILLDESK_PARTNER_TOKEN_DE_1_X",
		"Über-99": "ILLDESK_PARTNER_TOKEN__BER_99",
	} {
		assert.Equal(t, want, PartnerTokenEnv(code), code)
	}
}
