package iso18626

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixed is the timestamp of every message built by the tests.
var fixed = time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)

func lender() AgencyID   { return AgencyID{Type: "ISIL", Value: "DE-1"} }
func borrower() AgencyID { return AgencyID{Type: "ISIL", Value: "US-ABC"} }

// replyHeader is the header of a message we send as the lender.
func replyHeader() Header {
	return Header{
		SupplyingAgencyId:         lender(),
		RequestingAgencyId:        borrower(),
		Timestamp:                 fixed,
		RequestingAgencyRequestId: "RAPID-123456",
		SupplyingAgencyRequestId:  "L-0042",
	}
}

func ptr[T any](v T) *T { return &v }

// fullRequest has every field a request can have.
func fullRequest() Message {
	kolkata := time.FixedZone("", 5*3600+1800)
	return Message{Version: Version2017, Request: &Request{
		Header: Header{
			SupplyingAgencyId:         AgencyID{Type: "ISIL", Value: "DE-1", Scheme: "http://illtransactions.org/ISO18626/OpenCodeList/AgencyIdTypeList-V1.0"},
			RequestingAgencyId:        borrower(),
			MultipleItemRequestId:     "M-1",
			Timestamp:                 time.Date(2026, 3, 1, 8, 0, 0, 123000000, time.UTC),
			RequestingAgencyRequestId: "RAPID-123456",
		},
		BibliographicInfo: BibliographicInfo{
			SupplierUniqueRecordId: "990012345", Title: "Journal of Interlibrary Loan <& Document Delivery>",
			Author: "Doe, Jane", Subtitle: "A subtitle", SeriesTitle: "A series", Edition: "2nd ed.",
			TitleOfComponent: "On ${placeholders} in free text", AuthorOfComponent: "Roe, Richard",
			Volume: "12", Issue: "3", PagesRequested: "45-67", EstimatedNoPages: "23",
			BibliographicItemId: []BibliographicItemID{
				{Identifier: "1234-5678", Code: Code("ISSN")},
				{Identifier: "10.1000/xyz123", Code: SchemeValue{"DOI", "http://illtransactions.org/ISO18626/OpenCodeList/BibliographicItemIdCodeList-V1.0"}},
			},
			Sponsor: "A sponsor", InformationSource: "WorldCat",
			BibliographicRecordId: []BibliographicRecordID{{Code: Code("OCLC"), Identifier: "57358293"}},
		},
		PublicationInfo: &PublicationInfo{Publisher: "Haworth", PublicationType: Code("Journal"), PublicationDate: "2019", PlaceOfPublication: "New York"},
		ServiceInfo: &ServiceInfo{
			RequestType: RequestTypeNew, RequestSubType: []string{SubTypePatronRequest, SubTypeTransferRequest},
			RequestingAgencyPreviousRequestId: "RAPID-1", ServiceType: ServiceCopy, ServiceLevel: Code("Rush"),
			PreferredFormat: Code("PDF"), NeedBeforeDate: time.Date(2026, 3, 20, 0, 0, 0, 0, kolkata),
			CopyrightCompliance: Code("US-CCG"), AnyEdition: No,
			StartDate: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), EndDate: time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC),
			Note: "Line one\nline two",
		},
		SupplierInfo: []SupplierInfo{{
			SortOrder: ptr(1), SupplierCode: lender(), SupplierDescription: "Main library",
			BibliographicRecordId: &BibliographicRecordID{Code: Code("OCLC"), Identifier: "1"},
			CallNumber:            "Z 711 .J68", SummaryHoldings: "v.1-", AvailabilityNote: "On shelf",
		}},
		RequestedDeliveryInfo: []RequestedDeliveryInfo{
			{SortOrder: ptr(1), Address: &Address{ElectronicAddress: &ElectronicAddress{Type: Code("Email"), Data: "ill@example.org"}}},
			{SortOrder: ptr(2), Address: &Address{PhysicalAddress: &PhysicalAddress{Line1: "1 Library Way", Line2: "ILL office",
				Locality: "Springfield", PostalCode: "12345", Region: Code("US-OH"), Country: Code("US")}}},
		},
		RequestingAgencyInfo: &RequestingAgencyInfo{Name: "Springfield University Library", ContactName: "ILL staff",
			Address: []Address{{ElectronicAddress: &ElectronicAddress{Type: Code("Email"), Data: "ill@example.org"}}}},
		PatronInfo: &PatronInfo{PatronId: "P-1", Surname: "Simpson", GivenName: "Lisa", PatronType: Code("Student"), SendToPatron: No,
			Address: []Address{{PhysicalAddress: &PhysicalAddress{Line1: "742 Evergreen Terrace"}}}},
		BillingInfo: &BillingInfo{PaymentMethod: Code("IFLA voucher"), MaximumCosts: Costs{Code("USD"), "25.00"},
			BillingMethod: Code("Invoice"), BillingName: "ILL Dept.",
			Address: &Address{PhysicalAddress: &PhysicalAddress{Line1: "1 Library Way", Country: Code("US")}}},
	}}
}

func fullSupplying() Message {
	return Message{Version: Version2017, SupplyingAgencyMessage: &SupplyingAgencyMessage{
		Header: replyHeader(),
		MessageInfo: MessageInfo{ReasonForMessage: ReasonStatusChange, AnswerYesNo: Yes, Note: "note",
			ReasonUnfilled: Code("Lost"), ReasonRetry: SchemeValue{RetryOnLoan, "http://example.org/list"},
			OfferedCosts: Costs{Code("EUR"), "12.5"}, RetryAfter: fixed.Add(24 * time.Hour), RetryBefore: fixed.Add(48 * time.Hour)},
		StatusInfo: StatusInfo{Status: StatusLoaned, ExpectedDeliveryDate: fixed.Add(time.Hour),
			DueDate: time.Date(2026, 4, 1, 0, 0, 0, 0, time.FixedZone("", -5*3600)), LastChange: fixed},
		DeliveryInfo: &DeliveryInfo{DateSent: fixed, ItemId: "39000123", SentVia: Code(SentViaMail), SentToPatron: ptr(false),
			LoanCondition: Code("LibraryUseOnly"), DeliveredFormat: Code("Printed"), DeliveryCosts: Costs{Code("EUR"), "3"}},
		ReturnInfo: &ReturnInfo{ReturnAgencyId: lender(), Name: "ILL office",
			PhysicalAddress: &PhysicalAddress{Line1: "Unter den Linden 8", Locality: "Berlin", Country: Code("DE")}},
	}}
}

// TestRoundTrip checks Parse(Marshal(m)) == m for every kind of message.
func TestRoundTrip(t *testing.T) {
	cases := map[string]Message{
		"request":                 fullRequest(),
		"minimal request":         {Version: Version2017, Request: &Request{Header: replyHeader(), BibliographicInfo: BibliographicInfo{TitleOfComponent: "An article"}}},
		"supplyingAgencyMessage":  fullSupplying(),
		"requestingAgencyMessage": {Version: Version2017, RequestingAgencyMessage: &RequestingAgencyMessage{Header: replyHeader(), Action: ActionShippedReturn, Note: "Sent by post"}},
		"requestConfirmation": {Version: Version2017, RequestConfirmation: &RequestConfirmation{
			ConfirmationHeader: ConfirmationHeader{SupplyingAgencyId: lender(), RequestingAgencyId: borrower(), Timestamp: fixed,
				RequestingAgencyRequestId: "RAPID-123456", MultipleItemRequestId: "M-1", TimestampReceived: fixed.Add(-time.Minute), MessageStatus: MessageStatusOK}}},
		"supplyingAgencyMessageConfirmation": {Version: Version2017, SupplyingAgencyMessageConfirmation: &SupplyingAgencyMessageConfirmation{
			ConfirmationHeader: ConfirmationHeader{Timestamp: fixed, TimestampReceived: fixed, MessageStatus: MessageStatusError},
			ReasonForMessage:   ReasonCancelResponse,
			ErrorData:          &ErrorData{ErrorType: ErrorUnrecognisedDataValue, ErrorValue: "unknown request"}}},
		"requestingAgencyMessageConfirmation": {Version: Version2017, RequestingAgencyMessageConfirmation: &RequestingAgencyMessageConfirmation{
			ConfirmationHeader: ConfirmationHeader{RequestingAgencyId: borrower(), Timestamp: fixed, TimestampReceived: fixed, MessageStatus: MessageStatusOK},
			Action:             ActionReceived}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := Marshal(m)
			require.NoError(t, err)
			back, err := Parse(bytes.NewReader(out))
			require.NoError(t, err, "%s", out)
			assert.Equal(t, m, back)
			validateXSD(t, out)
		})
	}
}

