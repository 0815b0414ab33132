package preflight_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

// packed is a one-page PDF 1.5 with a cross-reference stream whose page
// object sits in a Flate-compressed object stream: objects 1 (catalog),
// 2 (page tree) and 4 (the object stream) are plain, 3 (the page) is packed
// in 4, 5 is the cross-reference stream.
type packed struct {
	n       int // the object stream's /N: how many objects it says it holds (1 when 0)
	padding int // white space after the page object inside the object stream
}

func (p packed) bytes() []byte {
	n := max(p.n, 1)
	page := "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>" + strings.Repeat(" ", p.padding)
	head := "3 0 "
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write([]byte(head + page))
	_ = zw.Close()

	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offsets := map[int]int{}
	obj := func(nr int, body string) {
		offsets[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", nr, body)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(4, fmt.Sprintf("<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
		n, len(head), z.Len(), z.Bytes()))
	offsets[5] = b.Len()
	// W [1 4 2]: type, offset (or object stream number), generation (or index).
	var xref bytes.Buffer
	entry := func(typ, f2, f3 int) {
		xref.Write([]byte{byte(typ), byte(f2 >> 24), byte(f2 >> 16), byte(f2 >> 8), byte(f2), byte(f3 >> 8), byte(f3)})
	}
	entry(0, 0, 65535)
	entry(1, offsets[1], 0)
	entry(1, offsets[2], 0)
	entry(2, 4, 0)
	entry(1, offsets[4], 0)
	entry(1, offsets[5], 0)
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", xref.Len())
	b.Write(xref.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offsets[5])
	return b.Bytes()
}

// manyEntries is a one-page PDF whose classic cross-reference table lists
// extra free entries: each costs pdfcpu memory although the file is small.
func manyEntries(extra int) []byte {
	data := doc{pages: 1}.bytes()
	i := bytes.Index(data, []byte("xref\n0 "))
	j := bytes.Index(data, []byte("trailer"))
	var b bytes.Buffer
	b.Write(data[:i])
	entries := bytes.Split(bytes.TrimSuffix(data[i:j], []byte("\n")), []byte("\n"))[3:]
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(entries)+1+extra)
	for _, e := range entries {
		b.Write(e)
		b.WriteString("\n")
	}
	for range extra {
		b.WriteString("0000000000 00001 f \n")
	}
	b.Write(data[j:]) // the table starts where it did: startxref still points at it
	return b.Bytes()
}

