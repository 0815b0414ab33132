package isohttp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

const (
	ours     = "ISIL:US-OURS"
	tokToken = "tok-0123456789abcdef0123456789abcdef"
	othToken = "oth-0123456789abcdef0123456789abcdef"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return testCA{cert: cert, key: key}
}

func (ca testCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}))
}

// issue makes a certificate for a client or, with host, for a server.
func (ca testCA) issue(t *testing.T, name, host string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if host != "" {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP(host)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// authDesk is a desk with our agency id and partners proving themselves
// in each way: TOK and OTH by token, TLS by a client certificate of ca,
// FAR only from 10.0.0.0/8, NEAR only from loopback, OLD not at all.
func authDesk(t *testing.T, ca testCA) *domain.Desk {
	t.Helper()
	d := newDesk(t)
	require.NoError(t, d.SetAgencyID(ours))
	for _, p := range []struct {
		code string
		edit func(*domain.Partner) error
	}{
		{"TOK", func(p *domain.Partner) error { return p.SetInboundToken(tokToken) }},
		{"OTH", func(p *domain.Partner) error { return p.SetInboundToken(othToken) }},
		{"TLS", func(p *domain.Partner) error { return p.SetClientCA(ca.pem()) }},
		{"FAR", func(p *domain.Partner) error { return p.SetAllowFrom("10.0.0.0/8") }},
		{"NEAR", func(p *domain.Partner) error { return p.SetAllowFrom("127.0.0.0/8,::1") }},
		{"OLD", func(*domain.Partner) error { return nil }},
	} {
		_, err := d.AddPartner(domain.Partner{Code: p.code, Name: p.code, AgencyID: "ISIL:DE-" + p.code})
		require.NoError(t, err)
		_, err = d.EditPartner(p.code, func(q *domain.Partner) { require.NoError(t, p.edit(q)) })
		require.NoError(t, err)
	}
	return d
}

// request is an ISO 18626 request from agency; code, when given, is its
// requestingAgencyAuthentication securityCode.
func request(agency, id, title, code string) string {
	typ, val, _ := strings.Cut(agency, ":")
	auth := ""
	if code != "" {
		auth = "<requestingAgencyAuthentication><accountId>us</accountId><securityCode>" + code + "</securityCode></requestingAgencyAuthentication>"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2"><request><header>
<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-OURS</agencyIdValue></supplyingAgencyId>
<requestingAgencyId><agencyIdType>` + typ + `</agencyIdType><agencyIdValue>` + val + `</agencyIdValue></requestingAgencyId>
<timestamp>2026-12-07T08:00:00Z</timestamp><requestingAgencyRequestId>` + id + `</requestingAgencyRequestId>` + auth + `
</header><bibliographicInfo><title>` + title + `</title></bibliographicInfo>
<serviceInfo><serviceType>Copy</serviceType></serviceInfo></request></ISO18626Message>`
}

// serve runs a bounded server on 127.0.0.1 until the test ends; lines
// collects its log.
type served struct {
	url   string
	mu    sync.Mutex
	lines []string
}

func (s *served) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

func serve(t *testing.T, d *domain.Desk, set domain.ServerSettings, tlsConf *tls.Config) *served {
	t.Helper()
	s := &served{}
	srv := NewServer(Handler{Desk: d, Log: func(line string) {
		s.mu.Lock()
		s.lines = append(s.lines, line)
		s.mu.Unlock()
	}}, set, tlsConf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	s.url = "http://" + ln.Addr().String() + "/"
	if tlsConf != nil {
		s.url = "https://" + ln.Addr().String() + "/"
	}
	return s
}

func lendingCount(t *testing.T, d *domain.Desk) int {
	t.Helper()
	rs, err := d.List(domain.Filter{Side: domain.Lending})
	require.NoError(t, err)
	return len(rs)
}

type posted struct {
	status int
	body   string
	header http.Header
}

func postWith(t *testing.T, c *http.Client, url, body string, header map[string]string) (posted, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return posted{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return posted{status: resp.StatusCode, body: string(b), header: resp.Header}, nil
}

var quick = &http.Client{Timeout: 10 * time.Second}

func TestServerRefusesUnprovenCallers(t *testing.T) {
	d := authDesk(t, newTestCA(t, "TLS CA"))
	s := serve(t, d, domain.DefaultServerSettings, nil)
	xml := map[string]string{"Content-Type": "text/xml; charset=utf-8"}
	with := func(h map[string]string) map[string]string {
		out := map[string]string{"Content-Type": "application/xml"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name    string
		body    string
		header  map[string]string
		status  int
		created bool
	}{
		{"bearer token", request("ISIL:DE-TOK", "A1", "Elephants", ""), with(map[string]string{"Authorization": "Bearer " + tokToken}), 200, true},
		{"no token", request("ISIL:DE-TOK", "A2", "Elephants", ""), xml, 401, false},
		{"invalid token", request("ISIL:DE-TOK", "A3", "Elephants", ""), with(map[string]string{"Authorization": "Bearer " + tokToken + "0"}), 401, false},
		{"not a bearer token", request("ISIL:DE-TOK", "A4", "Elephants", ""), with(map[string]string{"Authorization": "Basic " + tokToken}), 401, false},
		{"signed as another partner", request("ISIL:DE-TOK", "A5", "Elephants", ""), with(map[string]string{"Authorization": "Bearer " + othToken}), 403, false},
		{"accountId and securityCode", request("ISIL:DE-TOK", "A6", "Elephants", tokToken), xml, 200, true},
		{"a wrong securityCode", request("ISIL:DE-TOK", "A7", "Elephants", othToken+"x"), xml, 401, false},
		{"another partner's securityCode", request("ISIL:DE-TOK", "A8", "Elephants", othToken), xml, 403, false},
		{"an unknown agency with a partner's token", request("ISIL:DE-NOBODY", "A9", "Elephants", ""), with(map[string]string{"Authorization": "Bearer " + tokToken}), 403, false},
		{"outside the allowlist", request("ISIL:DE-FAR", "B1", "Elephants", ""), xml, 403, false},
		{"inside the allowlist", request("ISIL:DE-NEAR", "B2", "Elephants", ""), xml, 200, true},
		{"a partner from before credentials", request("ISIL:DE-OLD", "B3", "Elephants", ""), xml, 200, true},
		{"a browser's cross-site form", request("ISIL:DE-OLD", "C1", "Elephants", ""), map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403, false},
		{"a browser's fetch", request("ISIL:DE-OLD", "C2", "Elephants", ""), with(map[string]string{"Sec-Fetch-Site": "cross-site"}), 403, false},
		{"text/plain", request("ISIL:DE-OLD", "C3", "Elephants", ""), map[string]string{"Content-Type": "text/plain"}, 415, false},
		{"a form", request("ISIL:DE-OLD", "C4", "Elephants", ""), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, false},
		{"no content type", request("ISIL:DE-OLD", "C5", "Elephants", ""), nil, 415, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := lendingCount(t, d)
			got, err := postWith(t, quick, s.url, tc.body, tc.header)
			require.NoError(t, err)
			assert.Equal(t, tc.status, got.status, got.body)
			created := lendingCount(t, d) - before
			if tc.created {
				assert.Equal(t, 1, created)
				assert.Contains(t, got.body, ">OK<")
				return
			}
			assert.Zero(t, created, "nothing changed")
			assert.NotContains(t, got.body, "<", "a refusal is plain text")
			assert.Less(t, len(got.body), 100, "and short")
			if tc.status == 401 {
				assert.Equal(t, `Bearer realm="ISO 18626"`, got.header.Get("WWW-Authenticate"))
			}
			assert.Contains(t, s.log(), fmt.Sprint(tc.status), "the attempt is logged")
		})
	}
	assert.NotContains(t, s.log(), tokToken, "the log never shows a credential")
	assert.NotContains(t, s.log(), othToken)
}

func TestServerUniformRefusalForUnprovenCallers(t *testing.T) {
	d := authDesk(t, newTestCA(t, "TLS CA"))
	s := serve(t, d, domain.DefaultServerSettings, nil)
	cancel := func(agency, id string) string {
		typ, val, _ := strings.Cut(agency, ":")
		return `<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2"><requestingAgencyMessage><header>
<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-OURS</agencyIdValue></supplyingAgencyId>
<requestingAgencyId><agencyIdType>` + typ + `</agencyIdType><agencyIdValue>` + val + `</agencyIdValue></requestingAgencyId>
<timestamp>2026-12-07T08:00:00Z</timestamp><requestingAgencyRequestId>` + id + `</requestingAgencyRequestId>
</header><action>Cancel</action></requestingAgencyMessage></ISO18626Message>`
	}
	xml := map[string]string{"Content-Type": "text/xml"}
	got, err := postWith(t, quick, s.url, cancel("ISIL:DE-OLD", "NOPE-1"), xml)
	require.NoError(t, err)
	assert.Equal(t, 200, got.status)
	assert.Contains(t, got.body, "<ill:errorValue>The message does not match anything we can act on for its sender.</ill:errorValue>")
	assert.NotContains(t, got.body, "No lending request", "a caller that proved nothing learns nothing of our ids")
	got, err = postWith(t, quick, s.url, cancel("ISIL:DE-TOK", "NOPE-2"), map[string]string{"Content-Type": "text/xml", "Authorization": "Bearer " + tokToken})
	require.NoError(t, err)
	assert.Contains(t, got.body, "No lending request NOPE-2 from TOK", "a proven partner is told")
}

func TestServerMutualTLS(t *testing.T) {
	partnerCA, strangerCA, serverCA := newTestCA(t, "Partner CA"), newTestCA(t, "Stranger CA"), newTestCA(t, "Server CA")
	d := authDesk(t, partnerCA)
	dir := t.TempDir()
	cert := serverCA.issue(t, "desk", "127.0.0.1")
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600))
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	conf, err := TLSConfig(certFile, keyFile, func() (*x509.CertPool, error) {
		ps, err := d.Partners()
		return domain.ClientCAs(ps), err
	})
	require.NoError(t, err)
	s := serve(t, d, domain.DefaultServerSettings, conf)
	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
	}
	// insisting sends its certificate even when the server names other CAs.
	insisting := func(cert tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }}}}
	}
	xml := map[string]string{"Content-Type": "application/xml"}
	cases := []struct {
		name    string
		c       *http.Client
		agency  string
		status  int // 0: the handshake fails
		created bool
	}{
		{"the partner's certificate", client(partnerCA.issue(t, "tls partner", "")), "ISIL:DE-TLS", 200, true},
		{"a certificate of another CA", insisting(strangerCA.issue(t, "tls partner", "")), "ISIL:DE-TLS", 0, false},
		{"a client that holds only a certificate of another CA sends none", client(strangerCA.issue(t, "tls partner", "")), "ISIL:DE-TLS", 401, false},
		{"no certificate", client(), "ISIL:DE-TLS", 401, false},
		{"the certificate naming another partner", client(partnerCA.issue(t, "tls partner", "")), "ISIL:DE-OLD", 403, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := lendingCount(t, d)
			got, err := postWith(t, tc.c, s.url, request(tc.agency, fmt.Sprint("T", i), "Over TLS", ""), xml)
			if tc.status == 0 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.status, got.status, got.body)
			}
			if tc.created {
				assert.Equal(t, before+1, lendingCount(t, d))
			} else {
				assert.Equal(t, before, lendingCount(t, d), "nothing changed")
			}
		})
	}
}

func TestServerRateLimits(t *testing.T) {
	d := authDesk(t, newTestCA(t, "TLS CA"))
	t.Run("per address", func(t *testing.T) {
		set := domain.DefaultServerSettings
		set.RatePerAddress = 5
		s := serve(t, d, set, nil)
		var statuses []int
		for i := range 8 {
			got, err := postWith(t, quick, s.url, request("ISIL:DE-OLD", fmt.Sprint("R", i), "Burst", ""), map[string]string{"Content-Type": "text/xml"})
			require.NoError(t, err)
			statuses = append(statuses, got.status)
			if got.status == 429 {
				assert.NotEmpty(t, got.header.Get("Retry-After"))
			}
		}
		assert.Equal(t, []int{200, 200, 200, 200, 200, 429, 429, 429}, statuses)
		assert.Contains(t, s.log(), `too many messages from "127.0.0.1": 429`)
	})
	t.Run("per agency", func(t *testing.T) {
		set := domain.DefaultServerSettings
		set.RatePerAgency = 3
		s := serve(t, d, set, nil)
		send := func(agency, id string, header map[string]string) int {
			header["Content-Type"] = "text/xml"
			got, err := postWith(t, quick, s.url, request(agency, id, "Burst", ""), header)
			require.NoError(t, err)
			return got.status
		}
		for i := range 5 { // a stranger's refused attempts do not count against TOK
			assert.Equal(t, 401, send("ISIL:DE-TOK", fmt.Sprint("S", i), map[string]string{}))
		}
		var statuses []int
		for i := range 4 {
			statuses = append(statuses, send("ISIL:DE-TOK", fmt.Sprint("P", i), map[string]string{"Authorization": "Bearer " + tokToken}))
		}
		assert.Equal(t, []int{200, 200, 200, 429}, statuses)
		assert.Equal(t, 200, send("ISIL:DE-OLD", "Q1", map[string]string{}), "other agencies go on")
	})
}

func TestServerLogQuotesOutsideValues(t *testing.T) {
	d := authDesk(t, newTestCA(t, "TLS CA"))
	s := serve(t, d, domain.DefaultServerSettings, nil)
	forged := "Elephants\n12:00:00 New lending request FORGED"
	got, err := postWith(t, quick, s.url, request("ISIL:DE-OLD", "L1", forged, ""), map[string]string{"Content-Type": "text/xml"})
	require.NoError(t, err)
	require.Equal(t, 200, got.status)
	_, err = postWith(t, quick, s.url, request("ISIL:DE-OLD", "L2", "x", ""), map[string]string{"Content-Type": "text/plain\nforged: yes"})
	require.Error(t, err, "Go's client refuses a newline in a header itself")
	got, err = postWith(t, quick, s.url, "x", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example/\u2028x"})
	require.NoError(t, err)
	require.Equal(t, 403, got.status)
	for _, line := range strings.Split(s.log(), "\n") {
		assert.False(t, strings.HasPrefix(line, "12:00:00"), "no log line is forged: %q", line)
	}
	assert.Contains(t, s.log(), `Elephants\n12:00:00`)
	assert.Contains(t, s.log(), `"https://evil.example/\u2028x"`)
}

// slowSender opens a connection from local (an address on this computer)
// and posts the header of a message, then sends its body one byte a second
// until stop is closed. answer receives what the server said before it
// closed the connection: nothing for one closed at once, the answer to a
// body that did not come in time for one it held ("" too when it could not
// connect). Telling them apart by what was said rather than by how long it
// took keeps the test sound on a busy machine.
func slowSender(local, addr string, stop <-chan struct{}, answer chan<- string) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		answer <- ""
		return
	}
	go func() {
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: desk\r\nContent-Type: text/xml\r\nContent-Length: 1000000\r\n\r\n")
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if _, err := c.Write([]byte("<")); err != nil {
				return
			}
			select {
			case <-stop:
				c.Close()
				return
			case <-tick.C:
			}
		}
	}()
	go func() {
		said, _ := io.ReadAll(c)
		first, _, _ := strings.Cut(string(said), "\r\n")
		answer <- first
	}()
}

// canBind reports whether this computer answers on a second loopback address.
func canBind(t *testing.T, ip string) bool {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// TestServerSlowSenders has 200 connections from one address send their
// bodies one byte a second: that address gets its share of connections,
// the rest are closed at once, the ones it holds are closed after the read
// timeout, and a partner's message from another address is answered
// within a second all along.
func TestServerSlowSenders(t *testing.T) {
	if !canBind(t, "127.0.0.2") {
		t.Skip("this system has no second loopback address (127.0.0.2)")
	}
	d := authDesk(t, newTestCA(t, "TLS CA"))
	set := domain.DefaultServerSettings
	set.ReadTimeout, set.MaxConnectionsPerAddress = 2*time.Second, 16
	s := serve(t, d, set, nil)
	addr := strings.TrimSuffix(strings.TrimPrefix(s.url, "http://"), "/")
	stop := make(chan struct{})
	defer close(stop)
	answers := make(chan string, 200)
	for range 200 {
		slowSender("127.0.0.2", addr, stop, answers)
	}
	partner := &http.Client{Timeout: time.Second} // answered within a second, or failed
	for i := range 3 {
		got, err := postWith(t, partner, s.url, request("ISIL:DE-TOK", fmt.Sprint("N", i), "Normal", ""),
			map[string]string{"Content-Type": "text/xml", "Authorization": "Bearer " + tokToken})
		require.NoError(t, err, "a partner's message is answered within a second while 200 slow senders are connected")
		assert.Equal(t, 200, got.status)
		time.Sleep(500 * time.Millisecond)
	}
	var early, timedOut int
	deadline := time.After(20 * time.Second)
	for range 200 {
		select {
		case a := <-answers:
			switch {
			case a == "":
				early++
			case strings.HasPrefix(a, "HTTP/1.1 400 "): // its body did not come within the read timeout
				timedOut++
			default:
				t.Errorf("a slow sender was answered %q", a)
			}
		case <-deadline:
			t.Fatalf("slow senders still connected after 20 s (%d closed at once, %d after the read timeout)", early, timedOut)
		}
	}
	assert.Equal(t, 200-16, early, "beyond its 16 places, an address's connections are closed at once, unanswered")
	assert.Equal(t, 16, timedOut, "the ones it holds are closed after the read timeout")
}

func TestLargeBodiesShareABudget(t *testing.T) {
	b := &bodyBudget{limit: 100 << 10}
	read := func(n int) (*budgetReader, error) {
		br := &budgetReader{r: strings.NewReader(strings.Repeat("x", n)), b: b}
		_, err := io.ReadAll(br)
		return br, err
	}
	small, err := read(freeBodyBytes)
	require.NoError(t, err, "a normal message takes nothing from the budget")
	assert.Zero(t, b.used.Load())
	big, err := read(freeBodyBytes + 80<<10)
	require.NoError(t, err)
	assert.Equal(t, int64(80<<10), b.used.Load())
	refused, err := read(freeBodyBytes + 40<<10)
	require.ErrorIs(t, err, errBusy, "no room left for another large one")
	assert.LessOrEqual(t, b.used.Load(), b.limit)
	for _, br := range []*budgetReader{big, small, refused} {
		br.release()
	}
	assert.Zero(t, b.used.Load(), "each gives back what it took")
	_, err = read(freeBodyBytes + 40<<10)
	require.NoError(t, err, "room again once the others are done")
}

func TestDownloadsOutlastTheWriteTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(300 * time.Millisecond) // a large file to a slow partner
		_, _ = w.Write([]byte("%PDF-1.7"))
	})
	srv := &http.Server{Handler: downloadTime(slow, time.Minute), WriteTimeout: 100 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	cases := []struct {
		path string
		ok   bool
	}{
		{"/files/0123", true},
		{"/", false},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := quick.Get("http://" + ln.Addr().String() + tc.path)
			if !tc.ok {
				require.Error(t, err, "anything else is cut off at the write timeout")
				return
			}
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, "%PDF-1.7", string(b))
		})
	}
}

// TestFiveHundredStrangers posts 500 requests from 500 agencies that are
// none of our partners, as fast as one address can: what the address's
// rate lets through waits in the quarantine, the rest is refused with 429,
// and neither the request list nor the partners change.
func TestFiveHundredStrangers(t *testing.T) {
	d := authDesk(t, newTestCA(t, "TLS CA"))
	before, err := d.Partners()
	require.NoError(t, err)
	s := serve(t, d, domain.DefaultServerSettings, nil)
	statuses := map[int]int{}
	start := time.Now()
	for i := range 500 {
		got, err := postWith(t, quick, s.url, request(fmt.Sprintf("ISIL:XX-STRANGER-%03d", i), fmt.Sprint("S", i), "Fill the desk", ""),
			map[string]string{"Content-Type": "application/xml"})
		require.NoError(t, err)
		statuses[got.status]++
	}
	limit := domain.DefaultServerSettings.RatePerAddress
	// the bucket refills at limit a minute while the posts run, however slow the machine
	refilled := int(time.Since(start).Minutes()*float64(limit)) + 1
	assert.GreaterOrEqual(t, statuses[http.StatusOK], limit, "the address's rate is let in")
	assert.LessOrEqual(t, statuses[http.StatusOK], limit+refilled, "no more than the rate and what came back meanwhile: %v", statuses)
	assert.Equal(t, 500, statuses[http.StatusOK]+statuses[http.StatusTooManyRequests], "every other answer is 429: %v", statuses)
	held, err := d.Quarantine(false)
	require.NoError(t, err)
	assert.Len(t, held, statuses[http.StatusOK], "what was let in is held")
	assert.Zero(t, lendingCount(t, d), "the request list is untouched")
	after, err := d.Partners()
	require.NoError(t, err)
	assert.Equal(t, before, after, "no partner was made or changed")
}