// goldenCases are the messages the workstation sends, built as it builds them.
func goldenCases(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	add := func(name string, m Message, err error) {
		t.Helper()
		require.NoError(t, err, name)
		b, err := Marshal(m)
		require.NoError(t, err, name)
		out[name] = b
	}
	h := replyHeader()

	urlDelivery := &DeliveryInfo{SentVia: Code(SentViaURL), DeliveredFormat: Code("PDF")}
	require.NoError(t, urlDelivery.SetURL("https://ill.example.org/files/RAPID-123456.pdf?token=a&b"))
	m, err := NewSupplyingAgencyMessage(h, ReasonRequestResponse, StatusCopyCompleted, SupplyOptions{
		Note: "Your copy is ready for 30 days.", Delivery: urlDelivery})
	add("supplying_copy_completed_url", m, err)

	m, err = NewSupplyingAgencyMessage(h, "requestresponse", "copycompleted", SupplyOptions{
		Delivery: &DeliveryInfo{SentVia: Code(SentViaEmail), ItemId: "RAPID-123456.pdf", DateSent: fixed.Add(-time.Minute)}})
	add("supplying_copy_completed_email", m, err)

	m, err = NewSupplyingAgencyMessage(h, ReasonRequestResponse, StatusUnfilled, SupplyOptions{
		ReasonUnfilled: UnfilledNotOnShelf, Note: "Missing from the shelf."})
	add("supplying_unfilled", m, err)

	m, err = NewSupplyingAgencyMessage(h, ReasonRequestResponse, StatusRetryPossible, SupplyOptions{
		ReasonRetry: RetryNotFoundAsCited, Note: "Vol. 12 has no pages 45-67; please check the citation."})
	add("supplying_retry_not_found_as_cited", m, err)

	m, err = NewSupplyingAgencyMessage(h, ReasonCancelResponse, StatusCancelled, SupplyOptions{AnswerYesNo: Yes})
	add("supplying_cancel_response", m, err)

	m, err = NewSupplyingAgencyMessage(h, ReasonStatusRequestResponse, StatusWillSupply, SupplyOptions{
		ExpectedDeliveryDate: fixed.Add(48 * time.Hour), LastChange: fixed.Add(-2 * time.Hour)})
	add("supplying_status_request_response", m, err)

	bh := replyHeader()
	bh.SupplyingAgencyRequestId = ""
	m, err = NewRequestingAgencyMessage(bh, ActionReceived, "")
	add("requesting_received", m, err)
	m, err = NewRequestingAgencyMessage(bh, "shippedreturn", "Returned by courier, tracking 1Z999.")
	add("requesting_shipped_return", m, err)

	req := fullRequest()
	sam := fullSupplying()
	ram, err := NewRequestingAgencyMessage(bh, ActionCancel, "")
	require.NoError(t, err)
	received := fixed.Add(3 * time.Second)
	add("request_confirmation_ok", Confirm(req, received, nil), nil)
	add("request_confirmation_error", Confirm(req, received,
		&ErrorData{ErrorType: ErrorUnrecognisedDataValue, ErrorValue: "requestingAgencyRequestId RAPID-123456 already exists"}), nil)
	add("supplying_confirmation_ok", Confirm(sam, received, nil), nil)
	add("supplying_confirmation_error", Confirm(sam, received, errors.New("no request RAPID-123456 from ISIL:US-ABC")), nil)
	add("requesting_confirmation_ok", Confirm(ram, received, nil), nil)
	add("requesting_confirmation_error", Confirm(ram, received,
		&ErrorData{ErrorType: ErrorUnsupportedActionType, ErrorValue: "Cancel is not possible once the copy was sent"}), nil)

	raw, err := os.ReadFile(filepath.Join("testdata", "samples-mod-rs", "unfilledNotification.xml"))
	require.NoError(t, err)
	_, perr := Parse(bytes.NewReader(raw))
	require.Error(t, perr)
	out["parse_error_confirmation"] = ConfirmParseError(raw, perr, received)
	return out
}

// TestGolden compares the messages the workstation sends with
// testdata/golden; run with -update to rewrite them.
func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got := cases[name]
			path := filepath.Join("testdata", "golden", name+".xml")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden files")
			assert.Equal(t, string(want), string(got))
			// Whatever we send, we read back.
			m, err := Parse(bytes.NewReader(got))
			require.NoError(t, err)
			assert.Equal(t, Version2017, m.Version)
		})
	}
}

// validateXSD checks data against the 1.2 schema with xmllint, when there
// is one; without, it does nothing (TestXSD reports the skip), so that the
// rest of the calling test still runs.
func validateXSD(t *testing.T, data []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return
	}
	require.NoError(t, xmllintErr(t, xmllint, data), "%s", data)
}

// xmllintErr runs xmllint on data against the 1.2 schema.
func xmllintErr(t *testing.T, xmllint string, data []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "message.xml")
	require.NoError(t, os.WriteFile(f, data, 0o644))
	cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "xsd", "ISO-18626-v1_2.xsd"), f)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("xmllint: %v: %s", err, out)
	}
	return nil
}

