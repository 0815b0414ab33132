package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// A request's number is how staff read it out and write it on slips:
// B-2026-00042 for borrowing, L-2026-00107 for lending — the side's letter,
// the year the request was made and its place in that side's sequence of
// that year, which restarts each year (as ILLiad's and Alma's do).

// NumberSeries is the counter a request's number comes from: the side's
// letter and the year, "B-2026". Stores keep one sequence per series.
func NumberSeries(side Side, year int) string {
	letter := "L"
	if side == Borrowing {
		letter = "B"
	}
	return fmt.Sprintf("%s-%04d", letter, year)
}

// RequestNumber is the number of the seq-th request of a series, its
// sequence zero-padded to 5 digits (more when a year runs past 99,999).
func RequestNumber(series string, seq uint64) string {
	return fmt.Sprintf("%s-%05d", series, seq)
}

// AssignNumber gives r, which has none, the next number of its side and
// of the year it was made, from the store's sequence in tx. Requests made
// before numbers existed get theirs from the stores when opened.
func AssignNumber(tx RequestStore, r *Request) error {
	if r.RequestNumber != "" {
		return nil
	}
	series := NumberSeries(r.Side, r.Created.Year())
	seq, err := tx.NextRequestNumber(series)
	if err != nil {
		return err
	}
	r.RequestNumber = RequestNumber(series, seq)
	return nil
}

// normalNumber reads a typed request number, ignoring case and spaces
// ("b-2026-42" is B-2026-00042); ok is false when ref is not one.
func normalNumber(ref string) (string, bool) {
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(ref)), "-")
	if len(parts) != 3 || (parts[0] != "B" && parts[0] != "L") || len(parts[1]) != 4 {
		return "", false
	}
	year, err := strconv.Atoi(parts[1])
	if err != nil || year < 0 {
		return "", false
	}
	seq, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil || seq == 0 {
		return "", false
	}
	return RequestNumber(parts[0]+"-"+parts[1], seq), true
}
