package domain

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
)

// ActNotice records a patron notice in a request's history. It changes no
// state: its event has From == To == the request's state at the time.
const ActNotice Action = "notice"

// NoticeReadyForPickup is the kind of the notice queued when a borrowed item
// reaches the hold shelf.
const NoticeReadyForPickup = "ready_for_pickup"

// NoticeStatus says where a notice stands.
type NoticeStatus string

// Notice statuses. A failed notice is retried with back-off and never
// dropped; only a notice whose item has left the hold shelf before it could
// be delivered is withdrawn (cancelled) instead of being sent.
const (
	NoticeQueued    NoticeStatus = "queued"
	NoticeSent      NoticeStatus = "sent"
	NoticeFailed    NoticeStatus = "failed"
	NoticeCancelled NoticeStatus = "cancelled"
)

// Label is the status as shown to staff.
func (s NoticeStatus) Label() string {
	switch s {
	case NoticeQueued:
		return "Queued"
	case NoticeSent:
		return "Sent"
	case NoticeFailed:
		return "Failed — will retry"
	case NoticeCancelled:
		return "Withdrawn"
	}
	return string(s)
}

// Notice is one message to a patron, queued with the change that caused it
// and delivered later by DeliverNotices. Subject and Body are rendered from
// the template when the notice is queued.
type Notice struct {
	ID        string `json:"id"`
	RequestID string `json:"request_id"`
	// Ref is the request's short reference (Request.Ref) when queued, used to
	// name outbox files and in lists.
	Ref       string       `json:"ref,omitempty"`
	Kind      string       `json:"kind"`
	To        string       `json:"to"`
	ToName    string       `json:"to_name,omitempty"`
	Subject   string       `json:"subject"`
	Body      string       `json:"body"`
	Created   time.Time    `json:"created"`
	Status    NoticeStatus `json:"status"`
	Attempts  int          `json:"attempts"`
	LastError string       `json:"last_error,omitempty"`
	SentAt    time.Time    `json:"sent_at,omitzero"`
	NextTry   time.Time    `json:"next_try,omitzero"`
	// Where is "smtp:HOST" for a notice sent by email, or the path of the
	// .eml file written to the outbox.
	Where string `json:"where,omitempty"`
	// Lease is the claim of the dispatcher sending the notice now.
	Lease Lease `json:"lease,omitzero"`
}

// Pending reports whether the notice still has to be delivered.
func (n Notice) Pending() bool { return n.Status == NoticeQueued || n.Status == NoticeFailed }

// Mailer delivers a notice: by SMTP, or by writing it to an outbox folder.
// where is "smtp:HOST" or the path of the file written. Send tries once;
// retries come from DeliverNotices' back-off.
type Mailer interface {
	Send(n Notice) (where string, err error)
}

// ---- the template ----

// NoticeTemplate is the editable text of the ready-for-pickup notice, in Go
// text/template syntax over the fields of NoticeData.
type NoticeTemplate struct {
	Subject string
	Body    string
}

// NoticeData are the fields a notice template can use.
type NoticeData struct {
	Patron    string // the requester's name
	Title     string // the item's title
	Author    string
	Pickup    string // the pickup location
	HoldUntil string // the last day to pick up, e.g. "Monday 30 November 2026"
	Library   string // the sender's name (display name of the From address)
}

// NoticeFields lists the fields a template can use, as staff write them.
const NoticeFields = "{{.Patron}}, {{.Title}}, {{.Author}}, {{.Pickup}}, {{.HoldUntil}} and {{.Library}}"

// HoldUntilLayout is how the hold-until date is written in notices.
const HoldUntilLayout = "Monday 2 January 2006"

// DefaultLibraryName signs notices when the From address has no display name.
const DefaultLibraryName = "Interlibrary Loan"

// DefaultNoticeTemplate is used until staff save their own.
var DefaultNoticeTemplate = NoticeTemplate{
	Subject: "Ready for pickup: {{.Title}}",
	Body: `Dear {{.Patron}},

The item you requested through interlibrary loan has arrived and is waiting for you:

    {{.Title}}{{if .Author}} / {{.Author}}{{end}}

Please pick it up at {{.Pickup}} by {{.HoldUntil}}. After that day it goes back to the library that lent it.

Kind regards,
{{.Library}}
`,
}

// NoticeSample is the example the settings dialog previews a template with,
// and the data a template must render before it is saved.
var NoticeSample = NoticeData{Patron: "Ada Lovelace", Title: "Sketch of the Analytical Engine",
	Author: "L. F. Menabrea", Pickup: "Main Library", HoldUntil: "Monday 30 November 2026", Library: DefaultLibraryName}

// maxTemplateLen bounds a template's size.
const maxTemplateLen = 20_000

// Setting keys of the notice template and the mail settings.
const (
	SettingNoticeSubject = "notice_subject"
	SettingNoticeBody    = "notice_body"
	SettingSMTPHost      = "smtp_host"
	SettingSMTPPort      = "smtp_port"
	SettingSMTPTLS       = "smtp_tls"
	SettingSMTPUser      = "smtp_user"
	// SettingSMTPPassword held the password in early versions; it is now
	// always cleared, the system keyring keeps the password.
	SettingSMTPPassword = "smtp_password"
	SettingSMTPFrom     = "smtp_from"
)

