package iso18626

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// kinds are the six message bodies, by element name.
var kinds = []string{
	KindRequest, KindRequestConfirmation,
	KindSupplyingAgencyMessage, KindSupplyingAgencyMessageConfirmation,
	KindRequestingAgencyMessage, KindRequestingAgencyMessageConfirmation,
}

func isKind(local string) bool {
	for _, k := range kinds {
		if k == local {
			return true
		}
	}
	return false
}

// isForeign reports whether a namespace is another vocabulary's: a
// namespace URI other than ISO 18626's. No namespace, or a prefix that was
// never declared (the decoder leaves it as the namespace), is read as ISO 18626.
func isForeign(space string) bool {
	return space != "" && space != Namespace && strings.Contains(space, ":")
}

func perr(n *node, format string, args ...any) *ParseError {
	return &ParseError{Line: n.line, Element: n.local, Msg: fmt.Sprintf(format, args...)}
}

func valueErr(n *node, errType, format string, args ...any) *ParseError {
	e := perr(n, format, args...)
	e.errorType = errType
	return e
}

func missing(n *node, child string) *ParseError {
	return perr(n, "missing <%s>", child)
}

// quote quotes a value for an error message, shortened when long, and says
// when it looks like a template placeholder left unfilled.
func quote(v string) string {
	short := v
	if utf8.RuneCountInString(short) > 60 {
		short = string([]rune(short)[:60]) + "…"
	}
	q := strconv.Quote(short)
	if placeholderRE.MatchString(v) {
		q += " (a template placeholder left unfilled?)"
	}
	return q
}

// placeholderRE matches the template placeholders seen in real messages:
// ${x}, {{x}}, %x%, _UPPER_CASE_, and the *_holder values of ReShare's templates.
var placeholderRE = regexp.MustCompile(`\$\{.*\}|\{\{.*\}\}|^%\w+%$|^_[A-Z][A-Z0-9_]*_$|_holder$`)

// walk calls fn for each child of n in document order, skipping elements of
// other namespaces. fn returns the key of the field the child fills ("" for
// an element it does not know, which is skipped); a key seen twice is an
// error unless listed in repeat. walk returns the first child seen for each key.
func walk(n *node, repeat string, fn func(c *node) (string, error)) (map[string]*node, error) {
	seen := map[string]*node{}
	for _, c := range n.kids {
		if isForeign(c.space) {
			continue
		}
		key, err := fn(c)
		if err != nil {
			return nil, err
		}
		if key == "" {
			continue
		}
		if prev := seen[key]; prev != nil {
			if !strings.Contains(" "+repeat+" ", " "+key+" ") {
				if prev.local != c.local {
					return nil, perr(c, "<%s> and <%s> both given in <%s>", prev.local, c.local, n.local)
				}
				return nil, perr(c, "given more than once in <%s>", n.local)
			}
			continue
		}
		seen[key] = c
	}
	return seen, nil
}

// text is the value of a simple element, which must have no child elements.
func text(n *node) (string, error) {
	for _, c := range n.kids {
		if !isForeign(c.space) {
			return "", perr(c, "unexpected element inside <%s>, which holds text only", n.local)
		}
	}
	return n.value(), nil
}

func dateTime(n *node) (time.Time, error) {
	v, err := text(n)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := ParseDateTime(v)
	if err != nil {
		return time.Time{}, valueErr(n, ErrorUnrecognisedDataValue, "not a date and time: %s", quote(v))
	}
	return t, nil
}

func enumValue(n *node, e enum) (string, error) {
	v, err := text(n)
	if err != nil {
		return "", err
	}
	s, ok := e.normalise(v)
	if !ok {
		errType := ErrorUnrecognisedDataValue
		switch e.name {
		case enumAction.name:
			errType = ErrorUnsupportedActionType
		case enumReason.name:
			errType = ErrorUnsupportedReasonForMessageType
		}
		return "", valueErr(n, errType, "unknown value %s (allowed: %s)", quote(v), e.allowed())
	}
	return s, nil
}

