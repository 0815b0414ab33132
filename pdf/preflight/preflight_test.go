package preflight_test

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

const corpus = "testdata/pdf"

// reasonsByVerdict lists the reason classes each verdict may come with.
var reasonsByVerdict = map[domain.Verdict][]string{
	domain.VerdictAccept: {preflight.ReasonOK, preflight.ReasonTrailingGarbage, preflight.ReasonLeadingJunk},
	domain.VerdictWarn:   {preflight.ReasonEncryptedOwnerOnly, preflight.ReasonJavaScript, preflight.ReasonEmbeddedFile},
	domain.VerdictReject: {preflight.ReasonEmpty, preflight.ReasonNotPDF, preflight.ReasonTruncated, preflight.ReasonDamaged,
		preflight.ReasonEncryptedUserPassword, preflight.ReasonUnreadable, preflight.ReasonNotChecked},
}

// checkInvariants asserts what holds for every report whatever the file.
func checkInvariants(t testing.TB, rep domain.PreflightReport, path string, size int64) {
	t.Helper()
	assert.Equal(t, path, rep.File)
	assert.Equal(t, size, rep.Bytes)
	assert.Contains(t, reasonsByVerdict[rep.Verdict], rep.Reason, "verdict %q", rep.Verdict)
	assert.GreaterOrEqual(t, rep.Pages, 0)
	if rep.Verdict == domain.VerdictReject {
		assert.Zero(t, rep.Pages)
	} else {
		assert.Positive(t, rep.Pages)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		assert.Equal(t, hex.EncodeToString(sum[:]), rep.SHA256, "a file that may ship carries the SHA-256 of its bytes")
	}
	assert.NotEmpty(t, rep.Message)
	assert.True(t, strings.HasSuffix(rep.Message, "."), "message %q ends with a full stop", rep.Message)
	assert.NotContains(t, rep.Message, "\n")
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func preflightBytes(t testing.TB, name string, data []byte) domain.PreflightReport {
	t.Helper()
	path := writeFile(t, name, data)
	rep := preflight.New().Preflight(path)
	checkInvariants(t, rep, path, int64(len(data)))
	return rep
}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, name))
	require.NoError(t, err)
	return data
}

type manifestRow struct {
	file, verdict, reason, pages, note string
}

func readManifest(t *testing.T) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "MANIFEST.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var rows []manifestRow
	s := bufio.NewScanner(f)
	header := true
	for s.Scan() {
		if s.Text() == "" {
			continue
		}
		fields := strings.Split(s.Text(), "\t")
		require.Len(t, fields, 5, "manifest line %q", s.Text())
		if header {
			require.Equal(t, []string{"file", "expected_verdict", "reason_class", "page_count", "note"}, fields)
			header = false
			continue
		}
		rows = append(rows, manifestRow{fields[0], fields[1], fields[2], fields[3], fields[4]})
	}
	require.NoError(t, s.Err())
	require.NotEmpty(t, rows)
	return rows
}