// Render fills the template with data. The subject is folded onto one line.
func (t NoticeTemplate) Render(data NoticeData) (subject, body string, err error) {
	st, bt, err := t.parsed()
	if err != nil {
		return "", "", err
	}
	var sb, bb strings.Builder
	if err := st.Execute(&sb, data); err != nil {
		return "", "", templateRefusal("subject", err)
	}
	if err := bt.Execute(&bb, data); err != nil {
		return "", "", templateRefusal("text", err)
	}
	subject = strings.Join(strings.Fields(sb.String()), " ")
	body = strings.ReplaceAll(bb.String(), "\r\n", "\n")
	return subject, body, nil
}

// parsedTemplates keeps the last templates parsed, so that a hold-shelf scan
// does not parse the same notice again; parsed templates are safe to
// execute from several goroutines.
var parsedTemplates struct {
	sync.Mutex
	m map[NoticeTemplate][2]*template.Template
}

// parsed is parse, remembered for the templates in use.
func (t NoticeTemplate) parsed() (subject, body *template.Template, err error) {
	parsedTemplates.Lock()
	p, ok := parsedTemplates.m[t]
	parsedTemplates.Unlock()
	if ok {
		return p[0], p[1], nil
	}
	if subject, body, err = t.parse(); err != nil {
		return nil, nil, err
	}
	parsedTemplates.Lock()
	defer parsedTemplates.Unlock()
	if len(parsedTemplates.m) >= 16 { // edited templates: keep the cache small
		parsedTemplates.m = nil
	}
	if parsedTemplates.m == nil {
		parsedTemplates.m = map[NoticeTemplate][2]*template.Template{}
	}
	parsedTemplates.m[t] = [2]*template.Template{subject, body}
	return subject, body, nil
}

func (t NoticeTemplate) parse() (subject, body *template.Template, err error) {
	switch {
	case strings.TrimSpace(t.Subject) == "" || strings.TrimSpace(t.Body) == "":
		return nil, nil, refuse(ErrInvalidInput, "A notice needs both a subject and a text.")
	case len(t.Subject)+len(t.Body) > maxTemplateLen:
		return nil, nil, refuse(ErrInvalidInput, "The notice is too long: keep subject and text under %d characters.", maxTemplateLen)
	}
	if subject, err = template.New("subject").Parse(t.Subject); err != nil {
		return nil, nil, templateRefusal("subject", err)
	}
	if body, err = template.New("text").Parse(t.Body); err != nil {
		return nil, nil, templateRefusal("text", err)
	}
	return subject, body, nil
}

var (
	templatePos   = regexp.MustCompile(`^template: \w+:(\d+)(?::\d+)?: `)
	templateField = regexp.MustCompile(`executing "\w+" at <(\.[^>]*)>: can't evaluate field \w+ in type [\w.]+`)
	templateExec  = regexp.MustCompile(`^executing "\w+" at <[^>]*>: `)
)

// templateRefusal turns a text/template error into a sentence for staff.
func templateRefusal(part string, err error) *Refusal {
	msg := err.Error()
	line := ""
	if m := templatePos.FindStringSubmatch(msg); m != nil {
		line = " on line " + m[1]
		msg = msg[len(m[0]):]
	}
	if m := templateField.FindStringSubmatch(msg); m != nil {
		msg = "{{" + m[1] + "}} is not a field"
	} else if msg == "unexpected EOF" {
		msg = "an {{if}} or {{range}} has no {{end}}"
	} else {
		msg = templateExec.ReplaceAllString(msg, "")
	}
	msg = strings.TrimRight(msg, ". ")
	return refuse(ErrInvalidInput, "The notice %s cannot be used — a mistake%s: %s. The fields are %s.", part, line, msg, NoticeFields)
}

func noticeTemplate(tx Tx) (NoticeTemplate, error) {
	var t NoticeTemplate
	var err error
	if t.Subject, err = tx.Setting(SettingNoticeSubject); err != nil {
		return NoticeTemplate{}, err
	}
	if t.Body, err = tx.Setting(SettingNoticeBody); err != nil {
		return NoticeTemplate{}, err
	}
	if t.Subject == "" && t.Body == "" {
		return DefaultNoticeTemplate, nil
	}
	return t, nil
}

// ---- mail settings ----

// MailSettings say how notices leave the building. With an empty Host there
// is no SMTP server and notices are written to the outbox folder instead.
type MailSettings struct {
	Host string
	Port int
	// TLS is "starttls" (the default), "tls" (implicit TLS, usually port
	// 465) or "none".
	TLS      string
	User     string
	Password string
	// From is the sender, e.g. "Main Library ILL <ill@example.edu>"; its
	// display name signs the notices ({{.Library}}).
	From string
}

// TLS modes of MailSettings.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// SMTP reports whether notices are sent by SMTP (a host is configured).
func (m MailSettings) SMTP() bool { return m.Host != "" }

