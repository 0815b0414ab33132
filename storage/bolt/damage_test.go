package bolt

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// seededFile writes a database of a few thousand seeded requests and returns its bytes.
func seededFile(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seeded.db")
	db, err := Open(path)
	require.NoError(t, err)
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(time.Now),
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
	require.NoError(t, err)
	_, err = d.Seed(3000, 1, domain.Actor{})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// useDamaged opens a damaged copy and reads everything, as list and check
// do; it returns the first error, or one for a problem check found. It
// must never panic or fault.
func useDamaged(t *testing.T, data []byte) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "damaged.db")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	db, err := Open(path)
	if err != nil {
		after, rerr := os.ReadFile(path)
		require.NoError(t, rerr)
		assert.True(t, bytes.Equal(data, after), "a refused file is left as it was (%d bytes, now %d)", len(data), len(after))
		return err
	}
	defer db.Close()
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(time.Now)})
	if err != nil {
		return err
	}
	if _, err := d.Listing(); err != nil {
		return err
	}
	rep, err := d.Check(false, domain.Actor{})
	if err == nil && !rep.Sound() {
		// check's report is about the file it was run on
		return &domain.Refusal{Kind: domain.ErrDatabaseDamaged, Path: path, Msg: rep.Problems[0].Detail}
	}
	return err
}

func TestDamagedDatabaseIsRefusedNotCrashed(t *testing.T) {
	data := seededFile(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	page := func(d []byte, n int, fill func(i int) byte) []byte {
		d = append([]byte(nil), d...)
		for i := range 4096 {
			d[n*4096+i] = fill(i)
		}
		return d
	}
	pages := len(data) / 4096
	noticed := 0
	defer func() { assert.Positive(t, noticed, "some of the damage is in pages in use") }()
	tests := map[string][]byte{
		"cut to a tenth":       data[:len(data)/10],
		"cut in half":          data[:len(data)/2],
		"last page missing":    data[:len(data)-4096],
		"a page zeroed":        page(data, pages/2, func(int) byte { return 0 }),
		"a page of 0xff":       page(data, 3, func(int) byte { return 0xff }),
		"a page of random":     page(data, pages/3, func(int) byte { return byte(rnd.IntN(256)) }),
		"another random page":  page(data, 2*pages/3, func(int) byte { return byte(rnd.IntN(256)) }),
		"the freelist's page?": page(data, pages-1, func(int) byte { return byte(rnd.IntN(256)) }),
	}
	for name, d := range tests {
		t.Run(name, func(t *testing.T) {
			err := useDamaged(t, d)
			if err == nil {
				return // the damage hit pages not in use, which the next commits overwrite
			}
			var ref *domain.Refusal
			require.True(t, errors.As(err, &ref), "a sentence for staff, not %v", err)
			assert.True(t, errors.Is(err, domain.ErrDatabaseDamaged) || errors.Is(err, domain.ErrInvalidInput), err.Error())
			assert.True(t, ref.Path != "" || errors.Is(err, domain.ErrValueDamaged), "a damaged file is named, for the front end to say what to do")
			noticed++
		})
	}
}

func TestOwnPanicsAreNotTakenForDamage(t *testing.T) {
	db := openTemp(t)
	assert.PanicsWithValue(t, "a bug of ours", func() {
		_ = db.View(func(domain.Tx) error { panic("a bug of ours") })
	})
	var nilMap map[string]int
	assert.Panics(t, func() {
		_ = db.Update(func(domain.Tx) error { nilMap["x"] = 1; return nil })
	})
	// the database still works after the panics unwound its transactions
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("k", "v") }))
}
