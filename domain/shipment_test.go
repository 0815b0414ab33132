package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sha256Hex(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:])
}

func TestShipmentAllowed(t *testing.T) {
	tests := []struct {
		name    string
		verdict Verdict
		accept  bool
		want    error
	}{
		{"accepted file", VerdictAccept, false, nil},
		{"accepted file, warnings accepted", VerdictAccept, true, nil},
		{"warning not accepted", VerdictWarn, false, ErrNeedsConfirmation},
		{"warning accepted", VerdictWarn, true, nil},
		{"rejected file", VerdictReject, false, ErrPreflightRejected},
		{"rejected file, warnings accepted", VerdictReject, true, ErrPreflightRejected},
		{"no verdict", "", true, ErrPreflightRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Shipment{Report: PreflightReport{Verdict: tt.verdict, Message: "The PDF is encrypted."}}
			err := s.Allowed(tt.accept)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assertSentence(t, err)
			assert.Contains(t, err.Error(), "The PDF is encrypted.", "the report says why")
		})
	}
}

func TestPrepare(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("BVB", "BVB-1")
	f.pf.report = PreflightReport{Verdict: VerdictAccept, Pages: 60, Bytes: 10}
	path := f.pdf()
	before := f.store.snapshot()
	s, err := f.desk.Prepare("BVB-1", []string{path}, atRS)
	require.NoError(t, err)
	assert.Equal(t, Shipment{RequestID: l.ID, Ref: l.Ref(), Name: "BVB-1", File: path,
		Report: PreflightReport{File: path, Verdict: VerdictWarn, Reason: "page_count", Pages: 60, Bytes: 10,
			Message: s.Report.Message, SHA256: sha256Hex(pdfContent)}}, s)
	assert.Contains(t, s.Report.Message, "60 pages", "the request's own checks are in the report")
	assert.Equal(t, []string{path}, f.pf.calls)
	assert.Equal(t, before, f.store.snapshot(), "preparing changes nothing")
	assert.Empty(t, f.vault.puts, "the vault copy is made when shipping")
}

func TestPrepareCombinesScans(t *testing.T) {
	f := newDeskFixture(t)
	f.lending("RAPID", "RAPID-1")
	docs := &fakeDocs{}
	d := f.withDocuments(docs, workDir)
	scans := []string{
		f.folders.put(filepath.FromSlash("/scans/p1.png"), []byte("\x89PNG\r\n\x1a\n")),
		f.folders.put(filepath.FromSlash("/scans/p2.png"), []byte("\x89PNG\r\n\x1a\n")),
	}
	s, err := d.Prepare("RAPID-1", scans, atRS)
	require.NoError(t, err)
	require.Len(t, docs.combines, 1)
	assert.Equal(t, docs.combines[0].Out, s.File, "the combined PDF is what ships")
	assert.Equal(t, []string{s.File}, f.pf.calls, "and what is checked")
}

func TestPrepareRefusals(t *testing.T) {
	tests := []struct {
		name  string
		ref   string
		files func(f *deskFixture) []string
		by    Actor
		want  error
	}{
		{"unknown request", "RAPID-404", nil, as("rita", RSDesk), ErrNotFound},
		{"borrowing request", "BVB-B", nil, as("rita", RSDesk), ErrIllegalTransition},
		{"request already rejected", "RAPID-X", nil, as("rita", RSDesk), ErrIllegalTransition},
		{"no files", "RAPID-1", func(*deskFixture) []string { return nil }, as("rita", RSDesk), ErrInvalidInput},
		{"operator without the role", "RAPID-1", nil, as("cora", RSDesk), ErrNotAllowed},
		{"nobody signed in", "RAPID-1", nil, Actor{Station: RSDesk}, ErrNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			withStaff(t, f)
			fay := as("fay", RSDesk)
			_, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "RAPID-1", Citation: Citation{Title: "T"}}, fay)
			require.NoError(t, err)
			x, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "RAPID-X", Citation: Citation{Title: "T"}}, fay)
			require.NoError(t, err)
			_, err = f.desk.Reject(x.ID, ReasonNotHeld, "", "", fay)
			require.NoError(t, err)
			_, err = f.desk.NewBorrowing(BorrowingInput{Partner: "BVB", ExternalID: "BVB-B", Citation: Citation{Title: "T"},
				Requester: "Pat", Pickup: "Main Library"}, fay)
			require.NoError(t, err)
			files := []string{f.pdf()}
			if tt.files != nil {
				files = tt.files(f)
			}
			before := f.store.snapshot()
			s, err := f.desk.Prepare(tt.ref, files, tt.by)
			f.refused(err, tt.want, before)
			assert.Equal(t, Shipment{}, s)
			assert.Empty(t, f.pf.calls, "nothing is checked for a shipment that cannot go")
		})
	}
}

