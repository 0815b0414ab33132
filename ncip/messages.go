package ncip

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// Namespace is NCIP 2's XML namespace; Version names the v2.02 schema in
// each message's version attribute.
const (
	Namespace = "http://www.niso.org/2008/ncip"
	Version   = "http://www.niso.org/schemas/ncip/v2_02/ncip_v2_02.xsd"
)

// Header is the InitiationHeader every message carries: who asks whom,
// under which application profile.
type Header struct {
	FromAgency, ToAgency, Profile string
}

// Message is one NCIP message: the root element with exactly one
// initiation or response inside. It encodes and decodes both ways, so the
// stand-in responder of the tests speaks it too.
type Message struct {
	XMLName              xml.Name      `xml:"http://www.niso.org/2008/ncip NCIPMessage"`
	Version              string        `xml:"http://www.niso.org/2008/ncip version,attr"`
	LookupUser           *LookupUser   `xml:"LookupUser,omitempty"`
	LookupUserResponse   *UserResponse `xml:"LookupUserResponse,omitempty"`
	AcceptItem           *AcceptItem   `xml:"AcceptItem,omitempty"`
	AcceptItemResponse   *Response     `xml:"AcceptItemResponse,omitempty"`
	CheckInItem          *ItemRequest  `xml:"CheckInItem,omitempty"`
	CheckInItemResponse  *Response     `xml:"CheckInItemResponse,omitempty"`
	CheckOutItem         *CheckOutItem `xml:"CheckOutItem,omitempty"`
	CheckOutItemResponse *Response     `xml:"CheckOutItemResponse,omitempty"`
	DeleteItem           *ItemRequest  `xml:"DeleteItem,omitempty"`
	DeleteItemResponse   *Response     `xml:"DeleteItemResponse,omitempty"`
	LookupItem           *LookupItem   `xml:"LookupItem,omitempty"`
	LookupItemResponse   *ItemResponse `xml:"LookupItemResponse,omitempty"`
	Problem              []Problem     `xml:"Problem,omitempty"`
}

// Value is a SchemeValuePair without a scheme.
type Value struct {
	Scheme string `xml:"Scheme,attr,omitempty"`
	Text   string `xml:",chardata"`
}

// AgencyRef wraps an AgencyId (FromAgencyId, ToAgencyId).
type AgencyRef struct {
	AgencyID Value `xml:"AgencyId"`
}

// InitiationHeader is NCIP's header of a request.
type InitiationHeader struct {
	FromAgencyID           AgencyRef `xml:"FromAgencyId"`
	ToAgencyID             AgencyRef `xml:"ToAgencyId"`
	ApplicationProfileType *Value    `xml:"ApplicationProfileType,omitempty"`
}

// UserID names a patron.
type UserID struct {
	AgencyID *Value `xml:"AgencyId,omitempty"`
	Value    string `xml:"UserIdentifierValue"`
}

// ItemID names an item by barcode.
type ItemID struct {
	AgencyID *Value `xml:"AgencyId,omitempty"`
	Value    string `xml:"ItemIdentifierValue"`
}

// RequestID names an ILL request.
type RequestID struct {
	AgencyID *Value `xml:"AgencyId,omitempty"`
	Value    string `xml:"RequestIdentifierValue"`
}

// LookupUser asks for a patron's name, email and blocks.
type LookupUser struct {
	Header      *InitiationHeader `xml:"InitiationHeader,omitempty"`
	UserID      UserID            `xml:"UserId"`
	ElementType []Value           `xml:"UserElementType,omitempty"`
}

// AcceptItem creates a temporary item and its hold for the patron.
type AcceptItem struct {
	Header          *InitiationHeader `xml:"InitiationHeader,omitempty"`
	RequestID       RequestID         `xml:"RequestId"`
	RequestedAction Value             `xml:"RequestedActionType"`
	UserID          *UserID           `xml:"UserId,omitempty"`
	ItemID          *ItemID           `xml:"ItemId,omitempty"`
	ItemOptional    *ItemOptional     `xml:"ItemOptionalFields,omitempty"`
	PickupLocation  *Value            `xml:"PickupLocation,omitempty"`
}

// CheckOutItem lends an item to a patron.
type CheckOutItem struct {
	Header    *InitiationHeader `xml:"InitiationHeader,omitempty"`
	UserID    UserID            `xml:"UserId"`
	ItemID    ItemID            `xml:"ItemId"`
	RequestID *RequestID        `xml:"RequestId,omitempty"`
}

// ItemRequest is a request naming only an item: CheckInItem, DeleteItem.
type ItemRequest struct {
	Header *InitiationHeader `xml:"InitiationHeader,omitempty"`
	ItemID ItemID            `xml:"ItemId"`
}

// LookupItem asks for an item's bibliographic description.
type LookupItem struct {
	Header      *InitiationHeader `xml:"InitiationHeader,omitempty"`
	ItemID      ItemID            `xml:"ItemId"`
	ElementType []Value           `xml:"ItemElementType,omitempty"`
}

// ItemOptional carries an item's bibliographic description.
type ItemOptional struct {
	Bibliographic *Bibliographic `xml:"BibliographicDescription,omitempty"`
}

// Bibliographic is an item's author and title, in the schema's order.
type Bibliographic struct {
	Author string `xml:"Author,omitempty"`
	Title  string `xml:"Title,omitempty"`
}

// Problem is NCIP's refusal, read word for word.
type Problem struct {
	Type    Value  `xml:"ProblemType"`
	Detail  string `xml:"ProblemDetail,omitempty"`
	Element string `xml:"ProblemElement,omitempty"`
	Value   string `xml:"ProblemValue,omitempty"`
}

