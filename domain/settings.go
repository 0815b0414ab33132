package domain

import (
	"net/url"
	"strings"
)

// Settings are the department's preferences kept in the database.
type Settings struct {
	// CatalogueURL is a search link template; {title}, {issn}, {isbn},
	// {doi}, {author} and {query} are replaced by the request's values, URL-escaped.
	CatalogueURL string `json:"catalogue_url"`
	// DigitizationDepartments are the departments pick requests can go to.
	DigitizationDepartments []string `json:"digitization_departments"`
	// PickupLocations are the pickup desks offered for borrowing requests.
	PickupLocations []string `json:"pickup_locations"`
	// ScanFolder is where a book scanner saves PDFs named by external identifier.
	ScanFolder string `json:"scan_folder"`
	// BarcodePattern is a regular expression item barcodes must match
	// (besides 1–64 printable characters without spaces); empty means any.
	BarcodePattern string `json:"barcode_pattern"`
	// Listen is the local address (HOST:PORT) the window receives partners'
	// ISO 18626 messages on; empty means it does not.
	Listen string `json:"listen"`
}

// Setting keys for the values of Settings.
const (
	SettingCatalogueURL            = "catalogue_url"
	SettingDigitizationDepartments = "digitization_departments"
	SettingPickupLocations         = "pickup_locations"
	SettingScanFolder              = "scan_folder"
	SettingListen                  = "listen"
)

// DefaultDigitizationDepartment is offered when none is configured.
const DefaultDigitizationDepartment = "Digitization"

// CatalogueSearch builds the catalogue search link for a request; ok is false
// when no template is configured.
func (s Settings) CatalogueSearch(r Request) (link string, ok bool) {
	if s.CatalogueURL == "" {
		return "", false
	}
	query := r.Title
	if r.ISSN != "" {
		query = r.ISSN
	} else if r.ISBN != "" {
		query = r.ISBN
	}
	return strings.NewReplacer(
		"{title}", url.QueryEscape(r.Title),
		"{issn}", url.QueryEscape(r.ISSN),
		"{isbn}", url.QueryEscape(r.ISBN),
		"{doi}", url.QueryEscape(r.DOI),
		"{author}", url.QueryEscape(r.Author),
		"{query}", url.QueryEscape(query),
	).Replace(s.CatalogueURL), true
}

// WaitingScan is a file in the scan folder named after an open lending request.
type WaitingScan struct {
	RequestID string
	Path      string
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return cleanList(strings.Split(s, ","))
}

// cleanList trims names and drops blanks and duplicates (ignoring case), keeping order.
func cleanList(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		out = append(out, n)
	}
	return out
}

// SettingBackupKeep is how many daily snapshots of the database are kept.
const SettingBackupKeep = "backup_keep"

// DefaultBackupKeep is how many daily snapshots are kept when none is set:
// two weeks.
const DefaultBackupKeep = 14

// MaxBackupKeep is the most daily snapshots that can be kept: about a year.
const MaxBackupKeep = 366
