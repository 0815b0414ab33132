package iso18626

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

var at = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

// xsd is the ISO 18626 v1.2 schema.
const xsd = "testdata/xsd/ISO-18626-v1_2.xsd"

// validate checks a message against the v1.2 schema with xmllint; it is
// skipped, saying so, where xmllint is not installed.
func validate(t *testing.T, xml []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils); schema validation skipped")
	}
	f := filepath.Join(t.TempDir(), "m.xml")
	require.NoError(t, os.WriteFile(f, xml, 0o600))
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, xml)
}

func TestEveryOutgoingKindIsSchemaValidAndReadsBack(t *testing.T) {
	base := domain.Outgoing{From: "ISIL:US-LEND", To: "ISIL:US-BORROW", RequestingRequestID: "B-1", SupplyingRequestID: "L-1", Timestamp: at}
	with := func(f func(*domain.Outgoing)) domain.Outgoing { o := base; f(&o); return o }
	cases := map[string]domain.Outgoing{
		"copy completed": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.SentVia, o.DateSent = domain.KindSupplying, "RequestResponse", "CopyCompleted", "URL", at
			o.DeliveryURL = "http://ill.example.edu:8626/files/0123"
		}),
		"unfilled": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.ReasonUnfilled, o.Note = domain.KindSupplying, "RequestResponse", "Unfilled", "NotOnShelf", "missing"
		}),
		"bad citation": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.ReasonRetry, o.Note = domain.KindSupplying, "RequestResponse", "RetryPossible", "NotFoundAsCited", "no such volume"
		}),
		"cancel response": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.AnswerYesNo = domain.KindSupplying, "CancelResponse", "Cancelled", "Y"
		}),
		"status answer": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status = domain.KindSupplying, "StatusRequestResponse", "WillSupply"
		}),
		"loaned": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.DueDate, o.ItemID, o.SentVia, o.DateSent = domain.KindSupplying, "StatusChange", "Loaned", at.AddDate(0, 0, 28), "39001234", "Mail", at
		}),
		"loan completed": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status = domain.KindSupplying, "StatusChange", "LoanCompleted"
		}),
		"renew yes": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.AnswerYesNo, o.DueDate = domain.KindSupplying, "RenewResponse", "Loaned", "Y", at.AddDate(0, 0, 56)
		}),
		"renew no": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.AnswerYesNo, o.DueDate = domain.KindSupplying, "RenewResponse", "Loaned", "N", at.AddDate(0, 0, 28)
		}),
		"recalled": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.DueDate, o.Note = domain.KindSupplying, "StatusChange", "Recalled", at.AddDate(0, 0, 28), "needed here"
		}),
		"overdue": with(func(o *domain.Outgoing) {
			o.Kind, o.Reason, o.Status, o.DueDate = domain.KindSupplying, "StatusChange", "Overdue", at.AddDate(0, 0, -1)
		}),
		"received":       with(func(o *domain.Outgoing) { o.Kind, o.Action = domain.KindRequesting, "Received" }),
		"shipped return": with(func(o *domain.Outgoing) { o.Kind, o.Action = domain.KindRequesting, "ShippedReturn" }),
		"request": with(func(o *domain.Outgoing) {
			o.Kind, o.ServiceType = domain.KindRequest, "Loan"
			o.Citation = domain.Citation{Title: "Silent Spring", Author: "Carson, Rachel", ISBN: "9780618249060", Year: "1962"}
		}),
		"loan request to a pickup library": with(func(o *domain.Outgoing) {
			o.Kind, o.ServiceType, o.RequestType, o.NeedBefore = domain.KindRequest, "Loan", "New", at.AddDate(0, 1, 0)
			o.Citation = domain.Citation{Title: "Silent Spring", ISBN: "9780618249060", OCLC: "12345"}
			o.RequesterName, o.RequesterAddress = "Our Library", "https://ill.example.edu/"
			o.DeliveryName, o.DeliveryAddress, o.PatronID, o.Note = "Main Library", "1 Main St, Springfield", "P-77", "please hurry"
		}),
		"copy request by email": with(func(o *domain.Outgoing) {
			o.Kind, o.ServiceType, o.RequestType = domain.KindRequest, "Copy", "New"
			o.Citation = domain.Citation{Title: "Journal of Tests", ArticleTitle: "On codecs", Pages: "3-9", ISSN: "1234-5678", DOI: "10.1/x"}
			o.RequesterName, o.DeliveryEmail = "Our Library", "ill@example.edu"
		}),
		"retry": with(func(o *domain.Outgoing) {
			o.Kind, o.ServiceType, o.RequestType, o.PreviousRequestID = domain.KindRequest, "Copy", "Retry", "B-0"
			o.Citation = domain.Citation{Title: "Journal of Tests", Volume: "7"}
		}),
		"cancel": with(func(o *domain.Outgoing) {
			o.Kind, o.Action, o.Note = domain.KindRequesting, "Cancel", "found elsewhere"
		}),
		"renew":          with(func(o *domain.Outgoing) { o.Kind, o.Action = domain.KindRequesting, "Renew" }),
		"status request": with(func(o *domain.Outgoing) { o.Kind, o.Action = domain.KindRequesting, "StatusRequest" }),
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			xml, err := Codec{}.Encode(o)
			require.NoError(t, err)
			validate(t, xml)
			in, err := Codec{}.Decode(xml)
			require.NoError(t, err)
			assert.Equal(t, o.Kind, in.Kind)
			assert.Equal(t, o.From, in.From, "the sender reads back as the sender")
			assert.Equal(t, o.To, in.To)
			assert.Equal(t, o.RequestingRequestID, in.RequestingRequestID)
			assert.Equal(t, o.Status, in.Status)
			assert.Equal(t, o.Action, in.Action)
			assert.Equal(t, o.DeliveryURL, in.DeliveryURL)
			assert.Equal(t, o.ReasonUnfilled, in.ReasonUnfilled)
			assert.True(t, o.DueDate.Equal(in.DueDate), "due date %v reads back as %v", o.DueDate, in.DueDate)
			if o.ItemID != "" {
				m, err := Parse(bytes.NewReader(xml))
				require.NoError(t, err)
				assert.Equal(t, o.ItemID, m.SupplyingAgencyMessage.DeliveryInfo.ItemId, "the barcode is the item id")
			}
			if o.Kind == domain.KindRequest {
				assert.Equal(t, o.Citation, in.Citation)
			}
			conf, err := Codec{}.Confirm(in, at, nil)
			require.NoError(t, err)
			validate(t, conf)
			ok, _, err := Codec{}.ConfirmationOK(conf)
			require.NoError(t, err)
			assert.True(t, ok)
			bad, err := Codec{}.Confirm(in, at, &domain.MessageProblem{ErrorType: "UnrecognisedDataValue", Value: "no such request"})
			require.NoError(t, err)
			validate(t, bad)
			ok, why, err := Codec{}.ConfirmationOK(bad)
			require.NoError(t, err, "an ERROR confirmation is a confirmation")
			assert.False(t, ok)
			assert.Contains(t, why, "no such request")
		})
	}
}

