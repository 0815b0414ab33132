package domain

import (
	"errors"
	"strings"
)

// PartnerService keeps the partner libraries and how we exchange with
// them: their details and the credentials we present to them, our own
// agency id, the public address they download files from, our client
// certificate, whether plain http may reach them, and the limits of the
// server they send to.
type PartnerService struct {
	*core
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
