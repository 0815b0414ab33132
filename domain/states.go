package domain

import "slices"

// State is a request's state code, as stored and shown by the command line.
type State string

// Lending states.
const (
	Created          State = "created"
	PickRequested    State = "pick_requested"
	ItemAtDesk       State = "item_at_desk"
	ShippedDigitally State = "shipped_digitally"
	Rejected         State = "rejected"
	BadCitation      State = "bad_citation"
	Cancelled        State = "cancelled"
)

// Borrowing states (Created and Cancelled are shared with lending).
const (
	Received         State = "received"
	OnHoldShelf      State = "on_hold_shelf"
	Loaned           State = "loaned"
	ReturnedByPatron State = "returned_by_patron"
	Completed        State = "completed"
)

// Action names a transition; it is recorded in the history.
type Action string

// The actions of both workflows.
const (
	ActCreate      Action = "create"
	ActPick        Action = "pick"
	ActPickArrived Action = "pick_arrived"
	ActShip        Action = "ship"
	ActReject      Action = "reject"
	ActBadCitation Action = "bad_citation"
	ActCancel      Action = "cancel"
	ActReceive     Action = "receive"
	ActHoldShelf   Action = "hold_shelf"
	ActCheckout    Action = "checkout"
	ActCheckin     Action = "checkin"
	ActComplete    Action = "complete"
)

// Label is the action's name as shown to staff.
func (a Action) Label() string {
	switch a {
	case ActCreate:
		return "Created"
	case ActPick:
		return "Pick from shelf requested"
	case ActPickArrived:
		return "Item arrived at desk"
	case ActShip:
		return "Shipped digitally"
	case ActReject:
		return "Rejected"
	case ActBadCitation:
		return "Returned as bad citation"
	case ActCancel:
		return "Cancelled"
	case ActReceive:
		return "Received"
	case ActHoldShelf:
		return "Put on hold shelf"
	case ActCheckout:
		return "Checked out to patron"
	case ActCheckin:
		return "Checked in"
	case ActComplete:
		return "Completed"
	case ActUndo:
		return "Undone"
	case ActNotice:
		return "Patron notice"
	case ActMessage:
		return "Partner message"
	case ActLink:
		return "Download link"
	case ActConfigure:
		return "Settings changed"
	case ActLoanToPartner:
		return "Loaned to partner"
	case ActPartnerReturned:
		return "Returned by partner, in transit"
	case ActLoanReturned:
		return "Returned, loan completed"
	}
	if l, ok := lenderActionLabels[a]; ok {
		return l
	}
	return string(a)
}

type move struct {
	from []State
	to   State
}

