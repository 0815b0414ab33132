package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- an in-memory Store for the Desk tests ----

// memData is everything the in-memory store holds.
type memData struct {
	Partners map[string]Partner
	Requests map[string]Request
	Order    []string // request ids in creation order
	Settings map[string]string
	Notices  map[string]Notice
	// NoticeOrder holds notice ids in creation order.
	NoticeOrder []string
	// Records holds the outgoing messages, deliveries, received messages,
	// operators and configuration changes as JSON, by kind and id.
	Records map[string]map[string][]byte
	// Sequences holds the number series' last values.
	Sequences map[string]uint64
}

func newMemData() memData {
	return memData{Partners: map[string]Partner{}, Requests: map[string]Request{}, Settings: map[string]string{},
		Notices: map[string]Notice{}, Sequences: map[string]uint64{}}
}

func (d memData) clone() memData {
	c := memData{Partners: maps.Clone(d.Partners), Requests: make(map[string]Request, len(d.Requests)),
		Order: slices.Clone(d.Order), Settings: maps.Clone(d.Settings),
		Notices: maps.Clone(d.Notices), NoticeOrder: slices.Clone(d.NoticeOrder),
		Records: make(map[string]map[string][]byte, len(d.Records)), Sequences: maps.Clone(d.Sequences)}
	for k, m := range d.Records {
		c.Records[k] = make(map[string][]byte, len(m))
		for id, v := range m {
			c.Records[k][id] = bytes.Clone(v)
		}
	}
	for id, r := range d.Requests {
		c.Requests[id] = deepCopy(r)
	}
	return c
}

// memStore is a Store kept in memory. Update works on a copy and commits it
// only when fn returns nil, so a failed change leaves no trace; values handed
// out are deep copies, as they would be when decoded from bbolt.
type memStore struct {
	mu      sync.Mutex
	data    memData
	commits int
	closed  bool
	// txs counts the transactions begun (View and Update); reads counts the
	// lookups that return requests (by id, prefix, suffix or external id).
	txs, reads int
	// failPut, when set, is asked before every PutRequest and may refuse it.
	failPut func(Request) error
	// failPutNotice, when set, is asked before every PutNotice and may refuse it.
	failPutNotice func(Notice) error
	// failPutILSCall, when set, is asked before every PutILSCall and may refuse it.
	failPutILSCall func(ILSCall) error
}

func newMemStore() *memStore { return &memStore{data: newMemData()} }

var errStoreClosed = errors.New("store closed")

func (s *memStore) View(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStoreClosed
	}
	s.txs++
	return fn(&memTx{s: s, d: &s.data})
}

func (s *memStore) Update(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStoreClosed
	}
	s.txs++
	work := s.data.clone()
	if err := fn(&memTx{s: s, d: &work, writable: true}); err != nil {
		return err
	}
	s.data = work
	s.commits++
	return nil
}

func (s *memStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// snapshot is a deep copy of the whole store, for "nothing changed" checks.
func (s *memStore) snapshot() memData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.clone()
}

type memTx struct {
	s        *memStore
	d        *memData
	writable bool
}

var errReadOnly = errors.New("read-only transaction")

func (tx *memTx) Partner(code string) (Partner, error) {
	p, ok := tx.d.Partners[code]
	if !ok {
		return Partner{}, refuse(ErrPartnerNotFound, "No partner has the code %q.", code)
	}
	return p, nil
}

func (tx *memTx) Partners() ([]Partner, error) {
	ps := slices.Collect(maps.Values(tx.d.Partners))
	slices.SortFunc(ps, func(a, b Partner) int { return strings.Compare(a.Code, b.Code) })
	return ps, nil
}

func (tx *memTx) PutPartner(p Partner) error {
	if !tx.writable {
		return errReadOnly
	}
	if p.Code == "" {
		return refuse(ErrInvalidInput, "A partner needs a code.")
	}
	tx.d.Partners[p.Code] = p
	return nil
}

