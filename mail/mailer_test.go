package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gmsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/illdesk/illdesk/domain"
)

const password = "s3cret-Pa55word"

func sampleNotice() domain.Notice {
	return domain.Notice{
		ID: "019ab1c2-7000-7000-8000-000000000001", RequestID: "019ab1c2-6000-7000-8000-000000000009", Ref: "BVB-77",
		Kind: domain.NoticeReadyForPickup, To: "ada@example.edu", ToName: "Ada Lovelace",
		Subject: "Ready for pickup: Reiseführer Zürich",
		Body:    "Dear Ada Lovelace,\n\nReiseführer Zürich is waiting for you at Main Library until Monday 30 November 2026.\n\nKind regards,\nMain Library ILL\n",
		Created: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC), Status: domain.NoticeQueued,
	}
}

// parsed is an RFC 5322 message read back with the standard library alone.
type parsed struct {
	header  mail.Header
	subject string
	body    string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	require.NoError(t, err, "a valid RFC 5322 message:\n%s", raw)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "text/plain", mediaType)
	assert.Equal(t, "utf-8", strings.ToLower(params["charset"]))
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	return parsed{header: msg.Header, subject: subject, body: strings.ReplaceAll(string(b), "\r\n", "\n")}
}

// checkMessage checks what every notice message must carry.
func checkMessage(t *testing.T, p parsed, n domain.Notice, from string) {
	t.Helper()
	to, err := p.header.AddressList("To")
	require.NoError(t, err)
	require.Len(t, to, 1)
	assert.Equal(t, n.To, to[0].Address)
	assert.Equal(t, n.ToName, to[0].Name)
	f, err := p.header.AddressList("From")
	require.NoError(t, err)
	require.Len(t, f, 1)
	want, err := mail.ParseAddress(from)
	require.NoError(t, err)
	assert.Equal(t, *want, *f[0])
	assert.Equal(t, n.Subject, p.subject)
	assert.Equal(t, n.Body, p.body)
	_, err = p.header.Date()
	assert.NoError(t, err, "Date header")
	assert.Equal(t, "<illdesk."+n.ID+"@example.edu>", p.header.Get("Message-Id"))
	assert.Equal(t, "auto-generated", p.header.Get("Auto-Submitted"))
}

// ---- Outbox ----

func TestOutboxWritesAnEMLFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := Outbox{Dir: dir, From: "Main Library ILL <ill@example.edu>"}
	n := sampleNotice()

	where, err := o.Send(n)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "2026-11-23-BVB-77.eml"), where)
	assert.True(t, filepath.IsAbs(where))
	raw, err := os.ReadFile(where)
	require.NoError(t, err)
	p := parse(t, raw)
	checkMessage(t, p, n, o.From)
	assert.Equal(t, "1", p.header.Get("X-Unsent"), "opens as a draft to send")
	date, err := p.header.Date()
	require.NoError(t, err)
	assert.True(t, n.Created.Equal(date))
	assert.Contains(t, p.body, "Zürich")

	if runtime.GOOS != "windows" {
		fi, err := os.Stat(where)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "patron data is private")
		di, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	}

	// a second notice for the same request the same day does not overwrite the first
	where2, err := o.Send(n)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "2026-11-23-BVB-77-2.eml"), where2)
	again, err := os.ReadFile(where)
	require.NoError(t, err)
	assert.Equal(t, raw, again)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"2026-11-23-BVB-77-2.eml", "2026-11-23-BVB-77.eml"}, names, "no temporary files left")
}