// TestXSD validates every message Marshal writes in the tests against
// ISO-18626-v1_2.xsd: the golden messages and every sample written back out.
func TestXSD(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not on PATH: schema validation skipped (apt-get install -y libxml2-utils)")
	}
	for name, out := range goldenCases(t) {
		t.Run("golden/"+name, func(t *testing.T) { validateXSD(t, out) })
	}
	for _, row := range readManifest(t) {
		if _, refused := refusedSamples[row.File]; refused {
			continue
		}
		m, err := parseFile(t, row.File)
		require.NoError(t, err)
		out, err := Marshal(m)
		if err != nil {
			continue // see TestSamplesRemarshal
		}
		t.Run("remarshalled/"+row.File, func(t *testing.T) { validateXSD(t, out) })
	}
	// The check itself works: xmllint agrees with the manifest on every sample.
	xmllint, _ := exec.LookPath("xmllint")
	for _, row := range readManifest(t) {
		data, err := os.ReadFile(filepath.Join("testdata", row.File))
		require.NoError(t, err)
		t.Run("sample/"+row.File, func(t *testing.T) {
			err := xmllintErr(t, xmllint, data)
			if row.XSDValid == "yes" {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// wrap puts a body in an ISO18626Message envelope with the namespace.
func wrap(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" xmlns:ill="http://illtransactions.org/2013/iso18626" ill:version="1.2">
` + body + `
</ISO18626Message>`
}

const testHeaderXML = `<header>
  <supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>DE-1</agencyIdValue></supplyingAgencyId>
  <requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-ABC</agencyIdValue></requestingAgencyId>
  <multipleItemRequestId/>
  <timestamp>2026-03-02T10:15:00Z</timestamp>
  <requestingAgencyRequestId>RAPID-123456</requestingAgencyRequestId>
</header>`

// samBody is a supplyingAgencyMessage with the given messageInfo,
// statusInfo and extra content.
func samBody(messageInfo, statusInfo, extra string) string {
	return "<supplyingAgencyMessage>\n" + testHeaderXML + "\n<messageInfo>" + messageInfo + "</messageInfo>\n<statusInfo>" +
		statusInfo + "</statusInfo>\n" + extra + "\n</supplyingAgencyMessage>"
}

func parseString(s string) (Message, error) { return Parse(strings.NewReader(s)) }

func TestNoEnvelopeNoNamespace(t *testing.T) {
	body := `<supplyingAgencyMessage>
<header>
  <supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>DE-1</agencyIdValue></supplyingAgencyId>
  <requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-ABC</agencyIdValue></requestingAgencyId>
  <timestamp>2026-03-02T10:15:00+0000</timestamp>
  <requestingAgencyRequestId>RAPID-123456</requestingAgencyRequestId>
</header>
<messageInfo><reasonForMessage>statuschange</reasonForMessage></messageInfo>
<statusInfo><status>LOANED</status><dueDate>2026-04-01</dueDate><lastChange>2026-03-02T11:15:00+0100</lastChange></statusInfo>
</supplyingAgencyMessage>`
	m, err := parseString(body)
	require.NoError(t, err)
	assert.Equal(t, "", m.Version)
	s := m.SupplyingAgencyMessage
	require.NotNil(t, s)
	assert.Equal(t, fixed, s.Header.Timestamp)
	assert.Equal(t, "", s.Header.MultipleItemRequestId, "multipleItemRequestId may be missing")
	assert.Equal(t, ReasonStatusChange, s.MessageInfo.ReasonForMessage)
	assert.Equal(t, StatusLoaned, s.StatusInfo.Status)
	assert.Equal(t, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), s.StatusInfo.DueDate)
	assert.True(t, fixed.Equal(s.StatusInfo.LastChange))
	_, off := s.StatusInfo.LastChange.Zone()
	assert.Equal(t, 3600, off, "the offset is kept")

	// Any prefix, declared or not.
	prefixed := regexp.MustCompile(`<(/?)([A-Za-z])`).ReplaceAllString(body, "<${1}x:$2")
	m2, err := parseString(`<x:ISO18626Message xmlns:x="` + Namespace + `" x:version="1.0">` + prefixed + `</x:ISO18626Message>`)
	require.NoError(t, err)
	assert.Equal(t, "1.0", m2.Version)
	m.Version = "1.0"
	assert.Equal(t, m, m2)
	m3, err := parseString(prefixed)
	require.NoError(t, err, "an undeclared prefix is read as ISO 18626")
	m.Version = ""
	assert.Equal(t, m, m3)
}

func TestVersion2021DeliveryMethod(t *testing.T) {
	doc := `<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" xmlns:ill="http://illtransactions.org/2013/iso18626" ill:version="2021-2">` +
		samBody(`<reasonForMessage>RequestResponse</reasonForMessage>`,
			`<status>CopyCompleted</status><lastChange>2026-03-02T10:15:00Z</lastChange>`,
			`<deliveryInfo><dateSent>2026-03-02T10:15:00Z</dateSent><itemId>https://ill.example.org/x.pdf</itemId>
			 <deliveryMethod ill:scheme="http://illtransactions.org/ISO18626/OpenCodeList/SentViaList-V1.0">URL</deliveryMethod>
			 <newIn2021>ignored</newIn2021></deliveryInfo>`) + `</ISO18626Message>`
	m, err := parseString(doc)
	require.NoError(t, err)
	assert.Equal(t, Version2021, m.Version)
	d := m.SupplyingAgencyMessage.DeliveryInfo
	require.NotNil(t, d)
	assert.Equal(t, SchemeValue{"URL", "http://illtransactions.org/ISO18626/OpenCodeList/SentViaList-V1.0"}, d.SentVia)
	assert.Equal(t, "https://ill.example.org/x.pdf", d.URL())
	assert.Equal(t, "https://ill.example.org/x.pdf", m.SupplyingAgencyMessage.DeliveryURL())

	out, err := Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(out), `<ill:sentVia ill:scheme="http://illtransactions.org/ISO18626/OpenCodeList/SentViaList-V1.0">URL</ill:sentVia>`)
	assert.Contains(t, string(out), `ill:version="1.2"`)
	assert.NotContains(t, string(out), "deliveryMethod")
	validateXSD(t, out)

	both := strings.Replace(doc, "<newIn2021>ignored</newIn2021>", "<sentVia>Email</sentVia>", 1)
	_, err = parseString(both)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "sentVia", pe.Element)
	assert.Equal(t, "<deliveryMethod> and <sentVia> both given in <deliveryInfo>", pe.Msg)
}

func TestVersions(t *testing.T) {
	for attr, want := range map[string]string{
		`ill:version="1.0"`: "1.0", `ill:version="1.1"`: "1.0", `version="1.2"`: "1.2", `ill:version="v1_2_2017"`: "1.2",
		`ill:version="2021-2"`: "2021", `ill:version="2021"`: "2021", `ill:version=""`: "", ``: "",
		`version="1.2" ill:version="v1_2_2017"`: "1.2",
	} {
		t.Run(attr, func(t *testing.T) {
			doc := `<ISO18626Message xmlns="` + Namespace + `" xmlns:ill="` + Namespace + `" ` + attr + `>` +
				samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", "") + `</ISO18626Message>`
			m, err := parseString(doc)
			require.NoError(t, err)
			assert.Equal(t, want, m.Version)
		})
	}
	for _, attr := range []string{`ill:version="3.0"`, `version="${version}"`, `version="1.2" ill:version="2021"`} {
		t.Run(attr, func(t *testing.T) {
			doc := `<ISO18626Message xmlns="` + Namespace + `" xmlns:ill="` + Namespace + `" ` + attr + `>` +
				samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", "") + `</ISO18626Message>`
			_, err := parseString(doc)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "ISO18626Message", pe.Element)
			assert.Equal(t, 1, pe.Line)
		})
	}
}

func TestParseDateTime(t *testing.T) {
	ist := time.FixedZone("", 5*3600+1800)
	pst := time.FixedZone("", -8*3600)
	for in, want := range map[string]time.Time{
		"2026-03-02T10:15:00Z":              fixed,
		"2026-03-02t10:15:00z":              fixed,
		"2026-03-02T10:15:00+00:00":         fixed,
		"2026-03-02T10:15:00+0000":          fixed,
		"2026-03-02T10:15:00-00:00":         fixed,
		"2026-03-02T10:15:00+00":            fixed,
		"2026-03-02T10:15:00":               fixed,
		"2026-03-02 10:15:00":               fixed,
		"2026-03-02T10:15":                  fixed,
		"2026-03-02T10:15:00.0Z":            fixed,
		"2026-03-02T10:15:00.123456789123Z": fixed.Add(123456789),
		"2026-03-02T10:15:00,5Z":            fixed.Add(500 * time.Millisecond),
		"2026-03-02T15:45:00+05:30":         time.Date(2026, 3, 2, 15, 45, 0, 0, ist),
		"2026-03-02T02:15:00-0800":          time.Date(2026, 3, 2, 2, 15, 0, 0, pst),
		"2026-03-02":                        time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		"2026-03-02Z":                       time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		"2026-03-01T24:00:00Z":              time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		"2024-02-29T00:00:00Z":              time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"0001-01-01T00:00:00.000Z":          {},
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseDateTime(in)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.True(t, want.Equal(got))
		})
	}
	for _, in := range []string{"", "yesterday", "${now}", "_TIMESTAMP_", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-03-02T25:00:00Z", "2026-03-02T10:60:00Z", "2026-03-02T10:15:60Z", "2026-03-02T24:00:01Z",
		"2026-03-02T10:15:00+15:00", "2026-03-02T10:15:00+05:60", "0000-01-01T00:00:00Z", "26-03-02T10:15:00Z",
		"2026-03-02T10:15:00 Z", "1772446500", "2026-03-02T10:15:00Z trailing"} {
		t.Run("refused "+in, func(t *testing.T) {
			_, err := ParseDateTime(in)
			assert.Error(t, err)
		})
	}
}

