package domain

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Borrowing states of a request sent to lenders over ISO 18626 (DESIGN.md,
// "Borrowing from partners over ISO 18626").
const (
	Requested        State = "requested"
	WillSupply       State = "will_supply"
	ShippedToUs      State = "shipped_to_us"
	RetryPossible    State = "retry_possible"
	CopyReceived     State = "copy_received"
	ReturnedToLender State = "returned_to_lender"
	Unfilled         State = "unfilled"
)

// Actions of borrowing from lenders over ISO 18626.
const (
	ActRequested       Action = "requested"
	ActNextLender      Action = "next_lender"
	ActResend          Action = "resend"
	ActWillSupply      Action = "will_supply"
	ActLenderLoaned    Action = "lender_loaned"
	ActRetryPossible   Action = "retry_possible"
	ActCopyReceived    Action = "copy_received"
	ActUnfilled        Action = "unfilled"
	ActReturnToLender  Action = "return_to_lender"
	ActLenderCompleted Action = "lender_completed"
	ActLenderCancelled Action = "lender_cancelled"
	ActClose           Action = "close"
)

// withLender reports whether a change is one a lender's message made, or
// our Retry: the lender knows of it, so staff cannot undo it.
func withLender(a Action) bool {
	switch a {
	case ActRequested, ActNextLender, ActResend, ActWillSupply, ActLenderLoaned, ActRetryPossible, ActCopyReceived,
		ActUnfilled, ActLenderCompleted, ActLenderCancelled, ActCopyDelivered:
		return true
	}
	return false
}

var lenderStateLabels = map[State]string{
	Requested:        "Requested from lender",
	WillSupply:       "Will supply",
	ShippedToUs:      "Shipped to us",
	RetryPossible:    "Lender asks for changes",
	CopyReceived:     "Copy received",
	ReturnedToLender: "Returned to lender",
	Unfilled:         "Unfilled",
}

var lenderActionLabels = map[Action]string{
	ActRequested:       "Request confirmed by lender",
	ActNextLender:      "Requested from next lender",
	ActResend:          "Resent with corrections",
	ActWillSupply:      "Lender will supply",
	ActLenderLoaned:    "Lender shipped the item",
	ActRetryPossible:   "Lender asks for changes",
	ActCopyReceived:    "Copy received",
	ActUnfilled:        "Unfilled by every lender",
	ActReturnToLender:  "Returned to lender",
	ActLenderCompleted: "Completed by lender",
	ActLenderCancelled: "Cancelled by lender",
	ActClose:           "Closed by hand",
	ActCopyDelivered:   "Copy delivered to the patron",
}

// lenderLabel is a state's label, naming the lender of a requested one
// ("Requested from PARTNER").
func lenderLabel(side Side, s State, partner string) string {
	if side == Borrowing && s == Requested && partner != "" {
		return "Requested from " + partner
	}
	return s.Label(side)
}

// Flags a lender puts on a borrowing request.
const (
	FlagOverdue  = "overdue"
	FlagRecalled = "recalled"
)

// FlaggedLabel is a status label with the lender's flags, as lists show
// it: "Loaned to patron — overdue, recalled". Empty flags are skipped.
func FlaggedLabel(label string, flags ...string) string {
	var set []string
	for _, f := range flags {
		if f = strings.TrimSpace(f); f != "" {
			set = append(set, f)
		}
	}
	if len(set) == 0 {
		return label
	}
	return label + " — " + strings.Join(set, ", ")
}

// Notice kinds of borrowing from lenders.
const (
	// NoticeUnfilled tells the patron that no lender could supply.
	NoticeUnfilled = "unfilled"
	// NoticeRecalled asks the patron to bring a recalled item back.
	NoticeRecalled = "recalled"
)

// noticeName is how the history names a notice of the kind.
func noticeName(kind string) string {
	switch kind {
	case NoticeUnfilled:
		return "Unfilled notice"
	case NoticeRecalled:
		return "Recall notice"
	case NoticeCopyLink:
		return "Download link notice"
	}
	return "Ready-for-pickup notice"
}

// Setting keys of the Request we send lenders.
const (
	// SettingLibraryName is our name as requesting agency.
	SettingLibraryName = "library_name"
	// SettingLibraryEmail is where lenders deliver copies to us.
	SettingLibraryEmail = "library_email"
	// SettingPickupAddress, followed by a pickup location, is that
	// library's postal address, where lenders ship books.
	SettingPickupAddress = "pickup_address:"
	// SettingSendPatronID, "on", sends the patron id to lenders.
	SettingSendPatronID = "send_patron_id"
)

// ShippedReturnWait is how many business days after our ShippedReturn a
// missing LoanCompleted needs attention.
const ShippedReturnWait = 5

// LenderAttempt is one try with one lender of the rota: the requesting
// agency request id it is known by and what the lender answered last.
type LenderAttempt struct {
	Partner   string `json:"partner"`
	RequestID string `json:"request_id"`
	// Outcome is "sent", "requested" (confirmed) or the lender's last status.
	Outcome string `json:"outcome"`
	// SupplyingRequestID is the lender's own id for the attempt.
	SupplyingRequestID string `json:"supplying_request_id,omitempty"`
	// Note is the lender's reason and note of a RetryPossible or Unfilled.
	Note string `json:"note,omitempty"`
}

// attemptID is the requesting agency request id of a request's n-th attempt.
func attemptID(id string, n int) string { return id + "-" + strconv.Itoa(n) }

// requestingID is the id our messages about r carry: the current attempt's
// when r was sent to a rota, else the request's own.
func (r Request) requestingID() string {
	if n := len(r.Lenders); n > 0 {
		return r.Lenders[n-1].RequestID
	}
	return r.ID
}

// supplyingID is the lender's id for the current attempt, as far as known.
func (r Request) supplyingID() string {
	if n := len(r.Lenders); n > 0 {
		return r.Lenders[n-1].SupplyingRequestID
	}
	return r.ExternalID
}

// CurrentLender is the partner of the current attempt, "" when the request
// was not sent to a rota.
func (r Request) CurrentLender() string {
	if n := len(r.Lenders); n > 0 {
		return r.Lenders[n-1].Partner
	}
	return ""
}

// ServiceFor is the ISO 18626 service of a new borrowing request: what staff
// chose ("copy" or "loan"), else Copy when an article or pages are named.
func ServiceFor(choice string, c Citation) (string, error) {
	switch strings.ToLower(strings.TrimSpace(choice)) {
	case "copy":
		return "Copy", nil
	case "loan":
		return "Loan", nil
	case "":
		if strings.TrimSpace(c.ArticleTitle) != "" || strings.TrimSpace(c.Pages) != "" {
			return "Copy", nil
		}
		return "Loan", nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a service: use copy or loan.", choice)
}

// rota loads the lenders of a new borrowing request in order: more than
// one must all speak ISO 18626, and none may be named twice.
func rota(tx Tx, codes []string) ([]Partner, error) {
	var out []Partner
	for _, c := range codes {
		p, err := partnerFor(tx, c)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(q Partner) bool { return q.Code == p.Code }) {
			return nil, refuse(ErrInvalidInput, "Partner %s is named twice; each lender is asked once.", p.Code)
		}
		out = append(out, p)
	}
	if len(out) > 1 {
		for _, p := range out {
			if p.ISOEndpoint == "" || p.AgencyID == "" {
				return nil, refuse(ErrInvalidInput, "Partner %s has no ISO 18626 endpoint: a request to several lenders needs each to have one (or name only %s).", p.Code, p.Code)
			}
		}
	}
	return out, nil
}

// requestMessage is the Request (or, with previous, the Retry) asking r's
// current lender, with what lenders need to supply and deliver.
func requestMessage(tx Tx, r Request, previous string) (Outgoing, error) {
	out := Outgoing{Kind: KindRequest, Citation: r.Citation, ServiceType: r.ServiceType, Note: r.PartnerNote,
		RequestType: "New", NeedBefore: r.NeededBy}
	if out.ServiceType == "" {
		out.ServiceType = "Loan"
	}
	if previous != "" {
		out.RequestType, out.PreviousRequestID = "Retry", previous
	}
	var err error
	get := func(key string) string {
		v, e := tx.Setting(key)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	out.RequesterName = get(SettingLibraryName)
	out.RequesterAddress = get(SettingPublicURL)
	if out.ServiceType == "Copy" {
		out.DeliveryEmail = get(SettingLibraryEmail)
	} else if addr := get(SettingPickupAddress + r.Pickup); addr != "" {
		out.DeliveryName, out.DeliveryAddress = r.Pickup, addr
	}
	if get(SettingSendPatronID) == "on" {
		out.PatronID = r.PatronID
	}
	return out, err
}

// startRota records the first attempt of a new borrowing request whose
// first lender speaks ISO 18626, and queues its Request.
func (d *core) startRota(tx Tx, r *Request, lenders []Partner) error {
	p := lenders[0]
	if p.ISOEndpoint != "" {
		for _, l := range lenders {
			r.Rota = append(r.Rota, l.Code)
		}
		r.Lenders = []LenderAttempt{{Partner: p.Code, RequestID: attemptID(r.ID, 1), Outcome: "sent"}}
	}
	out, err := requestMessage(tx, *r, "")
	if err != nil {
		return err
	}
	return d.queueMessage(tx, *r, p, out)
}

// BorrowingMessageService handles what lenders send for our borrowing
// requests: their ISO 18626 answers, and the copies they send links to,
// which it fetches, preflights and stores for delivery to the patron.
type BorrowingMessageService struct {
	*core
	// vault keeps the copies fetched or attached.
	vault Vault
	// preflight checks and fetcher fetches the copies lenders send links to.
	preflight Preflighter
	fetcher   CopyFetcher
}

// requestConfirmed moves a borrowing request to requested once its lender
// confirmed our Request (or Retry) OK.
func requestConfirmed(store Store, clock Clock, m OutboxMessage) error {
	if m.Kind != KindRequest {
		return nil
	}
	return store.Update(func(tx Tx) error {
		r, err := tx.Request(m.RequestID)
		if err != nil {
			return err
		}
		if r.Side != Borrowing || len(r.Lenders) == 0 || r.Partner != m.Partner {
			return nil
		}
		a := &r.Lenders[len(r.Lenders)-1]
		if a.Outcome == "sent" {
			a.Outcome = "requested"
		}
		if !r.Can(ActRequested) {
			return tx.PutRequest(r)
		}
		if err := r.Transition(ActRequested, Event{At: clock.Now(), Actor: m.Partner, Desk: "interop",
			Note: "Request " + a.RequestID + " confirmed by " + m.Partner}); err != nil {
			return err
		}
		return tx.PutRequest(r)
	})
}

// borrowingFor finds the borrowing request a supplying agency message
// answers, and the attempt it names (-1 for a request never sent to a rota).
func borrowingFor(tx Tx, p Partner, id string) (Request, int, bool, error) {
	if base, _, ok := cutAttempt(id); ok {
		r, err := tx.Request(base)
		if err == nil && r.Side == Borrowing {
			for i, a := range r.Lenders {
				if a.RequestID == id && a.Partner == p.Code {
					return r, i, true, nil
				}
			}
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return Request{}, 0, false, err
		}
	}
	r, ok, err := requestFor(tx, p, Borrowing, id)
	if err != nil || !ok {
		return r, 0, ok, err
	}
	if len(r.Lenders) > 0 {
		return Request{}, 0, false, nil // a rota's request is known by its attempts' ids only
	}
	return r, -1, true, nil
}

// cutAttempt splits an attempt id into the request id and attempt number.
func cutAttempt(id string) (string, int, bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return id[:i], n, true
}

// applyLenderMessage applies a lender's supplying agency message to the
// attempt it answers, as DESIGN.md's table says. An answer to an earlier
// attempt, or one that repeats what the attempt already reported, is noted
// and changes nothing.
func (d *BorrowingMessageService) applyLenderMessage(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	p, known, err := knownAgency(tx, in.From)
	if err != nil || !known {
		return problemf("UnrecognisedDataValue", "The supplying agency %q is not one of our partners.", shorten(in.From, MaxAgencyIDLength))
	}
	r, idx, ok, err := borrowingFor(tx, p, in.RequestingRequestID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	if !ok {
		return problemf("UnrecognisedDataValue", "We have no borrowing request %s with %s.", in.RequestingRequestID, p.Code)
	}
	now := d.clock.Now()
	ev := Event{At: now, Actor: p.Code, Desk: "interop", Note: lenderNote(in)}
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref()}
	if idx >= 0 && idx != len(r.Lenders)-1 {
		ev.Note = "Late answer to the earlier attempt " + in.RequestingRequestID + ": " + ev.Note + "; nothing changed"
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%q: %s answered an earlier attempt (%q); nothing changed.", r.Ref(), p.Code, in.Status)
		return res, nil, tx.PutRequest(r)
	}
	var a *LenderAttempt
	if idx >= 0 {
		a = &r.Lenders[idx]
		if in.SupplyingRequestID != "" {
			a.SupplyingRequestID = in.SupplyingRequestID
		}
	} else if in.SupplyingRequestID != "" && r.ExternalID == "" {
		r.ExternalID = in.SupplyingRequestID
	}
	// A lender's answer is as good as the confirmation of our Request.
	if r.Can(ActRequested) && in.Reason != "Notification" && (a != nil || in.Status != "") {
		if err := r.Transition(ActRequested, Event{At: now, Actor: p.Code, Desk: "interop", Note: "Answered by " + p.Code}); err != nil {
			return ImportResult{}, nil, err
		}
		if a != nil && a.Outcome == "sent" {
			a.Outcome = "requested"
		}
	}
	before := r.StatusLabel()
	changed, err := d.applyLenderStatus(tx, &r, a, in, ev)
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch {
	case changed && r.StatusLabel() != before:
		res.Outcome = fmt.Sprintf("%q: %s reports %q; now %s.", r.Ref(), p.Code, statusOrReason(in), r.StatusLabel())
	case changed:
		res.Outcome = fmt.Sprintf("%q: %s reports %q.", r.Ref(), p.Code, statusOrReason(in))
	default:
		res.Outcome = fmt.Sprintf("%q: %s reports %q; nothing changed.", r.Ref(), p.Code, statusOrReason(in))
	}
	return res, nil, tx.PutRequest(r)
}

func statusOrReason(in Incoming) string {
	if in.Status != "" {
		return in.Status
	}
	return in.Reason
}

// lenderNote is a lender's message as its history line shows it.
func lenderNote(in Incoming) string {
	note := strings.TrimSpace(in.Reason + " / " + in.Status)
	if in.AnswerYesNo != "" {
		note += " (answer " + in.AnswerYesNo + ")"
	}
	if in.ReasonUnfilled != "" {
		note += " (" + in.ReasonUnfilled + ")"
	}
	if in.ReasonRetry != "" {
		note += " (" + in.ReasonRetry + ")"
	}
	if !in.DueDate.IsZero() {
		note += "; due " + in.DueDate.Format(DateLayout)
	}
	if in.ItemID != "" && in.ItemID != in.DeliveryURL { // a link is said once
		note += "; item " + in.ItemID
	}
	if in.Note != "" {
		note += ": " + in.Note
	}
	if in.DeliveryURL != "" {
		note += " — " + in.DeliveryURL
	}
	return note
}

// applyLenderStatus moves r as the lender's message says; a is the current
// attempt (nil for a request never sent to a rota). changed is false when
// the message repeats what is known and was only noted.
func (d *BorrowingMessageService) applyLenderStatus(tx Tx, r *Request, a *LenderAttempt, in Incoming, ev Event) (bool, error) {
	outcome := func(s string) {
		if a != nil {
			a.Outcome = s
		}
	}
	move := func(act Action) (bool, error) {
		if !r.Can(act) {
			recordEvent(r, ActMessage, ev)
			return false, nil
		}
		outcome(in.Status)
		return true, r.Transition(act, ev)
	}
	switch in.Reason {
	case "Notification":
		recordEvent(r, ActMessage, ev)
		return true, nil
	case "CancelResponse":
		if strings.EqualFold(in.AnswerYesNo, "Y") {
			changed, err := move(ActLenderCancelled)
			if changed {
				outcome("Cancelled") // whatever status the answer carries
			}
			return changed, err
		}
		ev.Note = "The lender refused to cancel: " + ev.Note
		recordEvent(r, ActMessage, ev)
		return true, nil
	case "RenewResponse":
		if strings.EqualFold(in.AnswerYesNo, "Y") && !in.DueDate.IsZero() {
			if in.DueDate.Equal(r.LenderDueDate) {
				recordEvent(r, ActMessage, ev)
				return false, nil
			}
			r.LenderDueDate = in.DueDate
			r.Flags = slices.DeleteFunc(r.Flags, func(f string) bool { return f == FlagOverdue })
			ev.Note = "Renewed by the lender until " + in.DueDate.Format(DateLayout) + ": " + ev.Note
		} else {
			ev.Note = "The lender refused to renew: " + ev.Note
		}
		recordEvent(r, ActMessage, ev)
		return true, nil
	}
	switch in.Status {
	case "RequestReceived":
		recordEvent(r, ActMessage, ev)
		return true, nil
	case "ExpectToSupply", "WillSupply":
		return move(ActWillSupply)
	case "Loaned":
		if !r.Can(ActLenderLoaned) {
			recordEvent(r, ActMessage, ev)
			return false, nil
		}
		r.LenderDueDate, r.LenderItemID = in.DueDate, strings.TrimSpace(in.ItemID)
		if r.LenderItemID != "" {
			// the lender's item id finds the request when scanned, unless
			// the code is already another item's
			if _, used, err := tx.RequestByBarcode(r.LenderItemID); err != nil {
				return false, err
			} else if !used {
				r.ItemBarcode = r.LenderItemID
			}
		}
		return move(ActLenderLoaned)
	case "Overdue", "Recalled":
		flag := strings.ToLower(in.Status)
		if slices.Contains(r.Flags, flag) || !r.Active() {
			recordEvent(r, ActMessage, ev)
			return false, nil
		}
		r.Flags = append(r.Flags, flag)
		if !in.DueDate.IsZero() {
			r.LenderDueDate = in.DueDate
		}
		if flag == FlagRecalled {
			note, err := d.queuePatronNotice(tx, *r, NoticeRecalled)
			if err != nil {
				return false, err
			}
			ev.Note += "; " + note
		}
		recordEvent(r, ActMessage, ev)
		return true, nil
	case "RetryPossible":
		if a != nil && r.Can(ActRetryPossible) {
			a.Note = strings.TrimSpace(strings.Trim(in.ReasonRetry+": "+in.Note, ": "))
		}
		return move(ActRetryPossible)
	case "Unfilled":
		return d.lenderUnfilled(tx, r, a, in, ev)
	case "CopyCompleted":
		if r.Can(ActCopyReceived) {
			copyReceived(tx, r, in.DeliveryURL, ev.At)
		}
		return move(ActCopyReceived)
	case "LoanCompleted", "CompletedWithoutReturn":
		return move(ActLenderCompleted)
	case "Cancelled":
		return move(ActLenderCancelled)
	}
	recordEvent(r, ActMessage, ev)
	return true, nil
}

// lenderUnfilled moves r on to the next lender of its rota with a new
// attempt, or, after the last, to unfilled with the patron told.
func (d *BorrowingMessageService) lenderUnfilled(tx Tx, r *Request, a *LenderAttempt, in Incoming, ev Event) (bool, error) {
	if !r.Can(ActUnfilled) {
		recordEvent(r, ActMessage, ev)
		return false, nil
	}
	if a != nil {
		a.Outcome = "Unfilled"
		a.Note = strings.TrimSpace(strings.Trim(in.ReasonUnfilled+": "+in.Note, ": "))
		if n := len(r.Lenders); n < len(r.Rota) {
			next, err := tx.Partner(r.Rota[n])
			if err != nil {
				return false, err
			}
			r.Lenders = append(r.Lenders, LenderAttempt{Partner: next.Code, RequestID: attemptID(r.ID, n+1), Outcome: "sent"})
			r.Partner = next.Code
			r.LenderDeadline = d.Calendar().AddBusinessHours(ev.At, next.TurnaroundHours)
			ev.Note += "; asking " + next.Code + " next"
			if err := r.Transition(ActNextLender, ev); err != nil {
				return false, err
			}
			out, err := requestMessage(tx, *r, "")
			if err != nil {
				return false, err
			}
			return true, d.queueMessage(tx, *r, next, out)
		}
	}
	note, err := d.queuePatronNotice(tx, *r, NoticeUnfilled)
	if err != nil {
		return false, err
	}
	ev.Note += "; " + note
	return true, r.Transition(ActUnfilled, ev)
}

// queuePatronNotice queues an unfilled or recall notice for r's patron and
// returns the history note; without a usable address it tells staff to call.
func (d *core) queuePatronNotice(tx Tx, r Request, kind string) (string, error) {
	what := "say no library could supply the item"
	if kind == NoticeRecalled {
		what = "ask for the item back (recalled by the lender)"
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(r.RequesterEmail))
	if err != nil {
		return "no usable email address on file — call " + patronName(r) + " to " + what, nil
	}
	ms, err := mailSettings(tx)
	if err != nil {
		return "", err
	}
	title := r.Title
	if r.ArticleTitle != "" {
		title = r.ArticleTitle
	}
	var subject, body string
	if kind == NoticeRecalled {
		subject = "Please return “" + title + "”"
		body = fmt.Sprintf("Dear %s,\n\nthe library that lent us “%s” has recalled it. Please return it to %s as soon as you can.\n\n%s\n",
			patronName(r), title, r.Pickup, ms.LibraryName())
	} else {
		subject = "Your request for “" + title + "”"
		body = fmt.Sprintf("Dear %s,\n\nwe are sorry: none of the libraries we asked could supply “%s”. Please contact us if you would like us to try elsewhere.\n\n%s\n",
			patronName(r), title, ms.LibraryName())
	}
	now := d.clock.Now()
	n := Notice{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Kind: kind, To: addr.Address, ToName: r.Requester,
		Subject: subject, Body: body, Created: now, Status: NoticeQueued, NextTry: now}
	if err := tx.PutNotice(n); err != nil {
		return "", err
	}
	markQueued(tx)
	return kind + " notice queued for " + addr.Address, nil
}

// askCancel sends a sent request's lender our Cancel instead of cancelling
// at once: the lender's CancelResponse decides. asked is false when r is
// not waiting on a lender.
func (d *core) askCancel(tx Tx, r *Request, note string, by Actor) (asked bool, err error) {
	if r.Side != Borrowing || len(r.Lenders) == 0 {
		return false, nil
	}
	switch r.State {
	case Requested, WillSupply, RetryPossible:
	default:
		return false, nil
	}
	recordEvent(r, ActMessage, d.event(by, strings.TrimSpace("Cancel asked of "+r.Partner+"; waiting for the answer. "+note)))
	return true, d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "Cancel", Note: note})
}