func TestManifest(t *testing.T) {
	c := preflight.New()
	for _, row := range readManifest(t) {
		t.Run(row.file, func(t *testing.T) {
			path := filepath.Join(corpus, row.file)
			fi, err := os.Stat(path)
			require.NoError(t, err)

			rep := c.Preflight(path)
			t.Logf("%s: %+v", row.file, rep)
			checkInvariants(t, rep, path, fi.Size())
			assert.Equal(t, domain.Verdict(row.verdict), rep.Verdict, row.note)
			assert.Equal(t, row.reason, rep.Reason, row.note)
			if row.pages != "" {
				want, err := strconv.Atoi(row.pages)
				require.NoError(t, err)
				assert.Equal(t, want, rep.Pages)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	c := preflight.New()
	for file, want := range map[string]string{
		"valid_scan_3pages.pdf":       "3 pages, 20.5 KB — ready to ship.",
		"valid_text_1page.pdf":        "1 page, 1.4 KB — ready to ship.",
		"truncated_60pct.pdf":         "The file is cut off (no end-of-file marker): scan or download it again.",
		"encrypted_user_password.pdf": "This PDF needs a password to open; the partner could not read it. Save it again without a password.",
		"javascript_openaction.pdf":   "The PDF contains JavaScript; ship it only if you trust its source.",
		"png_renamed.pdf":             "This is not a PDF file (it looks like a PNG image): save or export it as a PDF and add it again.",
		"not_pdf_text.pdf":            "This is not a PDF file (it looks like a text file): save or export it as a PDF and add it again.",
		"empty.pdf":                   "The file is empty (0 bytes): scan or download it again.",
	} {
		assert.Equal(t, want, c.Preflight(filepath.Join(corpus, file)).Message, file)
	}
	assert.Contains(t, c.Preflight(filepath.Join(corpus, "trailing_garbage.pdf")).Message, "ready to ship")
	assert.Contains(t, c.Preflight(filepath.Join(corpus, "leading_junk.pdf")).Message, "ready to ship")
}

func TestMissingFileIsUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.pdf")
	rep := preflight.New().Preflight(path)
	checkInvariants(t, rep, path, 0)
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, preflight.ReasonUnreadable, rep.Reason)
	assert.Contains(t, rep.Message, "could not be found")
}

func TestDirectoryIsUnreadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scan.pdf")
	require.NoError(t, os.Mkdir(dir, 0o755))
	rep := preflight.New().Preflight(dir)
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, preflight.ReasonUnreadable, rep.Reason)
}

func TestUnreadableWithoutPermission(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits: chmod 0 only sets the read-only attribute, which still lets the file be read")
	}
	if os.Geteuid() == 0 {
		t.Skip("root can read any file")
	}
	path := writeFile(t, "locked.pdf", doc{pages: 1}.bytes())
	require.NoError(t, os.Chmod(path, 0))
	rep := preflight.New().Preflight(path)
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, preflight.ReasonUnreadable, rep.Reason)
}

// doc describes a small PDF written with a classic xref table: object 1 is
// the catalog, 2 the page tree, then the pages, then their content streams,
// then the extra objects.
type doc struct {
	pages      int
	catalog    string   // extra catalog entries
	page       string   // extra entries for every page
	resources  string   // every page's /Resources, "<< >>" when empty
	content    string   // every content stream object, a small drawing when empty
	extra      []string // extra objects, see ref
	prefix     string   // bytes before %PDF-, counted in the xref offsets
	missingKid bool     // the page tree lists a page that is not in the file
}

// ref is the object number of d.extra[i].
func (d doc) ref(i int) int { return 3 + 2*d.pages + i }

func (d doc) bytes() []byte {
	kids := make([]string, d.pages)
	objs := []string{"<< /Type /Catalog /Pages 2 0 R " + d.catalog + " >>", ""}
	resources := cmp.Or(d.resources, "<< >>")
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 3+i)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %d 0 R %s >>",
			resources, 3+d.pages+i, d.page))
	}
	count := d.pages
	if d.missingKid {
		kids = append(kids, "999 0 R")
		count++
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), count)
	for i := range d.pages {
		content := fmt.Sprintf("q 0.5 g %d 100 200 300 re f Q", 50+10*i)
		objs = append(objs, cmp.Or(d.content, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)))
	}
	objs = append(objs, d.extra...)

	var b bytes.Buffer
	b.WriteString(d.prefix)
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestGeneratedMultiPageWithTrailingWhitespace(t *testing.T) {
	data := append(doc{pages: 5}.bytes(), "\r\n  \t\n\n\f\x00\r\n"...)
	rep := preflightBytes(t, "five.pdf", data)
	assert.Equal(t, domain.VerdictAccept, rep.Verdict)
	assert.Equal(t, preflight.ReasonOK, rep.Reason)
	assert.Equal(t, 5, rep.Pages)
	assert.Regexp(t, `^5 pages, \d+\.\d KB — ready to ship\.$`, rep.Message)
}

