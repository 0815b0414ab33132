package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const linkBase = "https://ill.example.edu/"

// newLinkFixture is the interop fixture with RAPID taking files by link
// and a public address set.
func newLinkFixture(t *testing.T) *deskFixture {
	f := newInteropFixture(t)
	require.NoError(t, f.desk.SetPublicURL(linkBase))
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, err := tx.Partner("RAPID")
		if err != nil {
			return err
		}
		p.Delivery = DeliveryISO
		return tx.PutPartner(p)
	}))
	return f
}

// shipLink ships a new lending request of RAPID and returns it with the
// token of the link sent in the CopyCompleted message.
func (f *deskFixture) shipLink(ext string) (Request, string) {
	f.t.Helper()
	r := f.lending("RAPID", ext)
	_, _, err := f.ship(r.ID, f.pdf(), false, atRS)
	require.NoError(f.t, err)
	url := f.lastMessage().DeliveryURL
	require.True(f.t, strings.HasPrefix(url, "https://ill.example.edu/files/"), url)
	return f.stored(r.ID), strings.TrimPrefix(url, "https://ill.example.edu/files/")
}

func TestShippedLinkHasATokenOfItsOwn(t *testing.T) {
	f := newLinkFixture(t)
	r, token := f.shipLink("L-1")
	dls, err := f.desk.Deliveries(r.ID)
	require.NoError(t, err)
	require.Len(t, dls, 1)
	dl := dls[0]
	sum := sha256.Sum256([]byte(token))
	assert.Equal(t, hex.EncodeToString(sum[:]), dl.TokenHash, "the hash of the token is kept")
	assert.NotContains(t, token, dl.ID, "the token is not the delivery's id")
	assert.True(t, dl.Expires.Equal(f.now.Add(DefaultLinkDays*24*time.Hour)), "expires %v", dl.Expires)
	assert.Equal(t, "https://ill.example.edu/files/… (until "+dl.Expires.Local().Format(DateLayout)+")", dl.Where)
	for kind, recs := range f.store.snapshot().Records {
		if kind == memOutbox {
			continue // the message to the partner carries the link
		}
		for id, b := range recs {
			assert.NotContains(t, string(b)+id, token, "%s %s keeps the token in clear", kind, id)
		}
	}
	got, err := f.desk.DeliveryFile(token)
	require.NoError(t, err)
	assert.Equal(t, dl, got)
}

func TestShippingALinkWithoutTokensIsRefused(t *testing.T) {
	f := newLinkFixture(t)
	f.desk.newToken = nil
	r := f.lending("RAPID", "L-1")
	before := f.store.snapshot()
	_, _, err := f.ship(r.ID, f.pdf(), false, atRS)
	require.Error(t, err)
	assert.Equal(t, before.Requests, f.store.snapshot().Requests, "nothing was shipped")
}

func TestLinkLookup(t *testing.T) {
	guess := make([]byte, 16)
	_, _ = rand.Read(guess)
	for _, tc := range []struct {
		name  string
		token func(f *deskFixture, token string) string
		later time.Duration
		prep  func(f *deskFixture, ref string)
		works bool
		log   string
	}{
		{name: "fresh link", works: true},
		{name: "the day before it expires", later: 30*24*time.Hour - time.Minute, works: true},
		{name: "expired", later: 30 * 24 * time.Hour, log: "it expired on"},
		{name: "guessed token", token: func(*deskFixture, string) string { return hex.EncodeToString(guess) }, log: "No download link has the token"},
		{name: "the delivery's id", token: func(f *deskFixture, _ string) string {
			dls, _ := f.desk.Deliveries("")
			return dls[0].ID
		}, log: "No download link has the token"},
		{name: "revoked", prep: func(f *deskFixture, ref string) {
			_, revoked, err := f.desk.RevokeLinks(ref, atRS)
			require.NoError(f.t, err)
			require.Len(f.t, revoked, 1)
		}, log: "it was revoked on"},
		{name: "shorter link-days", prep: func(*deskFixture, string) {}, later: 3 * 24 * time.Hour, log: "it expired on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLinkFixture(t)
			if tc.name == "shorter link-days" {
				require.NoError(t, f.desk.SetLinkDays(2))
			}
			r, token := f.shipLink("L-1")
			if tc.prep != nil {
				tc.prep(f, r.ID)
			}
			if tc.token != nil {
				token = tc.token(f, token)
			}
			f.now = f.now.Add(tc.later)
			_, dl, err := f.desk.DownloadPath(token)
			if tc.works {
				require.NoError(t, err)
				assert.Equal(t, "L-1.pdf", dl.File)
				return
			}
			require.ErrorIs(t, err, ErrLinkRefused)
			assert.ErrorIs(t, err, ErrNotFound, "front ends answer a refused link as not found")
			assert.Contains(t, err.Error(), tc.log)
		})
	}
}