func schemeValue(n *node) (SchemeValue, error) {
	v, err := text(n)
	if err != nil || v == "" {
		return SchemeValue{}, err
	}
	sv := SchemeValue{Value: v}
	for _, a := range n.attr {
		if a.Name.Local == "scheme" && !isForeign(a.Name.Space) && a.Name.Space != "xmlns" {
			sv.Scheme = strings.TrimSpace(a.Value)
		}
	}
	return sv, nil
}

// openCode reads a value of an open list, giving known values their
// standard spelling and keeping the others.
func openCode(n *node, e enum) (SchemeValue, error) {
	sv, err := schemeValue(n)
	if err != nil {
		return sv, err
	}
	sv.Value, _ = e.normalise(sv.Value)
	return sv, nil
}

func boolValue(n *node) (*bool, error) {
	v, err := text(n)
	if err != nil || v == "" {
		return nil, err
	}
	var b bool
	switch strings.ToLower(v) {
	case "true", "1", "y", "yes":
		b = true
	case "false", "0", "n", "no":
		b = false
	default:
		return nil, valueErr(n, ErrorUnrecognisedDataValue, "not a boolean: %s (allowed: true, false)", quote(v))
	}
	return &b, nil
}

func intValue(n *node) (*int, error) {
	v, err := text(n)
	if err != nil || v == "" {
		return nil, err
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return nil, valueErr(n, ErrorUnrecognisedDataValue, "not an integer: %s", quote(v))
	}
	return &i, nil
}

var decimalRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

func decimalValue(n *node) (string, error) {
	v, err := text(n)
	if err != nil || v == "" {
		return "", err
	}
	if !decimalRE.MatchString(v) {
		return "", valueErr(n, ErrorUnrecognisedDataValue, "not a decimal number: %s", quote(v))
	}
	return v, nil
}

// readVersion reads the version attribute, qualified or not, normalised.
func readVersion(n *node) (string, error) {
	version, found := "", false
	for _, a := range n.attr {
		if a.Name.Local != "version" || isForeign(a.Name.Space) || a.Name.Space == "xmlns" {
			continue
		}
		v, ok := normaliseVersion(a.Value)
		if !ok {
			return "", valueErr(n, ErrorUnrecognisedDataValue, "unsupported ISO 18626 version %s (known: 1.0, 1.1, 1.2, 2021)", quote(a.Value))
		}
		if found && v != version {
			return "", valueErr(n, ErrorUnrecognisedDataValue, "two different version attributes")
		}
		version, found = v, true
	}
	return version, nil
}

