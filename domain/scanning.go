package domain

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ScanService routes what the scan bar reads, a request's barcode or an
// item's, to the change it means at the station, and finds the scans
// waiting in the scan folder.
type ScanService struct {
	*core
	// folders lists the scan folder.
	folders Folders
	// ils makes the ILS calls of the steps.
	ils *ILSService
}

// Scan routes a scanned or typed code by the station and the state of the
// request that holds it (DESIGN.md's scan table). A code equal to a request's
// external identifier selects it. At the RS desk with a borrowing request
// awaiting receipt selected (selectedID), an unknown barcode receives it.
// Anything else changes nothing and says why.
func (d *ScanService) Scan(code, selectedID string, by Actor) (ScanResult, error) {
	return d.ScanWith(code, selectedID, by, CheckoutProof{})
}

// ScanWith is Scan with what a check-out at the pickup desk goes on: a
// check-out the proof does not allow (CheckoutProof.Check) is refused and
// changes nothing.
func (d *ScanService) ScanWith(code, selectedID string, by Actor, proof CheckoutProof) (ScanResult, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return ScanResult{}, refuse(ErrUnknownCode, "Nothing was scanned.")
	}
	// The ILS is asked first, outside any transaction; the change is then
	// made only if the request is still where it was when it was asked.
	var planned Request
	var plannedAct Action
	err := d.store.View(func(tx Tx) error {
		var err error
		planned, plannedAct, _, err = d.route(tx, code, selectedID, by, proof)
		return err
	})
	if err != nil {
		return ScanResult{}, err
	}
	looked := d.ils.lookUpItem(planned, plannedAct, code)
	call, warn, err := d.ils.callStep(planned, plannedAct, code)
	if err != nil {
		return ScanResult{}, err
	}
	var res ScanResult
	err = d.store.Update(func(tx Tx) error {
		r, a, selected, err := d.route(tx, code, selectedID, by, proof)
		if err != nil {
			return err
		}
		if selected {
			res = ScanResult{Request: r, Message: fmt.Sprintf("Selected %s — “%s” (%s).", r.Ref(), r.Title, r.StatusLabel())}
			return call.stale(r, "")
		}
		if err := call.stale(r, a); err != nil {
			return err
		}
		if err := d.applyScan(tx, &r, a, code, by); err != nil {
			return err
		}
		res = ScanResult{Action: a, Request: r, Message: scanMessage(r, a, code)}
		if a == ActHoldShelf {
			if ils, err := ilsNotifies(tx); err != nil {
				return err
			} else if ils {
				res.Message = holdShelfMessage(r, code)
			}
		}
		for _, s := range []string{looked, warn} {
			if s != "" {
				res.Message += " " + s
			}
		}
		if err := d.ils.record(tx, call, &r); err != nil {
			return err
		}
		res.Request = r
		return tx.PutRequest(r)
	})
	if err = d.ils.settle(call, err); err != nil {
		return ScanResult{}, err
	}
	return res, nil
}

// route finds what a scanned code means at the station: the request and
// the action to apply to it, or (selected) the request whose external
// identifier it is. Staff not allowed the action, and a check-out the
// proof does not allow, are refused here.
func (d *ScanService) route(tx Tx, code, selectedID string, by Actor, proof CheckoutProof) (r Request, a Action, selected bool, err error) {
	r, ok, err := tx.RequestByBarcode(code)
	if err != nil {
		return Request{}, "", false, err
	}
	if ok {
		a, err := Route(by.Station, r, code)
		if err != nil {
			return Request{}, "", false, err
		}
		if a == ActCheckout {
			if err := proof.Check(r, code); err != nil {
				return Request{}, "", false, err
			}
		}
		if err := allowTx(tx, by, RoleFor(a), doing(a)); err != nil {
			return Request{}, "", false, err
		}
		return r, a, false, nil
	}
	if sel, found, err := selectByExternalID(tx, code); err != nil {
		return Request{}, "", false, err
	} else if found {
		return sel, "", true, nil
	}
	if by.Station.Kind == StationRS && selectedID != "" {
		r, err := tx.Request(selectedID)
		if err != nil {
			return Request{}, "", false, err
		}
		if r.Side == Borrowing && (r.State == Created || r.State == ShippedToUs) {
			if err := allowTx(tx, by, RoleFor(ActReceive), doing(ActReceive)); err != nil {
				return Request{}, "", false, err
			}
			if err := d.barcodeRule().Check(code); err != nil {
				return Request{}, "", false, err
			}
			return r, ActReceive, false, nil
		}
	}
	return Request{}, "", false, refuse(ErrUnknownCode, "%s is not the barcode of an item in process nor a request's external identifier; nothing changed.", code)
}

