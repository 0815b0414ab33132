package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/vault"
)

// childEnv makes the test binary run as the illdesk command line, so the
// crash test can kill a real process without building one first.
const childEnv = "ILLDESK_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}))
	}
	os.Exit(pgtest.Main(m))
}

// crashRig runs illdesk commands as child processes on one database and
// kills them with SIGKILL.
type crashRig struct {
	t     *testing.T
	db    string
	rnd   *rand.Rand
	kills int
	// interrupted counts the kills that landed before the command ended.
	interrupted int
}

// command is illdesk with args on the rig's database, as a child process.
func (c *crashRig) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"--db", c.db, "--operator", "crash"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "ILLDESK_SMTP_PASSWORD=")
	return cmd
}

// errStartedDead is what starting a process returns under wine when the
// new process ends while wine is still starting it (ERROR_INTERNAL_ERROR:
// wine's NtCreateUserProcess reports STATUS_INTERNAL_ERROR when the child
// dies before it signals that it started, which is before any of ILL
// Desk's code runs). It comes now and then, right after a kill.
const errStartedDead = syscall.Errno(1359)

// start starts a command with its output gathered. A start that wine
// reports as errStartedDead says nothing of what a kill left behind, so it
// is tried again, up to three times, and logged.
func (c *crashRig) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	c.t.Helper()
	for attempt := 1; ; attempt++ {
		cmd := c.command(args...)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		err := cmd.Start()
		if err == nil {
			return cmd, out
		}
		if attempt == 3 || !errors.Is(err, errStartedDead) {
			require.NoError(c.t, err, "illdesk %v", args)
		}
		c.t.Logf("illdesk %v did not start (%v); starting it again", args, err)
	}
}

// ok runs a command to the end and requires it to succeed.
func (c *crashRig) ok(args ...string) string {
	c.t.Helper()
	cmd, out := c.start(args...)
	require.NoError(c.t, cmd.Wait(), "illdesk %v: %s", args, out)
	return out.String()
}

// timed runs a command to the end and returns how long it took.
func (c *crashRig) timed(args ...string) time.Duration {
	c.t.Helper()
	start := time.Now()
	c.ok(args...)
	return time.Since(start)
}

// killDuring starts a command and kills it with SIGKILL after a random time
// up to about how long the command takes; it reports whether the command
// finished before the kill.
func (c *crashRig) killDuring(typical time.Duration, args ...string) bool {
	c.t.Helper()
	cmd, _ := c.start(args...)
	time.Sleep(time.Duration(c.rnd.Int64N(int64(typical + typical/5 + 1))))
	killErr := cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	c.kills++
	finished := killErr != nil || cmd.ProcessState.Success()
	if !finished {
		c.interrupted++
	}
	return finished
}

// sound opens the database as the next start would and requires check to
// pass; a vault file stored by a shipment killed before its commit is an
// orphan, which check reports and --repair removes, as staff would run it.
func (c *crashRig) sound() (byExternalID map[string]domain.Request, count int) {
	c.t.Helper()
	db, err := bolt.Open(c.db)
	require.NoError(c.t, err, "the database opens after the kill")
	defer db.Close()
	files, err := vault.New(bolt.VaultDirFor(c.db))
	require.NoError(c.t, err)
	d, err := domain.OpenDesk(domain.Config{Store: db, Vault: files})
	require.NoError(c.t, err)
	rep, err := d.Check(false, domain.Actor{})
	require.NoError(c.t, err)
	for _, p := range rep.Problems {
		require.Equal(c.t, domain.ProblemVaultOrphan, p.Kind, "after kill %d: %s", c.kills, p.Detail)
	}
	if !rep.Sound() {
		rep, err = d.Check(true, domain.Actor{})
		require.NoError(c.t, err)
		require.True(c.t, rep.Sound(), "after kill %d and a repair: %+v", c.kills, rep.Problems)
	}
	all := map[string]domain.Request{}
	require.NoError(c.t, db.View(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(r domain.Request) error {
			all[r.ExternalID] = r
			count++
			return nil
		})
	}))
	return all, count
}

