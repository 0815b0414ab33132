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

func (d *Desk) docsDir(sub string) (string, error) {
	if d.docs == nil || d.workDir == "" || d.folders == nil {
		return "", refuse(ErrNoDocuments, "This workstation cannot make PDFs (no work folder is configured).")
	}
	dir := filepath.Join(d.workDir, sub)
	if err := d.folders.MakeDir(dir); err != nil {
		return "", fmt.Errorf("cannot create the folder %s: %w", dir, err)
	}
	return dir, nil
}

// PrepareScan turns the files staff dropped for a request into the one PDF
// to preflight and ship: a single PDF is used as it is; several files, or
// images, are combined in the given order into a new PDF in the work folder.
func (d *Desk) PrepareScan(r Request, files []string) (string, error) {
	switch {
	case len(files) == 0:
		return "", refuse(ErrInvalidInput, "Add the scanned PDF (or the page images) first.")
	case len(files) == 1 && d.looksLikePDF(files[0]):
		return files[0], nil
	}
	dir, err := d.docsDir("staging")
	if err != nil {
		return "", err
	}
	name := r.ExternalID
	if name == "" {
		name = r.ID
	}
	out := filepath.Join(dir, fmt.Sprintf("%s-%s.pdf", SanitizeFileName(name), d.clock.Now().Format("20060102-150405.000")))
	if _, err := d.docs.Combine(files, out); err != nil {
		return "", refuse(ErrPreflightRejected, "The files could not be combined into one PDF: %v.", err)
	}
	return out, nil
}

// looksLikePDF reports whether the file starts (within its first KB) with a
// PDF header. A file that cannot be read is not taken for one: Combine then
// says why.
func (d *Desk) looksLikePDF(path string) bool {
	if d.folders == nil {
		return false
	}
	head, _ := d.folders.Head(path, 1024)
	return bytes.Contains(head, []byte("%PDF-"))
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
