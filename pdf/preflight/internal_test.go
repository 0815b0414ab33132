package preflight

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestPdfcpuPanicsBecomeDamaged(t *testing.T) {
	valid := filepath.Join("testdata", "pdf", "valid_text_1page.pdf")
	panicky := []struct {
		name     string
		read     func(io.ReadSeeker, *model.Configuration) (*model.Context, error)
		validate func(*model.Context) error
	}{
		{"read panics with a string", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			panic("boom")
		}, nil},
		{"read panics with an error", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			panic(errors.New("boom"))
		}, nil},
		{"read hits a runtime error", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		}, nil},
		{"read returns nothing", func(io.ReadSeeker, *model.Configuration) (*model.Context, error) {
			return nil, nil
		}, nil},
		{"validate panics", api.ReadContext, func(*model.Context) error {
			var a []int
			_ = a[3]
			return nil
		}},
	}
	for _, tc := range panicky {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			c.read = tc.read
			if tc.validate != nil {
				c.validate = tc.validate
			}
			var rep domain.PreflightReport
			require.NotPanics(t, func() { rep = c.Preflight(valid) })
			assert.Equal(t, domain.VerdictReject, rep.Verdict)
			assert.Equal(t, ReasonDamaged, rep.Reason)
			assert.Zero(t, rep.Pages)
			assert.Equal(t, int64(1437), rep.Bytes)
		})
	}
}

func TestZeroCheckerWorks(t *testing.T) {
	var c Checker
	rep := c.Preflight(filepath.Join("testdata", "pdf", "valid_scan_3pages.pdf"))
	assert.Equal(t, domain.VerdictAccept, rep.Verdict)
	assert.Equal(t, ReasonOK, rep.Reason)
	assert.Equal(t, 3, rep.Pages)
	assert.Equal(t, "disable", model.ConfigPath)
}

func TestWarnMessage(t *testing.T) {
	assert.Equal(t,
		"The PDF is protected with an owner password (it opens, but printing or copying may be restricted), contains JavaScript and has attached files; ship it only if the partner can work with those restrictions, or save it again without a password.",
		warnMessage([]string{ReasonEncryptedOwnerOnly, ReasonJavaScript, ReasonEmbeddedFile}))
	assert.Equal(t, "The PDF has attached files; ship it only if you meant to send the attachments.",
		warnMessage([]string{ReasonEmbeddedFile}))
}
