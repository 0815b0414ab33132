package domain

import (
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
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

// Settings reads the department's settings.
func (d *Desk) Settings() (Settings, error) {
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
func (d *Desk) SaveSettings(s Settings, by ...Actor) error {
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

// Stations lists the places a workstation can stand: the RS desk, every
// pickup desk (configured or used by a request) and every digitization
// department (configured or used by a pick).
func (d *Desk) Stations() ([]Station, error) {
	s, err := d.Settings()
	if err != nil {
		return nil, err
	}
	pickups := slices.Clone(s.PickupLocations)
	digitization := slices.Clone(s.DigitizationDepartments)
	if len(digitization) == 0 {
		digitization = append(digitization, DefaultDigitizationDepartment)
	}
	err = d.store.View(func(tx Tx) error {
		return tx.ForEachSummary(func(r Summary) error {
			if r.Pickup != "" {
				pickups = append(pickups, r.Pickup)
			}
			if st, err := ParseStation(r.PickTarget); err == nil && st.Kind == StationDigitization {
				digitization = append(digitization, st.Name)
			}
			return nil
		})
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

// WaitingScan is a file in the scan folder named after an open lending request.
type WaitingScan struct {
	RequestID string
	Path      string
}

// WaitingScans lists the PDFs in the scan folder dir whose name (without
// .pdf) is the external identifier of a request that can still be shipped.
func (d *Desk) WaitingScans(dir string, rs []Summary) ([]WaitingScan, error) {
	if dir == "" {
		return nil, nil
	}
	if d.folders == nil {
		return nil, errNoFolders
	}
	names, err := d.folders.Files(dir)
	if err != nil {
		return nil, refuse(ErrInvalidInput, "The scan folder %s cannot be read: %v.", dir, err)
	}
	byName := map[string]string{}
	for _, r := range rs {
		if r.ExternalID != "" && r.Can(ActShip) {
			byName[scanNameKey(SanitizeFileName(r.ExternalID))] = r.ID
		}
	}
	var out []WaitingScan
	for _, name := range names {
		if !strings.EqualFold(filepath.Ext(name), ".pdf") {
			continue
		}
		if id, ok := byName[scanNameKey(strings.TrimSuffix(name, filepath.Ext(name)))]; ok {
			out = append(out, WaitingScan{RequestID: id, Path: filepath.Join(dir, name)})
		}
	}
	return out, nil
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

// BackupKeep is how many daily snapshots of the database are kept (the
// window makes one a day at start and deletes the oldest beyond this); 0
// means no daily snapshots are made. Unset or unreadable, it is
// DefaultBackupKeep.
func (d *Desk) BackupKeep() (int, error) {
	var v string
	err := d.store.View(func(tx Tx) error {
		var err error
		v, err = tx.Setting(SettingBackupKeep)
		return err
	})
	if err != nil || v == "" {
		return DefaultBackupKeep, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxBackupKeep {
		return DefaultBackupKeep, nil
	}
	return n, nil
}

// SetBackupKeep sets how many daily snapshots are kept, 0 to make none (a
// Fulfillment Services Operator's task); the change is audited.
func (d *Desk) SetBackupKeep(n int, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing how many backups are kept"); err != nil {
		return err
	}
	if n < 0 || n > MaxBackupKeep {
		return refuse(ErrInvalidInput, "The number of daily backups to keep must be from 0 (none) to %d, e.g. %d for two weeks.", MaxBackupKeep, DefaultBackupKeep)
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingBackupKeep)
		if err != nil {
			return err
		}
		if before == "" {
			before = strconv.Itoa(DefaultBackupKeep)
		}
		if err := d.auditConfig(tx, actorOf(by), "backups", map[string]string{SettingBackupKeep: before},
			map[string]string{SettingBackupKeep: strconv.Itoa(n)}); err != nil {
			return err
		}
		return tx.PutSetting(SettingBackupKeep, strconv.Itoa(n))
	})
}
