package domain

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// LendingService carries out what staff do for a partner's request: record
// it, reject it, have the item picked, combine and check the scan, ship
// it. It holds the vault the shipped files go to, the preflight that
// checks them and the paperwork it makes pick slips and combined scans with.
type LendingService struct {
	*core
	paperwork
	vault     Vault
	preflight Preflighter
	// ils checks a lent book out to the partner in the ILS.
	ils *ILSService
}

// LendingServices are the services a lending request may ask for, as staff
// name them (lend new --service, the window's form): each is an ISO 18626
// service type.
var LendingServices = []string{"copy", "loan", "copy-or-loan"}

// ParseLendingService reads a service staff named (one of LendingServices,
// or "" for none given, which ships a copy) as its ISO 18626 service type.
func ParseLendingService(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return "", nil
	case "copy":
		return "Copy", nil
	case "loan":
		return "Loan", nil
	case "copy-or-loan":
		return "CopyOrLoan", nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a service: use copy, loan or copy-or-loan.", v)
}

// NewLending records a lending request that arrived from a partner; its
// deadline is the arrival plus the partner's turnaround in business hours.
func (d *LendingService) NewLending(in LendingInput, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Creating a lending request"); err != nil {
		return Request{}, err
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.ExternalID == "":
		return Request{}, refuse(ErrInvalidInput, "A lending request needs the partner's request number (external identifier).")
	case len(in.ExternalID) > 128 || strings.ContainsFunc(in.ExternalID, func(r rune) bool { return r < ' ' }):
		return Request{}, refuse(ErrInvalidInput, "The external identifier %q is too long or contains control characters.", in.ExternalID)
	case in.Title == "":
		return Request{}, refuse(ErrInvalidInput, "A request needs a title.")
	}
	if in.ItemBarcode != "" {
		if err := d.barcodeRule().Check(in.ItemBarcode); err != nil {
			return Request{}, err
		}
	}
	for _, e := range in.EResources {
		if strings.TrimSpace(e.Name) == "" || strings.TrimSpace(e.URL) == "" {
			return Request{}, refuse(ErrInvalidInput, "An e-resource needs a name and a link, written NAME=URL.")
		}
	}
	var r Request
	err := d.store.Update(func(tx Tx) error {
		p, err := partnerFor(tx, in.Partner)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		r = Request{ID: d.newID(), Side: Lending, ExternalID: in.ExternalID, Partner: p.Code,
			Format: in.Format, Citation: in.Citation, Holdings: in.Holdings, Created: now,
			Deadline: d.Calendar().AddBusinessHours(now, p.TurnaroundHours), InternalNote: in.Note,
			ServiceType: in.ServiceType, NeededBy: in.NeededBy}
		if err := r.Transition(ActCreate, d.event(by, "")); err != nil {
			return err
		}
		if err := AssignNumber(tx, &r); err != nil {
			return err
		}
		markCreated(tx, r)
		return tx.PutRequest(r)
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// Pick creates a Pick From Shelf request: a move request to the RS desk or a
// digitization request to a digitization department. Scanning the item's
// barcode at that station then records its arrival.
func (d *LendingService) Pick(ref string, to Station, itemBarcode string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFor(ActPick), doing(ActPick)); err != nil {
		return Request{}, err
	}
	if to.Kind != StationRS && (to.Kind != StationDigitization || strings.TrimSpace(to.Name) == "") {
		return Request{}, refuse(ErrInvalidStation, "A pick request goes to the RS desk or a named digitization department, not %s.", to.Label())
	}
	itemBarcode = strings.TrimSpace(itemBarcode)
	return d.change(ref, func(_ Tx, r *Request) error {
		if !r.Can(ActPick) {
			return r.Transition(ActPick, Event{})
		}
		if itemBarcode != "" {
			if err := d.barcodeRule().Check(itemBarcode); err != nil {
				return err
			}
			r.ItemBarcode = itemBarcode
		}
		if r.ItemBarcode == "" {
			return refuse(ErrInvalidInput, "Request %s has no item barcode: give the barcode of the item to pull so it can be scanned at %s.", r.Ref(), to.Label())
		}
		r.PickTarget = to.String()
		return r.Transition(ActPick, d.event(by, fmt.Sprintf("Item %s to %s", r.ItemBarcode, to.Label())))
	})
}

// PickMany creates pick requests for several lending requests to one target,
// each with its own item barcode.
func (d *LendingService) PickMany(refs []string, to Station, by Actor) []BatchResult {
	out := make([]BatchResult, 0, len(refs))
	for _, ref := range refs {
		r, err := d.Pick(ref, to, "", by)
		out = append(out, BatchResult{Ref: ref, Request: r, Err: err})
	}
	return out
}

// CheckFile preflights a file for a request: the PDF check itself, then the
// page count against the requested pages and the size against the partner's limit.
func (d *LendingService) CheckFile(r Request, p Partner, path string) PreflightReport {
	rep := d.preflight.Preflight(path)
	if rep.Verdict == VerdictReject {
		return rep
	}
	var extra []string
	reason := ""
	if want, ok := ExpectedPages(r.Pages); ok && PageCountFar(want, rep.Pages) {
		reason = "page_count"
		extra = append(extra, fmt.Sprintf("It has %d pages but pages %s (%d) were requested — check it is the right scan.", rep.Pages, r.Pages, want))
	}
	if method, _, _ := ParseDelivery(p.Delivery); method == DeliveryEmail && p.MaxFileBytes > 0 && rep.Bytes > p.MaxFileBytes {
		rep.Verdict, rep.Reason = VerdictReject, "too_large"
		rep.Message = fmt.Sprintf("It is %s, over the %s limit that %s accepts by email: scan at a lower resolution or in black and white, or send it another way.",
			HumanBytes(rep.Bytes), HumanBytes(p.MaxFileBytes), p.Code)
		return rep
	}
	if p.MaxFileBytes > 0 && rep.Bytes > p.MaxFileBytes {
		if reason == "" {
			reason = "too_large"
		}
		extra = append(extra, fmt.Sprintf("It is %s, over %s's limit of %s.", HumanBytes(rep.Bytes), p.Code, HumanBytes(p.MaxFileBytes)))
	}
	if len(extra) > 0 {
		if rep.Verdict == VerdictAccept {
			rep.Verdict, rep.Reason, rep.Message = VerdictWarn, reason, ""
		}
		rep.Message = strings.TrimSpace(rep.Message + " " + strings.Join(extra, " "))
	}
	return rep
}

// Reject refuses a lending request with an ISO 18626 reason; Other needs a
// note. The note to the partner travels with the rejection.
func (d *LendingService) Reject(ref string, reason Reason, note, partnerNote string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFor(ActReject), doing(ActReject)); err != nil {
		return Request{}, err
	}
	reason, err := ParseReason(string(reason))
	if err != nil {
		return Request{}, err
	}
	note, partnerNote = strings.TrimSpace(note), strings.TrimSpace(partnerNote)
	if reason == ReasonOther && note == "" && partnerNote == "" {
		return Request{}, refuse(ErrNoteRequired, "Rejecting for “Other” needs a note saying why.")
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		text := "Reason: " + reason.Label()
		for _, s := range []string{note, partnerNote} {
			if s != "" {
				text += ". " + s
			}
		}
		if err := r.Transition(ActReject, d.event(by, text)); err != nil {
			return err
		}
		r.RejectReason = reason
		if partnerNote != "" {
			r.PartnerNote = partnerNote
		}
		r.InternalNote = joinNote(r.InternalNote, note)
		return d.tell(tx, *r, Outgoing{Kind: KindSupplying, Reason: "RequestResponse", Status: "Unfilled",
			ReasonUnfilled: string(reason), Note: partnerNote})
	})
}

