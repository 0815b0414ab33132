package ui

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/illdesk/illdesk/domain"
)

// refusalText is the sentence the window shows for err: a refusal's own,
// or the window's wording of a store's refusal that calls for advice (what
// to run, what to restore); any other error's text.
func refusalText(err error) string {
	var ref *domain.Refusal
	if !errors.As(err, &ref) {
		return err.Error()
	}
	switch {
	case ref.Kind == domain.ErrDatabaseDamaged && ref.Path != "":
		// daily backups go to the backups folder beside the database
		return fmt.Sprintf("%s Restore the latest backup with illdesk restore FILE (daily backups are in %s); "+
			"the damaged file is kept beside it.", ref.Msg, filepath.Join(filepath.Dir(ref.Path), "backups"))
	case ref.Kind == domain.ErrValueDamaged:
		return ref.Msg + " Run illdesk check to see what else is; restore the latest backup with illdesk restore FILE."
	case ref.Kind == domain.ErrStorageUnavailable:
		// the store lets go of the file after such a fault and opens it
		// again at the next action, so trying again is all it takes
		return ref.Msg + " ILL Desk opens the database again at your next action."
	case ref.Kind == domain.ErrOutcomeUnknown:
		// the storage bar reads the requests again once the database answers
		return ref.Msg + " ILL Desk reads the request again once the department database answers and shows what was saved; " +
			"look before doing it again."
	case ref.Kind == domain.ErrReasonRequired:
		// the domain's sentence lists the ISO 18626 codes the command line
		// takes; the window's list shows the reasons in words
		return "Choose a reason in the list: the partner is told it."
	case ref.Kind == domain.ErrNotWritable && ref.Path != "":
		return ref.Msg + " Give your account write access to the folder, or start with --db to use a folder you can write to."
	}
	return ref.Msg
}
