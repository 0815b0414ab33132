package domain

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePrinter records the jobs it is given and prints nothing.
type fakePrinter struct {
	mu       sync.Mutex
	jobs     []printJob
	def      string
	printers []string
	listErr  error
	printErr error
}

type printJob struct{ Printer, File string }

func (p *fakePrinter) Print(_ context.Context, printer, path string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printErr != nil {
		return p.printErr
	}
	p.jobs = append(p.jobs, printJob{printer, path})
	return nil
}

func (p *fakePrinter) DefaultPrinter(context.Context) (string, error) { return p.def, nil }

func (p *fakePrinter) Printers(context.Context) ([]string, error) { return p.printers, p.listErr }

var _ Printer = (*fakePrinter)(nil)

// withPrinter is the fixture's desk with documents in workDir and the printer.
func (f *deskFixture) withPrinter(docs Documents, p Printer) *Desk {
	return NewDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Folders: f.folders,
		Clock:     ClockFunc(func() time.Time { return f.now }),
		Calendar:  f.desk.Calendar(),
		Documents: docs, WorkDir: workDir, Printer: p})
}

// picked makes a lending request with a pick to the scan lab.
func (f *deskFixture) picked(ext string) Request {
	f.t.Helper()
	r := f.lending("RAPID", ext, func(in *LendingInput) { in.ItemBarcode = "39" + ext })
	r, err := f.desk.Pick(r.ID, scanLab, "", atRS)
	require.NoError(f.t, err)
	return r
}

func TestPrintPickSlipsGoesToOnePrinter(t *testing.T) {
	tests := []struct {
		name  string
		named string // --printer
		set   string // config set printer
		def   string // the system's default
		want  string
	}{
		{"the system's default", "", "", "Office", "Office"},
		{"the printer set", "", "Desk", "Office", "Desk"},
		{"the printer named", "Basement", "Desk", "Office", "Basement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			p := &fakePrinter{def: tt.def, printers: []string{"Basement", "Desk", "Office"}}
			docs := &fakeDocs{}
			d := f.withPrinter(docs, p)
			if tt.set != "" {
				require.NoError(t, d.SetPrinter(context.Background(), tt.set, atRS))
			}
			a, b := f.picked("00001"), f.picked("00002")
			before := f.store.snapshot()
			got, err := d.PrintPickSlips(context.Background(), []string{a.ID, b.ID}, tt.named, "")
			require.NoError(t, err)
			assert.Equal(t, before, f.store.snapshot(), "printing stores nothing")
			assert.Equal(t, tt.want, got.Printer)
			require.Len(t, docs.combines, 1, "the slips are one PDF")
			assert.Equal(t, []printJob{{tt.want, docs.combines[0].Out}}, p.jobs, "one job")
			assert.Equal(t, docs.combines[0].Out, got.File)
		})
	}
}

func TestPrintPickSlipsRefusals(t *testing.T) {
	plain := errors.New("lp: exit status 1: something odd")
	tests := []struct {
		name     string
		printer  *fakePrinter
		noPick   bool
		want     error
		wantMsg  string
		writes   bool
		notInMsg string
	}{
		{name: "no printer set and no default", printer: &fakePrinter{}, want: ErrNoPrinter,
			wantMsg: "No printer is set and this computer has no default printer."},
		{name: "a request without a pick", printer: &fakePrinter{def: "Office"}, noPick: true, want: ErrNoPickSlip,
			wantMsg: "No pick slip for request RAPID-2: it has no pick request."},
		{name: "the printer is gone", printer: &fakePrinter{def: "Office",
			printErr: &Refusal{Kind: ErrPrinterNotFound, Msg: "There is no printer named Office on this computer."}},
			want: ErrPrinterNotFound, wantMsg: "There is no printer named Office on this computer.", writes: true},
		{name: "an error without words", printer: &fakePrinter{def: "Office", printErr: plain}, want: ErrPrintFailed,
			wantMsg: "The printer Office did not take the pick slips.", writes: true, notInMsg: "exit status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			docs := &fakeDocs{}
			d := f.withPrinter(docs, tt.printer)
			a := f.picked("00001")
			refs := []string{a.ID}
			if tt.noPick {
				refs = append(refs, f.lending("RAPID", "RAPID-2").ID)
			}
			_, err := d.PrintPickSlips(context.Background(), refs, "", "")
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.wantMsg, refusalMsg(t, err))
			assert.Empty(t, tt.printer.jobs)
			assert.Equal(t, tt.writes, len(docs.slips) > 0, "a slip written: %v", docs.slips)
			if tt.notInMsg != "" {
				assert.NotContains(t, refusalMsg(t, err), tt.notInMsg)
			}
		})
	}
}

