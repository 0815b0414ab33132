package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/illdesk/illdesk/storage"
)

// Earlier versions of ILL Desk committed each write to a journal file
// beside the database (its path + "-journal") and brought it into bbolt
// later. A database such a version had open when its process ended may
// have committed writes in that file only: Open brings them in once, in
// one bbolt transaction, and removes the file. The file holds one record
// per commit:
//
//	length  uint32   of the payload
//	crc     uint32   CRC-32C of generation, seq and payload
//	gen     uint64   the checkpoint generation the record follows
//	seq     uint64   1 for the first record after that checkpoint, then 2, ...
//	payload          the changed buckets (see applyRecord)
//
// The meta bucket's "journal" key (8 bytes, little-endian) is the
// generation of the records that follow what bbolt holds. Records of
// another generation, and anything after the first record that does not
// follow (a torn write, the zeros the file was written ahead with), were
// already in bbolt or never committed.

// headerSize is a record's length, crc, gen and seq.
const headerSize = 24

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// keyJournal in the meta bucket is the generation of the journal records
// that follow what bbolt holds.
var keyJournal = []byte("journal")

// journalPathFor is the journal file an earlier version kept for the
// database at dbPath.
func journalPathFor(dbPath string) string { return dbPath + "-journal" }

// bringInJournal applies the committed records of the journal beside the
// database, if there is one, then removes the file.
func (db *DB) bringInJournal() error {
	jpath := journalPathFor(db.path)
	data, err := os.ReadFile(jpath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return storage.SystemError(db.path, fmt.Errorf("cannot read the journal %s: %w", jpath, err))
	}
	err = db.write(func(btx *bbolt.Tx) error {
		meta := btx.Bucket(bucketMeta)
		var gen uint64
		if v := meta.Get(keyJournal); len(v) == 8 {
			gen = binary.LittleEndian.Uint64(v)
		}
		for _, rec := range readRecords(data, gen) {
			if err := applyRecord(btx, rec); err != nil {
				return damagedDB(db.path, "its journal "+err.Error())
			}
		}
		return meta.Delete(keyJournal)
	})
	if err != nil {
		return storage.SystemError(db.path, err)
	}
	// bbolt's commit is synced: the journal's writes are safe in the file.
	if err := os.Remove(jpath); err != nil {
		return storage.SystemError(db.path, fmt.Errorf("cannot remove the journal %s: %w", jpath, err))
	}
	if err := storage.SyncDir(filepath.Dir(jpath)); err != nil {
		return storage.SystemError(db.path, fmt.Errorf("cannot save the folder of %s to disk: %w", jpath, err))
	}
	return nil
}

// readRecords is the payloads of the records of generation gen at the start
// of data, up to the first that is not the next one.
func readRecords(data []byte, gen uint64) [][]byte {
	var out [][]byte
	for seq := uint64(1); len(data) >= headerSize; seq++ {
		n := binary.LittleEndian.Uint32(data[0:])
		sum := binary.LittleEndian.Uint32(data[4:])
		if binary.LittleEndian.Uint64(data[8:]) != gen || binary.LittleEndian.Uint64(data[16:]) != seq ||
			uint64(len(data)-headerSize) < uint64(n) || crc32.Checksum(data[8:headerSize+int(n)], castagnoli) != sum {
			break
		}
		out = append(out, data[headerSize:headerSize+int(n)])
		data = data[headerSize+int(n):]
	}
	return out
}

// journalPathSep separates a nested bucket's name from its parent's in a
// record's bucket path ("records" + sep + kind).
const journalPathSep = "\x00"

// applyRecord makes one record's changes in bbolt. A payload is, for each
// changed bucket in path order: its path, whether it was emptied first (1
// byte), and its changes in key order, each a key, whether it is deleted
// (1 byte) and, when not, the value. Counts and lengths are uvarints.
func applyRecord(btx *bbolt.Tx, payload []byte) error {
	r := &byteReader{b: payload}
	for range r.uvarint() {
		path, emptied := string(r.bytes()), r.byte() == 1
		if r.err != nil {
			break
		}
		b, err := journalBucket(btx, path, emptied)
		if err != nil {
			return err
		}
		for range r.uvarint() {
			k, deleted := r.bytes(), r.byte() == 1
			var v []byte
			if !deleted {
				v = r.bytes()
			}
			if r.err != nil {
				break
			}
			if deleted {
				err = b.Delete(k)
			} else {
				err = b.Put(k, v)
			}
			if err != nil {
				return err
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return fmt.Errorf("record: %w", r.err)
	}
	return nil
}

// journalBucket is the bucket at a record's path, created when missing and
// emptied first when the record says so.
func journalBucket(btx *bbolt.Tx, path string, emptied bool) (*bbolt.Bucket, error) {
	parent, name, nested := strings.Cut(path, journalPathSep)
	var b *bbolt.Bucket
	var err error
	if !nested {
		if emptied {
			if err = btx.DeleteBucket([]byte(parent)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return nil, err
			}
		}
		b, err = btx.CreateBucketIfNotExists([]byte(parent))
	} else {
		var pb *bbolt.Bucket
		if pb, err = btx.CreateBucketIfNotExists([]byte(parent)); err != nil {
			return nil, err
		}
		if emptied {
			if err = pb.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return nil, err
			}
		}
		b, err = pb.CreateBucketIfNotExists([]byte(name))
	}
	if err != nil {
		return nil, err
	}
	b.FillPercent = fillPercent
	return b, nil
}

// byteReader reads a record's parts, keeping the first error.
type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("bad length")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *byteReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if uint64(len(r.b)) < n {
		r.err = errors.New("cut short")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *byteReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errors.New("cut short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