func TestLimits(t *testing.T) {
	valid := readCorpus(t, "valid_text_1page.pdf")
	scan3 := readCorpus(t, "valid_scan_3pages.pdf")
	for _, tc := range []struct {
		name    string
		checker preflight.Checker
		data    []byte
		verdict domain.Verdict
		reason  string
		message []string
	}{
		// size: checked up to MaxBytes, refused above it without being read
		{"size at the limit", preflight.Checker{MaxBytes: int64(len(valid))}, valid,
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"size one byte over the limit", preflight.Checker{MaxBytes: int64(len(valid)) - 1}, valid,
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"could not be checked", "1.4 KB", "larger than"}},
		{"size over the limit, scan", preflight.Checker{MaxBytes: 10_000}, scan3,
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"20.5 KB", "10.0 KB"}},
		// the cheap answers come before the size limit
		{"not a PDF and too large", preflight.Checker{MaxBytes: 10}, []byte("This is a text file, not a PDF at all."),
			domain.VerdictReject, preflight.ReasonNotPDF, nil},
		{"cut off and too large", preflight.Checker{MaxBytes: 10}, scan3[:len(scan3)/2],
			domain.VerdictReject, preflight.ReasonTruncated, nil},

		// time: a check not done within Timeout is not used
		{"time limit of 1 ns", preflight.Checker{Timeout: time.Nanosecond}, valid,
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"could not be checked", "took longer than 1ns"}},
		{"time limit of 1 ns, scan", preflight.Checker{Timeout: time.Nanosecond}, scan3,
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"took longer"}},
		{"generous time limit", preflight.Checker{Timeout: time.Hour}, valid,
			domain.VerdictAccept, preflight.ReasonOK, nil},

		// objects: counted before pdfcpu reads the file
		{"objects within the limit", preflight.Checker{MaxObjects: 100}, doc{pages: 5}.bytes(),
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"too many objects", preflight.Checker{MaxObjects: 5}, doc{pages: 5}.bytes(),
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"more objects"}},
		{"cross-reference entries within the limit", preflight.Checker{MaxObjects: 3000}, manyEntries(2000),
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"too many cross-reference entries", preflight.Checker{MaxObjects: 1000}, manyEntries(2000),
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"more objects"}},

		// a stream that says it is longer than the file is damage, and pdfcpu
		// does not get to allocate what it says
		{"stream longer than the file", preflight.Checker{},
			doc{pages: 1, content: "<< /Length 400000000 >>\nstream\nq 0.5 g 50 100 200 300 re f Q\nendstream"}.bytes(),
			domain.VerdictReject, preflight.ReasonDamaged, nil},

		// object streams: pdfcpu's own limits, which follow the Checker's
		{"object stream", preflight.Checker{}, packed{}.bytes(),
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"object stream saying it holds 5000 objects", preflight.Checker{}, packed{n: 5000}.bytes(),
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"object stream holding more objects than the limit", preflight.Checker{MaxObjects: 1000}, packed{n: 5000}.bytes(),
			domain.VerdictReject, preflight.ReasonNotChecked, nil},
		{"object stream within the decoding limit", preflight.Checker{MaxDecodedBytes: 20_000}, packed{padding: 10_000}.bytes(),
			domain.VerdictAccept, preflight.ReasonOK, nil},
		{"object stream unpacking beyond the decoding limit", preflight.Checker{MaxDecodedBytes: 1000}, packed{padding: 10_000}.bytes(),
			domain.VerdictReject, preflight.ReasonNotChecked, []string{"unpack"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "limits.pdf", tc.data)
			c := tc.checker
			rep := c.Preflight(path)
			checkInvariants(t, rep, path, int64(len(tc.data)))
			assert.Equal(t, tc.verdict, rep.Verdict, rep.Message)
			assert.Equal(t, tc.reason, rep.Reason, rep.Message)
			for _, m := range tc.message {
				assert.Contains(t, rep.Message, m)
			}
			if rep.Reason == preflight.ReasonNotChecked {
				assert.Contains(t, rep.Message, "scan the PDF again", "the message says what to do")
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	assert.Equal(t, int64(500_000_000), preflight.DefaultMaxBytes)
	assert.Equal(t, 250_000, preflight.DefaultMaxObjects)
	assert.Equal(t, int64(250_000_000), preflight.DefaultMaxDecodedBytes)
	assert.Equal(t, 30*time.Second, preflight.DefaultTimeout)

	// The zero value and New use them: every corpus file gets the verdict
	// it gets without limits.
	files, err := filepath.Glob(filepath.Join(corpus, "*.pdf"))
	require.NoError(t, err)
	for _, f := range files {
		var zero preflight.Checker
		rep := zero.Preflight(f)
		assert.NotEqual(t, preflight.ReasonNotChecked, rep.Reason, f)
		assert.Equal(t, rep, preflight.New().Preflight(f), f)
	}
}

// TestDefaultSizeLimit checks a 600 MB file (sparse: only its header and end
// marker are written) with the default limits: it is refused unread.
func TestDefaultSizeLimit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs sparse files")
	}
	path := filepath.Join(t.TempDir(), "huge.pdf")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("%PDF-1.7\n")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("\n%%EOF\n"), 600_000_000-7)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	rep := preflight.New().Preflight(path)
	checkInvariants(t, rep, path, 600_000_000)
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, preflight.ReasonNotChecked, rep.Reason)
	assert.Equal(t, "The file could not be checked: at 600.0 MB it is larger than the 500.0 MB ILL Desk can check. "+
		"Export or scan the PDF again (at a lower resolution or in parts if it is very large), then add the new file.", rep.Message)
}

// TestTimeLimitMessage spells out the sentence staff read.
func TestTimeLimitMessage(t *testing.T) {
	path := filepath.Join(corpus, "valid_text_1page.pdf")
	rep := (&preflight.Checker{Timeout: time.Nanosecond}).Preflight(path)
	assert.Equal(t, "The file could not be checked: checking it took longer than 1ns, so it is probably damaged or unusually complex. "+
		"Export or scan the PDF again (at a lower resolution or in parts if it is very large), then add the new file.", rep.Message)
	assert.Zero(t, rep.Pages)
	assert.Equal(t, int64(1437), rep.Bytes)
}
