package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/illdesk/illdesk/domain"
)

// DefaultTimeout bounds one whole SMTP conversation: connecting, greeting,
// STARTTLS, login and sending.
const DefaultTimeout = 20 * time.Second

// SMTP sends notices through the mail server of Settings. With a user name it
// logs in with PLAIN, or LOGIN when the server offers only that, and only over
// an encrypted connection (or to a server on this computer).
type SMTP struct {
	Settings domain.MailSettings
	// Timeout bounds one conversation with the server; 0 means DefaultTimeout.
	Timeout time.Duration
	// TLSConfig replaces the default TLS configuration (system roots, the
	// host as server name), e.g. to trust a local test certificate.
	TLSConfig *tls.Config
}

var _ domain.Mailer = SMTP{}

// Send delivers the notice in one attempt; where is "smtp:HOST".
func (s SMTP) Send(n domain.Notice) (where string, err error) {
	set := s.Settings
	if !set.SMTP() {
		return "", errNoHost
	}
	where = "smtp:" + set.Host
	msg, err := message(n, set.From, time.Now())
	if err != nil {
		return where, err
	}
	return where, s.send(msg)
}

// send delivers one message in one conversation with the server.
func (s SMTP) send(msg *gomail.Msg) error {
	set := s.Settings
	client, err := s.client()
	if err != nil {
		return scrub(err, set.User, set.Password)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return scrub(s.explain(err), set.User, set.Password)
	}
	return nil
}

// Check connects and logs in without sending anything, for a "Test
// connection" button in the settings.
func (s SMTP) Check() error {
	set := s.Settings
	if !set.SMTP() {
		return errNoHost
	}
	client, err := s.client()
	if err != nil {
		return scrub(err, set.User, set.Password)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
	defer cancel()
	if err := client.DialWithContext(ctx); err != nil {
		return scrub(s.explain(err), set.User, set.Password)
	}
	_ = client.Close()
	return nil
}

func (s SMTP) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s SMTP) port() int {
	if s.Settings.Port > 0 {
		return s.Settings.Port
	}
	return domain.DefaultPort(s.mode())
}

func (s SMTP) mode() string {
	if m := strings.ToLower(strings.TrimSpace(s.Settings.TLS)); m != "" {
		return m
	}
	return domain.TLSStartTLS
}

func (s SMTP) client() (*gomail.Client, error) {
	set := s.Settings
	tlsConf := s.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: set.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port()),
		gomail.WithTimeout(s.timeout()),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(s.dial(tlsConf)),
	}
	switch s.mode() {
	case domain.TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case domain.TLSImplicit:
		// dial makes the TLS connection itself; no STARTTLS inside it.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case domain.TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("%q is not a TLS mode: use starttls, tls or none", set.TLS)
	}
	if set.User != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&plainOrLogin{user: set.User, password: set.Password, host: set.Host}))
	}
	return gomail.NewClient(set.Host, opts...)
}

// dial connects (with TLS from the start in "tls" mode) and sets a deadline
// on the whole conversation, so a server that accepts the connection and
// then says nothing cannot hang the caller.
func (s SMTP) dial(tlsConf *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{Timeout: s.timeout()}
		var conn net.Conn
		var err error
		if s.mode() == domain.TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: tlsConf}).DialContext(ctx, network, addr)
		} else {
			conn, err = nd.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		if err := conn.SetDeadline(time.Now().Add(s.timeout())); err != nil {
			_ = conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// explain turns go-mail's errors into a short sentence naming the server.
func (s SMTP) explain(err error) error {
	addr := net.JoinHostPort(s.Settings.Host, strconv.Itoa(s.port()))
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, smtp.ErrUnencrypted):
		return fmt.Errorf("the mail server %s does not encrypt the connection, so the password was not sent: choose starttls or tls", addr)
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return fmt.Errorf("the mail server %s does not offer STARTTLS, so nothing was sent: choose tls if it expects TLS from the start", addr)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("cannot connect to the mail server %s: %w", addr, opErr.Err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("the mail server %s did not answer within %s: %w", addr, s.timeout(), err)
	}
	return fmt.Errorf("mail server %s: %w", addr, err)
}

// plainOrLogin logs in with PLAIN when the server offers it, else LOGIN. The
// go-mail mechanisms it delegates to refuse an unencrypted connection to
// anything but this computer.
type plainOrLogin struct {
	user, password, host string
	inner                smtp.Auth
}

func (a *plainOrLogin) Start(server *smtp.ServerInfo) (string, []byte, error) {
	switch {
	case slices.Contains(server.Auth, "PLAIN") || len(server.Auth) == 0:
		a.inner = smtp.PlainAuth("", a.user, a.password, a.host, false)
	case slices.Contains(server.Auth, "LOGIN"):
		a.inner = smtp.LoginAuth(a.user, a.password, a.host, false)
	default:
		return "", nil, fmt.Errorf("the mail server offers neither PLAIN nor LOGIN login (only %s)", strings.Join(server.Auth, ", "))
	}
	return a.inner.Start(server)
}

func (a *plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.inner.Next(fromServer, more)
}
