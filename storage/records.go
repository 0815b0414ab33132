package storage

import (
	"encoding/json"
	"fmt"

	"github.com/illdesk/illdesk/domain"
)

// Records is how both stores keep the values that are neither requests,
// partners, settings nor notices: bytes by kind and id (a bucket per kind
// in bbolt, the records table in PostgreSQL). Migration copies them as they
// are; the domain reaches them through TypedRecords.
type Records interface {
	// PutRecord stores a value of a kind under an id; ids sort in the
	// order records are listed.
	PutRecord(kind, id string, value []byte) error
	// Record returns the stored value, ok false when there is none.
	Record(kind, id string) (value []byte, ok bool, err error)
	// Records calls fn for every record of a kind in id order until fn
	// returns an error; the value is a copy and fn may write.
	Records(kind string, fn func(id string, value []byte) error) error
	// DeleteRecord removes a record; a missing one is no error.
	DeleteRecord(kind, id string) error
}

// The kinds each entity is stored under. They, the ids and the JSON of the
// values are those of existing databases and backups, which must open
// unchanged.
const (
	KindOutbox        = "outbox"
	KindDeliveries    = "deliveries"
	KindSeenMessages  = "seen_messages"
	KindOperators     = "operators"
	KindConfigChanges = "config_changes"
	KindHeldMessages  = "held_messages"
	KindILSCalls      = "ils_calls"
	// KindLinkTokens is the index of download links: the SHA-256 in hex of
	// a link's token (domain.Delivery.TokenHash) → the delivery's id. It is
	// kept in step by PutDelivery; databases made before it have none.
	KindLinkTokens = "link_tokens"
)

// TypedRecords implements the record ports of domain.Tx (OutboxStore,
// DeliveryStore, SeenMessageStore, OperatorStore, ConfigAuditStore,
// QuarantineStore, ILSCallStore) over a
// store's Records, encoding each value as JSON. A store's transaction
// embeds it, with Raw set to itself.
type TypedRecords struct {
	Raw Records
}

// operatorRecord is an operator as stored: its JSON with the PIN hash,
// which domain.Operator leaves out of the JSON it shows.
type operatorRecord struct {
	domain.Operator
	PINHash string `json:"pin_hash,omitempty"`
}

// put stores v as JSON under kind and id.
func put(raw Records, what, kind, id string, v any) error {
	if id == "" {
		return ErrRecordID
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: encode %s %s: %w", what, id, err)
	}
	return raw.PutRecord(kind, id, b)
}

// get reads the value under kind and id.
func get[T any](raw Records, what, kind, id string) (T, bool, error) {
	var v T
	b, ok, err := raw.Record(kind, id)
	if err != nil || !ok {
		return v, false, err
	}
	v, err = Decode[T](what, id, b)
	return v, err == nil, err
}

// each calls fn with every value of kind, in id order.
func each[T any](raw Records, what, kind string, fn func(T) error) error {
	return raw.Records(kind, func(id string, b []byte) error {
		v, err := Decode[T](what, id, b)
		if err != nil {
			return err
		}
		return fn(v)
	})
}

// Decode decodes the stored JSON of a value (what names it in the refusal
// of a damaged one) under key.
func Decode[T any](what, key string, b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, DamagedValue(what, key, err)
	}
	return v, nil
}

// PutOutboxMessage stores the message under m.ID.
func (r TypedRecords) PutOutboxMessage(m domain.OutboxMessage) error {
	return put(r.Raw, "outgoing message", KindOutbox, m.ID, m)
}

// OutboxMessage returns the message with the id, ok false when there is none.
func (r TypedRecords) OutboxMessage(id string) (domain.OutboxMessage, bool, error) {
	return get[domain.OutboxMessage](r.Raw, "outgoing message", KindOutbox, id)
}

// ForEachOutboxMessage calls fn for every message in id order.
func (r TypedRecords) ForEachOutboxMessage(fn func(domain.OutboxMessage) error) error {
	return each(r.Raw, "outgoing message", KindOutbox, fn)
}

// DeleteOutboxMessage removes the message with the id.
func (r TypedRecords) DeleteOutboxMessage(id string) error {
	return r.Raw.DeleteRecord(KindOutbox, id)
}

// PutDelivery stores the delivery under dl.ID and points the token index
// at it: a changed hash moves its entry, and a hash another delivery holds
// is refused before anything is written.
func (r TypedRecords) PutDelivery(dl domain.Delivery) error {
	if dl.ID == "" {
		return ErrRecordID
	}
	var indexed bool
	if dl.TokenHash != "" {
		holder, ok, err := r.Raw.Record(KindLinkTokens, dl.TokenHash)
		if err != nil {
			return err
		}
		if ok && string(holder) != dl.ID {
			return LinkTokenInUse(dl.ID)
		}
		indexed = ok
	}
	old, had, err := r.Delivery(dl.ID)
	if err != nil {
		return err
	}
	if had && old.TokenHash != "" && old.TokenHash != dl.TokenHash {
		if holder, ok, err := r.Raw.Record(KindLinkTokens, old.TokenHash); err != nil {
			return err
		} else if ok && string(holder) == dl.ID {
			if err := r.Raw.DeleteRecord(KindLinkTokens, old.TokenHash); err != nil {
				return err
			}
		}
	}
	if dl.TokenHash != "" && !indexed {
		if err := r.Raw.PutRecord(KindLinkTokens, dl.TokenHash, []byte(dl.ID)); err != nil {
			return err
		}
	}
	return put(r.Raw, "file delivery", KindDeliveries, dl.ID, dl)
}

