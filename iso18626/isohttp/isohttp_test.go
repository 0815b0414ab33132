package isohttp

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/pdf/preflight"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/vault"
)

func newDesk(t *testing.T, edit ...func(*domain.Config)) *domain.Desk {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	files, err := vault.New(bolt.VaultDirFor(db.Path()))
	require.NoError(t, err)
	cal, err := domain.NewCalendar(time.UTC, nil)
	require.NoError(t, err)
	cfg := domain.Config{Store: db, Vault: files, Preflight: preflight.New(), Calendar: cal,
		Codec: iso18626.Codec{}, Transport: NewClient()}
	for _, e := range edit {
		e(&cfg)
	}
	return domain.NewDesk(cfg)
}

func post(t *testing.T, url string, body string) string {
	t.Helper()
	resp, err := http.Post(url, "text/xml", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestServerReceivesAndAnswers(t *testing.T) {
	d := newDesk(t)
	var mu sync.Mutex
	var received []string
	srv := httptest.NewServer(Handler{Desk: d, Received: func(outcome string) {
		mu.Lock()
		defer mu.Unlock()
		received = append(received, outcome)
	}})
	defer srv.Close()
	raw, err := os.ReadFile("../testdata/samples/RequestSample1.xml")
	require.NoError(t, err)

	conf := post(t, srv.URL+"/", string(raw))
	assert.Contains(t, conf, "requestConfirmation")
	assert.Contains(t, conf, ">OK<")
	rs, err := d.List(domain.Filter{Side: domain.Lending})
	require.NoError(t, err)
	assert.Empty(t, rs, "a request from an unknown agency waits in the quarantine")
	held, err := d.Quarantine(false)
	require.NoError(t, err)
	require.Len(t, held, 1)
	assert.Equal(t, "127.0.0.1", held[0].Addr)
	_, err = d.AcceptHeld(held[0].ID, "")
	require.NoError(t, err)
	rs, err = d.List(domain.Filter{Side: domain.Lending})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "Something about elephants", rs[0].Title)

	again := post(t, srv.URL+"/", string(raw))
	assert.Equal(t, conf, again, "the same message twice gets the same answer")
	rs, _ = d.List(domain.Filter{Side: domain.Lending})
	assert.Len(t, rs, 1, "and changes nothing")

	bad := post(t, srv.URL+"/", "<request><header>")
	assert.Contains(t, bad, "ERROR")
	mu.Lock()
	assert.Len(t, received, 1, "a message taken in is told of; a repeat and a refused one are not: %q", received)
	mu.Unlock()

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = http.Get(srv.URL + "/files/nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestClientReportsUnreachablePartner(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := NewClient().Post(context.Background(), domain.Destination{URL: url}, []byte("<x/>"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not reach")
}

func TestClientErrorsHideTheEndpointPassword(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refusing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for name, base := range map[string]string{"refused": refusing.URL, "unreachable": gone.URL} {
		t.Run(name, func(t *testing.T) {
			endpoint := strings.Replace(base, "http://", "http://lib:s3cret-token@", 1) + "/iso"
			_, err := NewClient().Post(context.Background(), domain.Destination{URL: endpoint}, []byte("<x/>"))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "s3cret-token", "errors are kept with the message and shown to staff")
			assert.Contains(t, err.Error(), "lib:xxxxx@")
		})
	}
}

// partnerServer is a partner's https endpoint on 127.0.0.1 with its own
// self-signed certificate; with clients set it requires a client
// certificate signed by that CA. It remembers what it was sent.
type partnerServer struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // the Authorization header of each message
	peer []string // the client certificate's name of each message, "" for none
}

func newPartnerServer(t *testing.T, clients *isotest.CA) *partnerServer {
	t.Helper()
	p := &partnerServer{}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := ""
		if len(r.TLS.PeerCertificates) > 0 {
			peer = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		p.mu.Lock()
		p.auth, p.peer = append(p.auth, r.Header.Get("Authorization")), append(p.peer, peer)
		p.mu.Unlock()
		_, _ = w.Write([]byte("<confirmation/>"))
	}))
	if clients != nil {
		p.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients.Pool()}
	}
	p.StartTLS()
	t.Cleanup(p.Close)
	return p
}