// TestCrashSafety kills the real command line with SIGKILL at random
// moments during ship, scan, import and seed, more than 200 times, and
// requires after each kill that check passes and that the request acted on
// is in its state before or after the command — never in between.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes 200+ times; skipped with -short")
	}
	c := &crashRig{t: t, db: filepath.Join(t.TempDir(), "illdesk.db"), rnd: rand.New(rand.NewPCG(18626, 1))}
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("partner", "add", "BVB", "--name", "Bavarian network")
	scan := pdf(t, "valid_scan_3pages.pdf")

	t.Run("ship", func(t *testing.T) {
		c.ok("lend", "new", "--partner", "RAPID", "--external-id", "S-0", "--title", "Journal")
		typical := c.timed("ship", "S-0", scan)
		for i := 1; i <= 60; i++ {
			ext := fmt.Sprintf("S-%d", i)
			c.ok("lend", "new", "--partner", "RAPID", "--external-id", ext, "--title", "Journal")
			c.killDuring(typical, "ship", ext, scan)
			all, _ := c.sound()
			r := all[ext]
			switch r.State {
			case domain.Created:
				require.Nil(t, r.ShippedFile, "%s: not shipped, no file recorded", ext)
			case domain.ShippedDigitally:
				require.NotNil(t, r.ShippedFile, "%s: shipped with its file (check verified it)", ext)
			default:
				t.Fatalf("%s is %s after the kill", ext, r.State)
			}
		}
	})

	t.Run("scan", func(t *testing.T) {
		steps := []struct {
			desk string
			want domain.State
		}{{"pickup:Main Library", domain.OnHoldShelf}, {"pickup:Main Library", domain.Loaned},
			{"pickup:Main Library", domain.ReturnedByPatron}, {"rs", domain.Completed}}
		var typical time.Duration
		for i := 0; i < 15; i++ {
			ext := fmt.Sprintf("B-%d", i)
			code := fmt.Sprintf("39200%05d", i)
			c.ok("borrow", "new", "--partner", "BVB", "--external-id", ext, "--title", "A book",
				"--requester", "Pat Patron", "--pickup", "Main Library")
			c.ok("receive", ext, "--barcode", code)
			before := domain.Received
			for _, st := range steps {
				if typical == 0 {
					typical = c.timed("--desk", st.desk, "scan", code)
					before = st.want
					continue
				}
				c.killDuring(typical, "--desk", st.desk, "scan", code)
				all, _ := c.sound()
				r := all[ext]
				require.Contains(t, []domain.State{before, st.want}, r.State, "%s after a killed scan", ext)
				if r.State == before { // killed before the commit: scan again, to the end
					c.ok("--desk", st.desk, "scan", code)
				}
				before = st.want
			}
		}
	})

	t.Run("import", func(t *testing.T) {
		dir := t.TempDir()
		write := func(batch int) string {
			var b strings.Builder
			b.WriteString("side,partner,external_id,title,created,final_state,closed\n")
			for i := 0; i < 200; i++ {
				fmt.Fprintf(&b, "lending,RAPID,H-%d-%d,Old journal,2025-01-06,shipped_digitally,2025-01-07\n", batch, i)
			}
			p := filepath.Join(dir, fmt.Sprintf("history-%d.csv", batch))
			require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o600))
			return p
		}
		typical := c.timed("import", write(0))
		for batch := 1; batch <= 50; batch++ {
			c.killDuring(typical, "import", write(batch))
			all, _ := c.sound()
			n := 0
			for i := 0; i < 200; i++ {
				if _, ok := all[fmt.Sprintf("H-%d-%d", batch, i)]; ok {
					n++
				}
			}
			require.Contains(t, []int{0, 200}, n, "history file %d imported all or nothing", batch)
		}
	})

	t.Run("seed", func(t *testing.T) {
		main := c.db
		defer func() { c.db = main }()
		c.db = filepath.Join(t.TempDir(), "seed-0.db")
		typical := c.timed("seed", "--requests", "12000")
		for i := 1; i <= 40; i++ {
			c.db = filepath.Join(t.TempDir(), fmt.Sprintf("seed-%d.db", i)) // small, so check stays quick
			c.killDuring(typical, "seed", "--requests", "12000")
			_, n := c.sound()
			// seed commits batches of 5,000 (the last one smaller): whole batches or nothing
			require.Contains(t, []int{0, 5000, 10000, 12000}, n, "requests added by a killed seed")
		}
	})

	t.Logf("%d kills (%d before the command ended), every one followed by a passing check", c.kills, c.interrupted)
	require.GreaterOrEqual(t, c.kills, 200)
}
