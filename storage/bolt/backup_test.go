package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
)

// lendings stores n lending requests with external ids prefix-0, prefix-1, ...
func lendings(t *testing.T, db *DB, prefix string, n int) {
	t.Helper()
	for i := range n {
		put(t, db, domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL",
			ExternalID: prefix + "-" + strconv.Itoa(i), State: domain.Created, Citation: domain.Citation{Title: "Title " + prefix}})
	}
}

// counts opens the database file and returns its numbers of requests and summaries.
func counts(t *testing.T, path string) (requests, summaries int) {
	t.Helper()
	db, err := Open(path)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(tx domain.Tx) error {
		var err error
		if requests, err = tx.RequestCount(); err != nil {
			return err
		}
		return tx.ForEachSummary(func(domain.Summary) error { summaries++; return nil })
	}))
	return requests, summaries
}

// names lists the file names in dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func assertPrivate(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%s holds patron data", path)
}

func TestBackupWhileWritingIsConsistent(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "BEFORE", 50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a desk at work: one small transaction after another
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := uuid.Must(uuid.NewV7()).String()
			_ = db.Update(func(tx domain.Tx) error {
				return tx.PutRequest(domain.Request{ID: id, Side: domain.Lending, Partner: "NY",
					ExternalID: "DURING-" + strconv.Itoa(i), State: domain.Created})
			})
		}
	}()
	dir := t.TempDir()
	var paths []string
	for i := range 5 {
		p := filepath.Join(dir, "b"+strconv.Itoa(i)+".db")
		n, err := db.BackupTo(p, false)
		require.NoError(t, err)
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, fi.Size(), n)
		paths = append(paths, p)
	}
	close(stop)
	wg.Wait()

	prev := 0
	for _, p := range paths {
		require.NoError(t, VerifyBackup(p))
		assertPrivate(t, p)
		reqs, sums := counts(t, p)
		assert.Equal(t, reqs, sums, "requests and their summaries come from one transaction")
		assert.GreaterOrEqual(t, reqs, 50)
		assert.GreaterOrEqual(t, reqs, prev, "later backups hold at least as much")
		prev = reqs
	}
	assert.Equal(t, []string{"b0.db", "b1.db", "b2.db", "b3.db", "b4.db"}, names(t, dir), "no temporary files are left")
}

func TestBackupToRefusesToOverwrite(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "A", 3)
	dir := t.TempDir()
	target := filepath.Join(dir, "copy.db")
	require.NoError(t, os.WriteFile(target, []byte("keep me"), 0o644))

	_, err := db.BackupTo(target, false)
	var ref *domain.Refusal
	require.ErrorAs(t, err, &ref)
	assert.ErrorIs(t, err, domain.ErrInvalidInput)
	assert.ErrorIs(t, err, os.ErrExist)
	assert.Contains(t, ref.Msg, "already exists")
	got, _ := os.ReadFile(target)
	assert.Equal(t, "keep me", string(got))

	_, err = db.BackupTo(target, true)
	require.NoError(t, err)
	require.NoError(t, VerifyBackup(target))
	assertPrivate(t, target)

	_, err = db.BackupTo(db.Path(), true)
	require.ErrorAs(t, err, &ref, "the database itself is never a backup target")
	assert.Contains(t, ref.Msg, "database itself")
	assert.Equal(t, []string{"copy.db"}, names(t, dir))
}

func TestBackupToWriter(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "W", 2)
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	p := filepath.Join(t.TempDir(), "w.db")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o600))
	require.NoError(t, VerifyBackup(p))
}

// backupFile writes a backup of a database with a few requests and returns its path.
func backupFile(t *testing.T) string {
	t.Helper()
	db := openTemp(t)
	lendings(t, db, "V", 200)
	p := filepath.Join(t.TempDir(), "good.db")
	_, err := db.BackupTo(p, false)
	require.NoError(t, err)
	return p
}