func (tx *memTx) Request(id string) (Request, error) {
	tx.s.reads++
	r, ok := tx.d.Requests[id]
	if !ok {
		return Request{}, refuse(ErrNotFound, "No request has the id %q.", id)
	}
	return deepCopy(r), nil
}

func (tx *memTx) RequestsByIDs(ids []string) ([]Request, error) {
	tx.s.reads++
	out := make([]Request, 0, len(ids))
	for _, id := range ids {
		r, ok := tx.d.Requests[id]
		if !ok {
			return nil, refuse(ErrNotFound, "No request has the id %q.", id)
		}
		out = append(out, deepCopy(r))
	}
	return out, nil
}

func (tx *memTx) each(keep func(Request) bool) []Request {
	var out []Request
	for _, id := range tx.d.Order {
		if r := tx.d.Requests[id]; keep(r) {
			out = append(out, deepCopy(r))
		}
	}
	return out
}

func (tx *memTx) RequestsByIDPrefix(prefix string) ([]Request, error) {
	tx.s.reads++
	return tx.each(func(r Request) bool { return strings.HasPrefix(r.ID, prefix) }), nil
}

func (tx *memTx) RequestsByIDSuffix(suffix string) ([]Request, error) {
	tx.s.reads++
	return tx.each(func(r Request) bool { return strings.HasSuffix(r.ID, suffix) }), nil
}

func (tx *memTx) RequestsByExternalID(externalID string) ([]Request, error) {
	tx.s.reads++
	if externalID == "" {
		return nil, nil
	}
	return tx.each(func(r Request) bool { return r.ExternalID == externalID }), nil
}

func (tx *memTx) RequestByBarcode(code string) (Request, bool, error) {
	if code == "" {
		return Request{}, false, nil
	}
	rs := tx.each(func(r Request) bool { return r.ActiveBarcode() == code })
	switch len(rs) {
	case 0:
		return Request{}, false, nil
	case 1:
		return rs[0], true, nil
	}
	return Request{}, false, fmt.Errorf("index corrupt: barcode %s active on %d requests", code, len(rs))
}

func (tx *memTx) RequestByNumber(number string) (Request, bool, error) {
	tx.s.reads++
	if number == "" {
		return Request{}, false, nil
	}
	rs := tx.each(func(r Request) bool { return r.RequestNumber == number })
	if len(rs) == 0 {
		return Request{}, false, nil
	}
	return rs[0], true, nil
}

func (tx *memTx) NextRequestNumber(series string) (uint64, error) {
	if !tx.writable {
		return 0, errReadOnly
	}
	tx.d.Sequences[series]++
	return tx.d.Sequences[series], nil
}

func (tx *memTx) PutRequest(r Request) error {
	if !tx.writable {
		return errReadOnly
	}
	if r.ID == "" {
		return refuse(ErrInvalidInput, "A request needs an id.")
	}
	if tx.s.failPut != nil {
		if err := tx.s.failPut(r); err != nil {
			return err
		}
	}
	code := r.ActiveBarcode()
	for _, id := range tx.d.Order {
		o := tx.d.Requests[id]
		if o.ID == r.ID {
			continue
		}
		if r.ExternalID != "" && o.ExternalID == r.ExternalID && o.Partner == r.Partner {
			return refuse(ErrDuplicateExternalID, "Partner %s already has request %s (%s).", r.Partner, r.ExternalID, o.StatusLabel())
		}
		if r.RequestNumber != "" && o.RequestNumber == r.RequestNumber {
			return refuse(ErrInvalidInput, "Number %s is already request %s's.", r.RequestNumber, o.ID)
		}
		if code != "" && o.ActiveBarcode() == code {
			return refuse(ErrBarcodeInUse, "Barcode %s is already on request %s (%s).", code, o.Ref(), o.StatusLabel())
		}
	}
	if _, exists := tx.d.Requests[r.ID]; !exists {
		tx.d.Order = append(tx.d.Order, r.ID)
	}
	tx.d.Requests[r.ID] = deepCopy(r)
	return nil
}

