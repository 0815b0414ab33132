// Package powershell prints on Windows through Windows PowerShell: the
// printers are those Win32_Printer lists, and a PDF is printed by the
// program that opens PDFs, through its shell verb printto (Adobe Acrobat
// Reader, SumatraPDF and Foxit have it; a viewer without it cannot print
// unattended, which Print says). It implements domain.Printer, without
// cgo; its errors are Refusals in plain words.
package powershell

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"unicode/utf16"

	"github.com/illdesk/illdesk/domain"
)

// Printer is domain.Printer on Windows.
type Printer struct{}

var _ domain.Printer = Printer{}

// The scripts read the printer and the file from the environment, so that
// no name needs quoting. printScript exits 3 when the printer is not one
// of Windows's and 4 when the PDF program has no printto verb.
const (
	listScript    = `Get-CimInstance Win32_Printer | ForEach-Object { $_.Name }`
	defaultScript = `Get-CimInstance Win32_Printer -Filter 'Default=TRUE' | ForEach-Object { $_.Name }`
	printScript   = `$ErrorActionPreference = 'Stop'
if (-not (Get-CimInstance Win32_Printer | Where-Object { $_.Name -eq $env:ILLDESK_PRINTER })) { exit 3 }
$info = New-Object System.Diagnostics.ProcessStartInfo $env:ILLDESK_PRINT_FILE
if ($info.Verbs -notcontains 'printto') { exit 4 }
$info.Verb = 'printto'
$info.Arguments = '"' + $env:ILLDESK_PRINTER + '"'
$info.UseShellExecute = $true
$info.WindowStyle = 'Hidden'
[System.Diagnostics.Process]::Start($info) | Out-Null
exit 0`
)

// Print has the PDF program print the file on the printer; the program
// prints in the background, so the job is handed over, not done, when
// Print returns.
func (Printer) Print(ctx context.Context, printer, path string) error {
	_, code, err := run(ctx, printScript, "ILLDESK_PRINTER="+printer, "ILLDESK_PRINT_FILE="+path)
	return refusal(printer, code, err)
}

// DefaultPrinter is Windows's default printer, "" when there is none.
func (Printer) DefaultPrinter(ctx context.Context) (string, error) {
	out, code, err := run(ctx, defaultScript)
	if err != nil {
		return "", refusal("", code, err)
	}
	return strings.TrimSpace(out), nil
}

// Printers lists Windows's printers.
func (Printer) Printers(ctx context.Context) ([]string, error) {
	out, code, err := run(ctx, listScript)
	if err != nil {
		return nil, refusal("", code, err)
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			names = append(names, line)
		}
	}
	return names, nil
}

// run runs a script in Windows PowerShell, given encoded so that no
// character of it needs quoting, with the environment's additions; code
// is its exit code, -1 when it did not exit by itself.
func run(ctx context.Context, script string, env ...string) (stdout string, code int, err error) {
	cmd := exec.CommandContext(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
		"-EncodedCommand", encoded(script))
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	code = -1
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%v: %w", err, ctx.Err())
	}
	if err != nil && errOut.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), code, err
}

// encoded is a script as -EncodedCommand takes it: UTF-16LE in base64.
func encoded(script string) string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// refusal says in plain words why a script failed, from its exit code and
// error; nil for none. The printer is the one the job was for, "" for none.
func refusal(printer string, code int, err error) error {
	if err == nil {
		return nil
	}
	ref := func(kind error, format string, args ...any) error {
		return &domain.Refusal{Kind: kind, Msg: fmt.Sprintf(format, args...), Detail: err.Error()}
	}
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return ref(domain.ErrPrintingUnavailable, "Windows PowerShell is not available on this computer, so nothing was printed.")
	case errors.Is(err, context.DeadlineExceeded):
		return ref(domain.ErrPrintingUnavailable, "Windows did not answer in time, so nothing was printed.")
	case printer != "" && code == 3:
		return ref(domain.ErrPrinterNotFound, "There is no printer named %s on this computer.", printer)
	case printer != "" && code == 4:
		return ref(domain.ErrPrintingUnavailable, "The program that opens PDFs on this computer cannot print them unattended "+
			"(it has no print-to command), so nothing was printed.")
	case printer != "":
		return ref(domain.ErrPrintFailed, "The printer %s did not take the job.", printer)
	}
	return ref(domain.ErrPrintingUnavailable, "Windows could not tell this computer's printers.")
}