// sentToLender refuses an action that needs a request sent to a lender
// over ISO 18626.
func sentToLender(r Request, what string) error {
	if r.Side != Borrowing || len(r.Lenders) == 0 {
		return refuse(ErrInvalidInput, "%s needs a borrowing request sent to a lender over ISO 18626; %s is not.", what, r.Ref())
	}
	if !r.Active() {
		return refuse(ErrIllegalTransition, "Request %s is already closed (%s).", r.Ref(), r.StatusLabel())
	}
	return nil
}

// Renew asks the lender of a borrowed item for a longer loan; the lender's
// RenewResponse sets the new due date.
func (d *BorrowingService) Renew(ref string, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Renewing a loan"); err != nil {
		return Request{}, err
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if err := sentToLender(*r, "Renewing"); err != nil {
			return err
		}
		switch r.State {
		case ShippedToUs, Received, OnHoldShelf, Loaned:
		default:
			return refuse(ErrIllegalTransition, "Request %s is “%s”: only a borrowed item can be renewed.", r.Ref(), r.StatusLabel())
		}
		recordEvent(r, ActMessage, d.event(by, "Renewal asked of "+r.Partner))
		return d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "Renew"})
	})
}

// StatusRequest asks the current lender where the request stands.
func (d *BorrowingService) StatusRequest(ref string, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Asking a lender for the status"); err != nil {
		return Request{}, err
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if err := sentToLender(*r, "Asking for the status"); err != nil {
			return err
		}
		recordEvent(r, ActMessage, d.event(by, "Status asked of "+r.Partner))
		return d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "StatusRequest"})
	})
}

