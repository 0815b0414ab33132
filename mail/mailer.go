// Package mail delivers patron notices (domain.Notice) for
// Desk.DeliverNotices: SMTP sends them through a mail server with
// github.com/wneessen/go-mail, Outbox writes each as an RFC 5322 .eml file
// into a folder when no server is configured. Both implement domain.Mailer
// and try once per call; retries come from DeliverNotices' back-off.
//
// Neither ever puts the SMTP password into an error message.
package mail

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/illdesk/illdesk/domain"
)

// For returns the mailer the settings call for: SMTP when a host is
// configured, otherwise an Outbox writing into outboxDir.
func For(s domain.MailSettings, outboxDir string) domain.Mailer {
	if s.SMTP() {
		return SMTP{Settings: s}
	}
	return Outbox{Dir: outboxDir, From: s.From}
}

// userAgent names the program in the messages it writes.
const userAgent = "ILL Desk"

// message builds the RFC 5322 message of a notice: UTF-8 plain text,
// quoted-printable, with Date and a Message-ID derived from the notice id
// (a retried notice keeps its Message-ID, so a duplicate can be recognised).
func message(n domain.Notice, from string, at time.Time) (*gomail.Msg, error) {
	to, err := mail.ParseAddress(strings.TrimSpace(n.To))
	if err != nil {
		return nil, fmt.Errorf("the patron's address %q is not an email address", n.To)
	}
	to.Name = strings.TrimSpace(n.ToName)
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent())
	domainPart := "illdesk.invalid"
	if from != "" {
		f, err := mail.ParseAddress(from)
		if err != nil {
			return nil, fmt.Errorf("the sender %q is not an email address", from)
		}
		m.FromMailAddress(f)
		if _, d, ok := strings.Cut(f.Address, "@"); ok && d != "" {
			domainPart = d
		}
	}
	m.AddToMailAddress(to)
	m.Subject(n.Subject)
	id := n.ID
	if id == "" {
		id = fmt.Sprintf("%d", at.UnixNano())
	}
	m.SetMessageIDWithValue("illdesk." + id + "@" + domainPart)
	m.SetDateWithValue(at)
	m.SetUserAgent(userAgent)
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	body := n.Body
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	m.SetBodyString(gomail.TypeTextPlain, body)
	return m, nil
}

// redacted wraps an error whose text had the password removed; it keeps the
// cause for errors.Is/As only when the text needed no change.
type redacted struct{ msg string }

func (r redacted) Error() string { return r.msg }

// scrub removes the password (as typed and in the encodings SMTP AUTH uses)
// from err's text.
func scrub(err error, user, password string) error {
	if err == nil || password == "" {
		return err
	}
	msg := err.Error()
	clean := domain.Redact(msg, password)
	for _, s := range []string{"\x00" + user + "\x00" + password, user + "\x00" + password} {
		clean = domain.Redact(clean, s)
	}
	if clean == msg {
		return err
	}
	return redacted{clean}
}

var errNoHost = errors.New("no mail server is configured")