func TestFormatDateTime(t *testing.T) {
	for want, in := range map[string]time.Time{
		"2026-03-02T10:15:00Z":           fixed,
		"2026-03-02T10:15:00.5Z":         fixed.Add(500 * time.Millisecond),
		"2026-03-02T15:45:00+05:30":      fixed.In(time.FixedZone("IST", 5*3600+1800)),
		"2026-03-02T10:14:00Z":           time.Date(2026, 3, 2, 10, 15, 10, 0, time.FixedZone("LMT", 70)),
		"2026-03-02T02:15:00-08:00":      fixed.In(time.FixedZone("PST", -8*3600)),
		"2026-03-02T10:15:00.000000001Z": fixed.Add(1),
		"0001-01-01T00:00:00.000000001Z": time.Time{}.Add(1),
		"9999-12-31T23:59:59.999999999Z": time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		"2026-03-02T11:15:00+01:00":      fixed.In(time.FixedZone("", 3600)),
		"2026-03-02T10:15:00.123456789Z": fixed.Add(123456789),
		"2026-03-02T10:15:00.12345678Z":  fixed.Add(123456780),
		"2026-03-02T10:15:00.1Z":         fixed.Add(100 * time.Millisecond),
		"2026-03-03T00:15:00+14:00":      fixed.In(time.FixedZone("", 14*3600)),
	} {
		got, err := FormatDateTime(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := FormatDateTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Error(t, err)
}

func TestTimestampErrors(t *testing.T) {
	doc := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>",
		"<status>Loaned</status>\n<dueDate>yesterday</dueDate>", ""))
	_, err := parseString(doc)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, &ParseError{Line: 13, Element: "dueDate", Msg: `not a date and time: "yesterday"`, errorType: ErrorUnrecognisedDataValue}, pe)
	assert.Equal(t, `line 13, element <dueDate>: not a date and time: "yesterday"`, err.Error())

	doc = wrap(samBody("<reasonForMessage>Notification</reasonForMessage>",
		"<status>Loaned</status><lastChange>${now}</lastChange>", ""))
	_, err = parseString(doc)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "lastChange", pe.Element)
	assert.Equal(t, `not a date and time: "${now}" (a template placeholder left unfilled?)`, pe.Msg)
}

func TestEnumerations(t *testing.T) {
	t.Run("any case, standard spelling", func(t *testing.T) {
		doc := wrap(samBody("<reasonForMessage> requestRESPONSE </reasonForMessage><answerYesNo>yes</answerYesNo>"+
			"<reasonUnfilled>notheld</reasonUnfilled><reasonRetry>Lost in the flood</reasonRetry>",
			"<status>UNFILLED</status>", ""))
		m, err := parseString(doc)
		require.NoError(t, err)
		mi := m.SupplyingAgencyMessage.MessageInfo
		assert.Equal(t, ReasonRequestResponse, mi.ReasonForMessage)
		assert.Equal(t, Yes, mi.AnswerYesNo)
		assert.Equal(t, UnfilledNotHeld, mi.ReasonUnfilled.Value)
		assert.Equal(t, "Lost in the flood", mi.ReasonRetry.Value, "reasonRetry is an open list: the value is kept")
		assert.Equal(t, StatusUnfilled, m.SupplyingAgencyMessage.StatusInfo.Status)
	})
	for _, tc := range []struct {
		name, messageInfo, statusInfo, element, errorType string
	}{
		{"unknown status", "<reasonForMessage>Notification</reasonForMessage>", "<status>Shipped</status>", "status", ErrorUnrecognisedDataValue},
		{"unknown reason", "<reasonForMessage>Shipped</reasonForMessage>", "<status>Loaned</status>", "reasonForMessage", ErrorUnsupportedReasonForMessageType},
		{"placeholder status", "<reasonForMessage>Notification</reasonForMessage>", "<status>${status}</status>", "status", ErrorUnrecognisedDataValue},
		{"bad yes/no", "<reasonForMessage>CancelResponse</reasonForMessage><answerYesNo>maybe</answerYesNo>", "<status>Loaned</status>", "answerYesNo", ErrorUnrecognisedDataValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseString(wrap(samBody(tc.messageInfo, tc.statusInfo, "")))
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.element, pe.Element)
			assert.Contains(t, pe.Msg, "(allowed: ")
			assert.Equal(t, tc.errorType, ErrorTypeOf(err))
		})
	}
	t.Run("unknown action", func(t *testing.T) {
		_, err := parseString(wrap("<requestingAgencyMessage>" + testHeaderXML + "<action>Returned</action></requestingAgencyMessage>"))
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, `unknown value "Returned" (allowed: StatusRequest, Received, Cancel, Renew, ShippedReturn, ShippedForward, Notification)`, pe.Msg)
		assert.Equal(t, ErrorUnsupportedActionType, pe.ErrorType())
	})
	t.Run("exported normalisers", func(t *testing.T) {
		s, ok := NormaliseStatus("copyCOMPLETED")
		assert.True(t, ok)
		assert.Equal(t, StatusCopyCompleted, s)
		_, ok = NormaliseStatus("")
		assert.False(t, ok)
		a, ok := NormaliseAction(" shippedreturn ")
		assert.True(t, ok)
		assert.Equal(t, ActionShippedReturn, a)
		_, ok = NormaliseReasonForMessage("nope")
		assert.False(t, ok)
		e, ok := NormaliseErrorType("badlyformedmessage")
		assert.True(t, ok)
		assert.Equal(t, ErrorBadlyFormedMessage, e)
	})
}