func (tx *memTx) ForEachRequest(fn func(Request) error) error {
	for _, id := range tx.d.Order {
		if err := fn(deepCopy(tx.d.Requests[id])); err != nil {
			return err
		}
	}
	return nil
}

// IndexEntries reports the entries a store's indexes would hold: the
// memory store derives them from the requests, so they always agree.
func (tx *memTx) IndexEntries(fn func(IndexEntry) error) error {
	for _, id := range tx.d.Order {
		r := tx.d.Requests[id]
		if bc := r.ActiveBarcode(); bc != "" {
			if err := fn(IndexEntry{Index: IndexBarcode, Barcode: bc, RequestID: id}); err != nil {
				return err
			}
		}
		if r.ExternalID != "" {
			if err := fn(IndexEntry{Index: IndexExternal, ExternalID: r.ExternalID, Partner: r.Partner, RequestID: id}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *memTx) Reindex() error { return nil }

func (tx *memTx) Verify() error { return nil }

func (tx *memTx) RequestCount() (int, error) { return len(tx.d.Order), nil }

func (tx *memTx) ForEachSummary(fn func(Summary) error) error {
	return tx.ForEachRequest(func(r Request) error { return fn(r.Summary()) })
}

func (tx *memTx) Setting(key string) (string, error) { return tx.d.Settings[key], nil }

func (tx *memTx) PutSetting(key, value string) error {
	if !tx.writable {
		return errReadOnly
	}
	tx.d.Settings[key] = value
	return nil
}

// Notices are plain values (no slices or pointers), so copying one copies it.

func (tx *memTx) PutNotice(n Notice) error {
	if !tx.writable {
		return errReadOnly
	}
	if n.ID == "" {
		return refuse(ErrInvalidInput, "A notice needs an id.")
	}
	if tx.s.failPutNotice != nil {
		if err := tx.s.failPutNotice(n); err != nil {
			return err
		}
	}
	if tx.d.Notices == nil {
		tx.d.Notices = map[string]Notice{}
	}
	if _, exists := tx.d.Notices[n.ID]; !exists {
		tx.d.NoticeOrder = append(tx.d.NoticeOrder, n.ID)
	}
	tx.d.Notices[n.ID] = n
	return nil
}

func (tx *memTx) Notice(id string) (Notice, error) {
	n, ok := tx.d.Notices[id]
	if !ok {
		return Notice{}, refuse(ErrNotFound, "No notice has the id %q.", id)
	}
	return n, nil
}

func (tx *memTx) Notices() ([]Notice, error) {
	var out []Notice
	for _, id := range tx.d.NoticeOrder {
		out = append(out, tx.d.Notices[id])
	}
	return out, nil
}

func (tx *memTx) DeleteNotice(id string) error {
	if !tx.writable {
		return errReadOnly
	}
	if _, ok := tx.d.Notices[id]; !ok {
		return nil
	}
	delete(tx.d.Notices, id)
	tx.d.NoticeOrder = slices.DeleteFunc(tx.d.NoticeOrder, func(o string) bool { return o == id })
	return nil
}

// ---- a fake Vault ----

type vaultPut struct{ Src, Name string }

// fakeVault stores file contents in memory under SanitizeFileName(name)+".pdf",
// adding -2, -3 … on collision, as the real vault promises.
type fakeVault struct {
	mu      sync.Mutex
	files   map[string][]byte
	puts    []vaultPut
	removed []string
	putErr  error
}

func newFakeVault() *fakeVault { return &fakeVault{files: map[string][]byte{}} }

func (v *fakeVault) Verify(name string) (int64, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	data, ok := v.files[name]
	if !ok {
		return 0, "", os.ErrNotExist
	}
	sum := sha256.Sum256(data)
	return int64(len(data)), hex.EncodeToString(sum[:]), nil
}

func (v *fakeVault) Files() ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Sorted(maps.Keys(v.files)), nil
}

func (v *fakeVault) Put(src, name string) (ShippedFile, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.puts = append(v.puts, vaultPut{src, name})
	if v.putErr != nil {
		return ShippedFile{}, v.putErr
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return ShippedFile{}, err
	}
	stem := SanitizeFileName(name)
	stored := stem + ".pdf"
	for i := 2; v.files[stored] != nil; i++ {
		stored = fmt.Sprintf("%s-%d.pdf", stem, i)
	}
	v.files[stored] = data
	sum := sha256.Sum256(data)
	return ShippedFile{Name: stored, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func (v *fakeVault) Remove(name string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.removed = append(v.removed, name)
	if v.files[name] == nil {
		return fmt.Errorf("no file %s", name)
	}
	delete(v.files, name)
	return nil
}

// ---- a fake Preflighter ----

type fakePreflight struct {
	report PreflightReport
	calls  []string
	// hook runs during the check, e.g. to let another workstation act meanwhile.
	hook func(path string)
}

func (p *fakePreflight) Preflight(path string) PreflightReport {
	p.calls = append(p.calls, path)
	if p.hook != nil {
		p.hook(path)
	}
	rep := p.report
	rep.File = path
	if data, err := os.ReadFile(path); err == nil && rep.SHA256 == "" {
		sum := sha256.Sum256(data)
		rep.SHA256 = hex.EncodeToString(sum[:])
	}
	return rep
}

// ---- tests of the fakes themselves, so the Desk tests can trust them ----

func TestMemStoreUpdateIsAtomic(t *testing.T) {
	s := newMemStore()
	require.NoError(t, s.Update(func(tx Tx) error {
		return tx.PutPartner(Partner{Code: "RAPID", Name: "RapidILL"})
	}))
	before := s.snapshot()
	boom := errors.New("boom")
	err := s.Update(func(tx Tx) error {
		require.NoError(t, tx.PutPartner(Partner{Code: "BVB", Name: "BVB"}))
		require.NoError(t, tx.PutRequest(Request{ID: "r1", Side: Lending, State: Created, Partner: "RAPID"}))
		require.NoError(t, tx.PutSetting("k", "v"))
		_, err := tx.Request("r1")
		require.NoError(t, err, "a transaction sees its own writes")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, before, s.snapshot(), "nothing of a failed update is kept")
	assert.Equal(t, 1, s.commits)
}

func TestMemStoreReturnsCopies(t *testing.T) {
	s := newMemStore()
	r := Request{ID: "r1", Side: Lending, State: Created, History: []Event{{Action: ActCreate}}}
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(r) }))
	r.History[0].Note = "changed by caller"
	require.NoError(t, s.View(func(tx Tx) error {
		got, err := tx.Request("r1")
		require.NoError(t, err)
		assert.Empty(t, got.History[0].Note)
		got.History[0].Note = "changed again"
		again, _ := tx.Request("r1")
		assert.Empty(t, again.History[0].Note)
		return nil
	}))
	assert.ErrorIs(t, s.View(func(tx Tx) error { return tx.PutRequest(r) }), errReadOnly)
}

func TestMemStoreUniqueness(t *testing.T) {
	s := newMemStore()
	a := Request{ID: "a", Side: Borrowing, State: Received, Partner: "RAPID", ExternalID: "X1", Holdings: Holdings{ItemBarcode: "390001"}}
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(a) }))

	dupExt := Request{ID: "b", Side: Lending, State: Created, Partner: "RAPID", ExternalID: "X1"}
	err := s.Update(func(tx Tx) error { return tx.PutRequest(dupExt) })
	require.ErrorIs(t, err, ErrDuplicateExternalID)
	var ref *Refusal
	require.ErrorAs(t, err, &ref)

	otherPartner := Request{ID: "c", Side: Lending, State: Created, Partner: "BVB", ExternalID: "X1"}
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(otherPartner) }))

	dupCode := Request{ID: "d", Side: Borrowing, State: Received, Partner: "BVB", Holdings: Holdings{ItemBarcode: "390001"}}
	err = s.Update(func(tx Tx) error { return tx.PutRequest(dupCode) })
	require.ErrorIs(t, err, ErrBarcodeInUse)
	require.ErrorAs(t, err, &ref)

	// an inactive barcode does not count
	dupCode.State = Created
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(dupCode) }))
	// the request itself may be rewritten
	a.State = OnHoldShelf
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(a) }))
	// a closed request frees its barcode
	a.State = Completed
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(a) }))
	dupCode.State = Received
	require.NoError(t, s.Update(func(tx Tx) error { return tx.PutRequest(dupCode) }))

	require.NoError(t, s.View(func(tx Tx) error {
		got, ok, err := tx.RequestByBarcode("390001")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "d", got.ID)
		var ids []string
		require.NoError(t, tx.ForEachRequest(func(r Request) error { ids = append(ids, r.ID); return nil }))
		assert.Equal(t, []string{"a", "c", "d"}, ids, "creation order")
		return nil
	}))
}

