package domain

import (
	"context"
	"fmt"
)

// DeliveryService keeps the deliveries of shipped files to partners (by
// email, to a folder, or as download links) and sends the due ones; the
// server asks it for the file behind a download link. It keeps how long
// a link works.
type DeliveryService struct {
	*core
	// vault holds the shipped files that deliveries send or serve.
	vault Vault
}

// Deliveries lists the file deliveries, oldest first; requestID "" lists all.
func (d *DeliveryService) Deliveries(requestID string) ([]Delivery, error) {
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

// DeliveryFile is the delivery a download link's token names, for the
// server. A token no link has, and a link that expired or was revoked, are
// refused alike with ErrLinkRefused (an ErrNotFound); the refusal's words
// say which, for the server's log.
func (d *DeliveryService) DeliveryFile(token string) (Delivery, error) {
	return d.link(token)
}

// deliverFiles sends the due email and folder deliveries; a failure keeps
// the file queued, with the reason, for a later try with back-off. Each
// file goes on its own: none waits for another. Each is claimed for holder
// before it is sent, and one that another process is sending is passed
// over. Once ctx is done no further file is sent.
func (d *DeliveryService) deliverFiles(ctx context.Context, holder string, s FileSender) (delivered, failed int, err error) {
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
		ok, err := d.claim(dl.ID, holder)
		if err != nil {
			return delivered, failed, err
		}
		if !ok {
			continue // delivered, or being delivered, elsewhere
		}
		where, serr := s.SendFile(dl, d.vault.Path(dl.File))
		if serr != nil {
			failed++
		} else {
			delivered++
		}
		if err := d.recordFileDelivery(dl.ID, where, holder, serr); err != nil {
			return delivered, failed, err
		}
		if serr == nil {
			if err := d.copyDelivered(dl.RequestID, where); err != nil {
				return delivered, failed, err
			}
		}
	}
	return delivered, failed, nil
}

// claim claims the delivery with the id for holder while its file is sent,
// if it is still due and no other process is sending it.
func (d *DeliveryService) claim(id, holder string) (bool, error) {
	now := d.clock.Now()
	return claimItem(d.store, delivery(id), Tx.PutDelivery, func(dl *Delivery) bool {
		if !dl.sendable() || dl.NextTry.After(now) || dl.Lease.heldElsewhere(holder, now) {
			return false
		}
		dl.Lease = Lease{Holder: holder, Until: now.Add(adapterSendLease + leaseMargin)}
		return true
	})
}

// delivery reads the delivery with the id, for updateRecorded and claimItem.
func delivery(id string) func(Tx) (Delivery, bool, error) {
	return func(tx Tx) (Delivery, bool, error) { return tx.Delivery(id) }
}

// recordFileDelivery stores the outcome of holder's attempt on the delivery
// and in its request's history, and clears the lease; a failure is not
// recorded over a file delivered or claimed elsewhere meanwhile.
func (d *DeliveryService) recordFileDelivery(id, where, holder string, sendErr error) error {
	now := d.clock.Now()
	return updateRecorded(d.core, delivery(id), Tx.PutDelivery, func(dl *Delivery) (string, string) {
		if sendErr != nil && dl.Lease.lost(holder, dl.sendable(), now) {
			return "", ""
		}
		dl.Attempts++
		dl.Lease = Lease{}
		if sendErr != nil {
			dl.Status, dl.LastError = DeliveryFailed, sendErr.Error()
			dl.NextTry = now.Add(noticeBackoff(dl.Attempts))
			return dl.RequestID, fmt.Sprintf("Delivery of %s by %s failed: %s; will retry at %s", dl.File, dl.Method, dl.LastError, dl.NextTry.Format("15:04"))
		}
		dl.Status, dl.LastError, dl.Where, dl.At = DeliveryDelivered, "", where, now
		return dl.RequestID, fmt.Sprintf("%s delivered by %s: %s", dl.File, dl.Method, where)
	})
}

// DownloadPath is the vault file behind a download link's token, for the
// server; refused as DeliveryFile is.
func (d *DeliveryService) DownloadPath(token string) (string, Delivery, error) {
	dl, err := d.DeliveryFile(token)
	if err != nil {
		return "", Delivery{}, err
	}
	if d.vault == nil {
		return "", Delivery{}, refuse(ErrNotFound, "No file vault is configured.")
	}
	return d.vault.Path(dl.File), dl, nil
}