func TestRequired(t *testing.T) {
	hdr := func(drop string) string {
		lines := strings.Split(testHeaderXML, "\n")
		var keep []string
		for _, l := range lines {
			if drop == "" || !strings.Contains(l, drop) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	okSAM := "<messageInfo><reasonForMessage>Notification</reasonForMessage></messageInfo><statusInfo><status>Loaned</status></statusInfo>"
	for _, tc := range []struct {
		name, doc       string
		line            int
		element, errMsg string
	}{
		{"no supplying agency", wrap("<supplyingAgencyMessage>" + hdr("supplyingAgencyId") + okSAM + "</supplyingAgencyMessage>"),
			3, "header", "missing <supplyingAgencyId>"},
		{"no requesting agency", wrap("<supplyingAgencyMessage>" + hdr("<requestingAgencyId>") + okSAM + "</supplyingAgencyMessage>"),
			3, "header", "missing <requestingAgencyId>"},
		{"empty agency value", wrap("<supplyingAgencyMessage>" + strings.Replace(testHeaderXML, "<agencyIdValue>DE-1</agencyIdValue>", "<agencyIdValue/>", 1) + okSAM + "</supplyingAgencyMessage>"),
			4, "supplyingAgencyId", "missing <agencyIdValue>"},
		{"no request id", wrap("<supplyingAgencyMessage>" + hdr("requestingAgencyRequestId") + okSAM + "</supplyingAgencyMessage>"),
			3, "header", "missing <requestingAgencyRequestId>"},
		{"empty request id", wrap("<supplyingAgencyMessage>" + strings.Replace(testHeaderXML, "RAPID-123456", " ", 1) + okSAM + "</supplyingAgencyMessage>"),
			8, "requestingAgencyRequestId", "empty: the requesting agency's request id is required"},
		{"no header", wrap("<supplyingAgencyMessage>" + okSAM + "</supplyingAgencyMessage>"),
			3, "supplyingAgencyMessage", "missing <header>"},
		{"no messageInfo", wrap("<supplyingAgencyMessage>" + testHeaderXML + "<statusInfo><status>Loaned</status></statusInfo></supplyingAgencyMessage>"),
			3, "supplyingAgencyMessage", "missing <messageInfo>"},
		{"no reason", wrap(samBody("<note>hello</note>", "<status>Loaned</status>", "")),
			11, "messageInfo", "missing <reasonForMessage>"},
		{"no status", wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<dueDate>2026-04-01</dueDate>", "")),
			12, "statusInfo", "missing <status>"},
		{"empty status", wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status/>", "")),
			12, "status", "empty: a value is required (allowed: RequestReceived, ExpectToSupply, WillSupply, Loaned, Overdue, Recalled, RetryPossible, Unfilled, CopyCompleted, LoanCompleted, CompletedWithoutReturn, Cancelled)"},
		{"no action", wrap("<requestingAgencyMessage>" + testHeaderXML + "<note>hi</note></requestingAgencyMessage>"),
			3, "requestingAgencyMessage", "missing <action>"},
		{"no title", wrap("<request>" + testHeaderXML + "<bibliographicInfo><author>Doe</author></bibliographicInfo></request>"),
			9, "bibliographicInfo", "missing <title> (or <titleOfComponent>): the request has no title"},
		{"no bibliographicInfo", wrap("<request>" + testHeaderXML + "</request>"),
			3, "request", "missing <bibliographicInfo>"},
		{"no messageStatus", wrap("<requestConfirmation><confirmationHeader><timestamp>2026-03-02T10:15:00Z</timestamp></confirmationHeader></requestConfirmation>"),
			3, "confirmationHeader", "missing <messageStatus>"},
		{"no confirmationHeader", wrap("<requestConfirmation/>"),
			3, "requestConfirmation", "missing <confirmationHeader>"},
		{"empty envelope", wrap(""), 2, "ISO18626Message",
			"no message inside (expected one of <request>, <requestConfirmation>, <supplyingAgencyMessage>, <supplyingAgencyMessageConfirmation>, <requestingAgencyMessage>, <requestingAgencyMessageConfirmation>)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseString(tc.doc)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.errMsg, pe.Msg)
			assert.Equal(t, tc.element, pe.Element)
			assert.Equal(t, tc.line, pe.Line, "%v", err)
		})
	}
	t.Run("titleOfComponent is enough", func(t *testing.T) {
		m, err := parseString(wrap("<request>" + testHeaderXML + "<bibliographicInfo><titleOfComponent>An article</titleOfComponent></bibliographicInfo></request>"))
		require.NoError(t, err)
		assert.Equal(t, "An article", m.Request.BibliographicInfo.TitleOfComponent)
	})
}

func TestStructure(t *testing.T) {
	sam := samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", "")
	for _, tc := range []struct {
		name, doc, element, msg string
		sentinel                error
	}{
		{"duplicate element", wrap(samBody("<reasonForMessage>Notification</reasonForMessage><note>a</note><note>b</note>", "<status>Loaned</status>", "")),
			"note", "given more than once in <messageInfo>", nil},
		{"two messages", wrap(sam + sam), "supplyingAgencyMessage", "a second message inside <ISO18626Message>", nil},
		{"two roots", sam + sam, "supplyingAgencyMessage", "content after the end of the message", nil},
		{"text outside", sam + "trailing", "supplyingAgencyMessage", "text outside the message element", nil},
		{"element inside text", wrap(samBody("<reasonForMessage>Notification</reasonForMessage><note>a <b>bold</b> note</note>", "<status>Loaned</status>", "")),
			"b", "unexpected element inside <note>, which holds text only", nil},
		{"both address kinds", wrap("<request>" + testHeaderXML + "<bibliographicInfo><title>T</title></bibliographicInfo><requestedDeliveryInfo><address>" +
			"<electronicAddress><electronicAddressType>Email</electronicAddressType><electronicAddressData>a@b.c</electronicAddressData></electronicAddress>" +
			"<physicalAddress><line1>x</line1></physicalAddress></address></requestedDeliveryInfo></request>"),
			"physicalAddress", "<electronicAddress> and <physicalAddress> both given in <address>", nil},
		{"other root", `<html><body/></html>`, "html", "not an ISO 18626 message: the root element must be <ISO18626Message> or one of <request>, <requestConfirmation>, <supplyingAgencyMessage>, <supplyingAgencyMessageConfirmation>, <requestingAgencyMessage>, <requestingAgencyMessageConfirmation>", ErrNotISO18626},
		{"foreign namespace root", `<request xmlns="urn:example:other"/>`, "request", `element in namespace "urn:example:other", not an ISO 18626 message`, ErrNotISO18626},
		{"no element", `<?xml version="1.0"?>`, "", "no XML element: not an ISO 18626 message", ErrNotISO18626},
		{"empty", ``, "", "no XML element: not an ISO 18626 message", ErrNotISO18626},
		{"not well-formed", "<request>\n<header>\n</request>", "header", "not well-formed XML: element <header> closed by </request>", nil},
		{"undefined entity", wrap(samBody("<reasonForMessage>Notification</reasonForMessage><note>&nbsp;</note>", "<status>Loaned</status>", "")),
			"note", "not well-formed XML: invalid character entity &nbsp;", nil},
		{"not an integer", wrap("<request>" + testHeaderXML + "<bibliographicInfo><title>T</title></bibliographicInfo><supplierInfo><sortOrder>first</sortOrder></supplierInfo></request>"),
			"sortOrder", `not an integer: "first"`, nil},
		{"not a decimal", wrap(samBody("<reasonForMessage>Notification</reasonForMessage><offeredCosts><currencyCode>EUR</currencyCode><monetaryValue>12,50</monetaryValue></offeredCosts>", "<status>Loaned</status>", "")),
			"monetaryValue", `not a decimal number: "12,50"`, nil},
		{"not a boolean", wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", "<deliveryInfo><sentToPatron>perhaps</sentToPatron></deliveryInfo>")),
			"sentToPatron", `not a boolean: "perhaps" (allowed: true, false)`, nil},
		{"unsupported encoding", `<?xml version="1.0" encoding="EBCDIC"?>` + sam, "", `not well-formed XML: xml: encoding "EBCDIC" declared but Decoder.CharsetReader is nil`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseString(tc.doc)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.element, pe.Element, "%v", err)
			if tc.name == "unsupported encoding" {
				assert.Contains(t, pe.Msg, `EBCDIC`)
			} else {
				assert.Equal(t, tc.msg, pe.Msg)
			}
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
		})
	}
	t.Run("liberal", func(t *testing.T) {
		doc := "\xef\xbb\xbf" + `<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- a comment with <!DOCTYPE x> in it is only a comment -->
<?some-processing instruction?>
<ISO18626Message xmlns="` + Namespace + `" xmlns:ext="http://example.org/ext" version="1.2">
<ext:wrapper><request/></ext:wrapper>
<supplyingAgencyMessage>
  <ext:extension>foreign elements are skipped</ext:extension>
  <statusInfo><lastChange/><status>loaned</status><dueDate></dueDate></statusInfo>
  <unknownElement><deep><deeper/></deep></unknownElement>
  <messageInfo><note>caf` + "\xe9" + ` ${kept} <![CDATA[<as text>]]></note><reasonForMessage>notification</reasonForMessage><answerYesNo/></messageInfo>
` + testHeaderXML + `
  <returnInfo></returnInfo>
</supplyingAgencyMessage>
</ISO18626Message>
`
		m, err := parseString(doc)
		require.NoError(t, err)
		s := m.SupplyingAgencyMessage
		require.NotNil(t, s)
		assert.Equal(t, "café ${kept} <as text>", s.MessageInfo.Note, "latin-1, placeholders in free text and CDATA are kept as text")
		assert.Equal(t, StatusLoaned, s.StatusInfo.Status)
		assert.True(t, s.StatusInfo.DueDate.IsZero() && s.StatusInfo.LastChange.IsZero(), "empty elements are absent")
		assert.Equal(t, "", s.MessageInfo.AnswerYesNo)
		assert.Equal(t, &ReturnInfo{}, s.ReturnInfo)
		assert.Equal(t, "1.2", m.Version)
	})
}