// RejectMany rejects several lending requests with one reason and notes.
// Each request is its own change: one that cannot be rejected is reported
// and changes nothing, the others go ahead.
func (d *LendingService) RejectMany(refs []string, reason Reason, note, partnerNote string, by Actor) []BatchResult {
	out := make([]BatchResult, 0, len(refs))
	for _, ref := range refs {
		r, err := d.Reject(ref, reason, note, partnerNote, by)
		out = append(out, BatchResult{Ref: ref, Request: r, Err: err})
	}
	return out
}

// BadCitation returns a lending request to the borrowing library with a note
// saying what to fix (ISO 18626 RetryPossible + NotFoundAsCited).
func (d *LendingService) BadCitation(ref, partnerNote string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFor(ActBadCitation), doing(ActBadCitation)); err != nil {
		return Request{}, err
	}
	partnerNote = strings.TrimSpace(partnerNote)
	if partnerNote == "" {
		return Request{}, refuse(ErrNoteRequired, "A bad citation needs a note to the borrowing library saying what to fix.")
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if err := r.Transition(ActBadCitation, d.event(by, partnerNote)); err != nil {
			return err
		}
		r.PartnerNote = partnerNote
		return d.tell(tx, *r, Outgoing{Kind: KindSupplying, Reason: "RequestResponse", Status: "RetryPossible",
			ReasonRetry: "NotFoundAsCited", Note: partnerNote})
	})
}

// WritePickSlip writes the pick slip of a request that has a pick requested
// and returns the PDF's path, in the work folder's slips folder.
func (d *LendingService) WritePickSlip(ref string) (string, error) {
	return d.WritePickSlipsTo([]string{ref}, "")
}

