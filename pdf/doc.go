// Package pdf makes the PDFs that ILL Desk itself produces: the combined
// file that is shipped to a partner (Combine: scanned pages as PDFs or
// images, in order, into one PDF) and the pick slip that staff print and put
// in the volume (PickSlip).
//
// Everything is done with pdfcpu in pure Go. Output files are written to a
// temporary file next to the destination and renamed into place, so a failure
// never leaves a half-written file behind.
package pdf

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Sentinel errors, matched with errors.Is. The errors returned wrap them with
// a message that names the file concerned.
var (
	// ErrUnsupported means an input is neither a PDF nor a JPEG, PNG or TIFF image.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrDamaged means an input looks like a PDF or image but cannot be read.
	ErrDamaged = errors.New("damaged file")
	// ErrEncrypted means an input PDF needs a password to be opened.
	ErrEncrypted = errors.New("password-protected PDF")
	// ErrNoInput means Combine was given no files.
	ErrNoInput = errors.New("no files to combine")
)

// disableConfigDir keeps pdfcpu from creating or reading a configuration
// directory in the user's profile; done once, before the first pdfcpu call.
var disableConfigDir sync.Once

func ensureConfigDisabled() { disableConfigDir.Do(api.DisableConfigDir) }

// newConfig is pdfcpu's built-in default configuration in relaxed validation
// mode, without bookmarks named after the input files.
func newConfig(cmd model.CommandMode) *model.Configuration {
	ensureConfigDisabled()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = cmd
	conf.CreateBookmarks = false
	conf.UserPW, conf.OwnerPW = "", ""
	return conf
}

// catch turns a panic inside pdfcpu (possible on hostile input) into an error.
func catch(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %w (pdfcpu: %v)", what, ErrDamaged, r)
	}
}
