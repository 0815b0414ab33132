package domain

import "fmt"

// ilsNotifies reports whether the ILS, not ILL Desk, tells the patron a
// borrowed book is ready (patron-notices ils, or its default with the
// accept step on): AcceptItem's Hold For Pickup makes the ILS send its own
// notice, and a second one from us would only confuse.
func ilsNotifies(tx Tx) (bool, error) {
	set, err := ncipSettings(tx)
	if err != nil {
		return false, err
	}
	return set.Notices() == NoticesILS, nil
}

// holdShelfMessage is what the scan bar says of a book put on the hold
// shelf when the ILS notifies the patron.
func holdShelfMessage(r Request, code string) string {
	return fmt.Sprintf("%s on the hold shelf at %s — the ILS notifies %s (patron-notices ils).", code, r.Pickup, patronName(r))
}
