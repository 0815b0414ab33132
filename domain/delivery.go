package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SettingPublicURL is the address partners reach this desk's server at
// (`illdesk serve`), used for download links of shipped files.
const SettingPublicURL = "public_url"

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // will be retried
	// DeliveryAvailable means the partner downloads the file from our server.
	DeliveryAvailable = "available"
)

// Delivery is a shipped file on its way to the partner.
type Delivery struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	Ref       string    `json:"ref"`
	Partner   string    `json:"partner"`
	Method    string    `json:"method"`
	Target    string    `json:"target,omitempty"`
	File      string    `json:"file"` // name in the vault
	Created   time.Time `json:"created"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Where     string    `json:"where,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// FileSender delivers a shipped file by email or into a folder.
type FileSender interface {
	SendFile(d Delivery, path string) (where string, err error)
}

// shipped queues, in the Ship transaction, the delivery of the file by the
// partner's delivery method and the CopyCompleted message.
func (d *Desk) shipped(tx Tx, r Request, sf ShippedFile) error {
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
				out.DeliveryURL = strings.TrimRight(base, "/") + "/files/" + dl.ID
				dl.Where = out.DeliveryURL
			}
		}
		if err := tx.PutDelivery(dl); err != nil {
			return err
		}
		markQueued(tx)
	}
	return d.queueMessage(tx, r, p, out)
}

// Deliveries lists the file deliveries, oldest first; requestID "" lists all.
func (d *Desk) Deliveries(requestID string) ([]Delivery, error) {
	var out []Delivery
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachDelivery(func(dl Delivery) error {
			if requestID == "" || dl.RequestID == requestID {
				out = append(out, dl)
			}
			return nil
		})
	})
	return out, err
}

// DeliveryFile is the vault file a download link names, for the server.
func (d *Desk) DeliveryFile(id string) (Delivery, error) {
	var dl Delivery
	err := d.store.View(func(tx Tx) error {
		var ok bool
		var err error
		if dl, ok, err = tx.Delivery(id); err == nil && !ok {
			return refuse(ErrNotFound, "No shipped file has the link %s.", id)
		}
		return err
	})
	if err == nil && dl.Method != DeliveryISO {
		return Delivery{}, refuse(ErrNotFound, "No shipped file has the link %s.", id)
	}
	return dl, err
}

// sendable reports whether the file still has to be sent by email or into
// a folder.
func (dl Delivery) sendable() bool {
	return dl.Status == DeliveryPending || dl.Status == DeliveryFailed
}

// deliverFiles sends the due email and folder deliveries; a failure keeps
// the file queued, with the reason, for a later try with back-off. Each
// file goes on its own: none waits for another. Once ctx is done no
// further file is sent.
func (d *Desk) deliverFiles(ctx context.Context, s FileSender) (delivered, failed int, err error) {
	if d.vault == nil {
		return 0, 0, nil
	}
	all, err := d.Deliveries("")
	if err != nil {
		return 0, 0, err
	}
	now := d.clock.Now()
	for _, dl := range all {
		if !dl.sendable() || dl.NextTry.After(now) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		where, serr := s.SendFile(dl, d.vault.Path(dl.File))
		if serr != nil {
			failed++
		} else {
			delivered++
		}
		if err := d.recordFileDelivery(dl.ID, where, serr); err != nil {
			return delivered, failed, err
		}
	}
	return delivered, failed, nil
}

func (d *Desk) recordFileDelivery(id, where string, sendErr error) error {
	now := d.clock.Now()
	get := func(tx Tx) (Delivery, bool, error) { return tx.Delivery(id) }
	return updateRecorded(d, get, Tx.PutDelivery, func(dl *Delivery) (string, string) {
		dl.Attempts++
		if sendErr != nil {
			dl.Status, dl.LastError = DeliveryFailed, sendErr.Error()
			dl.NextTry = now.Add(noticeBackoff(dl.Attempts))
			return dl.RequestID, fmt.Sprintf("Delivery of %s by %s failed: %s; will retry at %s", dl.File, dl.Method, dl.LastError, dl.NextTry.Format("15:04"))
		}
		dl.Status, dl.LastError, dl.Where, dl.At = DeliveryDelivered, "", where, now
		return dl.RequestID, fmt.Sprintf("%s delivered by %s: %s", dl.File, dl.Method, where)
	})
}

// DownloadPath is the vault file behind a download link, for the server.
func (d *Desk) DownloadPath(id string) (string, Delivery, error) {
	dl, err := d.DeliveryFile(id)
	if err != nil {
		return "", Delivery{}, err
	}
	if d.vault == nil {
		return "", Delivery{}, refuse(ErrNotFound, "No file vault is configured.")
	}
	return d.vault.Path(dl.File), dl, nil
}
