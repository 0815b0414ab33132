package powershell

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestRefusal(t *testing.T) {
	exited := errors.New("exit status 1: what PowerShell said")
	tests := []struct {
		name    string
		printer string
		code    int
		err     error
		want    error
		msg     string
	}{
		{"no PowerShell", "Office", -1, fmt.Errorf("exec: %w", exec.ErrNotFound), domain.ErrPrintingUnavailable,
			"Windows PowerShell is not available on this computer, so nothing was printed."},
		{"too slow", "Office", -1, fmt.Errorf("killed: %w", context.DeadlineExceeded), domain.ErrPrintingUnavailable,
			"Windows did not answer in time, so nothing was printed."},
		{"no such printer", "Office", 3, exited, domain.ErrPrinterNotFound,
			"There is no printer named Office on this computer."},
		{"no printto verb", "Office", 4, exited, domain.ErrPrintingUnavailable,
			"The program that opens PDFs on this computer cannot print them unattended (it has no print-to command), so nothing was printed."},
		{"anything else", "Office", 1, exited, domain.ErrPrintFailed, "The printer Office did not take the job."},
		{"listing fails", "", 1, exited, domain.ErrPrintingUnavailable, "Windows could not tell this computer's printers."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refusal(tt.printer, tt.code, tt.err)
			require.ErrorIs(t, err, tt.want)
			var ref *domain.Refusal
			require.True(t, errors.As(err, &ref))
			assert.Equal(t, tt.msg, ref.Msg, "plain words")
			assert.Equal(t, tt.err.Error(), ref.Detail, "what went wrong is kept aside")
		})
	}
	assert.NoError(t, refusal("Office", 0, nil))
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
