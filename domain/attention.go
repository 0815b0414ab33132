package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SettingAttentionHours is how many business hours a request may wait in
// one state before it needs attention.
const SettingAttentionHours = "attention_hours"

// DefaultAttentionHours is the wait that needs attention when none is set.
const DefaultAttentionHours = 24

// UrgentLeft is the business time left before a partner's deadline under
// which a lending request is urgent: the list's clock turns red and the
// request needs attention, so that both speak of the same requests.
const UrgentLeft = 4 * time.Hour

// Attention is a request that needs attention, and why.
type Attention struct {
	Request Summary
	// Why is a sentence for staff.
	Why string
	// Late is how far past the limit it is (business time for waits,
	// calendar time for overdue loans); the list is sorted by it.
	Late time.Duration
	// Partner is the code of a partner that needs attention, on an item
	// about a partner rather than a request (Request is then empty); such
	// items come after the requests.
	Partner string
}

// AttentionCheck is what deciding which requests need attention reads
// besides the requests themselves: the limit, the calendar, the clock and
// the failing messages and files. PrepareAttention reads it from the store.
type AttentionCheck struct {
	limit   int
	now     time.Time
	cal     Calendar
	failing map[string]string // request id → why
	// partners are the items about partners, e.g. one not authenticated.
	partners []Attention
	// held is how many messages from unknown agencies wait in the quarantine.
	held int
}

// Held is how many messages from agencies that are none of our partners
// wait for staff to accept or refuse them.
func (c AttentionCheck) Held() int { return c.held }

// Among lists, most urgent first, the requests of a listing that need
// attention, as NeedsAttention does for those in the store. Call it where
// the listing is used: a listing is not safe for concurrent use.
func (c AttentionCheck) Among(l *Listing) []Attention {
	if l == nil {
		return nil
	}
	var out []Attention
	for i := range l.items {
		e := &l.items[i]
		if !e.active && c.failing[e.id()] == "" {
			continue
		}
		out = c.check(out, l.summary(e))
	}
	c.sort(out)
	return append(out, c.partners...)
}

// partnerAttention is what needs attention about the partners: those
// added from an unknown library's message, whose settings staff have not
// reviewed, and those whose messages are taken on their word. A partner
// gets one item, saying both when both hold.
func partnerAttention(ps []Partner) []Attention {
	var out []Attention
	for _, p := range ps {
		var why []string
		if p.NeedsReview {
			why = append(why, fmt.Sprintf("Partner %s was added from a message of a library we did not know: "+
				"check its name, turnaround, loan period and delivery, then save it.", p.Code))
		}
		if p.NotAuthenticated() {
			why = append(why, fmt.Sprintf("Partner %s is not authenticated: anyone can send in its name. "+
				"Give it a token, client CA or networks, or no-auth.", p.Code))
		}
		if len(why) > 0 {
			out = append(out, Attention{Partner: p.Code, Why: strings.Join(why, " ")})
		}
	}
	return out
}

// check appends r to out when it needs attention.
func (c AttentionCheck) check(out []Attention, r Summary) []Attention {
	if why, ok := c.failing[r.ID]; ok {
		return append(out, Attention{Request: r, Why: strings.ToUpper(why[:1]) + why[1:] + ".", Late: 1000 * time.Hour})
	}
	if !r.Active() {
		return out
	}
	if out, ok := c.lendBookAttention(out, r); ok {
		return out
	}
	if r.State == Loaned && !r.DueDate.IsZero() && c.now.After(r.DueDate) {
		return append(out, Attention{Request: r, Late: c.now.Sub(r.DueDate),
			Why: fmt.Sprintf("On loan to %s, overdue since %s.", r.Requester, r.DueDate.Format(DateLayout))})
	}
	if a, found, wait := c.lenderAttention(r); found {
		return append(out, a)
	} else if wait {
		return out // waiting on the lender in time is not a delay
	}
	if r.State == Loaned {
		return out // waiting for the patron is not a delay
	}
	if a, ok := c.deadlineAttention(r); ok {
		return append(out, a)
	}
	waited := c.cal.BusinessBetween(r.Since, c.now)
	if over := waited - time.Duration(c.limit)*time.Hour; over > 0 {
		out = append(out, Attention{Request: r, Late: over,
			Why: fmt.Sprintf("“%s” for %.0f business hours (limit %d).", r.StatusLabel(), waited.Hours(), c.limit)})
	}
	return out
}

// deadlineAttention says when a lending request's partner deadline is less
// than UrgentLeft away or past. A partner's deadline comes before our own
// wait limits (deadlineFirst), and the nearest or furthest past first, as
// the list orders them.
func (c AttentionCheck) deadlineAttention(r Summary) (Attention, bool) {
	if r.Side != Lending || r.Deadline.IsZero() || !r.ClockRuns() {
		return Attention{}, false
	}
	left := c.cal.BusinessBetween(c.now, r.Deadline)
	if left >= UrgentLeft {
		return Attention{}, false
	}
	why := fmt.Sprintf("%s's deadline is in %s of business time.", r.Partner, plainDuration(left))
	if left <= 0 {
		why = fmt.Sprintf("%s's deadline passed %s of business time ago.", r.Partner, plainDuration(-left))
	}
	return Attention{Request: r, Late: deadlineFirst + UrgentLeft - left, Why: why}, true
}

// deadlineFirst puts requests near or past a partner's deadline after the
// failing messages (1000 h) and the lender's flags (500 h) but before the
// waits past our own limit, which no partner is counting.
const deadlineFirst = 200 * time.Hour

// plainDuration writes a duration as staff say it: "3 h 20 min", "40 min".
func plainDuration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// sort puts the most urgent first: the furthest past its limit.
func (AttentionCheck) sort(out []Attention) {
	slices.SortStableFunc(out, func(a, b Attention) int { return cmp.Compare(b.Late, a.Late) })
}