// Resend corrects the citation of a request the lender asked changes for
// (fix: the fields staff give; empty ones stay) and sends the lender a
// Retry naming the previous attempt, as a new attempt.
func (d *BorrowingService) Resend(ref string, fix Citation, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Resending a request"); err != nil {
		return Request{}, err
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if err := sentToLender(*r, "Resending"); err != nil {
			return err
		}
		if !r.Can(ActResend) {
			return r.Transition(ActResend, Event{})
		}
		p, err := tx.Partner(r.Partner)
		if err != nil {
			return err
		}
		mergeCitation(&r.Citation, fix)
		prev := r.requestingID()
		n := len(r.Lenders) + 1
		r.Lenders = append(r.Lenders, LenderAttempt{Partner: p.Code, RequestID: attemptID(r.ID, n), Outcome: "sent"})
		r.LenderDeadline = d.Calendar().AddBusinessHours(d.clock.Now(), p.TurnaroundHours)
		if err := r.Transition(ActResend, d.event(by, "Retry "+attemptID(r.ID, n)+" of "+prev+" sent to "+p.Code)); err != nil {
			return err
		}
		out, err := requestMessage(tx, *r, prev)
		if err != nil {
			return err
		}
		return d.queueMessage(tx, *r, p, out)
	})
}

// mergeCitation puts the non-empty fields of fix into c.
func mergeCitation(c *Citation, fix Citation) {
	set := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	set(&c.Title, fix.Title)
	set(&c.ArticleTitle, fix.ArticleTitle)
	set(&c.Author, fix.Author)
	set(&c.Journal, fix.Journal)
	set(&c.Volume, fix.Volume)
	set(&c.Number, fix.Number)
	set(&c.Year, fix.Year)
	set(&c.Pages, fix.Pages)
	set(&c.ISSN, fix.ISSN)
	set(&c.ISBN, fix.ISBN)
	set(&c.DOI, fix.DOI)
	set(&c.OCLC, fix.OCLC)
}

