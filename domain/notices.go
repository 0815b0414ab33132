package domain

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
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

// NoticeTemplate is the ready-for-pickup template in use: the saved one, or
// DefaultNoticeTemplate when none was saved.
func (d *Desk) NoticeTemplate() (NoticeTemplate, error) {
	var t NoticeTemplate
	err := d.store.View(func(tx Tx) error {
		var err error
		t, err = noticeTemplate(tx)
		return err
	})
	return t, err
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

// SetNoticeTemplate saves the ready-for-pickup template after checking that
// it parses and renders the sample; a template with neither subject nor text
// restores the default. Notices already queued keep their text. It needs
// the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *Desk) SetNoticeTemplate(t NoticeTemplate, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the notice template"); err != nil {
		return err
	}
	if strings.TrimSpace(t.Subject) == "" && strings.TrimSpace(t.Body) == "" {
		t = NoticeTemplate{}
	} else {
		if _, _, err := t.Render(NoticeSample); err != nil {
			return err
		}
		if _, _, err := t.Render(NoticeData{}); err != nil {
			return err
		}
	}
	return d.store.Update(func(tx Tx) error {
		before, err := noticeTemplate(tx)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "notice template", before, t); err != nil {
			return err
		}
		if err := tx.PutSetting(SettingNoticeSubject, t.Subject); err != nil {
			return err
		}
		return tx.PutSetting(SettingNoticeBody, t.Body)
	})
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

