package pdf

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/tiff"
)

// The preflight package's sample PDFs (see its MANIFEST.tsv).
const (
	textPDF      = "preflight/testdata/pdf/valid_text_1page.pdf"  // 1 page
	scanPDF      = "preflight/testdata/pdf/valid_scan_3pages.pdf" // 3 pages
	truncatedPDF = "preflight/testdata/pdf/truncated_60pct.pdf"   // cut at 60%
	junkPDF      = "preflight/testdata/pdf/leading_junk.pdf"      // 1 page, junk before %PDF-
	garbagePDF   = "preflight/testdata/pdf/trailing_garbage.pdf"  // 1 page, junk after %%EOF
	textAsPDF    = "preflight/testdata/pdf/not_pdf_text.pdf"      // plain text named .pdf
	pngAsPDF     = "preflight/testdata/pdf/png_renamed.pdf"       // a PNG named .pdf
	emptyPDF     = "preflight/testdata/pdf/empty.pdf"             // 0 bytes
	lockedPDF    = "preflight/testdata/pdf/encrypted_user_password.pdf"
	ownerPDF     = "preflight/testdata/pdf/encrypted_owner_only.pdf" // opens without a password
)

// scanImage is a grey page-like picture: a white sheet with dark "text" bars.
func scanImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(0xF0)
			if (y/12)%3 == 0 && x > w/10 && x < w*9/10 {
				v = 0x30
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return img
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func pngFile(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, scanImage(w, h)))
	return writeFile(t, dir, name, buf.Bytes())
}

func jpegFile(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, scanImage(w, h), &jpeg.Options{Quality: 80}))
	return writeFile(t, dir, name, buf.Bytes())
}

func tiffFile(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, tiff.Encode(&buf, scanImage(w, h), &tiff.Options{Compression: tiff.Deflate}))
	return writeFile(t, dir, name, buf.Bytes())
}

// dirEntries lists the names in dir, to catch temporary files left behind.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ee, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ee {
		names = append(names, e.Name())
	}
	return names
}

// checkPDF validates path with pdfcpu and returns its page sizes.
func checkPDF(t *testing.T, path string) []types.Dim {
	t.Helper()
	require.NoError(t, api.ValidateFile(path, newConfig(model.VALIDATE)))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dims, err := api.PageDims(f, newConfig(model.VALIDATE))
	require.NoError(t, err)
	return dims
}

var (
	a4P     = types.Dim{Width: 595, Height: 842}
	a4L     = types.Dim{Width: 842, Height: 595}
	letterP = types.Dim{Width: 612, Height: 792}
)

func TestCombine(t *testing.T) {
	tests := []struct {
		name   string
		inputs func(t *testing.T, dir string) []string
		pages  int
		dims   []types.Dim // page sizes, rounded; nil: not checked
	}{
		{
			name:   "two PDFs: page counts add",
			inputs: func(*testing.T, string) []string { return []string{textPDF, scanPDF} },
			pages:  4,
		},
		{
			name:   "order is kept",
			inputs: func(*testing.T, string) []string { return []string{scanPDF, textPDF, scanPDF} },
			pages:  7,
		},
		{
			name: "PDF, PNG, JPEG and TIFF",
			inputs: func(t *testing.T, dir string) []string {
				return []string{
					textPDF,
					pngFile(t, dir, "p2.png", 420, 594),  // A4 shape
					jpegFile(t, dir, "p3.jpg", 425, 550), // Letter shape
					tiffFile(t, dir, "p4.tif", 594, 420), // A4 landscape
				}
			},
			pages: 4,
			dims:  []types.Dim{{Width: 612, Height: 792}, a4P, letterP, a4L},
		},
		{
			name: "images only",
			inputs: func(t *testing.T, dir string) []string {
				return []string{pngFile(t, dir, "a.png", 210, 297), pngFile(t, dir, "b.png", 297, 210)}
			},
			pages: 2,
			dims:  []types.Dim{a4P, a4L},
		},
		{
			name: "content wins over the extension",
			inputs: func(t *testing.T, dir string) []string {
				return []string{pngAsPDF, jpegFile(t, dir, "photo.pdf", 100, 141), scanPDF}
			},
			pages: 5,
		},
		{
			name:   "leading junk and trailing garbage are tolerated",
			inputs: func(*testing.T, string) []string { return []string{junkPDF, garbagePDF} },
			pages:  2,
		},
		{
			name:   "PDF that opens without a password",
			inputs: func(*testing.T, string) []string { return []string{textPDF, ownerPDF} },
			pages:  2,
		},
		{
			name: "image, then a PDF that opens without a password",
			inputs: func(t *testing.T, dir string) []string {
				return []string{pngFile(t, dir, "a.png", 210, 297), ownerPDF, scanPDF}
			},
			pages: 5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			inputs := tc.inputs(t, dir)
			out := filepath.Join(t.TempDir(), "combined.pdf")

			pages, err := Combine(inputs, out)
			require.NoError(t, err)
			assert.Equal(t, tc.pages, pages)

			dims := checkPDF(t, out)
			assert.Len(t, dims, tc.pages, "pages in the file")
			if tc.dims != nil {
				require.Len(t, dims, len(tc.dims))
				for i, want := range tc.dims {
					assert.InDelta(t, want.Width, dims[i].Width, 1, "page %d width", i+1)
					assert.InDelta(t, want.Height, dims[i].Height, 1, "page %d height", i+1)
				}
			}
			assert.Equal(t, []string{"combined.pdf"}, dirEntries(t, filepath.Dir(out)))
		})
	}
}

