package domain

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- a fake Mailer ----

type fakeMailer struct {
	sent []Notice
	// reply answers each Send; nil means success at "smtp:mail.example.edu".
	reply func(n Notice) (string, error)
}

func (m *fakeMailer) Send(n Notice) (string, error) {
	m.sent = append(m.sent, n)
	if m.reply != nil {
		return m.reply(n)
	}
	return "smtp:mail.example.edu", nil
}

var errRefused = errors.New("dial tcp 192.0.2.1:587: connect: connection refused")

// onHoldShelf makes a borrowing request (edited by edit), receives it at
// the RS desk and scans it in at its pickup desk, Main Library, at f.now;
// then the clock moves on past the notice's grace period, so it is due.
func (f *deskFixture) onHoldShelf(code string, edit ...func(*BorrowingInput)) Request {
	f.t.Helper()
	b := f.borrowing("BVB", "BVB-"+code, edit...)
	_, err := f.desk.Scan(code, b.ID, atRS)
	require.NoError(f.t, err)
	res, err := f.desk.Scan(code, "", atMain)
	require.NoError(f.t, err)
	require.Equal(f.t, ActHoldShelf, res.Action)
	f.now = f.now.Add(NoticeGrace)
	return res.Request
}

func (f *deskFixture) notices() []Notice {
	f.t.Helper()
	ns, err := f.desk.Notices(NoticeFilter{})
	require.NoError(f.t, err)
	return ns
}

func (f *deskFixture) notice(id string) Notice {
	f.t.Helper()
	var n Notice
	require.NoError(f.t, f.store.View(func(tx Tx) error {
		var err error
		n, err = tx.Notice(id)
		return err
	}))
	return n
}

func lastEvent(r Request) Event { return r.History[len(r.History)-1] }

// ---- queueing on the hold shelf ----

func TestHoldShelfQueuesNoticeInTheSameTransaction(t *testing.T) {
	f := newDeskFixture(t)
	b := f.borrowing("BVB", "BVB-77", func(in *BorrowingInput) { in.Citation.Author = "Grace Hopper" })
	_, err := f.desk.Scan("39001234", b.ID, atRS)
	require.NoError(t, err)
	require.Empty(t, f.notices(), "receiving queues nothing")

	f.now = wednesday.Add(26 * time.Hour) // Thursday 5 March 2026, 12:00
	commits := f.store.commits
	res, err := f.desk.Scan("39001234", "", atMain)
	require.NoError(t, err)
	assert.Equal(t, commits+1, f.store.commits, "scan and notice are one transaction")

	ns := f.notices()
	require.Len(t, ns, 1)
	n := ns[0]
	assert.NotEmpty(t, n.ID)
	assert.Equal(t, b.ID, n.RequestID)
	assert.Equal(t, "BVB-77", n.Ref)
	assert.Equal(t, NoticeReadyForPickup, n.Kind)
	assert.Equal(t, "pat@example.org", n.To)
	assert.Equal(t, "Pat Patron", n.ToName)
	assert.Equal(t, NoticeQueued, n.Status)
	assert.Equal(t, f.now, n.Created)
	assert.Equal(t, f.now.Add(NoticeGrace), n.NextTry, "due after the grace period, so the scan can still be undone")
	sent, _, err := f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	assert.Zero(t, sent, "nothing is sent during the grace period")
	assert.Zero(t, n.Attempts)
	assert.Equal(t, "Ready for pickup: A Borrowed Book", n.Subject)
	for _, want := range []string{"Dear Pat Patron,", "A Borrowed Book / Grace Hopper", "at Main Library by Thursday 12 March 2026.", "\nInterlibrary Loan\n"} {
		assert.Contains(t, n.Body, want)
	}

	ev := lastEvent(res.Request)
	assert.Equal(t, ActHoldShelf, ev.Action)
	assert.Equal(t, "Hold until 2026-03-12; ready-for-pickup notice queued for pat@example.org", ev.Note)
	assert.Equal(t, res.Request, f.stored(b.ID))
}