// legacyDelivery is a download link as earlier versions stored it: named
// by the delivery's id, with no token and no expiry.
func legacyDelivery(t *testing.T, f *deskFixture) Delivery {
	r := f.lending("RAPID", "OLD-1")
	dl := Delivery{ID: "0193a000-0000-7000-8000-000000000042", RequestID: r.ID, Ref: r.Ref(), Partner: "RAPID",
		Method: DeliveryISO, File: "OLD-1.pdf", Created: f.now, Status: DeliveryAvailable,
		Where: "https://ill.example.edu/files/0193a000-0000-7000-8000-000000000042"}
	require.NoError(t, f.store.Update(func(tx Tx) error { return tx.PutDelivery(dl) }))
	return dl
}

func TestLinksOfEarlierVersionsExpireThirtyDaysAfterTheUpgrade(t *testing.T) {
	f := newLinkFixture(t)
	dl := legacyDelivery(t, f)
	_, err := f.desk.DeliveryFile(dl.ID)
	require.ErrorIs(t, err, ErrLinkRefused, "without a recorded upgrade such a link does not work")

	upgrade := f.now
	clock := ClockFunc(func() time.Time { return f.now })
	d, err := OpenDesk(Config{Store: f.store, Clock: clock})
	require.NoError(t, err)
	f.now = upgrade.Add(10 * 24 * time.Hour)
	_, err = OpenDesk(Config{Store: f.store, Clock: clock})
	require.NoError(t, err)
	var since string
	require.NoError(t, f.store.View(func(tx Tx) (err error) { since, err = tx.Setting(SettingLinksSince); return err }))
	assert.Equal(t, upgrade.UTC().Format(time.RFC3339Nano), since, "the upgrade is recorded once")

	for _, tc := range []struct {
		after time.Duration
		works bool
	}{{0, true}, {LegacyLinkGrace - time.Second, true}, {LegacyLinkGrace, false}, {LegacyLinkGrace + 24*time.Hour, false}} {
		f.now = upgrade.Add(tc.after)
		got, err := d.DeliveryFile(dl.ID)
		if tc.works {
			require.NoError(t, err, "after %v", tc.after)
			assert.Equal(t, dl, got)
		} else {
			require.ErrorIs(t, err, ErrLinkRefused, "after %v", tc.after)
			assert.Contains(t, err.Error(), "No download link has the token", "after the grace the id is not even looked up")
		}
	}

	f.now = upgrade.Add(time.Hour)
	live, err := d.LiveLinks(dl.RequestID)
	require.NoError(t, err)
	assert.Equal(t, []Delivery{dl}, live)
	_, revoked, err := d.RevokeLinks(dl.RequestID, atRS)
	require.NoError(t, err)
	assert.Len(t, revoked, 1)
	_, err = d.DeliveryFile(dl.ID)
	assert.ErrorIs(t, err, ErrLinkRefused, "an old link can be revoked too")
}

