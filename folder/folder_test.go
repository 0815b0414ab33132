package folder

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMakeDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "work", "slips")
	require.NoError(t, OS{}.MakeDir(dir), "parents are made too")
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	if runtime.GOOS != "windows" {
		assert.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), "private to the user")
	}
	require.NoError(t, OS{}.MakeDir(dir), "a folder that exists is no error")

	file := filepath.Join(t.TempDir(), "a file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.Error(t, OS{}.MakeDir(filepath.Join(file, "slips")), "not under a file")
}

func TestIsDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scans.txt")
	require.NoError(t, os.WriteFile(file, []byte("not a folder"), 0o600))
	tests := map[string]struct {
		path string
		want bool
	}{
		"a folder":         {dir, true},
		"a file":           {file, false},
		"nothing":          {filepath.Join(dir, "no-such-folder"), false},
		"under a file":     {filepath.Join(file, "x"), false},
		"the empty string": {"", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, OS{}.IsDir(tt.path))
		})
	}
}

func TestHead(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 2000) + "%PDF-"
	put := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	tests := map[string]struct {
		path, want string
	}{
		"shorter than asked": {put("short.pdf", "%PDF-1.7\n"), "%PDF-1.7\n"},
		"longer than asked":  {put("long.pdf", long), long[:1024]},
		"empty":              {put("empty.pdf", ""), ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := OS{}.Head(tt.path, 1024)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
	t.Run("missing", func(t *testing.T) {
		got, err := OS{}.Head(filepath.Join(dir, "gone.pdf"), 1024)
		require.ErrorIs(t, err, fs.ErrNotExist)
		assert.Empty(t, got)
	})
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"R-1.pdf", "notes.txt", "Zu\u0308rich 12.pdf"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o600))
	}
	// a folder named like a scan is not one
	require.NoError(t, os.Mkdir(filepath.Join(dir, "R-4.pdf"), 0o700))
	got, err := OS{}.Files(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"R-1.pdf", "Zu\u0308rich 12.pdf", "notes.txt"}, got, "files only, in name order")

	got, err = OS{}.Files(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, got)

	for name, path := range map[string]string{
		"missing": filepath.Join(dir, "gone"),
		"a file":  filepath.Join(dir, "R-1.pdf"),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := OS{}.Files(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the folder")
			assert.Nil(t, got)
		})
	}
}
