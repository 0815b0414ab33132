package bolt

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/illdesk/illdesk/domain"
)

// openTemp opens a fresh database in a test directory and closes it at the end.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newID(t *testing.T) string {
	t.Helper()
	id, err := uuid.NewV7()
	require.NoError(t, err)
	return id.String()
}

func put(t *testing.T, db *DB, rs ...domain.Request) {
	t.Helper()
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		for _, r := range rs {
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return nil
	}))
}

func get(t *testing.T, db *DB, id string) domain.Request {
	t.Helper()
	var r domain.Request
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		r, err = tx.Request(id)
		return err
	}))
	return r
}

func byBarcode(t *testing.T, db *DB, code string) (domain.Request, bool) {
	t.Helper()
	var (
		r  domain.Request
		ok bool
	)
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		r, ok, err = tx.RequestByBarcode(code)
		return err
	}))
	return r, ok
}

func byExternal(t *testing.T, db *DB, ext string) []domain.Request {
	t.Helper()
	var rs []domain.Request
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		rs, err = tx.RequestsByExternalID(ext)
		return err
	}))
	return rs
}

func ids(rs []domain.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// refusal asserts err is a *domain.Refusal of the kind and returns it.
func refusal(t *testing.T, err error, kind error) *domain.Refusal {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	var ref *domain.Refusal
	require.ErrorAs(t, err, &ref)
	assert.NotEmpty(t, ref.Msg)
	return ref
}

func TestOpenCreatesDirAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, path, db.Path())
	require.NoError(t, db.Close())

	info, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.View(func(btx *bbolt.Tx) error {
		for _, b := range allBuckets {
			assert.NotNil(t, btx.Bucket(b), "bucket %s", b)
		}
		assert.Equal(t, strconv.Itoa(SchemaVersion), string(btx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}))
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E1", State: domain.Created}
	put(t, db, r)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("desk", "rs") }))
	require.NoError(t, db.Close())

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, r.ID, get(t, db, r.ID).ID)
	assert.Equal(t, []string{r.ID}, ids(byExternal(t, db, "E1")))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		v, err := tx.Setting("desk")
		assert.Equal(t, "rs", v)
		return err
	}))
}

func TestReopenClosesAndOpensTheFile(t *testing.T) {
	db := openTemp(t)
	r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E1", State: domain.Created}
	put(t, db, r)
	before := db.bolt

	require.NoError(t, db.Reopen())
	assert.NotSame(t, before, db.bolt, "the file was opened again")
	assert.Equal(t, r.ID, get(t, db, r.ID).ID)
	r2 := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E2", State: domain.Created}
	put(t, db, r2)
	assert.Equal(t, r2.ID, get(t, db, r2.ID).ID, "writes go on after a reopen")

	require.NoError(t, db.Close())
	require.ErrorIs(t, db.Reopen(), berrors.ErrDatabaseNotOpen, "a closed database stays closed")
}

func TestValuesOutliveTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	r := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", State: domain.Received,
		Holdings: domain.Holdings{ItemBarcode: "T1"}, Citation: domain.Citation{Title: "A long title"}}
	put(t, db, r)
	var (
		all []domain.Request
		s   string
	)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("k", "value") }))
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		if all, err = tx.RequestsByIDPrefix(""); err != nil {
			return err
		}
		s, err = tx.Setting("k")
		return err
	}))
	require.NoError(t, db.Close()) // unmaps the file
	require.Len(t, all, 1)
	assert.Equal(t, "A long title", all[0].Title)
	assert.Equal(t, "value", s)
}

func TestSchemaTooNewRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	raw, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bbolt.Tx) error {
		b, err := btx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("schema"), []byte("99"))
	}))
	require.NoError(t, raw.Close())

	db, err := Open(path)
	require.Nil(t, db)
	ref := refusal(t, err, domain.ErrSchemaTooNew)
	assert.Contains(t, ref.Msg, "newer ILL Desk")
	assert.Contains(t, ref.Msg, "upgrade")

	// The refused open released the file and left it untouched.
	raw, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.View(func(btx *bbolt.Tx) error {
		assert.Nil(t, btx.Bucket(bucketRequests))
		assert.Equal(t, "99", string(btx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}))
}

