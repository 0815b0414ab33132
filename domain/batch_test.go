package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRejectManyGoesOnPastARefusal(t *testing.T) {
	f := newDeskFixture(t)
	a := f.lending("RAPID", "A")
	b := f.lending("RAPID", "B")
	c := f.lending("RAPID", "C")
	_, _, err := f.ship(b.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	res := f.desk.RejectMany([]string{a.ID, b.ID, c.ID}, ReasonNotOnShelf, "batch", "missing", atRS)
	require.Len(t, res, 3)
	assert.Equal(t, 1, BatchFailed(res))
	assert.ErrorIs(t, res[1].Err, ErrIllegalTransition, "a shipped request cannot be rejected")
	assert.Equal(t, Rejected, f.stored(a.ID).State)
	assert.Equal(t, ShippedDigitally, f.stored(b.ID).State)
	assert.Equal(t, Rejected, f.stored(c.ID).State)
	assert.Equal(t, ReasonNotOnShelf, f.stored(c.ID).RejectReason)

	none := f.desk.RejectMany([]string{a.ID}, "", "", "", atRS)
	assert.ErrorIs(t, none[0].Err, ErrReasonRequired)
}

func TestPickManyAndOneSlipPDF(t *testing.T) {
	f := newDeskFixture(t)
	a := f.lending("RAPID", "A", func(in *LendingInput) { in.ItemBarcode = "39000001" })
	b := f.lending("RAPID", "B") // no barcode: refused
	c := f.lending("RAPID", "C", func(in *LendingInput) { in.ItemBarcode = "39000003" })
	res := f.desk.PickMany([]string{a.ID, b.ID, c.ID}, scanLab, atRS)
	assert.Equal(t, 1, BatchFailed(res))
	assert.ErrorIs(t, res[1].Err, ErrInvalidInput)
	assert.Equal(t, PickRequested, f.stored(a.ID).State)
	assert.Equal(t, Created, f.stored(b.ID).State)

	docs := &fakeDocs{}
	desk := f.withDocuments(docs, workDir)
	out, err := desk.WritePickSlips([]string{a.ID, c.ID})
	require.NoError(t, err)
	require.Len(t, docs.slips, 2)
	require.Len(t, docs.combines, 1, "the slips are combined into one PDF")
	assert.Equal(t, out, docs.combines[0].Out)
	assert.Equal(t, []string{docs.slips[0].Out, docs.slips[1].Out}, docs.combines[0].Inputs)

	_, err = desk.WritePickSlips([]string{a.ID, b.ID})
	assert.ErrorIs(t, err, ErrInvalidInput, "a request without a pick has no slip")
}
