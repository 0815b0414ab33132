package storage

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// summaryFormat is the first byte of an encoded summary; a new layout takes a new number.
const summaryFormat = 1

// EncodeSummary writes a summary compactly: its strings length-prefixed and
// its times as Unix nanoseconds (0 for the zero time), so that 100,000 of
// them decode in a few tens of milliseconds.
func EncodeSummary(s domain.Summary) []byte {
	b := make([]byte, 0, 160+len(s.Title)+len(s.ArticleTitle))
	b = append(b, summaryFormat)
	for _, f := range []string{s.ID, string(s.Side), s.ExternalID, s.Partner, string(s.State), string(s.Format),
		s.Title, s.ArticleTitle, s.Requester, s.Pickup, s.ItemBarcode, s.PickTarget} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	for _, t := range []time.Time{s.Created, s.Deadline, s.DueDate, s.Since} {
		var n int64
		if !t.IsZero() {
			n = t.UnixNano()
		}
		b = binary.AppendVarint(b, n)
	}
	// A borrowing request's lender flags and deadline follow only when
	// set or when the request's number follows them, so that summaries
	// written before numbers existed read as they were.
	if s.Flags != "" || !s.LenderDeadline.IsZero() || s.RequestNumber != "" {
		b = binary.AppendUvarint(b, uint64(len(s.Flags)))
		b = append(b, s.Flags...)
		var n int64
		if !s.LenderDeadline.IsZero() {
			n = s.LenderDeadline.UnixNano()
		}
		b = binary.AppendVarint(b, n)
	}
	if s.RequestNumber != "" {
		b = binary.AppendUvarint(b, uint64(len(s.RequestNumber)))
		b = append(b, s.RequestNumber...)
	}
	return b
}

// ErrSummaryDamaged is returned for a summary that cannot be read.
var ErrSummaryDamaged = errors.New("storage: a request summary is damaged")

// DecodeSummary reads what EncodeSummary wrote. Its strings share one
// allocation, a copy of v, so they never alias a store's memory (bbolt's
// memory map).
func DecodeSummary(v []byte) (domain.Summary, error) {
	var s domain.Summary
	if len(v) == 0 || v[0] != summaryFormat {
		return s, ErrSummaryDamaged
	}
	data := string(v)
	pos := 1
	var side, state, format string
	for _, f := range []*string{&s.ID, &side, &s.ExternalID, &s.Partner, &state, &format,
		&s.Title, &s.ArticleTitle, &s.Requester, &s.Pickup, &s.ItemBarcode, &s.PickTarget} {
		n, w := binary.Uvarint(v[pos:])
		if w <= 0 || uint64(len(v)-pos-w) < n {
			return s, ErrSummaryDamaged
		}
		pos += w
		*f = data[pos : pos+int(n)]
		pos += int(n)
	}
	s.Side, s.State, s.Format = domain.Side(side), domain.State(state), domain.Format(format)
	for _, t := range []*time.Time{&s.Created, &s.Deadline, &s.DueDate, &s.Since} {
		n, w := binary.Varint(v[pos:])
		if w <= 0 {
			return s, ErrSummaryDamaged
		}
		pos += w
		if n != 0 {
			*t = time.Unix(0, n)
		}
	}
	if pos == len(v) {
		return s, nil
	}
	n, w := binary.Uvarint(v[pos:])
	if w <= 0 || uint64(len(v)-pos-w) < n {
		return s, ErrSummaryDamaged
	}
	pos += w
	s.Flags = data[pos : pos+int(n)]
	pos += int(n)
	d, w := binary.Varint(v[pos:])
	if w <= 0 {
		return s, ErrSummaryDamaged
	}
	pos += w
	if d != 0 {
		s.LenderDeadline = time.Unix(0, d)
	}
	if pos == len(v) {
		return s, nil
	}
	n, w = binary.Uvarint(v[pos:])
	if w <= 0 || n == 0 || uint64(len(v)-pos-w) != n {
		return s, ErrSummaryDamaged
	}
	s.RequestNumber = data[pos+w:]
	return s, nil
}