func TestCombineSinglePDFIsCopied(t *testing.T) {
	for _, in := range []string{scanPDF, junkPDF, garbagePDF, ownerPDF} {
		t.Run(filepath.Base(in), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pdf")
			pages, err := Combine([]string{in}, out)
			require.NoError(t, err)

			want, err := os.ReadFile(in)
			require.NoError(t, err)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(want, got), "bytes identical")
			n, err := api.PageCountFile(in)
			require.NoError(t, err)
			assert.Equal(t, n, pages)
		})
	}
}

func TestCombineReplacesExistingOutput(t *testing.T) {
	dir := t.TempDir()
	out := writeFile(t, dir, "out.pdf", []byte("old"))
	pages, err := Combine([]string{textPDF, scanPDF}, out)
	require.NoError(t, err)
	assert.Equal(t, 4, pages)
	checkPDF(t, out)
	assert.Equal(t, []string{"out.pdf"}, dirEntries(t, dir))
}

func TestCombineErrors(t *testing.T) {
	tests := []struct {
		name   string
		inputs func(t *testing.T, dir string) []string
		is     error
		msg    string // the error message starts with this
	}{
		{
			name: "unsupported file",
			inputs: func(t *testing.T, dir string) []string {
				return []string{textPDF, writeFile(t, dir, "notes.docx", []byte("PK\x03\x04\x14\x00\x06\x00 word/document.xml"))}
			},
			is:  ErrUnsupported,
			msg: "notes.docx is not a PDF or a JPEG/PNG/TIFF image",
		},
		{
			name:   "text named .pdf",
			inputs: func(*testing.T, string) []string { return []string{textAsPDF} },
			is:     ErrUnsupported,
			msg:    "not_pdf_text.pdf is not a PDF or a JPEG/PNG/TIFF image",
		},
		{
			name:   "damaged PDF alone",
			inputs: func(*testing.T, string) []string { return []string{truncatedPDF} },
			is:     ErrDamaged,
			msg:    "truncated_60pct.pdf is a damaged or incomplete PDF and cannot be read",
		},
		{
			name:   "damaged PDF after a good one",
			inputs: func(*testing.T, string) []string { return []string{textPDF, truncatedPDF} },
			is:     ErrDamaged,
			msg:    "truncated_60pct.pdf is a damaged or incomplete PDF and cannot be read",
		},
		{
			name:   "empty file",
			inputs: func(*testing.T, string) []string { return []string{emptyPDF} },
			is:     ErrDamaged,
			msg:    "empty.pdf is empty",
		},
		{
			name: "damaged PNG",
			inputs: func(t *testing.T, dir string) []string {
				return []string{writeFile(t, dir, "page.png", []byte("\x89PNG\r\n\x1a\nthis is not the rest of a PNG"))}
			},
			is:  ErrDamaged,
			msg: "page.png is a damaged PNG image and cannot be read",
		},
		{
			name:   "password-protected PDF",
			inputs: func(*testing.T, string) []string { return []string{textPDF, lockedPDF} },
			is:     ErrEncrypted,
			msg:    "encrypted_user_password.pdf is password-protected",
		},
		{
			name:   "no inputs",
			inputs: func(*testing.T, string) []string { return nil },
			is:     ErrNoInput,
			msg:    "no files to combine",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "combined.pdf")
			pages, err := Combine(tc.inputs(t, t.TempDir()), out)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Equal(t, 0, pages)
			assert.NoFileExists(t, out)
			assert.Empty(t, dirEntries(t, outDir), "nothing left behind")
		})
	}
}

