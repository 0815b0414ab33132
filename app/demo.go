package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/illdesk/illdesk/assets"
	"github.com/illdesk/illdesk/domain"
)

// shiftedClock is the real clock moved back by an offset, so demo requests
// can be recorded as if they had happened hours or days ago.
type shiftedClock struct {
	mu     sync.Mutex
	base   domain.Clock
	offset time.Duration
}

func (c *shiftedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Now().Add(-c.offset)
}

func (c *shiftedClock) set(ago time.Duration) {
	c.mu.Lock()
	c.offset = ago
	c.mu.Unlock()
}

// openDemo opens a throwaway database in a temporary folder and fills it with
// the bundled demo data; the returned function removes the folder.
func (s *session) openDemo() (cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "illdesk-demo-")
	if err != nil {
		return nil, err
	}
	cleanup = func() {
		if s.store != nil {
			s.store.Close()
			s.store, s.db = nil, nil
		}
		os.RemoveAll(dir)
	}
	real := s.clock
	if real == nil {
		real = domain.ClockFunc(time.Now)
	}
	clock := &shiftedClock{base: real}
	s.dbPath, s.clock = filepath.Join(dir, "illdesk.db"), clock
	if err := s.open(); err != nil {
		cleanup()
		return nil, err
	}
	if err := seedDemo(s.desk, real, clock, dir); err != nil {
		cleanup()
		return nil, fmt.Errorf("loading the demo data: %w", err)
	}
	clock.set(0)
	return cleanup, nil
}

// seedDemo records the demo data set through the desk, as staff would have.
func seedDemo(d *domain.Desk, real domain.Clock, clock *shiftedClock, dir string) error {
	demo, err := assets.LoadDemo()
	if err != nil {
		return err
	}
	scan := filepath.Join(dir, "demo-scan.pdf")
	if err := os.WriteFile(scan, assets.DemoScan, 0o600); err != nil {
		return err
	}
	staff := domain.Actor{Operator: "demo", Station: domain.RSDesk}
	if err := d.SaveSettings(domain.Settings{CatalogueURL: demo.Settings.CatalogueURL,
		DigitizationDepartments: demo.Settings.DigitizationDepartments,
		PickupLocations:         demo.Settings.PickupLocations}); err != nil {
		return err
	}
	for _, p := range demo.Partners {
		if _, err := d.AddPartner(domain.Partner{Code: p.Code, Name: p.Name, TurnaroundHours: p.TurnaroundHours,
			Email: p.Email, LoanPeriodDays: p.LoanDays}); err != nil {
			return err
		}
	}
	for _, l := range demo.Lending {
		now := real.Now()
		ago := now.Sub(d.Calendar().AddBusiness(now, -time.Duration(l.ArrivedBusinessHoursAgo*float64(time.Hour))))
		clock.set(ago)
		format, err := domain.ParseFormat(l.Format)
		if err != nil {
			return err
		}
		in := domain.LendingInput{Partner: l.Partner, ExternalID: l.ExternalID, Format: format,
			Citation: domain.Citation{Title: l.Title, ArticleTitle: l.ArticleTitle, Author: l.Author,
				Volume: l.Volume, Number: l.Number, Year: l.Year, Pages: l.Pages, ISSN: l.ISSN, ISBN: l.ISBN, DOI: l.DOI},
			Holdings: domain.Holdings{Location: l.Location, CallNumber: l.CallNumber, ItemBarcode: l.ItemBarcode}}
		for name, url := range l.EResources {
			in.EResources = append(in.EResources, domain.EResource{Name: name, URL: url})
		}
		r, err := d.NewLending(in, staff)
		if err != nil {
			return err
		}
		for i, step := range l.Steps {
			clock.set(ago - time.Duration(i+1)*time.Hour/2)
			if err := lendingStep(d, r, step, scan, staff); err != nil {
				return fmt.Errorf("%s %s: %w", r.ExternalID, step, err)
			}
		}
	}
	for _, b := range demo.Borrowing {
		ago := time.Duration(b.CreatedDaysAgo * 24 * float64(time.Hour))
		clock.set(ago)
		r, err := d.NewBorrowing(domain.BorrowingInput{Partner: b.Partner, ExternalID: b.ExternalID,
			Citation:  domain.Citation{Title: b.Title, Author: b.Author, ISBN: b.ISBN},
			Requester: b.Requester, RequesterEmail: b.RequesterEmail, Pickup: b.Pickup}, staff)
		if err != nil {
			return err
		}
		barcode := ""
		for i, step := range b.Steps {
			clock.set(ago - time.Duration(i+1)*24*time.Hour)
			verb, arg, _ := strings.Cut(step, ":")
			switch verb {
			case "receive":
				barcode = arg
				_, err = d.Receive(r.ID, arg, staff)
			case "scan":
				var st domain.Station
				if st, err = domain.ParseStation(arg); err == nil {
					_, err = d.Scan(barcode, "", domain.Actor{Operator: "demo", Station: st})
				}
			case "cancel":
				_, err = d.Cancel(r.ID, "Patron no longer needs it", staff)
			default:
				err = fmt.Errorf("unknown demo step %q", step)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", b.Title, step, err)
			}
		}
	}
	return nil
}

func lendingStep(d *domain.Desk, r domain.Request, step, scan string, staff domain.Actor) error {
	verb, arg, _ := strings.Cut(step, ":")
	var err error
	switch verb {
	case "pick":
		var st domain.Station
		if st, err = domain.ParseStation(arg); err == nil {
			_, err = d.Pick(r.ID, st, "", staff)
		}
	case "arrive":
		var cur domain.Request
		if cur, err = d.Find(r.ID); err == nil {
			st, _ := domain.ParseStation(cur.PickTarget)
			_, err = d.Scan(cur.ItemBarcode, "", domain.Actor{Operator: "demo", Station: st})
		}
	case "ship":
		var s domain.Shipment
		if s, err = d.Prepare(r.ID, []string{scan}, staff); err == nil {
			_, err = d.Ship(s, true, staff)
		}
	case "reject":
		_, err = d.Reject(r.ID, domain.Reason(arg), "", "", staff)
	case "bad-citation":
		_, err = d.BadCitation(r.ID, arg, staff)
	case "cancel":
		_, err = d.Cancel(r.ID, "Withdrawn by the borrowing library", staff)
	default:
		err = fmt.Errorf("unknown demo step %q", step)
	}
	return err
}

func (s *dataCommands) cmdSeed(args []string) error {
	fs := newFlags("seed")
	n := fs.Int("requests", 0, "how many requests to add")
	seed := fs.Uint64("seed", 1, "the same seed gives the same requests")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "seed --requests N [--seed S]"); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("seed: --requests must be a positive number")
	}
	start := time.Now()
	added, err := s.desk.Seed(*n, *seed, s.actor())
	if err != nil {
		return err
	}
	s.printf("Added %d requests in %s.\n", added, time.Since(start).Round(time.Millisecond))
	return nil
}