// machines holds DESIGN.md's two state tables: for each side and action the
// states it may start from and the state it leads to.
var machines = map[Side]map[Action]move{
	Lending: {
		ActCreate:      {from: []State{""}, to: Created},
		ActPick:        {from: []State{Created}, to: PickRequested},
		ActPickArrived: {from: []State{PickRequested}, to: ItemAtDesk},
		ActShip:        {from: []State{Created, PickRequested, ItemAtDesk}, to: ShippedDigitally},
		ActReject:      {from: []State{Created, PickRequested, ItemAtDesk}, to: Rejected},
		ActBadCitation: {from: []State{Created, PickRequested, ItemAtDesk}, to: BadCitation},
		ActCancel:      {from: []State{Created, PickRequested, ItemAtDesk}, to: Cancelled},
		// lending books (returnables): see lendbooks.go
		ActLoanToPartner:   {from: []State{Created, PickRequested, ItemAtDesk}, to: LoanedToPartner},
		ActPartnerReturned: {from: []State{LoanedToPartner}, to: ReturnInTransit},
		ActLoanReturned:    {from: []State{LoanedToPartner, ReturnInTransit}, to: Returned},
	},
	Borrowing: {
		ActCreate:    {from: []State{""}, to: Created},
		ActReceive:   {from: []State{Created, ShippedToUs}, to: Received},
		ActHoldShelf: {from: []State{Received}, to: OnHoldShelf},
		ActCheckout:  {from: []State{OnHoldShelf}, to: Loaned},
		ActCheckin:   {from: []State{Loaned}, to: ReturnedByPatron},
		ActComplete:  {from: []State{ReturnedByPatron}, to: Completed},
		ActCancel:    {from: []State{Created}, to: Cancelled},
		// Borrowing from lenders over ISO 18626 (DESIGN.md).
		ActRequested:       {from: []State{Created}, to: Requested},
		ActNextLender:      {from: []State{Created, Requested, WillSupply, RetryPossible}, to: Requested},
		ActResend:          {from: []State{RetryPossible}, to: Requested},
		ActWillSupply:      {from: []State{Requested, RetryPossible}, to: WillSupply},
		ActLenderLoaned:    {from: []State{Requested, WillSupply, RetryPossible}, to: ShippedToUs},
		ActRetryPossible:   {from: []State{Requested, WillSupply}, to: RetryPossible},
		ActCopyReceived:    {from: []State{Requested, WillSupply, RetryPossible}, to: CopyReceived},
		ActUnfilled:        {from: []State{Created, Requested, WillSupply, RetryPossible}, to: Unfilled},
		ActReturnToLender:  {from: []State{ReturnedByPatron}, to: ReturnedToLender},
		ActLenderCompleted: {from: []State{Requested, WillSupply, ShippedToUs, Received, OnHoldShelf, Loaned, ReturnedByPatron, ReturnedToLender, CopyReceived}, to: Completed},
		ActLenderCancelled: {from: []State{Created, Requested, WillSupply, RetryPossible}, to: Cancelled},
		ActClose:           {from: []State{Requested, WillSupply, RetryPossible, ShippedToUs, ReturnedToLender, CopyReceived}, to: Completed},
		ActCopyDelivered:   {from: []State{CopyReceived}, to: Completed},
	},
}

// States lists a side's states in workflow order.
func States(side Side) []State {
	if side == Borrowing {
		return []State{Created, Received, OnHoldShelf, Loaned, ReturnedByPatron, Completed, Cancelled,
			Requested, WillSupply, ShippedToUs, RetryPossible, CopyReceived, ReturnedToLender, Unfilled}
	}
	return []State{Created, PickRequested, ItemAtDesk, ShippedDigitally, Rejected, BadCitation, Cancelled,
		LoanedToPartner, ReturnInTransit, Returned}
}

// Final reports whether the state ends the request on that side.
func (s State) Final(side Side) bool {
	for _, m := range machines[side] {
		if slices.Contains(m.from, s) {
			return false
		}
	}
	return true
}

// Label is the state's label as DESIGN.md gives it for that side.
func (s State) Label(side Side) string {
	if side == Borrowing {
		switch s {
		case Created:
			return "Created borrowing request"
		case Received:
			return "Received — in transit to pickup"
		case OnHoldShelf:
			return "On hold shelf"
		case Loaned:
			return "Loaned to patron"
		case ReturnedByPatron:
			return "Returned — in transit to RS desk"
		case Completed:
			return "Request completed"
		case Cancelled:
			return "Cancelled"
		}
		if l, ok := lenderStateLabels[s]; ok {
			return l
		}
		return string(s)
	}
	switch s {
	case Created:
		return "Created Lending Request"
	case PickRequested:
		return "Pick From Shelf requested"
	case ItemAtDesk:
		return "Item at desk"
	case ShippedDigitally:
		return "Shipped Digitally"
	case Rejected:
		return "Rejected"
	case BadCitation:
		return "Bad citation"
	case Cancelled:
		return "Cancelled by partner"
	case LoanedToPartner:
		return "Loaned to partner"
	case ReturnInTransit:
		return "Returning from partner"
	case Returned:
		return "Returned"
	}
	return string(s)
}

// ParseState reads a state code of either side.
func ParseState(code string) (State, error) {
	for _, side := range []Side{Lending, Borrowing} {
		for _, s := range States(side) {
			if string(s) == code {
				return s, nil
			}
		}
	}
	return "", refuse(ErrInvalidInput, "%q is not a status code; use one of: created, pick_requested, item_at_desk, shipped_digitally, rejected, bad_citation, cancelled, loaned_to_partner, return_in_transit, returned, received, on_hold_shelf, loaned, returned_by_patron, completed, requested, will_supply, shipped_to_us, retry_possible, copy_received, returned_to_lender, unfilled.", code)
}

