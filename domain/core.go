package domain

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// core is what every use-case service shares: the store (whose commits
// kick the dispatcher), the clock, the ids, the partner message codec, and
// the business calendar and barcode rule, which settings may replace while
// other goroutines read them (mu guards cal and barcodes). The rules more
// than one service applies are its methods, so that each lives in one
// place: a change to a request with its history event, roles, the audit of
// configuration, the partner messages a change queues.
type core struct {
	mu       sync.RWMutex
	store    Store
	clock    Clock
	cal      Calendar
	barcodes BarcodeRule
	codec    MessageCodec
	newID    func() string
	// newToken makes the secret tokens of download links.
	newToken func() string
}

// Now is the desk's current time.
func (d *core) Now() time.Time { return d.clock.Now() }

// Calendar is the business calendar the desk counts deadlines with.
func (d *core) Calendar() Calendar {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.cal
}

// TimeLeft is the business time left before a request's deadline, negative
// when overdue; ok is false when there is no deadline (the zero time).
func (d *core) TimeLeft(deadline time.Time) (left time.Duration, ok bool) {
	if deadline.IsZero() {
		return 0, false
	}
	return d.Calendar().BusinessBetween(d.clock.Now(), deadline), true
}

func (d *core) event(by Actor, note string) Event {
	actor := by.Operator
	if actor == "" {
		actor = "staff"
	}
	return Event{At: d.clock.Now(), Actor: actor, Desk: by.Station.String(), Note: note}
}

