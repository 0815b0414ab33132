package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestSystemErrorsBecomeRefusals(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return fmt.Errorf("commit: %w", &fs.PathError{Op: "write", Path: "/x/illdesk.db", Err: errno})
	}
	tests := []struct {
		name string
		err  error
		kind error
		says string
	}{
		{"disk full", pathErr(syscall.ENOSPC), domain.ErrDiskFull, "The disk is full: free space on the disk holding /x/illdesk.db; the last change was not saved."},
		{"quota", pathErr(syscall.EDQUOT), domain.ErrDiskFull, "The disk is full"},
		{"I/O error", pathErr(syscall.EIO), domain.ErrStorageUnavailable, "The disk holding /x/illdesk.db stopped answering (commit: write /x/illdesk.db: input/output error); this change was not saved. Nothing else was lost"},
		{"file system gone", pathErr(syscall.ENOTCONN), domain.ErrStorageUnavailable, "stopped answering"},
		{"file system gone under an open file", pathErr(syscall.ECONNABORTED), domain.ErrStorageUnavailable, "stopped answering"},
		{"stale handle", pathErr(syscall.ESTALE), domain.ErrStorageUnavailable, "stopped answering"},
		{"read-only file system", pathErr(syscall.EROFS), domain.ErrNotWritable, "may not write"},
		{"no permission", pathErr(syscall.EACCES), domain.ErrNotWritable, "may not write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SystemError("/x/illdesk.db", tt.err)
			require.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.says)
			assert.Regexp(t, `(not|nothing was) saved`, err.Error())
			assert.NotContains(t, err.Error(), "damaged")
			var ref *domain.Refusal
			require.ErrorAs(t, err, &ref)
			if tt.kind != domain.ErrDiskFull {
				assert.Equal(t, "/x/illdesk.db", ref.Path, "the folder, for the front end to say what to do")
			}
		})
	}
	other := errors.New("something else")
	assert.Equal(t, other, SystemError("/x", other))
	assert.NoError(t, SystemError("/x", nil))
}

func TestMkdirAllMakesEachMissingFolder(t *testing.T) {
	root := t.TempDir()
	tests := []struct{ name, dir string }{
		{"nested and new", filepath.Join(root, "a", "b", "c")},
		{"already there", filepath.Join(root, "a")},
		{"beside one made", filepath.Join(root, "a", "d")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, MkdirAll(tt.dir))
			fi, err := os.Stat(tt.dir)
			require.NoError(t, err)
			assert.True(t, fi.IsDir())
		})
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o600))
	assert.Error(t, MkdirAll(filepath.Join(root, "file", "x")), "a file in the way is an error")
}
