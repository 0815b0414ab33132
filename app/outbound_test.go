package main

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/illdesk/illdesk/internal/isotest"
)

// tlsPartner is a partner's ISO 18626 endpoint on https://127.0.0.1 with a
// self-signed server certificate, which requires a client certificate of
// clients and remembers who presented what.
type tlsPartner struct {
	*httptest.Server
	*isotest.Partner
	mu         sync.Mutex
	auth, peer []string
}

func newTLSPartner(t *testing.T, clients *isotest.CA) *tlsPartner {
	p := &tlsPartner{Partner: &isotest.Partner{}}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.auth = append(p.auth, r.Header.Get("Authorization"))
		p.peer = append(p.peer, r.TLS.PeerCertificates[0].Subject.CommonName)
		p.mu.Unlock()
		p.Partner.ServeHTTP(w, r)
	}))
	p.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients.Pool()}
	p.StartTLS()
	t.Cleanup(p.Close)
	return p
}

// caFile writes the partner server's own certificate, its CA, as a PEM file.
func (p *tlsPartner) caFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "partner-ca.pem")
	require.NoError(t, os.WriteFile(path, []byte(isotest.CAPEM(p.Certificate())), 0o600))
	return path
}

func TestPartnerIsReachedWithOurCredentials(t *testing.T) {
	tests := []struct {
		name    string
		token   string            // given with --outbound-token-stdin; "" for none
		environ map[string]string // ILL Desk's environment
		auth    string            // what the partner sees
	}{
		{"the token kept in the system keyring", "tok-123", nil, "Bearer tok-123"},
		{"the token from the environment where no keyring exists", "", map[string]string{"ILLDESK_PARTNER_TOKEN_RAPID": "env-tok"}, "Bearer env-tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			ours := isotest.NewCA(t, "Our client CA")
			cert, key := ours.Client(t, "ILL Desk test")
			p := newTLSPartner(t, ours)
			c := newCLI(t)
			c.ok("config", "set", "agency-id", "ISIL:US-OURS")
			c.ok("config", "set", "tls-client-cert", cert)
			c.ok("config", "set", "tls-client-key", key)
			c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "OCLC:RAPID", "--iso-endpoint", p.URL+"/iso")
			edit := []string{"partner", "edit", "RAPID", "--server-ca", p.caFile(t)}
			if tt.token != "" {
				edit = append(edit, "--outbound-token-stdin")
			}
			code, out, errOut := c.runWith(tt.environ, strings.NewReader(tt.token+"\n"), "", edit...)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, "Partner RAPID (RapidILL) saved.\n", out)

			c.ok("lend", "new", "--partner", "RAPID", "--external-id", "R-1", "--title", "Journal of Testing")
			code, out, errOut = c.runWith(tt.environ, nil, "", "reject", "R-1", "--reason", "NotHeld")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "message Unfilled to RAPID: sent https://127.0.0.1")
			assert.Equal(t, []string{"R-1 Unfilled"}, p.Received())
			assert.Equal(t, []string{tt.auth}, p.auth)
			assert.Equal(t, []string{"ILL Desk test"}, p.peer, "our client certificate was presented")

			audit := c.ok("audit", "--partner", "RAPID")
			assert.Contains(t, audit, "server_ca: (none) → O=Acme Co (SHA-256 ", "the certificate named, not its text")
			if tt.token != "" {
				assert.Contains(t, audit, "outbound token set")
				stored, err := keyring.Get("ILL Desk", "partner-token:RAPID")
				require.NoError(t, err)
				assert.Equal(t, tt.token, stored, "the token is in the system keyring")
				assert.NotContains(t, audit+c.ok("partner", "list", "--json"), tt.token, "and never shown")
				raw, err := os.ReadFile(c.db)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), tt.token, "nor in the database file")
			}
			shown := c.ok("config", "show")
			assert.Contains(t, shown, "tls-client-cert           "+cert)
			assert.Contains(t, shown, "allow-plain-http          off")
		})
	}
}

func TestOutboundSettingsRefuseBadInput(t *testing.T) {
	ca := isotest.NewCA(t, "Our client CA")
	cert, key := ca.Client(t, "ILL Desk test")
	otherCert, _ := ca.Client(t, "Other")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, []byte(ca.PEM), 0o600))
	tests := []struct {
		name  string
		setup [][]string // commands that must succeed first
		stdin string
		args  []string
		code  int
		says  string
	}{
		{"a certificate file that is not there", nil, "", []string{"config", "set", "tls-client-cert", "nowhere.pem"}, 1,
			"nowhere.pem cannot be used as tls-client-cert"},
		{"a certificate given as the key", nil, "", []string{"config", "set", "tls-client-key", cert}, 1,
			"cannot be used as tls-client-key"},
		{"a key that is not the certificate's", [][]string{{"config", "set", "tls-client-cert", otherCert}}, "",
			[]string{"config", "set", "tls-client-key", key}, 1, "do not make a pair"},
		{"allow-plain-http takes on or off", nil, "", []string{"config", "set", "allow-plain-http", "yes"}, 2, "on or off"},
		{"a plain http endpoint on another computer", nil, "",
			[]string{"partner", "add", "LIB", "--name", "Lib", "--iso-endpoint", "http://lib.example.org/iso"}, 1,
			"plain http to another computer"},
		{"a private key as a partner's server CA", nil, "", []string{"partner", "edit", "RAPID", "--name", "Renamed", "--server-ca", key}, 1,
			"holds a private key"},
		{"a server CA file that is not there", nil, "", []string{"partner", "edit", "RAPID", "--name", "Renamed", "--server-ca", "nowhere.pem"}, 1,
			"cannot read the server CA"},
		{"no token on standard input", nil, "", []string{"partner", "edit", "RAPID", "--name", "Renamed", "--outbound-token-stdin"}, 2,
			"no token on standard input"},
		{"a token with a space", nil, "tok 123\n", []string{"partner", "edit", "RAPID", "--name", "Renamed", "--outbound-token-stdin"}, 1,
			"visible ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			c := newCLI(t)
			c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--iso-endpoint", "https://rapid.example.org/iso")
			for _, args := range tt.setup {
				c.ok(args...)
			}
			before := c.ok("config", "show") + c.ok("partner", "list", "--json") + c.ok("audit")
			code, _, errOut := c.runWith(nil, strings.NewReader(tt.stdin), "", tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.says)
			assert.Equal(t, before, c.ok("config", "show")+c.ok("partner", "list", "--json")+c.ok("audit"), "nothing changed")
		})
	}
}

func TestPlainHTTPOnceAllowed(t *testing.T) {
	c := newCLI(t)
	c.ok("config", "set", "allow-plain-http", "on")
	assert.Contains(t, c.ok("config", "show"), "allow-plain-http          on")
	c.ok("partner", "add", "LIB", "--name", "Lib", "--iso-endpoint", "http://lib.example.org/iso")
	var ps []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("partner", "list", "--json")), &ps))
	require.Len(t, ps, 1)
	assert.Equal(t, "http://lib.example.org/iso", ps[0]["iso_endpoint"])
	assert.NotContains(t, ps[0], "server_ca", "a partner without a server CA keeps its JSON shape")
	c.ok("config", "set", "allow-plain-http", "off")
	assert.Contains(t, c.ok("audit"), "allow_plain_http: on → (none)")
}
