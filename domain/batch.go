package domain

import "path/filepath"

// BatchResult is the outcome of one request in a batch action.
type BatchResult struct {
	Ref     string
	Request Request
	Err     error
}

// BatchFailed counts the requests a batch action refused.
func BatchFailed(rs []BatchResult) int {
	n := 0
	for _, r := range rs {
		if r.Err != nil {
			n++
		}
	}
	return n
}

// RejectMany rejects several lending requests with one reason and notes.
// Each request is its own change: one that cannot be rejected is reported
// and changes nothing, the others go ahead.
func (d *Desk) RejectMany(refs []string, reason Reason, note, partnerNote string, by Actor) []BatchResult {
	out := make([]BatchResult, 0, len(refs))
	for _, ref := range refs {
		r, err := d.Reject(ref, reason, note, partnerNote, by)
		out = append(out, BatchResult{Ref: ref, Request: r, Err: err})
	}
	return out
}

// PickMany creates pick requests for several lending requests to one target,
// each with its own item barcode.
func (d *Desk) PickMany(refs []string, to Station, by Actor) []BatchResult {
	out := make([]BatchResult, 0, len(refs))
	for _, ref := range refs {
		r, err := d.Pick(ref, to, "", by)
		out = append(out, BatchResult{Ref: ref, Request: r, Err: err})
	}
	return out
}

// WritePickSlips writes the pick slips of several requests into one PDF, in
// the given order, and returns its path.
func (d *Desk) WritePickSlips(refs []string) (string, error) {
	if len(refs) == 1 {
		return d.WritePickSlip(refs[0])
	}
	var slips []string
	for _, ref := range refs {
		p, err := d.WritePickSlip(ref)
		if err != nil {
			return "", err
		}
		slips = append(slips, p)
	}
	if len(slips) == 0 {
		return "", refuse(ErrInvalidInput, "Mark the requests whose slips you want to print.")
	}
	dir, err := d.docsDir("slips")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "slips-"+d.clock.Now().Format("20060102-150405")+".pdf")
	if _, err := d.docs.Combine(slips, out); err != nil {
		return "", err
	}
	return out, nil
}
