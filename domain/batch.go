package domain

// BatchResult is the outcome of one request in a batch action.
type BatchResult struct {
	Ref     string
	Request Request
	Err     error
}

// BatchFailed counts the requests a batch action refused.
func BatchFailed(rs []BatchResult) int {
	n := 0
	for _, r := range rs {
		if r.Err != nil {
			n++
		}
	}
	return n
}
