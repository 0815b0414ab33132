package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// lendStepOf is the ncip-steps step an action on a book we lend calls the
// ILS for: lent to the partner, back from it.
func lendStepOf(r Request, a Action) string {
	if !r.IsLoan() {
		return ""
	}
	switch a {
	case ActLoanToPartner:
		return StepLendCheckout
	case ActLoanReturned:
		return StepLendCheckin
	}
	return ""
}

// stepPatron is the patron record a step's call names: the request's
// patron for the borrowing steps, the partner's ILL patron record for a
// book we lend. warn says why a checkout is not told to the ILS.
func (d *ILSService) stepPatron(r Request, step string) (patron, warn string, err error) {
	switch step {
	case StepLendCheckout:
		var p Partner
		if err := d.store.View(func(tx Tx) error {
			var err error
			p, err = partnerFor(tx, r.Partner)
			return err
		}); err != nil {
			return "", "", err
		}
		if p.ILSPatronID == "" {
			return "", fmt.Sprintf("The ILS was not told of this loan: partner %s has no ILS patron id "+
				"(set it with illdesk partner edit %s --ils-patron-id ID).", p.Code, p.Code), nil
		}
		return p.ILSPatronID, "", nil
	case StepCheckout:
		if patron = strings.TrimSpace(r.PatronID); patron == "" {
			return "", "The ILS was not told of this checkout: the request has no patron id.", nil
		}
		return patron, "", nil
	}
	return strings.TrimSpace(r.PatronID), "", nil
}

// lookUpItem asks the ILS, when ncip-steps names lookup-item, for the item
// a scan routed to a book we lend, and says what it holds, so that a wrong
// book is caught before it goes out. It never refuses the scan: a title
// that differs is said plainly, an ILS that does not know the item or does
// not answer adds a note. "" when nothing was asked.
func (d *ILSService) lookUpItem(r Request, a Action, code string) string {
	if d == nil || a == "" || !r.IsLoan() {
		return ""
	}
	set, err := d.NCIPSettings()
	if err != nil || !set.Step(StepLookupItem) {
		return ""
	}
	ils, set, err := d.current()
	if err != nil || ils == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), set.CallTimeout())
	defer cancel()
	it, err := ils.LookupItem(ctx, code)
	var refusal *ILSRefusal
	switch {
	case errors.As(err, &refusal):
		return fmt.Sprintf("Check the book: the ILS does not know item %s (%v).", code, err)
	case err != nil:
		return fmt.Sprintf("The item was not looked up: the ILS at %s did not answer (%v).", ils.Where(), err)
	case it.Title == "":
		return fmt.Sprintf("The ILS has item %s, without a title.", code)
	case r.Title != "" && !sameTitle(it.Title, r.Title):
		return fmt.Sprintf("CHECK THE BOOK: the ILS has item %s as “%s”, but request %s asks for “%s”.", code, it.Title, r.Ref(), r.Title)
	}
	return fmt.Sprintf("The ILS has item %s as “%s”.", code, it.Title)
}

// sameTitle reports whether two titles name the same book as far as a
// catalogue's title can tell: without case, punctuation or a leading
// article, one is the other or begins it (a subtitle, a statement of
// responsibility, an edition added to one of them).
func sameTitle(a, b string) bool {
	wa, wb := titleWords(a), titleWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return true
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	for i, w := range wa {
		if wb[i] != w {
			return false
		}
	}
	return true
}

// titleWords are a title's words in lower case, without punctuation and a
// leading English article.
func titleWords(s string) []string {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(ws) > 1 && (ws[0] == "the" || ws[0] == "a" || ws[0] == "an") {
		ws = ws[1:]
	}
	return ws
}
