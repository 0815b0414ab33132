// Package preflight checks a file before it is shipped to a partner library:
// that it is a complete PDF the partner can open, and whether it carries
// anything staff should look at first (encryption, JavaScript, attachments).
//
// The checks are made with pdfcpu in relaxed validation mode. Checker
// implements domain.Preflighter. A check is bounded in time and memory (see
// DefaultMaxBytes, DefaultMaxObjects, DefaultMaxDecodedBytes and
// DefaultTimeout): a file beyond the limits is rejected as not checked.
package preflight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/fault"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/illdesk/illdesk/domain"
)

// Reason classes reported in domain.PreflightReport.Reason.
const (
	// ReasonOK: a complete PDF with nothing to warn about (accept).
	ReasonOK = "ok"
	// ReasonTrailingGarbage: bytes other than white space after the last
	// %%EOF; readers ignore them (accept).
	ReasonTrailingGarbage = "trailing_garbage"
	// ReasonLeadingJunk: bytes before the %PDF- header, which is within the
	// first KB; readers skip them (accept).
	ReasonLeadingJunk = "leading_junk"

	// ReasonEncryptedOwnerOnly: encrypted with an empty user password; it
	// opens, but with owner-password restrictions (warn).
	ReasonEncryptedOwnerOnly = "encrypted_owner_only"
	// ReasonJavaScript: the PDF contains JavaScript or additional actions (warn).
	ReasonJavaScript = "javascript"
	// ReasonEmbeddedFile: the PDF carries attached files (warn).
	ReasonEmbeddedFile = "embedded_file"

	// ReasonEmpty: the file has zero bytes (reject).
	ReasonEmpty = "empty"
	// ReasonNotPDF: no %PDF- header within the first KB (reject).
	ReasonNotPDF = "not_pdf"
	// ReasonTruncated: no %%EOF within the last KB, or the cross-reference
	// table or trailer can not be read (reject).
	ReasonTruncated = "truncated"
	// ReasonDamaged: header and end marker are there but the PDF can not be
	// read or fails relaxed validation (reject).
	ReasonDamaged = "damaged"
	// ReasonEncryptedUserPassword: a password is needed to open the PDF (reject).
	ReasonEncryptedUserPassword = "encrypted_user_password"
	// ReasonUnreadable: the file can not be opened or read from disk (reject).
	ReasonUnreadable = "unreadable"
	// ReasonNotChecked: the file could not be checked within the limits: it
	// is larger than the Checker's MaxBytes, has more objects than its
	// MaxObjects, has a stream that unpacks to more than its
	// MaxDecodedBytes, or checking took longer than its Timeout (reject).
	ReasonNotChecked = "not_checked"
)

const (
	// window is how far from the start the header, and from the end the
	// %%EOF marker, may be.
	window = 1024
	// maxWalkDepth bounds the recursion into nested direct objects.
	maxWalkDepth = 100
)

var (
	pdfHeader = []byte("%PDF-")
	pdfEOF    = []byte("%%EOF")
)

// disableConfigDir keeps pdfcpu from creating or reading a configuration
// directory in the user's profile.
var disableConfigDir sync.Once

func ensureConfigDisabled() { disableConfigDir.Do(api.DisableConfigDir) }

// Checker runs the preflight check with pdfcpu. The zero value is ready to
// use, with the default limits, but New is the usual way to get one. A
// Checker keeps no state between calls.
type Checker struct {
	// MaxBytes is the largest file checked; a larger one is rejected as not
	// checked without being read. Zero or less means DefaultMaxBytes.
	MaxBytes int64
	// MaxObjects bounds the objects and cross-reference entries of a file.
	// Zero or less means DefaultMaxObjects.
	MaxObjects int
	// MaxDecodedBytes bounds what one compressed stream may unpack to while
	// the file is checked. Zero or less means DefaultMaxDecodedBytes.
	MaxDecodedBytes int64
	// Timeout bounds the time one check takes; a check that is not done by
	// then is rejected as not checked and Preflight returns at once. Zero
	// or less means DefaultTimeout.
	Timeout time.Duration

	// read and validate default to reading with pdfcpu.ReadWithContext and
	// api.ValidateContext; tests replace them to simulate misbehaving pdfcpu
	// code.
	read     func(io.ReadSeeker, *model.Configuration) (*model.Context, error)
	validate func(*model.Context) error
}

var _ domain.Preflighter = (*Checker)(nil)