func TestSecondOpenRefusedQuickly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	first, err := Open(path)
	require.NoError(t, err)
	defer first.Close()

	start := time.Now()
	second, err := Open(path)
	elapsed := time.Since(start)
	if second != nil {
		_ = second.Close()
	}
	require.Nil(t, second)
	ref := refusal(t, err, domain.ErrDatabaseLocked)
	assert.Equal(t, "The database "+path+" is already open in another ILL Desk process.", ref.Msg)
	assert.Equal(t, path, ref.Path, "the file, for the front end to say what to do")
	assert.Less(t, elapsed, 2*time.Second)

	// Once the first closes, the database opens again.
	require.NoError(t, first.Close())
	third, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, third.Close())
}

func TestNotADatabaseRefused(t *testing.T) {
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i*7 + 3)
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"short text", []byte("title,author\nNature,Someone\n")},
		{"a page of text", []byte(strings.Repeat("not a database at all\n", 400))},
		{"large binary", big},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "notes.csv")
			require.NoError(t, os.WriteFile(path, tc.content, 0o600))
			db, err := Open(path)
			require.Nil(t, db)
			ref := refusal(t, err, domain.ErrInvalidInput)
			assert.Contains(t, ref.Msg, "not an ILL Desk database")
			assert.Contains(t, ref.Msg, path)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tc.content, after, "file left untouched")
		})
	}
}

func TestForeignBoltDatabaseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bbolt.Tx) error {
		_, err := btx.CreateBucket([]byte("someone_elses"))
		return err
	}))
	require.NoError(t, raw.Close())

	db, err := Open(path)
	require.Nil(t, db)
	ref := refusal(t, err, domain.ErrInvalidInput)
	assert.Contains(t, ref.Msg, "not an ILL Desk database")
}

func TestDefaultPathAndVaultDir(t *testing.T) {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && runtime.GOOS != "plan9" {
		cfg, data := t.TempDir(), t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		t.Setenv("XDG_DATA_HOME", data)
		p, err := DefaultPath()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(data, "illdesk", "illdesk.db"), p, "in the data folder")

		// a database an earlier version kept with the configuration stays there
		legacy := filepath.Join(cfg, "illdesk", "illdesk.db")
		require.NoError(t, os.MkdirAll(filepath.Dir(legacy), 0o700))
		require.NoError(t, os.WriteFile(legacy, nil, 0o600))
		p, err = DefaultPath()
		require.NoError(t, err)
		assert.Equal(t, legacy, p)
	}
	p, err := DefaultPath()
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(p, filepath.Join("illdesk", "illdesk.db")), p)

	dbPath := filepath.Join("some", "where", "illdesk.db")
	assert.Equal(t, filepath.Join("some", "where", "vault"), VaultDirFor(dbPath))
}

func TestDataDirPerSystem(t *testing.T) {
	env := map[string]string{"HOME": "/home/ana", "LOCALAPPDATA": `C:\Users\ana\AppData\Local`}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		goos, xdg, want string
	}{
		{"linux", "", filepath.Join("/home/ana", ".local", "share")},
		{"linux", "/data/ana", "/data/ana"},
		{"linux", "relative/ignored", filepath.Join("/home/ana", ".local", "share")},
		{"freebsd", "", filepath.Join("/home/ana", ".local", "share")},
		{"darwin", "", filepath.Join("/home/ana", "Library", "Application Support")},
		{"windows", "", `C:\Users\ana\AppData\Local`},
	}
	for _, tt := range tests {
		t.Run(tt.goos+" "+tt.xdg, func(t *testing.T) {
			env["XDG_DATA_HOME"] = tt.xdg
			got, err := dataDir(tt.goos, getenv)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := dataDir("windows", func(string) string { return "" })
	assert.Error(t, err)
	_, err = dataDir("linux", func(string) string { return "" })
	assert.Error(t, err)
}