// DeliveryByTokenHash returns the delivery the token index names for hash,
// ok false when none; an entry naming a missing or other delivery is an error.
func (r TypedRecords) DeliveryByTokenHash(hash string) (domain.Delivery, bool, error) {
	if hash == "" {
		return domain.Delivery{}, false, nil
	}
	id, ok, err := r.Raw.Record(KindLinkTokens, hash)
	if err != nil || !ok {
		return domain.Delivery{}, false, err
	}
	dl, ok, err := r.Delivery(string(id))
	if err != nil {
		return domain.Delivery{}, false, err
	}
	if !ok || dl.TokenHash != hash {
		return domain.Delivery{}, false, fmt.Errorf("storage: the link token index points to delivery %s, which does not have that token", id)
	}
	return dl, true, nil
}

// Delivery returns the delivery with the id, ok false when there is none.
func (r TypedRecords) Delivery(id string) (domain.Delivery, bool, error) {
	return get[domain.Delivery](r.Raw, "file delivery", KindDeliveries, id)
}

// ForEachDelivery calls fn for every delivery in id order.
func (r TypedRecords) ForEachDelivery(fn func(domain.Delivery) error) error {
	return each(r.Raw, "file delivery", KindDeliveries, fn)
}

// PutSeenMessage stores what was answered to the message with the key.
func (r TypedRecords) PutSeenMessage(key string, m domain.SeenMessage) error {
	return put(r.Raw, "received message", KindSeenMessages, key, m)
}

// SeenMessage returns what was answered to the message with the key.
func (r TypedRecords) SeenMessage(key string) (domain.SeenMessage, bool, error) {
	return get[domain.SeenMessage](r.Raw, "received message", KindSeenMessages, key)
}

// PutOperator stores the operator, with its PIN hash, under its name's key.
func (r TypedRecords) PutOperator(o domain.Operator) error {
	return put(r.Raw, "operator", KindOperators, domain.OperatorKey(o.Name), operatorRecord{Operator: o, PINHash: o.PINHash})
}

// ForEachOperator calls fn for every operator in key order.
func (r TypedRecords) ForEachOperator(fn func(domain.Operator) error) error {
	return each(r.Raw, "operator", KindOperators, func(rec operatorRecord) error {
		rec.Operator.PINHash = rec.PINHash
		return fn(rec.Operator)
	})
}

// DeleteOperator removes the operator with the name.
func (r TypedRecords) DeleteOperator(name string) error {
	return r.Raw.DeleteRecord(KindOperators, domain.OperatorKey(name))
}

// PutConfigChange stores a change of configuration under id.
func (r TypedRecords) PutConfigChange(id string, c domain.ConfigChange) error {
	return put(r.Raw, "configuration change", KindConfigChanges, id, c)
}

// ForEachConfigChange calls fn for every change of configuration in id order.
func (r TypedRecords) ForEachConfigChange(fn func(domain.ConfigChange) error) error {
	return each(r.Raw, "configuration change", KindConfigChanges, fn)
}

// PutHeldMessage stores a message held from an unknown agency under h.ID.
func (r TypedRecords) PutHeldMessage(h domain.HeldMessage) error {
	return put(r.Raw, "held message", KindHeldMessages, h.ID, h)
}

// HeldMessage returns the held message with the id, ok false when there is none.
func (r TypedRecords) HeldMessage(id string) (domain.HeldMessage, bool, error) {
	return get[domain.HeldMessage](r.Raw, "held message", KindHeldMessages, id)
}

// ForEachHeldMessage calls fn for every held message in id order.
func (r TypedRecords) ForEachHeldMessage(fn func(domain.HeldMessage) error) error {
	return each(r.Raw, "held message", KindHeldMessages, fn)
}

// PutILSCall stores a call to the ILS under c.ID.
func (r TypedRecords) PutILSCall(c domain.ILSCall) error {
	return put(r.Raw, "ILS call", KindILSCalls, c.ID, c)
}

// ILSCall returns the ILS call with the id, ok false when there is none.
func (r TypedRecords) ILSCall(id string) (domain.ILSCall, bool, error) {
	return get[domain.ILSCall](r.Raw, "ILS call", KindILSCalls, id)
}

// ForEachILSCall calls fn for every ILS call in id order.
func (r TypedRecords) ForEachILSCall(fn func(domain.ILSCall) error) error {
	return each(r.Raw, "ILS call", KindILSCalls, fn)
}