func TestHoldShelfFailingNoticeRollsBackTheScan(t *testing.T) {
	f := newDeskFixture(t)
	b := f.borrowing("BVB", "BVB-77")
	_, err := f.desk.Scan("39001234", b.ID, atRS)
	require.NoError(t, err)
	disk := errors.New("disk full")
	f.store.failPutNotice = func(Notice) error { return disk }
	before := f.store.snapshot()

	_, err = f.desk.Scan("39001234", "", atMain)
	require.ErrorIs(t, err, disk)
	assert.Equal(t, before, f.store.snapshot(), "no scan without its notice")
	assert.Equal(t, Received, f.stored(b.ID).State)

	f.store.failPutNotice = nil
	_, err = f.desk.Scan("39001234", "", atMain)
	require.NoError(t, err)
	assert.Len(t, f.notices(), 1)
}

func TestHoldShelfWithoutUsableEmail(t *testing.T) {
	tests := []struct {
		name, email, note string
	}{
		{"no email", "", "Hold until 2026-03-11; no email address on file — call Pat Patron to say the item is ready"},
		{"broken email", "pat@", "Hold until 2026-03-11; the email address on file (pat@) is not valid — call Pat Patron to say the item is ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			r := f.onHoldShelf("39005555", func(in *BorrowingInput) { in.RequesterEmail = tt.email })
			assert.Equal(t, OnHoldShelf, r.State)
			assert.Empty(t, f.notices())
			assert.Equal(t, tt.note, lastEvent(r).Note)
		})
	}
}

func TestHoldShelfUsesSavedTemplateAndLibraryName(t *testing.T) {
	f := newDeskFixture(t)
	require.NoError(t, f.desk.SaveMailSettings(MailSettings{From: "Main Library ILL <ill@example.edu>"}))
	require.NoError(t, f.desk.SetNoticeTemplate(NoticeTemplate{
		Subject: "{{.Title}}\n is waiting",
		Body:    "Hello {{.Patron}}: {{.Title}} at {{.Pickup}} until {{.HoldUntil}}{{if .Author}} by {{.Author}}{{end}}. — {{.Library}}",
	}))
	r := f.onHoldShelf("39001111")
	ns := f.notices()
	require.Len(t, ns, 1)
	assert.Equal(t, "A Borrowed Book is waiting", ns[0].Subject, "the subject is one line")
	assert.Equal(t, "Hello Pat Patron: A Borrowed Book at Main Library until Wednesday 11 March 2026. — Main Library ILL", ns[0].Body)
	assert.Equal(t, r.ID, ns[0].RequestID)
}

// ---- the template ----

func TestNoticeTemplateDefaultAndCustom(t *testing.T) {
	f := newDeskFixture(t)
	got, err := f.desk.NoticeTemplate()
	require.NoError(t, err)
	assert.Equal(t, DefaultNoticeTemplate, got)

	subject, body, err := got.Render(NoticeSample)
	require.NoError(t, err)
	assert.Equal(t, "Ready for pickup: Sketch of the Analytical Engine", subject)
	assert.Contains(t, body, "Dear Ada Lovelace,")
	assert.Contains(t, body, "Please pick it up at Main Library by Monday 30 November 2026.")
	assert.Contains(t, body, "Sketch of the Analytical Engine / L. F. Menabrea")
	_, body, err = got.Render(NoticeData{Patron: "Ada", Title: "T", Pickup: "P", HoldUntil: "H", Library: "L"})
	require.NoError(t, err)
	assert.NotContains(t, body, " / ", "no author, no separator")

	custom := NoticeTemplate{Subject: "Abholbereit: {{.Title}}", Body: "Liebe*r {{.Patron}}, bitte bis {{.HoldUntil}} in {{.Pickup}} abholen."}
	require.NoError(t, f.desk.SetNoticeTemplate(custom))
	got, err = f.desk.NoticeTemplate()
	require.NoError(t, err)
	assert.Equal(t, custom, got)
	assert.Equal(t, custom.Subject, storedSetting(t, f.store, SettingNoticeSubject))
	assert.Equal(t, custom.Body, storedSetting(t, f.store, SettingNoticeBody))

	// clearing both restores the default
	require.NoError(t, f.desk.SetNoticeTemplate(NoticeTemplate{Subject: " ", Body: "\n"}))
	got, err = f.desk.NoticeTemplate()
	require.NoError(t, err)
	assert.Equal(t, DefaultNoticeTemplate, got)
}

