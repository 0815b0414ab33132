package iso18626

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manifestRow is one line of testdata/MANIFEST.tsv.
type manifestRow struct {
	File, MessageType, Version, XSDValid                   string
	SupplyingAgency, RequestingAgency, RequestID, Title    string
	ServiceType, Status, ReasonForMessage, ConformanceNote string
}

func readManifest(t *testing.T) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "MANIFEST.tsv"))
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"file", "message_type", "ill_version", "xsd_valid", "supplying_agency_id",
		"requesting_agency_id", "requesting_agency_request_id", "title", "service_type", "status",
		"reason_for_message", "note"}, recs[0])
	var rows []manifestRow
	for _, c := range recs[1:] {
		rows = append(rows, manifestRow{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]})
	}
	return rows
}

// refusal is why a sample is refused: the *ParseError expected.
type refusal struct {
	line      int
	element   string
	msg       string // the start of ParseError.Msg
	errorType string // ParseError.ErrorType()
	why       string // in plain words
}

// refusedSamples lists every sample Parse refuses, and why. All other
// samples must parse.
var refusedSamples = map[string]refusal{
	"samples-mod-rs/cancelResponseReplyNoTemplate.xml": {14, "timestamp", `not a date and time: "_TIMESTAMP_"`, ErrorUnrecognisedDataValue,
		"an unfilled template: the timestamp is the placeholder _TIMESTAMP_ (it also has no statusInfo)"},
	"samples-mod-rs/case1_request.xml": {20, "bibliographicInfo", "missing <title> (or <titleOfComponent>)", ErrorBadlyFormedMessage,
		"the request has no title, only a supplierUniqueRecordId"},
	"samples-mod-rs/iso18626_req_1.xml": {18, "bibliographicInfo", "missing <title> (or <titleOfComponent>)", ErrorBadlyFormedMessage,
		"the request has no title, only a supplierUniqueRecordId"},
	"samples-mod-rs/patronRequest.xml": {3, "header", "missing <supplyingAgencyId>", ErrorBadlyFormedMessage,
		"no supplying agency: a patron request meant for ReShare's own broker"},
	"samples-mod-rs/patronRequestRetry.xml": {3, "header", "missing <supplyingAgencyId>", ErrorBadlyFormedMessage,
		"no supplying agency (and an empty requesting agency value)"},
	"samples-mod-rs/statusChangeExpectToSupplyTemplate.xml": {13, "timestamp", `not a date and time: "_TIMESTAMP_"`, ErrorUnrecognisedDataValue,
		"an unfilled template: the timestamp is the placeholder _TIMESTAMP_"},
	"samples-mod-rs/statusChangeUnfilledTemplate.xml": {13, "timestamp", `not a date and time: "_TIMESTAMP_"`, ErrorUnrecognisedDataValue,
		"an unfilled template: the timestamp is the placeholder _TIMESTAMP_"},
	"samples-mod-rs/supplyingAgencyMessage_statusChange.xml": {29, "status", `unknown value "status_holder"`, ErrorUnrecognisedDataValue,
		"an unfilled template: the status is the placeholder status_holder"},
	"samples-mod-rs/unfilledNotification.xml": {13, "timestamp", `not a date and time: "timestamp_holder"`, ErrorUnrecognisedDataValue,
		"an unfilled template: the timestamp is the placeholder timestamp_holder"},
}

// manifestVersion is what Parse makes of the manifest's ill_version column.
var manifestVersion = map[string]string{"": "", "1.0": "1.0", "1.2": "1.2", "v1_2_2017": "1.2"}

func parseFile(t *testing.T, path string) (Message, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	require.NoError(t, err)
	return Parse(bytes.NewReader(data))
}

// TestSamples parses every sample of the manifest: each either parses and
// matches its manifest row, or is refused with the precise *ParseError
// listed in refusedSamples.
func TestSamples(t *testing.T) {
	rows := readManifest(t)
	files, err := filepath.Glob(filepath.Join("testdata", "samples*", "*.xml"))
	require.NoError(t, err)
	require.Len(t, rows, len(files), "MANIFEST.tsv has one row per sample")

	var accepted, refusedNames []string
	for _, row := range rows {
		t.Run(row.File, func(t *testing.T) {
			m, err := parseFile(t, row.File)
			if want, ok := refusedSamples[row.File]; ok {
				refusedNames = append(refusedNames, row.File)
				var pe *ParseError
				require.ErrorAs(t, err, &pe, "refused with a *ParseError")
				assert.Equal(t, want.line, pe.Line, "line")
				assert.Equal(t, want.element, pe.Element, "element")
				assert.True(t, strings.HasPrefix(pe.Msg, want.msg), "message %q starts with %q", pe.Msg, want.msg)
				assert.Equal(t, want.errorType, pe.ErrorType())
				assert.Equal(t, want.errorType, ErrorTypeOf(err))
				t.Logf("refused (%s): %v", want.why, err)
				return
			}
			require.NoError(t, err)
			accepted = append(accepted, row.File)
			assert.Equal(t, row.MessageType, m.Kind(), "message type")
			assert.Equal(t, manifestVersion[row.Version], m.Version, "version")
			if h, ok := m.Header(); ok {
				if row.SupplyingAgency != "" {
					assert.Equal(t, row.SupplyingAgency, h.SupplyingAgencyId.String())
				}
				if row.RequestingAgency != "" {
					assert.Equal(t, row.RequestingAgency, h.RequestingAgencyId.String())
				}
				if row.RequestID != "" {
					assert.Equal(t, row.RequestID, h.RequestingAgencyRequestId)
				}
				assert.NotEmpty(t, h.RequestingAgencyRequestId)
			}
			if r := m.Request; r != nil {
				assert.Equal(t, row.Title, r.BibliographicInfo.Title, "title")
				require.NotNil(t, r.ServiceInfo)
				assert.Equal(t, row.ServiceType, r.ServiceInfo.ServiceType, "service type")
			}
			if s := m.SupplyingAgencyMessage; s != nil {
				assert.Equal(t, row.Status, s.StatusInfo.Status, "status")
				assert.Equal(t, row.ReasonForMessage, s.MessageInfo.ReasonForMessage, "reason for message")
			}
		})
	}
	for f := range refusedSamples {
		assert.Contains(t, refusedNames, f, "refusedSamples names a file of the manifest")
	}
	sort.Strings(accepted)
	t.Logf("%d samples parse, %d are refused", len(accepted), len(refusedNames))
}