func TestRevokeLinks(t *testing.T) {
	f := newLinkFixture(t)
	r, first := f.shipLink("L-1")
	// a second link of the same request, as a second shipment would make
	var second Delivery
	require.NoError(t, f.store.Update(func(tx Tx) error {
		second = Delivery{ID: "second", RequestID: r.ID, Ref: r.Ref(), Partner: "RAPID", Method: DeliveryISO,
			File: "L-1-2.pdf", Created: f.now, Status: DeliveryAvailable, TokenHash: tokenHash("other"), Expires: f.now.Add(time.Hour)}
		return tx.PutDelivery(second)
	}))
	f.now = f.now.Add(time.Minute)
	live, err := f.desk.LiveLinks(r.ID)
	require.NoError(t, err)
	assert.Len(t, live, 2)

	got, revoked, err := f.desk.RevokeLinks(r.Ref(), atRS)
	require.NoError(t, err)
	require.Len(t, revoked, 2)
	assert.True(t, revoked[0].Revoked.Equal(f.now))
	assert.Equal(t, DeliveryRevoked, revoked[1].Status)
	ev := lastEvent(got)
	assert.Equal(t, ActLink, ev.Action)
	assert.Equal(t, "ana", ev.Actor)
	assert.Equal(t, "Download link revoked: L-1.pdf, L-1-2.pdf", ev.Note)
	assert.Equal(t, got.History, f.stored(r.ID).History, "the history is stored")
	for _, token := range []string{first, "other"} {
		_, err = f.desk.DeliveryFile(token)
		assert.ErrorIs(t, err, ErrLinkRefused)
	}
	ok, why := got.CanUndo(f.now)
	assert.False(t, ok)
	assert.Contains(t, why, "was shipped", "a revocation is not a change to undo")
	assert.Empty(t, historyProblems(got), "the history stays sound")

	before := f.store.snapshot()
	again, revoked, err := f.desk.RevokeLinks(r.Ref(), atRS)
	require.NoError(t, err)
	assert.Empty(t, revoked, "nothing left to revoke")
	assert.Equal(t, r.ID, again.ID)
	assert.Equal(t, before, f.store.snapshot(), "and nothing written")

	_, _, err = f.desk.RevokeLinks("NOPE-404", atRS)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestSetLinkDays(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	n, err := f.desk.LinkDays()
	require.NoError(t, err)
	assert.Equal(t, DefaultLinkDays, n)
	for _, bad := range []int{0, -1, 3651} {
		before := f.store.snapshot()
		f.refused(f.desk.SetLinkDays(bad, atRS), ErrInvalidInput, before)
	}
	require.NoError(t, f.desk.SetLinkDays(7, atRS))
	n, err = f.desk.LinkDays()
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	es := f.audit(AuditFilter{Action: ActConfigure})
	require.NotEmpty(t, es)
	assert.Equal(t, "download links", es[0].Ref)
	assert.Equal(t, "link_days: 30 → 7", es[0].Note)
}

func TestCheckPublicURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"":                              true,
		"https://ill.example.edu":       true,
		"https://ill.example.edu:8443/": true,
		"http://127.0.0.1:8626":         true,
		"http://localhost:8626":         true,
		"http://[::1]:8626":             true,
		"http://127.8.9.10":             true,
		"http://ill.example.edu":        false,
		"http://192.168.1.5:8626":       false,
		"ftp://ill.example.edu":         false,
		"ill.example.edu":               false,
		"https://":                      false,
	} {
		err := CheckPublicURL(u)
		if ok {
			assert.NoError(t, err, u)
		} else {
			assert.ErrorIs(t, err, ErrInvalidInput, u)
		}
	}
	f := newDeskFixture(t)
	before := f.store.snapshot()
	err := f.desk.SetPublicURL("http://ill.example.edu", atRS)
	f.refused(err, ErrInvalidInput, before)
	assert.Contains(t, err.Error(), "must use https://")
	assert.False(t, errors.Is(f.desk.SetPublicURL("http://127.0.0.1:8626", atRS), ErrInvalidInput))
}

func TestRevokeLinksNeedsTheRoleThatShips(t *testing.T) {
	f := newLinkFixture(t)
	r, _ := f.shipLink("L-1")
	withStaff(t, f)
	before := f.store.snapshot()
	_, _, err := f.desk.RevokeLinks(r.ID, as("cora", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Contains(t, err.Error(), "Revoking a download link needs")
	_, revoked, err := f.desk.RevokeLinks(r.ID, as("rita", RSDesk))
	require.NoError(t, err)
	assert.Len(t, revoked, 1)
}
