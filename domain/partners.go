package domain

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// PartnerService keeps the partners and the desk's settings: holidays, the
// barcode pattern, stations, our agency id and public address, attention
// hours, how many backups to keep.
type PartnerService struct {
	*core
	// folders checks that a scan folder given in the settings exists.
	folders Folders
	// secrets keeps the tokens we present to partners.
	secrets SecretStore
}

// AddPartner registers a new partner, filling in default turnaround and loan
// period. It needs the Fulfillment Services role; by may be left out only
// while no operators are set up.
func (d *PartnerService) AddPartner(p Partner, by ...Actor) (Partner, error) {
	if err := d.allow(actorOf(by), RoleFulfillment, "Adding a partner"); err != nil {
		return Partner{}, err
	}
	p, err := checkPartner(p)
	if err != nil {
		return Partner{}, err
	}
	err = d.store.Update(func(tx Tx) error {
		if _, err := tx.Partner(p.Code); err == nil {
			return refuse(ErrPartnerExists, "A partner with code %s already exists.", p.Code)
		} else if !errors.Is(err, ErrPartnerNotFound) {
			return err
		}
		if err := checkEndpoint(tx, p.ISOEndpoint); err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "partner "+p.Code, nil, p); err != nil {
			return err
		}
		return tx.PutPartner(p)
	})
	if err != nil {
		return Partner{}, err
	}
	return p, nil
}

// EditPartner changes a partner: edit receives the stored partner to change
// (the code cannot change). The result is checked like a new partner. It
// needs the Fulfillment Services role; by may be left out only while no
// operators are set up.
func (d *PartnerService) EditPartner(code string, edit func(*Partner), by ...Actor) (Partner, error) {
	var out Partner
	err := d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, actorOf(by), RoleFulfillment, "Editing a partner"); err != nil {
			return err
		}
		p, err := partnerFor(tx, code)
		if err != nil {
			return err
		}
		before := p
		edit(&p)
		p.Code = strings.TrimSpace(code)
		if p, err = checkPartner(p); err != nil {
			return err
		}
		if p.ISOEndpoint != before.ISOEndpoint {
			if err := checkEndpoint(tx, p.ISOEndpoint); err != nil {
				return err
			}
		}
		out = p
		if err := d.auditConfig(tx, actorOf(by), "partner "+p.Code, credentialsShown(before, p), credentialsShown(p, before)); err != nil {
			return err
		}
		if err := releasePartnerHold(tx, p.Code, d.clock.Now()); err != nil {
			return err
		}
		return tx.PutPartner(p)
	})
	return out, err
}

// Partners lists every partner ordered by code.
func (d *PartnerService) Partners() ([]Partner, error) {
	var ps []Partner
	err := d.store.View(func(tx Tx) error {
		var err error
		ps, err = tx.Partners()
		return err
	})
	return ps, err
}

// SetHolidays replaces the configured holidays (YYYY-MM-DD); deadlines of
// requests arriving from now on are counted with them. It needs the
// Fulfillment Services role; by may be left out only while no operators
// are set up.
func (d *PartnerService) SetHolidays(dates []string, by ...Actor) error {
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
func (d *PartnerService) Settings() (Settings, error) {
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
func (d *PartnerService) SaveSettings(s Settings, by ...Actor) error {
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
// department (configured or used by a pick).
func (d *PartnerService) Stations() ([]Station, error) {
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

// BackupKeep is how many daily snapshots of the database are kept (the
// window makes one a day at start and deletes the oldest beyond this); 0
// means no daily snapshots are made. Unset or unreadable, it is
// DefaultBackupKeep.
func (d *PartnerService) BackupKeep() (int, error) {
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
func (d *PartnerService) SetBackupKeep(n int, by ...Actor) error {
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

// AgencyID is our own ISO 18626 agency id, "" when not set.
func (d *PartnerService) AgencyID() (string, error) {
	var id string
	err := d.store.View(func(tx Tx) error {
		var err error
		id, err = tx.Setting(SettingAgencyID)
		return err
	})
	return id, err
}

// SetAgencyID sets our own ISO 18626 agency id, written TYPE:VALUE (e.g.
// ISIL:DE-1). It needs the Fulfillment Services role; by may be left out
// only while no operators are set up.
func (d *PartnerService) SetAgencyID(id string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Setting our agency id"); err != nil {
		return err
	}
	id = strings.TrimSpace(id)
	if err := checkAgencyID(id); err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingAgencyID)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "agency id", map[string]string{"agency_id": before}, map[string]string{"agency_id": id}); err != nil {
			return err
		}
		return tx.PutSetting(SettingAgencyID, id)
	})
}

// PublicURL is the address partners reach this desk's server at, "" when unset.
func (d *PartnerService) PublicURL() (string, error) {
	var u string
	err := d.store.View(func(tx Tx) error {
		var err error
		u, err = tx.Setting(SettingPublicURL)
		return err
	})
	return u, err
}

// SetPublicURL sets the address partners reach `illdesk serve` at, for
// download links of shipped files (a Fulfillment Services Operator's task).
// It must be https unless its host is this computer (CheckPublicURL).
func (d *PartnerService) SetPublicURL(u string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Setting the public address"); err != nil {
		return err
	}
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if err := CheckPublicURL(u); err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingPublicURL)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "public url", map[string]string{"public_url": before}, map[string]string{"public_url": u}); err != nil {
			return err
		}
		return tx.PutSetting(SettingPublicURL, u)
	})
}

// AttentionHours is the configured wait limit in business hours.
func (d *PartnerService) AttentionHours() (int, error) {
	var v string
	err := d.store.View(func(tx Tx) error {
		var err error
		v, err = tx.Setting(SettingAttentionHours)
		return err
	})
	if err != nil || v == "" {
		return DefaultAttentionHours, err
	}
	h, err := strconv.Atoi(v)
	if err != nil || h <= 0 {
		return DefaultAttentionHours, nil
	}
	return h, nil
}

// SetAttentionHours sets the wait limit (a Fulfillment Services Operator's task).
func (d *PartnerService) SetAttentionHours(hours int, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the attention limit"); err != nil {
		return err
	}
	if hours <= 0 || hours > 24*365 {
		return refuse(ErrInvalidInput, "The attention limit must be a number of business hours from 1 up, e.g. 24.")
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingAttentionHours)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "attention limit", map[string]string{"attention_hours": before},
			map[string]string{"attention_hours": strconv.Itoa(hours)}); err != nil {
			return err
		}
		return tx.PutSetting(SettingAttentionHours, strconv.Itoa(hours))
	})
}
