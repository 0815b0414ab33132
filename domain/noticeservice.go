package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// NoticeService keeps the patron notices, their template and the mail
// settings, and sends the notices that are due.
type NoticeService struct {
	*core
	// secrets keeps the SMTP password out of the database.
	secrets SecretStore
}

// NoticeTemplate is the ready-for-pickup template in use: the saved one, or
// DefaultNoticeTemplate when none was saved.
func (d *NoticeService) NoticeTemplate() (NoticeTemplate, error) {
	var t NoticeTemplate
	err := d.store.View(func(tx Tx) error {
		var err error
		t, err = noticeTemplate(tx)
		return err
	})
	return t, err
}

// SetNoticeTemplate saves the ready-for-pickup template after checking that
// it parses and renders the sample; a template with neither subject nor text
// restores the default. Notices already queued keep their text. It needs
// the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *NoticeService) SetNoticeTemplate(t NoticeTemplate, by ...Actor) error {
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

// MailSettings reads the mail settings.
func (d *NoticeService) MailSettings() (MailSettings, error) {
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

// SaveMailSettings checks and stores the mail settings. From must be an
// email address (it is required when a host is set); the port 1–65535 (0
// means the usual one for the TLS mode); TLS starttls, tls or none. A user
// name and password are only accepted with an encrypted connection, unless
// the server is on this computer. No message ever repeats the password.
// It needs the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *NoticeService) SaveMailSettings(m MailSettings, by ...Actor) error {
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
	if m.Host != "" && m.User != "" && m.TLS == TLSNone && !LoopbackHost(m.Host) {
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

// Notices lists the notices passing the filter in creation order.
func (d *NoticeService) Notices(f NoticeFilter) ([]Notice, error) {
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
func (d *NoticeService) RetryNotice(id string, by ...Actor) error {
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

// DeliverNotices sends every queued or failed notice whose time has come,
// each with m.Send outside any transaction, then records the outcome on the
// notice and as an ActNotice event in the request's history in one
// transaction per notice. A failed attempt is retried after 1, 2, 4 …
// minutes, at most an hour apart. A notice whose item is no longer on the
// hold shelf is withdrawn instead of sent. err reports only store trouble;
// send failures are counted in failed and kept for the next run. A notice
// whose send succeeded but whose record could not be written (a crash in
// between) is sent again later: delivery is at least once. Each notice is
// claimed before it is sent, so that two calls, in this process or another
// on the same database, never send it both. Front ends send through the
// Dispatcher, which calls it with the configured mailer.
func (d *NoticeService) DeliverNotices(m Mailer) (sent, failed int, err error) {
	return d.deliverNotices(context.Background(), m, newHolder())
}

// deliverNotices is DeliverNotices with the notices claimed for holder,
// starting no further send once ctx is done.
func (d *NoticeService) deliverNotices(ctx context.Context, m Mailer, holder string) (sent, failed int, err error) {
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
		ok, err := d.claim(n.ID, holder)
		if err != nil {
			return sent, failed, err
		}
		if !ok {
			continue // sent, being sent or withdrawn elsewhere
		}
		where, sendErr := safeSend(m, n)
		if err := d.recordDelivery(n, where, holder, sendErr, password); err != nil {
			return sent, failed, err
		}
		if sendErr == nil && n.Kind == NoticeCopyLink {
			if err := d.copyDelivered(n.RequestID, "download link emailed to "+n.To); err != nil {
				return sent, failed, err
			}
		}
		if sendErr != nil {
			failed++
		} else {
			sent++
		}
	}
	return sent, failed, nil
}

// claim claims the notice with the id for holder while it is sent, if it
// is still due and no other process is sending it.
func (d *NoticeService) claim(id, holder string) (bool, error) {
	now := d.clock.Now()
	get := func(tx Tx) (Notice, bool, error) {
		n, err := tx.Notice(id)
		if errors.Is(err, ErrNotFound) {
			return n, false, nil
		}
		return n, err == nil, err
	}
	return claimItem(d.store, get, Tx.PutNotice, func(n *Notice) bool {
		if !n.Pending() || n.NextTry.After(now) || n.Lease.heldElsewhere(holder, now) {
			return false
		}
		n.Lease = Lease{Holder: holder, Until: now.Add(adapterSendLease + leaseMargin)}
		return true
	})
}

// withdraw cancels a ready-for-pickup notice whose item left the hold shelf
// (picked up, scan undone, request closed) before it was delivered, and
// records why in the request's history.
func (d *NoticeService) withdraw(n Notice) error {
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

// recordDelivery writes the outcome of holder's attempt on the notice and in
// the request's history, in one transaction, and clears the lease; a
// failure is not recorded over a notice sent or claimed elsewhere meanwhile.
func (d *NoticeService) recordDelivery(n Notice, where, holder string, sendErr error, password string) error {
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
		if sendErr != nil && cur.Lease.lost(holder, cur.Pending(), now) {
			return nil
		}
		cur.Attempts++
		cur.Lease = Lease{}
		if where != "" {
			cur.Where = where
		}
		var note string
		if sendErr == nil {
			cur.Status, cur.SentAt, cur.NextTry, cur.LastError = NoticeSent, now, time.Time{}, ""
			if strings.HasPrefix(where, "smtp:") || where == "" {
				note = noticeName(cur.Kind) + " sent to " + cur.To + " by email"
			} else {
				note = noticeName(cur.Kind) + " for " + cur.To + " written to outbox " + where
			}
		} else {
			reason := strings.TrimSpace(Redact(sendErr.Error(), password))
			if reason == "" {
				reason = "unknown error"
			}
			wait := noticeBackoff(cur.Attempts)
			cur.Status, cur.LastError, cur.NextTry = NoticeFailed, reason, now.Add(wait)
			note = fmt.Sprintf("%s to %s failed: %s; will retry at %s", noticeName(cur.Kind), cur.To,
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

func (d *NoticeService) noticeEvent(note string) Event {
	return Event{At: d.clock.Now(), Actor: noticeActor, Desk: "mail", Note: note}
}