func TestBadNoticeTemplateIsRefused(t *testing.T) {
	tests := []struct {
		name     string
		tpl      NoticeTemplate
		contains string
	}{
		{"unknown field", NoticeTemplate{Subject: "Ready", Body: "Dear {{.Patron}},\n{{.Titel}}"}, "{{.Titel}} is not a field"},
		{"unclosed action", NoticeTemplate{Subject: "Ready", Body: "line one\nDear {{.Patron"}, "line 2"},
		{"unknown function", NoticeTemplate{Subject: "{{shout .Title}}", Body: "x"}, "subject"},
		{"if without end", NoticeTemplate{Subject: "Ready", Body: "{{if .Author}}by {{.Author}}"}, "has no {{end}}"},
		{"empty subject", NoticeTemplate{Subject: "", Body: "Dear {{.Patron}}"}, "subject and a text"},
		{"empty body", NoticeTemplate{Subject: "Ready", Body: "  "}, "subject and a text"},
		{"too long", NoticeTemplate{Subject: "Ready", Body: strings.Repeat("x", maxTemplateLen)}, "too long"},
		{"fails on real data only", NoticeTemplate{Subject: "Ready", Body: `{{index .Author 0}}`}, "index out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			before := f.store.snapshot()
			err := f.desk.SetNoticeTemplate(tt.tpl)
			f.refused(err, ErrInvalidInput, before)
			assert.Contains(t, err.Error(), tt.contains)
			got, err := f.desk.NoticeTemplate()
			require.NoError(t, err)
			assert.Equal(t, DefaultNoticeTemplate, got)
		})
	}
}

// ---- mail settings ----

