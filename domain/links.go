package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SettingLinkDays is how many days a download link works after the file is
// shipped; unset means DefaultLinkDays.
const SettingLinkDays = "link_days"

// DefaultLinkDays is how long a download link works when link-days is not set.
const DefaultLinkDays = 30

// SettingLinksSince is when this desk first opened with links named by a
// secret token (RFC 3339). Links made before, named by the delivery's id,
// work until LegacyLinkGrace after it.
const SettingLinksSince = "links_since"

// LegacyLinkGrace is how long a download link made before tokens (named by
// the delivery's id) keeps working after the upgrade.
const LegacyLinkGrace = 30 * 24 * time.Hour

// ActLink records a change to a request's download links (their
// revocation); it changes no state.
const ActLink Action = "link"

// LinkPath is where the server serves a download link: PUBLIC + LinkPath + token.
const LinkPath = "/files/"

// tokenHash is what the store keeps of a link's token: its SHA-256 in hex.
// The token itself is never stored, and a lookup by hash compares no
// secret byte by byte.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// linkDays is the configured lifetime of a download link in days.
func linkDays(tx Tx) (int, error) {
	v, err := tx.Setting(SettingLinkDays)
	if err != nil || v == "" {
		return DefaultLinkDays, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return DefaultLinkDays, nil
	}
	return n, nil
}

// legacyUntil is when links made before tokens stop working; ok is false
// when the upgrade was never recorded, and such links do not work then.
func legacyUntil(tx Tx) (time.Time, bool, error) {
	v, err := tx.Setting(SettingLinksSince)
	if err != nil || v == "" {
		return time.Time{}, false, err
	}
	since, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, nil
	}
	return since.Add(LegacyLinkGrace), true, nil
}

// recordLinksSince writes, once, when this desk first opened with token
// links, so that older links expire LegacyLinkGrace after it.
func recordLinksSince(s Store, now time.Time) error {
	var have string
	if err := s.View(func(tx Tx) error {
		var err error
		have, err = tx.Setting(SettingLinksSince)
		return err
	}); err != nil || have != "" {
		return err
	}
	return s.Update(func(tx Tx) error {
		if have, err := tx.Setting(SettingLinksSince); err != nil || have != "" {
			return err
		}
		return tx.PutSetting(SettingLinksSince, now.UTC().Format(time.RFC3339Nano))
	})
}

// isLink reports whether the delivery is a download link (as opposed to a
// file sent by email or into a folder).
func (dl Delivery) isLink() bool { return dl.Method == DeliveryISO }

// linkState says whether a download link works at now ("" when it does),
// else why not, for the log and staff.
func linkState(tx Tx, dl Delivery, now time.Time) (string, error) {
	switch {
	case !dl.isLink():
		return "it is not a download link", nil
	case !dl.Revoked.IsZero():
		return "it was revoked on " + dl.Revoked.Local().Format("2006-01-02 15:04"), nil
	case dl.TokenHash != "":
		if !now.Before(dl.Expires) {
			return "it expired on " + dl.Expires.Local().Format("2006-01-02 15:04"), nil
		}
		return "", nil
	}
	until, ok, err := legacyUntil(tx)
	if err != nil {
		return "", err
	}
	if !ok || !now.Before(until) {
		return "it was made before links had tokens, and such links stopped working 30 days after the upgrade", nil
	}
	return "", nil
}

// ErrLinkRefused is the kind of refusal for a download link that names no
// file that may be served now: unknown, expired or revoked. Front ends
// answer all three alike, so a guesser learns nothing.
var ErrLinkRefused = fmt.Errorf("%w: download link", ErrNotFound)

// link finds the delivery behind a download link's token and checks that it
// works now. A token no link has, and one whose link expired or was
// revoked, are refused alike (ErrLinkRefused); the refusal says which,
// for the server's log.
func (d *DeliveryService) link(token string) (Delivery, error) {
	now := d.clock.Now()
	var dl Delivery
	err := d.store.View(func(tx Tx) error {
		var ok bool
		var err error
		if dl, ok, err = tx.DeliveryByTokenHash(tokenHash(token)); err != nil {
			return err
		}
		if !ok {
			if dl, ok, err = legacyLink(tx, token, now); err != nil {
				return err
			}
		}
		if !ok {
			return refuse(ErrLinkRefused, "No download link has the token %q.", token)
		}
		why, err := linkState(tx, dl, now)
		if err != nil {
			return err
		}
		if why != "" {
			return refuse(ErrLinkRefused, "The download link of %s (%s for %s) was refused: %s.", dl.File, dl.Ref, dl.Partner, why)
		}
		return nil
	})
	if err != nil {
		return Delivery{}, err
	}
	return dl, nil
}

