package pdf

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode/code128"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/illdesk/illdesk/domain"
)

// awkwardTitle has everything a PDF string or pdfcpu's text layout could
// mangle: parentheses, backslashes (one before an n), quotes, per cent signs.
const awkwardTitle = `Proof (draft) of "P = NP" \n C:\temp\ 100% sure %p`

func fullSlip() Slip {
	cet := time.FixedZone("CET", 3600)
	return Slip{
		Kind:         "Digitization request",
		To:           "Scan Lab (digitization)",
		ExternalID:   "RS-2026-000123",
		Partner:      "ETH-Bibliothek Zürich",
		Title:        "Journal of Symbolic Logic",
		ArticleTitle: "Über formal unentscheidbare Sätze",
		Author:       "Kurt Gödel",
		Volume:       "38",
		Number:       "4",
		Year:         "1931",
		Pages:        "173–198",
		Location:     "Main Library, Stacks Level 3",
		CallNumber:   "QA9 .J68 v.38 1931",
		ItemBarcode:  "39000012345678",
		Requested:    time.Date(2026, 3, 2, 9, 14, 0, 0, cet),
		Deadline:     time.Date(2026, 3, 3, 9, 14, 0, 0, cet),
	}
}

// slipText returns the strings shown on page 1 of path, decoded from
// Windows-1252, one per text-showing operation.
func slipText(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var content []byte
	err = api.ExtractContent(f, nil, func(r io.Reader, page int) error {
		b, err := io.ReadAll(r)
		content = append(content, b...)
		return err
	}, newConfig(model.EXTRACTCONTENT))
	require.NoError(t, err)

	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		// A literal string: balanced parentheses, backslash escapes.
		depth, j := 1, i+1
		for ; j < len(content) && depth > 0; j++ {
			switch content[j] {
			case '\\':
				j++
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		raw, err := types.Unescape(string(content[i+1 : j-1]))
		require.NoError(t, err)
		s, err := charmap.Windows1252.NewDecoder().Bytes(raw)
		require.NoError(t, err)
		out = append(out, string(s))
		i = j - 1
	}
	return out
}

// slipImages returns the images on page 1 of path.
func slipImages(t *testing.T, path string) []model.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	pages, err := api.ExtractImagesRaw(f, nil, newConfig(model.EXTRACTIMAGES))
	require.NoError(t, err)
	require.Len(t, pages, 1)
	var imgs []model.Image
	for _, img := range pages[0] {
		imgs = append(imgs, img)
	}
	return imgs
}

// firstRow is an image's top row as 1 (dark) and 0 (light).
func firstRow(img image.Image) string {
	var row []bool
	for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
		row = append(row, isDark(img.At(x, img.Bounds().Min.Y)))
	}
	return bits(row)
}

func TestPickSlip(t *testing.T) {
	tests := []struct {
		name     string
		slip     func() Slip
		page     types.Dim
		want     []string // strings shown, each as one piece of text
		barcodes []string // contents drawn as barcodes
	}{
		{
			name: "A4, everything filled in",
			slip: fullSlip,
			page: types.Dim{Width: 595.28, Height: 841.89},
			want: []string{
				"Digitization request", "Scan Lab (digitization)", "RS-2026-000123",
				"ETH-Bibliothek Zürich", "Journal of Symbolic Logic", "Über formal unentscheidbare Sätze",
				"Kurt Gödel", "38", "4", "1931", "173–198", "Main Library, Stacks Level 3",
				"QA9 .J68 v.38 1931", "39000012345678", "Tue 3 Mar 2026, 09:14", "Requested Mon 2 Mar 2026, 09:14",
			},
			barcodes: []string{"RS-2026-000123", "39000012345678"},
		},
		{
			name: "Letter, move request",
			slip: func() Slip {
				s := fullSlip()
				s.Kind, s.To, s.Letter = "Move request", "RS desk", true
				return s
			},
			page:     types.Dim{Width: 612, Height: 792},
			want:     []string{"Move request", "RS desk", "RS-2026-000123", "QA9 .J68 v.38 1931"},
			barcodes: []string{"RS-2026-000123", "39000012345678"},
		},
		{
			name: "title typed with parentheses, backslashes, quotes and per cent signs",
			slip: func() Slip {
				s := fullSlip()
				s.Title = awkwardTitle
				return s
			},
			page:     types.Dim{Width: 595.28, Height: 841.89},
			want:     []string{awkwardTitle},
			barcodes: []string{"RS-2026-000123", "39000012345678"},
		},
		{
			name: "decomposed umlauts and Windows-1252 extras",
			slip: func() Slip {
				s := fullSlip()
				s.Author = "Kurt Go\u0308del"             // o + combining diaeresis
				s.ArticleTitle = "“Quoted” — a €5 title…" // curly quotes, dash, euro, ellipsis
				return s
			},
			page:     types.Dim{Width: 595.28, Height: 841.89},
			want:     []string{"Kurt Gödel", "“Quoted” — a €5 title…"},
			barcodes: []string{"RS-2026-000123", "39000012345678"},
		},
		{
			name: "only what a new request has",
			slip: func() Slip {
				return Slip{Kind: "Move request", To: "RS desk", ExternalID: "21045678", Title: "Nature"}
			},
			page:     types.Dim{Width: 595.28, Height: 841.89},
			want:     []string{"Move request", "RS desk", "21045678", "Nature", "No item barcode on record: scan the item's own label."},
			barcodes: []string{"21045678"},
		},
		{
			name: "item barcode that Code 128 cannot encode",
			slip: func() Slip {
				s := fullSlip()
				s.ItemBarcode = "Zürich-1"
				return s
			},
			page:     types.Dim{Width: 595.28, Height: 841.89},
			want:     []string{"Zürich-1", "(cannot be printed as a barcode)"},
			barcodes: []string{"RS-2026-000123"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "slip.pdf")
			require.NoError(t, PickSlip(tc.slip(), out))

			dims := checkPDF(t, out)
			require.Len(t, dims, 1, "one page")
			assert.InDelta(t, tc.page.Width, dims[0].Width, 0.01)
			assert.InDelta(t, tc.page.Height, dims[0].Height, 0.01)

			text := slipText(t, out)
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}

			// The barcode images, pixel for pixel (pdfcpu re-encodes them).
			var got, want []string
			for _, img := range slipImages(t, out) {
				decoded, _, err := image.Decode(img)
				require.NoError(t, err, img.Name)
				got = append(got, firstRow(decoded))
			}
			for _, b := range tc.barcodes {
				data, _, err := code128Image(b)
				require.NoError(t, err)
				decoded, err := png.Decode(bytes.NewReader(data))
				require.NoError(t, err)
				want = append(want, firstRow(decoded))
			}
			assert.ElementsMatch(t, want, got, "barcode images")
			assert.Equal(t, []string{"slip.pdf"}, dirEntries(t, dir))
		})
	}
}