// Can reports whether the action is legal for the request in its current state.
func (r Request) Can(a Action) bool { return can(r.Side, r.State, a) && r.serviceAllows(a) }

// Can reports whether the action is legal for the request in its current state.
func (s Summary) Can(a Action) bool { return can(s.Side, s.State, a) }

func can(side Side, state State, a Action) bool {
	m, ok := machines[side][a]
	return ok && slices.Contains(m.from, state)
}

// Transition is the one way a request changes state: it checks the move
// against the side's table, sets the new state and appends the history event.
// An illegal move returns an error wrapping ErrIllegalTransition and leaves r
// unchanged.
//
// ActUndo reverses the last change instead (see Undo).
func (r *Request) Transition(a Action, ev Event) error {
	if a == ActUndo {
		return r.undo(ev)
	}
	m, ok := machines[r.Side][a]
	if !ok || !slices.Contains(m.from, r.State) {
		return &Refusal{Kind: ErrIllegalTransition, Msg: illegalMessage(*r, a)}
	}
	if err := r.serviceRefusal(a); err != nil {
		return err
	}
	ev.From, ev.To, ev.Action = r.State, m.to, a
	r.State = m.to
	r.History = append(r.History, ev)
	return nil
}

func illegalMessage(r Request, a Action) string {
	if _, ok := machines[r.Side][a]; !ok {
		return "“" + a.Label() + "” does not apply to " + string(r.Side) + " requests."
	}
	if r.State.Final(r.Side) {
		return "Request " + r.Ref() + " is already closed (" + r.StatusLabel() + byWhom(r, ", ") + "); nothing more can be done with it."
	}
	by := byWhom(r, "")
	if by != "" {
		by = " (" + by + ")"
	}
	return "Request " + r.Ref() + " is “" + r.StatusLabel() + "”" + by + ": “" + a.Label() + "” is not possible in that state."
}

// byWhom says who brought the request to its state, where and when, after
// sep — what staff at another workstation need when their action comes
// second. It is "" when nobody is recorded.
func byWhom(r Request, sep string) string {
	ev, ok := r.lastChange()
	if !ok || ev.Action == ActCreate || ev.Actor == "" {
		return ""
	}
	out := sep + "by " + ev.Actor
	if st, err := ParseStation(ev.Desk); err == nil && ev.Desk != "" {
		out += " at the " + st.Label()
	}
	if !ev.At.IsZero() {
		out += ", " + ev.At.Format("2006-01-02 15:04")
	}
	return out
}

// ShortLabel is the state's name in a few words, as the request list's
// Status column shows it where the full Label would be cut; the details
// keep the full label.
func (s State) ShortLabel(side Side) string {
	if side == Borrowing {
		switch s {
		case Created:
			return "New"
		case Received:
			return "Received"
		case OnHoldShelf:
			return "On hold shelf"
		case Loaned:
			return "Checked out"
		case ReturnedByPatron:
			return "Returned"
		case Completed:
			return "Completed"
		case Cancelled:
			return "Cancelled"
		case Requested:
			return "Requested"
		case WillSupply:
			return "Will supply"
		case ShippedToUs:
			return "Shipped to us"
		case RetryPossible:
			return "Needs changes"
		case CopyReceived:
			return "Copy received"
		case ReturnedToLender:
			return "Sent back"
		case Unfilled:
			return "Unfilled"
		}
		return string(s)
	}
	switch s {
	case Created:
		return "New"
	case PickRequested:
		return "Pick requested"
	case ItemAtDesk:
		return "At desk"
	case ShippedDigitally:
		return "Shipped"
	case Rejected:
		return "Rejected"
	case BadCitation:
		return "Bad citation"
	case Cancelled:
		return "Cancelled"
	case LoanedToPartner:
		return "On loan"
	case ReturnInTransit:
		return "Returning"
	case Returned:
		return "Returned"
	}
	return string(s)
}