// TestSampleDetails checks fields of a few samples the manifest says nothing about.
func TestSampleDetails(t *testing.T) {
	t.Run("bare body, +0000 offsets, every field", func(t *testing.T) {
		m, err := parseFile(t, "samples-mod-rs/supplyingAgencyMessage.xml")
		require.NoError(t, err)
		assert.Equal(t, "", m.Version)
		s := m.SupplyingAgencyMessage
		require.NotNil(t, s)
		ts := time.Date(1900, 1, 1, 1, 1, 1, 0, time.UTC)
		assert.Equal(t, ts, s.Header.Timestamp)
		assert.Equal(t, AgencyID{Type: "agencyIdType1", Value: "agencyIdValue1", Scheme: "http://uri1"}, s.Header.SupplyingAgencyId)
		assert.Equal(t, "multipleItemRequestId1", s.Header.MultipleItemRequestId)
		assert.Equal(t, "supplyingAgencyRequestId1", s.Header.SupplyingAgencyRequestId)
		assert.Equal(t, MessageInfo{
			ReasonForMessage: ReasonRequestResponse, AnswerYesNo: Yes, Note: "note1",
			ReasonUnfilled: SchemeValue{"reasonUnfilled1", "http://uri1"},
			ReasonRetry:    SchemeValue{"reasonRetry1", "http://uri1"},
			OfferedCosts:   Costs{SchemeValue{"currencyCode1", "http://uri1"}, "1"},
			RetryAfter:     ts, RetryBefore: ts,
		}, s.MessageInfo)
		assert.Equal(t, StatusInfo{StatusRequestReceived, ts, ts, ts}, s.StatusInfo)
		yes := true
		assert.Equal(t, &DeliveryInfo{
			DateSent: ts, ItemId: "itemId1", SentVia: SchemeValue{"sentVia1", "http://uri1"}, SentToPatron: &yes,
			LoanCondition: SchemeValue{"loanCondition1", "http://uri1"}, DeliveredFormat: SchemeValue{"deliveredFormat1", "http://uri1"},
			DeliveryCosts: Costs{SchemeValue{"currencyCode2", "http://uri2"}, "1"},
		}, s.DeliveryInfo)
		assert.Equal(t, &ReturnInfo{
			ReturnAgencyId: AgencyID{Type: "agencyIdType3", Value: "agencyIdValue1", Scheme: "http://uri3"},
			Name:           "name1",
			PhysicalAddress: &PhysicalAddress{Line1: "line11", Line2: "line21", Locality: "locality1", PostalCode: "postalCode1",
				Region: SchemeValue{"region1", "http://uri1"}, Country: SchemeValue{"country1", "http://uri1"}},
		}, s.ReturnInfo)
	})
	t.Run("full request", func(t *testing.T) {
		m, err := parseFile(t, "samples/RequestSample1.xml")
		require.NoError(t, err)
		r := m.Request
		require.NotNil(t, r)
		assert.Equal(t, "Warner, Mark PhD", r.BibliographicInfo.Author)
		assert.Equal(t, &PublicationInfo{Publisher: "Publisher",
			PublicationType: SchemeValue{"Book", "http://illtransactions.org/ISO18626/OpenCodeList/PublicationTypeList-V1.0"},
			PublicationDate: "2010-03-02", PlaceOfPublication: "New York"}, r.PublicationInfo)
		si := r.ServiceInfo
		assert.Equal(t, RequestTypeNew, si.RequestType)
		assert.Equal(t, []string{SubTypeTransferRequest}, si.RequestSubType)
		assert.Equal(t, "PreviousRequestID-001", si.RequestingAgencyPreviousRequestId)
		assert.Equal(t, time.Date(2018, 1, 16, 14, 0, 0, 0, time.UTC), si.NeedBeforeDate)
		assert.Equal(t, Yes, si.AnyEdition)
		require.Len(t, r.SupplierInfo, 1)
		assert.Equal(t, 2, *r.SupplierInfo[0].SortOrder)
		assert.Equal(t, "992790866", r.SupplierInfo[0].BibliographicRecordId.Identifier)
		require.Len(t, r.RequestedDeliveryInfo, 1)
		assert.Equal(t, "1234 City St.", r.RequestedDeliveryInfo[0].Address.PhysicalAddress.Line1)
		assert.Equal(t, "librarian@address.net", r.RequestingAgencyInfo.Address[0].ElectronicAddress.Data)
		assert.Equal(t, "Patron-1234", r.PatronInfo.PatronId)
		assert.Equal(t, No, r.PatronInfo.SendToPatron)
		assert.Equal(t, Costs{SchemeValue{"USD", "https://www.iso.org/iso-4217-currency-codes.html"}, "99.99"}, r.BillingInfo.MaximumCosts)
	})
	t.Run("ISBN and OCLC number", func(t *testing.T) {
		m, err := parseFile(t, "samples/NewRequest.xml")
		require.NoError(t, err)
		b := m.Request.BibliographicInfo
		require.Len(t, b.BibliographicItemId, 1)
		assert.Equal(t, "9780439784542", b.BibliographicItemId[0].Identifier)
		assert.Equal(t, "ISBN", b.BibliographicItemId[0].Code.Value)
		require.Len(t, b.BibliographicRecordId, 1)
		assert.Equal(t, BibliographicRecordID{Code: SchemeValue{"OCLC", "http://illtransactions.org/ISO18626/OpenCodeList/BibliographicRecordIdCodeList-V1.0"}, Identifier: "57358293"}, b.BibliographicRecordId[0])
		assert.Len(t, m.Request.RequestedDeliveryInfo, 2)
	})
	t.Run("requestingAgencyAuthentication is read", func(t *testing.T) {
		m, err := parseFile(t, "samples/RequestingAgencyMessageSample1.xml")
		require.NoError(t, err)
		assert.Equal(t, ActionStatusRequest, m.RequestingAgencyMessage.Action)
		assert.Equal(t, &Authentication{AccountId: "Account-001", SecurityCode: "ABC-Easy-As"}, m.RequestingAgencyMessage.Header.RequestingAgencyAuthentication)
		raw, err := os.ReadFile(filepath.Join("testdata", "samples/RequestingAgencyMessageSample1.xml"))
		require.NoError(t, err)
		in, err := Codec{}.Decode(raw)
		require.NoError(t, err)
		assert.Equal(t, "Account-001", in.AccountID)
		assert.Equal(t, "ABC-Easy-As", in.SecurityCode)
	})
	t.Run("confirmation with error", func(t *testing.T) {
		m, err := parseFile(t, "samples/RequestConfirmationSampleError.xml")
		require.NoError(t, err)
		c := m.RequestConfirmation
		require.NotNil(t, c)
		assert.Equal(t, MessageStatusError, c.ConfirmationHeader.MessageStatus)
		assert.Equal(t, time.Date(2018, 2, 8, 8, 44, 54, 0, time.UTC), c.ConfirmationHeader.TimestampReceived)
		assert.Equal(t, &ErrorData{ErrorType: ErrorBadlyFormedMessage, ErrorValue: "Some explanation of the error here"}, c.ErrorData)
	})
	t.Run("mock request: zero timestamp, comments, qualified scheme", func(t *testing.T) {
		m, err := parseFile(t, "samples-mod-rs/illmockrequest.xml")
		require.NoError(t, err)
		assert.True(t, m.Request.Header.Timestamp.IsZero(), "0001-01-01T00:00:00.000Z is the zero time")
		assert.Equal(t, SchemeValue{"patronReference", "RESHARE"}, m.Request.BibliographicInfo.BibliographicRecordId[0].Code)
		assert.Equal(t, "#CANCEL#", m.Request.ServiceInfo.Note)
	})
}

// TestSamplesRemarshal writes every sample that parses back out and reads
// it again: the same message, now version 1.2.
func TestSamplesRemarshal(t *testing.T) {
	for _, row := range readManifest(t) {
		if _, refused := refusedSamples[row.File]; refused {
			continue
		}
		t.Run(row.File, func(t *testing.T) {
			m, err := parseFile(t, row.File)
			require.NoError(t, err)
			out, err := Marshal(m)
			if m.Request != nil && m.Request.Header.Timestamp.IsZero() {
				// illmockrequest.xml: 0001-01-01T00:00:00Z is no time to send.
				require.ErrorIs(t, err, ErrInvalid)
				assert.Contains(t, err.Error(), "<request/header/timestamp>")
				return
			}
			require.NoError(t, err)
			back, err := Parse(bytes.NewReader(out))
			require.NoError(t, err, "%s", out)
			m.Version = Version2017
			assert.Equal(t, m, back)
		})
	}
}

func TestParseErrorIsParseError(t *testing.T) {
	_, err := Parse(strings.NewReader("<request>"))
	var pe *ParseError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "request", pe.Element)
}
