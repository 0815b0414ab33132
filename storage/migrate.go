package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
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
// data already uses), nothing. Partners and settings the department
// already has are kept as they are there and listed in the report.
func (db *DB) CopyTo(to domain.Store) (MigrateReport, error) {
	var rep MigrateReport
	err := db.guard(func() error {
		return db.bolt.View(func(btx *bolt.Tx) error {
			from := &tx{btx: btx}
			return to.Update(func(dst domain.Tx) error {
				rep = MigrateReport{}
				return copyAll(from, btx, dst, &rep)
			})
		})
	})
	return rep, err
}

func copyAll(from *tx, btx *bolt.Tx, dst domain.Tx, rep *MigrateReport) error {
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
	return btx.Bucket(bucketRecords).ForEach(func(kind, v []byte) error {
		if v != nil {
			return nil // not a kind's bucket
		}
		return from.Records(string(kind), func(id string, value []byte) error {
			rep.Records++
			return dst.PutRecord(string(kind), id, value)
		})
	})
}

// CopyFilesTo copies every file of the vault into another vault under the
// same name (the requests record the names), fsynced; a file already there
// with the same content is left, one with other content is refused. It
// returns how many files it copied.
func (v *Vault) CopyFilesTo(to *Vault) (int, error) {
	names, err := v.Files()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		size, sum, err := v.Verify(name)
		if err != nil {
			return n, err
		}
		if tsize, tsum, err := to.Verify(name); err == nil {
			if tsize != size || tsum != sum {
				return n, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
					"The shared vault %s already has a different file named %s; move one of them aside, then copy again.", to.dir, name)}
			}
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		if err := copyExact(v.Path(name), filepath.Join(to.dir, name)); err != nil {
			return n, storageError(to.dir, err)
		}
		n++
	}
	return n, syncDir(to.dir)
}

// copyExact copies src to a new file dst (never replacing one) and fsyncs it.
func copyExact(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	return out.Close()
}
