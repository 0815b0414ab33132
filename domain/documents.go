package domain

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// ErrNoDocuments means the desk was set up without a PDF maker.
var ErrNoDocuments = errors.New("no document support configured")

// errNoFolders means the desk was set up without access to the file system.
var errNoFolders = errors.New("no folder access is configured")

// paperwork is the PDF maker and the work folder it writes into, held by
// the services that make PDFs (pick slips, combined scans, reports).
type paperwork struct {
	docs    Documents
	workDir string
	folders Folders
}

// docsDir is the work folder's sub folder, created when missing.
func (d paperwork) docsDir(sub string) (string, error) {
	if d.docs == nil || d.workDir == "" || d.folders == nil {
		return "", refuse(ErrNoDocuments, "This workstation cannot make PDFs (no work folder is configured).")
	}
	dir := filepath.Join(d.workDir, sub)
	if err := d.folders.MakeDir(dir); err != nil {
		return "", fmt.Errorf("cannot create the folder %s: %w", dir, err)
	}
	return dir, nil
}

// stageScan turns the files staff gave for a request into the one PDF to
// preflight and ship: several files, or one page image, are combined in the
// given order into a new PDF in the work folder. Any other single file is
// used as it is, so that the preflight says what is wrong with one that is
// not a PDF.
func (d *Desk) stageScan(r Request, files []string) (string, error) {
	switch {
	case len(files) == 0:
		return "", refuse(ErrInvalidInput, "Add the scanned PDF (or the page images) first.")
	case len(files) == 1 && !d.looksLikeImage(files[0]):
		return files[0], nil
	}
	dir, err := d.docsDir("staging")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, fmt.Sprintf("%s-%s.pdf", SanitizeFileName(fileStem(r)), d.clock.Now().Format("20060102-150405.000")))
	if _, err := d.docs.Combine(files, out); err != nil {
		return "", refuse(ErrPreflightRejected, "The files could not be combined into one PDF: %v.", err)
	}
	return out, nil
}

// fileStem is what a request's files are named after: its external
// identifier, or its id without one.
func fileStem(r Request) string {
	if r.ExternalID != "" {
		return r.ExternalID
	}
	return r.ID
}

// looksLikeImage reports whether the file starts like a JPEG, PNG or TIFF
// image, the page images Documents.Combine takes. A file that cannot be
// read is not taken for one: the preflight then says why.
func (d paperwork) looksLikeImage(path string) bool {
	if d.folders == nil {
		return false
	}
	head, _ := d.folders.Head(path, 8)
	for _, magic := range []string{"\xff\xd8\xff", "\x89PNG\r\n\x1a\n", "II*\x00", "MM\x00*"} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return true
		}
	}
	return false
}

// WritePickSlip writes the pick slip of a request that has a pick requested
// and returns the PDF's path, in the work folder's slips folder.
func (d *Desk) WritePickSlip(ref string) (string, error) {
	r, err := d.Find(ref)
	if err != nil {
		return "", err
	}
	if r.PickTarget == "" {
		return "", refuse(ErrInvalidInput, "Request %s has no pick request, so there is no slip to print.", r.Ref())
	}
	dir, err := d.docsDir("slips")
	if err != nil {
		return "", err
	}
	to, _ := ParseStation(r.PickTarget)
	kind := "Move request"
	if to.Kind == StationDigitization {
		kind = "Digitization request"
	}
	var requested time.Time
	for _, ev := range r.History {
		if ev.Action == ActPick {
			requested = ev.At
		}
	}
	slip := PickSlip{Kind: kind, To: to.Label(), ExternalID: r.ExternalID, Partner: r.Partner,
		Title: r.Title, ArticleTitle: r.ArticleTitle, Author: r.Author, Volume: r.Volume, Number: r.Number,
		Year: r.Year, Pages: r.Pages, Location: r.Location, CallNumber: r.CallNumber, ItemBarcode: r.ItemBarcode,
		Requested: requested, Deadline: r.Deadline}
	out := filepath.Join(dir, SanitizeFileName(r.Ref())+"-slip.pdf")
	if err := d.docs.WritePickSlip(slip, out); err != nil {
		return "", fmt.Errorf("could not write the pick slip: %w", err)
	}
	return out, nil
}