// MailSettings reads the mail settings.
func (d *Desk) MailSettings() (MailSettings, error) {
	var m MailSettings
	err := d.store.View(func(tx Tx) error {
		var err error
		m, err = mailSettings(tx)
		return err
	})
	if err != nil || m.User == "" || d.secrets == nil {
		return m, err
	}
	m.Password, err = d.secrets.Get(smtpSecretKey(m))
	if err != nil {
		return m, fmt.Errorf("reading the SMTP password from the system keyring: %w", err)
	}
	return m, nil
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

// SaveMailSettings checks and stores the mail settings. From must be an
// email address (it is required when a host is set); the port 1–65535 (0
// means the usual one for the TLS mode); TLS starttls, tls or none. A user
// name and password are only accepted with an encrypted connection, unless
// the server is on this computer. No message ever repeats the password.
// It needs the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *Desk) SaveMailSettings(m MailSettings, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the mail settings"); err != nil {
		return err
	}
	m.Host = strings.TrimSpace(m.Host)
	m.User = strings.TrimSpace(m.User)
	m.From = strings.TrimSpace(m.From)
	m.TLS = strings.ToLower(strings.TrimSpace(m.TLS))
	if m.TLS == "" {
		m.TLS = TLSStartTLS
	}
	switch m.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return refuse(ErrInvalidInput, "%q is not a TLS mode: use starttls, tls or none.", m.TLS)
	}
	if m.Host != "" {
		if strings.Contains(m.Host, "://") || strings.ContainsFunc(m.Host, func(r rune) bool { return r <= ' ' || r == '/' }) ||
			(strings.Contains(m.Host, ":") && !isIP(m.Host)) {
			return refuse(ErrInvalidInput, "%q is not a mail server name: write only the host, e.g. smtp.example.edu, and the port in its own field.", m.Host)
		}
		if m.Port == 0 {
			m.Port = DefaultPort(m.TLS)
		}
		if m.From == "" {
			return refuse(ErrInvalidInput, "Give the sender address (From) that notices are sent from, e.g. Main Library ILL <ill@example.edu>.")
		}
	}
	if m.Port < 0 || m.Port > 65535 {
		return refuse(ErrInvalidInput, "The mail server port must be between 1 and 65535, e.g. 587 for STARTTLS or 465 for TLS.")
	}
	if m.From != "" {
		a, err := mail.ParseAddress(m.From)
		if err != nil || !strings.Contains(a.Address, "@") {
			return refuse(ErrInvalidInput, "The sender %q is not an email address; write it like ill@example.edu or Main Library ILL <ill@example.edu>.", m.From)
		}
	}
	if m.Password != "" && m.User == "" {
		return refuse(ErrInvalidInput, "A password needs the user name it belongs to.")
	}
	if m.Host != "" && m.User != "" && m.TLS == TLSNone && !loopbackHost(m.Host) {
		return refuse(ErrInvalidInput, "The password would travel unencrypted to %s: choose starttls or tls, or leave user and password empty.", m.Host)
	}
	port := ""
	if m.Port != 0 {
		port = strconv.Itoa(m.Port)
	}
	if m.Password != "" {
		// The password never goes into the database: the system keyring keeps it.
		if d.secrets == nil {
			return refuse(ErrInvalidInput, "This workstation has no safe place for the SMTP password; leave it empty.")
		}
		if err := d.secrets.Set(smtpSecretKey(m), m.Password); err != nil {
			return refuse(ErrInvalidInput, "The system keyring cannot keep the SMTP password here (%s); start ILL Desk with ILLDESK_SMTP_PASSWORD set instead — it is read when needed and never stored.",
				Redact(err.Error(), m.Password))
		}
	}
	return d.store.Update(func(tx Tx) error {
		before, err := mailSettings(tx)
		if err != nil {
			return err
		}
		after := m
		after.Password = "" // never in the audit trail
		if err := d.auditConfig(tx, actorOf(by), "mail settings", before, after); err != nil {
			return err
		}
		for _, kv := range [][2]string{{SettingSMTPHost, m.Host}, {SettingSMTPPort, port}, {SettingSMTPTLS, m.TLS},
			{SettingSMTPUser, m.User}, {SettingSMTPPassword, ""}, {SettingSMTPFrom, m.From}} {
			if err := tx.PutSetting(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
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

// queuePickupNotice queues the ready-for-pickup notice for r, which is being
// put on the hold shelf (HoldUntil set) in tx, and returns the history note.
// Without a usable email address no notice is queued and the note tells
// staff to call the patron.
func (d *Desk) queuePickupNotice(tx Tx, r Request) (string, error) {
	note := "Hold until " + r.HoldUntil.Format(DateLayout)
	email := strings.TrimSpace(r.RequesterEmail)
	if email == "" {
		return note + "; no email address on file — call " + patronName(r) + " to say the item is ready", nil
	}
	addr, err := mail.ParseAddress(email)
	if err != nil {
		return note + fmt.Sprintf("; the email address on file (%s) is not valid — call %s to say the item is ready", email, patronName(r)), nil
	}
	ms, err := mailSettings(tx)
	if err != nil {
		return "", err
	}
	tpl, err := noticeTemplate(tx)
	if err != nil {
		return "", err
	}
	data := NoticeData{Patron: r.Requester, Title: r.Title, Author: r.Author, Pickup: r.Pickup,
		HoldUntil: r.HoldUntil.Format(HoldUntilLayout), Library: ms.LibraryName()}
	if data.Title == "" {
		data.Title = r.ArticleTitle
	}
	subject, body, err := tpl.Render(data)
	if err != nil {
		// A saved template renders the sample, but may still fail on real
		// data; the patron is notified all the same, with the default text.
		if subject, body, err = DefaultNoticeTemplate.Render(data); err != nil {
			return "", err
		}
		note += "; the saved notice template failed, the default text was used"
	}
	now := d.clock.Now()
	n := Notice{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Kind: NoticeReadyForPickup,
		To: addr.Address, ToName: r.Requester, Subject: subject, Body: body,
		Created: now, Status: NoticeQueued, NextTry: now.Add(NoticeGrace)}
	if err := tx.PutNotice(n); err != nil {
		return "", err
	}
	markQueued(tx)
	return note + "; ready-for-pickup notice queued for " + addr.Address, nil
}

func patronName(r Request) string {
	if r.Requester != "" {
		return r.Requester
	}
	return "the patron"
}

// cancelQueuedNotice withdraws the ready-for-pickup notice of a request
// whose hold-shelf scan is being undone, inside the caller's transaction.
// It looks at the request's latest ready-for-pickup notice: when it has not
// been sent yet it is deleted (with any other undelivered one of the
// request) and cancelled is true; when it was already sent it cannot be
// called back and sentAlready is true. It does not touch the request: the
// caller records what happened in its own history event.
func (d *Desk) cancelQueuedNotice(tx Tx, requestID string) (cancelled, sentAlready bool, err error) {
	all, err := tx.Notices()
	if err != nil {
		return false, false, err
	}
	var mine []Notice
	for _, n := range all {
		if n.RequestID == requestID && n.Kind == NoticeReadyForPickup {
			mine = append(mine, n)
		}
	}
	if len(mine) == 0 {
		return false, false, nil
	}
	if latest := mine[len(mine)-1]; latest.Status == NoticeSent {
		return false, true, nil
	}
	for _, n := range mine {
		if n.Pending() {
			if err := tx.DeleteNotice(n.ID); err != nil {
				return false, false, err
			}
			cancelled = true
		}
	}
	return cancelled, false, nil
}

// ---- listing and retrying ----

// NoticeFilter selects notices; zero fields match everything.
type NoticeFilter struct {
	Status    NoticeStatus
	RequestID string
}

// Notices lists the notices passing the filter in creation order.
func (d *Desk) Notices(f NoticeFilter) ([]Notice, error) {
	var out []Notice
	err := d.store.View(func(tx Tx) error {
		all, err := tx.Notices()
		if err != nil {
			return err
		}
		for _, n := range all {
			if (f.Status == "" || n.Status == f.Status) && (f.RequestID == "" || n.RequestID == f.RequestID) {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// RetryNotice makes an undelivered notice due now, so the next
// DeliverNotices tries it without waiting for its back-off. Any signed-in
// operator may; by may be left out only while no operators are set up.
func (d *Desk) RetryNotice(id string, by ...Actor) error {
	if err := d.allow(actorOf(by), "", "Retrying a notice"); err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		n, err := tx.Notice(id)
		if err != nil {
			return err
		}
		if !n.Pending() {
			return refuse(ErrInvalidInput, "The notice to %s was already %s; there is nothing to retry.", n.To, strings.ToLower(n.Status.Label()))
		}
		n.NextTry = d.clock.Now()
		markQueued(tx)
		return tx.PutNotice(n)
	})
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

// deliverMu keeps two DeliverNotices calls from sending the same notice twice.
var deliverMu sync.Mutex

// noticeActor is who notice events are recorded as.
const noticeActor = "ILL Desk"

// DeliverNotices sends every queued or failed notice whose time has come,
// each with m.Send outside any transaction, then records the outcome on the
// notice and as an ActNotice event in the request's history in one
// transaction per notice. A failed attempt is retried after 1, 2, 4 …
// minutes, at most an hour apart. A notice whose item is no longer on the
// hold shelf is withdrawn instead of sent. err reports only store trouble;
// send failures are counted in failed and kept for the next run. A notice
// whose send succeeded but whose record could not be written (a crash in
// between) is sent again later: delivery is at least once. Front ends send
// through the Dispatcher, which calls it with the configured mailer.
func (d *Desk) DeliverNotices(m Mailer) (sent, failed int, err error) {
	return d.deliverNotices(context.Background(), m)
}

// deliverNotices is DeliverNotices, starting no further send once ctx is done.
func (d *Desk) deliverNotices(ctx context.Context, m Mailer) (sent, failed int, err error) {
	deliverMu.Lock()
	defer deliverMu.Unlock()
	now := d.clock.Now()
	var due, stale []Notice
	ms, err := d.MailSettings()
	if err != nil {
		return 0, 0, err
	}
	password := ms.Password
	err = d.store.View(func(tx Tx) error {
		all, err := tx.Notices()
		if err != nil {
			return err
		}
		for _, n := range all {
			if !n.Pending() || n.NextTry.After(now) {
				continue
			}
			if ok, err := stillWanted(tx, n); err != nil {
				return err
			} else if ok {
				due = append(due, n)
			} else {
				stale = append(stale, n)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	for _, n := range stale {
		if err := d.withdraw(n); err != nil {
			return 0, 0, err
		}
	}
	for _, n := range due {
		if ctx.Err() != nil {
			break
		}
		where, sendErr := safeSend(m, n)
		if err := d.recordDelivery(n, where, sendErr, password); err != nil {
			return sent, failed, err
		}
		if sendErr != nil {
			failed++
		} else {
			sent++
		}
	}
	return sent, failed, nil
}

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

// withdraw cancels a ready-for-pickup notice whose item left the hold shelf
// (picked up, scan undone, request closed) before it was delivered, and
// records why in the request's history.
func (d *Desk) withdraw(n Notice) error {
	return d.store.Update(func(tx Tx) error {
		cur, err := tx.Notice(n.ID)
		if errors.Is(err, ErrNotFound) {
			return nil // cancelled meanwhile
		} else if err != nil {
			return err
		}
		if ok, err := stillWanted(tx, cur); err != nil || ok || !cur.Pending() {
			return err
		}
		r, err := tx.Request(cur.RequestID)
		missing := errors.Is(err, ErrNotFound)
		if err != nil && !missing {
			return err
		}
		why := "its request no longer exists"
		if !missing {
			why = "the item is no longer on the hold shelf (" + r.StatusLabel() + ")"
			recordEvent(&r, ActNotice, d.noticeEvent("Ready-for-pickup notice to "+cur.To+" withdrawn: "+why))
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		cur.Status, cur.LastError, cur.NextTry = NoticeCancelled, why, time.Time{}
		return tx.PutNotice(cur)
	})
}

// recordDelivery writes the outcome of one attempt on the notice and in the
// request's history, in one transaction.
func (d *Desk) recordDelivery(n Notice, where string, sendErr error, password string) error {
	now := d.clock.Now()
	return d.store.Update(func(tx Tx) error {
		cur, err := tx.Notice(n.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			if sendErr != nil {
				return nil // withdrawn while we tried; nothing went out
			}
			cur = n // withdrawn while it was going out: keep the record of what was sent
		case err != nil:
			return err
		}
		cur.Attempts++
		if where != "" {
			cur.Where = where
		}
		var note string
		if sendErr == nil {
			cur.Status, cur.SentAt, cur.NextTry, cur.LastError = NoticeSent, now, time.Time{}, ""
			if strings.HasPrefix(where, "smtp:") || where == "" {
				note = "Ready-for-pickup notice sent to " + cur.To + " by email"
			} else {
				note = "Ready-for-pickup notice for " + cur.To + " written to outbox " + where
			}
		} else {
			reason := strings.TrimSpace(Redact(sendErr.Error(), password))
			if reason == "" {
				reason = "unknown error"
			}
			wait := noticeBackoff(cur.Attempts)
			cur.Status, cur.LastError, cur.NextTry = NoticeFailed, reason, now.Add(wait)
			note = fmt.Sprintf("Ready-for-pickup notice to %s failed: %s; will retry at %s", cur.To,
				strings.TrimRight(reason, ". "), cur.NextTry.Format("15:04"))
		}
		r, err := tx.Request(cur.RequestID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			recordEvent(&r, ActNotice, d.noticeEvent(note))
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return tx.PutNotice(cur)
	})
}

func (d *Desk) noticeEvent(note string) Event {
	return Event{At: d.clock.Now(), Actor: noticeActor, Desk: "mail", Note: note}
}

// recordEvent appends a history event that changes no state (From == To ==
// the request's state). State moves go through Transition instead.
func recordEvent(r *Request, a Action, ev Event) {
	ev.From, ev.To, ev.Action = r.State, r.State, a
	r.History = append(r.History, ev)
}