func TestOutboxFileNames(t *testing.T) {
	tests := []struct {
		name string
		edit func(*domain.Notice)
		want string
	}{
		{"path-like ref", func(n *domain.Notice) { n.Ref = "../RAPID:1/2" }, "2026-11-23-__RAPID_1_2.eml"},
		{"no ref: the notice id", func(n *domain.Notice) { n.Ref = "" }, "2026-11-23-019ab1c2-7000-7000-8000-000000000001.eml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			n := sampleNotice()
			tt.edit(&n)
			where, err := Outbox{Dir: dir}.Send(n)
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, tt.want), where)
			raw, err := os.ReadFile(where)
			require.NoError(t, err)
			p := parse(t, raw)
			assert.Empty(t, p.header.Get("From"), "no sender configured")
			assert.Equal(t, n.Subject, p.subject)
		})
	}
}

func TestOutboxRefusals(t *testing.T) {
	_, err := Outbox{}.Send(sampleNotice())
	assert.Error(t, err)

	n := sampleNotice()
	n.To = "not an address"
	dir := t.TempDir()
	_, err = Outbox{Dir: dir}.Send(n)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not an email address")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)

	// the outbox is a file, not a folder
	file := filepath.Join(t.TempDir(), "outbox")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = Outbox{Dir: file}.Send(sampleNotice())
	assert.Error(t, err)
}

func TestForChoosesByHost(t *testing.T) {
	assert.Equal(t, Outbox{Dir: "/out", From: "ill@example.edu"}, For(domain.MailSettings{From: "ill@example.edu"}, "/out"))
	s := domain.MailSettings{Host: "smtp.example.edu", Port: 587, TLS: "starttls", From: "ill@example.edu"}
	assert.Equal(t, SMTP{Settings: s}, For(s, "/out"))
}

// ---- an in-process SMTP server ----

type received struct {
	from string
	to   []string
	data []byte
}

// testServer is a go-smtp server on a loopback port that records messages.
type testServer struct {
	mu       sync.Mutex
	messages []received
	logins   []string
	// rejectRcpt makes RCPT TO fail with 550.
	rejectRcpt bool
	// user and password, when set, are required (AUTH PLAIN and LOGIN offered).
	user, password string
	addr           string
	port           int
}

func (s *testServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &testSession{s: s}, nil }

type testSession struct {
	s    *testServer
	cur  received
	auth bool
}

func (ss *testSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.s.mu.Lock()
		ss.s.logins = append(ss.s.logins, user)
		ss.s.mu.Unlock()
		if user != ss.s.user || pass != ss.s.password {
			// some servers echo what they got; the client must not pass it on
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
				Message: "authentication failed for " + user + " with " + pass + " / " + base64.StdEncoding.EncodeToString([]byte(pass))}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.cur = received{from: from}
	return nil
}

func (ss *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.rejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	ss.cur.to = append(ss.cur.to, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.data = b
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, ss.cur)
	ss.s.mu.Unlock()
	return nil
}

func (ss *testSession) Reset()        { ss.cur = received{} }
func (ss *testSession) Logout() error { return nil }

func (s *testServer) got() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