// normaliseVersion maps the version attribute to "1.0" (2014: 1.0, 1.1),
// "1.2" (2017: 1.2, v1_2_2017) or "2021" (2021, 2021-1, 2021-2); "" stays "".
func normaliseVersion(v string) (string, bool) {
	v = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
	if v == "" {
		return "", true
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(parts) == 0 {
		return "", false
	}
	switch parts[0] {
	case "1":
		if len(parts) == 1 {
			return Version2014, true
		}
		switch parts[1] {
		case "0", "1":
			return Version2014, true
		case "2":
			return Version2017, true
		}
	case "2014":
		return Version2014, true
	case "2017":
		return Version2017, true
	case "2021":
		return Version2021, true
	}
	return "", false
}

func decodeMessage(root *node) (Message, error) {
	if isForeign(root.space) {
		e := perr(root, "element in namespace %q, not an ISO 18626 message", root.space)
		e.Err = ErrNotISO18626
		return Message{}, e
	}
	version, err := readVersion(root)
	if err != nil {
		return Message{}, err
	}
	body := root
	if root.local == "ISO18626Message" {
		var bodies []*node
		for _, c := range root.kids {
			if !isForeign(c.space) && isKind(c.local) {
				bodies = append(bodies, c)
			}
		}
		switch {
		case len(bodies) == 0:
			return Message{}, perr(root, "no message inside (expected one of <%s>)", strings.Join(kinds, ">, <"))
		case len(bodies) > 1:
			return Message{}, perr(bodies[1], "a second message inside <ISO18626Message>")
		}
		body = bodies[0]
	} else if !isKind(root.local) {
		e := perr(root, "not an ISO 18626 message: the root element must be <ISO18626Message> or one of <%s>", strings.Join(kinds, ">, <"))
		e.Err = ErrNotISO18626
		return Message{}, e
	}
	m := Message{Version: version}
	switch body.local {
	case KindRequest:
		m.Request, err = decodeRequest(body)
	case KindRequestConfirmation:
		m.RequestConfirmation, err = decodeRequestConfirmation(body)
	case KindSupplyingAgencyMessage:
		m.SupplyingAgencyMessage, err = decodeSupplyingAgencyMessage(body)
	case KindSupplyingAgencyMessageConfirmation:
		m.SupplyingAgencyMessageConfirmation, err = decodeSupplyingAgencyMessageConfirmation(body)
	case KindRequestingAgencyMessage:
		m.RequestingAgencyMessage, err = decodeRequestingAgencyMessage(body)
	case KindRequestingAgencyMessageConfirmation:
		m.RequestingAgencyMessageConfirmation, err = decodeRequestingAgencyMessageConfirmation(body)
	}
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

func decodeAgencyID(n *node) (AgencyID, error) {
	var a AgencyID
	_, err := walk(n, "", func(c *node) (string, error) {
		switch c.local {
		case "agencyIdType":
			sv, err := schemeValue(c)
			a.Type, a.Scheme = sv.Value, sv.Scheme
			return c.local, err
		case "agencyIdValue":
			v, err := text(c)
			a.Value = v
			return c.local, err
		}
		return "", nil
	})
	return a, err
}

func decodeCosts(n *node) (Costs, error) {
	var k Costs
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "currencyCode":
			k.CurrencyCode, err = schemeValue(c)
		case "monetaryValue":
			k.MonetaryValue, err = decimalValue(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return k, err
}

// requireAgency checks that a header names an agency with type and value.
func requireAgency(parent *node, seen map[string]*node, key string, a AgencyID) error {
	n := seen[key]
	switch {
	case n == nil:
		return missing(parent, key)
	case a.Type == "" && a.Value == "":
		return perr(n, "empty: the agency id is required")
	case a.Type == "":
		return missing(n, "agencyIdType")
	case a.Value == "":
		return missing(n, "agencyIdValue")
	}
	return nil
}

func decodeHeader(n *node) (Header, error) {
	var h Header
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "supplyingAgencyId":
			h.SupplyingAgencyId, err = decodeAgencyID(c)
		case "requestingAgencyId":
			h.RequestingAgencyId, err = decodeAgencyID(c)
		case "multipleItemRequestId":
			h.MultipleItemRequestId, err = text(c)
		case "timestamp":
			h.Timestamp, err = dateTime(c)
		case "requestingAgencyRequestId":
			h.RequestingAgencyRequestId, err = text(c)
		case "supplyingAgencyRequestId":
			h.SupplyingAgencyRequestId, err = text(c)
		case "requestingAgencyAuthentication":
			h.RequestingAgencyAuthentication, err = decodeAuthentication(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err != nil {
		return h, err
	}
	if err := requireAgency(n, seen, "supplyingAgencyId", h.SupplyingAgencyId); err != nil {
		return h, err
	}
	if err := requireAgency(n, seen, "requestingAgencyId", h.RequestingAgencyId); err != nil {
		return h, err
	}
	if c := seen["requestingAgencyRequestId"]; c == nil {
		return h, missing(n, "requestingAgencyRequestId")
	} else if h.RequestingAgencyRequestId == "" {
		return h, perr(c, "empty: the requesting agency's request id is required")
	}
	return h, nil
}

func decodeAuthentication(n *node) (*Authentication, error) {
	var a Authentication
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "accountId":
			a.AccountId, err = text(c)
		case "securityCode":
			a.SecurityCode, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return &a, err
}

func decodeConfirmationHeader(n *node) (ConfirmationHeader, error) {
	var h ConfirmationHeader
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "supplyingAgencyId":
			h.SupplyingAgencyId, err = decodeAgencyID(c)
		case "requestingAgencyId":
			h.RequestingAgencyId, err = decodeAgencyID(c)
		case "timestamp":
			h.Timestamp, err = dateTime(c)
		case "requestingAgencyRequestId":
			h.RequestingAgencyRequestId, err = text(c)
		case "multipleItemRequestId":
			h.MultipleItemRequestId, err = text(c)
		case "timestampReceived":
			h.TimestampReceived, err = dateTime(c)
		case "messageStatus":
			h.MessageStatus, err = enumValue(c, enumMessageStatus)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err != nil {
		return h, err
	}
	if h.MessageStatus == "" {
		return h, required(n, seen, "messageStatus", ErrorBadlyFormedMessage, enumMessageStatus)
	}
	return h, nil
}

func decodeErrorData(n *node) (*ErrorData, error) {
	e := &ErrorData{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "errorType":
			e.ErrorType, err = enumValue(c, enumErrorType)
		case "errorValue":
			e.ErrorValue, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return e, err
}

func decodeRequest(n *node) (*Request, error) {
	r := &Request{}
	seen, err := walk(n, "supplierInfo requestedDeliveryInfo", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "header":
			r.Header, err = decodeHeader(c)
		case "bibliographicInfo":
			r.BibliographicInfo, err = decodeBibliographicInfo(c)
		case "publicationInfo":
			r.PublicationInfo, err = decodePublicationInfo(c)
		case "serviceInfo":
			r.ServiceInfo, err = decodeServiceInfo(c)
		case "supplierInfo":
			var s SupplierInfo
			s, err = decodeSupplierInfo(c)
			r.SupplierInfo = append(r.SupplierInfo, s)
		case "requestedDeliveryInfo":
			var d RequestedDeliveryInfo
			d, err = decodeRequestedDeliveryInfo(c)
			r.RequestedDeliveryInfo = append(r.RequestedDeliveryInfo, d)
		case "requestingAgencyInfo":
			r.RequestingAgencyInfo, err = decodeRequestingAgencyInfo(c)
		case "patronInfo":
			r.PatronInfo, err = decodePatronInfo(c)
		case "billingInfo":
			r.BillingInfo, err = decodeBillingInfo(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err != nil {
		return nil, err
	}
	if seen["header"] == nil {
		return nil, missing(n, "header")
	}
	b := seen["bibliographicInfo"]
	if b == nil {
		return nil, missing(n, "bibliographicInfo")
	}
	if r.BibliographicInfo.Title == "" && r.BibliographicInfo.TitleOfComponent == "" {
		return nil, perr(b, "missing <title> (or <titleOfComponent>): the request has no title")
	}
	return r, nil
}

func decodeBibliographicInfo(n *node) (BibliographicInfo, error) {
	var b BibliographicInfo
	strs := map[string]*string{
		"supplierUniqueRecordId": &b.SupplierUniqueRecordId,
		"title":                  &b.Title,
		"author":                 &b.Author,
		"subtitle":               &b.Subtitle,
		"seriesTitle":            &b.SeriesTitle,
		"edition":                &b.Edition,
		"titleOfComponent":       &b.TitleOfComponent,
		"authorOfComponent":      &b.AuthorOfComponent,
		"volume":                 &b.Volume,
		"issue":                  &b.Issue,
		"pagesRequested":         &b.PagesRequested,
		"estimatedNoPages":       &b.EstimatedNoPages,
		"sponsor":                &b.Sponsor,
		"informationSource":      &b.InformationSource,
	}
	_, err := walk(n, "bibliographicItemId bibliographicRecordId", func(c *node) (string, error) {
		var err error
		if p := strs[c.local]; p != nil {
			*p, err = text(c)
			return c.local, err
		}
		switch c.local {
		case "bibliographicItemId":
			var id BibliographicItemID
			id, err = decodeBibliographicItemID(c)
			b.BibliographicItemId = append(b.BibliographicItemId, id)
		case "bibliographicRecordId":
			var id BibliographicRecordID
			id, err = decodeBibliographicRecordID(c)
			b.BibliographicRecordId = append(b.BibliographicRecordId, id)
		default:
			return "", nil
		}
		return c.local, err
	})
	return b, err
}

func decodeBibliographicItemID(n *node) (BibliographicItemID, error) {
	var id BibliographicItemID
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "bibliographicItemIdentifier":
			id.Identifier, err = text(c)
		case "bibliographicItemIdentifierCode":
			id.Code, err = schemeValue(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return id, err
}

func decodeBibliographicRecordID(n *node) (BibliographicRecordID, error) {
	var id BibliographicRecordID
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "bibliographicRecordIdentifierCode":
			id.Code, err = schemeValue(c)
		case "bibliographicRecordIdentifier":
			id.Identifier, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return id, err
}

func decodePublicationInfo(n *node) (*PublicationInfo, error) {
	p := &PublicationInfo{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "publisher":
			p.Publisher, err = text(c)
		case "publicationType":
			p.PublicationType, err = schemeValue(c)
		case "publicationDate":
			p.PublicationDate, err = text(c)
		case "placeOfPublication":
			p.PlaceOfPublication, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return p, err
}

func decodeServiceInfo(n *node) (*ServiceInfo, error) {
	s := &ServiceInfo{}
	_, err := walk(n, "requestSubType", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "requestType":
			s.RequestType, err = enumValue(c, enumRequestType)
		case "requestSubType":
			var v string
			v, err = enumValue(c, enumRequestSubType)
			if v != "" {
				s.RequestSubType = append(s.RequestSubType, v)
			}
		case "requestingAgencyPreviousRequestId":
			s.RequestingAgencyPreviousRequestId, err = text(c)
		case "serviceType":
			s.ServiceType, err = enumValue(c, enumServiceType)
		case "serviceLevel":
			s.ServiceLevel, err = schemeValue(c)
		case "preferredFormat":
			s.PreferredFormat, err = schemeValue(c)
		case "needBeforeDate":
			s.NeedBeforeDate, err = dateTime(c)
		case "copyrightCompliance":
			s.CopyrightCompliance, err = schemeValue(c)
		case "anyEdition":
			s.AnyEdition, err = enumValue(c, enumYesNo)
		case "startDate":
			s.StartDate, err = dateTime(c)
		case "endDate":
			s.EndDate, err = dateTime(c)
		case "note":
			s.Note, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return s, err
}

func decodeSupplierInfo(n *node) (SupplierInfo, error) {
	var s SupplierInfo
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "sortOrder":
			s.SortOrder, err = intValue(c)
		case "supplierCode":
			s.SupplierCode, err = decodeAgencyID(c)
		case "supplierDescription":
			s.SupplierDescription, err = text(c)
		case "bibliographicRecordId":
			var id BibliographicRecordID
			id, err = decodeBibliographicRecordID(c)
			s.BibliographicRecordId = &id
		case "callNumber":
			s.CallNumber, err = text(c)
		case "summaryHoldings":
			s.SummaryHoldings, err = text(c)
		case "availabilityNote":
			s.AvailabilityNote, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return s, err
}

func decodeRequestedDeliveryInfo(n *node) (RequestedDeliveryInfo, error) {
	var d RequestedDeliveryInfo
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "sortOrder":
			d.SortOrder, err = intValue(c)
		case "address":
			var a Address
			a, err = decodeAddress(c)
			d.Address = &a
		default:
			return "", nil
		}
		return c.local, err
	})
	return d, err
}

func decodeAddress(n *node) (Address, error) {
	var a Address
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "electronicAddress":
			a.ElectronicAddress, err = decodeElectronicAddress(c)
		case "physicalAddress":
			a.PhysicalAddress, err = decodePhysicalAddress(c)
		default:
			return "", nil
		}
		return "address", err // one or the other, not both
	})
	return a, err
}

func decodeElectronicAddress(n *node) (*ElectronicAddress, error) {
	e := &ElectronicAddress{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "electronicAddressType":
			e.Type, err = schemeValue(c)
		case "electronicAddressData":
			e.Data, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return e, err
}

func decodePhysicalAddress(n *node) (*PhysicalAddress, error) {
	p := &PhysicalAddress{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "line1":
			p.Line1, err = text(c)
		case "line2":
			p.Line2, err = text(c)
		case "locality":
			p.Locality, err = text(c)
		case "postalCode":
			p.PostalCode, err = text(c)
		case "region":
			p.Region, err = schemeValue(c)
		case "country":
			p.Country, err = schemeValue(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return p, err
}

func decodeRequestingAgencyInfo(n *node) (*RequestingAgencyInfo, error) {
	r := &RequestingAgencyInfo{}
	_, err := walk(n, "address", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "name":
			r.Name, err = text(c)
		case "contactName":
			r.ContactName, err = text(c)
		case "address":
			var a Address
			a, err = decodeAddress(c)
			r.Address = append(r.Address, a)
		default:
			return "", nil
		}
		return c.local, err
	})
	return r, err
}

func decodePatronInfo(n *node) (*PatronInfo, error) {
	p := &PatronInfo{}
	_, err := walk(n, "address", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "patronId":
			p.PatronId, err = text(c)
		case "surname":
			p.Surname, err = text(c)
		case "givenName":
			p.GivenName, err = text(c)
		case "patronType":
			p.PatronType, err = schemeValue(c)
		case "sendToPatron":
			p.SendToPatron, err = enumValue(c, enumYesNo)
		case "address":
			var a Address
			a, err = decodeAddress(c)
			p.Address = append(p.Address, a)
		default:
			return "", nil
		}
		return c.local, err
	})
	return p, err
}

func decodeBillingInfo(n *node) (*BillingInfo, error) {
	b := &BillingInfo{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "paymentMethod":
			b.PaymentMethod, err = schemeValue(c)
		case "maximumCosts":
			b.MaximumCosts, err = decodeCosts(c)
		case "billingMethod":
			b.BillingMethod, err = schemeValue(c)
		case "billingName":
			b.BillingName, err = text(c)
		case "address":
			var a Address
			a, err = decodeAddress(c)
			b.Address = &a
		default:
			return "", nil
		}
		return c.local, err
	})
	return b, err
}

func decodeSupplyingAgencyMessage(n *node) (*SupplyingAgencyMessage, error) {
	s := &SupplyingAgencyMessage{}
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "header":
			s.Header, err = decodeHeader(c)
		case "messageInfo":
			s.MessageInfo, err = decodeMessageInfo(c)
		case "statusInfo":
			s.StatusInfo, err = decodeStatusInfo(c)
		case "deliveryInfo":
			s.DeliveryInfo, err = decodeDeliveryInfo(c)
		case "returnInfo":
			s.ReturnInfo, err = decodeReturnInfo(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err != nil {
		return nil, err
	}
	if seen["header"] == nil {
		return nil, missing(n, "header")
	}
	if seen["messageInfo"] == nil {
		return nil, missing(n, "messageInfo")
	}
	if seen["statusInfo"] == nil {
		return nil, missing(n, "statusInfo")
	}
	return s, nil
}

func decodeMessageInfo(n *node) (MessageInfo, error) {
	var m MessageInfo
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "reasonForMessage":
			m.ReasonForMessage, err = enumValue(c, enumReason)
		case "answerYesNo":
			m.AnswerYesNo, err = enumValue(c, enumYesNo)
		case "note":
			m.Note, err = text(c)
		case "reasonUnfilled":
			m.ReasonUnfilled, err = openCode(c, enumReasonUnfilled)
		case "reasonRetry":
			m.ReasonRetry, err = openCode(c, enumReasonRetry)
		case "offeredCosts":
			m.OfferedCosts, err = decodeCosts(c)
		case "retryAfter":
			m.RetryAfter, err = dateTime(c)
		case "retryBefore":
			m.RetryBefore, err = dateTime(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err == nil && m.ReasonForMessage == "" {
		err = required(n, seen, "reasonForMessage", ErrorUnsupportedReasonForMessageType, enumReason)
	}
	return m, err
}

// required is the error for a required enumerated element that is absent
// or empty.
func required(parent *node, seen map[string]*node, child, errType string, e enum) error {
	if c := seen[child]; c != nil {
		return valueErr(c, errType, "empty: a value is required (allowed: %s)", e.allowed())
	}
	return missing(parent, child)
}

func decodeStatusInfo(n *node) (StatusInfo, error) {
	var s StatusInfo
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "status":
			s.Status, err = enumValue(c, enumStatus)
		case "expectedDeliveryDate":
			s.ExpectedDeliveryDate, err = dateTime(c)
		case "dueDate":
			s.DueDate, err = dateTime(c)
		case "lastChange":
			s.LastChange, err = dateTime(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err == nil && s.Status == "" {
		err = required(n, seen, "status", ErrorUnrecognisedDataValue, enumStatus)
	}
	return s, err
}

func decodeDeliveryInfo(n *node) (*DeliveryInfo, error) {
	d := &DeliveryInfo{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "dateSent":
			d.DateSent, err = dateTime(c)
		case "itemId":
			d.ItemId, err = text(c)
		case "sentVia", "deliveryMethod": // deliveryMethod is the 2021 name
			d.SentVia, err = schemeValue(c)
			return "sentVia", err
		case "sentToPatron":
			d.SentToPatron, err = boolValue(c)
		case "loanCondition":
			d.LoanCondition, err = schemeValue(c)
		case "deliveredFormat":
			d.DeliveredFormat, err = schemeValue(c)
		case "deliveryCosts":
			d.DeliveryCosts, err = decodeCosts(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return d, err
}

func decodeReturnInfo(n *node) (*ReturnInfo, error) {
	r := &ReturnInfo{}
	_, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "returnAgencyId":
			r.ReturnAgencyId, err = decodeAgencyID(c)
		case "name":
			r.Name, err = text(c)
		case "physicalAddress":
			r.PhysicalAddress, err = decodePhysicalAddress(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	return r, err
}

func decodeRequestingAgencyMessage(n *node) (*RequestingAgencyMessage, error) {
	r := &RequestingAgencyMessage{}
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "header":
			r.Header, err = decodeHeader(c)
		case "action":
			r.Action, err = enumValue(c, enumAction)
		case "note":
			r.Note, err = text(c)
		default:
			return "", nil
		}
		return c.local, err
	})
	if err != nil {
		return nil, err
	}
	if seen["header"] == nil {
		return nil, missing(n, "header")
	}
	if r.Action == "" {
		return nil, required(n, seen, "action", ErrorUnsupportedActionType, enumAction)
	}
	return r, nil
}

// decodeConfirmation reads the parts common to the three confirmations;
// extra reads the one element particular to each.
func decodeConfirmation(n *node, extra string, e enum) (ConfirmationHeader, string, *ErrorData, error) {
	var (
		h   ConfirmationHeader
		x   string
		ed  *ErrorData
		err error
	)
	seen, err := walk(n, "", func(c *node) (string, error) {
		var err error
		switch c.local {
		case "confirmationHeader":
			h, err = decodeConfirmationHeader(c)
		case "errorData":
			ed, err = decodeErrorData(c)
		default:
			if extra == "" || c.local != extra {
				return "", nil
			}
			x, err = enumValue(c, e)
		}
		return c.local, err
	})
	if err != nil {
		return h, "", nil, err
	}
	if seen["confirmationHeader"] == nil {
		return h, "", nil, missing(n, "confirmationHeader")
	}
	return h, x, ed, nil
}

func decodeRequestConfirmation(n *node) (*RequestConfirmation, error) {
	h, _, ed, err := decodeConfirmation(n, "", enum{})
	if err != nil {
		return nil, err
	}
	return &RequestConfirmation{ConfirmationHeader: h, ErrorData: ed}, nil
}

func decodeSupplyingAgencyMessageConfirmation(n *node) (*SupplyingAgencyMessageConfirmation, error) {
	h, reason, ed, err := decodeConfirmation(n, "reasonForMessage", enumReason)
	if err != nil {
		return nil, err
	}
	return &SupplyingAgencyMessageConfirmation{ConfirmationHeader: h, ReasonForMessage: reason, ErrorData: ed}, nil
}

func decodeRequestingAgencyMessageConfirmation(n *node) (*RequestingAgencyMessageConfirmation, error) {
	h, action, ed, err := decodeConfirmation(n, "action", enumAction)
	if err != nil {
		return nil, err
	}
	return &RequestingAgencyMessageConfirmation{ConfirmationHeader: h, Action: action, ErrorData: ed}, nil
}
