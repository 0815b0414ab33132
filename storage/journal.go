package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// The journal is a file beside the database (its path + "-journal") that
// holds the writes committed since the last checkpoint, one record each:
//
//	length  uint32   of the payload
//	crc     uint32   CRC-32C of generation, seq and payload
//	gen     uint64   the checkpoint generation the record follows
//	seq     uint64   1 for the first record after that checkpoint, then 2, ...
//	payload          the changed buckets (encodeLayers)
//
// The file is written ahead of its end with zeros, so a record overwrites
// bytes already there and syncing it writes no file metadata. Each
// checkpoint stores a new random generation in bbolt (keyJournal) and
// starts writing at the start of the file again; records of an older
// generation, and anything after the first record that does not follow
// (a torn write, zeros), are not replayed.

// journalChunk is how much the journal file grows by when a record does not
// fit: written with zeros and synced once.
const journalChunk = 1 << 20

// headerSize is a record's length, crc, gen and seq.
const headerSize = 24

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// journal is the journal file of an open database. The file is made on
// the first write and kept, a megabyte of it written ahead, for the next.
type journal struct {
	path string
	f    *os.File // nil until the file exists
	off  int64    // where the next record goes
	size int64    // the file's length
}

// journalPathFor is the journal file of the database at dbPath.
func journalPathFor(dbPath string) string { return dbPath + "-journal" }

// openJournal opens the journal at path, if there is one, and returns it
// with the payloads of the records of generation gen it holds, in order.
func openJournal(path string, gen uint64) (*journal, [][]byte, error) {
	j := &journal{path: path}
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the journal %s: %w", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("cannot read the journal %s: %w", path, err)
	}
	j.f, j.size = f, int64(len(data))
	return j, readRecords(data, gen), nil
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

// appendRecord writes the record of generation gen and number seq and syncs
// it: when it returns nil the record survives a crash or power loss.
func (j *journal) appendRecord(gen, seq uint64, payload []byte) error {
	rec := make([]byte, headerSize+len(payload))
	binary.LittleEndian.PutUint32(rec[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(rec[8:], gen)
	binary.LittleEndian.PutUint64(rec[16:], seq)
	copy(rec[headerSize:], payload)
	binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(rec[8:], castagnoli))
	if j.f == nil {
		if err := j.create(); err != nil {
			return err
		}
	}
	if end := j.off + int64(len(rec)); end > j.size {
		if err := j.grow(end); err != nil {
			return err
		}
	}
	if _, err := j.f.WriteAt(rec, j.off); err != nil {
		return fmt.Errorf("cannot write the journal %s: %w", j.path, err)
	}
	if err := fdatasync(j.f); err != nil {
		return fmt.Errorf("cannot save the journal %s to disk: %w", j.path, err)
	}
	j.off += int64(len(rec))
	return nil
}

// create makes the journal file, and syncs its folder so that the file
// itself survives a power loss along with what is written to it.
func (j *journal) create() error {
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create the journal %s: %w", j.path, err)
	}
	if err := syncDir(filepath.Dir(j.path)); err != nil {
		_ = f.Close()
		return fmt.Errorf("cannot save the journal %s to disk: %w", j.path, err)
	}
	j.f, j.off, j.size = f, 0, 0
	return nil
}

// grow lengthens the file with zeros to hold end bytes, rounded up to a
// chunk, and syncs it, length included.
func (j *journal) grow(end int64) error {
	size := (end + journalChunk - 1) / journalChunk * journalChunk
	if _, err := j.f.WriteAt(make([]byte, size-j.size), j.size); err != nil {
		return fmt.Errorf("cannot make room in the journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("cannot save the journal %s to disk: %w", j.path, err)
	}
	j.size = size
	return nil
}

// restart has the next record go at the start of the file. Call it once a
// checkpoint with a new generation is committed: the records there now are
// of an older one.
func (j *journal) restart() { j.off = 0 }

// close closes the file.
func (j *journal) close() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// encodeLayers is the journal payload of a commit's changes: for each
// bucket, in path order, its path, whether it was emptied first, and its
// changes, each a key and either a value or a deletion.
func encodeLayers(ls layers) []byte {
	var b []byte
	paths := make([]string, 0, len(ls))
	for p := range ls {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	b = binary.AppendUvarint(b, uint64(len(paths)))
	for _, p := range paths {
		l := ls[p]
		b = appendBytes(b, []byte(p))
		b = append(b, boolByte(l.emptied))
		changes := l.sortedChanges()
		b = binary.AppendUvarint(b, uint64(len(changes)))
		for _, c := range changes {
			b = appendBytes(b, []byte(c.key))
			b = append(b, boolByte(c.val == nil))
			if c.val != nil {
				b = appendBytes(b, c.val)
			}
		}
	}
	return b
}

// decodeLayers reads what encodeLayers wrote.
func decodeLayers(b []byte) (layers, error) {
	r := &byteReader{b: b}
	ls := layers{}
	n := r.uvarint()
	for range n {
		if r.err != nil {
			break
		}
		p := string(r.bytes())
		l := &layer{emptied: r.byte() == 1}
		m := r.uvarint()
		for range m {
			if r.err != nil {
				break
			}
			k := r.bytes()
			var v []byte
			if r.byte() == 0 {
				v = slices.Clone(r.bytes())
				if v == nil {
					v = []byte{}
				}
			}
			l.set(k, v)
		}
		ls[p] = l
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return nil, fmt.Errorf("storage: journal record: %w", r.err)
	}
	return ls, nil
}

func appendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// byteReader reads encodeLayers' parts, keeping the first error.
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