// startServer serves on 127.0.0.1:0. tlsMode "" is plain SMTP, "starttls"
// offers STARTTLS, "tls" is TLS from the first byte.
func startServer(t *testing.T, ts *testServer, tlsMode string, cert *tls.Config) *testServer {
	t.Helper()
	srv := smtp.NewServer(ts)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	switch tlsMode {
	case "starttls":
		srv.TLSConfig = cert
	case "tls":
		l = tls.NewListener(l, cert)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	ts.addr = l.Addr().String()
	_, port, _ := net.SplitHostPort(ts.addr)
	ts.port, _ = strconv.Atoi(port)
	return ts
}

func settingsFor(ts *testServer, tlsMode string) domain.MailSettings {
	return domain.MailSettings{Host: "127.0.0.1", Port: ts.port, TLS: tlsMode, From: "Main Library ILL <ill@example.edu>"}
}

// selfSigned makes a certificate for 127.0.0.1 and the client config trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ILL Desk test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}

// ---- SMTP ----

func TestSMTPSendsWithoutTLSOrLogin(t *testing.T) {
	ts := startServer(t, &testServer{}, "", nil)
	s := SMTP{Settings: settingsFor(ts, "none"), Timeout: 5 * time.Second}
	n := sampleNotice()

	where, err := s.Send(n)
	require.NoError(t, err)
	assert.Equal(t, "smtp:127.0.0.1", where)
	got := ts.got()
	require.Len(t, got, 1)
	assert.Equal(t, "ill@example.edu", got[0].from)
	assert.Equal(t, []string{"ada@example.edu"}, got[0].to)
	p := parse(t, got[0].data)
	checkMessage(t, p, n, s.Settings.From)
	assert.Empty(t, p.header.Get("X-Unsent"))
	assert.Contains(t, p.body, "Reiseführer Zürich")

	// a retry of the same notice keeps its Message-ID
	_, err = s.Send(n)
	require.NoError(t, err)
	got = ts.got()
	require.Len(t, got, 2)
	assert.Equal(t, p.header.Get("Message-Id"), parse(t, got[1].data).header.Get("Message-Id"))
}

func TestSMTPRejectedRecipientIsAnError(t *testing.T) {
	ts := startServer(t, &testServer{rejectRcpt: true}, "", nil)
	s := SMTP{Settings: settingsFor(ts, "none"), Timeout: 5 * time.Second}
	where, err := s.Send(sampleNotice())
	require.Error(t, err)
	assert.Equal(t, "smtp:127.0.0.1", where)
	assert.Contains(t, err.Error(), "No such user here")
	assert.Contains(t, err.Error(), ts.addr)
	assert.Empty(t, ts.got())
}

func TestSMTPLogin(t *testing.T) {
	ts := startServer(t, &testServer{user: "ill", password: password}, "", nil)
	set := settingsFor(ts, "none")
	set.User, set.Password = "ill", password

	_, err := SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
	require.NoError(t, err, "PLAIN over plain text is allowed to this computer only")
	require.Len(t, ts.got(), 1)
	require.NoError(t, SMTP{Settings: set, Timeout: 5 * time.Second}.Check())

	// a wrong password: the error says so, and never repeats it
	set.Password = password + "-wrong"
	_, err = SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "authentication failed")
	assert.NotContains(t, err.Error(), set.Password)
	assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString([]byte(set.Password)))
	err = SMTP{Settings: set, Timeout: 5 * time.Second}.Check()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), set.Password)
	assert.Len(t, ts.got(), 1)

	// no login at all is refused by this server
	set.User, set.Password = "", ""
	_, err = SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
	require.Error(t, err)
	assert.Len(t, ts.got(), 1)
}

func TestSMTPStartTLSIsMandatory(t *testing.T) {
	// the server offers no STARTTLS: nothing is sent, least of all the password
	ts := startServer(t, &testServer{user: "ill", password: password}, "", nil)
	set := settingsFor(ts, "starttls")
	set.User, set.Password = "ill", password
	_, err := SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not offer STARTTLS, so nothing was sent")
	assert.NotContains(t, err.Error(), password)
	assert.Empty(t, ts.got())
	ts.mu.Lock()
	assert.Empty(t, ts.logins, "no credentials offered in clear")
	ts.mu.Unlock()
}

func TestSMTPOverTLS(t *testing.T) {
	serverConf, clientConf := selfSigned(t)
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			ts := startServer(t, &testServer{user: "ill", password: password}, mode, serverConf)
			set := settingsFor(ts, mode)
			set.User, set.Password = "ill", password
			_, err := SMTP{Settings: set, Timeout: 5 * time.Second, TLSConfig: clientConf}.Send(sampleNotice())
			require.NoError(t, err)
			require.Len(t, ts.got(), 1)
			checkMessage(t, parse(t, ts.got()[0].data), sampleNotice(), set.From)

			// without trusting the certificate, nothing is sent
			_, err = SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "certificate")
			assert.Len(t, ts.got(), 1)
		})
	}
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