// Close ends by hand a request whose lender's Loaned or LoanCompleted never
// came; the note says why.
func (d *BorrowingService) Close(ref, note string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFulfillment, "Closing a request by hand"); err != nil {
		return Request{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Request{}, refuse(ErrInvalidInput, "Say why the request is closed by hand (a note).")
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if err := sentToLender(*r, "Closing by hand"); err != nil {
			return err
		}
		if err := r.Transition(ActClose, d.event(by, note)); err != nil {
			return err
		}
		r.InternalNote = joinNote(r.InternalNote, note)
		return nil
	})
}

// SetBorrowingSetting sets one of the settings of the Request we send
// lenders: library-name, library-email, pickup-address (NAME=ADDRESS) or
// send-patron-id (on|off), and how copies reach patrons: copy-delivery
// (link|attachment).
func (d *BorrowingService) SetBorrowingSetting(name, value string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the settings"); err != nil {
		return err
	}
	value = strings.TrimSpace(value)
	var key string
	switch name {
	case "library-name":
		key = SettingLibraryName
	case "library-email":
		if _, err := mail.ParseAddress(value); value != "" && err != nil {
			return refuse(ErrInvalidInput, "%q is not an email address.", value)
		}
		key = SettingLibraryEmail
	case "pickup-address":
		loc, addr, ok := strings.Cut(value, "=")
		if !ok || strings.TrimSpace(loc) == "" {
			return refuse(ErrInvalidInput, "Give the pickup location and its postal address as NAME=ADDRESS.")
		}
		key, value = SettingPickupAddress+strings.TrimSpace(loc), strings.TrimSpace(addr)
	case "send-patron-id":
		if value != "on" && value != "off" {
			return refuse(ErrInvalidInput, "send-patron-id is on or off, not %q.", value)
		}
		key = SettingSendPatronID
	case "copy-delivery":
		if value != "link" && value != "attachment" {
			return refuse(ErrInvalidInput, "copy-delivery is link or attachment, not %q.", value)
		}
		key = SettingCopyDelivery
	default:
		return refuse(ErrInvalidInput, "%q is not a borrowing setting.", name)
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(key)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "borrowing settings", map[string]string{key: before}, map[string]string{key: value}); err != nil {
			return err
		}
		return tx.PutSetting(key, value)
	})
}

