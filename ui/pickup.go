package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// Words of the pickup desk's scan bar.
const (
	sameItemAgain    = "Same item read again — ignored."
	checkoutCanceled = "Check-out cancelled; nothing changed."
)

// pendingCheckout is a check-out waiting in the prompt for staff to confirm
// the requester.
type pendingCheckout struct {
	code, selectedID string
	key              time.Time
	request          domain.Request
	dialog           dialog.Dialog
	// confirm is the prompt's default button (Return confirms, Escape cancels).
	confirm *promptButton
}

// promptButton is the prompt's Confirm: Return presses it, Escape cancels,
// and a code a scanner types while it has the focus (characters, then
// Return) is a scan, not a confirmation — a double read of the item must not
// confirm the check-out.
type promptButton struct {
	defaultButton
	typed  []rune
	onScan func(code string)
}

func newPromptButton(label string, tapped func(), onEscape func(), onScan func(string)) *promptButton {
	b := &promptButton{onScan: onScan}
	b.Text, b.OnTapped, b.Importance, b.onEscape = label, tapped, widget.HighImportance, onEscape
	b.ExtendBaseWidget(b)
	return b
}

// TypedRune collects a scanned code.
func (b *promptButton) TypedRune(r rune) { b.typed = append(b.typed, r) }

// TypedKey ends a scanned code on Return; otherwise as defaultButton.
func (b *promptButton) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && len(b.typed) > 0 {
		code := strings.TrimSpace(string(b.typed))
		b.typed = nil
		b.onScan(code)
		return
	}
	b.typed = nil
	b.defaultButton.TypedKey(ev)
}

// pickupGate is this window's gate, made at the first read at a pickup desk.
func (b *ScanBar) pickupGate() *domain.PickupGate {
	if b.gate == nil {
		b.gate = domain.NewPickupGate(domain.ClockFunc(b.desk.Now))
	}
	return b.gate
}

// scanAtPickup handles a code read at a pickup desk: the same item read
// again within a few seconds is ignored; an item goes through the desk with
// the patron whose card was read, and a check-out the patron does not prove
// opens the prompt to confirm the requester; a code that is no item nor
// external identifier may be a patron's card (the patron id of a request on
// this desk's hold shelf), remembered for a minute. Cards are looked for
// only then, so that scanning items never walks the requests.
func (b *ScanBar) scanAtPickup(code string, key time.Time) {
	g := b.pickupGate()
	if g.Repeated(code) {
		// the banner keeps the last scan's result and its Undo
		b.info(sameItemAgain)
		return
	}
	selected := b.selected()
	res, err := b.desk.ScanWith(code, selected, b.actor(), g.Proof())
	if errors.Is(err, domain.ErrUnknownCode) {
		name, ok, perr := b.desk.PatronOnHold(code, b.at)
		if perr != nil {
			err = perr
		} else if ok {
			g.PatronRead(code, name)
			b.info("Patron " + name + " — scan the items to check out.")
			return
		}
	}
	g.ItemRead(code)
	var ref *domain.Refusal
	if errors.Is(err, domain.ErrRequesterUnconfirmed) && errors.As(err, &ref) && len(ref.Candidates) == 1 {
		b.askRequester(&pendingCheckout{code: code, selectedID: selected, key: key, request: ref.Candidates[0]})
		return
	}
	b.scanned(code, res, err, key)
}

// askRequester opens the prompt that confirms the requester of a check-out.
func (b *ScanBar) askRequester(p *pendingCheckout) {
	r := p.request
	who := r.Requester
	if who == "" {
		who = "the requester"
	}
	title := widget.NewLabelWithStyle("Check out to "+who+"?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	ref := r.RequestNumber
	if ref == "" {
		ref = r.Ref()
	}
	what := widget.NewLabel(p.code + " — “" + r.Title + "”, " + ref + ". The patron's card was not scanned: " +
		"confirm that the person at the desk is " + who + ".")
	what.Wrapping = fyne.TextWrapWord
	p.confirm = newPromptButton("Confirm", b.ConfirmCheckout, b.CancelCheckout, b.ScanInPrompt)
	cancel := b.dialogs.button("Cancel", nil, b.CancelCheckout)
	p.dialog = dialog.NewCustomWithoutButtons("Confirm the requester",
		container.NewVBox(title, what, container.NewGridWithColumns(2, cancel, p.confirm)), b.dialogs.win)
	b.pending = p
	b.dialogs.show(p.dialog, fyne.NewSize(480, 220), p.confirm)
	// closed another way (the window's Escape): nothing is checked out
	p.dialog.SetOnClosed(func() {
		if b.pending == p {
			b.pending = nil
			b.info(checkoutCanceled)
		}
	})
}

// ScanInPrompt handles a code scanned while the prompt is open: the
// requester's card confirms; the item read again is ignored; anything else
// leaves the prompt open.
func (b *ScanBar) ScanInPrompt(code string) {
	p := b.pending
	if p == nil {
		return
	}
	switch {
	case code == p.code:
		b.info(sameItemAgain)
	case p.request.PatronID != "" && domain.CheckoutProof{PatronID: code}.Check(p.request, p.code) == nil:
		b.pickupGate().PatronRead(code, p.request.Requester)
		b.ConfirmCheckout()
	default:
		b.info(code + " is not the card of " + p.request.Requester + ": confirm or cancel the check-out of " + p.code + ".")
	}
}

// ConfirmCheckout checks out the item of the open prompt to its requester
// (the prompt's Confirm, or Return).
func (b *ScanBar) ConfirmCheckout() {
	p := b.closePrompt()
	if p == nil {
		return
	}
	proof := b.pickupGate().Proof()
	proof.Confirmed = true
	res, err := b.desk.ScanWith(p.code, p.selectedID, b.actor(), proof)
	b.scanned(p.code, res, err, p.key)
}

// CancelCheckout closes the prompt and checks nothing out (its Cancel, or
// Escape).
func (b *ScanBar) CancelCheckout() {
	if b.closePrompt() == nil {
		return
	}
	b.info(checkoutCanceled)
}

// closePrompt closes the open prompt and returns its check-out, nil when
// none is open.
func (b *ScanBar) closePrompt() *pendingCheckout {
	p := b.pending
	b.pending = nil
	if p != nil {
		p.dialog.Hide()
	}
	return p
}