// New returns a Checker with the default limits. The first call switches
// off pdfcpu's configuration directory so that pdfcpu never writes to the
// user's config folder.
func New() *Checker {
	ensureConfigDisabled()
	return &Checker{}
}

// Preflight checks the file at path and reports whether it may be shipped.
// It never panics: anything pdfcpu can not cope with comes back as a reject.
// It returns within the Checker's Timeout (and the time the few KB read
// before it take); a file beyond the limits is rejected with
// ReasonNotChecked. The pdfcpu work runs in a goroutine, which is left to
// wind down on its own when the time is up.
func (c *Checker) Preflight(path string) domain.PreflightReport {
	ensureConfigDisabled()
	rep := domain.PreflightReport{File: path}
	lim := c.limits()

	fi, err := os.Stat(path)
	if err != nil {
		return unreadable(rep, err)
	}
	if fi.IsDir() {
		return reject(rep, ReasonUnreadable, "This is a folder, not a file: choose the PDF inside it.")
	}
	if !fi.Mode().IsRegular() {
		return reject(rep, ReasonUnreadable, "This is not an ordinary file: save the PDF to disk and add it again.")
	}
	f, err := os.Open(path)
	if err != nil {
		return unreadable(rep, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return unreadable(rep, err)
	}
	size := fi.Size()
	rep.Bytes = size
	if size == 0 {
		return reject(rep, ReasonEmpty, "The file is empty (0 bytes): scan or download it again.")
	}

	head, err := readAt(f, 0, min(size, window))
	if err != nil {
		return unreadable(rep, err)
	}
	hdr := bytes.Index(head, pdfHeader)
	if hdr < 0 {
		return reject(rep, ReasonNotPDF, notPDFMessage(head))
	}
	tailStart := max(0, size-window)
	tail, err := readAt(f, tailStart, size-tailStart)
	if err != nil {
		return unreadable(rep, err)
	}
	eof := bytes.LastIndex(tail, pdfEOF)
	if eof < 0 || tailStart+int64(eof) < int64(hdr) {
		return reject(rep, ReasonTruncated, "The file is cut off (no end-of-file marker): scan or download it again.")
	}
	trailing := len(bytes.TrimLeft(tail[eof+len(pdfEOF):], "\x00\t\n\f\r ")) > 0

	// Only the few KB above have been read so far: the cheap answers (not a
	// PDF, cut off) come first, then the size limit, before pdfcpu reads it.
	if size > lim.maxBytes {
		return tooLarge(rep, size, lim.maxBytes)
	}
	res, err := c.inspectWithin(f, int64(hdr), size, lim)
	if errors.Is(err, context.DeadlineExceeded) {
		return tooSlow(rep, lim.timeout)
	}
	if isLimitError(err) || isLimitError(res.invalid) {
		return tooComplex(rep)
	}
	rep.Pages, rep.SHA256 = res.pages, res.sha256
	if err != nil {
		return classifyReadError(rep, err)
	}
	if res.invalid != nil {
		rep.Pages = 0
		if errors.Is(res.invalid, errPagesMissing) {
			return reject(rep, ReasonDamaged, "Pages or page images are missing from the PDF: scan or export it again.")
		}
		return reject(rep, ReasonDamaged, "The PDF is damaged and may not open for the partner: scan or export it again.")
	}
	if res.pages <= 0 {
		rep.Pages = 0
		return reject(rep, ReasonDamaged, "The PDF has no pages: scan or export it again.")
	}

	if w := res.warnings(); len(w) > 0 {
		rep.Verdict = domain.VerdictWarn
		rep.Reason = w[0]
		rep.Message = warnMessage(w)
		return rep
	}

	rep.Verdict = domain.VerdictAccept
	rep.Reason = ReasonOK
	note := ""
	switch {
	case hdr > 0 && trailing:
		rep.Reason = ReasonLeadingJunk
		note = " (the extra bytes before the start and after the end of the PDF will be ignored)"
	case hdr > 0:
		rep.Reason = ReasonLeadingJunk
		note = " (the extra bytes before the start of the PDF will be ignored)"
	case trailing:
		rep.Reason = ReasonTrailingGarbage
		note = " (the extra bytes after the end of the PDF will be ignored)"
	}
	rep.Message = fmt.Sprintf("%s, %s — ready to ship%s.", pagesText(rep.Pages), domain.HumanBytes(size), note)
	return rep
}

// inspection is what pdfcpu found in a PDF it could read.
type inspection struct {
	pages      int
	invalid    error // relaxed validation or the page check failed
	encrypted  bool
	javaScript bool
	embedded   bool
	sha256     string // of the whole file, in hex
}

// warnings lists the warning reasons that apply, most important first.
func (r inspection) warnings() []string {
	var w []string
	if r.encrypted {
		w = append(w, ReasonEncryptedOwnerOnly)
	}
	if r.javaScript {
		w = append(w, ReasonJavaScript)
	}
	if r.embedded {
		w = append(w, ReasonEmbeddedFile)
	}
	return w
}

// panicError is a panic raised inside pdfcpu, caught and turned into an error.
type panicError struct{ value any }

func (p panicError) Error() string { return fmt.Sprintf("pdfcpu panic: %v", p.value) }

// inspectWithin runs inspect in a goroutine and waits for it at most
// lim.timeout. A result that comes after the deadline is not used: the
// error is then context.DeadlineExceeded. The goroutine stops at the next
// point that looks at the deadline, or when its reads fail because
// Preflight closed the file; pdfcpu's validation does not look at it.
func (c *Checker) inspectWithin(f *os.File, hdr, size int64, lim limits) (inspection, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lim.timeout)
	defer cancel()
	type outcome struct {
		res inspection
		err error
	}
	done := make(chan outcome, 1) // buffered: a late goroutine never blocks
	go func() {
		res, err := c.inspect(ctx, f, hdr, size, lim)
		done <- outcome{res, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
	}
	// the clock, not only the context's timer, which may not have fired
	// yet when a quick check ends just past a very short deadline
	if deadline, _ := ctx.Deadline(); ctx.Err() != nil || !time.Now().Before(deadline) {
		return inspection{}, context.DeadlineExceeded
	}
	return out.res, out.err
}

// inspect reads the PDF starting at the header offset hdr with pdfcpu,
// validates it and looks for the things that deserve a warning. A panic
// anywhere in there is returned as a panicError; a file beyond the limits
// as an error for which isLimitError holds.
func (c *Checker) inspect(ctx context.Context, f *os.File, hdr, size int64, lim limits) (res inspection, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = inspection{}, panicError{v}
		}
	}()
	read, validate := c.read, c.validate
	if read == nil {
		read = func(rs io.ReadSeeker, conf *model.Configuration) (pc *model.Context, err error) {
			defer fault.Catch(&err) // as api.ReadContext does
			return pdfcpu.ReadWithContext(ctx, rs, conf)
		}
	}
	if validate == nil {
		validate = api.ValidateContext
	}

	// pdfcpu keeps an entry in memory for every object and cross-reference
	// entry it meets: count them first, with a fixed-size buffer. That pass
	// reads the whole file, so it also takes the file's SHA-256.
	sum := sha256.New()
	cs, err := countObjects(ctx, io.TeeReader(io.NewSectionReader(f, 0, size), sum), lim.maxObjects)
	if err != nil {
		return res, err
	}
	if cs.over(lim.maxObjects) {
		return res, fmt.Errorf("%w: %d cross-reference entries, %d objects", errTooComplex, cs.entries, cs.objects)
	}
	res.sha256 = hex.EncodeToString(sum.Sum(nil))

	// With bytes in front of the header, the xref offsets are normally
	// relative to the header; a file whose offsets count from the first byte
	// gets a second chance below.
	pc, err := read(io.NewSectionReader(f, hdr, size-hdr), newConfig(lim, size))
	if err != nil && hdr > 0 && !isEncryptionError(err) && !isLimitError(err) && ctx.Err() == nil {
		if pc2, err2 := read(io.NewSectionReader(f, 0, size), newConfig(lim, size)); err2 == nil {
			pc, err = pc2, nil
		}
	}
	if err != nil {
		return res, err
	}
	if pc == nil || pc.XRefTable == nil {
		return res, errors.New("pdfcpu returned no cross-reference table")
	}
	// Object streams unpack to objects the count above could not see.
	if n := len(pc.Table); n > lim.maxObjects {
		return res, fmt.Errorf("%w: %d objects", errTooComplex, n)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}

	// The page check comes first: validation repairs what it would find.
	if res.invalid = checkPages(ctx, pc.XRefTable); res.invalid != nil {
		return res, nil
	}
	if res.invalid = validate(pc); res.invalid != nil {
		return res, nil
	}
	if pc.PageCount <= 0 {
		_ = pc.EnsurePageCount()
	}
	res.pages = pc.PageCount
	// pdfcpu only opens an encrypted file here if the empty user password
	// works, so any encryption left is owner-password restrictions.
	res.encrypted = pc.Encrypt != nil || pc.E != nil
	if res.javaScript, res.embedded, err = scan(ctx, pc.XRefTable); err != nil {
		return inspection{}, err
	}
	return res, nil
}

