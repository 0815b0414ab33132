package preflight

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestCountObjects(t *testing.T) {
	entry := "0000000009 00000 n \n"
	chunk := 64 << 10
	for _, tc := range []struct {
		name             string
		data             string
		entries, objects int
	}{
		{"empty", "", 0, 0},
		{"one object", "1 0 obj\n<< >>\nendobj\n", 0, 1},
		{"endobj is no object", "endobj endobj\nendobj", 0, 0},
		{"obj inside a word is no object", "objective 1 0 nobj", 0, 0},
		{"header at the very start is not counted", "obj 2 0 obj", 0, 1},
		{"entries with LF", strings.Repeat(entry, 3), 3, 0},
		{"entries with CRLF", strings.Repeat("0000000009 00000 n\r\n", 3), 3, 0},
		{"entries with CR only", strings.Repeat("0000000009 00000 f\r", 3), 3, 0},
		{"last line without an end", "0000000009 00000 n", 1, 0},
		{"loose entry, as pdfcpu reads it", "  9 0   n  \n", 1, 0},
		{"split by no-break spaces, as strings.Fields splits", "9\u00a00\u00a0n\n", 1, 0},
		{"two fields", "00000 n\n", 0, 0},
		{"four fields", "0 0 100 re f\n", 0, 0},
		{"other last field", "0000000009 00000 x\n", 0, 0},
		{"long last field", "0000000009 00000 nn\n", 0, 0},
		{"over-long line", strings.Repeat(" ", 100) + "0000000009 00000 n\n", 0, 0},
		{"entry across a chunk boundary", strings.Repeat("x", chunk-10) + "\n" + entry, 1, 0},
		{"object across a chunk boundary", strings.Repeat("x", chunk-3) + " ob" + "j", 0, 1},
		{"object just after a chunk boundary", strings.Repeat("x", chunk-1) + " obj", 0, 1},
		{"object just before a chunk boundary", strings.Repeat("x", chunk-4) + " obj" + "x", 0, 1},
		{"long binary line across a boundary", strings.Repeat("\xff", 3*chunk) + "\n" + entry, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := countObjects(context.Background(), strings.NewReader(tc.data), 1<<30)
			require.NoError(t, err)
			assert.Equal(t, census{entries: tc.entries, objects: tc.objects}, c)
		})
	}

	t.Run("corpus", func(t *testing.T) {
		for file, want := range map[string]census{
			"valid_text_1page.pdf":  {entries: 8, objects: 7},
			"valid_scan_3pages.pdf": {entries: 13, objects: 12},
		} {
			data, err := os.ReadFile(filepath.Join("testdata", "pdf", file))
			require.NoError(t, err)
			c, err := countObjects(context.Background(), bytes.NewReader(data), 1<<30)
			require.NoError(t, err)
			assert.Equal(t, want, c, file)
		}
	})

	t.Run("stops past the limit", func(t *testing.T) {
		c, err := countObjects(context.Background(), strings.NewReader(strings.Repeat(entry, 100_000)), 10)
		require.NoError(t, err)
		assert.True(t, c.over(10))
		assert.Less(t, c.entries, 100_000)
	})

	t.Run("stops when the context is done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := countObjects(ctx, strings.NewReader(entry), 10)
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("read error", func(t *testing.T) {
		boom := errors.New("disk gone")
		_, err := countObjects(context.Background(), io.MultiReader(strings.NewReader(entry), iotestErr{boom}), 10)
		assert.ErrorIs(t, err, boom)
	})
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

func TestIsLimitError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("xref table: corrupt xref subsection"), false},
		{errTooComplex, true},
		{fmt.Errorf("%w: 3 objects", errTooComplex), true},
		{filter.ErrDecodeLimitExceeded, true},
		{fmt.Errorf("xref table: %w", filter.ErrDecodeLimitExceeded), true},
		{errors.New("object stream obj#4: parse dictionary: object stream N 5000 exceeds limit 1000"), true},
		{errors.New("xref table: xref entry count 20000000 exceeds limit 250000"), true},
		{errors.New("object buffer limit exceeded"), true},
		{errors.New("stream length 99999999999 exceeds maximum supported length 5000"), false}, // longer than the file
		{errors.New("parse: array depth 101 exceeds limit 100: max recursion depth exceeded"), true},
	} {
		assert.Equal(t, tc.want, isLimitError(tc.err), "%v", tc.err)
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:        "30 seconds",
		time.Second:             "1 second",
		2 * time.Minute:         "120 seconds",
		time.Nanosecond:         "1ns",
		1500 * time.Millisecond: "1.5s",
	} {
		assert.Equal(t, want, durationText(d))
	}
}

