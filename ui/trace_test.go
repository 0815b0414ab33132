package ui

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// tracedScan is a line of the scan trace as scripts read it.
type tracedScan struct {
	Code      string  `json:"code"`
	OK        bool    `json:"ok"`
	Key       float64 `json:"key_ms"`
	Committed float64 `json:"committed_ms"`
	Drawn     float64 `json:"drawn_ms"`
}

// readTrace parses every line of a trace file; each must be whole JSON.
func readTrace(t *testing.T, path string) []tracedScan {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []tracedScan
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l tracedScan
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "line %q", sc.Text())
		out = append(out, l)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestScanTraceWritesALinePerScan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	tr := newScanTrace(f)
	at := time.UnixMicro(1_796_601_234_567_123)
	tr.record("392000000042", true, at, at.Add(1500*time.Microsecond), at.Add(4*time.Millisecond))
	// a line is on disk as soon as it is recorded, before the trace is closed
	lines := readTrace(t, path)
	require.Len(t, lines, 1)
	assert.Equal(t, tracedScan{Code: "392000000042", OK: true, Key: 1796601234567.123,
		Committed: 1796601234568.623, Drawn: 1796601234571.123}, lines[0])

	tr.record(`odd "code"`+"\t", false, at, at, at)
	require.NoError(t, tr.close())
	require.NoError(t, tr.close(), "closing twice does nothing")
	tr.record("after close", true, at, at, at)
	lines = readTrace(t, path)
	require.Len(t, lines, 2, "nothing is written after close")
	assert.Equal(t, `odd "code"`+"\t", lines[1].Code)
	assert.False(t, lines[1].OK)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"key_ms":1796601234567.123,`, "times are Unix milliseconds to the microsecond")
}

func TestSubmitScanWithTracingWritesOrderedTimes(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	file, err := os.Create(path)
	require.NoError(t, err)
	start := time.Now()
	// not f.open: this test closes the window itself
	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester", Trace: file})
	mw.Wait()
	mw.spawn = func(fn func()) { fn() }
	mw.scan.SetStation(mainDesk)
	scanInto(mw, "39200001")     // onto the hold shelf
	scanInto(mw, "NO-SUCH-CODE") // refused
	mw.scan.SubmitScan("")       // not a scan: opens the highlighted request
	end := time.Now()

	lines := readTrace(t, path)
	require.Len(t, lines, 2, "a line per scan")
	assert.Equal(t, "39200001", lines[0].Code)
	assert.True(t, lines[0].OK)
	assert.Equal(t, "NO-SUCH-CODE", lines[1].Code)
	assert.False(t, lines[1].OK)
	ms := func(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }
	for _, l := range lines {
		assert.LessOrEqual(t, ms(start), l.Key, l.Code)
		assert.LessOrEqual(t, l.Key, l.Committed, l.Code)
		assert.LessOrEqual(t, l.Committed, l.Drawn, l.Code)
		assert.LessOrEqual(t, l.Drawn, ms(end), l.Code)
	}
	assert.LessOrEqual(t, lines[0].Drawn, lines[1].Key)

	mw.Window().Close()
	_, err = file.Write([]byte("x"))
	assert.ErrorIs(t, err, os.ErrClosed, "closing the window closes the trace")
}
