package domain

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// seedPartners are the partners a seeded database gets when it has none of them.
var seedPartners = []Partner{
	{Code: "RAPID", Name: "RapidILL", TurnaroundHours: 24, LoanPeriodDays: 28},
	{Code: "OCLC-ZCU", Name: "Columbia University Libraries", TurnaroundHours: 48, LoanPeriodDays: 42},
	{Code: "NYPL", Name: "New York Public Library", TurnaroundHours: 72, LoanPeriodDays: 21},
	{Code: "UMICH", Name: "University of Michigan Library", AgencyID: "ISIL:US-MIU", TurnaroundHours: 24, LoanPeriodDays: 56},
	{Code: "BVB", Name: "Bavarian Library Network", TurnaroundHours: 48, LoanPeriodDays: 28},
}

var seedTitles = []string{"Journal of Documentation", "Library Quarterly", "Nature", "Science", "The Lancet",
	"College & Research Libraries", "Speculum", "Isis", "Technology and Culture", "Econometrica",
	"Journal of Political Economy", "The Musical Quarterly", "Theatre Journal", "Physical Review Letters"}

// seedRequest makes request number i, created within the last three years
// (recent ones more often still open) and moved through legal transitions.
func seedRequest(rnd *rand.Rand, now time.Time, cal Calendar, i int, id string) (Request, error) {
	p := seedPartners[rnd.IntN(len(seedPartners))]
	age := time.Duration(rnd.ExpFloat64()*float64(90*24*time.Hour)) % (3 * 365 * 24 * time.Hour)
	created := now.Add(-age).Truncate(time.Minute)
	title := seedTitles[rnd.IntN(len(seedTitles))]
	vol := rnd.IntN(120) + 1
	first := rnd.IntN(400) + 1
	r := Request{ID: id, Partner: p.Code, Created: created,
		Citation: Citation{Title: title, ArticleTitle: fmt.Sprintf("Article %d", i), Author: "Author " + string(rune('A'+i%26)),
			Volume: fmt.Sprint(vol), Number: fmt.Sprint(rnd.IntN(12) + 1), Year: fmt.Sprint(1950 + rnd.IntN(75)),
			Pages: fmt.Sprintf("%d-%d", first, first+rnd.IntN(30)+1)}}
	ev := func(at time.Time) Event { return Event{At: at, Actor: seedActor, Desk: "rs"} }
	step := func(a Action, after time.Duration) error {
		return r.Transition(a, ev(created.Add(after)))
	}
	open := age < 5*24*time.Hour
	if rnd.IntN(3) == 0 {
		r.Side = Borrowing
		r.Requester, r.Pickup = fmt.Sprintf("Patron %d", i%5000), []string{"Main Library", "Science Library"}[i%2]
		r.RequesterEmail = fmt.Sprintf("patron%d@example.edu", i%5000)
		if err := step(ActCreate, 0); err != nil {
			return r, err
		}
		stages := []Action{ActReceive, ActHoldShelf, ActCheckout, ActCheckin, ActComplete}
		last := len(stages)
		if open {
			last = rnd.IntN(len(stages))
		}
		for k := 0; k < last; k++ {
			if stages[k] == ActReceive {
				r.ItemBarcode = fmt.Sprintf("392%09d", i)
			}
			if err := step(stages[k], time.Duration(k+1)*36*time.Hour); err != nil {
				return r, err
			}
		}
		return r, nil
	}
	r.Side, r.ExternalID = Lending, fmt.Sprintf("SEED-%08d", i)
	r.Format = []Format{FormatElectronic, FormatPhysical, FormatUnknown}[rnd.IntN(3)]
	r.Deadline = cal.AddBusinessHours(created, p.TurnaroundHours)
	if err := step(ActCreate, 0); err != nil {
		return r, err
	}
	if open && rnd.IntN(2) == 0 {
		return r, nil
	}
	turnaround := time.Duration(rnd.IntN(40)+1) * time.Hour
	switch x := rnd.IntN(10); {
	case x < 7:
		return r, step(ActShip, turnaround) // seeded: no file in the vault
	case x < 9:
		r.RejectReason = Reasons()[rnd.IntN(len(Reasons())-1)]
		return r, step(ActReject, turnaround)
	default:
		r.PartnerNote = "Please check the volume and pages."
		return r, step(ActBadCitation, turnaround)
	}
}