// TestShipGating prepares a scan as rita, lets something happen meanwhile,
// then ships: Ship decides alone, without checking the file again.
func TestShipGating(t *testing.T) {
	rita := as("rita", RSDesk)
	tests := []struct {
		name      string
		report    PreflightReport
		meanwhile func(f *deskFixture, s Shipment)
		by        Actor
		accept    bool
		want      error
	}{
		{name: "accepted file", report: PreflightReport{Verdict: VerdictAccept, Pages: 19}},
		{name: "warning accepted", report: PreflightReport{Verdict: VerdictWarn, Message: "The PDF is encrypted.", Pages: 19}, accept: true},
		{name: "warning not accepted", report: PreflightReport{Verdict: VerdictWarn, Message: "The PDF is encrypted.", Pages: 19},
			want: ErrNeedsConfirmation},
		{name: "rejected file, even with warnings accepted", report: PreflightReport{Verdict: VerdictReject, Message: "The file is not a PDF."},
			accept: true, want: ErrPreflightRejected},
		{name: "file changed since it was checked", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			meanwhile: func(f *deskFixture, s Shipment) {
				require.NoError(f.t, os.WriteFile(s.File, []byte("%PDF-1.7\n% another scan\n%%EOF\n"), 0o600))
			}, want: ErrShipmentChanged},
		{name: "file gone since it was checked", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			meanwhile: func(f *deskFixture, s Shipment) { require.NoError(f.t, os.Remove(s.File)) }, want: os.ErrNotExist},
		{name: "request cancelled meanwhile", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			meanwhile: func(f *deskFixture, s Shipment) {
				_, err := f.desk.Cancel(s.RequestID, "withdrawn by the borrower", as("fay", RSDesk))
				require.NoError(f.t, err)
			}, want: ErrIllegalTransition},
		{name: "request shipped meanwhile", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			meanwhile: func(f *deskFixture, s Shipment) {
				_, err := f.desk.Ship(s, false, as("fay", RSDesk))
				require.NoError(f.t, err)
			}, want: ErrIllegalTransition},
		{name: "operator removed meanwhile", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			meanwhile: func(f *deskFixture, _ Shipment) {
				require.NoError(f.t, f.desk.RemoveOperator("rita", as("fay", RSDesk)))
			}, want: ErrNotAllowed},
		{name: "shipped by an operator without the role", report: PreflightReport{Verdict: VerdictAccept, Pages: 19},
			by: as("cora", RSDesk), want: ErrNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			withStaff(t, f)
			l, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "RAPID-1", Citation: Citation{Title: "T"}}, rita)
			require.NoError(t, err)
			f.pf.report = tt.report
			s, err := f.desk.Prepare(l.ID, []string{f.pdf()}, rita)
			require.NoError(t, err)
			if tt.meanwhile != nil {
				tt.meanwhile(f, s)
			}
			by := rita
			if tt.by != (Actor{}) {
				by = tt.by
			}
			before, files := f.store.snapshot(), maps.Clone(f.vault.files)
			out, err := f.desk.Ship(s, tt.accept, by)
			assert.Len(t, f.pf.calls, 1, "the file is checked once, by Prepare")
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.Equal(t, before, f.store.snapshot(), "a refused shipment changes nothing in the store")
				assert.Equal(t, files, f.vault.files, "and leaves nothing in the vault")
				assert.Equal(t, Request{}, out)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ShippedDigitally, out.State)
			require.NotNil(t, out.ShippedFile)
			assert.Equal(t, s.Report.SHA256, out.ShippedFile.SHA256, "the bytes checked are the bytes stored")
			assert.Equal(t, 19, out.ShippedFile.Pages)
			assert.Equal(t, out, f.stored(l.ID))
			assert.Contains(t, f.vault.files, out.ShippedFile.Name)
		})
	}
}

// A changed file is refused with a sentence for staff, and the copy the
// vault took of it is removed.
func TestShipChangedFileIsRemovedFromTheVault(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	s, err := f.desk.Prepare(l.ID, []string{f.pdf()}, atRS)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(s.File, []byte("%PDF-1.7\n% rescanned\n%%EOF\n"), 0o600))
	before := f.store.snapshot()
	_, err = f.desk.Ship(s, false, atRS)
	f.refused(err, ErrShipmentChanged, before)
	assert.Equal(t, []vaultPut{{Src: s.File, Name: "RAPID-1"}}, f.vault.puts)
	assert.Equal(t, []string{"RAPID-1.pdf"}, f.vault.removed)
	assert.Empty(t, f.vault.files)
}

// A ship checks the file once and reads the request once: Prepare in one
// read transaction, Ship in one write transaction.
func TestShipReadsTheRequestOnce(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	f.store.txs, f.store.reads = 0, 0
	s, err := f.desk.Prepare(l.ID, []string{f.pdf()}, atRS)
	require.NoError(t, err)
	assert.Equal(t, 1, f.store.txs, "Prepare: one transaction")
	assert.Equal(t, 1, f.store.reads, "Prepare: the request read once")

	f.store.txs, f.store.reads = 0, 0
	commits := f.store.commits
	out, err := f.desk.Ship(s, false, atRS)
	require.NoError(t, err)
	assert.Equal(t, ShippedDigitally, out.State)
	assert.Equal(t, 1, f.store.txs, "Ship: one transaction")
	assert.Equal(t, 1, f.store.commits-commits)
	assert.Equal(t, 1, f.store.reads, "Ship: the request read once")
	assert.Len(t, f.pf.calls, 1, "the file is preflighted once per ship")
}
