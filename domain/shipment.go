package domain

import (
	"errors"
	"fmt"
)

// Shipment is a scan made ready for one lending request by Prepare: the one
// PDF to send, its preflight report and the SHA-256 of the bytes checked.
// Ship sends exactly those bytes, so what staff saw checked is what leaves.
type Shipment struct {
	// RequestID and Ref name the request (Ref as staff read it).
	RequestID string
	Ref       string
	// Name is what the stored file is named after: the external identifier,
	// or the request id without one.
	Name string
	// File is the PDF to ship: the dropped PDF itself, or the scans combined
	// in the work folder.
	File string
	// Report is the preflight of File, with the request's page and size
	// checks; Report.SHA256 is the SHA-256 Ship expects of File.
	Report PreflightReport
}

// Allowed says whether the shipment may go: nil, or a refusal wrapping
// ErrPreflightRejected (the file failed its check) or ErrNeedsConfirmation
// (it has warnings and acceptWarnings is not set).
func (s Shipment) Allowed(acceptWarnings bool) error {
	switch s.Report.Verdict {
	case VerdictAccept:
		return nil
	case VerdictWarn:
		if acceptWarnings {
			return nil
		}
		return refuse(ErrNeedsConfirmation, "%s Confirm the warning to ship it anyway.", s.Report.Message)
	}
	return refuse(ErrPreflightRejected, "%s Nothing was shipped.", s.Report.Message)
}

// Prepare makes the files staff gave for the lending request named by ref
// into the one PDF to ship (several files, or one page image, are combined
// in order in the work folder) and preflights it, with the request's page
// and size checks. It refuses, before the file is read, an operator who may
// not ship or a request that cannot be shipped now; Ship asks both again
// when the shipment goes.
func (d *Desk) Prepare(ref string, files []string, by Actor) (Shipment, error) {
	var r Request
	var p Partner
	err := d.store.View(func(tx Tx) error {
		if err := allowTx(tx, by, RoleFor(ActShip), doing(ActShip)); err != nil {
			return err
		}
		var err error
		if r, err = resolve(tx, ref); err != nil {
			return err
		}
		if !r.Can(ActShip) {
			return r.Transition(ActShip, Event{})
		}
		p, err = partnerFor(tx, r.Partner)
		return err
	})
	if err != nil {
		return Shipment{}, err
	}
	path, err := d.stageScan(r, files)
	if err != nil {
		return Shipment{}, err
	}
	return Shipment{RequestID: r.ID, Ref: r.Ref(), Name: fileStem(r), File: path, Report: d.CheckFile(r, p, path)}, nil
}

// Ship sends a prepared scan: the file is stored durably in the vault under
// the shipment's name and, in one store transaction, the request moves to
// Shipped Digitally with the file's size, pages and SHA-256, its partner
// message and delivery queued. It refuses a file whose preflight does not
// allow it (see Allowed), a file that is no longer the one checked
// (ErrShipmentChanged), and, as the transaction reads the request, an
// operator who may not ship or a request that cannot be shipped now.
// Whatever refuses, nothing stays in the vault.
func (d *Desk) Ship(s Shipment, acceptWarnings bool, by Actor) (Request, error) {
	if err := s.Allowed(acceptWarnings); err != nil {
		return Request{}, err
	}
	if d.vault == nil {
		return Request{}, errors.New("no file vault is configured")
	}
	// The copy is made outside the transaction: a large file on a network
	// vault would otherwise hold the one writer of the store meanwhile.
	sf, err := d.vault.Put(s.File, s.Name)
	if ref := (*Refusal)(nil); errors.As(err, &ref) {
		return Request{}, err // a full disk or a vault that cannot be written, said for staff
	} else if err != nil {
		return Request{}, fmt.Errorf("could not store the file in the vault: %w", err)
	}
	if sf.SHA256 != s.Report.SHA256 {
		_ = d.vault.Remove(sf.Name)
		return Request{}, refuse(ErrShipmentChanged, "The file %s changed after it was checked, so nothing was shipped: check it again.", s.File)
	}
	sf.Pages = s.Report.Pages
	var out Request
	err = d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, by, RoleFor(ActShip), doing(ActShip)); err != nil {
			return err
		}
		r, err := tx.Request(s.RequestID)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("%s, %d pages, %s", sf.Name, sf.Pages, HumanBytes(sf.Bytes))
		if s.Report.Verdict == VerdictWarn {
			note += "; warning accepted: " + s.Report.Message
		}
		if err := r.Transition(ActShip, d.event(by, note)); err != nil {
			return err
		}
		r.ShippedFile = &sf
		if used, err := tx.Setting(SettingVaultInUse); err != nil {
			return err
		} else if used == "" {
			if err := tx.PutSetting(SettingVaultInUse, "yes"); err != nil {
				return err
			}
		}
		if err := d.shipped(tx, r, sf); err != nil {
			return err
		}
		out = r
		return tx.PutRequest(r)
	})
	if err != nil {
		_ = d.vault.Remove(sf.Name)
		return Request{}, err
	}
	return out, nil
}
