// Package vault keeps the PDFs shipped to partners in a folder, each file
// written whole and synced before the request that names it is saved.
package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// maxCollisions bounds the "-N" suffixes Put tries before giving up.
const maxCollisions = 10000

// Vault is the directory where shipped PDFs are kept; it implements
// domain.Vault. By convention the vault of a database file at P is
// filepath.Join(filepath.Dir(P), "vault") (bolt.VaultDirFor).
type Vault struct {
	dir string
}

var _ domain.Vault = (*Vault)(nil)

// New opens the vault at dir, creating the directory (mode 0700) when
// missing, and syncing the folder that holds it so that the new folder,
// and the files shipped into it, last a power cut.
func New(dir string) (*Vault, error) {
	if err := storage.MkdirAll(dir); err != nil {
		return nil, storage.SystemError(dir, fmt.Errorf("cannot create the vault folder %s: %w", dir, err))
	}
	return &Vault{dir: dir}, nil
}

// Open opens the vault of the database db in dir, creating the folder
// for a database that has never stored a file there. When the database
// has shipped files but the folder is gone (a network drive not connected,
// a folder moved away) it refuses with domain.ErrVaultMissing instead of
// making an empty one, so that the loss is noticed.
func Open(db domain.Store, dir string) (*Vault, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		var used string
		if err := db.View(func(tx domain.Tx) error {
			var err error
			used, err = tx.Setting(domain.SettingVaultInUse)
			return err
		}); err != nil {
			return nil, err
		}
		if used != "" {
			return nil, &domain.Refusal{Kind: domain.ErrVaultMissing, Path: dir, Msg: fmt.Sprintf(
				"The vault folder %s, which holds the PDFs already shipped, is missing.", dir)}
		}
	}
	return New(dir)
}

// Dir is the vault's directory.
func (v *Vault) Dir() string { return v.dir }

// Path is the full path of the stored file name (a base name as returned
// by Put in ShippedFile.Name). A name that is not a plain base name (it
// holds a path separator or "..") gives "", so the result never points
// outside the vault.
func (v *Vault) Path(name string) string {
	if !plainName(name) {
		return ""
	}
	return filepath.Join(v.dir, name)
}

// plainName reports whether name is a single file name inside a directory.
func plainName(name string) bool {
	return name != "" && name != "." &&
		!strings.ContainsAny(name, `/\`) && !strings.ContainsRune(name, os.PathSeparator) &&
		!strings.Contains(name, "..") && filepath.VolumeName(name) == ""
}

// Put copies the file src into the vault as SanitizeFileName(name)+".pdf",
// or with a "-2", "-3", ... suffix when that name is taken (files are created
// exclusively, so concurrent writers never overwrite each other). The copy is
// fsynced, then the directory is (except on Windows). It returns the stored
// base name, its size and its SHA-256 in hex; Pages is left for the caller.
// On failure no partial file is left behind.
func (v *Vault) Put(src, name string) (domain.ShippedFile, error) {
	in, err := os.Open(src)
	if err != nil {
		return domain.ShippedFile{}, fmt.Errorf("cannot read the file to ship: %w", err)
	}
	defer in.Close()

	out, stored, err := v.create(domain.SanitizeFileName(name))
	if err != nil {
		return domain.ShippedFile{}, storage.SystemError(v.dir, err)
	}
	full := out.Name()
	fail := func(err error) (domain.ShippedFile, error) {
		_ = out.Close()
		_ = os.Remove(full)
		return domain.ShippedFile{}, storage.SystemError(v.dir, err)
	}

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err != nil {
		return fail(fmt.Errorf("cannot copy %s into the vault: %w", src, err))
	}
	if err := out.Sync(); err != nil {
		return fail(fmt.Errorf("cannot save %s to disk: %w", full, err))
	}
	if err := out.Close(); err != nil {
		_ = os.Remove(full)
		return domain.ShippedFile{}, storage.SystemError(v.dir, fmt.Errorf("cannot save %s to disk: %w", full, err))
	}
	if err := storage.SyncDir(v.dir); err != nil {
		_ = os.Remove(full)
		return domain.ShippedFile{}, storage.SystemError(v.dir, fmt.Errorf("cannot save the vault folder %s to disk: %w", v.dir, err))
	}
	return domain.ShippedFile{Name: stored, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// create makes a new file stem.pdf, or stem-N.pdf for the first free N,
// with O_EXCL and mode 0600.
func (v *Vault) create(stem string) (*os.File, string, error) {
	for i := 1; i <= maxCollisions; i++ {
		name := stem + ".pdf"
		if i > 1 {
			name = stem + "-" + strconv.Itoa(i) + ".pdf"
		}
		f, err := os.OpenFile(filepath.Join(v.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("cannot create a file in the vault %s: %w", v.dir, err)
		}
	}
	return nil, "", fmt.Errorf("the vault %s already holds %d files named %s; remove old ones first", v.dir, maxCollisions, stem)
}

// Verify reads the stored file through and returns its size and SHA-256 in hex.
func (v *Vault) Verify(name string) (int64, string, error) {
	path := v.Path(name)
	if path == "" {
		return 0, "", fmt.Errorf("%q is not the name of a file in the vault", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Files lists the names of the regular files in the vault, sorted.
func (v *Vault) Files() ([]string, error) {
	entries, err := os.ReadDir(v.dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the vault %s: %w", v.dir, err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Remove deletes the stored file name from the vault; a file already gone
// is not an error. It refuses (domain.ErrInvalidInput) a name that holds a
// path separator or "..", so it can never delete outside the vault.
func (v *Vault) Remove(name string) error {
	if !plainName(name) {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"%q is not the name of a file in the vault; nothing was removed.", name)}
	}
	if err := os.Remove(filepath.Join(v.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s from the vault: %w", name, err)
	}
	return nil
}

// CopyFilesTo copies every file of the vault into another vault under the
// same name (the requests record the names), fsynced; a file already there
// with the same content is left, one with other content is refused. It
// returns how many files it copied.
func (v *Vault) CopyFilesTo(to *Vault) (int, error) {
	names, err := v.Files()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		size, sum, err := v.Verify(name)
		if err != nil {
			return n, err
		}
		if tsize, tsum, err := to.Verify(name); err == nil {
			if tsize != size || tsum != sum {
				return n, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
					"The shared vault %s already has a different file named %s; move one of them aside, then copy again.", to.dir, name)}
			}
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		if err := copyExact(v.Path(name), filepath.Join(to.dir, name)); err != nil {
			return n, storage.SystemError(to.dir, err)
		}
		n++
	}
	return n, storage.SyncDir(to.dir)
}

// copyExact copies src to a new file dst (never replacing one) and fsyncs it.
func copyExact(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	return out.Close()
}
