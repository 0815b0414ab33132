package preflight

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/filter"

	"github.com/illdesk/illdesk/domain"
)

// Limits of one check. A file beyond them is rejected with ReasonNotChecked
// instead of being read: pdfcpu holds the whole cross-reference table and
// every object in memory, so the work a file makes grows with its size and
// its number of objects, and a damaged file can make it loop for a long time.
const (
	// DefaultMaxBytes is the largest file checked: 500 MB (decimal, as
	// domain.HumanBytes shows sizes to staff). Partners take far less (e-mail
	// delivery stops at 10–25 MB, the delivery platforms at a few hundred MB),
	// and a 300-page greyscale scan at 300 dpi is about 100 MB.
	DefaultMaxBytes int64 = 500_000_000
	// DefaultMaxObjects bounds the objects and cross-reference entries of a
	// file: 250,000. A scan has a handful per page and a long born-digital
	// book some tens of thousands; pdfcpu needs a few hundred bytes of memory
	// for each cross-reference entry alone.
	DefaultMaxObjects = 250_000
	// DefaultMaxDecodedBytes bounds what one compressed stream may unpack to
	// while the file is checked: 250 MB, more than an uncompressed 600 dpi
	// A3 colour page. A small stream that unpacks to gigabytes (a "zip
	// bomb") is refused before it fills the memory.
	DefaultMaxDecodedBytes int64 = 250_000_000
	// DefaultTimeout is how long a check may take: 30 seconds. A 50 MB scan
	// takes well under a second.
	DefaultTimeout = 30 * time.Second
)

// maxEntryLine is the longest line counted as a cross-reference entry; a
// standard entry is 20 bytes.
const maxEntryLine = 64

// limits are a Checker's limits with the defaults filled in.
type limits struct {
	maxBytes   int64
	maxObjects int
	maxDecoded int64
	timeout    time.Duration
}

func (c *Checker) limits() limits {
	l := limits{maxBytes: c.MaxBytes, maxObjects: c.MaxObjects, maxDecoded: c.MaxDecodedBytes, timeout: c.Timeout}
	if l.maxBytes <= 0 {
		l.maxBytes = DefaultMaxBytes
	}
	if l.maxObjects <= 0 {
		l.maxObjects = DefaultMaxObjects
	}
	if l.maxDecoded <= 0 {
		l.maxDecoded = DefaultMaxDecodedBytes
	}
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	return l
}

// errTooComplex reports a file beyond the object or decoding limits.
var errTooComplex = errors.New("file beyond the preflight limits")

// isLimitError reports whether err is a file beyond the limits: ours, or one
// of pdfcpu's resource limits (the decode limit is the only one with a
// sentinel; the others are only told apart by their wording). pdfcpu's
// stream length limit is the file size (see newConfig): a stream longer than
// the file is damage, not a limit.
func isLimitError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errTooComplex) || errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"exceeds limit", "limit exceeded"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// notChecked rejects a file that could not be checked within the limits.
func notChecked(rep domain.PreflightReport, why string) domain.PreflightReport {
	rep.Pages = 0
	return reject(rep, ReasonNotChecked, "The file could not be checked: "+why+
		". Export or scan the PDF again (at a lower resolution or in parts if it is very large), then add the new file.")
}

func tooLarge(rep domain.PreflightReport, size, limit int64) domain.PreflightReport {
	return notChecked(rep, fmt.Sprintf("at %s it is larger than the %s ILL Desk can check", domain.HumanBytes(size), domain.HumanBytes(limit)))
}

func tooSlow(rep domain.PreflightReport, limit time.Duration) domain.PreflightReport {
	return notChecked(rep, "checking it took longer than "+durationText(limit)+", so it is probably damaged or unusually complex")
}

func tooComplex(rep domain.PreflightReport) domain.PreflightReport {
	return notChecked(rep, "it has more objects, or compressed parts that unpack to more data, than ILL Desk can check safely")
}