// newConfig is pdfcpu's built-in default configuration in relaxed mode,
// with resource limits that follow the Checker's. No stream is longer than
// the file, so a stream that says it is (pdfcpu would allocate what it
// says) is an error; a file this large passed the size limit already.
func newConfig(lim limits, size int64) *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.VALIDATE
	conf.UserPW, conf.OwnerPW = "", ""
	conf.Offline = true // never go on the network (link or certificate checks)
	conf.Limits.MaxStreamBytes = min(size, lim.maxBytes)
	conf.Limits.MaxDecodeBytes = lim.maxDecoded
	conf.Limits.MaxObjectCount = lim.maxObjects
	conf.Limits.MaxXRefEntries = lim.maxObjects
	conf.Limits.MaxObjectStreamCount = lim.maxObjects
	return conf
}

func isEncryptionError(err error) bool {
	return errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrUnsupportedEncryptionFeature)
}

// classifyReadError turns a pdfcpu read failure (or a caught panic) into a reject.
func classifyReadError(rep domain.PreflightReport, err error) domain.PreflightReport {
	rep.Pages = 0
	var p panicError
	switch {
	case errors.As(err, &p):
		return reject(rep, ReasonDamaged, "The PDF is damaged and could not be read: scan or export it again.")
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return reject(rep, ReasonEncryptedUserPassword,
			"This PDF needs a password to open; the partner could not read it. Save it again without a password.")
	case errors.Is(err, pdfcpu.ErrUnsupportedEncryptionFeature):
		return reject(rep, ReasonEncryptedUserPassword,
			"This PDF is locked with a kind of encryption (a password or certificate) the partner may not be able to open. Save it again without a password.")
	case errors.Is(err, pdfcpu.ErrMissingXRefSection) || strings.HasPrefix(err.Error(), "xref table:"):
		// pdfcpu prefixes every failure to build the cross-reference table
		// (after trying to repair it) with "xref table:".
		return reject(rep, ReasonTruncated,
			"The PDF's index (cross-reference table) is missing or unreadable, so the file is probably incomplete: scan or download it again.")
	default:
		return reject(rep, ReasonDamaged, "The PDF is damaged and could not be read: scan or export it again.")
	}
}

