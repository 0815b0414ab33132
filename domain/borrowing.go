package domain

import (
	"strings"
)

// BorrowingService carries out what staff do for our own patrons' requests
// to partners: place them and receive the items that arrive.
type BorrowingService struct {
	*core
	// ils makes the ILS call of receiving.
	ils *ILSService
}

// NewBorrowing records a request we place with a partner for one of our patrons.
func (d *BorrowingService) NewBorrowing(in BorrowingInput, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Creating a borrowing request"); err != nil {
		return Request{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	in.Requester = strings.TrimSpace(in.Requester)
	in.Pickup = strings.TrimSpace(in.Pickup)
	in.RequesterEmail = strings.TrimSpace(in.RequesterEmail)
	switch {
	case in.Title == "":
		return Request{}, refuse(ErrInvalidInput, "A borrowing request needs a title.")
	case in.Requester == "":
		return Request{}, refuse(ErrInvalidInput, "A borrowing request needs the requester's name.")
	case in.Pickup == "":
		return Request{}, refuse(ErrInvalidInput, "Choose the pickup location where the patron collects the item.")
	case in.RequesterEmail != "" && !strings.Contains(in.RequesterEmail, "@"):
		return Request{}, refuse(ErrInvalidInput, "%q is not an email address.", in.RequesterEmail)
	}
	service, err := ServiceFor(in.Service, in.Citation)
	if err != nil {
		return Request{}, err
	}
	codes := in.Partners
	if len(codes) == 0 {
		codes = []string{in.Partner}
	}
	var r Request
	err = d.store.Update(func(tx Tx) error {
		lenders, err := rota(tx, codes)
		if err != nil {
			return err
		}
		p := lenders[0]
		now := d.clock.Now()
		r = Request{ID: d.newID(), Side: Borrowing, ExternalID: strings.TrimSpace(in.ExternalID),
			Partner: p.Code, Citation: in.Citation, Requester: in.Requester,
			RequesterEmail: in.RequesterEmail, Pickup: in.Pickup, Created: now, InternalNote: in.Note,
			ServiceType: service, PartnerNote: strings.TrimSpace(in.PartnerNote), PatronID: strings.TrimSpace(in.PatronID),
			NeededBy: in.NeedBefore}
		if p.ISOEndpoint != "" {
			r.LenderDeadline = d.Calendar().AddBusinessHours(now, p.TurnaroundHours)
		}
		if err := r.Transition(ActCreate, d.event(by, "")); err != nil {
			return err
		}
		if err := d.startRota(tx, &r, lenders); err != nil {
			return err
		}
		if err := AssignNumber(tx, &r); err != nil {
			return err
		}
		return tx.PutRequest(r)
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// Receive records the arrival of a borrowed item: a temporary item is created
// with the scanned barcode, which must not be active on another request.
func (d *BorrowingService) Receive(ref, barcode string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFor(ActReceive), doing(ActReceive)); err != nil {
		return Request{}, err
	}
	barcode = strings.TrimSpace(barcode)
	if err := d.barcodeRule().Check(barcode); err != nil {
		return Request{}, err
	}
	// AcceptItem is asked before the transaction; the request must still
	// await receipt when the change is made.
	var r Request
	err := d.store.View(func(tx Tx) error {
		var err error
		if r, err = resolve(tx, ref); err != nil {
			return err
		}
		// a barcode on another request is refused before the ILS is asked
		return barcodeFree(tx, r, barcode)
	})
	if err != nil {
		return Request{}, err
	}
	var call ilsCall
	if r.Can(ActReceive) {
		if call, _, err = d.ils.callStep(r, ActReceive, barcode); err != nil {
			return Request{}, err
		}
	}
	r, err = d.change(r.ID, func(tx Tx, r *Request) error {
		if err := call.stale(*r, ActReceive); err != nil {
			return err
		}
		if err := d.receive(tx, r, barcode, by); err != nil {
			return err
		}
		return d.ils.record(tx, call, r)
	})
	return r, d.ils.settle(call, err)
}