func TestGeneratedFiles(t *testing.T) {
	jsAction := "<< /Type /Action /S /JavaScript /JS (app.alert\\('hi'\\);) >>"
	attachment := "<< /Type /Filespec /F (request.csv) /UF (request.csv) /EF << /F %d 0 R >> >>"
	embedded := "<< /Type /EmbeddedFile /Subtype /text#2Fcsv /Length 3 >>\nstream\na,b\nendstream"

	withBoth := doc{pages: 2}
	withBoth.catalog = fmt.Sprintf("/OpenAction %d 0 R /Names << /EmbeddedFiles << /Names [(request.csv) %d 0 R] >> >>",
		withBoth.ref(0), withBoth.ref(1))
	withBoth.extra = []string{jsAction, fmt.Sprintf(attachment, withBoth.ref(2)), embedded}

	jsTree := doc{pages: 1}
	jsTree.catalog = fmt.Sprintf("/Names << /JavaScript << /Names [(init) %d 0 R] >> >>", jsTree.ref(0))
	jsTree.extra = []string{jsAction}

	annot := doc{pages: 1}
	annot.page = fmt.Sprintf("/Annots [%d 0 R]", annot.ref(0))
	annot.extra = []string{
		fmt.Sprintf("<< /Type /Annot /Subtype /FileAttachment /Rect [10 10 30 30] /FS %d 0 R /Contents (request) >>", annot.ref(1)),
		fmt.Sprintf(attachment, annot.ref(2)),
		embedded,
	}

	pageAA := doc{pages: 3, page: "/AA << /O << /S /JavaScript /JS (1;) >> >>"}

	orphanJS := doc{pages: 1, extra: []string{"<< /JS (this.print\\(\\);) >>"}}

	emptyTree := doc{pages: 1, catalog: "/Names << /EmbeddedFiles << /Names [] >> >>"}

	uriLink := doc{pages: 1}
	uriLink.page = fmt.Sprintf("/Annots [%d 0 R]", uriLink.ref(0))
	uriLink.extra = []string{"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://example.org/) >> >>"}

	for _, tc := range []struct {
		name    string
		data    []byte
		verdict domain.Verdict
		reason  string
		pages   int
		message []string
	}{
		{"javascript and attachment", withBoth.bytes(), domain.VerdictWarn, preflight.ReasonJavaScript, 2,
			[]string{"contains JavaScript", "attached files", "trust its source"}},
		{"javascript name tree", jsTree.bytes(), domain.VerdictWarn, preflight.ReasonJavaScript, 1, nil},
		{"file attachment annotation", annot.bytes(), domain.VerdictWarn, preflight.ReasonEmbeddedFile, 1,
			[]string{"has attached files"}},
		{"page additional actions", pageAA.bytes(), domain.VerdictWarn, preflight.ReasonJavaScript, 3, nil},
		{"unreferenced JS key", orphanJS.bytes(), domain.VerdictWarn, preflight.ReasonJavaScript, 1, nil},
		{"empty embedded files tree", emptyTree.bytes(), domain.VerdictAccept, preflight.ReasonOK, 1, nil},
		{"URI link is no JavaScript", uriLink.bytes(), domain.VerdictAccept, preflight.ReasonOK, 1, nil},
		{"leading junk, offsets relative to header",
			append([]byte("\xef\xbb\xbfbatch 0042\r\n"), doc{pages: 2}.bytes()...),
			domain.VerdictAccept, preflight.ReasonLeadingJunk, 2, nil},
		{"leading junk, offsets counted from first byte", doc{pages: 2, prefix: "batch 0042\n"}.bytes(),
			domain.VerdictAccept, preflight.ReasonLeadingJunk, 2, nil},
		{"leading junk and trailing garbage",
			append(append([]byte("junk\n"), doc{pages: 1}.bytes()...), "-- footer --"...),
			domain.VerdictAccept, preflight.ReasonLeadingJunk, 1, []string{"before the start and after the end"}},
		{"header after the first KB", append(bytes.Repeat([]byte("x"), 1100), doc{pages: 1}.bytes()...),
			domain.VerdictReject, preflight.ReasonNotPDF, 0, nil},
		{"no pages", doc{pages: 0}.bytes(), domain.VerdictReject, preflight.ReasonDamaged, 0, []string{"no pages"}},
		// pdfcpu rebuilds a missing xref table by scanning for objects, so
		// these are read, but there is no page tree: damaged.
		{"end marker but no xref", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"),
			domain.VerdictReject, preflight.ReasonDamaged, 0, nil},
		{"garbage between header and end marker", []byte("%PDF-1.4\n" + strings.Repeat("garbage ", 200) + "\n%%EOF\n"),
			domain.VerdictReject, preflight.ReasonDamaged, 0, nil},
		{"cut scan closed with a new end marker", append(readCorpus(t, "valid_scan_3pages.pdf")[:12306], "\n%%EOF\n"...),
			domain.VerdictReject, preflight.ReasonTruncated, 0, []string{"cross-reference"}},
		// pdfcpu's relaxed validation puts blank pages in place of missing
		// ones; the page check runs before it.
		{"page missing", doc{pages: 2, missingKid: true}.bytes(), domain.VerdictReject, preflight.ReasonDamaged, 0,
			[]string{"missing"}},
		{"scan cut after its first page, closed with a new end marker",
			append(readCorpus(t, "valid_scan_3pages.pdf")[:6874], "\n%%EOF\n"...),
			domain.VerdictReject, preflight.ReasonDamaged, 0, []string{"missing"}},
		{"page image missing", doc{pages: 1, resources: "<< /XObject << /Im1 999 0 R >> >>"}.bytes(),
			domain.VerdictReject, preflight.ReasonDamaged, 0, []string{"missing"}},
		{"content stream missing", bytes.Replace(doc{pages: 1}.bytes(), []byte("/Contents 4 0 R"), []byte("/Contents 9 0 R"), 1),
			domain.VerdictReject, preflight.ReasonDamaged, 0, []string{"missing"}},
		{"Flate content that is not zlib data", doc{pages: 1, content: "<< /Length 6 /Filter /FlateDecode >>\nstream\n\x13\x99\x01abc\nendstream"}.bytes(),
			domain.VerdictReject, preflight.ReasonDamaged, 0, nil},
		{"page image present", doc{pages: 1, resources: fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> >>", doc{pages: 1}.ref(0)),
			extra: []string{"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"}}.bytes(),
			domain.VerdictAccept, preflight.ReasonOK, 1, nil},
		{"JPEG named .pdf", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), domain.VerdictReject, preflight.ReasonNotPDF, 0,
			[]string{"JPEG"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := preflightBytes(t, "doc.pdf", tc.data)
			assert.Equal(t, tc.verdict, rep.Verdict, rep.Message)
			assert.Equal(t, tc.reason, rep.Reason, rep.Message)
			assert.Equal(t, tc.pages, rep.Pages)
			for _, m := range tc.message {
				assert.Contains(t, rep.Message, m)
			}
		})
	}
}

