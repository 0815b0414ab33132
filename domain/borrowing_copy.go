package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// CopyFetcher fetches the file a lender's CopyCompleted points to.
type CopyFetcher interface {
	// Fetch downloads to.URL, presenting to's TLS settings, into a
	// temporary file of at most maxBytes and returns its path; done removes
	// that file. It never follows a redirect.
	Fetch(ctx context.Context, to Destination, maxBytes int64) (path string, done func(), err error)
}

// CopyFetch is where a lender's copy is fetched from and how fetching went.
type CopyFetch struct {
	URL     string    `json:"url"`
	Tries   int       `json:"tries,omitempty"`
	NextTry time.Time `json:"next_try,omitzero"`
	// Problem is why the last try failed; Stopped says trying again cannot
	// help (the file fails preflight): staff take it up by hand.
	Problem string `json:"problem,omitempty"`
	Stopped bool   `json:"stopped,omitempty"`
}

// SettingCopyDelivery is how a lender's copy reaches the patron:
// "attachment" (the default) or "link" (a download link from our server).
const SettingCopyDelivery = "copy_delivery"

// NoticeCopyLink gives the patron the download link of a copy.
const NoticeCopyLink = "copy_link"

// ActCopyDelivered closes a copy once the patron's delivery went out.
const ActCopyDelivered Action = "copy_delivered"

// MaxCopyBytes bounds a copy fetched from a lender.
const MaxCopyBytes = 200 << 20

// copyReceived records where r's copy is to be fetched from, when the
// lender's CopyCompleted gives a link; the next pass over the queues
// fetches it.
func copyReceived(tx Tx, r *Request, url string, now time.Time) {
	if url = strings.TrimSpace(url); url == "" {
		return
	}
	r.Copy = &CopyFetch{URL: url, NextTry: now}
	markQueued(tx)
}

// copyDue reports whether r's copy is waiting to be fetched at now.
func copyDue(r Request, now time.Time) bool {
	return r.Side == Borrowing && r.State == CopyReceived && r.Copy != nil && !r.Copy.Stopped &&
		r.ShippedFile == nil && !r.Copy.NextTry.After(now)
}

