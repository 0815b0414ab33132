package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func newVault(t *testing.T) *Vault {
	t.Helper()
	v, err := New(filepath.Join(t.TempDir(), "vault"))
	require.NoError(t, err)
	return v
}

func writeSrc(t *testing.T, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scan.pdf")
	require.NoError(t, os.WriteFile(p, content, 0o644))
	return p
}

// vaultFiles lists the entries of the vault directory.
func vaultFiles(t *testing.T, v *Vault) []string {
	t.Helper()
	es, err := os.ReadDir(v.Dir())
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestNewVaultCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x", "vault")
	v, err := New(dir)
	require.NoError(t, err)
	assert.Equal(t, dir, v.Dir())
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, info.IsDir())
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	}
}

func TestVaultPutSanitizesNames(t *testing.T) {
	tests := []struct {
		id   string
		want string
	}{
		{"RS-1001", "RS-1001.pdf"},
		{"../../etc/passwd", "____etc_passwd.pdf"},
		{"CON", "_CON.pdf"},
		{`a/b\c`, "a_b_c.pdf"},
		{"", "request.pdf"},
		{"..", "_.pdf"},
		{"C:evil", "C_evil.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			v := newVault(t)
			f, err := v.Put(writeSrc(t, []byte("%PDF-1.7 x")), tc.id)
			require.NoError(t, err)
			assert.Equal(t, domain.SanitizeFileName(tc.id)+".pdf", f.Name)
			assert.Equal(t, tc.want, f.Name)
			assert.Equal(t, []string{f.Name}, vaultFiles(t, v), "stored inside the vault dir")
			assert.Equal(t, filepath.Join(v.Dir(), f.Name), v.Path(f.Name))
			rel, err := filepath.Rel(v.Dir(), v.Path(f.Name))
			require.NoError(t, err)
			assert.Equal(t, f.Name, rel)
		})
	}
}

func TestVaultPutContentHashAndMode(t *testing.T) {
	v := newVault(t)
	content := make([]byte, 300<<10)
	for i := range content {
		content[i] = byte(i % 251)
	}
	sum := sha256.Sum256(content)
	f, err := v.Put(writeSrc(t, content), "ABC")
	require.NoError(t, err)
	assert.Equal(t, domain.ShippedFile{Name: "ABC.pdf", Bytes: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}, f)

	got, err := os.ReadFile(v.Path(f.Name))
	require.NoError(t, err)
	assert.Equal(t, content, got)
	if runtime.GOOS != "windows" {
		info, err := os.Stat(v.Path(f.Name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}

	empty, err := v.Put(writeSrc(t, nil), "empty")
	require.NoError(t, err)
	assert.Equal(t, int64(0), empty.Bytes)
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty.SHA256)
}

func TestVaultPutCollisions(t *testing.T) {
	v := newVault(t)
	var names []string
	for i, content := range []string{"one", "two", "three"} {
		f, err := v.Put(writeSrc(t, []byte(content)), "REQ-1")
		require.NoError(t, err, "put %d", i)
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"REQ-1.pdf", "REQ-1-2.pdf", "REQ-1-3.pdf"}, names)
	for i, content := range []string{"one", "two", "three"} {
		got, err := os.ReadFile(v.Path(names[i]))
		require.NoError(t, err)
		assert.Equal(t, content, string(got), "earlier files are not overwritten")
	}

	// Concurrent writers each get their own file.
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]bool{}
	)
	for i := 0; i < 8; i++ {
		src := writeSrc(t, []byte{byte(i)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := v.Put(src, "SAME")
			assert.NoError(t, err)
			mu.Lock()
			got[f.Name] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, got, 8)
}

func TestVaultPutFailureLeavesNothing(t *testing.T) {
	v := newVault(t)
	_, err := v.Put(filepath.Join(t.TempDir(), "missing.pdf"), "X")
	require.Error(t, err)
	assert.Empty(t, vaultFiles(t, v))

	// Reading a directory fails mid-copy: the partial file is removed.
	_, err = v.Put(t.TempDir(), "X")
	require.Error(t, err)
	assert.Empty(t, vaultFiles(t, v))
}

func TestVaultRemove(t *testing.T) {
	v := newVault(t)
	f, err := v.Put(writeSrc(t, []byte("pdf")), "R1")
	require.NoError(t, err)

	// A file outside the vault that traversal would reach.
	outside := filepath.Join(filepath.Dir(v.Dir()), "keep.pdf")
	require.NoError(t, os.WriteFile(outside, []byte("keep"), 0o600))

	for _, name := range []string{"../keep.pdf", "..", ".", "", "sub/R1.pdf", `sub\R1.pdf`, outside, "a..b.pdf"} {
		t.Run(name, func(t *testing.T) {
			err := v.Remove(name)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.ErrorAs(t, err, new(*domain.Refusal))
			assert.Equal(t, "", v.Path(name))
		})
	}
	_, err = os.Stat(outside)
	assert.NoError(t, err, "file outside the vault survives")

	require.NoError(t, v.Remove(f.Name))
	assert.Empty(t, vaultFiles(t, v))
	assert.NoError(t, v.Remove(f.Name), "removing a file already gone is fine")
}
