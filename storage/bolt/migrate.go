package bolt

import (
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// MigrateReport says what CopyTo copied into the department database.
type MigrateReport struct {
	Partners int `json:"partners"`
	Requests int `json:"requests"`
	Notices  int `json:"notices"`
	Records  int `json:"records"`
	Settings int `json:"settings"`
	// KeptPartners and KeptSettings were already in the department database
	// and were left as they are there.
	KeptPartners []string `json:"kept_partners,omitempty"`
	KeptSettings []string `json:"kept_settings,omitempty"`
}

// CopyTo copies everything the workstation database holds into the
// department database, in one transaction of the target: all of it or,
// on any refusal (an external identifier or barcode another workstation's
// data already uses), nothing. The requests are numbered again, in
// creation order, from the department's series. Partners and settings the
// department already has are kept as they are there and listed in the report.
func (db *DB) CopyTo(to domain.Store) (MigrateReport, error) {
	var rep MigrateReport
	err := db.read(func(btx *bbolt.Tx) error {
		from := newTx(btx)
		return to.Update(func(dst domain.Tx) error {
			rep = MigrateReport{}
			return copyAll(from, btx, dst, &rep)
		})
	})
	return rep, err
}

func copyAll(from *tx, btx *bbolt.Tx, dst domain.Tx, rep *MigrateReport) error {
	partners, err := from.Partners()
	if err != nil {
		return err
	}
	for _, p := range partners {
		if _, err := dst.Partner(p.Code); err == nil {
			rep.KeptPartners = append(rep.KeptPartners, p.Code)
			continue
		} else if !errors.Is(err, domain.ErrPartnerNotFound) {
			return err
		}
		if err := dst.PutPartner(p); err != nil {
			return err
		}
		rep.Partners++
	}
	if err := btx.Bucket(bucketSettings).ForEach(func(k, v []byte) error {
		have, err := dst.Setting(string(k))
		if err != nil {
			return err
		}
		if have != "" {
			rep.KeptSettings = append(rep.KeptSettings, string(k))
			return nil
		}
		rep.Settings++
		return dst.PutSetting(string(k), string(v))
	}); err != nil {
		return err
	}
	if err := from.ForEachRequest(func(r domain.Request) error {
		if _, err := dst.Request(r.ID); err == nil {
			return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
				"Request %s is already in the department database: this workstation's data was moved before. Nothing was copied.", r.Ref())}
		}
		rep.Requests++
		// Numbers are the department's: each request moved takes the next
		// of the department's series, so none can clash with another
		// workstation's.
		r.RequestNumber = ""
		if err := domain.AssignNumber(dst, &r); err != nil {
			return err
		}
		return dst.PutRequest(r)
	}); err != nil {
		return err
	}
	notices, err := from.Notices()
	if err != nil {
		return err
	}
	for _, n := range notices {
		if err := dst.PutNotice(n); err != nil {
			return err
		}
		rep.Notices++
	}
	raw, ok := dst.(storage.Records)
	if !ok {
		return fmt.Errorf("storage: the target store keeps no records by kind")
	}
	return btx.Bucket(bucketRecords).ForEach(func(kind, v []byte) error {
		if v != nil {
			return nil // not a kind's bucket
		}
		return from.Records(string(kind), func(id string, value []byte) error {
			rep.Records++
			return raw.PutRecord(string(kind), id, value)
		})
	})
}
