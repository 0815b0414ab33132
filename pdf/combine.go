package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig for JPEG inputs
	_ "image/png"  // image.DecodeConfig for PNG inputs
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// kind is what an input file holds.
type kind int

const (
	kindUnknown kind = iota
	kindPDF
	kindJPEG
	kindPNG
	kindTIFF
)

func (k kind) String() string {
	switch k {
	case kindPDF:
		return "PDF"
	case kindJPEG:
		return "JPEG image"
	case kindPNG:
		return "PNG image"
	case kindTIFF:
		return "TIFF image"
	}
	return "unknown"
}

// headerWindow is how far into a file the %PDF- header may start; readers
// skip junk (a BOM, a mail header) before it.
const headerWindow = 1024

// sniff recognises a file by its first bytes.
func sniff(head []byte) kind {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return kindPNG
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return kindJPEG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return kindTIFF
	case bytes.Contains(head[:min(len(head), headerWindow)], []byte("%PDF-")):
		return kindPDF
	}
	return kindUnknown
}

// byExtension is the fallback when the content is not recognised.
func byExtension(name string) kind {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return kindPDF
	case ".jpg", ".jpeg", ".jpe", ".jfif":
		return kindJPEG
	case ".png":
		return kindPNG
	case ".tif", ".tiff":
		return kindTIFF
	}
	return kindUnknown
}

// FileError is the error returned for an input that cannot be used. Its
// message is a sentence for staff naming the file; it unwraps to one of the
// package's sentinel errors (ErrUnsupported, ErrDamaged, ErrEncrypted) and to
// the underlying cause, if any.
type FileError struct {
	Path  string // the input as given
	Kind  error  // the sentinel
	Msg   string // the sentence, which names the file
	Cause error  // what pdfcpu or the image decoder said, or nil
}

// Error is the sentence, followed by the cause when there is one.
func (e *FileError) Error() string {
	if e.Cause == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Cause.Error()
}

// Unwrap gives errors.Is and errors.As the sentinel and the cause.
func (e *FileError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

func fileError(path string, sentinel, cause error, format string, args ...any) *FileError {
	return &FileError{Path: path, Kind: sentinel, Msg: fmt.Sprintf(format, args...), Cause: cause}
}

// Combine writes the inputs, in the order given, as one PDF to out and returns
// its page count. An input may be a PDF or a JPEG, PNG or TIFF image,
// recognised by its content (the file name extension is only a fallback).
// Each image becomes one page (one per frame for a multi-page TIFF), fitted to
// an A4 or US Letter page, whichever matches its shape best, portrait or
// landscape. A single PDF input is copied byte for byte.
//
// out is written through a temporary file in its directory and renamed into
// place: on error, out is left as it was. An input that is neither a PDF nor
// a supported image gives an error wrapping ErrUnsupported; one that cannot
// be read, ErrDamaged; a PDF that needs a password, or whose owner forbids
// changes when it is combined with others, ErrEncrypted. These errors are
// *FileError values whose message names the file. An encrypted PDF that may
// be combined is decrypted first: the combined file is not encrypted.
func Combine(inputs []string, out string) (pages int, err error) {
	if len(inputs) == 0 {
		return 0, ErrNoInput
	}
	conf := newConfig(model.MERGECREATE)

	ctxs := make([]*model.Context, 0, len(inputs))
	var single []byte // the bytes of a lone PDF input, copied as they are
	for _, in := range inputs {
		data, k, err := load(in)
		if err != nil {
			return 0, err
		}
		var ctx *model.Context
		if k == kindPDF {
			ctx, err = readPDF(in, data, conf, len(inputs) == 1)
			if len(inputs) == 1 {
				single = data
			}
		} else {
			ctx, err = readImage(in, data, k, conf)
		}
		if err != nil {
			return 0, err
		}
		ctxs = append(ctxs, ctx)
	}

	dest, err := merge(inputs, ctxs)
	if err != nil {
		return 0, err
	}
	err = writeAtomic(out, func(w io.Writer) error {
		if single != nil {
			_, err := w.Write(single)
			return err
		}
		return api.WriteContext(dest, w)
	})
	if err != nil {
		return 0, err
	}
	return dest.PageCount, nil
}

// load reads an input and tells what it holds.
func load(path string) ([]byte, kind, error) {
	name := filepath.Base(path)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, kindUnknown, fmt.Errorf("cannot read %s: %w", name, err)
	}
	if len(data) == 0 {
		return nil, kindUnknown, fileError(path, ErrDamaged, nil, "%s is empty (0 bytes)", name)
	}
	k := sniff(data)
	if k == kindUnknown {
		k = byExtension(name)
	}
	if k == kindUnknown {
		return nil, kindUnknown, fileError(path, ErrUnsupported, nil, "%s is not a PDF or a JPEG/PNG/TIFF image", name)
	}
	return data, k, nil
}