func TestSamplesDecode(t *testing.T) {
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, in domain.Incoming)
	}{
		{"samples/RequestSample1.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, domain.KindRequest, in.Kind)
			assert.Equal(t, "Something about elephants", in.Citation.Title)
			assert.NotEmpty(t, in.RequestingRequestID)
			assert.Contains(t, in.From, ":")
		}},
		{"samples/SupplyingAgencyMessageRefused.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, domain.KindSupplying, in.Kind)
			assert.Equal(t, "Unfilled", in.Status)
		}},
		{"samples/RequestingAgencyMessageCancel.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, domain.KindRequesting, in.Kind)
			assert.Equal(t, "Cancel", in.Action)
		}},
		{"samples/RequestingAgencyMessageRenew.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, domain.KindRequesting, in.Kind)
			assert.Equal(t, "Renew", in.Action)
		}},
		{"samples/SupplyingAgencyMessageRecall.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, "Recalled", in.Status)
			assert.Equal(t, "StatusChange", in.Reason)
			assert.False(t, in.DueDate.IsZero())
		}},
		{"samples-mod-rs/illmockrequest.xml", func(t *testing.T, in domain.Incoming) {
			assert.Equal(t, domain.KindRequest, in.Kind)
			assert.Equal(t, "Layered of the Rungs", in.Citation.Title)
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			in, err := Codec{}.Decode(raw)
			require.NoError(t, err)
			tc.check(t, in)
		})
	}
}