// BorrowingSetting reads a setting SetBorrowingSetting sets ("pickup-address"
// needs the location after "=": pickup-address=Main).
func (d *BorrowingService) BorrowingSetting(key string) (string, error) {
	var v string
	err := d.store.View(func(tx Tx) error { var e error; v, e = tx.Setting(key); return e })
	return v, err
}

// lenderAttention says why a request waiting on its lender needs attention:
// a flag, a Loaned past the lender's turnaround, a LoanCompleted past
// ShippedReturnWait business days. wait is false while the request waits on
// the lender in time, so that the general wait limit does not apply.
func (c AttentionCheck) lenderAttention(r Summary) (a Attention, found, wait bool) {
	if r.Flags != "" {
		return Attention{Request: r, Late: 500 * time.Hour,
			Why: "The lender reports the item " + strings.ReplaceAll(r.Flags, ",", " and ") + "."}, true, true
	}
	switch r.State {
	case Requested, WillSupply, RetryPossible:
		if !r.LenderDeadline.IsZero() && c.now.After(r.LenderDeadline) {
			return Attention{Request: r, Late: c.cal.BusinessBetween(r.LenderDeadline, c.now),
				Why: "No Loaned or copy from " + r.Partner + " within its turnaround; ask for the status, cancel, or close by hand."}, true, true
		}
		return Attention{}, false, r.State != RetryPossible
	case ShippedToUs:
		return Attention{}, false, true
	case ReturnedToLender:
		limit := time.Duration(ShippedReturnWait*24) * time.Hour
		if waited := c.cal.BusinessBetween(r.Since, c.now); waited > limit {
			return Attention{Request: r, Late: waited - limit,
				Why: fmt.Sprintf("Returned to %s %d business days ago and no LoanCompleted; ask for the status or close by hand.", r.Partner, ShippedReturnWait)}, true, true
		}
		return Attention{}, false, true
	}
	return Attention{}, false, false
}

// lenderMark is what a listing keeps of a summary's lender flags and deadline.
type lenderMark struct {
	flags    string
	deadline time.Time
}

// markLender keeps s's lender flags and deadline in the listing, or forgets
// them when s has none.
func (l *Listing) markLender(s *Summary) {
	if s.Flags == "" && s.LenderDeadline.IsZero() {
		delete(l.lenderMarks, s.ID)
		return
	}
	if l.lenderMarks == nil {
		l.lenderMarks = map[string]lenderMark{}
	}
	l.lenderMarks[s.ID] = lenderMark{flags: s.Flags, deadline: s.LenderDeadline}
}

// withLender puts back what markLender kept of s.
func (l *Listing) withLender(s Summary) Summary {
	if m, ok := l.lenderMarks[s.ID]; ok {
		s.Flags, s.LenderDeadline = m.flags, m.deadline
	}
	return s
}