func TestMailSettingsRoundTrip(t *testing.T) {
	f := newDeskFixture(t)
	got, err := f.desk.MailSettings()
	require.NoError(t, err)
	assert.Equal(t, MailSettings{TLS: TLSStartTLS}, got, "nothing configured: outbox")
	assert.False(t, got.SMTP())

	tests := []struct {
		in, want MailSettings
	}{
		{MailSettings{Host: " smtp.example.edu ", User: " ill ", Password: "pw with spaces ", From: " ill@example.edu "},
			MailSettings{Host: "smtp.example.edu", Port: 587, TLS: TLSStartTLS, User: "ill", Password: "pw with spaces ", From: "ill@example.edu"}},
		{MailSettings{Host: "smtp.example.edu", TLS: " TLS ", User: "ill", Password: "x", From: "Main Library ILL <ill@example.edu>"},
			MailSettings{Host: "smtp.example.edu", Port: 465, TLS: TLSImplicit, User: "ill", Password: "x", From: "Main Library ILL <ill@example.edu>"}},
		{MailSettings{Host: "127.0.0.1", Port: 2525, TLS: "none", User: "local", Password: "x", From: "ill@example.edu"},
			MailSettings{Host: "127.0.0.1", Port: 2525, TLS: TLSNone, User: "local", Password: "x", From: "ill@example.edu"}},
		{MailSettings{Host: "relay.example.edu", TLS: "none", From: "ill@example.edu"},
			MailSettings{Host: "relay.example.edu", Port: 25, TLS: TLSNone, From: "ill@example.edu"}},
		{MailSettings{From: "ill@example.edu"}, MailSettings{TLS: TLSStartTLS, From: "ill@example.edu"}},
	}
	for _, tt := range tests {
		require.NoError(t, f.desk.SaveMailSettings(tt.in))
		got, err := f.desk.MailSettings()
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	assert.Equal(t, "Main Library ILL", MailSettings{From: "Main Library ILL <ill@example.edu>"}.LibraryName())
	assert.Equal(t, DefaultLibraryName, MailSettings{From: "ill@example.edu"}.LibraryName())
}

const secret = "s3cret-Pa55word"

func TestMailSettingsRefusals(t *testing.T) {
	good := MailSettings{Host: "smtp.example.edu", Port: 587, TLS: "starttls", User: "ill", Password: secret, From: "ill@example.edu"}
	tests := []struct {
		name     string
		edit     func(*MailSettings)
		contains string
	}{
		{"bad tls", func(m *MailSettings) { m.TLS = "ssl3" }, "starttls, tls or none"},
		{"port too big", func(m *MailSettings) { m.Port = 70000 }, "between 1 and 65535"},
		{"negative port", func(m *MailSettings) { m.Port = -1 }, "between 1 and 65535"},
		{"no from", func(m *MailSettings) { m.From = "" }, "sender address"},
		{"bad from", func(m *MailSettings) { m.From = "ILL desk" }, "not an email address"},
		{"host with port", func(m *MailSettings) { m.Host = "smtp.example.edu:587" }, "port in its own field"},
		{"host as url", func(m *MailSettings) { m.Host = "smtp://smtp.example.edu" }, "only the host"},
		{"password without user", func(m *MailSettings) { m.User = "" }, "user name"},
		{"password in clear to a remote host", func(m *MailSettings) { m.TLS = "none" }, "unencrypted"},
		{"bad from without host", func(m *MailSettings) { m.Host = ""; m.From = "nobody" }, "not an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			m := good
			tt.edit(&m)
			before := f.store.snapshot()
			err := f.desk.SaveMailSettings(m)
			f.refused(err, ErrInvalidInput, before)
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

func TestMailSettingsNeverPrintThePassword(t *testing.T) {
	m := MailSettings{Host: "smtp.example.edu", Port: 587, TLS: "starttls", User: "ill", Password: secret, From: "ill@example.edu"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, m)
		assert.NotContains(t, out, secret, format)
		assert.Contains(t, out, "smtp.example.edu", format)
	}
	assert.Contains(t, m.String(), "password set")
}

func TestRedact(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))
	assert.Equal(t, "535 auth ****** rejected (******)", Redact("535 auth "+secret+" rejected ("+b64+")", secret))
	assert.Equal(t, "nothing to hide", Redact("nothing to hide", ""))
}

// ---- delivering ----

func TestDeliverNoticesSends(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39001234")
	n := f.notices()[0]
	f.now = f.now.Add(30 * time.Second)
	m := &fakeMailer{}

	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)
	require.Len(t, m.sent, 1)
	assert.Equal(t, n, m.sent[0], "the mailer gets the notice as queued")

	got := f.notice(n.ID)
	assert.Equal(t, NoticeSent, got.Status)
	assert.Equal(t, 1, got.Attempts)
	assert.Equal(t, f.now, got.SentAt)
	assert.Zero(t, got.NextTry)
	assert.Empty(t, got.LastError)
	assert.Equal(t, "smtp:mail.example.edu", got.Where)

	after := f.stored(r.ID)
	assert.Equal(t, OnHoldShelf, after.State, "a notice changes no state")
	require.Len(t, after.History, len(r.History)+1)
	ev := lastEvent(after)
	assert.Equal(t, ActNotice, ev.Action)
	assert.Equal(t, OnHoldShelf, ev.From)
	assert.Equal(t, OnHoldShelf, ev.To)
	assert.Equal(t, f.now, ev.At)
	assert.Equal(t, "Ready-for-pickup notice sent to pat@example.org by email", ev.Note)
	assert.Equal(t, r.History, after.History[:len(r.History)], "earlier history untouched")

	// nothing left to send
	sent, failed, err = f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Zero(t, sent+failed)
	assert.Len(t, m.sent, 1)

	// the item can still be checked out afterwards: the history stays a chain
	res, err := f.desk.Scan("39001234", "", atMain)
	require.NoError(t, err)
	assert.Equal(t, Loaned, res.Request.State)
	for i := 1; i < len(res.Request.History); i++ {
		assert.Equal(t, res.Request.History[i-1].To, res.Request.History[i].From)
	}
}

func TestDeliverNoticesToOutbox(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39001234")
	m := &fakeMailer{reply: func(Notice) (string, error) { return "/outbox/2026-03-05-BVB-39001234.eml", nil }}
	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)
	assert.Equal(t, "Ready-for-pickup notice for pat@example.org written to outbox /outbox/2026-03-05-BVB-39001234.eml", lastEvent(f.stored(r.ID)).Note)
	assert.Equal(t, "/outbox/2026-03-05-BVB-39001234.eml", f.notice(f.notices()[0].ID).Where)
}