func TestDTDRefused(t *testing.T) {
	billionLaughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<request><note>&lol9;</note></request>`
	xxe := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		wrap(samBody("<reasonForMessage>Notification</reasonForMessage><note>&xxe;</note>", "<status>Loaned</status>", ""))
	plain := `<!DOCTYPE ISO18626Message SYSTEM "iso18626.dtd">` + "\n" + wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", ""))
	late := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", "")) + "\n<!DOCTYPE x>"
	for name, doc := range map[string]string{"billion laughs": billionLaughs, "external entity": xxe, "doctype": plain, "doctype after the message": late} {
		t.Run(name, func(t *testing.T) {
			_, err := parseString(doc)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, ErrDTD)
			assert.Equal(t, "DTDs and entities are not accepted", pe.Msg)
			assert.Contains(t, err.Error(), "DTDs and entities are not accepted")
			assert.Equal(t, ErrorBadlyFormedMessage, ErrorTypeOf(err))
		})
	}
	t.Run("billion laughs line", func(t *testing.T) {
		_, err := parseString(billionLaughs)
		assert.Equal(t, "line 2: DTDs and entities are not accepted", err.Error())
	})
}

func TestLimits(t *testing.T) {
	valid := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", ""))
	t.Run("exactly MaxSize parses", func(t *testing.T) {
		doc := valid + strings.Repeat(" ", MaxSize-len(valid))
		require.Len(t, doc, MaxSize)
		_, err := parseString(doc)
		require.NoError(t, err)
	})
	t.Run("oversize", func(t *testing.T) {
		doc := valid + strings.Repeat(" ", MaxSize-len(valid)+1)
		_, err := parseString(doc)
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, ErrTooLarge)
		assert.Equal(t, "message larger than 1048576 bytes (1 MiB)", err.Error())
	})
	t.Run("oversize stream is not read to the end", func(t *testing.T) {
		r := &countingReader{}
		_, err := Parse(r)
		assert.ErrorIs(t, err, ErrTooLarge)
		assert.LessOrEqual(t, r.n, int64(MaxSize+64*1024))
	})
	t.Run("deep nesting", func(t *testing.T) {
		doc := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>",
			strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000)))
		start := time.Now()
		_, err := parseString(doc)
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, ErrTooDeep)
		assert.Equal(t, "a", pe.Element)
		assert.Equal(t, fmt.Sprintf("elements nested deeper than %d", MaxDepth), pe.Msg)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	t.Run("deepest accepted", func(t *testing.T) {
		n := MaxDepth - 2 // inside ISO18626Message/supplyingAgencyMessage
		doc := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>",
			strings.Repeat("<a>", n)+strings.Repeat("</a>", n)))
		_, err := parseString(doc)
		require.NoError(t, err)
		doc = wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>",
			strings.Repeat("<a>", n+1)+strings.Repeat("</a>", n+1)))
		_, err = parseString(doc)
		assert.ErrorIs(t, err, ErrTooDeep)
	})
	t.Run("nil reader", func(t *testing.T) {
		_, err := Parse(nil)
		assert.ErrorIs(t, err, ErrNotISO18626)
	})
	t.Run("too many elements", func(t *testing.T) {
		doc := wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status>", strings.Repeat("<x/>", MaxElements)))
		_, err := parseString(doc)
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, ErrTooDeep)
		assert.Equal(t, fmt.Sprintf("more than %d elements", MaxElements), pe.Msg)
	})
}

// countingReader is an endless stream of spaces after a valid start.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	if c.n == 0 && len(p) > 0 {
		p[0] = '<'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestMarshalRefuses(t *testing.T) {
	sam := func(edit func(s *SupplyingAgencyMessage)) Message {
		m := fullSupplying()
		edit(m.SupplyingAgencyMessage)
		return m
	}
	for _, tc := range []struct {
		name string
		m    Message
		msg  string
	}{
		{"empty", Message{}, "exactly one message body must be set"},
		{"two bodies", Message{Request: fullRequest().Request, SupplyingAgencyMessage: fullSupplying().SupplyingAgencyMessage}, "exactly one message body must be set"},
		{"no agency", sam(func(s *SupplyingAgencyMessage) { s.Header.RequestingAgencyId = AgencyID{} }), "<supplyingAgencyMessage/header/requestingAgencyId>: agencyIdType is required"},
		{"no request id", sam(func(s *SupplyingAgencyMessage) { s.Header.RequestingAgencyRequestId = " " }), "<supplyingAgencyMessage/header/requestingAgencyRequestId>: required"},
		{"no timestamp", sam(func(s *SupplyingAgencyMessage) { s.Header.Timestamp = time.Time{} }), "<supplyingAgencyMessage/header/timestamp>: a date and time is required"},
		{"bad status", sam(func(s *SupplyingAgencyMessage) { s.StatusInfo.Status = "Shipped" }), `<supplyingAgencyMessage/statusInfo/status>: unknown value "Shipped"`},
		{"no reason", sam(func(s *SupplyingAgencyMessage) { s.MessageInfo.ReasonForMessage = "" }), "<supplyingAgencyMessage/messageInfo/reasonForMessage>: required"},
		{"no lastChange", sam(func(s *SupplyingAgencyMessage) { s.StatusInfo.LastChange = time.Time{} }), "<supplyingAgencyMessage/statusInfo/lastChange>: a date and time is required"},
		{"no dateSent", sam(func(s *SupplyingAgencyMessage) { s.DeliveryInfo.DateSent = time.Time{} }), "<supplyingAgencyMessage/deliveryInfo/dateSent>"},
		{"bad amount", sam(func(s *SupplyingAgencyMessage) { s.MessageInfo.OfferedCosts.MonetaryValue = "ten" }), `monetaryValue "ten" is not a decimal number`},
		{"year 10000", sam(func(s *SupplyingAgencyMessage) { s.StatusInfo.DueDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), "year 10000 is out of range"},
		{"no title", func() Message {
			m := fullRequest()
			m.Request.BibliographicInfo.Title, m.Request.BibliographicInfo.TitleOfComponent = "", ""
			return m
		}(),
			"<request/bibliographicInfo/title>: a title or titleOfComponent is required"},
		{"no service type", func() Message { m := fullRequest(); m.Request.ServiceInfo.ServiceType = ""; return m }(), "<request/serviceInfo/serviceType>: required"},
		{"four sub types", func() Message {
			m := fullRequest()
			m.Request.ServiceInfo.RequestSubType = []string{"PatronRequest", "BookingRequest", "TransferRequest", "MultipleItemRequest"}
			return m
		}(), "at most 3 are allowed"},
		{"empty address", func() Message { m := fullRequest(); m.Request.BillingInfo.Address = &Address{}; return m }(), "an electronic or a physical address is required"},
		{"no messageStatus", Message{RequestConfirmation: &RequestConfirmation{ConfirmationHeader: ConfirmationHeader{Timestamp: fixed, TimestampReceived: fixed}}},
			"<requestConfirmation/confirmationHeader/messageStatus>: required"},
		{"errorData without type", Message{RequestConfirmation: &RequestConfirmation{
			ConfirmationHeader: ConfirmationHeader{Timestamp: fixed, TimestampReceived: fixed, MessageStatus: "error"}, ErrorData: &ErrorData{}}},
			"<requestConfirmation/errorData/errorType>: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Marshal(tc.m)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestMarshalDetails(t *testing.T) {
	m := fullRequest()
	m.Request.BibliographicInfo.Title = "  Tabs\tand \"quotes\" & a CR\r here \x00  "
	m.Request.Header.RequestingAgencyId.Scheme = `http://x/?a="b"&c`
	out, err := Marshal(m)
	require.NoError(t, err)
	s := string(out)
	assert.True(t, strings.HasPrefix(s, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626" ill:version="1.2">`))
	assert.Contains(t, s, "<ill:title>Tabs\tand \"quotes\" &amp; a CR&#xD; here \uFFFD</ill:title>")
	assert.Contains(t, s, `<ill:agencyIdType ill:scheme="http://x/?a=&quot;b&quot;&amp;c">ISIL</ill:agencyIdType>`)
	assert.Contains(t, s, "<ill:needBeforeDate>2026-03-20T00:00:00+05:30</ill:needBeforeDate>")
	assert.Contains(t, s, "<ill:timestamp>2026-03-01T08:00:00.123Z</ill:timestamp>")
	assert.Contains(t, s, "<ill:multipleItemRequestId>M-1</ill:multipleItemRequestId>")
	validateXSD(t, out)
	back, err := Parse(bytes.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, "Tabs\tand \"quotes\" & a CR\r here \uFFFD", back.Request.BibliographicInfo.Title)
}

func TestConstructors(t *testing.T) {
	h := replyHeader()
	for _, tc := range []struct {
		name           string
		reason, status string
		opts           SupplyOptions
		msg            string
	}{
		{"unknown reason", "Shipped", StatusLoaned, SupplyOptions{}, `unknown reasonForMessage "Shipped"`},
		{"unknown status", ReasonRequestResponse, "Shipped", SupplyOptions{}, `unknown status "Shipped"`},
		{"empty status", ReasonRequestResponse, "", SupplyOptions{}, `unknown status ""`},
		{"cancel without answer", ReasonCancelResponse, StatusCancelled, SupplyOptions{}, "a CancelResponse needs answerYesNo"},
		{"renew without answer", ReasonRenewResponse, StatusLoaned, SupplyOptions{}, "a RenewResponse needs answerYesNo"},
		{"bad answer", ReasonCancelResponse, StatusCancelled, SupplyOptions{AnswerYesNo: "maybe"}, "is not Y or N"},
		{"reasonUnfilled with the wrong status", ReasonRequestResponse, StatusRetryPossible, SupplyOptions{ReasonUnfilled: UnfilledNotHeld}, "reasonUnfilled goes with status Unfilled"},
		{"reasonRetry with the wrong status", ReasonRequestResponse, StatusUnfilled, SupplyOptions{ReasonRetry: RetryNotFoundAsCited}, "reasonRetry goes with status RetryPossible"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSupplyingAgencyMessage(h, tc.reason, tc.status, tc.opts)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	t.Run("header checked", func(t *testing.T) {
		bad := h
		bad.SupplyingAgencyId.Value = ""
		_, err := NewSupplyingAgencyMessage(bad, ReasonRequestResponse, StatusLoaned, SupplyOptions{})
		require.ErrorIs(t, err, ErrInvalid)
		_, err = NewRequestingAgencyMessage(bad, ActionReceived, "")
		require.ErrorIs(t, err, ErrInvalid)
		_, err = NewRequestingAgencyMessage(h, "Returned", "")
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("defaults and normalisation", func(t *testing.T) {
		m, err := NewSupplyingAgencyMessage(h, "cancelresponse", "cancelled", SupplyOptions{AnswerYesNo: "n"})
		require.NoError(t, err)
		s := m.SupplyingAgencyMessage
		assert.Equal(t, ReasonCancelResponse, s.MessageInfo.ReasonForMessage)
		assert.Equal(t, StatusCancelled, s.StatusInfo.Status)
		assert.Equal(t, No, s.MessageInfo.AnswerYesNo)
		assert.Equal(t, fixed, s.StatusInfo.LastChange, "lastChange defaults to the header timestamp")

		d := &DeliveryInfo{SentVia: Code(SentViaFTP), ItemId: "ftp://ftp.example.org/out/x.pdf"}
		m, err = NewSupplyingAgencyMessage(h, ReasonRequestResponse, StatusCopyCompleted, SupplyOptions{Delivery: d, LastChange: fixed.Add(-time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, fixed.Add(-time.Hour), m.SupplyingAgencyMessage.DeliveryInfo.DateSent, "dateSent defaults to lastChange")
		assert.True(t, d.DateSent.IsZero(), "the caller's DeliveryInfo is not changed")
		assert.Equal(t, "ftp://ftp.example.org/out/x.pdf", m.SupplyingAgencyMessage.DeliveryURL())

		m, err = NewSupplyingAgencyMessage(h, ReasonRequestResponse, StatusUnfilled, SupplyOptions{ReasonUnfilled: "notonshelf"})
		require.NoError(t, err)
		assert.Equal(t, UnfilledNotOnShelf, m.SupplyingAgencyMessage.MessageInfo.ReasonUnfilled.Value)
	})
}

func TestURL(t *testing.T) {
	var d DeliveryInfo
	for _, bad := range []string{"", "not a url", "javascript:alert(1)", "/relative/path.pdf", "file:///etc/passwd", "mailto:a@b.c", "https://", "https://ex ample.org/"} {
		assert.Error(t, d.SetURL(bad), bad)
	}
	assert.Equal(t, "", d.ItemId)
	require.NoError(t, d.SetURL(" https://ill.example.org/x.pdf "))
	assert.Equal(t, "https://ill.example.org/x.pdf", d.ItemId)
	assert.Equal(t, "https://ill.example.org/x.pdf", d.URL())
	assert.Equal(t, "", DeliveryInfo{ItemId: "39000123"}.URL())

	s := SupplyingAgencyMessage{DeliveryInfo: &DeliveryInfo{ItemId: "39000123"},
		MessageInfo: MessageInfo{Note: "Download it (https://ill.example.org/get?id=7). Thanks."}}
	assert.Equal(t, "https://ill.example.org/get?id=7", s.DeliveryURL())
	assert.Equal(t, "", SupplyingAgencyMessage{MessageInfo: MessageInfo{Note: "no link here: www.example.org"}}.DeliveryURL())
}

func TestAgencyID(t *testing.T) {
	a, err := ParseAgencyID(" ISIL:DE-1 ")
	require.NoError(t, err)
	assert.Equal(t, lender(), a)
	assert.Equal(t, "ISIL:DE-1", a.String())
	a, err = ParseAgencyID("OCLC:urn:x")
	require.NoError(t, err)
	assert.Equal(t, AgencyID{Type: "OCLC", Value: "urn:x"}, a)
	for _, bad := range []string{"", "ISIL", "ISIL:", ":DE-1"} {
		_, err := ParseAgencyID(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "", AgencyID{}.String())
}

func TestConfirm(t *testing.T) {
	received := fixed.Add(3 * time.Second)
	t.Run("OK echoes the header", func(t *testing.T) {
		m := fullSupplying()
		c := Confirm(m, received, nil)
		require.NotNil(t, c.SupplyingAgencyMessageConfirmation)
		assert.Equal(t, KindSupplyingAgencyMessageConfirmation, c.Kind())
		assert.Equal(t, ConfirmationHeader{
			SupplyingAgencyId: lender(), RequestingAgencyId: borrower(), Timestamp: received,
			RequestingAgencyRequestId: "RAPID-123456", TimestampReceived: fixed, MessageStatus: MessageStatusOK,
		}, c.SupplyingAgencyMessageConfirmation.ConfirmationHeader)
		assert.Equal(t, ReasonStatusChange, c.SupplyingAgencyMessageConfirmation.ReasonForMessage)
		assert.Nil(t, c.SupplyingAgencyMessageConfirmation.ErrorData)
	})
	t.Run("error types", func(t *testing.T) {
		req := fullRequest()
		pe := &ParseError{Line: 3, Element: "action", Msg: "unknown", errorType: ErrorUnsupportedActionType}
		for _, tc := range []struct {
			err             error
			errType, errVal string
		}{
			{errors.New("no such request"), ErrorUnrecognisedDataValue, "no such request"},
			{&ErrorData{ErrorType: "unrecogniseddataelement", ErrorValue: "bibliographicInfo/foo"}, ErrorUnrecognisedDataElement, "bibliographicInfo/foo"},
			{fmt.Errorf("checking: %w", &ErrorData{ErrorType: ErrorUnsupportedReasonForMessageType, ErrorValue: "x"}), ErrorUnsupportedReasonForMessageType, "x"},
			{&ErrorData{ErrorType: "nonsense", ErrorValue: "y"}, ErrorUnrecognisedDataValue, "y"},
			{pe, ErrorUnsupportedActionType, "line 3, element <action>: unknown"},
			{fmt.Errorf("%w: stuff", ErrInvalid), ErrorBadlyFormedMessage, "iso18626: message cannot be sent: stuff"},
			{errors.New(strings.Repeat("x", 1000)), ErrorUnrecognisedDataValue, strings.Repeat("x", 499) + "…"},
		} {
			c := Confirm(req, received, tc.err)
			rc := c.RequestConfirmation
			require.NotNil(t, rc)
			assert.Equal(t, MessageStatusError, rc.ConfirmationHeader.MessageStatus)
			assert.Equal(t, &ErrorData{ErrorType: tc.errType, ErrorValue: tc.errVal}, rc.ErrorData)
			_, err := Marshal(c)
			require.NoError(t, err)
		}
		assert.Equal(t, "", ErrorTypeOf(nil))
	})
	t.Run("no timestamp", func(t *testing.T) {
		m := fullRequest()
		m.Request.Header.Timestamp = time.Time{}
		c := Confirm(m, received, nil)
		assert.Equal(t, received, c.RequestConfirmation.ConfirmationHeader.TimestampReceived)
	})
	t.Run("confirmations are not confirmed", func(t *testing.T) {
		c := Confirm(fullRequest(), received, nil)
		assert.Equal(t, Message{}, Confirm(c, received, nil))
		assert.Equal(t, Message{}, Confirm(Message{}, received, nil))
	})
}

func TestConfirmParseError(t *testing.T) {
	received := fixed.Add(3 * time.Second)
	for _, tc := range []struct {
		name, raw   string
		kind        string
		check       func(t *testing.T, m Message)
		errTypeWant string
	}{
		{"bad timestamp in a requestingAgencyMessage", wrap(strings.Replace("<requestingAgencyMessage>"+testHeaderXML+"<action>shippedreturn</action></requestingAgencyMessage>",
			"2026-03-02T10:15:00Z", "yesterday", 1)), KindRequestingAgencyMessageConfirmation, func(t *testing.T, m Message) {
			c := m.RequestingAgencyMessageConfirmation
			assert.Equal(t, ActionShippedReturn, c.Action)
			assert.Equal(t, lender(), c.ConfirmationHeader.SupplyingAgencyId)
			assert.Equal(t, borrower(), c.ConfirmationHeader.RequestingAgencyId)
			assert.Equal(t, "RAPID-123456", c.ConfirmationHeader.RequestingAgencyRequestId)
			assert.Equal(t, received, c.ConfirmationHeader.TimestampReceived)
		}, ErrorUnrecognisedDataValue},
		{"unknown status in a bare supplyingAgencyMessage", samBody("<reasonForMessage>RENEWRESPONSE</reasonForMessage>", "<status>Gone</status>", ""),
			KindSupplyingAgencyMessageConfirmation, func(t *testing.T, m Message) {
				c := m.SupplyingAgencyMessageConfirmation
				assert.Equal(t, ReasonRenewResponse, c.ReasonForMessage)
				assert.Equal(t, fixed, c.ConfirmationHeader.TimestampReceived, "the message's own timestamp")
			}, ErrorUnrecognisedDataValue},
		{"truncated request", wrap("<request>" + testHeaderXML + "<bibliographicInfo><title>T"), KindRequestConfirmation, func(t *testing.T, m Message) {
			assert.Equal(t, "RAPID-123456", m.RequestConfirmation.ConfirmationHeader.RequestingAgencyRequestId)
		}, ErrorBadlyFormedMessage},
		{"billion laughs", `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><request><header><requestingAgencyRequestId>&b;</requestingAgencyRequestId></header></request>`,
			KindRequestConfirmation, func(t *testing.T, m Message) {
				assert.Equal(t, "&b;", m.RequestConfirmation.ConfirmationHeader.RequestingAgencyRequestId, "entities are never expanded")
			}, ErrorBadlyFormedMessage},
		{"garbage", "\x00\x01 not xml at all", KindRequestConfirmation, nil, ErrorBadlyFormedMessage},
		{"empty", "", KindRequestConfirmation, nil, ErrorBadlyFormedMessage},
		{"a confirmation", wrap("<requestConfirmation><confirmationHeader/></requestConfirmation>"), KindRequestConfirmation, nil, ErrorBadlyFormedMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseString(tc.raw)
			require.Error(t, err)
			out := ConfirmParseError([]byte(tc.raw), err, received)
			m, perr := Parse(bytes.NewReader(out))
			require.NoError(t, perr, "%s", out)
			assert.Equal(t, tc.kind, m.Kind())
			h, ok := m.Confirmation()
			require.True(t, ok)
			assert.Equal(t, MessageStatusError, h.MessageStatus)
			assert.Equal(t, received, h.Timestamp)
			var ed *ErrorData
			switch {
			case m.RequestConfirmation != nil:
				ed = m.RequestConfirmation.ErrorData
			case m.SupplyingAgencyMessageConfirmation != nil:
				ed = m.SupplyingAgencyMessageConfirmation.ErrorData
			default:
				ed = m.RequestingAgencyMessageConfirmation.ErrorData
			}
			require.NotNil(t, ed)
			assert.Equal(t, tc.errTypeWant, ed.ErrorType)
			assert.Equal(t, truncate(err.Error(), maxErrorValue), ed.ErrorValue)
			if tc.check != nil {
				tc.check(t, m)
			}
			validateXSD(t, out)
		})
	}
	t.Run("nil error and zero time", func(t *testing.T) {
		out := ConfirmParseError(nil, nil, time.Time{})
		m, err := Parse(bytes.NewReader(out))
		require.NoError(t, err)
		assert.Equal(t, ErrorBadlyFormedMessage, m.RequestConfirmation.ErrorData.ErrorType)
		assert.False(t, m.RequestConfirmation.ConfirmationHeader.Timestamp.IsZero())
	})
}

func TestMessageAccessors(t *testing.T) {
	assert.Equal(t, "", Message{}.Kind())
	_, ok := Message{}.Header()
	assert.False(t, ok)
	_, ok = Message{}.Confirmation()
	assert.False(t, ok)
	h, ok := fullRequest().Header()
	assert.True(t, ok)
	assert.Equal(t, "RAPID-123456", h.RequestingAgencyRequestId)
	_, ok = fullRequest().Confirmation()
	assert.False(t, ok)
	assert.Equal(t, "UnsupportedActionType: x", (&ErrorData{ErrorType: ErrorUnsupportedActionType, ErrorValue: "x"}).Error())
	assert.Equal(t, "BadlyFormedMessage", (&ErrorData{ErrorType: ErrorBadlyFormedMessage}).Error())
	assert.Equal(t, "ISBN", Code("ISBN").String())
	assert.True(t, Costs{}.IsZero())
}
