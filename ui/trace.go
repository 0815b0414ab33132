package ui

import (
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// scanTrace appends one JSON line per scan to a file, for measuring how
// quickly the window answers a scanner (scripts/perf-window.sh reads it):
//
//	{"code":"392000000042","ok":true,"key_ms":1796601234567.123,"committed_ms":1796601234568.301,"drawn_ms":1796601234571.950}
//
// Times are Unix milliseconds, to the microsecond. key_ms is when the scan
// bar handed over the code (its Return), committed_ms when the desk had
// answered it (the change committed, or the refusal made), drawn_ms when
// the result banner had been updated on Fyne's goroutine, the moment the
// next frame can show it. ok is false for a refused scan.
//
// Each line is made in memory and written with one write as it is
// recorded, so that a trace read while the window runs, or left by a window
// that was killed, ends with a whole line. Use it on Fyne's goroutine only.
type scanTrace struct {
	w      io.WriteCloser
	closed bool
}

// newScanTrace traces scans into w, which close closes.
func newScanTrace(w io.WriteCloser) *scanTrace { return &scanTrace{w: w} }

// traceLine is one scan in the trace.
type traceLine struct {
	Code      string      `json:"code"`
	OK        bool        `json:"ok"`
	Key       json.Number `json:"key_ms"`
	Committed json.Number `json:"committed_ms"`
	Drawn     json.Number `json:"drawn_ms"`
}

// record writes the line of one scan. A trace that cannot be written is
// given up silently: it must never stand in the way of a scan.
func (t *scanTrace) record(code string, ok bool, key, committed, drawn time.Time) {
	if t.closed {
		return
	}
	b, err := json.Marshal(traceLine{Code: code, OK: ok, Key: unixMillis(key), Committed: unixMillis(committed), Drawn: unixMillis(drawn)})
	if err != nil {
		return
	}
	_, _ = t.w.Write(append(b, '\n'))
}

// close closes the file; later scans are not traced. Closing twice does
// nothing.
func (t *scanTrace) close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.w.Close()
}

// unixMillis is t as Unix milliseconds with three decimals: a float64
// holds today's times to a quarter of a microsecond.
func unixMillis(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMicro())/1000, 'f', 3, 64))
}
