package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func shippedPDF(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "R-1.pdf")
	require.NoError(t, os.WriteFile(p, []byte("%PDF-1.7\nscan\n%%EOF\n"), 0o600))
	return p
}

func TestFilesCopiesIntoTheFolder(t *testing.T) {
	dir := t.TempDir()
	where, err := Files{}.SendFile(domain.Delivery{Method: domain.DeliveryFolder, Target: dir, File: "R-1.pdf", Ref: "R-1"}, shippedPDF(t))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "R-1.pdf"), where)
	b, err := os.ReadFile(where)
	require.NoError(t, err)
	assert.Contains(t, string(b), "%PDF-1.7")
	left, _ := filepath.Glob(filepath.Join(dir, ".illdesk-*"))
	assert.Empty(t, left, "no temporary file is left")

	_, err = Files{}.SendFile(domain.Delivery{Method: domain.DeliveryFolder, Target: filepath.Join(dir, "missing"), File: "R-1.pdf"}, shippedPDF(t))
	assert.ErrorContains(t, err, "not reachable")
}

func TestFilesEmailWithoutServerGoesToTheOutbox(t *testing.T) {
	outbox := t.TempDir()
	f := Files{Settings: domain.MailSettings{From: "ILL <ill@example.edu>"}, OutboxDir: outbox}
	where, err := f.SendFile(domain.Delivery{ID: "d1", Method: domain.DeliveryEmail, Target: "ill@partner.example.org",
		File: "R-1.pdf", Ref: "R-1"}, shippedPDF(t))
	require.NoError(t, err)
	assert.Contains(t, where, "ill@partner.example.org")
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	require.Len(t, files, 1)
	eml, err := os.ReadFile(files[0])
	require.NoError(t, err)
	s := string(eml)
	assert.Contains(t, s, "To: <ill@partner.example.org>")
	assert.Contains(t, s, `filename="R-1.pdf"`)
	assert.Contains(t, s, "application/pdf")
	assert.True(t, strings.Contains(s, "Subject: Interlibrary loan R-1"), s[:200])
}
