package domain

// Route decides what scanning the barcode of request r at a station does, as
// DESIGN.md's scan table says: the action to apply, or a refusal wrapping
// ErrWrongDesk or ErrWrongState that tells staff where the item belongs.
func Route(at Station, r Request, code string) (Action, error) {
	switch r.Side {
	case Borrowing:
		atPickup := at.Same(Station{Kind: StationPickup, Name: r.Pickup})
		switch r.State {
		case Received:
			if atPickup {
				return ActHoldShelf, nil
			}
			return "", refuse(ErrWrongDesk, "%s is in transit to the pickup desk at %s — scan it in there.", code, r.Pickup)
		case OnHoldShelf:
			if atPickup {
				return ActCheckout, nil
			}
			return "", refuse(ErrWrongDesk, "%s is on the hold shelf at %s — check it out there.", code, r.Pickup)
		case Loaned:
			if at.Kind == StationPickup {
				return ActCheckin, nil
			}
			who := r.Requester
			if who == "" {
				who = "the patron"
			}
			return "", refuse(ErrWrongDesk, "%s is on loan to %s — check it in at a circulation desk.", code, who)
		case ReturnedByPatron:
			if at.Same(RSDesk) && len(r.Lenders) > 0 {
				return ActReturnToLender, nil
			}
			if at.Same(RSDesk) {
				return ActComplete, nil
			}
			return "", refuse(ErrWrongDesk, "%s is already checked in — send it to the RS desk and scan it there to close the request.", code)
		case ShippedToUs:
			if at.Same(RSDesk) {
				return ActReceive, nil
			}
			return "", refuse(ErrWrongDesk, "%s is on its way to us from %s — receive it at the RS desk.", code, r.Partner)
		}
	case Lending:
		if a, err, ok := routeLendBook(at, r, code); ok {
			return a, err
		}
		switch r.State {
		case PickRequested:
			target, _ := ParseStation(r.PickTarget)
			if at.Same(target) {
				return ActPickArrived, nil
			}
			return "", refuse(ErrWrongDesk, "%s was requested to %s — scan it there.", code, target.Label())
		case ItemAtDesk:
			return "", refuse(ErrWrongState, "%s is already at the desk for request %s — ship the scan or reject the request.", code, r.Ref())
		}
	}
	return "", refuse(ErrWrongState, "%s belongs to request %s (%s); scanning it does nothing now.", code, r.Ref(), r.StatusLabel())
}