func (d *ScanService) applyScan(tx Tx, r *Request, a Action, code string, by Actor) error {
	now := d.clock.Now()
	note := ""
	switch a {
	case ActHoldShelf:
		r.HoldUntil = now.AddDate(0, 0, DefaultHoldShelfDays)
		// The notice is queued in this same transaction: if the scan fails,
		// no notice exists; if queueing fails, the scan is not recorded.
		var err error
		if note, err = d.queuePickupNotice(tx, *r); err != nil {
			return err
		}
	case ActCheckout:
		p, err := partnerFor(tx, r.Partner)
		if err != nil {
			return err
		}
		r.DueDate = now.AddDate(0, 0, p.LoanPeriodDays)
		note = "Due " + r.DueDate.Format(DateLayout)
	case ActComplete, ActReturnToLender:
		note = "Temporary item " + code + " deleted"
	case ActReceive:
		// the lender's item id scanned: it becomes the temporary item
		return d.receive(tx, r, code, by)
	case ActLoanToPartner, ActLoanReturned:
		return d.lendBookScan(tx, r, a, by)
	}
	if err := r.Transition(a, d.event(by, note)); err != nil {
		return err
	}
	if a == ActComplete || a == ActReturnToLender {
		return d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "ShippedReturn"})
	}
	return nil
}

// PatronOnHold tells whether code is the patron id of a request on the
// hold shelf of the pickup desk at, and the requester's name: a patron's
// card scanned at the desk. An item's active barcode is never a patron's.
func (d *ScanService) PatronOnHold(code string, at Station) (name string, ok bool, err error) {
	code = strings.TrimSpace(code)
	if code == "" || at.Kind != StationPickup {
		return "", false, nil
	}
	var item bool
	if err := d.store.View(func(tx Tx) error { var err error; _, item, err = tx.RequestByBarcode(code); return err }); err != nil || item {
		return "", false, err
	}
	var held []string
	if err := d.summariesWhere(Filter{Side: Borrowing, State: OnHoldShelf}, func(s Summary) error {
		if at.Same(Station{Kind: StationPickup, Name: s.Pickup}) {
			held = append(held, s.ID)
		}
		return nil
	}); err != nil {
		return "", false, err
	}
	err = d.store.View(func(tx Tx) error {
		for _, id := range held {
			r, err := tx.Request(id)
			if errors.Is(err, ErrNotFound) {
				continue // deleted meanwhile
			} else if err != nil {
				return err
			}
			if samePatron(code, r.PatronID) {
				name, ok = r.Requester, true
				return nil
			}
		}
		return nil
	})
	return name, ok, err
}

// WaitingScans lists the PDFs in the scan folder dir whose name (without
// .pdf) is the external identifier of a request that can still be shipped.
func (d *ScanService) WaitingScans(dir string, rs []Summary) ([]WaitingScan, error) {
	if dir == "" {
		return nil, nil
	}
	if d.folders == nil {
		return nil, errNoFolders
	}
	names, err := d.folders.Files(dir)
	if err != nil {
		return nil, refuse(ErrInvalidInput, "The scan folder %s cannot be read: %v.", dir, err)
	}
	byName := map[string]string{}
	for _, r := range rs {
		if r.ExternalID != "" && r.Can(ActShip) {
			byName[scanNameKey(SanitizeFileName(r.ExternalID))] = r.ID
		}
	}
	var out []WaitingScan
	for _, name := range names {
		if !strings.EqualFold(filepath.Ext(name), ".pdf") {
			continue
		}
		if id, ok := byName[scanNameKey(strings.TrimSuffix(name, filepath.Ext(name)))]; ok {
			out = append(out, WaitingScan{RequestID: id, Path: filepath.Join(dir, name)})
		}
	}
	return out, nil
}