func longSlip() Slip {
	s := fullSlip()
	long := strings.Repeat("Proceedings of the International Colloquium on Extraordinarily Long Titles ", 6)
	s.Kind = "Digitization request for a department with a very long name indeed"
	s.To, s.Partner = long, long
	s.Title, s.ArticleTitle, s.Author, s.Location, s.CallNumber = long, long, long, long, long
	s.Volume, s.Number, s.Year = "CXXXVIII-CXXXIX", "Suppl. 12/13", "2025–2026"
	s.Pages = "1234567-1234999, 2000-2100 and supplementary material"
	s.ExternalID = "ILL-REQ-2026-0000000123456789-XYZ"
	return s
}

// placed is one text drawn on the slip and the box it covers.
type placed struct {
	text                   string
	left, right, low, high float64
}

var showRE = regexp.MustCompile(`^BT /(F\d+) ([\d.]+) Tf [\d.]+ g ([\d.-]+) ([\d.-]+) Td \((.*)\) Tj ET$`)

// layout draws s and returns where each text went.
func layout(t *testing.T, s Slip, media *types.Rectangle) []placed {
	t.Helper()
	dim := media.Dimensions()
	ctx, err := pdfcpu.CreateContextWithXRefTable(newConfig(model.CREATE), &dim)
	require.NoError(t, err)
	c := newCanvas(ctx.XRefTable)
	drawSlip(c, s, media)
	require.NoError(t, c.err)
	fontOf := map[string]string{}
	for name, id := range c.fontIDs {
		fontOf[id] = name
	}
	var out []placed
	for _, line := range strings.Split(c.buf.String(), "\n") {
		m := showRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		size, _ := strconv.ParseFloat(m[2], 64)
		x, _ := strconv.ParseFloat(m[3], 64)
		y, _ := strconv.ParseFloat(m[4], 64)
		raw, err := types.Unescape(m[5])
		require.NoError(t, err)
		w := textWidth(string(raw), fontOf[m[1]], size)
		out = append(out, placed{string(raw), x, x + w, y - 0.22*size, y + 0.72*size})
	}
	return out
}

func TestPickSlipLayout(t *testing.T) {
	minimal := Slip{Kind: "Move request", To: "RS desk", ExternalID: "21045678"}
	for name, s := range map[string]Slip{"full": fullSlip(), "long": longSlip(), "minimal": minimal} {
		for paper, media := range map[string]*types.Rectangle{"A4": pageA4, "Letter": pageLetter} {
			t.Run(name+" "+paper, func(t *testing.T) {
				texts := layout(t, s, media)
				require.NotEmpty(t, texts)
				x0 := (media.Width() - contentWidth) / 2
				for _, p := range texts {
					assert.GreaterOrEqual(t, p.left, x0-0.01, "inside the left margin: %q", p.text)
					assert.LessOrEqual(t, p.right, x0+contentWidth+0.01, "inside the right margin: %q", p.text)
					assert.GreaterOrEqual(t, p.low, bottomMargin-5, "above the bottom margin: %q", p.text)
					assert.LessOrEqual(t, p.high, media.Height()-topMargin, "below the top margin: %q", p.text)
				}
				for i, a := range texts {
					for _, b := range texts[i+1:] {
						overlap := a.left < b.right && b.left < a.right && a.low < b.high && b.low < a.high
						assert.False(t, overlap, "%q overlaps %q", a.text, b.text)
					}
				}
			})
		}
	}
}

