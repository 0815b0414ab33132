package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// scanDesk is what the scan bar asks of the desk.
type scanDesk interface {
	Scan(code, selectedID string, by domain.Actor) (domain.ScanResult, error)
	Undo(ref string, by domain.Actor) (domain.Request, error)
	Stations() ([]domain.Station, error)
	// the pickup desk's check-out (pickup.go)
	ScanWith(code, selectedID string, by domain.Actor, proof domain.CheckoutProof) (domain.ScanResult, error)
	PatronOnHold(code string, at domain.Station) (name string, ok bool, err error)
	Now() time.Time
}

// ScanBar is the scan entry and the desk selector: it routes each scanned
// code through the desk, offers Undo of the change the last scan or action
// made, remembers where the workstation stands and traces scans' timing.
type ScanBar struct {
	link
	desk  scanDesk
	prefs fyne.Preferences

	entry      *keyEntry
	deskSelect *widget.Select
	stations   []domain.Station
	at         domain.Station
	lastScan   string // id of the request the last scan or action changed, for Undo
	// trace records the timing of each scan (Options.Trace), or is nil.
	trace *scanTrace

	// selected is the request in the details pane; openCurrent opens the
	// highlighted one (Return on an empty bar).
	selected    func() string
	openCurrent func()
	// changed shows a request a scan has changed; reveal one it selects.
	changed func(domain.Summary)
	reveal  func(domain.Summary)
	// loaded follows the list of desks and where this one stands (the
	// menu bar, the title), when set.
	loaded func()

	// gate remembers the patron and the last item read at a pickup desk;
	// pending is the check-out waiting for staff to confirm the requester
	// (pickup.go).
	gate    *domain.PickupGate
	pending *pendingCheckout
}

func newScanBar(l link, d scanDesk, prefs fyne.Preferences, at domain.Station) *ScanBar {
	b := &ScanBar{link: l, desk: d, prefs: prefs, at: at}
	b.entry = newKeyEntry()
	b.entry.SetPlaceHolder("Scan or type a barcode or external id, then Return")
	b.entry.OnSubmitted = b.SubmitScan
	b.deskSelect = widget.NewSelect(nil, func(label string) {
		for _, st := range b.stations {
			if st.Label() == label && !st.Same(b.at) {
				b.SetStation(st)
				return
			}
		}
	})
	return b
}

// SubmitScan handles a code from the scan bar (a scanner's Return or typed
// Enter): routed by desk and state through the desk; Return with an empty
// bar opens the highlighted request.
func (b *ScanBar) SubmitScan(code string) {
	key := time.Now()
	b.entry.SetText("")
	defer func() {
		if b.pending == nil { // the check-out prompt keeps the focus
			b.focus()
		}
	}()
	code = strings.TrimSpace(code)
	if code == "" {
		b.openCurrent()
		return
	}
	if b.at.Kind == domain.StationPickup {
		b.scanAtPickup(code, key)
		return
	}
	res, err := b.desk.Scan(code, b.selected(), b.actor())
	b.scanned(code, res, err, key)
}

// scanned shows what a scan did, or why it was refused, and offers Undo of
// a change.
func (b *ScanBar) scanned(code string, res domain.ScanResult, err error, key time.Time) {
	committed := time.Now()
	if err != nil {
		if errors.Is(err, domain.ErrStorageUnavailable) {
			b.keep(code)
		}
		b.refuse(err)
		b.traceScan(code, false, key, committed)
		return
	}
	if res.Action != "" {
		b.changed(res.Request.Summary())
	} else {
		b.reveal(res.Request.Summary()) // a code that selects changes nothing
	}
	b.lastScan = ""
	if res.Action != "" {
		b.lastScan = res.Request.ID
	}
	b.announce(res.Message, true, res.Action != "")
	b.traceScan(code, true, key, committed)
}

// keep puts back in the bar a code whose scan was not saved because the
// disk went away, selected: Return scans it again once the database is
// reopened, and the next scan replaces it.
func (b *ScanBar) keep(code string) {
	b.entry.SetText(code)
	b.entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// traceScan records a scan's timing in the trace, if there is one: the
// result banner has just been updated.
func (b *ScanBar) traceScan(code string, ok bool, key, committed time.Time) {
	if b.trace != nil {
		b.trace.record(code, ok, key, committed, time.Now())
	}
}

// UndoLastScan reverses the change the last scan or action made (the banner's Undo).
func (b *ScanBar) UndoLastScan() {
	defer b.focus()
	if b.lastScan == "" {
		return
	}
	r, err := b.desk.Undo(b.lastScan, b.actor())
	b.lastScan = ""
	if err != nil {
		b.refuse(err)
		return
	}
	b.changed(r.Summary())
	b.announce("Undone: "+r.Ref()+" is “"+r.StatusLabel()+"” again.", true, false)
}

// madeChange records the request an action made elsewhere in the window has
// just changed ("" for none), for Undo.
func (b *ScanBar) madeChange(id string) { b.lastScan = id }

func (b *ScanBar) loadStations() {
	st, err := b.desk.Stations()
	if err != nil {
		b.fail(err)
		return
	}
	found := false
	for _, s := range st {
		found = found || s.Same(b.at)
	}
	if !found {
		st = append(st, b.at)
	}
	b.stations = st
	labels := make([]string, len(st))
	for i, s := range st {
		labels[i] = s.Label()
	}
	b.deskSelect.Options = labels
	b.deskSelect.Selected = b.at.Label()
	b.deskSelect.Refresh()
	if b.loaded != nil {
		b.loaded()
	}
}

// SetStation sets where this workstation stands; it is remembered.
func (b *ScanBar) SetStation(st domain.Station) {
	b.at = st
	b.gate = nil // a patron and an item read at one desk are not another's
	b.prefs.SetString(prefDesk, st.String())
	b.loadStations()
	b.info("This workstation is now at the " + st.Label() + ".")
	b.focus()
}

// Station is where this workstation stands.
func (b *ScanBar) Station() domain.Station { return b.at }

// Stations are the desks a workstation may stand at, this one's included.
func (b *ScanBar) Stations() []domain.Station { return b.stations }