// encrypt encrypts data with pdfcpu itself (AES-256).
func encrypt(t *testing.T, data []byte, userPW, ownerPW string) []byte {
	t.Helper()
	api.DisableConfigDir()
	conf := model.NewAESConfiguration(userPW, ownerPW, 256)
	conf.Permissions = model.PermissionsPrint
	var out bytes.Buffer
	require.NoError(t, api.Encrypt(bytes.NewReader(data), &out, conf))
	return out.Bytes()
}

func TestEncryptedByPdfcpu(t *testing.T) {
	js := doc{pages: 2}
	js.catalog = fmt.Sprintf("/OpenAction %d 0 R", js.ref(0))
	js.extra = []string{"<< /S /JavaScript /JS (app.alert\\(1\\);) >>"}

	rep := preflightBytes(t, "owner.pdf", encrypt(t, js.bytes(), "", "owner"))
	assert.Equal(t, domain.VerdictWarn, rep.Verdict)
	assert.Equal(t, preflight.ReasonEncryptedOwnerOnly, rep.Reason)
	assert.Equal(t, 2, rep.Pages)
	assert.Contains(t, rep.Message, "owner password")
	assert.Contains(t, rep.Message, "JavaScript")

	rep = preflightBytes(t, "user.pdf", encrypt(t, doc{pages: 1}.bytes(), "user", "owner"))
	assert.Equal(t, domain.VerdictReject, rep.Verdict)
	assert.Equal(t, preflight.ReasonEncryptedUserPassword, rep.Reason)
	assert.Zero(t, rep.Pages)
}