func TestDeliverNoticesBacksOffAndNeverDrops(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39001234")
	id := f.notices()[0].ID
	start := f.now
	m := &fakeMailer{reply: func(Notice) (string, error) { return "smtp:mail.example.edu", errRefused }}

	waits := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	at := start
	for i, w := range waits {
		f.now = at
		sent, failed, err := f.desk.DeliverNotices(m)
		require.NoError(t, err)
		assert.Equal(t, 0, sent)
		assert.Equal(t, 1, failed, "attempt %d", i+1)
		n := f.notice(id)
		assert.Equal(t, NoticeFailed, n.Status)
		assert.Equal(t, i+1, n.Attempts)
		assert.Equal(t, errRefused.Error(), n.LastError)
		assert.Equal(t, at.Add(w*time.Minute), n.NextTry, "attempt %d", i+1)

		// not before its time
		f.now = n.NextTry.Add(-time.Second)
		sent, failed, err = f.desk.DeliverNotices(m)
		require.NoError(t, err)
		assert.Zero(t, sent+failed)
		at = n.NextTry
	}
	assert.Len(t, m.sent, len(waits))

	after := f.stored(r.ID)
	ev := lastEvent(after)
	assert.Equal(t, ActNotice, ev.Action)
	assert.Equal(t, OnHoldShelf, ev.From)
	assert.Equal(t, OnHoldShelf, ev.To)
	assert.True(t, strings.HasPrefix(ev.Note, "Ready-for-pickup notice to pat@example.org failed: dial tcp 192.0.2.1:587: connect: connection refused; will retry"), ev.Note)
	assert.Len(t, after.History, len(r.History)+len(waits), "every attempt is in the history")

	failedOnes, err := f.desk.Notices(NoticeFilter{Status: NoticeFailed})
	require.NoError(t, err)
	require.Len(t, failedOnes, 1, "a failed notice is listed for staff")

	// the server comes back
	f.now = at
	m.reply = nil
	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)
	n := f.notice(id)
	assert.Equal(t, NoticeSent, n.Status)
	assert.Equal(t, len(waits)+1, n.Attempts)
	assert.Empty(t, n.LastError)
}

func TestNoticeBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{0: time.Minute, 1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute,
		6: 32 * time.Minute, 7: time.Hour, 8: time.Hour, 100: time.Hour, 1 << 40: time.Hour} {
		assert.Equal(t, want, noticeBackoff(attempts), "%d", attempts)
	}
}

func TestDeliverNoticesNeverRecordsThePassword(t *testing.T) {
	f := newDeskFixture(t)
	require.NoError(t, f.desk.SaveMailSettings(MailSettings{Host: "smtp.example.edu", User: "ill", Password: secret, From: "ill@example.edu"}))
	r := f.onHoldShelf("39001234")
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))
	m := &fakeMailer{reply: func(Notice) (string, error) {
		return "smtp:smtp.example.edu", fmt.Errorf("535 5.7.8 authentication failed for ill/%s (%s)", secret, b64)
	}}
	_, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, failed)
	n := f.notices()[0]
	assert.NotContains(t, n.LastError, secret)
	assert.NotContains(t, n.LastError, b64)
	assert.Contains(t, n.LastError, "authentication failed")
	for _, ev := range f.stored(r.ID).History {
		assert.NotContains(t, ev.Note, secret)
		assert.NotContains(t, ev.Note, b64)
	}
}

func TestDeliverNoticesSurvivesAPanickingMailer(t *testing.T) {
	f := newDeskFixture(t)
	f.onHoldShelf("39001234")
	m := &fakeMailer{reply: func(Notice) (string, error) { panic("nil map") }}
	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Zero(t, sent)
	assert.Equal(t, 1, failed)
	n := f.notices()[0]
	assert.Equal(t, NoticeFailed, n.Status)
	assert.Contains(t, n.LastError, "the mailer crashed: nil map")
}

func TestDeliverNoticesWithdrawsWhenTheItemLeftTheShelf(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39001234")
	id := f.notices()[0].ID
	// SMTP was down; the patron came by anyway and took the book
	m := &fakeMailer{reply: func(Notice) (string, error) { return "", errRefused }}
	_, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	require.Equal(t, 1, failed)
	res, err := f.desk.Scan("39001234", "", atMain)
	require.NoError(t, err)
	require.Equal(t, Loaned, res.Request.State)

	f.now = f.now.Add(time.Hour)
	m.reply = nil
	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Zero(t, sent+failed)
	assert.Len(t, m.sent, 1, "no ready-for-pickup notice for a book already on loan")
	n := f.notice(id)
	assert.Equal(t, NoticeCancelled, n.Status)
	assert.False(t, n.Pending())
	assert.Contains(t, n.LastError, "no longer on the hold shelf (Loaned to patron)")
	after := f.stored(r.ID)
	assert.Equal(t, Loaned, after.State)
	ev := lastEvent(after)
	assert.Equal(t, ActNotice, ev.Action)
	assert.Equal(t, Loaned, ev.From)
	assert.Equal(t, Loaned, ev.To)
	assert.Equal(t, "Ready-for-pickup notice to pat@example.org withdrawn: the item is no longer on the hold shelf (Loaned to patron)", ev.Note)

	sent, failed, err = f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Zero(t, sent+failed)
}