func TestSMTPDeadPortFailsWithinTheTimeout(t *testing.T) {
	set := domain.MailSettings{Host: "127.0.0.1", Port: freePort(t), TLS: "none", From: "ill@example.edu"}
	start := time.Now()
	where, err := SMTP{Settings: set, Timeout: 2 * time.Second}.Send(sampleNotice())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, "smtp:127.0.0.1", where)
	assert.Contains(t, err.Error(), "cannot connect to the mail server 127.0.0.1:")
	assert.Error(t, SMTP{Settings: set, Timeout: 2 * time.Second}.Check())
}

func TestSMTPSilentServerFailsWithinTheTimeout(t *testing.T) {
	// accepts the connection, then never says a word
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	set := domain.MailSettings{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: "none", From: "ill@example.edu"}
	start := time.Now()
	_, err = SMTP{Settings: set, Timeout: 500 * time.Millisecond}.Send(sampleNotice())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Contains(t, err.Error(), "did not answer")
}

func TestSMTPRefusals(t *testing.T) {
	_, err := SMTP{}.Send(sampleNotice())
	assert.Error(t, err, "no host")

	ts := startServer(t, &testServer{}, "", nil)
	set := settingsFor(ts, "none")
	n := sampleNotice()
	n.To = "nobody"
	_, err = SMTP{Settings: set, Timeout: 5 * time.Second}.Send(n)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not an email address")

	set.TLS = "ssl3"
	_, err = SMTP{Settings: set, Timeout: 5 * time.Second}.Send(sampleNotice())
	require.Error(t, err)
	assert.Empty(t, ts.got())
}

func TestScrub(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(password))
	plain := base64.StdEncoding.EncodeToString([]byte("\x00ill\x00" + password))
	err := scrub(errors.New("535 "+password+" "+b64+" "+plain), "ill", password)
	assert.NotContains(t, err.Error(), password)
	assert.NotContains(t, err.Error(), b64)
	assert.NotContains(t, err.Error(), plain)
	inner := errors.New("plain failure")
	assert.Same(t, inner, scrub(inner, "ill", password), "nothing to hide: the error is kept as is")
	assert.NoError(t, scrub(nil, "ill", password))
}

// DeliverNotices over the real mailers.
func TestDeliverThroughTheMailers(t *testing.T) {
	ts := startServer(t, &testServer{}, "", nil)
	for _, m := range []domain.Mailer{SMTP{Settings: settingsFor(ts, "none"), Timeout: 5 * time.Second}, Outbox{Dir: t.TempDir()}} {
		where, err := m.Send(sampleNotice())
		require.NoError(t, err)
		assert.NotEmpty(t, where)
	}
	assert.Len(t, ts.got(), 1)
}

func TestLoginMechanism(t *testing.T) {
	tests := []struct {
		name   string
		server gmsmtp.ServerInfo
		mech   string
		err    string
	}{
		{"plain over TLS", gmsmtp.ServerInfo{Name: "smtp.example.edu", TLS: true, Auth: []string{"LOGIN", "PLAIN"}}, "PLAIN", ""},
		{"login only", gmsmtp.ServerInfo{Name: "smtp.example.edu", TLS: true, Auth: []string{"LOGIN"}}, "LOGIN", ""},
		{"neither", gmsmtp.ServerInfo{Name: "smtp.example.edu", TLS: true, Auth: []string{"CRAM-MD5"}}, "", "neither PLAIN nor LOGIN"},
		{"plain in clear to another computer", gmsmtp.ServerInfo{Name: "smtp.example.edu", Auth: []string{"PLAIN"}}, "", "unencrypted"},
		{"login in clear to another computer", gmsmtp.ServerInfo{Name: "smtp.example.edu", Auth: []string{"LOGIN"}}, "", "unencrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &plainOrLogin{user: "ill", password: password, host: "smtp.example.edu"}
			mech, _, err := a.Start(&tt.server)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.NotContains(t, err.Error(), password)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mech, mech)
		})
	}
}
