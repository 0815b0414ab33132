package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/illdesk/illdesk/domain"
)

func TestRefusalTextWordsStoreRefusals(t *testing.T) {
	db := filepath.Join("x", "illdesk.db")
	damagedValue := &domain.Refusal{Kind: domain.ErrValueDamaged, Detail: "bad", Msg: "The stored request 0193 is damaged (bad)."}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a damaged database", &domain.Refusal{Kind: domain.ErrDatabaseDamaged, Path: db, Detail: "page 7",
			Msg: "The database " + db + " is damaged (page 7). Nothing more was changed."},
			"The database " + db + " is damaged (page 7). Nothing more was changed. Restore the latest backup with illdesk restore FILE " +
				"(daily backups are in " + filepath.Join("x", "backups") + "); the damaged file is kept beside it."},
		{"a damaged value, wrapped", fmt.Errorf("loading: %w", damagedValue),
			"The stored request 0193 is damaged (bad). Run illdesk check to see what else is; restore the latest backup with illdesk restore FILE."},
		{"a folder it may not write", &domain.Refusal{Kind: domain.ErrNotWritable, Path: "x",
			Msg: "ILL Desk may not write to x (the folder is read-only or you lack permission), so nothing was saved."},
			"ILL Desk may not write to x (the folder is read-only or you lack permission), so nothing was saved. " +
				"Give your account write access to the folder, or start with --db to use a folder you can write to."},
		{"a disk that stopped answering", &domain.Refusal{Kind: domain.ErrStorageUnavailable, Path: db, Detail: "input/output error",
			Msg: "The disk holding " + db + " stopped answering (input/output error); this change was not saved. Nothing else was lost; try again when the disk is back."},
			"The disk holding " + db + " stopped answering (input/output error); this change was not saved. Nothing else was lost; " +
				"try again when the disk is back. ILL Desk opens the database again at your next action."},
		{"a reject without a reason, in words rather than codes", func() error { _, err := domain.ParseReason(""); return err }(),
			"Choose a reason in the list: the partner is told it."},
		{"no program to show a slip", slipNotOpened("slips.pdf", errors.New(`exec: "xdg-open": executable file not found in $PATH`)),
			"The pick slips are saved as slips.pdf, but no program to show PDFs could be started on this computer: open the file yourself, " +
				"or have slips printed (Tools > Settings > Printing)."},
		{"a full disk", &domain.Refusal{Kind: domain.ErrDiskFull, Path: db,
			Msg: "The disk is full: free space on the disk holding " + db + "; the last change was not saved."},
			"The disk is full: free space on the disk holding " + db + "; the last change was not saved."},
		{"a change whose outcome is not known", &domain.Refusal{Kind: domain.ErrOutcomeUnknown, IDs: []string{"0193"},
			Msg: "The connection broke while the change was being saved: it is not known whether it was saved."},
			"The connection broke while the change was being saved: it is not known whether it was saved. " +
				"ILL Desk reads the request again once the department database answers and shows what was saved; look before doing it again."},
		{"a refusal that says it all", &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}, "Select the request first."},
		{"another error", &fs.PathError{Op: "open", Path: "f", Err: errors.New("gone")}, "open f: gone"},
		{"plain", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, refusalText(tt.err))
		})
	}
}