func TestPickSlipLongText(t *testing.T) {
	out := filepath.Join(t.TempDir(), "slip.pdf")
	require.NoError(t, PickSlip(longSlip(), out))
	require.Len(t, checkPDF(t, out), 1)
	text := strings.Join(slipText(t, out), "\n")
	assert.Contains(t, text, "…", "long text is shortened visibly")
}

func TestPickSlipFailureLeavesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "missing-dir", "slip.pdf")
	require.Error(t, PickSlip(fullSlip(), out))
	assert.NoFileExists(t, out)
}

func TestCode128Image(t *testing.T) {
	for _, content := range []string{"39000012345678", "RS-2026-000123", "a(b)\\c"} {
		t.Run(content, func(t *testing.T) {
			data, modules, err := code128Image(content)
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, modules*pxPerModule, img.Bounds().Dx())

			// Read the modules back from the first row.
			var got []bool
			for m := range modules {
				got = append(got, dark(img, m*pxPerModule))
				for p := 1; p < pxPerModule; p++ {
					require.Equal(t, got[m], dark(img, m*pxPerModule+p), "module %d is uniform", m)
				}
			}
			bc, err := code128.Encode(content)
			require.NoError(t, err)
			var want []bool
			for range quietModules {
				want = append(want, false)
			}
			for x := range bc.Bounds().Dx() {
				want = append(want, isDark(bc.At(x, 0)))
			}
			for range quietModules {
				want = append(want, false)
			}
			assert.Equal(t, want, got, "bars between quiet zones of %d modules", quietModules)
			// Code 128 ends with the stop pattern 2331112 (bar first).
			assert.Equal(t, "1100011101011", bits(got[len(got)-quietModules-13:len(got)-quietModules]))
		})
	}
	_, _, err := code128Image("Zürich")
	assert.Error(t, err, "Code 128 is ASCII only")
}

func dark(img image.Image, x int) bool { return isDark(img.At(x, 0)) }

func bits(bb []bool) string {
	var s strings.Builder
	for _, b := range bb {
		if b {
			s.WriteByte('1')
		} else {
			s.WriteByte('0')
		}
	}
	return s.String()
}

func TestWinAnsi(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zürich", "Z\xfcrich"},
		{"Go\u0308del", "G\xf6del"}, // decomposed: composed first
		{"€5 – “x” …", "\x805 \x96 \x93x\x94 \x85"},
		{"a\tb\n  c", "a b c"},
		{"  trimmed  ", "trimmed"},
		{"Ωmega 中", "?mega ?"},
		{`(a) \b "c"`, `(a) \b "c"`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, winAnsi(tc.in), "%q", tc.in)
	}
}

func TestWrap(t *testing.T) {
	const size, width = 12.0, 150.0
	tests := []struct {
		name     string
		in       string
		maxLines int
		lines    int
		cut      bool
	}{
		{"fits", "Nature", 3, 1, false},
		{"wrapped at spaces", "Journal of the American Society for Information Science", 5, 3, false},
		{"word longer than a line", strings.Repeat("x", 80), 5, 4, false},
		{"shortened", strings.Repeat("word ", 60), 2, 2, true},
		{"empty", "", 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := wrap(tc.in, fontRegular, size, width, tc.maxLines)
			assert.Len(t, lines, tc.lines)
			for _, l := range lines {
				assert.LessOrEqual(t, textWidth(l, fontRegular, size), width, l)
			}
			if tc.cut {
				assert.True(t, strings.HasSuffix(lines[len(lines)-1], ellipsis))
				return
			}
			assert.Equal(t, strings.ReplaceAll(tc.in, " ", ""), strings.ReplaceAll(strings.Join(lines, ""), " ", ""))
		})
	}
}

func TestDocumentsWritePickSlip(t *testing.T) {
	out := filepath.Join(t.TempDir(), "slip.pdf")
	ps := domain.PickSlip{Kind: "Move request", To: "RS desk", ExternalID: "21045678", Title: "Nature", ItemBarcode: "39000012345678"}
	require.NoError(t, Documents{Letter: true}.WritePickSlip(ps, out))
	dims := checkPDF(t, out)
	require.Len(t, dims, 1)
	assert.InDelta(t, 792, dims[0].Height, 0.01)
	assert.Contains(t, slipText(t, out), "21045678")
}