// caPEM is the partner server's own certificate, which is its CA.
func (p *partnerServer) caPEM() string { return isotest.CAPEM(p.Certificate()) }

func TestClientCredentials(t *testing.T) {
	ours := isotest.NewCA(t, "Our client CA")
	cert, key := ours.Client(t, "ILL Desk test")
	stranger := isotest.NewCA(t, "Someone else")
	strangerCert, strangerKey := stranger.Client(t, "Stranger")
	tests := []struct {
		name       string
		mutual     bool // the partner requires a client certificate of our CA
		dest       func(p *partnerServer) domain.Destination
		err        string // "" when the message must arrive
		auth, peer string // what the partner saw
	}{
		{"the partner's self-signed server is trusted through its server CA", false,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM()}
			},
			"", "", ""},
		{"without its server CA the partner's server is not trusted", false,
			func(p *partnerServer) domain.Destination { return domain.Destination{URL: p.URL} },
			"certificate", "", ""},
		{"another CA does not vouch for the partner's server", false,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: stranger.PEM}
			},
			"certificate", "", ""},
		{"the token is sent as a bearer token", false,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM(), Token: "tok-123"}
			},
			"", "Bearer tok-123", ""},
		{"our client certificate is presented and verified", true,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM(), ClientCert: cert, ClientKey: key}
			},
			"", "", "ILL Desk test"},
		{"without our client certificate a partner that requires one refuses", true,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM()}
			},
			"could not reach", "", ""},
		{"a certificate of another CA is refused", true,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM(), ClientCert: strangerCert, ClientKey: strangerKey}
			},
			"could not reach", "", ""},
		{"a client certificate that cannot be loaded is a failure that says so", false,
			func(p *partnerServer) domain.Destination {
				return domain.Destination{URL: p.URL, ServerCAPEM: p.caPEM(), ClientCert: cert, ClientKey: strangerKey}
			},
			"our client certificate cannot be loaded", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clients *isotest.CA
			if tt.mutual {
				clients = ours
			}
			p := newPartnerServer(t, clients)
			p.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
			_, err := NewClient().Post(context.Background(), tt.dest(p), []byte("<x/>"))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Empty(t, p.auth, "nothing reached the partner")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{tt.auth}, p.auth)
			assert.Equal(t, []string{tt.peer}, p.peer)
		})
	}
}

// counter is a local server that counts what reaches it.
func counter(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(s.Close)
	return s, &hits
}

// redirecting is a partner endpoint that answers every message with status
// code pointing to location.
func redirecting(t *testing.T, code int, location string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", location)
		w.WriteHeader(code)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestClientFollowsNoRedirect(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusFound, http.StatusPermanentRedirect, http.StatusMovedPermanently} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			elsewhere, hits := counter(t)
			target := strings.Replace(elsewhere.URL, "http://", "http://lib:s3cret@", 1) + "/iso"
			from := redirecting(t, code, target)
			_, err := NewClient().Post(context.Background(), domain.Destination{URL: from.URL, Token: "tok"}, []byte("<x/>"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), fmt.Sprintf("answered %d", code))
			assert.Contains(t, err.Error(), "pointing to "+strings.Replace(target, "s3cret", "xxxxx", 1))
			assert.NotContains(t, err.Error(), "s3cret")
			assert.Zero(t, hits.Load(), "the other address receives nothing")
		})
	}
}

