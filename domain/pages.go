package domain

import (
	"regexp"
	"strconv"
)

var pageNumbers = regexp.MustCompile(`\d+`)

// ExpectedPages reads a requested page range such as "12-30", "pp. 12–30",
// "123-8" or "45" and returns how many pages it spans; ok is false when the
// range cannot be read (blank, roman numerals, several ranges).
func ExpectedPages(pages string) (n int, ok bool) {
	nums := pageNumbers.FindAllString(pages, -1)
	switch len(nums) {
	case 1:
		return 1, true
	case 2:
		first, err1 := strconv.Atoi(nums[0])
		last, err2 := strconv.Atoi(nums[1])
		if err1 != nil || err2 != nil {
			return 0, false
		}
		if last < first && len(nums[1]) < len(nums[0]) {
			// abbreviated range: 123-8 means 123-128
			full := nums[0][:len(nums[0])-len(nums[1])] + nums[1]
			last, _ = strconv.Atoi(full)
		}
		if last < first || last-first > 5000 {
			return 0, false
		}
		return last - first + 1, true
	}
	return 0, false
}

// PageCountFar reports whether a scan's page count is far from the requested
// range: more than twice the pages plus a few (covers, title pages), or fewer
// than half of them.
func PageCountFar(requested, actual int) bool {
	if requested <= 0 || actual <= 0 {
		return false
	}
	return actual > 2*requested+4 || actual*2 < requested
}
