package powershell

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// exitEnv makes the test binary, run again, exit with the code it names:
// a process ending as the print script does.
const exitEnv = "POWERSHELL_TEST_EXIT"

func TestMain(m *testing.M) {
	if code := os.Getenv(exitEnv); code != "" {
		n, _ := strconv.Atoi(code)
		os.Exit(n)
	}
	os.Exit(m.Run())
}

// exited is the error of a process that exited with code.
func exited(t *testing.T, code int) error {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), exitEnv+"="+strconv.Itoa(code))
	err := cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "exit %d: %v", code, err)
	return fmt.Errorf("%w: what PowerShell said", err)
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		name    string
		printer string
		err     error
		want    error
		msg     string
	}{
		{"no PowerShell", "Office", fmt.Errorf("exec: %w", exec.ErrNotFound), domain.ErrPrintingUnavailable,
			"Windows PowerShell is not available on this computer, so nothing was printed."},
		{"too slow", "Office", fmt.Errorf("killed: %w", context.DeadlineExceeded), domain.ErrPrintingUnavailable,
			"Windows did not answer in time, so nothing was printed."},
		{"no such printer", "Office", exited(t, 3), domain.ErrPrinterNotFound,
			"There is no printer named Office on this computer."},
		{"no printto verb", "Office", exited(t, 4), domain.ErrPrintingUnavailable,
			"The program that opens PDFs on this computer cannot print them unattended (it has no print-to command), so nothing was printed."},
		{"anything else", "Office", exited(t, 1), domain.ErrPrintFailed, "The printer Office did not take the job."},
		{"listing fails", "", exited(t, 1), domain.ErrPrintingUnavailable, "Windows could not tell this computer's printers."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refusal(tt.printer, tt.err)
			require.ErrorIs(t, err, tt.want)
			var ref *domain.Refusal
			require.True(t, errors.As(err, &ref))
			assert.Equal(t, tt.msg, ref.Msg, "plain words")
			assert.Equal(t, tt.err.Error(), ref.Detail, "what went wrong is kept aside")
		})
	}
	assert.NoError(t, refusal("Office", nil))
}

func TestEncoded(t *testing.T) {
	b, err := base64.StdEncoding.DecodeString(encoded(printScript))
	require.NoError(t, err)
	require.Zero(t, len(b)%2)
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	assert.Equal(t, printScript, string(utf16.Decode(units)), "UTF-16LE, as -EncodedCommand reads it")
	assert.Equal(t, "6QA=", encoded("é"), "é is one unit, low byte first")
	assert.Equal(t, "NNge3Q==", encoded("𝄞"), "beyond 16 bits, a surrogate pair")
}
