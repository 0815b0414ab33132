package domain

import (
	"net"
	"net/url"
	"slices"
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

// SettingsService keeps the department's own settings: the holidays of
// the business calendar, the barcode rule, the pickup desks and
// digitization departments (the places a workstation can stand), the
// scan folder and the address the window listens on.
type SettingsService struct {
	*core
	// folders checks that a scan folder given in the settings exists.
	folders Folders
}

// SetHolidays replaces the configured holidays (YYYY-MM-DD); deadlines of
// requests arriving from now on are counted with them. It needs the
// Fulfillment Services role; by may be left out only while no operators
// are set up.
func (d *SettingsService) SetHolidays(dates []string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the holidays"); err != nil {
		return err
	}
	cal, err := NewCalendar(d.Calendar().location(), dates)
	if err != nil {
		return err
	}
	err = d.store.Update(func(tx Tx) error {
		before := map[string]string{"holidays": strings.Join(d.Calendar().Holidays(), ", ")}
		after := map[string]string{"holidays": strings.Join(cal.Holidays(), ", ")}
		if err := d.auditConfig(tx, actorOf(by), "holidays", before, after); err != nil {
			return err
		}
		return tx.PutSetting(SettingHolidays, strings.Join(cal.Holidays(), ","))
	})
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.cal = cal
	d.mu.Unlock()
	return nil
}

// Settings reads the department's settings.
func (d *SettingsService) Settings() (Settings, error) {
	var s Settings
	err := d.store.View(func(tx Tx) error {
		vals := map[string]string{}
		for _, k := range []string{SettingCatalogueURL, SettingDigitizationDepartments, SettingPickupLocations, SettingScanFolder, SettingBarcodePattern, SettingListen} {
			v, err := tx.Setting(k)
			if err != nil {
				return err
			}
			vals[k] = v
		}
		s = Settings{CatalogueURL: vals[SettingCatalogueURL], ScanFolder: vals[SettingScanFolder], BarcodePattern: vals[SettingBarcodePattern], Listen: vals[SettingListen],
			DigitizationDepartments: splitList(vals[SettingDigitizationDepartments]),
			PickupLocations:         splitList(vals[SettingPickupLocations])}
		return nil
	})
	return s, err
}

// SaveSettings checks and stores the settings: the catalogue link must be an
// http(s) address and the scan folder an existing folder. It needs the
// Fulfillment Services role; by may be left out only while no operators
// are set up.
func (d *SettingsService) SaveSettings(s Settings, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the settings"); err != nil {
		return err
	}
	s.CatalogueURL = strings.TrimSpace(s.CatalogueURL)
	s.ScanFolder = strings.TrimSpace(s.ScanFolder)
	if s.CatalogueURL != "" {
		u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(s.CatalogueURL))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return refuse(ErrInvalidInput, "The catalogue search link must start with http:// or https://, e.g. https://search.example.edu/discovery/search?query=any,contains,{title}.")
		}
	}
	if s.ScanFolder != "" {
		if d.folders == nil {
			return errNoFolders
		}
		if !d.folders.IsDir(s.ScanFolder) {
			return refuse(ErrInvalidInput, "The scan folder %s does not exist or is not a folder.", s.ScanFolder)
		}
	}
	s.Listen = strings.TrimSpace(s.Listen)
	if s.Listen != "" {
		if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
			return refuse(ErrInvalidInput, "%q is not an address to listen on: write HOST:PORT, e.g. 127.0.0.1:8626.", s.Listen)
		}
	}
	s.BarcodePattern = strings.TrimSpace(s.BarcodePattern)
	rule, err := NewBarcodeRule(s.BarcodePattern)
	if err != nil {
		return err
	}
	for _, names := range [][]string{s.DigitizationDepartments, s.PickupLocations} {
		for _, n := range names {
			if strings.Contains(n, ",") {
				return refuse(ErrInvalidInput, "%q: names of departments and locations cannot contain commas.", n)
			}
		}
	}
	before, err := d.Settings()
	if err != nil {
		return err
	}
	err = d.store.Update(func(tx Tx) error {
		after := s
		after.DigitizationDepartments, after.PickupLocations = cleanList(s.DigitizationDepartments), cleanList(s.PickupLocations)
		if err := d.auditConfig(tx, actorOf(by), "settings", before, after); err != nil {
			return err
		}
		for k, v := range map[string]string{
			SettingBarcodePattern:          s.BarcodePattern,
			SettingListen:                  s.Listen,
			SettingCatalogueURL:            s.CatalogueURL,
			SettingScanFolder:              s.ScanFolder,
			SettingDigitizationDepartments: strings.Join(cleanList(s.DigitizationDepartments), ","),
			SettingPickupLocations:         strings.Join(cleanList(s.PickupLocations), ","),
		} {
			if err := tx.PutSetting(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.barcodes = rule
	d.mu.Unlock()
	return nil
}

// Stations lists the places a workstation can stand: the RS desk, every
// pickup desk (configured or used by a request) and every digitization
// department (configured or used by a pick). On a store that answers the
// list itself (a department database of a million requests), the places
// used are read from the active requests only.
func (d *SettingsService) Stations() ([]Station, error) {
	s, err := d.Settings()
	if err != nil {
		return nil, err
	}
	pickups := slices.Clone(s.PickupLocations)
	digitization := slices.Clone(s.DigitizationDepartments)
	if len(digitization) == 0 {
		digitization = append(digitization, DefaultDigitizationDepartment)
	}
	used := Filter{All: true}
	if _, ok := d.querier(); ok {
		used = Filter{} // the active requests: all would be a million
	}
	err = d.summariesWhere(used, func(r Summary) error {
		if r.Pickup != "" {
			pickups = append(pickups, r.Pickup)
		}
		if st, err := ParseStation(r.PickTarget); err == nil && st.Kind == StationDigitization {
			digitization = append(digitization, st.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []Station{RSDesk}
	for _, n := range cleanList(pickups) {
		out = append(out, Station{Kind: StationPickup, Name: n})
	}
	for _, n := range cleanList(digitization) {
		out = append(out, Station{Kind: StationDigitization, Name: n})
	}
	return out, nil
}