func TestClientGivesUpWithItsContext(t *testing.T) {
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer silent.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := NewClient().Post(ctx, domain.Destination{URL: silent.URL}, []byte("<x/>"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not answer in time")
}

func TestCheckClientCertificate(t *testing.T) {
	ca := isotest.NewCA(t, "Our client CA")
	cert, key := ca.Client(t, "ILL Desk test")
	_, otherKey := ca.Client(t, "Other")
	tests := []struct {
		name      string
		cert, key string
		ok        bool
	}{
		{"a pair", cert, key, true},
		{"the certificate alone, before its key", cert, "", true},
		{"the key alone, before its certificate", "", key, true},
		{"a key that is not the certificate's", cert, otherKey, false},
		{"a key given as the certificate", key, "", false},
		{"a certificate given as the key", "", cert, false},
		{"a file that is not there", filepath.Join(t.TempDir(), "none.pem"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClientCertificate(tt.cert, tt.key)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// outboxDesk is a desk with partner RAPID at endpoint and one message to it queued.
func outboxDesk(t *testing.T, endpoint string) *domain.Desk {
	t.Helper()
	d := newDesk(t)
	queueFor(t, d, "RAPID", endpoint)
	return d
}

// queueFor adds a partner at endpoint and queues a message to it: the
// answer Unfilled to a lending request of its.
func queueFor(t *testing.T, d *domain.Desk, code, endpoint string) {
	t.Helper()
	_, err := d.AddPartner(domain.Partner{Code: code, Name: code, AgencyID: "OCLC:" + code, ISOEndpoint: endpoint})
	require.NoError(t, err)
	at := domain.Actor{Station: domain.RSDesk}
	r, err := d.NewLending(domain.LendingInput{Partner: code, ExternalID: code + "-1", Format: domain.FormatPhysical,
		Citation: domain.Citation{Title: "Journal of Tests"}}, at)
	require.NoError(t, err)
	_, err = d.Reject(r.ID, domain.ReasonNotHeld, "", "", at)
	require.NoError(t, err)
}

func TestDispatcherFailsARedirectAndRetriesIt(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusFound} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			elsewhere, hits := counter(t)
			from := redirecting(t, code, elsewhere.URL+"/iso")
			d := outboxDesk(t, from.URL+"/iso")
			rep, err := d.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 0, rep.Sent)
			assert.Equal(t, 1, rep.Failed)
			require.Len(t, rep.Problems, 1)
			assert.Contains(t, rep.Problems[0], "pointing to "+elsewhere.URL+"/iso")
			msgs, err := d.Outbox("")
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			assert.Equal(t, domain.MessageRetrying, msgs[0].Status)
			assert.Contains(t, msgs[0].LastError, fmt.Sprintf("answered %d", code))
			assert.True(t, msgs[0].NextTry.After(time.Now()), "retried later, with back-off")
			assert.Zero(t, hits.Load(), "the other port receives nothing")
		})
	}
}

func TestSilentPartnerDelaysNoOther(t *testing.T) {
	fast := &isotest.Partner{}
	fastGot := make(chan struct{})
	fastSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fast.ServeHTTP(w, r)
		close(fastGot)
	}))
	defer fastSrv.Close()
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // no answer until the other partner has its message, or ILL Desk gives up
		case <-fastGot:
		case <-r.Context().Done():
		}
	}))
	defer silent.Close()
	d := newDesk(t, func(c *domain.Config) { c.SendTimeout = 5 * time.Second }) // bounds the test should FAST wait
	queueFor(t, d, "SILENT", silent.URL+"/iso")
	queueFor(t, d, "FAST", fastSrv.URL+"/iso")
	rep, err := d.Dispatcher().SendDue(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"FAST-1 Unfilled"}, fast.Received())
	assert.Equal(t, 1, rep.Sent)
	msgs, err := d.Outbox("")
	require.NoError(t, err)
	require.Equal(t, "SILENT", msgs[0].Partner, "SILENT's message is first in the outbox")
	assert.Equal(t, domain.MessageRetrying, msgs[0].Status)
	assert.NotContains(t, msgs[0].LastError, "did not answer in time",
		"SILENT was still waiting, within its timeout, when FAST got its message")
}