// Response is an answer of Problems or, on success, what the call names
// back (the item, the request, the patron).
type Response struct {
	Problem   []Problem  `xml:"Problem,omitempty"`
	RequestID *RequestID `xml:"RequestId,omitempty"`
	ItemID    *ItemID    `xml:"ItemId,omitempty"`
	UserID    *UserID    `xml:"UserId,omitempty"`
	DateDue   string     `xml:"DateDue,omitempty"`
}

// UserResponse answers LookupUser.
type UserResponse struct {
	Problem  []Problem    `xml:"Problem,omitempty"`
	UserID   *UserID      `xml:"UserId,omitempty"`
	Optional *UserOptions `xml:"UserOptionalFields,omitempty"`
}

// UserOptions are the patron's name, addresses and blocks.
type UserOptions struct {
	Name      *NameInformation `xml:"NameInformation,omitempty"`
	Addresses []UserAddress    `xml:"UserAddressInformation,omitempty"`
	Blocks    []BlockOrTrap    `xml:"BlockOrTrap,omitempty"`
}

// NameInformation holds the patron's name, unstructured or structured.
type NameInformation struct {
	Personal PersonalName `xml:"PersonalNameInformation"`
}

// PersonalName is a person's name: structured parts and/or one line.
type PersonalName struct {
	Structured   *StructuredName `xml:"StructuredPersonalUserName,omitempty"`
	Unstructured string          `xml:"UnstructuredPersonalUserName,omitempty"`
}

// StructuredName is a name in parts.
type StructuredName struct {
	GivenName string `xml:"GivenName,omitempty"`
	Surname   string `xml:"Surname"`
}

// UserAddress is one of the patron's addresses; only electronic ones are read.
type UserAddress struct {
	Role       Value              `xml:"UserAddressRoleType"`
	Electronic *ElectronicAddress `xml:"ElectronicAddress,omitempty"`
}

// ElectronicAddress is an email address or the like.
type ElectronicAddress struct {
	Type Value  `xml:"ElectronicAddressType"`
	Data string `xml:"ElectronicAddressData"`
}

// BlockOrTrap is a block on the patron's record.
type BlockOrTrap struct {
	AgencyID Value `xml:"AgencyId"`
	Type     Value `xml:"BlockOrTrapType"`
}

// ItemResponse answers LookupItem.
type ItemResponse struct {
	Problem  []Problem     `xml:"Problem,omitempty"`
	ItemID   *ItemID       `xml:"ItemId,omitempty"`
	Optional *ItemOptional `xml:"ItemOptionalFields,omitempty"`
}

// Encode is the message as sent: the XML declaration and the message.
func Encode(m Message) ([]byte, error) {
	m.Version = Version
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Decode reads an NCIP message.
func Decode(data []byte) (Message, error) {
	var m Message
	if err := xml.Unmarshal(data, &m); err != nil {
		return Message{}, fmt.Errorf("not an NCIP message: %w", err)
	}
	return m, nil
}

// Name is the name of the message's initiation or response inside.
func (m Message) Name() string {
	switch {
	case m.LookupUser != nil:
		return "LookupUser"
	case m.LookupUserResponse != nil:
		return "LookupUserResponse"
	case m.AcceptItem != nil:
		return "AcceptItem"
	case m.AcceptItemResponse != nil:
		return "AcceptItemResponse"
	case m.CheckInItem != nil:
		return "CheckInItem"
	case m.CheckInItemResponse != nil:
		return "CheckInItemResponse"
	case m.CheckOutItem != nil:
		return "CheckOutItem"
	case m.CheckOutItemResponse != nil:
		return "CheckOutItemResponse"
	case m.DeleteItem != nil:
		return "DeleteItem"
	case m.DeleteItemResponse != nil:
		return "DeleteItemResponse"
	case m.LookupItem != nil:
		return "LookupItem"
	case m.LookupItemResponse != nil:
		return "LookupItemResponse"
	case len(m.Problem) > 0:
		return "Problem"
	}
	return ""
}

// problems are the domain's words of NCIP Problems.
func problems(ps []Problem) []domain.ILSProblem {
	var out []domain.ILSProblem
	for _, p := range ps {
		out = append(out, domain.ILSProblem{Type: strings.TrimSpace(p.Type.Text), Detail: strings.TrimSpace(p.Detail),
			Element: strings.TrimSpace(p.Element), Value: strings.TrimSpace(p.Value)})
	}
	return out
}

// user reads a LookupUserResponse's patron.
func user(r *UserResponse) domain.ILSUser {
	var u domain.ILSUser
	if r.UserID != nil {
		u.ID = r.UserID.Value
	}
	if o := r.Optional; o != nil {
		if o.Name != nil {
			p := o.Name.Personal
			switch {
			case p.Unstructured != "":
				u.Name = strings.TrimSpace(p.Unstructured)
			case p.Structured != nil:
				u.Name = strings.TrimSpace(p.Structured.GivenName + " " + p.Structured.Surname)
			}
		}
		for _, a := range o.Addresses {
			if a.Electronic != nil && u.Email == "" && strings.Contains(strings.ToLower(a.Electronic.Type.Text), "mail") {
				u.Email = strings.TrimSpace(a.Electronic.Data)
			}
		}
		for _, b := range o.Blocks {
			u.Blocked = true
			u.Problems = append(u.Problems, strings.TrimSpace(b.Type.Text))
		}
	}
	return u
}