func TestDeliverNoticesCancelledWhileSending(t *testing.T) {
	for _, succeed := range []bool{true, false} {
		t.Run(fmt.Sprintf("send succeeds %v", succeed), func(t *testing.T) {
			f := newDeskFixture(t)
			r := f.onHoldShelf("39001234")
			m := &fakeMailer{reply: func(n Notice) (string, error) {
				// the hold-shelf scan is undone at the other end of the desk meanwhile
				require.NoError(t, f.store.Update(func(tx Tx) error {
					cancelled, sentAlready, err := f.desk.cancelQueuedNotice(tx, n.RequestID)
					assert.True(t, cancelled)
					assert.False(t, sentAlready)
					return err
				}))
				if succeed {
					return "smtp:mail.example.edu", nil
				}
				return "smtp:mail.example.edu", errRefused
			}}
			sent, failed, err := f.desk.DeliverNotices(m)
			require.NoError(t, err)
			after := f.stored(r.ID)
			if succeed {
				assert.Equal(t, 1, sent)
				ns := f.notices()
				require.Len(t, ns, 1, "what went out stays on record")
				assert.Equal(t, NoticeSent, ns[0].Status)
				assert.Equal(t, ActNotice, lastEvent(after).Action)
			} else {
				assert.Equal(t, 1, failed)
				assert.Empty(t, f.notices(), "nothing went out; the cancelled notice stays gone")
				assert.Equal(t, r.History, after.History)
			}
		})
	}
}

// ---- listing, retrying, cancelling ----

func TestNoticesFilterAndRetry(t *testing.T) {
	f := newDeskFixture(t)
	a := f.onHoldShelf("39000001")
	b := f.onHoldShelf("39000002", func(in *BorrowingInput) { in.RequesterEmail = "bob@example.org" })
	m := &fakeMailer{reply: func(n Notice) (string, error) {
		if n.To == "bob@example.org" {
			return "", errRefused
		}
		return "smtp:mail.example.edu", nil
	}}
	sent, failed, err := f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Equal(t, 1, failed)

	all := f.notices()
	require.Len(t, all, 2)
	assert.Equal(t, a.ID, all[0].RequestID, "creation order")
	assert.Equal(t, b.ID, all[1].RequestID)
	for _, tt := range []struct {
		filter NoticeFilter
		want   []string
	}{
		{NoticeFilter{Status: NoticeSent}, []string{a.ID}},
		{NoticeFilter{Status: NoticeFailed}, []string{b.ID}},
		{NoticeFilter{Status: NoticeQueued}, nil},
		{NoticeFilter{RequestID: b.ID}, []string{b.ID}},
		{NoticeFilter{RequestID: b.ID, Status: NoticeSent}, nil},
	} {
		ns, err := f.desk.Notices(tt.filter)
		require.NoError(t, err)
		var got []string
		for _, n := range ns {
			got = append(got, n.RequestID)
		}
		assert.Equal(t, tt.want, got, "%+v", tt.filter)
	}

	// staff press Retry: the failed one is due at once
	failedID := all[1].ID
	f.now = f.now.Add(10 * time.Second)
	sent, failed, err = f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Zero(t, sent+failed, "still backing off")
	require.NoError(t, f.desk.RetryNotice(failedID))
	assert.Equal(t, f.now, f.notice(failedID).NextTry)
	m.reply = nil
	sent, failed, err = f.desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)

	before := f.store.snapshot()
	f.refused(f.desk.RetryNotice(failedID), ErrInvalidInput, before)
	f.refused(f.desk.RetryNotice("no-such-notice"), ErrNotFound, before)
}

