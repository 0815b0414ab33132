package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
)

// worded is the text of err for the command line: a store's refusal that
// calls for this front end's advice (which flag, which command) is worded
// here, in place of its plain message; any other error says what it says.
func worded(err error) string {
	text := err.Error()
	var ref *domain.Refusal
	if errors.As(err, &ref) {
		if w := cliRefusal(ref); w != "" {
			text = strings.Replace(text, ref.Msg, w, 1)
		}
	}
	return text
}

// cliRefusal is the sentence for a store's refusal that needs the command
// line's advice, "" for one whose message says it all.
func cliRefusal(ref *domain.Refusal) string {
	if ref.Kind == domain.ErrOutcomeUnknown {
		return ref.Msg + " " + recheckAdvice(ref.IDs)
	}
	if ref.Path == "" && ref.Kind != domain.ErrValueDamaged {
		return ""
	}
	switch ref.Kind {
	case domain.ErrDatabaseLocked:
		return fmt.Sprintf("The database %s is already open in another ILL Desk window; close that window first, "+
			"or start with --db to use another database.", ref.Path)
	case domain.ErrNotADatabase:
		return fmt.Sprintf("The file %s is not an ILL Desk database; choose another file with --db, or move this one away.", ref.Path)
	case domain.ErrBackupInUse:
		return fmt.Sprintf("%s is a database open in ILL Desk right now, not a backup; choose a backup file, or close that window first.", ref.Path)
	case domain.ErrDatabaseInUse:
		return fmt.Sprintf("The database %s is open in an ILL Desk window or another illdesk command; close it first, "+
			"then restore again. Nothing was changed.", ref.Path)
	case domain.ErrDatabaseDamaged:
		return fmt.Sprintf("%s Restore the latest backup with illdesk restore FILE (daily backups are in %s); "+
			"the damaged file is kept beside it.", ref.Msg, bolt.BackupDirFor(ref.Path))
	case domain.ErrValueDamaged:
		return ref.Msg + " Run illdesk check to see what else is; restore the latest backup with illdesk restore FILE."
	case domain.ErrNotWritable:
		return ref.Msg + " Give your account write access to the folder, or start with --db to use a folder you can write to."
	case domain.ErrVaultMissing:
		return ref.Msg + " Reconnect the drive or put the folder back (from your file backup), then start ILL Desk again. " +
			"To go on without those files, create the empty folder; illdesk check then lists every file that is missing."
	}
	return ""
}

// recheckAdvice says how to learn whether a change of unknown outcome was
// saved: by reading the requests it touched once the database answers.
func recheckAdvice(ids []string) string {
	switch len(ids) {
	case 0:
		return "Once the database answers, look with illdesk list whether it was, before doing it again."
	case 1:
		return fmt.Sprintf("Once the database answers, look with illdesk show %s whether it was, before doing it again.", ids[0])
	}
	return fmt.Sprintf("Once the database answers, look with illdesk show whether it was (requests %s), before doing it again.",
		strings.Join(ids, ", "))
}