func refusalMsg(t *testing.T, err error) string {
	t.Helper()
	var ref *Refusal
	require.True(t, errors.As(err, &ref), "a refusal: %v", err)
	return ref.Msg
}

func TestPrintPickSlipsWithoutPrinter(t *testing.T) {
	f := newDeskFixture(t)
	d := f.withDocuments(&fakeDocs{}, workDir)
	_, err := d.PrintPickSlips(context.Background(), []string{f.picked("00001").ID}, "", "")
	assert.ErrorIs(t, err, ErrPrintingUnavailable)
	_, err = d.Printers(context.Background())
	assert.ErrorIs(t, err, ErrPrintingUnavailable)
}

func TestWritePickSlipsToAFile(t *testing.T) {
	f := newDeskFixture(t)
	docs := &fakeDocs{}
	d := f.withDocuments(docs, workDir)
	a, b := f.picked("00001"), f.picked("00002")
	out := filepath.FromSlash("/elsewhere/slips.pdf")

	got, err := d.WritePickSlipsTo([]string{a.ID}, out)
	require.NoError(t, err)
	assert.Equal(t, out, got)
	require.Len(t, docs.slips, 1)
	assert.Equal(t, out, docs.slips[0].Out, "one slip is written where asked")

	got, err = d.WritePickSlipsTo([]string{a.ID, b.ID}, out)
	require.NoError(t, err)
	assert.Equal(t, out, got)
	require.Len(t, docs.combines, 1)
	assert.Equal(t, out, docs.combines[0].Out, "several are combined where asked")

	_, err = d.WritePickSlipsTo(nil, out)
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestPrintSettings(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	p := &fakePrinter{printers: []string{"Office", "PDF"}}
	d := f.withPrinter(&fakeDocs{}, p)
	ctx := context.Background()

	ps, err := d.PrintSettings()
	require.NoError(t, err)
	assert.Equal(t, PrintSettings{Printer: "", SlipOutput: SlipOutputPDF}, ps, "the defaults")

	require.NoError(t, d.SetPrinter(ctx, " PDF ", atRS))
	require.NoError(t, d.SetSlipOutput("Print", atRS))
	ps, err = d.PrintSettings()
	require.NoError(t, err)
	assert.Equal(t, PrintSettings{Printer: "PDF", SlipOutput: SlipOutputPrint}, ps)
	es := f.audit(AuditFilter{Action: ActConfigure})
	require.Len(t, es, 2, "both changes are audited")
	assert.Equal(t, "printer: (none) → PDF", es[0].Note)

	before := f.store.snapshot()
	f.refused(d.SetPrinter(ctx, "Basement", atRS), ErrPrinterNotFound, before)
	assert.Contains(t, d.SetPrinter(ctx, "Basement", atRS).Error(), "its printers are Office, PDF")
	f.refused(d.SetPrinter(ctx, "Bad\nname", atRS), ErrInvalidInput, before)
	f.refused(d.SetSlipOutput("paper", atRS), ErrInvalidInput, before)

	p.listErr = errors.New("no scheduler")
	require.NoError(t, d.SetPrinter(ctx, "Basement", atRS), "a printer the system cannot list is taken as typed")
	require.NoError(t, d.SetPrinter(ctx, "default", atRS))
	ps, err = d.PrintSettings()
	require.NoError(t, err)
	assert.Equal(t, "", ps.Printer, "default is the system's default printer")
}
