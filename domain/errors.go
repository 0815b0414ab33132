package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors of the domain. Callers match them with errors.Is; the
// error values returned by the Desk wrap them in a *Refusal whose message is a
// sentence for staff.
var (
	// ErrNotFound means no request matches the reference given.
	ErrNotFound = errors.New("request not found")
	// ErrAmbiguousRef means a reference matches more than one request.
	ErrAmbiguousRef = errors.New("reference matches several requests")
	// ErrPartnerNotFound means no partner has the code given.
	ErrPartnerNotFound = errors.New("partner not found")
	// ErrPartnerExists means a partner with that code is already registered.
	ErrPartnerExists = errors.New("partner already exists")
	// ErrInvalidInput means a field is missing or malformed.
	ErrInvalidInput = errors.New("invalid input")
	// ErrIllegalTransition means the action is not allowed in the request's state.
	ErrIllegalTransition = errors.New("action not allowed in this state")
	// ErrReasonRequired means a rejection was attempted without a reason.
	ErrReasonRequired = errors.New("reason required")
	// ErrUnknownReason means the reject reason is not one of the ISO 18626 codes offered.
	ErrUnknownReason = errors.New("unknown reason")
	// ErrNoteRequired means the action needs an explanatory note.
	ErrNoteRequired = errors.New("note required")
	// ErrInvalidBarcode means a barcode breaks the barcode rules.
	ErrInvalidBarcode = errors.New("invalid barcode")
	// ErrBarcodeInUse means the barcode is already active on another request.
	ErrBarcodeInUse = errors.New("barcode in use")
	// ErrDuplicateExternalID means the partner already has a request with that external identifier.
	ErrDuplicateExternalID = errors.New("duplicate external identifier")
	// ErrUnknownCode means a scanned code belongs to no active request.
	ErrUnknownCode = errors.New("unknown code")
	// ErrWrongDesk means a scanned item belongs somewhere else.
	ErrWrongDesk = errors.New("wrong desk")
	// ErrWrongState means a scanned item is in a state in which scanning does nothing.
	ErrWrongState = errors.New("nothing to do for this scan")
	// ErrPatronMismatch refuses a check-out for a patron id that is not
	// the requester's.
	ErrPatronMismatch = errors.New("patron does not match the request")
	// ErrRequesterUnconfirmed stops a check-out that needs the patron
	// (the window's) until staff confirm the requester.
	ErrRequesterUnconfirmed = errors.New("requester not confirmed")
	// ErrInvalidStation means a desk name could not be understood.
	ErrInvalidStation = errors.New("invalid desk")
	// ErrPreflightRejected means the file failed the PDF check and cannot be shipped.
	ErrPreflightRejected = errors.New("file rejected by preflight")
	// ErrNeedsConfirmation means the file has warnings that staff must accept first.
	ErrNeedsConfirmation = errors.New("file has warnings to confirm")
	// ErrShipmentChanged means the file to ship is not the one that was
	// checked: it changed between Prepare and Ship.
	ErrShipmentChanged = errors.New("file changed since it was checked")
	// ErrDatabaseLocked means another process holds the database open.
	ErrDatabaseLocked = errors.New("database locked")
	// ErrSchemaTooNew means the database was written by a newer ILL Desk.
	ErrSchemaTooNew = errors.New("database schema too new")
	// ErrDatabaseDamaged means the database file is damaged; a backup must be restored.
	ErrDatabaseDamaged = errors.New("database damaged")
	// ErrStorageUnavailable means the disk holding the database stopped
	// answering (an I/O error, a file system that went away, a fault on
	// the mapped file that a look at the file does not explain by damage):
	// the change was not saved, and nothing stored is known to be lost.
	ErrStorageUnavailable = errors.New("storage unavailable")
	// ErrDiskFull means the disk has no room left; nothing was saved.
	ErrDiskFull = errors.New("disk full")
	// ErrDatabaseUnreachable means the department database server did not
	// answer: nothing was changed.
	ErrDatabaseUnreachable = errors.New("database unreachable")
	// ErrOutcomeUnknown means the connection to the department database
	// broke while it was committing a change: the change may or may not
	// have been saved. Refusal.IDs names the requests it touched, to be
	// read again once the database answers.
	ErrOutcomeUnknown = errors.New("not known whether the change was saved")
	// ErrVaultMissing means the folder of shipped files is gone.
	ErrVaultMissing = errors.New("vault missing")
	// ErrNotWritable means a folder or file cannot be written (read-only or no permission).
	ErrNotWritable = errors.New("not writable")
	// ErrNotADatabase means the file given as the database is not an ILL
	// Desk database; it is an ErrInvalidInput.
	ErrNotADatabase = fmt.Errorf("not an ILL Desk database: %w", ErrInvalidInput)
	// ErrBackupInUse means the file given as a backup is a database open in
	// ILL Desk; it is an ErrDatabaseLocked.
	ErrBackupInUse = fmt.Errorf("backup open as a database: %w", ErrDatabaseLocked)
	// ErrDatabaseInUse means the database a restore would replace is open
	// in ILL Desk; it is an ErrDatabaseLocked.
	ErrDatabaseInUse = fmt.Errorf("database in use: %w", ErrDatabaseLocked)
	// ErrValueDamaged means one stored value cannot be read; it is an
	// ErrDatabaseDamaged.
	ErrValueDamaged = fmt.Errorf("stored value damaged: %w", ErrDatabaseDamaged)
	// ErrNoPickSlip means a request has no pick request, so it has no pick
	// slip; it is an ErrInvalidInput.
	ErrNoPickSlip = fmt.Errorf("no pick slip: %w", ErrInvalidInput)
	// ErrNoPrinter means no printer is set and the system has no default
	// printer.
	ErrNoPrinter = errors.New("no printer")
	// ErrPrinterNotFound means the printer named is not one of the
	// system's printers.
	ErrPrinterNotFound = errors.New("printer not found")
	// ErrPrintingUnavailable means the system cannot print now: its
	// printing service is missing or not running.
	ErrPrintingUnavailable = errors.New("printing unavailable")
	// ErrPrintFailed means the printing service did not take the job.
	ErrPrintFailed = errors.New("print failed")
)

// Refusal is an error whose message is a complete sentence for staff saying
// what went wrong and what to do. It unwraps to one of the sentinel errors.
type Refusal struct {
	Kind error  // the sentinel, for errors.Is
	Msg  string // the sentence shown to staff
	// Candidates lists the requests a reference matched, for ErrAmbiguousRef.
	Candidates []Request
	// Path is the file or folder a store's refusal is about, and Detail
	// what was found wrong there. Msg says it plainly; a front end words
	// refusals of the kinds that need its own advice (--db, a window to
	// close, a command to run) from Kind, Path and Detail.
	Path, Detail string
	// IDs are the requests a change of unknown outcome (ErrOutcomeUnknown)
	// touched: reading them again tells whether it was saved.
	IDs []string
}

func (r *Refusal) Error() string { return r.Msg }

// Unwrap returns the sentinel the refusal stands for.
func (r *Refusal) Unwrap() error { return r.Kind }

// refuse builds a Refusal of the given kind with a formatted sentence.
func refuse(kind error, format string, args ...any) *Refusal {
	return &Refusal{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