func TestCutsOfValidScanAreRejected(t *testing.T) {
	data := readCorpus(t, "valid_scan_3pages.pdf")
	n := len(data)
	require.True(t, bytes.HasSuffix(data, []byte("%%EOF\n")))
	// Every cut loses at least part of the final %%EOF.
	cuts := []int{0, 1, 4, 5, 8, 9, 15, 100, 512, 1023, 1024, 1025, 2048, n / 10, n / 4, n / 3, n / 2,
		12306, 2 * n / 3, 3 * n / 4, 9 * n / 10, n - 1024, n - 1023, n - 512, n - 100, n - 30, n - 7, n - 6, n - 5, n - 3, n - 2}
	for _, cut := range cuts {
		t.Run(strconv.Itoa(cut), func(t *testing.T) {
			rep := preflightBytes(t, "cut.pdf", data[:cut])
			assert.Equal(t, domain.VerdictReject, rep.Verdict)
			assert.Contains(t, []string{preflight.ReasonEmpty, preflight.ReasonNotPDF, preflight.ReasonTruncated}, rep.Reason)
		})
	}
}

// TestMangledFilesNeverPanic feeds pdfcpu cut, spliced and corrupted
// versions of the corpus files. Whatever the verdict, Preflight must return
// a well-formed report; a cut file must never be accepted as it is.
func TestMangledFilesNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	c := preflight.New()
	dir := t.TempDir()
	for _, name := range []string{"valid_scan_3pages.pdf", "valid_text_1page.pdf", "encrypted_owner_only.pdf",
		"encrypted_user_password.pdf", "embedded_file.pdf", "javascript_openaction.pdf", "leading_junk.pdf"} {
		data := readCorpus(t, name)
		for i := range 40 {
			var mangled []byte
			switch i % 4 {
			case 0: // cut and close with a fresh %%EOF so pdfcpu has to look inside
				mangled = append(bytes.Clone(data[:rng.IntN(len(data))]), "\n%%EOF\n"...)
			case 1: // flip a few bytes
				mangled = bytes.Clone(data)
				for range 1 + rng.IntN(8) {
					mangled[rng.IntN(len(mangled))] ^= byte(1 + rng.IntN(255))
				}
			case 2: // overwrite a block with zeros
				mangled = bytes.Clone(data)
				at := rng.IntN(len(mangled))
				clear(mangled[at:min(len(mangled), at+1+rng.IntN(200))])
			case 3: // splice: drop a block in the middle
				at := rng.IntN(len(data))
				end := min(len(data), at+1+rng.IntN(500))
				mangled = append(bytes.Clone(data[:at]), data[end:]...)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%d.pdf", name, i))
			require.NoError(t, os.WriteFile(path, mangled, 0o644))
			var rep domain.PreflightReport
			require.NotPanics(t, func() { rep = c.Preflight(path) }, "%s variant %d", name, i)
			checkInvariants(t, rep, path, int64(len(mangled)))
		}
	}
}

func TestImplementsPreflighter(t *testing.T) {
	var p domain.Preflighter = preflight.New()
	rep := p.Preflight(filepath.Join(corpus, "valid_text_1page.pdf"))
	assert.Equal(t, domain.VerdictAccept, rep.Verdict)
}

func TestConcurrentUse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "*.pdf"))
	require.NoError(t, err)
	c := preflight.New()
	want := make(map[string]domain.PreflightReport)
	for _, f := range files {
		want[f] = c.Preflight(f)
	}
	var wg sync.WaitGroup
	got := make([]domain.PreflightReport, 4*len(files))
	for i := range got {
		wg.Go(func() { got[i] = c.Preflight(files[i%len(files)]) })
	}
	wg.Wait()
	for i, rep := range got {
		assert.Equal(t, want[files[i%len(files)]], rep)
	}
}
