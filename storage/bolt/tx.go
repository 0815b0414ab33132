package bolt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// tx is one bbolt transaction seen through domain.Tx. Every value it returns
// is decoded from the stored bytes, so it never aliases bbolt's memory map.
type tx struct {
	btx *bbolt.Tx
	// TypedRecords keeps the outgoing messages, deliveries and the like
	// in the records bucket, through the raw record methods below.
	storage.TypedRecords
}

var (
	_ domain.Tx       = (*tx)(nil)
	_ storage.Records = (*tx)(nil)
)

// newTx is the domain.Tx of a bbolt transaction.
func newTx(btx *bbolt.Tx) *tx {
	t := &tx{btx: btx}
	t.Raw = t
	return t
}

func (t *tx) bucket(name []byte) (*bbolt.Bucket, error) {
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("storage: bucket %s is missing from the database", name)
	}
	b.FillPercent = fillPercent
	return b, nil
}

// fillPercent is how full bbolt fills a page before splitting it. Requests,
// summaries, notices and records are keyed by UUIDv7, so new keys go at the
// end: filling pages to 90% instead of bbolt's 50% makes the file and the
// pages a list reads about half as large.
const fillPercent = 0.9

// Partner returns the partner with the code, or a refusal of kind ErrPartnerNotFound.
func (t *tx) Partner(code string) (domain.Partner, error) {
	b, err := t.bucket(bucketPartners)
	if err != nil {
		return domain.Partner{}, err
	}
	v := b.Get([]byte(code))
	if v == nil {
		return domain.Partner{}, storage.PartnerNotFound(code)
	}
	return storage.DecodePartner(code, v)
}