// TestTimeLimitDoesNotWait: a pdfcpu read that never ends does not hold up
// Preflight past the Timeout.
func TestTimeLimitDoesNotWait(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := New()
	c.Timeout = time.Millisecond
	c.read = func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
		<-release
		return nil, errors.New("too late")
	}
	rep := c.Preflight(filepath.Join("testdata", "pdf", "valid_text_1page.pdf"))
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, ReasonNotChecked, rep.Reason)
	assert.Contains(t, rep.Message, "took longer than 1ms")
	assert.Zero(t, rep.Pages)
}

// TestPdfcpuLimitsAreNotChecked: pdfcpu's limit errors, from reading or
// validating, are "not checked", not "cut off" or "damaged".
func TestPdfcpuLimitsAreNotChecked(t *testing.T) {
	valid := filepath.Join("testdata", "pdf", "valid_text_1page.pdf")
	for _, tc := range []struct {
		name     string
		read     func(io.ReadSeeker, *model.Configuration) (*model.Context, error)
		validate func(*model.Context) error
	}{
		{"read: xref entries", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			return nil, errors.New("xref table: xref entry count 20000000 exceeds limit 250000")
		}, nil},
		{"read: decoding", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			return nil, fmt.Errorf("xref table: %w", filter.ErrDecodeLimitExceeded)
		}, nil},
		{"validate: decoding", api.ReadContext, func(*model.Context) error {
			return fmt.Errorf("validate content: %w", filter.ErrDecodeLimitExceeded)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			c.read = tc.read
			c.validate = tc.validate
			rep := c.Preflight(valid)
			assert.Equal(t, domain.VerdictReject, rep.Verdict)
			assert.Equal(t, ReasonNotChecked, rep.Reason, rep.Message)
			assert.Zero(t, rep.Pages)
		})
	}
}

// TestConfigFollowsLimits: pdfcpu's resource limits are the Checker's.
func TestConfigFollowsLimits(t *testing.T) {
	conf := newConfig((&Checker{MaxBytes: 1000, MaxObjects: 20, MaxDecodedBytes: 300}).limits(), 800)
	assert.Equal(t, int64(800), conf.Limits.MaxStreamBytes, "no stream is longer than the file")
	assert.Equal(t, int64(300), conf.Limits.MaxDecodeBytes)
	assert.Equal(t, 20, conf.Limits.MaxObjectCount)
	assert.Equal(t, 20, conf.Limits.MaxXRefEntries)
	assert.Equal(t, 20, conf.Limits.MaxObjectStreamCount)
	assert.True(t, conf.Offline)
	assert.Equal(t, model.ValidationRelaxed, conf.ValidationMode)

	def := (&Checker{}).limits()
	assert.Equal(t, limits{maxBytes: DefaultMaxBytes, maxObjects: DefaultMaxObjects, maxDecoded: DefaultMaxDecodedBytes, timeout: DefaultTimeout}, def)
	neg := (&Checker{MaxBytes: -1, MaxObjects: -1, MaxDecodedBytes: -1, Timeout: -1}).limits()
	assert.Equal(t, def, neg, "a negative limit means the default, not no limit")
}