// change resolves ref and applies fn to the request inside one transaction,
// writing the result only when fn succeeds.
func (d *core) change(ref string, fn func(tx Tx, r *Request) error) (Request, error) {
	var out Request
	err := d.store.Update(func(tx Tx) error {
		r, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		out = r
		return tx.PutRequest(r)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// allow is Authorize naming what is being done in the refusal, e.g. "Shipping".
func (d *core) allow(by Actor, need Role, what string) error {
	return d.store.View(func(tx Tx) error { return allowTx(tx, by, need, what) })
}

// barcodeRule is the desk's current barcode rule (settings may replace it).
func (d *core) barcodeRule() BarcodeRule {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.barcodes
}

// auditConfig records, in the caller's transaction, a change from before to
// after (any values that encode to JSON objects; nil for none). Secrets must
// be left out of both by the caller.
func (d *core) auditConfig(tx Tx, by Actor, what string, before, after any) error {
	return d.auditChange(tx, d.event(by, ""), what, before, after)
}

// auditChange is auditConfig for a change whose event (who, where, when)
// the caller gives: one a partner message made, say.
func (d *core) auditChange(tx Tx, ev Event, what string, before, after any) error {
	changes, err := fieldChanges(before, after)
	if err != nil || len(changes) == 0 {
		return err
	}
	// its own UUIDv7: ids sort by time, and request ids are left alone
	return tx.PutConfigChange(uuid.Must(uuid.NewV7()).String(),
		ConfigChange{At: ev.At, Operator: ev.Actor, Desk: ev.Desk, What: what, Changes: changes})
}

// queueMessage encodes a message about r for partner p and puts it in the
// outbox, in the caller's transaction. Partners without an agency id do not
// exchange ISO 18626 messages; nothing is queued for them.
func (d *core) queueMessage(tx Tx, r Request, p Partner, out Outgoing) error {
	if d.codec == nil || p.AgencyID == "" {
		return nil
	}
	self, err := selfAgency(tx)
	if err != nil {
		return err
	}
	out.Timestamp = d.clock.Now()
	summary := out.Status
	switch out.Kind {
	case KindSupplying:
		out.From, out.To = self, p.AgencyID
		out.RequestingRequestID, out.SupplyingRequestID = r.ExternalID, r.ID
		if out.Reason == "CancelResponse" || out.Reason == "StatusRequestResponse" || out.Reason == "RenewResponse" {
			summary = out.Reason + " " + out.Status
		}
	case KindRequesting:
		out.From, out.To = self, p.AgencyID
		out.RequestingRequestID, out.SupplyingRequestID = r.requestingID(), r.supplyingID()
		summary = out.Action
	case KindRequest:
		out.From, out.To = self, p.AgencyID
		out.RequestingRequestID = r.requestingID()
		summary = "Request"
		if out.RequestType == "Retry" {
			summary = "Retry"
		}
	}
	body, err := d.codec.Encode(out)
	if err != nil {
		return fmt.Errorf("could not write the %s message: %w", summary, err)
	}
	m := OutboxMessage{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Partner: p.Code, Kind: out.Kind,
		Summary: summary, Body: body, Created: out.Timestamp, Status: MessagePending, NextTry: out.Timestamp}
	if err := tx.PutOutboxMessage(m); err != nil {
		return err
	}
	markQueued(tx)
	return nil
}

// tell queues a message about r to its partner, looked up in tx.
func (d *core) tell(tx Tx, r Request, out Outgoing) error {
	p, err := tx.Partner(r.Partner)
	if err != nil {
		return err
	}
	return d.queueMessage(tx, r, p, out)
}

// queuePickupNotice queues the ready-for-pickup notice for r, which is being
// put on the hold shelf (HoldUntil set) in tx, and returns the history note.
// Without a usable email address no notice is queued and the note tells
// staff to call the patron; none is queued either when the ILS notifies.
func (d *core) queuePickupNotice(tx Tx, r Request) (string, error) {
	note := "Hold until " + r.HoldUntil.Format(DateLayout)
	if ils, err := ilsNotifies(tx); err != nil {
		return "", err
	} else if ils {
		return note + "; the ILS notifies the patron (patron-notices ils)", nil
	}
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

// cancelQueuedNotice withdraws the ready-for-pickup notice of a request
// whose hold-shelf scan is being undone, inside the caller's transaction.
// It looks at the request's latest ready-for-pickup notice: when it has not
// been sent yet it is deleted (with any other undelivered one of the
// request) and cancelled is true; when it was already sent it cannot be
// called back and sentAlready is true. It does not touch the request: the
// caller records what happened in its own history event.
func (d *core) cancelQueuedNotice(tx Tx, requestID string) (cancelled, sentAlready bool, err error) {
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

// shipped queues, in the Ship transaction, the delivery of the file by the
// partner's delivery method and the CopyCompleted message.
func (d *core) shipped(tx Tx, r Request, sf ShippedFile) error {
	p, err := tx.Partner(r.Partner)
	if err != nil {
		return err
	}
	method, target, err := ParseDelivery(p.Delivery)
	if err != nil {
		return err
	}
	now := d.clock.Now()
	out := Outgoing{Kind: KindSupplying, Reason: "RequestResponse", Status: "CopyCompleted", DateSent: now}
	if method != "" {
		dl := Delivery{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Partner: p.Code, Method: method, Target: target,
			File: sf.Name, Created: now, Status: DeliveryPending, NextTry: now}
		switch method {
		case DeliveryEmail:
			out.SentVia = "Email"
		case DeliveryFolder:
			out.SentVia = "FTP"
		case DeliveryISO:
			out.SentVia = "URL"
			dl.Status = DeliveryAvailable
			base, err := tx.Setting(SettingPublicURL)
			if err != nil {
				return err
			}
			if base != "" {
				if err := d.newLink(tx, &dl, &out, base); err != nil {
					return err
				}
			}
		}
		if err := tx.PutDelivery(dl); err != nil {
			return err
		}
		markQueued(tx)
	}
	return d.queueMessage(tx, r, p, out)
}

// newLink gives the delivery dl a download link under the public address
// base: a new secret token, of which only the hash is stored, and its
// expiry. The URL goes only into the message to the partner; staff see
// where it points without the token.
func (d *core) newLink(tx Tx, dl *Delivery, out *Outgoing, base string) error {
	if d.newToken == nil {
		return errors.New("no source of download link tokens is configured")
	}
	days, err := linkDays(tx)
	if err != nil {
		return err
	}
	token := d.newToken()
	dl.TokenHash = tokenHash(token)
	dl.Expires = d.clock.Now().Add(time.Duration(days) * 24 * time.Hour)
	base = strings.TrimRight(base, "/")
	out.DeliveryURL = base + LinkPath + token
	dl.Where = base + LinkPath + "… (until " + dl.Expires.Local().Format(DateLayout) + ")"
	return nil
}

// withdrawMessages takes back the partner messages queued by the change
// being undone (made at or after since). A message that has already gone —
// sent, or exported for another tool — cannot be taken back, so the undo is
// refused. It returns what was withdrawn.
func (d *core) withdrawMessages(tx Tx, r Request, since time.Time) ([]string, error) {
	var mine []OutboxMessage
	err := tx.ForEachOutboxMessage(func(m OutboxMessage) error {
		if m.RequestID == r.ID && !m.Created.Before(since) {
			mine = append(mine, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var withdrawn []string
	for _, m := range mine {
		if !m.pending() || m.Attempts > 0 && m.status() != MessageRetrying {
			return nil, refuse(ErrCannotUndo, "The %s message for %s has already gone to %s; the change can no longer be undone.", m.Summary, r.Ref(), m.Partner)
		}
	}
	for _, m := range mine {
		if err := tx.DeleteOutboxMessage(m.ID); err != nil {
			return nil, err
		}
		withdrawn = append(withdrawn, m.Summary)
	}
	return withdrawn, nil
}

// Find resolves a reference typed or scanned by staff: a request id, an
// external identifier, or the start or end of a request id (at least 4
// characters; the end is the short reference Ref shows).
func (d *core) Find(ref string) (Request, error) {
	var r Request
	err := d.store.View(func(tx Tx) error {
		var err error
		r, err = resolve(tx, ref)
		return err
	})
	return r, err
}

// barcodeFree refuses a barcode that is active on another request than r.
func barcodeFree(tx Tx, r Request, barcode string) error {
	if other, ok, err := tx.RequestByBarcode(barcode); err != nil {
		return err
	} else if ok && other.ID != r.ID {
		return refuse(ErrBarcodeInUse, "Barcode %s is already on request %s (“%s”, %s) — use a new barcode label.", barcode, other.Ref(), other.Title, other.StatusLabel())
	}
	return nil
}

func (d *core) receive(tx Tx, r *Request, barcode string, by Actor) error {
	if !r.Can(ActReceive) {
		return r.Transition(ActReceive, Event{})
	}
	if err := barcodeFree(tx, *r, barcode); err != nil {
		return err
	}
	r.ItemBarcode = barcode
	if err := r.Transition(ActReceive, d.event(by, "Temporary item "+barcode+" created")); err != nil {
		return err
	}
	return d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "Received"})
}