func TestUndecodableGetsAnErrorConfirmation(t *testing.T) {
	raw := []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ISO18626Message/>`)
	_, err := Codec{}.Decode(raw)
	require.Error(t, err)
	conf := Codec{}.ConfirmUndecodable(raw, err, at)
	validate(t, conf)
	ok, why, err := Codec{}.ConfirmationOK(conf)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.NotEmpty(t, why)
	ok, _, err = Codec{}.ConfirmationOK([]byte("not xml"))
	assert.Error(t, err, "no confirmation")
	assert.False(t, ok)
	assert.True(t, bytes.Contains(conf, []byte("ERROR")))
	assert.False(t, strings.Contains(string(conf), "aaaa"), "entities are never expanded")
}

func TestReplyAddressIsTheRequestersWebAddress(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "samples", "RequestSample1.xml"))
	require.NoError(t, err)
	url := `<ns1:address><ns1:electronicAddress><ns1:electronicAddressType>URL</ns1:electronicAddressType>` +
		`<ns1:electronicAddressData> https://ill.example.org/iso18626 </ns1:electronicAddressData></ns1:electronicAddress></ns1:address>`
	for name, tc := range map[string]struct {
		raw  []byte
		want string
	}{
		"an email address only": {raw, ""},
		"a web address after it": {bytes.Replace(raw, []byte("</ns1:address>\n        </ns1:requestingAgencyInfo>"),
			[]byte("</ns1:address>"+url+"</ns1:requestingAgencyInfo>"), 1), "https://ill.example.org/iso18626"},
	} {
		t.Run(name, func(t *testing.T) {
			in, err := Codec{}.Decode(tc.raw)
			require.NoError(t, err)
			assert.Equal(t, tc.want, in.ReplyAddress)
		})
	}
}

func TestRequestCarriesWhatTheLenderNeeds(t *testing.T) {
	o := domain.Outgoing{Kind: domain.KindRequest, From: "ISIL:US-BORROW", To: "ISIL:US-LEND", RequestingRequestID: "B-1-2",
		Timestamp: at, ServiceType: "Loan", RequestType: "Retry", PreviousRequestID: "B-1-1", NeedBefore: at.AddDate(0, 1, 0),
		Citation:      domain.Citation{Title: "Silent Spring", ISBN: "9780618249060", ISSN: "1111-2222", DOI: "10.1/y", OCLC: "12345"},
		RequesterName: "Our Library", RequesterAddress: "https://ill.example.edu/", DeliveryName: "Main Library",
		DeliveryAddress: "1 Main St", PatronID: "P-77"}
	xml, err := Codec{}.Encode(o)
	require.NoError(t, err)
	validate(t, xml)
	m, err := Parse(bytes.NewReader(xml))
	require.NoError(t, err)
	s := m.Request.ServiceInfo
	assert.Equal(t, "Retry", s.RequestType)
	assert.Equal(t, "B-1-1", s.RequestingAgencyPreviousRequestId)
	assert.True(t, s.NeedBeforeDate.Equal(o.NeedBefore))
	var ids []string
	for _, id := range m.Request.BibliographicInfo.BibliographicItemId {
		ids = append(ids, id.Code.Value+" "+id.Identifier)
	}
	assert.Equal(t, []string{"ISSN 1111-2222", "ISBN 9780618249060", "DOI 10.1/y"}, ids)
	assert.Equal(t, "12345", m.Request.BibliographicInfo.BibliographicRecordId[0].Identifier)
	a := m.Request.RequestingAgencyInfo
	require.NotNil(t, a)
	assert.Equal(t, "Our Library", a.Name)
	assert.Equal(t, ElectronicAddress{Type: Code("URL"), Data: "https://ill.example.edu/"}, *a.Address[0].ElectronicAddress)
	require.Len(t, m.Request.RequestedDeliveryInfo, 1)
	assert.Equal(t, PhysicalAddress{Line1: "Main Library", Line2: "1 Main St"}, *m.Request.RequestedDeliveryInfo[0].Address.PhysicalAddress)
	assert.Equal(t, "P-77", m.Request.PatronInfo.PatronId)

	bare := domain.Outgoing{Kind: domain.KindRequest, From: "ISIL:US-BORROW", To: "ISIL:US-LEND", RequestingRequestID: "B-2",
		Timestamp: at, ServiceType: "Copy", Citation: domain.Citation{Title: "T"}}
	xml, err = Codec{}.Encode(bare)
	require.NoError(t, err)
	validate(t, xml)
	assert.NotContains(t, string(xml), "patronInfo", "no patron reference unless the desk sends it")
	assert.NotContains(t, string(xml), "needBeforeDate")
}