// pickSlip is what the pick slip of the request named by ref shows; a
// request without a pick request has none (ErrNoPickSlip).
func (d *LendingService) pickSlip(ref string) (Request, PickSlip, error) {
	r, err := d.Find(ref)
	if err != nil {
		return Request{}, PickSlip{}, err
	}
	if r.PickTarget == "" {
		return Request{}, PickSlip{}, refuse(ErrNoPickSlip, "No pick slip for request %s: it has no pick request.", r.Ref())
	}
	to, _ := ParseStation(r.PickTarget)
	kind := "Move request"
	if to.Kind == StationDigitization {
		kind = "Digitization request"
	}
	var requested time.Time
	for _, ev := range r.History {
		if ev.Action == ActPick {
			requested = ev.At
		}
	}
	return r, PickSlip{Kind: kind, To: to.Label(), ExternalID: r.ExternalID, Partner: r.Partner,
		Title: r.Title, ArticleTitle: r.ArticleTitle, Author: r.Author, Volume: r.Volume, Number: r.Number,
		Year: r.Year, Pages: r.Pages, Location: r.Location, CallNumber: r.CallNumber, ItemBarcode: r.ItemBarcode,
		Requested: requested, Deadline: r.Deadline}, nil
}

// WritePickSlips writes the pick slips of several requests into one PDF, in
// the given order, and returns its path.
func (d *LendingService) WritePickSlips(refs []string) (string, error) {
	return d.WritePickSlipsTo(refs, "")
}

// WritePickSlipsTo writes the pick slips of several requests into one PDF
// at out, in the given order, and returns its path; out "" is the work
// folder's slips folder, as WritePickSlips. Every request is found before
// anything is written, so that one without a slip leaves no file behind.
// Each slip is also written on its own into the slips folder, named after
// its request, unless one slip goes to out.
func (d *LendingService) WritePickSlipsTo(refs []string, out string) (string, error) {
	if len(refs) == 0 {
		return "", refuse(ErrInvalidInput, "Mark the requests whose slips you want to print.")
	}
	found := make([]Request, len(refs))
	slips := make([]PickSlip, len(refs))
	for i, ref := range refs {
		var err error
		if found[i], slips[i], err = d.pickSlip(ref); err != nil {
			return "", err
		}
	}
	if len(slips) == 1 && out != "" {
		if d.docs == nil {
			return "", refuse(ErrNoDocuments, "This workstation cannot make PDFs.")
		}
		if err := d.writeSlip(slips[0], out); err != nil {
			return "", err
		}
		return out, nil
	}
	dir, err := d.docsDir("slips")
	if err != nil {
		return "", err
	}
	written := make([]string, len(slips))
	for i, slip := range slips {
		written[i] = filepath.Join(dir, SanitizeFileName(found[i].Ref())+"-slip.pdf")
		if err := d.writeSlip(slip, written[i]); err != nil {
			return "", err
		}
	}
	if len(written) == 1 {
		return written[0], nil
	}
	if out == "" {
		out = filepath.Join(dir, "slips-"+d.clock.Now().Format("20060102-150405")+".pdf")
	}
	if _, err := d.docs.Combine(written, out); err != nil {
		return "", err
	}
	return out, nil
}

// writeSlip writes one pick slip PDF at out.
func (d *LendingService) writeSlip(slip PickSlip, out string) error {
	if err := d.docs.WritePickSlip(slip, out); err != nil {
		return fmt.Errorf("could not write the pick slip: %w", err)
	}
	return nil
}

// Prepare makes the files staff gave for the lending request named by ref
// into the one PDF to ship (several files, or one page image, are combined
// in order in the work folder) and preflights it, with the request's page
// and size checks. It refuses, before the file is read, an operator who may
// not ship or a request that cannot be shipped now; Ship asks both again
// when the shipment goes.
func (d *LendingService) Prepare(ref string, files []string, by Actor) (Shipment, error) {
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
func (d *LendingService) Ship(s Shipment, acceptWarnings bool, by Actor) (Request, error) {
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

// stageScan turns the files staff gave for a request into the one PDF to
// preflight and ship: several files, or one page image, are combined in the
// given order into a new PDF in the work folder. Any other single file is
// used as it is, so that the preflight says what is wrong with one that is
// not a PDF.
func (d *LendingService) stageScan(r Request, files []string) (string, error) {
	switch {
	case len(files) == 0:
		return "", refuse(ErrInvalidInput, "Add the scanned PDF (or the page images) first.")
	case len(files) == 1 && !d.looksLikeImage(files[0]):
		return files[0], nil
	}
	dir, err := d.docsDir("staging")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, fmt.Sprintf("%s-%s.pdf", SanitizeFileName(fileStem(r)), d.clock.Now().Format("20060102-150405.000")))
	if _, err := d.docs.Combine(files, out); err != nil {
		return "", refuse(ErrPreflightRejected, "The files could not be combined into one PDF: %v.", err)
	}
	return out, nil
}