// legacyLink is the delivery a link made before tokens names by its id:
// one with no token. After the grace period such ids are not even looked
// up.
func legacyLink(tx Tx, id string, now time.Time) (Delivery, bool, error) {
	until, ok, err := legacyUntil(tx)
	if err != nil || !ok || !now.Before(until) {
		return Delivery{}, false, err
	}
	dl, ok, err := tx.Delivery(id)
	if err != nil || !ok || dl.TokenHash != "" {
		return Delivery{}, false, err
	}
	return dl, true, nil
}

// LiveLinks lists the download links of a request that still work.
func (d *DeliveryService) LiveLinks(requestID string) ([]Delivery, error) {
	now := d.clock.Now()
	var out []Delivery
	err := d.store.View(func(tx Tx) error {
		var err error
		out, err = liveLinks(tx, requestID, now)
		return err
	})
	return out, err
}

func liveLinks(tx Tx, requestID string, now time.Time) ([]Delivery, error) {
	var out []Delivery
	err := tx.ForEachDelivery(func(dl Delivery) error {
		if dl.RequestID != requestID || !dl.isLink() {
			return nil
		}
		why, err := linkState(tx, dl, now)
		if err == nil && why == "" {
			out = append(out, dl)
		}
		return err
	})
	return out, err
}

// RevokeLinks revokes every download link of the request that still works,
// records it in the request's history, and returns the links revoked
// (none is no error). It needs the role that ships.
func (d *DeliveryService) RevokeLinks(ref string, by Actor) (Request, []Delivery, error) {
	now := d.clock.Now()
	var revoked []Delivery
	r, err := d.change(ref, func(tx Tx, r *Request) error {
		if err := allowTx(tx, by, RoleFor(ActShip), "Revoking a download link"); err != nil {
			return err
		}
		live, err := liveLinks(tx, r.ID, now)
		if err != nil || len(live) == 0 {
			if err == nil {
				err = errNoLinks
			}
			return err
		}
		var files []string
		for _, dl := range live {
			dl.Revoked, dl.Status = now, DeliveryRevoked
			if err := tx.PutDelivery(dl); err != nil {
				return err
			}
			revoked = append(revoked, dl)
			files = append(files, dl.File)
		}
		recordEvent(r, ActLink, d.event(by, "Download link revoked: "+strings.Join(files, ", ")))
		return nil
	})
	if errors.Is(err, errNoLinks) {
		r, err = d.Find(ref)
		return r, nil, err
	}
	if err != nil {
		return Request{}, nil, err
	}
	return r, revoked, nil
}

// errNoLinks rolls back a revocation that found no link to revoke.
var errNoLinks = errors.New("no live download links")

// CheckPublicURL refuses a public address that is not http(s), or is plain
// http on a host that is not a loopback address: partners fetch files from
// it, and a link sent over plain http can be read on the way.
func CheckPublicURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return refuse(ErrInvalidInput, "The public address %q must be an https:// address, e.g. https://ill.example.edu.", u)
	}
	if p.Scheme == "http" && !LoopbackHost(p.Hostname()) {
		return refuse(ErrInvalidInput, "The public address %q must use https://: partners download shipped files from it, "+
			"and plain http:// is allowed only on this computer (localhost, 127.0.0.1, ::1).", u)
	}
	return nil
}

// LinkDays is how many days a new download link works.
func (d *DeliveryService) LinkDays() (int, error) {
	n := DefaultLinkDays
	err := d.store.View(func(tx Tx) error {
		var err error
		n, err = linkDays(tx)
		return err
	})
	return n, err
}

// SetLinkDays sets how many days new download links work (1 to 3650); links
// already made keep the expiry they were made with. It is a Fulfillment
// Services Operator's task, audited like every setting.
func (d *DeliveryService) SetLinkDays(days int, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing how long download links work"); err != nil {
		return err
	}
	if days < 1 || days > 3650 {
		return refuse(ErrInvalidInput, "Download links must work for 1 to 3650 days, e.g. 30.")
	}
	return d.store.Update(func(tx Tx) error {
		before, err := linkDays(tx)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "download links", map[string]string{SettingLinkDays: strconv.Itoa(before)},
			map[string]string{SettingLinkDays: strconv.Itoa(days)}); err != nil {
			return err
		}
		return tx.PutSetting(SettingLinkDays, strconv.Itoa(days))
	})
}
