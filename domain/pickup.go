package domain

import (
	"strings"
	"time"
)

// At the pickup desk a check-out goes to the patron in front of the desk:
// in the window the patron's card is scanned first, or staff confirm the
// requester, so that a scanner reading an item twice cannot lend it.

// How long a pickup desk remembers a read.
const (
	// PatronMemory is how long a scanned patron card stands for the
	// patron at the desk.
	PatronMemory = time.Minute
	// RepeatWindow is how soon a second read of the same item counts as
	// the scanner reading it again, and is ignored.
	RepeatWindow = 3 * time.Second
)

// CheckoutProof is what a check-out at the pickup desk goes on besides the
// item's barcode.
type CheckoutProof struct {
	// PatronID is the patron's id as scanned or typed; "" for none.
	PatronID string
	// Confirmed says staff confirmed the requester in the window's prompt.
	Confirmed bool
	// Required makes a check-out without a matching patron id or a
	// confirmation stop with ErrRequesterUnconfirmed (the window asks);
	// the command line checks out without it, as scripts rely on.
	Required bool
}

// Check refuses the check-out of r, whose barcode is code, that the proof
// does not allow: a patron id that is not r's (ErrPatronMismatch), or, when
// proof is required, neither r's patron id nor a confirmation
// (ErrRequesterUnconfirmed, with r as the candidate to confirm).
func (p CheckoutProof) Check(r Request, code string) error {
	id := strings.TrimSpace(p.PatronID)
	if id != "" && samePatron(id, r.PatronID) || p.Confirmed {
		return nil
	}
	who := r.Requester
	if who == "" {
		who = "the requester"
	}
	if p.Required {
		return &Refusal{Kind: ErrRequesterUnconfirmed, Candidates: []Request{r},
			Msg: "Check " + code + " out to " + who + "? Scan the patron's card or confirm the requester."}
	}
	switch {
	case id == "":
		return nil
	case strings.TrimSpace(r.PatronID) == "":
		return refuse(ErrPatronMismatch, "%s is on hold for %s, whose request has no patron id to match %s; nothing changed.", code, who, id)
	}
	return refuse(ErrPatronMismatch, "%s is on hold for %s, not for patron %s; nothing changed.", code, who, id)
}

// samePatron reports whether a scanned patron id is the request's, ignoring
// case and spaces around it.
func samePatron(scanned, requests string) bool {
	requests = strings.TrimSpace(requests)
	return requests != "" && strings.EqualFold(strings.TrimSpace(scanned), requests)
}

// PickupGate is what a pickup desk's scan bar remembers between reads: the
// patron whose card was scanned, for PatronMemory, and the last item read,
// so that the scanner reading it again within RepeatWindow is ignored. A
// patron's card read in between leaves the last item as it is. It is not
// safe for concurrent use; each window keeps its own.
type PickupGate struct {
	clock  Clock
	patron string
	name   string
	seen   time.Time // when the patron's card was read
	item   string
	read   time.Time // when the item was read
}

// NewPickupGate is a gate that remembers nothing yet, telling time by clock.
func NewPickupGate(clock Clock) *PickupGate { return &PickupGate{clock: clock} }

// Repeated reports whether code is the last item read, read again within
// RepeatWindow; the repeat does not start the window again.
func (g *PickupGate) Repeated(code string) bool {
	return g.item != "" && code == g.item && g.clock.Now().Sub(g.read) < RepeatWindow
}

// ItemRead records that code was read as an item.
func (g *PickupGate) ItemRead(code string) { g.item, g.read = code, g.clock.Now() }

// PatronRead records that the card of the patron with the id (the
// requester's name) was read.
func (g *PickupGate) PatronRead(id, name string) {
	g.patron, g.name, g.seen = id, name, g.clock.Now()
}

// Patron is the id and name of the patron whose card was read within
// PatronMemory, or "" when none was.
func (g *PickupGate) Patron() (id, name string) {
	if g.patron == "" || g.clock.Now().Sub(g.seen) >= PatronMemory {
		return "", ""
	}
	return g.patron, g.name
}

// Proof is what the gate knows for a check-out in the window: the
// remembered patron, with proof required.
func (g *PickupGate) Proof() CheckoutProof {
	id, _ := g.Patron()
	return CheckoutProof{PatronID: id, Required: true}
}