func TestCancelQueuedNotice(t *testing.T) {
	f := newDeskFixture(t)
	cancel := func(requestID string) (cancelled, sentAlready bool) {
		t.Helper()
		require.NoError(t, f.store.Update(func(tx Tx) error {
			var err error
			cancelled, sentAlready, err = f.desk.cancelQueuedNotice(tx, requestID)
			return err
		}))
		return cancelled, sentAlready
	}

	// queued: withdrawn
	a := f.onHoldShelf("39000001")
	other := f.onHoldShelf("39000002")
	cancelled, sentAlready := cancel(a.ID)
	assert.True(t, cancelled)
	assert.False(t, sentAlready)
	ns := f.notices()
	require.Len(t, ns, 1, "only that request's notice is gone")
	assert.Equal(t, other.ID, ns[0].RequestID)

	// nothing left to cancel
	cancelled, sentAlready = cancel(a.ID)
	assert.False(t, cancelled)
	assert.False(t, sentAlready)

	// failed is still undelivered: withdrawn
	_, _, err := f.desk.DeliverNotices(&fakeMailer{reply: func(Notice) (string, error) { return "", errRefused }})
	require.NoError(t, err)
	require.Equal(t, NoticeFailed, f.notices()[0].Status)
	cancelled, _ = cancel(other.ID)
	assert.True(t, cancelled)
	assert.Empty(t, f.notices())

	// sent: cannot be called back
	c := f.onHoldShelf("39000003")
	_, _, err = f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	before := f.store.snapshot()
	cancelled, sentAlready = cancel(c.ID)
	assert.False(t, cancelled)
	assert.True(t, sentAlready)
	assert.Equal(t, before.Notices, f.store.snapshot().Notices)

	// a request without notices
	cancelled, sentAlready = cancel("no-such-request")
	assert.False(t, cancelled)
	assert.False(t, sentAlready)
}

func TestSMTPPasswordLivesInTheKeyringNotTheDatabase(t *testing.T) {
	f := newDeskFixture(t)
	require.NoError(t, f.desk.SaveMailSettings(MailSettings{Host: "smtp.example.edu", User: "ill", Password: "s3cret-pass", From: "ill@example.edu"}))
	for k, v := range f.store.snapshot().Settings {
		assert.NotContains(t, v, "s3cret-pass", "setting %s holds the password", k)
	}
	ms, err := f.desk.MailSettings()
	require.NoError(t, err)
	assert.Equal(t, "s3cret-pass", ms.Password, "read back from the keyring")

	before := f.store.snapshot()
	err = f.desk.SaveMailSettings(MailSettings{Host: "smtp.example.edu", User: "ill", Password: "broken", From: "other@example.edu"})
	f.refused(err, ErrInvalidInput, before)
	assert.Contains(t, err.Error(), "ILLDESK_SMTP_PASSWORD")
	assert.NotContains(t, err.Error(), "broken", "the refusal never repeats the password")
}

func TestCheckOutgoingURL(t *testing.T) {
	tests := []struct {
		name, raw string
		// says is the refusal's text, "" when the address is used.
		says string
	}{
		{"https", "https://ils.example.edu/ncip", ""},
		{"https kept from spaces", "  https://catalogue.example.edu/sru\n", ""},
		{"plain http to 127.0.0.1", "http://127.0.0.1:8080/ncip", ""},
		{"plain http to localhost", "http://localhost/sru", ""},
		{"plain http to ::1", "http://[::1]:210/x", ""},
		{"plain http to another computer", "http://ils.example.edu/ncip",
			"http://ils.example.edu/ncip is plain http to another computer; only https is used there: invalid input"},
		{"its password is not shown", "http://staff:secret@ils.example.edu/ncip",
			"http://staff:xxxxx@ils.example.edu/ncip is plain http to another computer; only https is used there: invalid input"},
		{"another scheme", "ftp://x/", `"ftp://x/" is not an http:// or https:// address: invalid input`},
		{"no scheme", "ils", `"ils" is not an http:// or https:// address: invalid input`},
		{"no host", "https:///ncip", `"https:///ncip" is not an http:// or https:// address: invalid input`},
		{"not an address", "http://[::1", `"http://[::1" is not an http:// or https:// address: invalid input`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := CheckOutgoingURL(tt.raw)
			if tt.says == "" {
				require.NoError(t, err)
				assert.Equal(t, strings.TrimSpace(tt.raw), u.String())
				return
			}
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Equal(t, tt.says, err.Error())
			assert.Nil(t, u)
		})
	}
}