func TestLenderAnswersDecode(t *testing.T) {
	h := Header{SupplyingAgencyId: AgencyID{Type: "ISIL", Value: "US-LEND"}, RequestingAgencyId: AgencyID{Type: "ISIL", Value: "US-BORROW"},
		Timestamp: at, RequestingAgencyRequestId: "B-1-1", SupplyingAgencyRequestId: "L-1"}
	tests := []struct {
		name   string
		reason string
		status string
		opts   SupplyOptions
		want   func(*domain.Incoming)
	}{
		{"loaned with item id", "RequestResponse", "Loaned", SupplyOptions{Delivery: &DeliveryInfo{DateSent: at, ItemId: "LEND-9"}},
			func(in *domain.Incoming) { in.ItemID = "LEND-9" }},
		{"retry possible", "RequestResponse", "RetryPossible", SupplyOptions{ReasonRetry: "NotFoundAsCited", Note: "which volume?"},
			func(in *domain.Incoming) { in.ReasonRetry, in.Note = "NotFoundAsCited", "which volume?" }},
		{"cancel refused", "CancelResponse", "WillSupply", SupplyOptions{AnswerYesNo: "N"},
			func(in *domain.Incoming) { in.AnswerYesNo = "N" }},
		{"renewed", "RenewResponse", "Loaned", SupplyOptions{AnswerYesNo: "Y"},
			func(in *domain.Incoming) { in.AnswerYesNo = "Y" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewSupplyingAgencyMessage(h, tt.reason, tt.status, tt.opts)
			require.NoError(t, err)
			xml, err := Marshal(m)
			require.NoError(t, err)
			validate(t, xml)
			in, err := Codec{}.Decode(xml)
			require.NoError(t, err)
			want := in
			want.ItemID, want.ReasonRetry, want.AnswerYesNo, want.Note = "", "", "", ""
			tt.want(&want)
			assert.Equal(t, want, in)
			assert.Equal(t, tt.status, in.Status)
		})
	}
}

func TestRetryRequestNamesThePreviousRequest(t *testing.T) {
	from, _ := ParseAgencyID("ISIL:US-BORROW")
	to, _ := ParseAgencyID("ISIL:US-LEND")
	raw, err := Marshal(Message{Version: Version2017, Request: &Request{
		Header:            Header{RequestingAgencyId: from, SupplyingAgencyId: to, Timestamp: at, RequestingAgencyRequestId: "B-1-2"},
		BibliographicInfo: BibliographicInfo{Title: "Silent Spring"},
		ServiceInfo:       &ServiceInfo{RequestType: RequestTypeRetry, RequestingAgencyPreviousRequestId: "B-1-1", ServiceType: ServiceLoan}}})
	require.NoError(t, err)
	validate(t, raw)
	in, err := Codec{}.Decode(raw)
	require.NoError(t, err)
	assert.Equal(t, "Retry", in.RequestType)
	assert.Equal(t, "B-1-1", in.PreviousRequestID)
	assert.Equal(t, "Loan", in.ServiceType)
}