// readPDF reads and validates (relaxed) one PDF input. alone tells that it
// is the only input, which is copied as it is.
func readPDF(path string, data []byte, conf *model.Configuration, alone bool) (ctx *model.Context, err error) {
	name := filepath.Base(path)
	defer catch(&err, name)
	ctx, err = api.ReadAndValidate(bytes.NewReader(data), conf)
	if errors.Is(err, pdfcpu.ErrEncrypted) {
		// pdfcpu refuses to merge any encrypted file, even one that opens
		// without a password.
		ctx, err = readEncrypted(path, data, conf, alone)
	}
	switch {
	case err == nil:
		if ctx.PageCount == 0 {
			return nil, fileError(path, ErrDamaged, nil, "%s is a PDF without pages", name)
		}
		return ctx, nil
	case errors.As(err, new(*FileError)):
		return nil, err
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return nil, fileError(path, ErrEncrypted, err, "%s is password-protected; save it without a password and try again", name)
	case sniff(data) != kindPDF:
		// Recognised by its name only.
		return nil, fileError(path, ErrUnsupported, err, "%s is not a PDF or a JPEG/PNG/TIFF image", name)
	}
	return nil, fileError(path, ErrDamaged, err, "%s is a damaged or incomplete PDF and cannot be read", name)
}

// Permission bits of an encrypted PDF (ISO 32000-1, table 22) that allow
// its pages to be put together with others.
const (
	permModify   = 1 << 3  // bit 4: modify the document
	permAssemble = 1 << 10 // bit 11: insert, rotate or delete pages (revision 3 and later)
)

// readEncrypted reads an encrypted PDF that opens without a password. Alone,
// it is read as it is (and copied unchanged). To be combined with other
// files, its owner must allow changes or page assembly; it is then decrypted
// in memory, since pdfcpu merges only unencrypted files, and the combined
// PDF is not encrypted.
func readEncrypted(path string, data []byte, conf *model.Configuration, alone bool) (*model.Context, error) {
	name := filepath.Base(path)
	ctx, err := api.ReadAndValidate(bytes.NewReader(data), newConfig(model.VALIDATE))
	if err != nil || alone {
		return ctx, err
	}
	p, r := 0, 0
	if ctx.E != nil {
		p, r = ctx.E.P, ctx.E.R
	}
	if p&permModify == 0 && (r < 3 || p&permAssemble == 0) {
		return nil, fileError(path, ErrEncrypted, nil,
			"%s is protected by its publisher against changes, so it cannot be combined with other files; send it on its own", name)
	}
	var buf bytes.Buffer
	if err := api.Decrypt(bytes.NewReader(data), &buf, newConfig(model.DECRYPT)); err != nil {
		return nil, err
	}
	return api.ReadAndValidate(bytes.NewReader(buf.Bytes()), conf)
}

// readImage turns one image input into a PDF context, one page per image.
func readImage(path string, data []byte, k kind, conf *model.Configuration) (ctx *model.Context, err error) {
	name := filepath.Base(path)
	defer catch(&err, name)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if sniff(data) == kindUnknown {
			return nil, fileError(path, ErrUnsupported, err, "%s is not a PDF or a JPEG/PNG/TIFF image", name)
		}
		return nil, fileError(path, ErrDamaged, err, "%s is a damaged %s and cannot be read", name, k)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fileError(path, ErrDamaged, nil, "%s is a %s without pixels", name, k)
	}
	imp, err := pdfcpu.ParseImportDetails(importDetails(cfg.Width, cfg.Height), types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("%s: image import settings: %w", name, err)
	}
	var buf bytes.Buffer
	// ImportImages sets the Cmd of the configuration it is given: not conf.
	if err := api.ImportImages(nil, &buf, []io.Reader{bytes.NewReader(data)}, imp, newConfig(model.IMPORTIMAGES)); err != nil {
		return nil, fileError(path, ErrDamaged, err, "%s is a damaged %s and cannot be read", name, k)
	}
	ctx, err = api.ReadAndValidate(bytes.NewReader(buf.Bytes()), conf)
	if err != nil {
		return nil, fmt.Errorf("%s: reading back the page made from the image: %w", name, err)
	}
	return ctx, nil
}

// importDetails is the pdfcpu import description for an image of w×h
// pixels: the page is A4 or Letter, whichever is closer to the image's shape,
// in the image's orientation; the image is centred and fitted to the page
// (a scan of an A4 or Letter page fills it exactly).
func importDetails(w, h int) string {
	ar := float64(w) / float64(h) // >1: landscape
	landscape := ar > 1
	if landscape {
		ar = 1 / ar
	}
	const (
		a4     = 210.0 / 297.0
		letter = 8.5 / 11.0
	)
	format := "A4"
	if abs(ar-letter) < abs(ar-a4) {
		format = "Letter"
	}
	if landscape {
		format += "L"
	}
	return "formsize:" + format + ", position:c, scalefactor:1.0 rel"
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// merge appends the pages of ctxs[1:] to ctxs[0] and returns it.
func merge(inputs []string, ctxs []*model.Context) (dest *model.Context, err error) {
	dest = ctxs[0]
	defer catch(&err, "combining the files")
	dest.EnsureVersionForWriting()
	for i, src := range ctxs[1:] {
		name := filepath.Base(inputs[i+1])
		if dest.XRefTable.Version() < model.V20 && src.XRefTable.Version() == model.V20 {
			return nil, fmt.Errorf("cannot append %s: it is a PDF 2.0 file and %s is not", name, filepath.Base(inputs[0]))
		}
		if err := pdfcpu.MergeXRefTables(name, src, dest, false, false); err != nil {
			return nil, fmt.Errorf("cannot append %s: %w", name, err)
		}
	}
	return dest, nil
}

// writeAtomic writes out through a temporary file in the same directory,
// renamed into place only when write and close succeed.
func writeAtomic(out string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", out, err)
	}
	tmp := f.Name()
	_ = f.Chmod(0o644) // CreateTemp makes it 0600; out is an ordinary document
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err = os.Rename(tmp, out); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	return nil
}
