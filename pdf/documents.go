package pdf

import "github.com/illdesk/illdesk/domain"

// Documents is the pdf package's implementation of domain.Documents, for wiring the
// Desk: Combine and PickSlip behind the domain's interface.
type Documents struct {
	// Letter prints pick slips on US Letter paper instead of A4.
	Letter bool
}

var _ domain.Documents = Documents{}

// Combine joins PDFs and images into one PDF at out; see the package-level Combine.
func (Documents) Combine(inputs []string, out string) (pages int, err error) {
	return Combine(inputs, out)
}

// WritePickSlip writes the pick slip s at out; see PickSlip.
func (d Documents) WritePickSlip(s domain.PickSlip, out string) error {
	return PickSlip(Slip{
		Kind: s.Kind, To: s.To, ExternalID: s.ExternalID, Partner: s.Partner,
		Title: s.Title, ArticleTitle: s.ArticleTitle, Author: s.Author,
		Volume: s.Volume, Number: s.Number, Year: s.Year, Pages: s.Pages,
		Location: s.Location, CallNumber: s.CallNumber, ItemBarcode: s.ItemBarcode,
		Requested: s.Requested, Deadline: s.Deadline, Letter: d.Letter,
	}, out)
}
