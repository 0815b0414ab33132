package domain

// Shipment is a scan made ready for one lending request by Prepare: the one
// PDF to send, its preflight report and the SHA-256 of the bytes checked.
// Ship sends exactly those bytes, so what staff saw checked is what leaves.
type Shipment struct {
	// RequestID and Ref name the request (Ref as staff read it).
	RequestID string
	Ref       string
	// Name is what the stored file is named after: the external identifier,
	// or the request id without one.
	Name string
	// File is the PDF to ship: the dropped PDF itself, or the scans combined
	// in the work folder.
	File string
	// Report is the preflight of File, with the request's page and size
	// checks; Report.SHA256 is the SHA-256 Ship expects of File.
	Report PreflightReport
}

// Allowed says whether the shipment may go: nil, or a refusal wrapping
// ErrPreflightRejected (the file failed its check) or ErrNeedsConfirmation
// (it has warnings and acceptWarnings is not set).
func (s Shipment) Allowed(acceptWarnings bool) error {
	switch s.Report.Verdict {
	case VerdictAccept:
		return nil
	case VerdictWarn:
		if acceptWarnings {
			return nil
		}
		return refuse(ErrNeedsConfirmation, "%s Confirm the warning to ship it anyway.", s.Report.Message)
	}
	return refuse(ErrPreflightRejected, "%s Nothing was shipped.", s.Report.Message)
}
