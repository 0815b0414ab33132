package cups

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	pdfdoc "github.com/illdesk/illdesk/pdf"
)

func TestRefusal(t *testing.T) {
	failed := errors.New("exit status 1")
	tests := []struct {
		name    string
		printer string
		said    string
		err     error
		want    error
		msg     string
	}{
		{"no lp", "PDF", "", fmt.Errorf("exec: %q: %w", "lp", exec.ErrNotFound), domain.ErrPrintingUnavailable,
			"CUPS, the printing system, is not installed on this computer, so nothing was printed."},
		{"scheduler down", "", "scheduler is not running\n", nil, domain.ErrPrintingUnavailable,
			"CUPS, the printing system, is not running on this computer, so nothing was printed."},
		{"no server", "PDF", "lp: Unable to connect to server\n", failed, domain.ErrPrintingUnavailable,
			"CUPS, the printing system, is not running on this computer, so nothing was printed."},
		{"too slow", "PDF", "", fmt.Errorf("signal: killed: %w", context.DeadlineExceeded), domain.ErrPrintingUnavailable,
			"CUPS, the printing system, did not answer in time, so nothing was printed."},
		{"lpstat: no such printer", "Nope", "lpstat: Invalid destination name in list \"Nope\".\n", failed, domain.ErrPrinterNotFound,
			"There is no printer named Nope on this computer."},
		{"lp: no such printer", "Nope", "lp: Error - The printer or class does not exist.\n", failed, domain.ErrPrinterNotFound,
			"There is no printer named Nope on this computer."},
		{"rejecting jobs", "PDF", "lp: Error - Destination \"PDF\" is not accepting jobs.\n", failed, domain.ErrPrintFailed,
			"The printer PDF is not accepting jobs now."},
		{"anything else", "PDF", "lp: Error - something odd\n", failed, domain.ErrPrintFailed,
			"The printer PDF did not take the job."},
		{"listing fails", "", "lpstat: something odd\n", failed, domain.ErrPrintingUnavailable,
			"CUPS, the printing system, could not tell this computer's printers."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refusal(tt.printer, tt.said, tt.err)
			require.ErrorIs(t, err, tt.want)
			var ref *domain.Refusal
			require.True(t, errors.As(err, &ref))
			assert.Equal(t, tt.msg, ref.Msg, "plain words")
			if tt.said != "" {
				assert.Contains(t, ref.Detail, strings.TrimSpace(tt.said), "what the tool said is kept aside")
			}
		})
	}
}

func TestPrinterNames(t *testing.T) {
	out := "printer Office is idle.  enabled since Mon Dec  7 14:46:13 2026\n" +
		"printer PDF disabled since Mon Dec  7 14:46:13 2026 -\n\treason unknown\n" +
		"printer Basement_2 now printing Basement_2-7.  enabled since Mon Dec  7 14:50:00 2026\n"
	assert.Equal(t, []string{"Office", "PDF", "Basement_2"}, printerNames(out))
	assert.Empty(t, printerNames(""))
}

// pdfQueue is the cups-pdf queue scripts/cups.sh adds.
const pdfQueue = "PDF"

// needPDFQueue skips the test unless CUPS runs here with the cups-pdf
// queue PDF and pdftotext is there to read what it prints.
func needPDFQueue(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"lp", "lpstat", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s here: install cups, printer-driver-cups-pdf and poppler-utils and run scripts/cups.sh", tool)
		}
	}
	if err := exec.Command("lpstat", "-p", pdfQueue).Run(); err != nil {
		t.Skipf("no CUPS queue %s here (lpstat -p %s: %v): run scripts/cups.sh", pdfQueue, pdfQueue, err)
	}
}

// cupsPDFDirs are the folders cups-pdf writes the jobs of the user running
// the tests into: Out of its configuration (${HOME}/PDF on Debian), and
// the folder of jobs whose user it does not know.
func cupsPDFDirs(t *testing.T) []string {
	t.Helper()
	home, _ := os.UserHomeDir()
	dirs := []string{filepath.Join(home, "PDF"), "/var/spool/cups-pdf/ANONYMOUS"}
	f, err := os.Open("/etc/cups/cups-pdf.conf")
	if err != nil {
		return dirs
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 2 && fs[0] == "Out" {
			dirs = append([]string{strings.ReplaceAll(fs[1], "${HOME}", home)}, dirs...)
		}
	}
	return dirs
}

// printed waits, up to a minute, for the PDF cups-pdf makes of the job
// whose file was named stem to be whole (pdftotext reads it), and returns
// its path and its text.
func printed(t *testing.T, stem string) (path, text string) {
	t.Helper()
	dirs := cupsPDFDirs(t)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, dir := range dirs {
			found, _ := filepath.Glob(filepath.Join(dir, stem+"*.pdf"))
			if len(found) == 0 {
				continue
			}
			// cups-pdf writes the file as the job goes
			if out, err := exec.Command("pdftotext", found[0], "-").Output(); err == nil {
				return found[0], string(out)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("cups-pdf wrote no whole PDF of %s in a minute into %v (see /var/log/cups/error_log)", stem, dirs)
	return "", ""
}

func TestPrintToThePDFQueue(t *testing.T) {
	needPDFQueue(t)
	ctx := context.Background()
	p := Printer{}
	names, err := p.Printers(ctx)
	require.NoError(t, err)
	assert.Contains(t, names, pdfQueue)
	_, err = p.DefaultPrinter(ctx)
	require.NoError(t, err)

	stem := fmt.Sprintf("illdesk-cups-test-%d", time.Now().UnixNano())
	slip := filepath.Join(t.TempDir(), stem+".pdf")
	require.NoError(t, pdfdoc.Documents{}.WritePickSlip(domain.PickSlip{Kind: "Digitization request", To: "Scan Lab (digitization)",
		ExternalID: "RAPID-4711", Partner: "RAPID", Title: "Journal of Printing Tests", ItemBarcode: "39000004711",
		Requested: time.Now(), Deadline: time.Now().Add(24 * time.Hour)}, slip))
	require.NoError(t, p.Print(ctx, pdfQueue, slip))

	out, text := printed(t, stem)
	t.Cleanup(func() { os.Remove(out) })
	assert.Contains(t, text, "Journal of Printing Tests")
	assert.Contains(t, text, "39000004711")
	assert.Contains(t, text, "RAPID-4711")
}

func TestPrintToAPrinterThatIsNot(t *testing.T) {
	needPDFQueue(t)
	slip := filepath.Join(t.TempDir(), "slip.pdf")
	require.NoError(t, os.WriteFile(slip, []byte("%PDF-1.7\n%%EOF\n"), 0o600))
	err := Printer{}.Print(context.Background(), "NoSuchPrinter", slip)
	require.ErrorIs(t, err, domain.ErrPrinterNotFound)
	assert.Equal(t, "There is no printer named NoSuchPrinter on this computer.", err.Error())
}