// String describes the settings without the password, so they can be logged.
func (m MailSettings) String() string {
	if !m.SMTP() {
		return fmt.Sprintf("outbox (from %s)", m.From)
	}
	pw := ""
	if m.Password != "" {
		pw = ", password set"
	}
	user := ""
	if m.User != "" {
		user = " as " + m.User
	}
	return fmt.Sprintf("smtp %s:%d (%s)%s%s, from %s", m.Host, m.Port, m.TLS, user, pw, m.From)
}

// GoString keeps the password out of %#v too.
func (m MailSettings) GoString() string { return "domain.MailSettings{" + m.String() + "}" }

// LibraryName is the display name of the From address, or DefaultLibraryName.
func (m MailSettings) LibraryName() string {
	if a, err := mail.ParseAddress(m.From); err == nil && strings.TrimSpace(a.Name) != "" {
		return strings.TrimSpace(a.Name)
	}
	return DefaultLibraryName
}

// DefaultPort is the usual port for a TLS mode: 587, 465 or 25.
func DefaultPort(tls string) int {
	switch tls {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// smtpSecretKey names the SMTP password in the secret store.
func smtpSecretKey(m MailSettings) string { return "smtp:" + m.User + "@" + m.Host }

func mailSettings(tx Tx) (MailSettings, error) {
	vals := map[string]string{}
	for _, k := range []string{SettingSMTPHost, SettingSMTPPort, SettingSMTPTLS, SettingSMTPUser, SettingSMTPFrom} {
		v, err := tx.Setting(k)
		if err != nil {
			return MailSettings{}, err
		}
		vals[k] = v
	}
	m := MailSettings{Host: vals[SettingSMTPHost], TLS: vals[SettingSMTPTLS], User: vals[SettingSMTPUser],
		From: vals[SettingSMTPFrom]}
	m.Port, _ = strconv.Atoi(vals[SettingSMTPPort])
	if m.TLS == "" {
		m.TLS = TLSStartTLS
	}
	if m.Port == 0 && m.Host != "" {
		m.Port = DefaultPort(m.TLS)
	}
	return m, nil
}

// LoopbackHost reports whether host (a name or an address, no port) is
// this computer: the only place plain http may go, since nothing crosses
// a network there.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// CheckOutgoingURL parses the address of a service the desk calls (the
// catalogue's SRU server, the ILS's NCIP server) and refuses, as
// ErrInvalidInput, one that is not http(s), and plain http to another
// computer: what is sent and answered would travel unencrypted.
func CheckOutgoingURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// address: %w", raw, ErrInvalidInput)
	}
	if u.Scheme != "https" && !LoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%s is plain http to another computer; only https is used there: %w", u.Redacted(), ErrInvalidInput)
	}
	return u, nil
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// Redact removes a secret from a text, as written and base64-encoded, so a
// server's echo of credentials can never reach an error message or the history.
func Redact(text, secret string) string {
	if secret == "" {
		return text
	}
	text = strings.ReplaceAll(text, secret, "******")
	if enc := base64.StdEncoding.EncodeToString([]byte(secret)); len(enc) > 0 {
		text = strings.ReplaceAll(text, enc, "******")
	}
	return text
}

// ---- queueing ----

// NoticeGrace is how long a ready-for-pickup notice waits before it is sent,
// so that a mistaken hold-shelf scan can still be undone before the patron
// is told.
const NoticeGrace = time.Minute

func patronName(r Request) string {
	if r.Requester != "" {
		return r.Requester
	}
	return "the patron"
}

// ---- listing and retrying ----

// NoticeFilter selects notices; zero fields match everything.
type NoticeFilter struct {
	Status    NoticeStatus
	RequestID string
}

// ---- delivering ----

// maxBackoff caps the wait between two attempts of a failed notice.
const maxBackoff = time.Hour

// noticeBackoff is the wait after the attempts-th failed attempt: 1 minute,
// 2, 4, … capped at an hour.
func noticeBackoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 7 {
		return maxBackoff
	}
	return min(time.Minute<<(attempts-1), maxBackoff)
}

// noticeActor is who notice events are recorded as.
const noticeActor = "ILL Desk"

// safeSend calls the mailer, turning a panic into a failed attempt.
func safeSend(m Mailer, n Notice) (where string, err error) {
	defer func() {
		if p := recover(); p != nil {
			where, err = "", fmt.Errorf("the mailer crashed: %v", p)
		}
	}()
	return m.Send(n)
}

// stillWanted reports whether a pending notice should still go out: a
// ready-for-pickup notice only while its item is on the hold shelf.
func stillWanted(tx Tx, n Notice) (bool, error) {
	if n.Kind != NoticeReadyForPickup {
		return true, nil
	}
	r, err := tx.Request(n.RequestID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return r.State == OnHoldShelf, nil
}

// recordEvent appends a history event that changes no state (From == To ==
// the request's state). State moves go through Transition instead.
func recordEvent(r *Request, a Action, ev Event) {
	ev.From, ev.To, ev.Action = r.State, r.State, a
	r.History = append(r.History, ev)
}