// scan looks through every object of the file for JavaScript (JavaScript
// actions, /JS and /AA entries, the /JavaScript name tree) and attached files
// (the /EmbeddedFiles name tree, file attachment annotations). An object
// stream that unpacks to more than the decoding limit is an error: what it
// holds can not be vouched for.
func scan(ctx context.Context, xt *model.XRefTable) (javaScript, embedded bool, err error) {
	var w walker
	if root, err := xt.Catalog(); err == nil {
		if names, err := xt.DereferenceDict(root["Names"]); err == nil && names != nil {
			w.javaScript = nonEmptyTree(xt, names["JavaScript"])
			w.embedded = nonEmptyTree(xt, names["EmbeddedFiles"])
		}
	}
	n := 0
	for _, e := range xt.Table {
		if w.javaScript && w.embedded {
			break
		}
		if n++; n%1024 == 0 && ctx.Err() != nil {
			break // too late: the result is not used
		}
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		o := e.Object
		if l, ok := o.(types.LazyObjectStreamObject); ok {
			d, err := l.DecodedObject(ctx)
			if isLimitError(err) {
				return false, false, err
			}
			if err != nil {
				continue
			}
			o = d
		}
		w.walk(o, 0)
	}
	return w.javaScript, w.embedded, nil
}

// nonEmptyTree reports whether o is a name tree with at least one entry or kid.
func nonEmptyTree(xt *model.XRefTable, o types.Object) bool {
	d, err := xt.DereferenceDict(o)
	if err != nil || d == nil {
		return false
	}
	for _, key := range []string{"Names", "Kids"} {
		if a, err := xt.DereferenceArray(d[key]); err == nil && len(a) > 0 {
			return true
		}
	}
	return false
}

