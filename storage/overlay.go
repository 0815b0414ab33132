package storage

import (
	"cmp"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// A committed write reaches bbolt's B+tree later than it reaches the disk:
// it is appended to the journal and synced (one small write next to the
// last one, the cheapest durable write there is), and its changes are kept
// in memory in the overlay, which every read sees over bbolt's pages. A
// checkpoint writes the overlay into bbolt in one ordinary transaction and
// starts the journal again. See journal.go and DB.Update.

// change is a key's new value in a bucket; a nil val deletes the key.
type change struct {
	key string
	val []byte
}

// layer is what a set of writes did to one bucket: each changed key's new
// value. A transaction's own layer keeps them in a map (vals), so that a
// large transaction adds keys in any order cheaply, and sorts them when a
// cursor needs them; a layer in an overlay has only the sorted changes and
// never changes again.
type layer struct {
	// emptied says the bucket was emptied first (Reindex): the keys bbolt
	// holds for it no longer count.
	emptied bool
	vals    map[string][]byte // nil in an overlay's layer
	changes []change          // in key order; for vals, when sorted says so
	sorted  bool
}

// get is key's new value, and whether the layer changed it.
func (l *layer) get(key []byte) ([]byte, bool) {
	if l.vals != nil {
		v, ok := l.vals[string(key)]
		return v, ok
	}
	if i, ok := slices.BinarySearchFunc(l.changes, key, byKey); ok {
		return l.changes[i].val, true
	}
	return nil, false
}

// set records key's new value (nil: deleted) in a transaction's own layer.
func (l *layer) set(key, val []byte) {
	if l.vals == nil {
		l.vals = map[string][]byte{}
	}
	if _, ok := l.vals[string(key)]; ok && l.sorted {
		i, _ := slices.BinarySearchFunc(l.changes, key, byKey)
		l.changes[i].val = val
	} else if !ok {
		l.sorted = false
	}
	l.vals[string(key)] = val
}

// sortedChanges is the layer's changes in key order.
func (l *layer) sortedChanges() []change {
	if l.vals != nil && !l.sorted {
		l.changes = l.changes[:0]
		for k, v := range l.vals {
			l.changes = append(l.changes, change{key: k, val: v})
		}
		slices.SortFunc(l.changes, func(a, b change) int { return strings.Compare(a.key, b.key) })
		l.sorted = true
	}
	return l.changes
}

// mergeChanges is under's changes with top's over them, both in key order.
func mergeChanges(under, top []change) []change {
	out := make([]change, 0, len(under)+len(top))
	i, j := 0, 0
	for i < len(under) && j < len(top) {
		switch c := strings.Compare(under[i].key, top[j].key); {
		case c < 0:
			out = append(out, under[i])
			i++
		case c > 0:
			out = append(out, top[j])
			j++
		default:
			out = append(out, top[j])
			i++
			j++
		}
	}
	out = append(out, under[i:]...)
	return append(out, top[j:]...)
}

func byKey(c change, k []byte) int { return strings.Compare(c.key, string(k)) }

// layers are the changed buckets by path: a top-level bucket's name, or
// "records" + pathSep + kind for a bucket of records. A layer, even an
// empty one, also says the bucket exists.
type layers map[string]*layer

// pathSep separates a nested bucket's name from its parent's in a path.
const pathSep = "\x00"

// size is the number of changes and the bytes of keys and values they hold.
func (ls layers) size() (n, bytes int) {
	for _, l := range ls {
		for _, c := range l.sortedChanges() {
			n++
			bytes += len(c.key) + len(c.val)
		}
	}
	return n, bytes
}

// overlay is the committed writes not yet in bbolt. It never changes once
// made: a commit makes a new one (with), so a read goes on with the one it
// started with.
type overlay struct {
	layers      layers
	keys, bytes int // size of the layers
}

// with is o with the writes in top applied after its own.
func (o *overlay) with(top layers) *overlay {
	next := &overlay{layers: make(layers, len(o.layers)+len(top)), keys: o.keys, bytes: o.bytes}
	for path, l := range o.layers {
		next.layers[path] = l
	}
	for path, t := range top {
		merged := &layer{emptied: t.emptied, changes: slices.Clone(t.sortedChanges())}
		under, ok := next.layers[path]
		if ok {
			n, size := layers{path: under}.size()
			next.keys, next.bytes = next.keys-n, next.bytes-size
			if !t.emptied {
				merged.emptied = under.emptied
				merged.changes = mergeChanges(under.changes, merged.changes)
			}
		}
		n, size := layers{path: merged}.size()
		next.keys, next.bytes = next.keys+n, next.bytes+size
		next.layers[path] = merged
	}
	return next
}

// lbucket is a bucket as a transaction sees it: bbolt's keys (base), under
// the overlay's changes (over), under the transaction's own (own, while it
// writes). Values it returns must not be changed by the caller.
type lbucket struct {
	t    *tx
	path string
	base *bolt.Bucket // nil when bbolt has no such bucket
}

// layers is the overlay's and the transaction's layer for the bucket
// (either may be nil), and whether bbolt's keys still count.
func (b *lbucket) layers() (over, own *layer, useBase bool) {
	over = b.t.over.layers[b.path]
	own = b.t.own[b.path]
	useBase = b.base != nil && (over == nil || !over.emptied) && (own == nil || !own.emptied)
	if own != nil && own.emptied {
		over = nil
	}
	return over, own, useBase
}

// Get is the value of key, nil when there is none.
func (b *lbucket) Get(key []byte) []byte {
	over, own, useBase := b.layers()
	for _, l := range []*layer{own, over} {
		if l == nil {
			continue
		}
		if v, ok := l.get(key); ok {
			return v
		}
	}
	if useBase {
		return b.base.Get(key)
	}
	return nil
}

// Put sets key to a copy of value, as bbolt's Bucket.Put would.
func (b *lbucket) Put(key, value []byte) error {
	switch {
	case b.t.own == nil:
		return berrors.ErrTxNotWritable
	case len(key) == 0:
		return berrors.ErrKeyRequired
	case len(key) > bolt.MaxKeySize:
		return berrors.ErrKeyTooLarge
	case int64(len(value)) > bolt.MaxValueSize:
		return berrors.ErrValueTooLarge
	}
	b.t.ownLayer(b.path).set(key, append(make([]byte, 0, len(value)), value...))
	return nil
}

// Delete removes key; a missing key is no error.
func (b *lbucket) Delete(key []byte) error {
	if b.t.own == nil {
		return berrors.ErrTxNotWritable
	}
	if b.Get(key) == nil {
		return nil
	}
	b.t.ownLayer(b.path).set(key, nil)
	return nil
}

// ForEach calls fn for every key and value in key order until fn returns an
// error. fn must not write to the bucket.
func (b *lbucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// KeyN is the number of keys in the bucket. It walks bbolt's pages for it.
func (b *lbucket) KeyN() int {
	over, own, useBase := b.layers()
	n := 0
	if useBase {
		n = b.base.Stats().KeyN
	}
	// every key a layer changed: count it as it is now, not as bbolt has it
	seen := map[string]bool{}
	for _, l := range []*layer{own, over} {
		if l == nil {
			continue
		}
		for _, c := range l.sortedChanges() {
			if seen[c.key] {
				continue
			}
			seen[c.key] = true
			if useBase && b.base.Get([]byte(c.key)) != nil {
				n--
			}
			if b.Get([]byte(c.key)) != nil {
				n++
			}
		}
	}
	return n
}

// Bucket is the nested bucket of the name, nil when there is none.
func (b *lbucket) Bucket(name []byte) *lbucket {
	path := b.path + pathSep + string(name)
	var base *bolt.Bucket
	if _, _, useBase := b.layers(); useBase {
		base = b.base.Bucket(name)
	}
	if base == nil && b.t.over.layers[path] == nil && b.t.own[path] == nil {
		return nil
	}
	return &lbucket{t: b.t, path: path, base: base}
}

// CreateBucket creates the nested bucket of the name.
func (b *lbucket) CreateBucket(name []byte) (*lbucket, error) {
	if b.t.own == nil {
		return nil, berrors.ErrTxNotWritable
	}
	if b.Bucket(name) != nil {
		return nil, berrors.ErrBucketExists
	}
	path := b.path + pathSep + string(name)
	b.t.ownLayer(path)
	return &lbucket{t: b.t, path: path}, nil
}

// Cursor walks the bucket's keys in order, as bbolt's cursor does: First,
// Seek and Next return nil at the end. After the transaction writes to the
// bucket, Seek again before Next.
func (b *lbucket) Cursor() *lcursor {
	c := &lcursor{b: b}
	if _, _, useBase := b.layers(); useBase {
		c.base = b.base.Cursor()
	}
	return c
}

// lcursor merges a bucket's layers with bbolt's keys.
type lcursor struct {
	b      *lbucket
	base   *bolt.Cursor // nil when bbolt's keys do not count
	bk, bv []byte       // where base is; bk nil at its end
	upper  []change     // the layers' changes, own over overlay's, in key order
	ui     int          // where the cursor is in upper
}

// First moves to the first key.
func (c *lcursor) First() ([]byte, []byte) {
	c.load()
	if c.base != nil {
		c.bk, c.bv = c.base.First()
	}
	c.ui = 0
	return c.settle()
}

// Seek moves to the first key at or after seek.
func (c *lcursor) Seek(seek []byte) ([]byte, []byte) {
	c.load()
	if c.base != nil {
		c.bk, c.bv = c.base.Seek(seek)
	}
	c.ui, _ = slices.BinarySearchFunc(c.upper, seek, byKey)
	return c.settle()
}

// Next moves to the next key.
func (c *lcursor) Next() ([]byte, []byte) {
	switch order := c.order(); {
	case order == 0 && c.bk == nil:
		return nil, nil // at the end
	case order <= 0 && c.ui < len(c.upper): // at an upper key, maybe bbolt's too
		if c.bk != nil && compareKey(c.bk, c.upper[c.ui].key) == 0 {
			c.bk, c.bv = c.base.Next()
		}
		c.ui++
	default: // at a key of bbolt's alone
		c.bk, c.bv = c.base.Next()
	}
	return c.settle()
}

// load takes the layers' changes as they are now.
func (c *lcursor) load() {
	over, own, _ := c.b.layers()
	switch {
	case own == nil && over == nil:
		c.upper = nil
	case own == nil:
		c.upper = over.changes
	case over == nil:
		c.upper = slices.Clone(own.sortedChanges())
	default:
		c.upper = mergeChanges(over.changes, own.sortedChanges())
	}
}

// order compares where the layers are with where bbolt is: below zero
// when the cursor is at the layers' key (alone or with bbolt's), above
// zero when at bbolt's alone, zero at the end or at the same key.
func (c *lcursor) order() int {
	switch {
	case c.ui >= len(c.upper) && c.bk == nil:
		return 0
	case c.ui >= len(c.upper):
		return 1
	case c.bk == nil:
		return -1
	}
	return -compareKey(c.bk, c.upper[c.ui].key)
}

// settle moves past deleted keys and returns the key the cursor is at.
func (c *lcursor) settle() ([]byte, []byte) {
	for {
		if c.ui >= len(c.upper) && c.bk == nil {
			return nil, nil
		}
		if c.ui < len(c.upper) && (c.bk == nil || compareKey(c.bk, c.upper[c.ui].key) >= 0) {
			ch := c.upper[c.ui]
			if ch.val != nil {
				return []byte(ch.key), ch.val
			}
			// deleted: step past it, in bbolt's keys too
			if c.bk != nil && compareKey(c.bk, ch.key) == 0 {
				c.bk, c.bv = c.base.Next()
			}
			c.ui++
			continue
		}
		return c.bk, c.bv
	}
}

// compareKey compares a key of bbolt's with a layer's, as bytes.Compare
// does, without making a copy of either: a cursor compares every key of
// bbolt's it passes while the layers have keys after it.
func compareKey(b []byte, s string) int {
	for i := range min(len(b), len(s)) {
		if b[i] != s[i] {
			if b[i] < s[i] {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(b), len(s))
}