// boltFile makes a bbolt file in dir whose contents fill sets up.
func boltFile(t *testing.T, dir, name string, fill func(*bbolt.Tx) error) string {
	t.Helper()
	p := filepath.Join(dir, name)
	bdb, err := bbolt.Open(p, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(fill))
	require.NoError(t, bdb.Close())
	return p
}

func TestVerifyBackupRefuses(t *testing.T) {
	good := backupFile(t)
	raw, err := os.ReadFile(good)
	require.NoError(t, err)
	const pageSize = 4096
	require.Greater(t, len(raw), 6*pageSize, "the test needs data pages")

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	random := make([]byte, 64*1024)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	damagedPages := slices.Clone(raw)
	for i := 3 * pageSize; i < len(damagedPages); i += pageSize { // every data page's header
		copy(damagedPages[i+8:i+16], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	}
	// Branch pages whose first child lies just past the end of the file:
	// reading it faults (SIGBUS), which must become a refusal, not a crash.
	pastEnd := slices.Clone(raw)
	branches := 0
	for i := 2 * pageSize; i < len(pastEnd); i += pageSize {
		if binary.LittleEndian.Uint16(pastEnd[i+8:]) == 0x01 { // page header: id, flags (0x01 branch), ...
			binary.LittleEndian.PutUint64(pastEnd[i+16+8:], uint64(len(raw)/pageSize+3)) // element 0: pos, ksize, pgid
			branches++
		}
	}
	require.Positive(t, branches, "the test needs branch pages")
	schema := func(v string) func(*bbolt.Tx) error {
		return func(btx *bbolt.Tx) error {
			b, err := btx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			return b.Put(keySchema, []byte(v))
		}
	}

	tests := []struct {
		name string
		path string
		kind error
		says string
	}{
		{"missing", filepath.Join(dir, "nope.db"), domain.ErrInvalidInput, "There is no file"},
		{"a folder", t.TempDir(), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"empty", write("empty.db", nil), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"random bytes", write("random.db", random), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"a PDF", write("scan.db", []byte("%PDF-1.7\n%%EOF\n")), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"cut off inside the meta pages", write("short.db", raw[:pageSize+100]), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"cut off", write("half.db", raw[:len(raw)/2]), domain.ErrInvalidInput, "cut off"},
		{"last page missing", write("lastpage.db", raw[:len(raw)-pageSize]), domain.ErrInvalidInput, "cut off"},
		{"damaged pages", write("damaged.db", damagedPages), domain.ErrInvalidInput, "damaged"},
		{"a page pointing past the end", write("pastend.db", pastEnd), domain.ErrInvalidInput, "damaged"},
		{"another program's bbolt file", boltFile(t, dir, "foreign.db", func(btx *bbolt.Tx) error {
			b, err := btx.CreateBucket([]byte("widgets"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"an empty bbolt file", boltFile(t, dir, "blank.db", func(*bbolt.Tx) error { return nil }), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"schema not a number", boltFile(t, dir, "garbled.db", schema("two")), domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"newer schema", boltFile(t, dir, "newer.db", schema(strconv.Itoa(SchemaVersion+1))), domain.ErrSchemaTooNew, "newer ILL Desk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			err := VerifyBackup(tt.path)
			var ref *domain.Refusal
			require.ErrorAs(t, err, &ref)
			assert.ErrorIs(t, err, tt.kind)
			assert.Contains(t, ref.Msg, tt.says)
			assert.Contains(t, ref.Msg, "; ", "the sentence says what to do")
			after, _ := os.ReadFile(tt.path)
			assert.Equal(t, before, after, "verifying never changes the file")
		})
	}
	require.NoError(t, VerifyBackup(good))
}

func TestVerifyBackupAcceptsAnOlderSchema(t *testing.T) {
	p := backupFile(t)
	bdb, err := bbolt.Open(p, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	}))
	require.NoError(t, bdb.Close())
	require.NoError(t, VerifyBackup(p), "Open upgrades it after the restore")
}

var replacedName = regexp.MustCompile(`^illdesk\.db\.replaced-\d{8}-\d{6}$`)

func TestRestoreKeepsTheReplacedDatabase(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "illdesk.db")
	db, err := Open(dbPath)
	require.NoError(t, err)
	lendings(t, db, "AT-BACKUP", 4)
	backup := filepath.Join(t.TempDir(), "backup.db")
	_, err = db.BackupTo(backup, false)
	require.NoError(t, err)
	lendings(t, db, "AFTER", 3)
	require.NoError(t, db.Close())

	replaced, err := Restore(backup, dbPath)
	require.NoError(t, err)
	assert.Regexp(t, replacedName, filepath.Base(replaced))
	assert.Equal(t, dir, filepath.Dir(replaced))
	reqs, _ := counts(t, dbPath)
	assert.Equal(t, 4, reqs, "the database is the backup")
	reqs, _ = counts(t, replaced)
	assert.Equal(t, 7, reqs, "the replaced database is kept whole")
	assertPrivate(t, dbPath)
	assert.ElementsMatch(t, []string{"illdesk.db", filepath.Base(replaced)}, names(t, dir), "no temporary files are left")

	// Restoring again keeps the first replaced file too.
	again, err := Restore(backup, dbPath)
	require.NoError(t, err)
	assert.NotEqual(t, replaced, again)
	assert.FileExists(t, replaced)
	assert.FileExists(t, again)
}

func TestRestoreOntoNoDatabase(t *testing.T) {
	backup := backupFile(t)
	dbPath := filepath.Join(t.TempDir(), "new", "illdesk.db")
	replaced, err := Restore(backup, dbPath)
	require.NoError(t, err)
	assert.Empty(t, replaced)
	reqs, _ := counts(t, dbPath)
	assert.Equal(t, 200, reqs)
}

func TestRestoreRefusalsChangeNothing(t *testing.T) {
	good := backupFile(t)
	bad := filepath.Join(t.TempDir(), "bad.db")
	require.NoError(t, os.WriteFile(bad, bytes.Repeat([]byte("not a database "), 1000), 0o600))

	tests := []struct {
		name   string
		backup string
		open   bool // the database is open (in a window) meanwhile
		kind   error
		says   string
	}{
		{"a bad backup", bad, false, domain.ErrInvalidInput, "not an ILL Desk backup"},
		{"a missing backup", filepath.Join(t.TempDir(), "gone.db"), false, domain.ErrInvalidInput, "There is no file"},
		{"the database open elsewhere", good, true, domain.ErrDatabaseInUse, "is open in ILL Desk"},
		{"the database itself", "", false, domain.ErrInvalidInput, "database itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dbPath := filepath.Join(dir, "illdesk.db")
			db, err := Open(dbPath)
			require.NoError(t, err)
			lendings(t, db, "LIVE", 2)
			if !tt.open {
				require.NoError(t, db.Close())
			} else {
				defer db.Close()
			}
			before, err := os.ReadFile(dbPath)
			require.NoError(t, err)
			backup := tt.backup
			if backup == "" {
				backup = dbPath
			}

			replaced, err := Restore(backup, dbPath)
			var ref *domain.Refusal
			require.ErrorAs(t, err, &ref)
			assert.ErrorIs(t, err, tt.kind)
			assert.Contains(t, ref.Msg, tt.says)
			assert.Empty(t, replaced)
			after, err := os.ReadFile(dbPath)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "the database is unchanged")
			assert.Equal(t, []string{"illdesk.db"}, names(t, dir), "nothing is left beside it")
		})
	}
}