// Partners returns every partner ordered by code.
func (t *tx) Partners() ([]domain.Partner, error) {
	b, err := t.bucket(bucketPartners)
	if err != nil {
		return nil, err
	}
	var out []domain.Partner
	err = b.ForEach(func(k, v []byte) error {
		p, err := storage.DecodePartner(string(k), v)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// PutPartner creates or replaces the partner stored under p.Code.
func (t *tx) PutPartner(p domain.Partner) error {
	if p.Code == "" {
		return storage.ErrPartnerCode
	}
	b, err := t.bucket(bucketPartners)
	if err != nil {
		return err
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("storage: encode partner %s: %w", p.Code, err)
	}
	return b.Put([]byte(p.Code), v)
}

// Request returns the request with the id, or a refusal of kind ErrNotFound.
func (t *tx) Request(id string) (domain.Request, error) {
	r, ok, err := t.request(id)
	if err != nil {
		return domain.Request{}, err
	}
	if !ok {
		return domain.Request{}, storage.RequestNotFound(id)
	}
	return r, nil
}

// RequestsByIDs returns the requests with the ids, in that order.
func (t *tx) RequestsByIDs(ids []string) ([]domain.Request, error) {
	out := make([]domain.Request, 0, len(ids))
	for _, id := range ids {
		r, err := t.Request(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// request loads a request, reporting whether it exists.
func (t *tx) request(id string) (domain.Request, bool, error) {
	if id == "" {
		return domain.Request{}, false, nil
	}
	b, err := t.bucket(bucketRequests)
	if err != nil {
		return domain.Request{}, false, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return domain.Request{}, false, nil
	}
	r, err := storage.DecodeRequest(id, v)
	return r, err == nil, err
}

// indexed loads the request an index entry points to; a dangling entry is an error.
func (t *tx) indexed(index string, id []byte) (domain.Request, error) {
	r, ok, err := t.request(string(id))
	if err != nil {
		return domain.Request{}, err
	}
	if !ok {
		return domain.Request{}, fmt.Errorf("storage: index %s points to missing request %s", index, id)
	}
	return r, nil
}

// RequestsByIDPrefix returns the requests whose id starts with prefix, in id order.
func (t *tx) RequestsByIDPrefix(prefix string) ([]domain.Request, error) {
	b, err := t.bucket(bucketRequests)
	if err != nil {
		return nil, err
	}
	p := []byte(prefix)
	var out []domain.Request
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		r, err := storage.DecodeRequest(string(k), v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RequestsByIDSuffix returns the requests whose id ends with suffix, in id
// order. It walks the keys only, decoding just the matches.
func (t *tx) RequestsByIDSuffix(suffix string) ([]domain.Request, error) {
	b, err := t.bucket(bucketRequests)
	if err != nil {
		return nil, err
	}
	s := []byte(suffix)
	var out []domain.Request
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !bytes.HasSuffix(k, s) {
			continue
		}
		r, err := storage.DecodeRequest(string(k), v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RequestsByExternalID returns the requests of any partner with that
// external identifier, ordered by partner code. The empty identifier matches nothing.
func (t *tx) RequestsByExternalID(externalID string) ([]domain.Request, error) {
	if externalID == "" {
		return nil, nil
	}
	b, err := t.bucket(bucketIdxExternal)
	if err != nil {
		return nil, err
	}
	p := []byte(externalID + storage.KeySep)
	var out []domain.Request
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		r, err := t.indexed(string(bucketIdxExternal), v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RequestByBarcode returns the request whose ActiveBarcode is code.
func (t *tx) RequestByBarcode(code string) (domain.Request, bool, error) {
	if code == "" {
		return domain.Request{}, false, nil
	}
	b, err := t.bucket(bucketIdxBarcode)
	if err != nil {
		return domain.Request{}, false, err
	}
	id := b.Get([]byte(code))
	if id == nil {
		return domain.Request{}, false, nil
	}
	r, err := t.indexed(string(bucketIdxBarcode), id)
	if err != nil {
		return domain.Request{}, false, err
	}
	return r, true, nil
}

// RequestByNumber returns the request idx_number names for number.
func (t *tx) RequestByNumber(number string) (domain.Request, bool, error) {
	if number == "" {
		return domain.Request{}, false, nil
	}
	b, err := t.bucket(bucketIdxNumber)
	if err != nil {
		return domain.Request{}, false, err
	}
	id := b.Get([]byte(number))
	if id == nil {
		return domain.Request{}, false, nil
	}
	r, err := t.indexed(string(bucketIdxNumber), id)
	return r, err == nil, err
}

// NextRequestNumber advances the bbolt sequence of the series' bucket
// under numbers, creating the bucket for a series' first request.
func (t *tx) NextRequestNumber(series string) (uint64, error) {
	nums, err := t.bucket(bucketNumbers)
	if err != nil {
		return 0, err
	}
	b, err := nums.CreateBucketIfNotExists([]byte(series))
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

// numberKey is r's idx_number key, nil when r has no number.
func numberKey(r domain.Summary) []byte {
	if r.RequestNumber == "" {
		return nil
	}
	return []byte(r.RequestNumber)
}

// externalKey is r's idx_external key, nil when r has no external identifier.
func externalKey(r domain.Summary) []byte {
	if r.ExternalID == "" {
		return nil
	}
	return []byte(r.ExternalID + storage.KeySep + r.Partner)
}

// barcodeKey is r's idx_barcode key, nil when no barcode is active.
func barcodeKey(r domain.Summary) []byte {
	if bc := r.ActiveBarcode(); bc != "" {
		return []byte(bc)
	}
	return nil
}

// PutRequest creates or replaces a request and keeps idx_external,
// idx_barcode and idx_number in step. All checks run before the first write, so a refused
// request leaves the transaction as it was.
func (t *tx) PutRequest(r domain.Request) error {
	if err := storage.CheckRequest(r); err != nil {
		return err
	}
	reqs, err := t.bucket(bucketRequests)
	if err != nil {
		return err
	}
	extIdx, err := t.bucket(bucketIdxExternal)
	if err != nil {
		return err
	}
	bcIdx, err := t.bucket(bucketIdxBarcode)
	if err != nil {
		return err
	}
	sums, err := t.bucket(bucketSummaries)
	if err != nil {
		return err
	}
	numIdx, err := t.bucket(bucketIdxNumber)
	if err != nil {
		return err
	}
	id := []byte(r.ID)
	sum := r.Summary()
	extKey, bcKey, numKey := externalKey(sum), barcodeKey(sum), numberKey(sum)
	if numKey != nil {
		if holder := numIdx.Get(numKey); holder != nil && !bytes.Equal(holder, id) {
			return storage.NumberInUse(r.RequestNumber, string(holder))
		}
	}
	if extKey != nil {
		if holder := extIdx.Get(extKey); holder != nil && !bytes.Equal(holder, id) {
			return storage.DuplicateExternalID(r, string(holder))
		}
	}
	if bcKey != nil {
		if holder := bcIdx.Get(bcKey); holder != nil && !bytes.Equal(holder, id) {
			ref := string(holder)
			if v := sums.Get(holder); v != nil {
				if other, err := storage.DecodeSummary(v); err == nil {
					ref = other.Ref()
				}
			}
			return storage.BarcodeInUse(string(bcKey), ref)
		}
	}

	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: encode request %s: %w", r.ID, err)
	}
	// The old keys come from the old summary, which is small to decode.
	// Unchanged entries are not written again: a bbolt Put of the same value
	// still rewrites the page, and a scan should write as few pages as it can.
	var oldExt, oldBc, oldNum []byte
	if prev := sums.Get(id); prev != nil {
		old, err := storage.DecodeSummary(prev)
		if err != nil {
			return storage.DamagedValue("request summary", r.ID, err)
		}
		oldExt, oldBc, oldNum = externalKey(old), barcodeKey(old), numberKey(old)
	}
	if err := moveIndex(numIdx, oldNum, numKey, id); err != nil {
		return err
	}
	if err := moveIndex(extIdx, oldExt, extKey, id); err != nil {
		return err
	}
	if err := moveIndex(bcIdx, oldBc, bcKey, id); err != nil {
		return err
	}
	if enc := storage.EncodeSummary(sum); !bytes.Equal(sums.Get(id), enc) {
		if err := sums.Put(id, enc); err != nil {
			return err
		}
	}
	return reqs.Put(id, v)
}

// moveIndex points an index's entry for id from the old key to the new one
// (either may be nil), writing only what changes. An old entry that now
// belongs to another request is left to it.
func moveIndex(idx *bbolt.Bucket, oldKey, newKey, id []byte) error {
	if oldKey != nil && !bytes.Equal(oldKey, newKey) && bytes.Equal(idx.Get(oldKey), id) {
		if err := idx.Delete(oldKey); err != nil {
			return err
		}
	}
	if newKey != nil && !bytes.Equal(idx.Get(newKey), id) {
		return idx.Put(newKey, id)
	}
	return nil
}

// IndexEntries calls fn for every entry of idx_barcode and idx_external,
// with the keys decoded, until fn returns an error.
func (t *tx) IndexEntries(fn func(domain.IndexEntry) error) error {
	bc, err := t.bucket(bucketIdxBarcode)
	if err != nil {
		return err
	}
	if err := bc.ForEach(func(k, v []byte) error {
		return fn(domain.IndexEntry{Index: domain.IndexBarcode, Barcode: string(k), RequestID: string(v)})
	}); err != nil {
		return err
	}
	ext, err := t.bucket(bucketIdxExternal)
	if err != nil {
		return err
	}
	return ext.ForEach(func(k, v []byte) error {
		id, partner, _ := strings.Cut(string(k), storage.KeySep)
		return fn(domain.IndexEntry{Index: domain.IndexExternal, ExternalID: id, Partner: partner, RequestID: string(v)})
	})
}

// Reindex empties idx_barcode, idx_external, idx_number and the summaries and fills
// them again from the requests. Where two requests claim one key, the
// later one keeps it; Check reports such duplicates.
func (t *tx) Reindex() error {
	for _, name := range [][]byte{bucketIdxBarcode, bucketIdxExternal, bucketIdxNumber, bucketSummaries} {
		if err := t.btx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := t.btx.CreateBucket(name); err != nil {
			return err
		}
	}
	bc, err := t.bucket(bucketIdxBarcode)
	if err != nil {
		return err
	}
	ext, err := t.bucket(bucketIdxExternal)
	if err != nil {
		return err
	}
	sums, err := t.bucket(bucketSummaries)
	if err != nil {
		return err
	}
	num, err := t.bucket(bucketIdxNumber)
	if err != nil {
		return err
	}
	return t.ForEachRequest(func(r domain.Request) error {
		s := r.Summary()
		id := []byte(r.ID)
		if k := numberKey(s); k != nil {
			if err := num.Put(k, id); err != nil {
				return err
			}
		}
		if k := barcodeKey(s); k != nil {
			if err := bc.Put(k, id); err != nil {
				return err
			}
		}
		if k := externalKey(s); k != nil {
			if err := ext.Put(k, id); err != nil {
				return err
			}
		}
		return sums.Put(id, storage.EncodeSummary(s))
	})
}

// Verify runs bbolt's consistency check over every page in use and the
// free list; it returns the first problems found, joined.
func (t *tx) Verify() error {
	var errs []error
	for err := range t.btx.Check() {
		if len(errs) < 5 {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RequestCount is the number of requests stored (counted from the
// summaries' pages, which a list reads next anyway).
func (t *tx) RequestCount() (int, error) {
	b, err := t.bucket(bucketSummaries)
	if err != nil {
		return 0, err
	}
	return b.Stats().KeyN, nil
}

// ForEachSummary calls fn for every request's summary in id (creation) order
// until fn returns an error, which it returns. fn must not put requests.
func (t *tx) ForEachSummary(fn func(domain.Summary) error) error {
	b, err := t.bucket(bucketSummaries)
	if err != nil {
		return err
	}
	defer releaseMapped(t.btx)
	return b.ForEach(func(k, v []byte) error {
		s, err := storage.DecodeSummary(v)
		if err != nil {
			return storage.DamagedValue("request summary", string(k), err)
		}
		return fn(s)
	})
}

// ForEachRequest calls fn for every request in id (creation) order until fn
// returns an error, which it returns. Inside Update, fn may put requests:
// the walk re-seeks after each call, so it stays valid (a request created
// with a later id is visited too).
func (t *tx) ForEachRequest(fn func(domain.Request) error) error {
	b, err := t.bucket(bucketRequests)
	if err != nil {
		return err
	}
	c := b.Cursor()
	k, v := c.First()
	for k != nil {
		key := string(k)
		r, err := storage.DecodeRequest(key, v)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		k, v = c.Seek([]byte(key))
		if k != nil && string(k) == key {
			k, v = c.Next()
		}
	}
	return nil
}

// Setting returns a stored setting, "" when unset.
func (t *tx) Setting(key string) (string, error) {
	b, err := t.bucket(bucketSettings)
	if err != nil {
		return "", err
	}
	if key == "" {
		return "", nil
	}
	return string(b.Get([]byte(key))), nil
}

// PutSetting stores a setting; the empty value is stored as is and reads back as unset.
func (t *tx) PutSetting(key, value string) error {
	if key == "" {
		return storage.ErrSettingName
	}
	b, err := t.bucket(bucketSettings)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), []byte(value))
}

// PutNotice creates or replaces the notice stored under n.ID.
func (t *tx) PutNotice(n domain.Notice) error {
	if n.ID == "" {
		return storage.ErrNoticeID
	}
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return err
	}
	v, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("storage: encode notice %s: %w", n.ID, err)
	}
	return b.Put([]byte(n.ID), v)
}

// Notice returns the notice with the id, or a refusal of kind ErrNotFound.
func (t *tx) Notice(id string) (domain.Notice, error) {
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return domain.Notice{}, err
	}
	var v []byte
	if id != "" {
		v = b.Get([]byte(id))
	}
	if v == nil {
		return domain.Notice{}, storage.NoticeNotFound(id)
	}
	return storage.DecodeNotice(id, v)
}

// Notices returns every notice in id (creation) order.
func (t *tx) Notices() ([]domain.Notice, error) {
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return nil, err
	}
	var out []domain.Notice
	err = b.ForEach(func(k, v []byte) error {
		n, err := storage.DecodeNotice(string(k), v)
		if err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// DeleteNotice removes the notice with the id; a missing notice is no error.
func (t *tx) DeleteNotice(id string) error {
	if id == "" {
		return nil
	}
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return err
	}
	return b.Delete([]byte(id))
}

// kindBucket is the bucket of one kind of record inside the records bucket,
// created on first write.
func (t *tx) kindBucket(kind string, create bool) (*bbolt.Bucket, error) {
	if kind == "" {
		return nil, storage.ErrRecordKind
	}
	root, err := t.bucket(bucketRecords)
	if err != nil {
		return nil, err
	}
	b := root.Bucket([]byte(kind))
	if b == nil && create {
		if b, err = root.CreateBucket([]byte(kind)); err != nil {
			return nil, err
		}
	}
	if b != nil {
		b.FillPercent = fillPercent
	}
	return b, nil
}

// PutRecord stores a record of a kind under id.
func (t *tx) PutRecord(kind, id string, value []byte) error {
	if id == "" {
		return storage.ErrRecordID
	}
	b, err := t.kindBucket(kind, true)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), value)
}

// Record returns a copy of the stored record, ok false when there is none.
func (t *tx) Record(kind, id string) ([]byte, bool, error) {
	b, err := t.kindBucket(kind, false)
	if err != nil || b == nil {
		return nil, false, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, false, nil
	}
	return bytes.Clone(v), true, nil
}

// Records calls fn for every record of a kind, in id order, with copies.
func (t *tx) Records(kind string, fn func(id string, value []byte) error) error {
	b, err := t.kindBucket(kind, false)
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		id := string(k)
		if err := fn(id, bytes.Clone(v)); err != nil {
			return err
		}
		c.Seek(k) // fn may have written; find our place again
	}
	return nil
}

// DeleteRecord removes a record; a missing one is no error.
func (t *tx) DeleteRecord(kind, id string) error {
	b, err := t.kindBucket(kind, false)
	if err != nil || b == nil {
		return err
	}
	return b.Delete([]byte(id))
}