// restrictedPDF encrypts textPDF with an owner password only and
// permission to print, not to change or assemble pages.
func restrictedPDF(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(textPDF)
	require.NoError(t, err)
	conf := newConfig(model.ENCRYPT)
	conf.OwnerPW, conf.UserPW = "owner", ""
	conf.Permissions = model.PermissionsPrint
	var buf bytes.Buffer
	require.NoError(t, api.Encrypt(bytes.NewReader(src), &buf, conf))
	return writeFile(t, dir, "publisher.pdf", buf.Bytes())
}

func TestCombineRestrictedPDF(t *testing.T) {
	dir := t.TempDir()
	in := restrictedPDF(t, dir)

	t.Run("alone: copied", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.pdf")
		pages, err := Combine([]string{in}, out)
		require.NoError(t, err)
		assert.Equal(t, 1, pages)
		want, _ := os.ReadFile(in)
		got, _ := os.ReadFile(out)
		assert.True(t, bytes.Equal(want, got))
	})
	for name, inputs := range map[string][]string{
		"after a PDF":     {scanPDF, in},
		"after an image":  {pngFile(t, dir, "page.png", 210, 297), in},
		"before an image": {in, pngFile(t, dir, "page2.png", 210, 297)},
	} {
		t.Run("with others: refused "+name, func(t *testing.T) {
			outDir := t.TempDir()
			_, err := Combine(inputs, filepath.Join(outDir, "out.pdf"))
			require.ErrorIs(t, err, ErrEncrypted)
			assert.Contains(t, err.Error(), "publisher.pdf is protected by its publisher against changes")
			assert.Empty(t, dirEntries(t, outDir))
		})
	}
}

func TestCombineFailureKeepsExistingOutput(t *testing.T) {
	dir := t.TempDir()
	out := writeFile(t, dir, "out.pdf", []byte("previous result"))
	_, err := Combine([]string{textPDF, truncatedPDF}, out)
	require.ErrorIs(t, err, ErrDamaged)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "previous result", string(got))
	assert.Equal(t, []string{"out.pdf"}, dirEntries(t, dir))
}

func TestFileErrorNamesTheFile(t *testing.T) {
	_, err := Combine([]string{truncatedPDF}, filepath.Join(t.TempDir(), "x.pdf"))
	var fe *FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, truncatedPDF, fe.Path)
	assert.ErrorIs(t, fe, ErrDamaged)
	assert.NotNil(t, fe.Cause, "pdfcpu's reason is kept")
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want kind
	}{
		{"%PDF-1.7\n", kindPDF},
		{"\xEF\xBB\xBFjunk line\n%PDF-1.4\n", kindPDF},
		{"\x89PNG\r\n\x1a\n\x00\x00", kindPNG},
		{"\xFF\xD8\xFF\xE0\x00\x10JFIF", kindJPEG},
		{"II*\x00\x08\x00\x00\x00", kindTIFF},
		{"MM\x00*\x00\x00\x00\x08", kindTIFF},
		{"PK\x03\x04", kindUnknown},
		{"GIF89a", kindUnknown},
		{"", kindUnknown},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, sniff([]byte(tc.head)), "%q", tc.head)
	}
}

func TestImportDetails(t *testing.T) {
	tests := []struct {
		w, h int
		want string
	}{
		{2480, 3508, "formsize:A4, position:c, scalefactor:1.0 rel"},      // A4 at 300 dpi
		{2550, 3300, "formsize:Letter, position:c, scalefactor:1.0 rel"},  // Letter at 300 dpi
		{3508, 2480, "formsize:A4L, position:c, scalefactor:1.0 rel"},     // a spread
		{3300, 2550, "formsize:LetterL, position:c, scalefactor:1.0 rel"}, // a spread
		{1000, 1000, "formsize:Letter, position:c, scalefactor:1.0 rel"},  // square: the wider page
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, importDetails(tc.w, tc.h), "%dx%d", tc.w, tc.h)
	}
}

func BenchmarkCombine(b *testing.B) {
	dir := b.TempDir()
	img := jpegFile(b, dir, "page.jpg", 1240, 1754) // A4 at 150 dpi
	inputs := []string{textPDF, scanPDF, img}
	out := filepath.Join(dir, "combined.pdf")
	for b.Loop() {
		if _, err := Combine(inputs, out); err != nil {
			b.Fatal(err)
		}
	}
}
