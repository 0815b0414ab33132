package domain

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
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
