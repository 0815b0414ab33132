package domain

import (
	"time"

	"github.com/google/uuid"
)

// Lease is a dispatcher's claim on a queued item (a partner message, a
// shipped file, a patron notice, an ILS call) while it sends it. Several
// processes may send from one department database: the one whose lease
// runs sends the item, the others pass it over until the lease ends. The
// outcome is recorded and the lease cleared in one transaction; a holder
// that crashed never clears it, and its lease simply lapses.
type Lease struct {
	// Holder is the id of the dispatcher (one per process) sending the item.
	Holder string `json:"holder,omitempty"`
	// Until is when the claim lapses, for an item whose outcome its holder
	// never recorded: the send's timeout and leaseMargin after the claim.
	Until time.Time `json:"until,omitzero"`
}

// Running reports whether the lease holds the item at now.
func (l Lease) Running(now time.Time) bool {
	return l.Holder != "" && now.Before(l.Until)
}

// heldElsewhere reports whether a dispatcher other than holder sends the
// item at now.
func (l Lease) heldElsewhere(holder string, now time.Time) bool {
	return l.Running(now) && l.Holder != holder
}

// due is when an item whose own time is next becomes due: once the lease
// running at now ends, if it ends later.
func (l Lease) due(next, now time.Time) time.Time {
	if l.Running(now) && l.Until.After(next) {
		return l.Until
	}
	return next
}

// lost reports whether a failed send by holder is to be left unrecorded:
// the item is no longer waiting (it was sent elsewhere after holder's lease
// lapsed), or another holder claimed it since and records its own outcome.
func (l Lease) lost(holder string, waiting bool, now time.Time) bool {
	return !waiting || l.heldElsewhere(holder, now)
}

// leaseMargin is added to a send's timeout to make its lease: the time a
// holder has to record the outcome after the send gave up.
const leaseMargin = time.Minute

// adapterSendLease bounds a send whose timeout its adapter keeps (a notice
// by SMTP, a file by email or into a folder), for the item's lease.
const adapterSendLease = 2 * time.Minute

// newHolder is a fresh random id for a dispatcher's leases.
func newHolder() string { return uuid.NewString() }

// claimItem claims one queued item for holder in a store transaction:
// get reads it as it stands now, take reports whether it is to be sent now
// (due, and no other holder's lease running) and sets the lease on it, and
// put stores it. ok is false when the item is gone, no longer due or being
// sent elsewhere, and then nothing is changed. On PostgreSQL two processes
// claiming one item at once get one winner: the transaction is
// serializable and re-run on conflict, so take must have no effect outside
// it.
func claimItem[T any](s Store, get func(Tx) (T, bool, error), put func(Tx, T) error, take func(*T) bool) (ok bool, err error) {
	err = s.Update(func(tx Tx) error {
		ok = false
		cur, found, err := get(tx)
		if err != nil || !found || !take(&cur) {
			return err
		}
		ok = true
		return put(tx, cur)
	})
	return ok && err == nil, err
}
