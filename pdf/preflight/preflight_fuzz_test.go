package preflight_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

// FuzzPreflight writes arbitrary bytes to a file and checks it, seeded with
// the test PDFs and generated ones. Preflight must never panic and must
// return a well-formed report (checkInvariants: a known verdict with a
// reason of that verdict, no pages unless shipped, a one-line sentence for
// staff, the file's size); a file without a PDF header near its start or an
// end marker near its end is never let through; the same bytes get the same
// report twice; a checker whose size limit the file passes reads nothing
// more than the header and end marker and rejects it.
func FuzzPreflight(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(corpus, "*.pdf"))
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add(doc{pages: 2}.bytes())
	f.Add(doc{pages: 1, catalog: "/OpenAction << /S /JavaScript /JS (1;) >>"}.bytes())
	f.Add(doc{pages: 2, missingKid: true}.bytes())
	f.Add(doc{pages: 1, prefix: "batch 7\n"}.bytes())
	f.Add(append(doc{pages: 1}.bytes(), "trailing junk"...))
	f.Add(packed{}.bytes())
	f.Add(packed{n: 3, padding: 100}.bytes())
	f.Add(manyEntries(20))
	f.Add([]byte("%PDF-1.7\n%%EOF\n"))
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"))
	f.Add([]byte("%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF"))

	c := preflight.New()
	tiny := &preflight.Checker{MaxBytes: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.pdf")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		rep := c.Preflight(path)
		checkInvariants(t, rep, path, int64(len(data)))

		head, tail := data[:min(len(data), 1024)], data[max(0, len(data)-1024):]
		switch {
		case len(data) == 0:
			assert.Equal(t, preflight.ReasonEmpty, rep.Reason)
		case !bytes.Contains(head, []byte("%PDF-")):
			assert.Equal(t, preflight.ReasonNotPDF, rep.Reason)
		case !bytes.Contains(tail, []byte("%%EOF")):
			assert.Equal(t, domain.VerdictReject, rep.Verdict, "a file without an end marker is cut off")
			assert.Contains(t, []string{preflight.ReasonNotPDF, preflight.ReasonTruncated}, rep.Reason)
		}
		if rep.Reason != preflight.ReasonNotChecked {
			// (a check that ran into the time limit under load may not repeat)
			again := c.Preflight(path)
			if again.Reason != preflight.ReasonNotChecked {
				assert.Equal(t, rep, again, "the same bytes get the same report")
			}
		}

		small := tiny.Preflight(path)
		checkInvariants(t, small, path, int64(len(data)))
		if len(data) > 1 {
			assert.Equal(t, domain.VerdictReject, small.Verdict)
			assert.Contains(t, []string{preflight.ReasonNotPDF, preflight.ReasonTruncated, preflight.ReasonNotChecked}, small.Reason)
			if rep.Reason != preflight.ReasonNotPDF && rep.Reason != preflight.ReasonTruncated && rep.Reason != preflight.ReasonEmpty {
				assert.Equal(t, preflight.ReasonNotChecked, small.Reason, "past the header and end marker checks, the size limit applies")
			}
		}
	})
}