func TestSnapshotNames(t *testing.T) {
	db := openTemp(t)
	dir := filepath.Join(t.TempDir(), "backups")
	at := time.Date(2026, 3, 2, 9, 5, 7, 0, time.UTC)
	p1, n, err := Snapshot(db, dir, at)
	require.NoError(t, err)
	assert.Positive(t, n)
	p2, _, err := Snapshot(db, dir, at)
	require.NoError(t, err)
	assert.Equal(t, []string{"illdesk-2026-03-02-090507-2.db", "illdesk-2026-03-02-090507.db"}, names(t, dir))
	assert.Equal(t, filepath.Join(dir, "illdesk-2026-03-02-090507.db"), p1)
	assert.Equal(t, filepath.Join(dir, "illdesk-2026-03-02-090507-2.db"), p2)
	require.NoError(t, VerifyBackup(p2))
	assert.Equal(t, filepath.Join(filepath.Dir(db.Path()), "backups"), BackupDirFor(db.Path()))
}

func TestDailySnapshot(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "D", 2)
	day := func(n int) time.Time { return time.Date(2026, 3, 1, 8, 30, 0, 0, time.Local).AddDate(0, 0, n) }
	dir := filepath.Join(t.TempDir(), "backups")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "illdesk-2020-01-01.db"), 0o700)) // a folder, not a snapshot
	others := map[string]string{
		"notes.txt":                     "not ours",
		"illdesk-2020-01-02-120000.db":  "a Back up now snapshot",
		"illdesk-2020-13-45.db":         "not a date",
		"illdesk-2020-01-03.db.bak":     "another name",
		"copy of illdesk-2020-01-04.db": "another name",
		"ILLDESK-2020-01-05.DB":         "another name",
	}
	for name, text := range others {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}

	steps := []struct {
		day      int
		keep     int
		made     bool
		snapshot []string // the daily snapshots there afterwards
	}{
		{0, 3, true, []string{"2026-03-01"}},
		{0, 3, false, []string{"2026-03-01"}}, // the same day: nothing new
		{1, 3, true, []string{"2026-03-01", "2026-03-02"}},
		{2, 3, true, []string{"2026-03-01", "2026-03-02", "2026-03-03"}},
		{3, 3, true, []string{"2026-03-02", "2026-03-03", "2026-03-04"}},
		{6, 3, true, []string{"2026-03-03", "2026-03-04", "2026-03-07"}},
		{6, 1, false, []string{"2026-03-07"}}, // fewer kept: the oldest go
		{7, 0, false, []string{"2026-03-07"}}, // 0: off, nothing made or deleted
		{8, 2, true, []string{"2026-03-07", "2026-03-09"}},
	}
	for i, st := range steps {
		path, made, err := DailySnapshot(db, dir, st.keep, day(st.day))
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, st.made, made, "step %d", i)
		if st.keep > 0 {
			assert.Equal(t, filepath.Join(dir, "illdesk-"+day(st.day).Format("2006-01-02")+".db"), path)
			require.NoError(t, VerifyBackup(path))
			assertPrivate(t, path)
		} else {
			assert.Empty(t, path)
		}
		var daily []string
		for _, n := range names(t, dir) {
			if m := dailyName.FindStringSubmatch(n); m != nil && n != "illdesk-2020-01-01.db" && m[1] != "2020-13-45" {
				daily = append(daily, m[1])
			}
		}
		assert.Equal(t, st.snapshot, daily, "step %d", i)
	}
	for name, text := range others {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, "%s is never deleted", name)
		assert.Equal(t, text, string(got))
	}
	assert.DirExists(t, filepath.Join(dir, "illdesk-2020-01-01.db"))
}

func TestDailySnapshotReportsAFolderItCannotWrite(t *testing.T) {
	db := openTemp(t)
	blocker := filepath.Join(t.TempDir(), "backups")
	require.NoError(t, os.WriteFile(blocker, []byte("a file where the folder should be"), 0o600))
	_, made, err := DailySnapshot(db, blocker, 14, time.Now())
	require.Error(t, err)
	assert.False(t, made)
	assert.False(t, errors.Is(err, domain.ErrDatabaseLocked))
}