// durationText writes a limit for staff: whole seconds, or Go's notation
// for the sub-second limits tests use.
func durationText(d time.Duration) string {
	switch {
	case d == time.Second:
		return "1 second"
	case d > time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
}

// census is what countObjects found in a file.
type census struct {
	entries int // lines shaped like a cross-reference entry: three fields, the last "n" or "f"
	objects int // "obj" keywords after white space, as in "12 0 obj"
}

// over reports whether either count passes limit.
func (c census) over(limit int) bool { return c.entries > limit || c.objects > limit }

// countObjects reads r once, with a fixed-size buffer, and counts what
// pdfcpu keeps an entry in memory for: cross-reference entry lines and
// object headers. Objects packed in compressed object streams are not seen
// here; pdfcpu's own limits and the check after reading cover them. It
// stops early once a count passes limit, and when ctx is done.
func countObjects(ctx context.Context, r io.Reader, limit int) (census, error) {
	const keep = 4 // bytes of the previous chunk kept in front of the next
	var (
		cs  counter
		buf = make([]byte, keep+64<<10)
	)
	copy(buf, "xxxx") // no white space: nothing before the start counts
	for {
		if err := ctx.Err(); err != nil {
			return cs.census, err
		}
		n, err := io.ReadFull(r, buf[keep:])
		cs.objects += countObj(buf[:keep+n], keep)
		cs.lines(buf[keep : keep+n])
		if cs.over(limit) {
			return cs.census, nil
		}
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			cs.endLine()
			return cs.census, nil
		case err != nil:
			return cs.census, err
		}
		copy(buf, buf[keep+n-keep:keep+n])
	}
}

// countObj counts the "obj" keywords after white space in b that end at or
// after from (those before were counted with the previous chunk).
func countObj(b []byte, from int) int {
	n := 0
	for i := 1; ; {
		j := bytes.Index(b[i:], []byte("obj"))
		if j < 0 {
			return n
		}
		i += j
		if i+2 >= from && isWhite(b[i-1]) {
			n++
		}
		i += 3
	}
}

// isWhite reports PDF white space.
func isWhite(b byte) bool {
	switch b {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

// counter splits a stream of chunks into lines (ended by CR or LF, as
// pdfcpu reads them) and counts the cross-reference entry lines.
type counter struct {
	census
	line []byte // the current line so far, while it is short enough to be an entry
	long bool   // the current line is longer than maxEntryLine
}

func (c *counter) lines(p []byte) {
	lf, cr := -2, -2 // the next LF and CR in p: -2 not looked for yet, -1 none
	for start := 0; start < len(p); {
		if lf != -1 && lf < start {
			lf = indexFrom(p, start, '\n')
		}
		if cr != -1 && cr < start {
			cr = indexFrom(p, start, '\r')
		}
		eol := lf
		if eol < 0 || (cr >= 0 && cr < eol) {
			eol = cr
		}
		if eol < 0 {
			c.add(p[start:])
			return
		}
		c.add(p[start:eol])
		c.endLine()
		start = eol + 1
	}
}

func indexFrom(p []byte, from int, b byte) int {
	i := bytes.IndexByte(p[from:], b)
	if i < 0 {
		return -1
	}
	return from + i
}

func (c *counter) add(b []byte) {
	if c.long {
		return
	}
	if len(c.line)+len(b) > maxEntryLine {
		c.long, c.line = true, c.line[:0]
		return
	}
	c.line = append(c.line, b...)
}

func (c *counter) endLine() {
	if !c.long && isEntry(c.line) {
		c.entries++
	}
	c.line, c.long = c.line[:0], false
}

// isEntry reports whether a line is read as a cross-reference entry: three
// fields (split as pdfcpu splits them) and the last one "n" or "f".
func isEntry(line []byte) bool {
	t := bytes.TrimRightFunc(line, unicode.IsSpace)
	if len(t) < 5 || (t[len(t)-1] != 'n' && t[len(t)-1] != 'f') {
		return false // the quick test that rules out almost every line
	}
	// Count the fields as bytes.Fields splits them, without allocating.
	fields, inField, last := 0, false, 0
	for i := 0; i < len(t); {
		r, n := utf8.DecodeRune(t[i:])
		if unicode.IsSpace(r) {
			inField = false
		} else {
			if !inField {
				fields, last = fields+1, i
			}
			inField = true
		}
		i += n
	}
	return fields == 3 && last == len(t)-1
}
