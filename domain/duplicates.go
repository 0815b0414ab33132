package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// contentKey identifies an incoming message by what it says: everything
// but its header's timestamp and the credentials it carries, so that a
// partner's retry with a new timestamp (or a renewed token) is the same
// message.
func contentKey(in Incoming) string {
	h := sha256.New()
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	fmt.Fprintf(h, "content %q %q %q %q %q %q %#v %q %s %q %q %q %q %s %q %q %q",
		in.Kind, in.Version, in.From, in.To, in.RequestingRequestID, in.SupplyingRequestID,
		in.Citation, in.ServiceType, stamp(in.NeededBy), in.Note,
		in.Reason, in.Status, in.ReasonUnfilled, stamp(in.DueDate), in.DeliveryURL,
		in.Action, in.ReplyAddress)
	if in.AnswerYesNo != "" || in.ReasonRetry != "" || in.ItemID != "" {
		// a lender's answer, only when given, so that other keys stay as stored
		fmt.Fprintf(h, " %q %q %q", in.AnswerYesNo, in.ReasonRetry, in.ItemID)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// seenBefore finds the message received before that in repeats, and the
// answer to give it again. The same bytes are a repeat (as earlier
// versions kept them); so are the same words, unless the request they
// changed has moved on since: a new Request never makes a second request,
// but a StatusRequest after the request changed is a new question.
func (d *MessageService) seenBefore(tx Tx, in Incoming, raw []byte) (SeenMessage, bool, error) {
	sum := sha256.Sum256(raw)
	if seen, ok, err := tx.SeenMessage(hex.EncodeToString(sum[:])); err != nil || ok {
		return seen, ok, err
	}
	seen, ok, err := tx.SeenMessage(contentKey(in))
	if err != nil || !ok {
		return SeenMessage{}, false, err
	}
	if in.Kind != KindRequest && seen.State != "" {
		r, err := tx.Request(seen.Result.Request)
		switch {
		case errors.Is(err, ErrNotFound): // purged since: nothing left to change
		case err != nil:
			return SeenMessage{}, false, err
		case r.State != seen.State, seen.Changes != 0 && len(r.History) != seen.Changes:
			return SeenMessage{}, false, nil
		}
	}
	// the answer the first one got, echoing this one's header
	seen.Confirmation, err = d.codec.Confirm(in, seen.At, nil)
	return seen, err == nil, err
}

// remember keeps what was answered to in, under what it says, with the
// state it left its request in.
func (d *MessageService) remember(tx Tx, in Incoming, seen SeenMessage) error {
	if seen.Result.Request != "" {
		r, err := tx.Request(seen.Result.Request)
		if err != nil {
			return err
		}
		seen.State, seen.Changes = r.State, len(r.History)
	}
	return tx.PutSeenMessage(contentKey(in), seen)
}
