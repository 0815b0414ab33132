package bolt

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
)

// mappedKB is how much of the file at path is resident in this process's
// memory maps, in kB, from /proc/self/smaps.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	require.NoError(t, err)
	defer f.Close()
	kb, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && fields[len(fields)-1] == path
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			n, err := strconv.Atoi(strings.Fields(line)[1])
			require.NoError(t, err)
			kb += n
		}
	}
	require.NoError(t, sc.Err())
	return kb
}

func TestForEachSummaryHandsMappedPagesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	defer db.Close()
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(time.Now),
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
	require.NoError(t, err)
	_, err = d.Seed(5000, 1, domain.Actor{})
	require.NoError(t, err)

	// reading every summary straight from bbolt leaves its pages mapped in
	require.NoError(t, db.bolt.View(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketSummaries).ForEach(func(k, v []byte) error { return nil })
	}))
	before := mappedKB(t, path)
	require.Greater(t, before, 256, "the summaries' pages are resident after a plain read")

	n := 0
	require.NoError(t, db.View(func(tx domain.Tx) error {
		return tx.ForEachSummary(func(domain.Summary) error { n++; return nil })
	}))
	require.Equal(t, 5000, n)
	after := mappedKB(t, path)
	require.Less(t, after, before/4, "ForEachSummary gives the pages back (%d kB resident before, %d kB after)", before, after)
}
