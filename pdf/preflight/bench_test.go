package preflight_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

// scanPage is one page image of a generated scan: either a JPEG (DCTDecode)
// or zlib-compressed 8-bit gray samples (FlateDecode).
type scanPage struct {
	filter string // "DCTDecode" or "FlateDecode"
	width  int
	height int
	data   []byte
}

// noisyGray is a gray page that looks like a scan of printed text: a light,
// grainy paper background with dark "lines of text" made of random blocks.
// The grain keeps the image from compressing well, as a scanner's does.
func noisyGray(rnd *rand.Rand, w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		inLine := (y/24)%2 == 1 && y > h/12 && y < h-h/12
		for x := range row {
			v := 230 + rnd.IntN(8)
			if inLine && x > w/12 && x < w-w/12 && (x/9)%5 != 0 && rnd.IntN(3) != 0 {
				v = 20 + rnd.IntN(50)
			}
			row[x] = byte(v)
		}
	}
	return img
}

// makeScanPages makes n distinct page images of realistic scanner size
// (A4 at 150 dpi, gray): about two in three JPEG, the rest Flate.
func makeScanPages(tb testing.TB, n int, seed uint64) []scanPage {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed^0x5ca11ed))
	const w, h = 1240, 1754
	pages := make([]scanPage, n)
	for i := range pages {
		img := noisyGray(rnd, w, h)
		var buf bytes.Buffer
		if i%3 != 2 {
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
				tb.Fatal(err)
			}
			pages[i] = scanPage{filter: "DCTDecode", width: w, height: h, data: buf.Bytes()}
			continue
		}
		zw, err := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := zw.Write(img.Pix); err != nil {
			tb.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			tb.Fatal(err)
		}
		pages[i] = scanPage{filter: "FlateDecode", width: w, height: h, data: buf.Bytes()}
	}
	return pages
}

// writeScanPDF writes an image-only PDF like a scanner's (no text, no
// fonts): every page is A4 and shows one full-page image drawn by a small
// Flate-compressed content stream. Page i uses images[i%len(images)], each
// page with its own copy of the image object. It writes a classic
// cross-reference table and returns the number of bytes written.
func writeScanPDF(w io.Writer, pageCount int, images []scanPage) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countingWriter{w: bw}
	// Objects: 1 catalog, 2 page tree, 3 info, then per page: page,
	// content, image.
	total := 3 + 3*pageCount
	offsets := make([]int64, total+1)
	obj := func(nr int, format string, args ...any) {
		offsets[nr] = cw.n
		fmt.Fprintf(cw, "%d 0 obj\n", nr)
		fmt.Fprintf(cw, format, args...)
		fmt.Fprint(cw, "\nendobj\n")
	}
	stream := func(nr int, dict string, data []byte) {
		offsets[nr] = cw.n
		fmt.Fprintf(cw, "%d 0 obj\n<<%s /Length %d>>\nstream\n", nr, dict, len(data))
		cw.Write(data)
		fmt.Fprint(cw, "\nendstream\nendobj\n")
	}

	fmt.Fprint(cw, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj(1, "<</Type /Catalog /Pages 2 0 R>>")
	var kids bytes.Buffer
	for i := range pageCount {
		fmt.Fprintf(&kids, "%d 0 R ", 4+3*i)
	}
	obj(2, "<</Type /Pages /Count %d /Kids [%s]>>", pageCount, bytes.TrimSpace(kids.Bytes()))
	obj(3, "<</Producer (ILL Desk benchmark scanner) /Creator (Flatbed 3000) /CreationDate (D:20250301093000Z)>>")

	var content bytes.Buffer
	zw := zlib.NewWriter(&content)
	fmt.Fprint(zw, "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q\n")
	if err := zw.Close(); err != nil {
		return 0, err
	}
	for i := range pageCount {
		page, cont, img := 4+3*i, 5+3*i, 6+3*i
		obj(page, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources <</XObject <</Im0 %d 0 R>> /ProcSet [/PDF /ImageB]>> /Contents %d 0 R>>", img, cont)
		stream(cont, " /Filter /FlateDecode", content.Bytes())
		im := images[i%len(images)]
		stream(img, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /%s",
			im.width, im.height, im.filter), im.data)
	}

	xref := cw.n
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f \n", total+1)
	for nr := 1; nr <= total; nr++ {
		fmt.Fprintf(cw, "%010d 00000 n \n", offsets[nr])
	}
	fmt.Fprintf(cw, "trailer\n<</Size %d /Root 1 0 R /Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n", total+1, xref)
	if cw.err != nil {
		return cw.n, cw.err
	}
	return cw.n, bw.Flush()
}

// countingWriter counts the bytes written and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// writeScanFile writes a generated scan of about wantBytes (never less) with
// the distinct images given at path, and returns its size and page count.
func writeScanFile(tb testing.TB, path string, wantBytes int64, images []scanPage) (size int64, pages int) {
	tb.Helper()
	var perPage int64
	for _, im := range images {
		perPage += int64(len(im.data))
	}
	perPage = perPage/int64(len(images)) + 400 // page dict and content stream
	pages = int((wantBytes + perPage - 1) / perPage)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	size, err = writeScanPDF(f, pages, images)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return size, pages
}

// BenchmarkPreflight50MB measures the preflight the app runs before every
// shipment (preflight.New().Preflight, as app/cli.go wires it) on a ~50 MB
// image-only scan: about 70 A4 pages (150 dpi gray), each one grainy JPEG or
// Flate image, no text. Goal: under 1 s per preflight (on a 2-core machine);
// MB/s is the file size over the time per preflight.
func BenchmarkPreflight50MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "scan-50mb.pdf")
	size, pages := writeScanFile(b, path, 50<<20, makeScanPages(b, 6, 1))
	checker := preflight.New()
	if rep := checker.Preflight(path); rep.Verdict != domain.VerdictAccept || rep.Pages != pages {
		b.Fatalf("generated scan: %s %s, %d pages (want %d): %s", rep.Verdict, rep.Reason, rep.Pages, pages, rep.Message)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rep := checker.Preflight(path); rep.Verdict != domain.VerdictAccept {
			b.Fatalf("preflight: %s %s: %s", rep.Verdict, rep.Reason, rep.Message)
		}
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp*1000, "ms/preflight")
	b.ReportMetric(float64(size)/1e6/perOp, "MB/s")
	b.ReportMetric(float64(pages), "pages")
}