func TestFakeVault(t *testing.T) {
	src := writeTempPDF(t, "%PDF-1.7 hello")
	v := newFakeVault()
	sf, err := v.Put(src, "../RAPID:1")
	require.NoError(t, err)
	assert.Equal(t, "__RAPID_1.pdf", sf.Name)
	assert.EqualValues(t, len("%PDF-1.7 hello"), sf.Bytes)
	assert.Len(t, sf.SHA256, 64)
	sf2, err := v.Put(src, "../RAPID:1")
	require.NoError(t, err)
	assert.Equal(t, "__RAPID_1-2.pdf", sf2.Name)
	require.NoError(t, v.Remove(sf.Name))
	assert.Error(t, v.Remove(sf.Name))
}

func writeTempPDF(t *testing.T, content string) string {
	t.Helper()
	path := t.TempDir() + string(os.PathSeparator) + "scan.pdf"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// The records below are kept as JSON, as the real stores keep them, so that
// what a test reads back is a copy sharing nothing with what was put.

// memRecord kinds, one per entity kept as a record.
const (
	memOutbox        = "outbox"
	memDeliveries    = "deliveries"
	memLinkTokens    = "link_tokens"
	memSeen          = "seen"
	memOperators     = "operators"
	memConfigChanges = "config_changes"
	memHeld          = "held_messages"
	memILSCalls      = "ils_calls"
)

// memOperator is an operator as the memory store keeps it, with the PIN
// hash that Operator leaves out of its JSON.
type memOperator struct {
	Operator
	PINHash string `json:"pin_hash,omitempty"`
}

func memPut[T any](tx *memTx, kind, id string, v T) error {
	if !tx.writable {
		return errReadOnly
	}
	if id == "" {
		return refuse(ErrInvalidInput, "A %s needs an id.", kind)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if tx.d.Records == nil {
		tx.d.Records = map[string]map[string][]byte{}
	}
	if tx.d.Records[kind] == nil {
		tx.d.Records[kind] = map[string][]byte{}
	}
	tx.d.Records[kind][id] = b
	return nil
}

func memGet[T any](tx *memTx, kind, id string) (T, bool, error) {
	var v T
	b, ok := tx.d.Records[kind][id]
	if !ok {
		return v, false, nil
	}
	return v, true, json.Unmarshal(b, &v)
}

func memEach[T any](tx *memTx, kind string, fn func(T) error) error {
	for _, id := range slices.Sorted(maps.Keys(tx.d.Records[kind])) {
		b, ok := tx.d.Records[kind][id]
		if !ok {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

func memDelete(tx *memTx, kind, id string) error {
	if !tx.writable {
		return errReadOnly
	}
	delete(tx.d.Records[kind], id)
	return nil
}

func (tx *memTx) PutOutboxMessage(m OutboxMessage) error { return memPut(tx, memOutbox, m.ID, m) }

func (tx *memTx) OutboxMessage(id string) (OutboxMessage, bool, error) {
	return memGet[OutboxMessage](tx, memOutbox, id)
}

func (tx *memTx) ForEachOutboxMessage(fn func(OutboxMessage) error) error {
	return memEach(tx, memOutbox, fn)
}

func (tx *memTx) DeleteOutboxMessage(id string) error { return memDelete(tx, memOutbox, id) }

func (tx *memTx) PutDelivery(dl Delivery) error {
	if dl.TokenHash != "" {
		if holder, ok, err := memGet[string](tx, memLinkTokens, dl.TokenHash); err != nil {
			return err
		} else if ok && holder != dl.ID {
			return refuse(ErrInvalidInput, "Another delivery has that link token.")
		}
		if err := memPut(tx, memLinkTokens, dl.TokenHash, dl.ID); err != nil {
			return err
		}
	}
	return memPut(tx, memDeliveries, dl.ID, dl)
}

func (tx *memTx) DeliveryByTokenHash(hash string) (Delivery, bool, error) {
	id, ok, err := memGet[string](tx, memLinkTokens, hash)
	if err != nil || !ok {
		return Delivery{}, false, err
	}
	return tx.Delivery(id)
}

func (tx *memTx) Delivery(id string) (Delivery, bool, error) {
	return memGet[Delivery](tx, memDeliveries, id)
}

func (tx *memTx) ForEachDelivery(fn func(Delivery) error) error {
	return memEach(tx, memDeliveries, fn)
}

func (tx *memTx) PutSeenMessage(key string, m SeenMessage) error { return memPut(tx, memSeen, key, m) }

func (tx *memTx) SeenMessage(key string) (SeenMessage, bool, error) {
	return memGet[SeenMessage](tx, memSeen, key)
}

func (tx *memTx) PutOperator(o Operator) error {
	return memPut(tx, memOperators, OperatorKey(o.Name), memOperator{Operator: o, PINHash: o.PINHash})
}

func (tx *memTx) ForEachOperator(fn func(Operator) error) error {
	return memEach(tx, memOperators, func(rec memOperator) error {
		rec.Operator.PINHash = rec.PINHash
		return fn(rec.Operator)
	})
}

func (tx *memTx) DeleteOperator(name string) error {
	return memDelete(tx, memOperators, OperatorKey(name))
}

func (tx *memTx) PutConfigChange(id string, c ConfigChange) error {
	return memPut(tx, memConfigChanges, id, c)
}

func (tx *memTx) ForEachConfigChange(fn func(ConfigChange) error) error {
	return memEach(tx, memConfigChanges, fn)
}

// Path names the stored file (the fake keeps files in memory).
func (v *fakeVault) Path(name string) string { return "vault/" + name }

// fakeSecrets is a keyring in memory.
type fakeSecrets map[string]string

func (f fakeSecrets) Get(key string) (string, error) { return f[key], nil }

func (f fakeSecrets) Set(key, value string) error {
	if value == "broken" {
		return errors.New("no secret service on the bus")
	}
	f[key] = value
	return nil
}

func (tx *memTx) PutHeldMessage(h HeldMessage) error { return memPut(tx, memHeld, h.ID, h) }

func (tx *memTx) HeldMessage(id string) (HeldMessage, bool, error) {
	return memGet[HeldMessage](tx, memHeld, id)
}

func (tx *memTx) ForEachHeldMessage(fn func(HeldMessage) error) error {
	return memEach(tx, memHeld, fn)
}

func (tx *memTx) PutILSCall(c ILSCall) error {
	if tx.s.failPutILSCall != nil {
		if err := tx.s.failPutILSCall(c); err != nil {
			return err
		}
	}
	return memPut(tx, memILSCalls, c.ID, c)
}

func (tx *memTx) ILSCall(id string) (ILSCall, bool, error) {
	return memGet[ILSCall](tx, memILSCalls, id)
}

func (tx *memTx) ForEachILSCall(fn func(ILSCall) error) error {
	return memEach(tx, memILSCalls, fn)
}