// fetchCopies fetches the copies lenders sent links to, preflights and
// stores them, and queues their delivery to the patrons. What fails is
// retried with back-off; a file that fails preflight is left to staff.
func (d *BorrowingMessageService) fetchCopies(ctx context.Context) (fetched, failed int, err error) {
	if d.fetcher == nil || d.vault == nil || d.preflight == nil {
		return 0, 0, nil
	}
	now := d.clock.Now()
	var received, due []string
	if err := d.summariesWhere(Filter{Side: Borrowing, State: CopyReceived}, func(s Summary) error {
		received = append(received, s.ID)
		return nil
	}); err != nil {
		return 0, 0, err
	}
	err = d.store.View(func(tx Tx) error {
		for _, id := range received {
			r, err := tx.Request(id)
			if errors.Is(err, ErrNotFound) {
				continue // deleted meanwhile
			} else if err != nil {
				return err
			}
			if copyDue(r, now) {
				due = append(due, r.ID)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	for _, id := range due {
		if ctx.Err() != nil {
			break
		}
		ok, err := d.fetchCopy(ctx, id)
		if err != nil {
			return fetched, failed, err
		}
		if ok {
			fetched++
		} else {
			failed++
		}
	}
	return fetched, failed, nil
}

// fetchCopy makes one try at fetching request id's copy; ok is false when
// it failed (recorded on the request); err reports store trouble only.
func (d *BorrowingMessageService) fetchCopy(ctx context.Context, id string) (ok bool, err error) {
	var r Request
	var to Destination
	err = d.store.View(func(tx Tx) error {
		if r, err = tx.Request(id); err != nil {
			return err
		}
		p, err := tx.Partner(r.Partner)
		if err != nil {
			return err
		}
		o, err := readOutbound(tx)
		if err != nil {
			return err
		}
		to = Destination{URL: r.Copy.URL, ServerCAPEM: p.ServerCA, ClientCert: o.clientCert, ClientKey: o.clientKey}
		if plainHTTP(to.URL) && !o.allowPlainHTTP {
			to.URL = ""
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	var problem string
	var stop bool
	var sf ShippedFile
	if to.URL == "" {
		problem = "the lender's link is plain http to another computer, which is refused (config set allow-plain-http on allows it)"
	} else if path, done, ferr := d.fetcher.Fetch(ctx, to, MaxCopyBytes); ferr != nil {
		problem = ferr.Error()
	} else {
		sf, problem, stop = d.storeCopy(r, path)
		done()
	}
	now := d.clock.Now()
	kept := false
	err = d.store.Update(func(tx Tx) error {
		kept = false // a store may run this again after a conflict
		cur, err := tx.Request(id)
		if err != nil {
			return err
		}
		if !copyDue(cur, now) {
			return nil // cancelled or closed meanwhile
		}
		c := cur.Copy
		c.Tries++
		if problem != "" {
			c.Problem, c.Stopped, c.NextTry = problem, stop, now.Add(noticeBackoff(c.Tries))
			note := "Fetching the copy from " + cur.Partner + " failed: " + problem
			if !stop {
				note += "; will retry at " + c.NextTry.Format("15:04")
			}
			recordEvent(&cur, ActMessage, Event{At: now, Actor: cur.Partner, Desk: "interop", Note: note})
			return tx.PutRequest(cur)
		}
		c.Problem, c.NextTry = "", time.Time{}
		cur.ShippedFile = &sf
		how, err := d.deliverCopy(tx, &cur)
		if err != nil {
			return err
		}
		recordEvent(&cur, ActMessage, Event{At: now, Actor: cur.Partner, Desk: "interop",
			Note: fmt.Sprintf("Copy fetched from %s and stored as %s (%d pages); %s", cur.Partner, sf.Name, sf.Pages, how)})
		kept = true
		return tx.PutRequest(cur)
	})
	if problem == "" && !kept {
		_ = d.vault.Remove(sf.Name) // no request names it
	}
	return problem == "", err
}

// storeCopy preflights a fetched copy and stores it in the vault; problem
// says why not, stop that fetching it again cannot help.
func (d *BorrowingMessageService) storeCopy(r Request, path string) (sf ShippedFile, problem string, stop bool) {
	rep := d.preflight.Preflight(path)
	if rep.Verdict == VerdictReject {
		return ShippedFile{}, "the file fails preflight: " + rep.Message, true
	}
	sf, err := d.vault.Put(path, r.Ref()+"-copy")
	if err != nil {
		return ShippedFile{}, "could not store the file in the vault: " + err.Error(), false
	}
	sf.Pages = rep.Pages
	return sf, "", false
}

// deliverCopy queues the delivery of r's stored copy to the patron, as
// the copy-delivery setting says, and returns the history note. Without a
// usable address staff are told to hand it over themselves.
func (d *core) deliverCopy(tx Tx, r *Request) (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(r.RequesterEmail))
	if err != nil {
		return "no usable email address on file — give " + patronName(*r) + " the copy and close the request by hand", nil
	}
	how, err := tx.Setting(SettingCopyDelivery)
	if err != nil {
		return "", err
	}
	base, err := tx.Setting(SettingPublicURL)
	if err != nil {
		return "", err
	}
	now := d.clock.Now()
	dl := Delivery{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Partner: r.Partner, Method: DeliveryEmail, Target: addr.Address,
		File: r.ShippedFile.Name, Created: now, Status: DeliveryPending, NextTry: now}
	note := "sent to " + addr.Address + " as an attachment"
	if how == "link" && base != "" {
		var out Outgoing
		dl.Method, dl.Status, dl.NextTry = DeliveryISO, DeliveryAvailable, time.Time{}
		if err := d.newLink(tx, &dl, &out, base); err != nil {
			return "", err
		}
		ms, err := mailSettings(tx)
		if err != nil {
			return "", err
		}
		n := Notice{ID: d.newID(), RequestID: r.ID, Ref: r.Ref(), Kind: NoticeCopyLink, To: addr.Address, ToName: r.Requester,
			Subject: "Your copy of “" + copyTitle(*r) + "”",
			Body: fmt.Sprintf("Dear %s,\n\nthe copy you asked for, “%s”, is ready. Download it here until %s:\n\n%s\n\n%s\n",
				patronName(*r), copyTitle(*r), dl.Expires.Format(DateLayout), out.DeliveryURL, ms.LibraryName()),
			Created: now, Status: NoticeQueued, NextTry: now}
		if err := tx.PutNotice(n); err != nil {
			return "", err
		}
		note = "download link emailed to " + addr.Address
	} else if how == "link" {
		note += " (no public-url is set for a download link)"
	}
	if err := tx.PutDelivery(dl); err != nil {
		return "", err
	}
	markQueued(tx)
	return note, nil
}

func copyTitle(r Request) string {
	if r.ArticleTitle != "" {
		return r.ArticleTitle
	}
	return r.Title
}

// copyDelivered closes request id once its copy went out to the patron.
func (d *core) copyDelivered(id, where string) error {
	return d.store.Update(func(tx Tx) error {
		r, err := tx.Request(id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Side != Borrowing || !r.Can(ActCopyDelivered) || r.ShippedFile == nil {
			return nil
		}
		if err := r.Transition(ActCopyDelivered, Event{At: d.clock.Now(), Actor: "interop", Desk: "interop",
			Note: "Copy delivered to the patron: " + where}); err != nil {
			return err
		}
		return tx.PutRequest(r)
	})
}

// AttachCopy takes the file of a lender's copy that came by email, or that
// could not be fetched: preflighted, stored in the vault and delivered to
// the patron as a fetched copy is. A file that fails preflight is refused
// (ErrPreflightRejected) and changes nothing.
func (d *BorrowingMessageService) AttachCopy(ref, path string, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Attaching a copy"); err != nil {
		return Request{}, err
	}
	if d.vault == nil || d.preflight == nil {
		return Request{}, errors.New("no file vault is configured")
	}
	r, err := d.Find(ref)
	if err != nil {
		return Request{}, err
	}
	if err := copyAwaited(r); err != nil {
		return Request{}, err
	}
	sf, problem, _ := d.storeCopy(r, path)
	if problem != "" {
		return Request{}, refuse(ErrPreflightRejected, "The copy for %s was not attached: %s.", r.Ref(), problem)
	}
	out, err := d.change(r.ID, func(tx Tx, cur *Request) error {
		if err := copyAwaited(*cur); err != nil {
			return err
		}
		cur.ShippedFile = &sf
		if cur.Copy != nil {
			cur.Copy.Problem = ""
		}
		how, err := d.deliverCopy(tx, cur)
		if err != nil {
			return err
		}
		recordEvent(cur, ActMessage, d.event(by, fmt.Sprintf("Copy attached and stored as %s (%d pages); %s", sf.Name, sf.Pages, how)))
		return nil
	})
	if err != nil {
		_ = d.vault.Remove(sf.Name) // no request names it
		return Request{}, err
	}
	return out, nil
}

// copyAwaited refuses a request that is not waiting for its copy's file.
func copyAwaited(r Request) error {
	if r.Side != Borrowing || r.State != CopyReceived {
		return refuse(ErrIllegalTransition, "Request %s is “%s”: a copy is attached once its lender reports CopyCompleted.", r.Ref(), r.StatusLabel())
	}
	if r.ShippedFile != nil {
		return refuse(ErrIllegalTransition, "Request %s has its copy already (%s).", r.Ref(), r.ShippedFile.Name)
	}
	return nil
}
