// Package ncip reaches the library's ILS over NCIP 2 (v2.02): XML
// messages POSTed over HTTP with Content-Type application/xml, each with
// an InitiationHeader naming our agency, the ILS's and the application
// profile. Answers are read for Problem elements, returned word for word
// as a *domain.ILSRefusal. It implements domain.ILS.
//
// Like every outgoing request of the desk it never follows a redirect and
// refuses plain http to another computer. The API key travels in a header,
// never in the address.
package ncip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// KeyHeader is the header that carries the ILS's API key.
const KeyHeader = "X-API-Key"

// maxResponse bounds the size of an answer read from the ILS.
const maxResponse = 4 << 20

// Client calls one ILS.
type Client struct {
	url    *url.URL
	header Header
	key    string
	hc     *http.Client
}

var _ domain.ILS = (*Client)(nil)

// New is the client of the ILS the settings name.
func New(set domain.NCIPSettings) (*Client, error) {
	u, err := domain.CheckOutgoingURL(set.URL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{url: u, header: Header{FromAgency: set.FromAgency, ToAgency: set.ToAgency, Profile: set.Profile},
		key: set.APIKey, hc: hc}, nil
}

// Where is the ILS's address, without any password it carries.
func (c *Client) Where() string { return c.url.Redacted() }

func (c *Client) initiation() *InitiationHeader {
	h := &InitiationHeader{FromAgencyID: AgencyRef{Value{Text: c.header.FromAgency}},
		ToAgencyID: AgencyRef{Value{Text: c.header.ToAgency}}}
	if c.header.Profile != "" {
		h.ApplicationProfileType = &Value{Text: c.header.Profile}
	}
	return h
}

// LookupUser asks for the patron's name, email address and blocks.
func (c *Client) LookupUser(ctx context.Context, patronID string) (domain.ILSUser, error) {
	m := Message{LookupUser: &LookupUser{Header: c.initiation(), UserID: UserID{Value: patronID},
		ElementType: []Value{{Text: "Name Information"}, {Text: "User Address Information"}, {Text: "Block Or Trap"}}}}
	ans, err := c.call(ctx, m, "LookupUser")
	if err != nil {
		return domain.ILSUser{}, err
	}
	r := ans.LookupUserResponse
	if r == nil {
		return domain.ILSUser{}, c.unexpected("LookupUser", ans)
	}
	if len(r.Problem) > 0 {
		return domain.ILSUser{}, &domain.ILSRefusal{Call: "LookupUser", Problems: problems(r.Problem)}
	}
	return user(r), nil
}

// AcceptItem creates the temporary item and the hold for pickup.
func (c *Client) AcceptItem(ctx context.Context, a domain.ILSAccept) error {
	req := &AcceptItem{Header: c.initiation(), RequestID: RequestID{Value: a.RequestID},
		RequestedAction: Value{Text: "Hold For Pickup"}}
	if a.PatronID != "" {
		req.UserID = &UserID{Value: a.PatronID}
	}
	if a.ItemBarcode != "" {
		req.ItemID = &ItemID{Value: a.ItemBarcode}
	}
	if a.Title != "" || a.Author != "" {
		req.ItemOptional = &ItemOptional{Bibliographic: &Bibliographic{Author: a.Author, Title: a.Title}}
	}
	if a.PickupLocation != "" {
		req.PickupLocation = &Value{Text: a.PickupLocation}
	}
	return c.plain(ctx, Message{AcceptItem: req}, "AcceptItem", func(m Message) *Response { return m.AcceptItemResponse })
}

// CheckOutItem lends the item to the patron.
func (c *Client) CheckOutItem(ctx context.Context, patronID, itemBarcode, requestID string) error {
	req := &CheckOutItem{Header: c.initiation(), UserID: UserID{Value: patronID}, ItemID: ItemID{Value: itemBarcode}}
	if requestID != "" {
		req.RequestID = &RequestID{Value: requestID}
	}
	return c.plain(ctx, Message{CheckOutItem: req}, "CheckOutItem", func(m Message) *Response { return m.CheckOutItemResponse })
}

// CheckInItem returns the item.
func (c *Client) CheckInItem(ctx context.Context, itemBarcode string) error {
	m := Message{CheckInItem: &ItemRequest{Header: c.initiation(), ItemID: ItemID{Value: itemBarcode}}}
	return c.plain(ctx, m, "CheckInItem", func(m Message) *Response { return m.CheckInItemResponse })
}

// DeleteItem deletes the temporary item.
func (c *Client) DeleteItem(ctx context.Context, itemBarcode string) error {
	m := Message{DeleteItem: &ItemRequest{Header: c.initiation(), ItemID: ItemID{Value: itemBarcode}}}
	return c.plain(ctx, m, "DeleteItem", func(m Message) *Response { return m.DeleteItemResponse })
}

// LookupItem asks for the item's title and author.
func (c *Client) LookupItem(ctx context.Context, itemBarcode string) (domain.ILSItem, error) {
	m := Message{LookupItem: &LookupItem{Header: c.initiation(), ItemID: ItemID{Value: itemBarcode},
		ElementType: []Value{{Text: "Bibliographic Description"}}}}
	ans, err := c.call(ctx, m, "LookupItem")
	if err != nil {
		return domain.ILSItem{}, err
	}
	r := ans.LookupItemResponse
	if r == nil {
		return domain.ILSItem{}, c.unexpected("LookupItem", ans)
	}
	if len(r.Problem) > 0 {
		return domain.ILSItem{}, &domain.ILSRefusal{Call: "LookupItem", Problems: problems(r.Problem)}
	}
	it := domain.ILSItem{Barcode: itemBarcode}
	if r.ItemID != nil && r.ItemID.Value != "" {
		it.Barcode = r.ItemID.Value
	}
	if r.Optional != nil && r.Optional.Bibliographic != nil {
		it.Title, it.Author = strings.TrimSpace(r.Optional.Bibliographic.Title), strings.TrimSpace(r.Optional.Bibliographic.Author)
	}
	return it, nil
}

// plain makes a call whose answer says only yes or Problems.
func (c *Client) plain(ctx context.Context, m Message, name string, pick func(Message) *Response) error {
	ans, err := c.call(ctx, m, name)
	if err != nil {
		return err
	}
	r := pick(ans)
	if r == nil {
		return c.unexpected(name, ans)
	}
	if len(r.Problem) > 0 {
		return &domain.ILSRefusal{Call: name, Problems: problems(r.Problem)}
	}
	return nil
}

// unexpected is the error of an answer that is not the call's response:
// Problems at the message's root are the ILS's refusal, anything else
// means the ILS did not answer as an NCIP responder.
func (c *Client) unexpected(name string, ans Message) error {
	if len(ans.Problem) > 0 {
		return &domain.ILSRefusal{Call: name, Problems: problems(ans.Problem)}
	}
	return fmt.Errorf("%s answered %s with %q, not %sResponse: %w", c.Where(), name, ans.Name(), name, domain.ErrILSUnreachable)
}

// call POSTs one message and decodes the answer. Failures to reach the ILS
// or to read its answer wrap domain.ErrILSUnreachable.
func (c *Client) call(ctx context.Context, m Message, name string) (Message, error) {
	body, err := Encode(m)
	if err != nil {
		return Message{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url.String(), bytes.NewReader(body))
	if err != nil {
		return Message{}, err
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Accept", "application/xml, text/xml")
	if c.key != "" {
		req.Header.Set(KeyHeader, c.key)
	}
	resp, err := c.hc.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return Message{}, fmt.Errorf("%s did not answer %s in time: %w", c.Where(), name, domain.ErrILSUnreachable)
	}
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Message{}, fmt.Errorf("could not reach %s: %v: %w", c.Where(), err, domain.ErrILSUnreachable)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		where := "no address"
		if loc, err := resp.Location(); err == nil {
			where = loc.Redacted()
		}
		return Message{}, fmt.Errorf("%s answered %s, pointing to %s; redirects are not followed, set the address it points to: %w",
			c.Where(), resp.Status, where, domain.ErrILSUnreachable)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return Message{}, fmt.Errorf("reading the answer of %s: %v: %w", c.Where(), err, domain.ErrILSUnreachable)
	}
	ans, derr := Decode(data)
	if derr != nil || ans.Name() == "" {
		if resp.StatusCode/100 != 2 {
			return Message{}, fmt.Errorf("%s answered %s: %w", c.Where(), resp.Status, domain.ErrILSUnreachable)
		}
		return Message{}, fmt.Errorf("%s did not answer as an NCIP responder: %w", c.Where(), domain.ErrILSUnreachable)
	}
	return ans, nil
}
