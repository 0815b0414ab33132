// Package assets holds the files bundled into the binary: the icon, the demo
// data set and the sample scan it ships.
package assets

import (
	_ "embed"
	"encoding/json"
)

//go:embed demo.json
var demoJSON []byte

// Icon is the application icon (1024×1024 PNG, drawn by go run ./tools/icon), also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte

// DemoScan is a one-page PDF that the demo data ships for its shipped requests.
//
//go:embed demo-scan.pdf
var DemoScan []byte

// Demo is the demo data set: partners and requests with what has happened to
// them, timed relative to the moment the demo starts.
type Demo struct {
	Settings  DemoSettings    `json:"settings"`
	Partners  []DemoPartner   `json:"partners"`
	Lending   []DemoLending   `json:"lending"`
	Borrowing []DemoBorrowing `json:"borrowing"`
}

// DemoSettings are the department settings of the demo.
type DemoSettings struct {
	CatalogueURL            string   `json:"catalogue_url"`
	DigitizationDepartments []string `json:"digitization_departments"`
	PickupLocations         []string `json:"pickup_locations"`
}

// DemoPartner is a partner library of the demo.
type DemoPartner struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	TurnaroundHours int    `json:"turnaround_hours"`
	Email           string `json:"email"`
	LoanDays        int    `json:"loan_days"`
}

// DemoLending is a lending request of the demo. Steps are applied in order,
// an hour apart: "pick:DESK", "arrive" (the pulled item scanned at its
// desk), "ship", "reject:REASON", "bad-citation:NOTE", "cancel".
type DemoLending struct {
	ExternalID string `json:"external_id"`
	Partner    string `json:"partner"`
	// ArrivedBusinessHoursAgo places the arrival so that this much business
	// time has run off the partner's turnaround clock.
	ArrivedBusinessHoursAgo float64           `json:"arrived_business_hours_ago"`
	Format                  string            `json:"format"`
	Title                   string            `json:"title"`
	ArticleTitle            string            `json:"article_title"`
	Author                  string            `json:"author"`
	Volume                  string            `json:"volume"`
	Number                  string            `json:"number"`
	Year                    string            `json:"year"`
	Pages                   string            `json:"pages"`
	ISSN                    string            `json:"issn"`
	ISBN                    string            `json:"isbn"`
	DOI                     string            `json:"doi"`
	Location                string            `json:"location"`
	CallNumber              string            `json:"call_number"`
	ItemBarcode             string            `json:"item_barcode"`
	EResources              map[string]string `json:"eresources"`
	Steps                   []string          `json:"steps"`
}

// DemoBorrowing is a borrowing request of the demo. Steps are applied in
// order, a day apart: "receive:BARCODE", "scan:DESK" (the barcode scanned at
// that desk), "cancel".
type DemoBorrowing struct {
	Title          string   `json:"title"`
	Author         string   `json:"author"`
	ISBN           string   `json:"isbn"`
	Requester      string   `json:"requester"`
	RequesterEmail string   `json:"requester_email"`
	Pickup         string   `json:"pickup"`
	Partner        string   `json:"partner"`
	ExternalID     string   `json:"external_id"`
	CreatedDaysAgo float64  `json:"created_days_ago"`
	Steps          []string `json:"steps"`
}

// LoadDemo parses the bundled demo data set.
func LoadDemo() (Demo, error) {
	var d Demo
	err := json.Unmarshal(demoJSON, &d)
	return d, err
}