// walker records what it meets while walking direct objects. Indirect
// references are not followed: every indirect object is walked on its own.
type walker struct {
	javaScript, embedded bool
}

func (w *walker) walk(o types.Object, depth int) {
	if depth > maxWalkDepth {
		return
	}
	switch v := o.(type) {
	case types.Dict:
		w.dict(v, depth)
	case types.StreamDict:
		w.dict(v.Dict, depth)
	case types.Array:
		for _, e := range v {
			w.walk(e, depth+1)
		}
	}
}

func (w *walker) dict(d types.Dict, depth int) {
	if present(d["JS"]) || present(d["AA"]) || isName(d["S"], "JavaScript") {
		w.javaScript = true
	}
	if isName(d["Subtype"], "FileAttachment") {
		w.embedded = true
	}
	for _, v := range d {
		w.walk(v, depth+1)
	}
}

// present reports whether an entry is there with a value: not missing, not
// null and not an empty dictionary.
func present(o types.Object) bool {
	if o == nil {
		return false
	}
	if d, ok := o.(types.Dict); ok {
		return len(d) > 0
	}
	return true
}

func isName(o types.Object, name string) bool {
	n, ok := o.(types.Name)
	return ok && string(n) == name
}

// readAt reads n bytes at off.
func readAt(f *os.File, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	m, err := f.ReadAt(buf, off)
	if m == len(buf) {
		return buf, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // the file shrank since Stat
	}
	return nil, err
}

func reject(rep domain.PreflightReport, reason, msg string) domain.PreflightReport {
	rep.Verdict = domain.VerdictReject
	rep.Reason = reason
	rep.Message = msg
	return rep
}

func unreadable(rep domain.PreflightReport, err error) domain.PreflightReport {
	msg := "The file could not be read from disk: check that it is still there and not open in another program, then try again."
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "The file could not be found: check that it still exists and add it again."
	case errors.Is(err, fs.ErrPermission):
		msg = "ILL Desk is not allowed to read the file: check its permissions or copy it to another folder and add it again."
	}
	return reject(rep, ReasonUnreadable, msg)
}

// warnMessage describes every warning in one sentence, with the advice for
// the most important one.
func warnMessage(reasons []string) string {
	var parts []string
	for _, r := range reasons {
		switch r {
		case ReasonEncryptedOwnerOnly:
			parts = append(parts, "is protected with an owner password (it opens, but printing or copying may be restricted)")
		case ReasonJavaScript:
			parts = append(parts, "contains JavaScript")
		case ReasonEmbeddedFile:
			parts = append(parts, "has attached files")
		}
	}
	var advice string
	switch reasons[0] {
	case ReasonEncryptedOwnerOnly:
		advice = "ship it only if the partner can work with those restrictions, or save it again without a password"
	case ReasonJavaScript:
		advice = "ship it only if you trust its source"
	default:
		advice = "ship it only if you meant to send the attachments"
	}
	return "The PDF " + joinAnd(parts) + "; " + advice + "."
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// notPDFMessage names what the file seems to be when it is not a PDF.
func notPDFMessage(head []byte) string {
	kind := sniff(head)
	if kind == "" {
		return "This is not a PDF file (no PDF header was found): save or export it as a PDF and add it again."
	}
	return "This is not a PDF file (it looks like " + kind + "): save or export it as a PDF and add it again."
}

func sniff(head []byte) string {
	signatures := []struct {
		prefix, kind string
	}{
		{"\x89PNG\r\n\x1a\n", "a PNG image"},
		{"\xff\xd8\xff", "a JPEG image"},
		{"II*\x00", "a TIFF image"},
		{"MM\x00*", "a TIFF image"},
		{"GIF8", "a GIF image"},
		{"BM", "a BMP image"},
		{"PK\x03\x04", "a ZIP archive or Office document"},
		{"%!", "a PostScript file"},
		{"{\\rtf", "an RTF document"},
		{"\xd0\xcf\x11\xe0", "an old-style Office document"},
	}
	for _, s := range signatures {
		if bytes.HasPrefix(head, []byte(s.prefix)) {
			return s.kind
		}
	}
	if isText(head) {
		return "a text file"
	}
	return ""
}

// isText reports whether b looks like UTF-8 text (a cut-off last character
// is allowed).
func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return false
		}
		b = b[n:]
	}
	return true
}

func pagesText(n int) string {
	if n == 1 {
		return "1 page"
	}
	return fmt.Sprintf("%d pages", n)
}
