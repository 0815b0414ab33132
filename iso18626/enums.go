package iso18626

import (
	"strings"
)

// Values of StatusInfo.Status (type_status).
const (
	StatusRequestReceived        = "RequestReceived"
	StatusExpectToSupply         = "ExpectToSupply"
	StatusWillSupply             = "WillSupply"
	StatusLoaned                 = "Loaned"
	StatusOverdue                = "Overdue"
	StatusRecalled               = "Recalled"
	StatusRetryPossible          = "RetryPossible"
	StatusUnfilled               = "Unfilled"
	StatusCopyCompleted          = "CopyCompleted"
	StatusLoanCompleted          = "LoanCompleted"
	StatusCompletedWithoutReturn = "CompletedWithoutReturn"
	StatusCancelled              = "Cancelled"
)

// Values of MessageInfo.ReasonForMessage (type_reasonForMessage).
const (
	ReasonRequestResponse       = "RequestResponse"
	ReasonStatusRequestResponse = "StatusRequestResponse"
	ReasonRenewResponse         = "RenewResponse"
	ReasonCancelResponse        = "CancelResponse"
	ReasonStatusChange          = "StatusChange"
	ReasonNotification          = "Notification"
)

// Values of RequestingAgencyMessage.Action (type_action).
const (
	ActionStatusRequest  = "StatusRequest"
	ActionReceived       = "Received"
	ActionCancel         = "Cancel"
	ActionRenew          = "Renew"
	ActionShippedReturn  = "ShippedReturn"
	ActionShippedForward = "ShippedForward"
	ActionNotification   = "Notification"
)

// Values of ServiceInfo.ServiceType (type_serviceType).
const (
	ServiceCopy       = "Copy"
	ServiceLoan       = "Loan"
	ServiceCopyOrLoan = "CopyOrLoan"
)

// Values of ServiceInfo.RequestType (type_requestType).
const (
	RequestTypeNew      = "New"
	RequestTypeRetry    = "Retry"
	RequestTypeReminder = "Reminder"
)

// Values of ServiceInfo.RequestSubType (type_requestSubType).
const (
	SubTypeBookingRequest          = "BookingRequest"
	SubTypeMultipleItemRequest     = "MultipleItemRequest"
	SubTypePatronRequest           = "PatronRequest"
	SubTypeTransferRequest         = "TransferRequest"
	SubTypeSupplyingLibrarysChoice = "SupplyingLibrarysChoice"
)

// Values of ErrorData.ErrorType (type_errorType).
const (
	ErrorUnsupportedActionType           = "UnsupportedActionType"
	ErrorUnsupportedReasonForMessageType = "UnsupportedReasonForMessageType"
	ErrorUnrecognisedDataElement         = "UnrecognisedDataElement"
	ErrorUnrecognisedDataValue           = "UnrecognisedDataValue"
	ErrorBadlyFormedMessage              = "BadlyFormedMessage"
)

// Values of ConfirmationHeader.MessageStatus (type_messageStatus).
const (
	MessageStatusOK    = "OK"
	MessageStatusError = "ERROR"
)

// Values of the yes/no fields (type_yesNo): AnswerYesNo, AnyEdition, SendToPatron.
const (
	Yes = "Y"
	No  = "N"
)

// Common values of MessageInfo.ReasonUnfilled, an open list: other values
// are kept as they are.
const (
	UnfilledNotHeld            = "NotHeld"
	UnfilledNotOnShelf         = "NotOnShelf"
	UnfilledNotAvailableForILL = "NotAvailableForILL"
	UnfilledNonCirculating     = "NonCirculating"
	UnfilledPoorCondition      = "PoorCondition"
	UnfilledPolicyProblem      = "PolicyProblem"
	UnfilledOther              = "Other"
)

// Common values of MessageInfo.ReasonRetry, an open list: other values are
// kept as they are.
const (
	RetryNotFoundAsCited           = "NotFoundAsCited"
	RetryAtBindery                 = "AtBindery"
	RetryOnLoan                    = "OnLoan"
	RetryOnOrder                   = "OnOrder"
	RetryCostExceedsMaxCost        = "CostExceedsMaxCost"
	RetryLoanCondition             = "LoanCondition"
	RetryMultiVolAvail             = "MultiVolAvail"
	RetryNotCurrentAvailableForILL = "NotCurrentAvailableForILL"
	RetryReqDelDateNotPossible     = "ReqDelDateNotPossible"
	RetryReqDelMethodNotSupp       = "ReqDelMethodNotSupp"
	RetryReqFormatNotPossible      = "ReqFormatNotPossible"
)

// Common values of DeliveryInfo.SentVia, an open list.
const (
	SentViaMail            = "Mail"
	SentViaEmail           = "Email"
	SentViaFTP             = "FTP"
	SentViaURL             = "URL"
	SentViaArticleExchange = "ArticleExchange"
)

// enum is a closed list of values, matched without regard to letter case.
type enum struct {
	name   string // the schema type, for messages
	values []string
	open   bool // an open list: unknown values are kept
}

var (
	enumStatus = enum{name: "status", values: []string{
		StatusRequestReceived, StatusExpectToSupply, StatusWillSupply, StatusLoaned,
		StatusOverdue, StatusRecalled, StatusRetryPossible, StatusUnfilled,
		StatusCopyCompleted, StatusLoanCompleted, StatusCompletedWithoutReturn, StatusCancelled}}
	enumReason = enum{name: "reasonForMessage", values: []string{
		ReasonRequestResponse, ReasonStatusRequestResponse, ReasonRenewResponse,
		ReasonCancelResponse, ReasonStatusChange, ReasonNotification}}
	enumAction = enum{name: "action", values: []string{
		ActionStatusRequest, ActionReceived, ActionCancel, ActionRenew,
		ActionShippedReturn, ActionShippedForward, ActionNotification}}
	enumServiceType = enum{name: "serviceType", values: []string{
		ServiceCopy, ServiceLoan, ServiceCopyOrLoan}}
	enumRequestType = enum{name: "requestType", values: []string{
		RequestTypeNew, RequestTypeRetry, RequestTypeReminder}}
	enumRequestSubType = enum{name: "requestSubType", values: []string{
		SubTypeBookingRequest, SubTypeMultipleItemRequest, SubTypePatronRequest,
		SubTypeTransferRequest, SubTypeSupplyingLibrarysChoice}}
	enumErrorType = enum{name: "errorType", values: []string{
		ErrorUnsupportedActionType, ErrorUnsupportedReasonForMessageType,
		ErrorUnrecognisedDataElement, ErrorUnrecognisedDataValue, ErrorBadlyFormedMessage}}
	enumMessageStatus = enum{name: "messageStatus", values: []string{
		MessageStatusOK, MessageStatusError}}
	enumYesNo          = enum{name: "yesNo", values: []string{Yes, No}}
	enumReasonUnfilled = enum{name: "reasonUnfilled", open: true, values: []string{
		UnfilledNotHeld, UnfilledNotOnShelf, UnfilledNotAvailableForILL, UnfilledNonCirculating,
		UnfilledPoorCondition, UnfilledPolicyProblem, UnfilledOther}}
	enumReasonRetry = enum{name: "reasonRetry", open: true, values: []string{
		RetryNotFoundAsCited, RetryAtBindery, RetryOnLoan, RetryOnOrder, RetryCostExceedsMaxCost,
		RetryLoanCondition, RetryMultiVolAvail, RetryNotCurrentAvailableForILL,
		RetryReqDelDateNotPossible, RetryReqDelMethodNotSupp, RetryReqFormatNotPossible}}
)

// normalise returns the standard spelling of v (surrounding space removed,
// letter case ignored); ok is false when v is not in a closed list. An empty
// v gives "" and true.
func (e enum) normalise(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", true
	}
	for _, s := range e.values {
		if strings.EqualFold(s, v) {
			return s, true
		}
	}
	if e.name == enumYesNo.name {
		switch strings.ToLower(v) {
		case "yes", "true", "1":
			return Yes, true
		case "no", "false", "0":
			return No, true
		}
	}
	return v, e.open
}

// allowed lists the values for an error message.
func (e enum) allowed() string { return strings.Join(e.values, ", ") }

// NormaliseStatus returns the standard spelling of a status ("copycompleted"
// gives "CopyCompleted"); ok is false when s is not a status.
func NormaliseStatus(s string) (string, bool) { return normaliseClosed(enumStatus, s) }

// NormaliseReasonForMessage returns the standard spelling of a
// reasonForMessage; ok is false when s is not one.
func NormaliseReasonForMessage(s string) (string, bool) { return normaliseClosed(enumReason, s) }

// NormaliseAction returns the standard spelling of an action; ok is false
// when s is not one.
func NormaliseAction(s string) (string, bool) { return normaliseClosed(enumAction, s) }

// NormaliseErrorType returns the standard spelling of an errorType; ok is
// false when s is not one.
func NormaliseErrorType(s string) (string, bool) { return normaliseClosed(enumErrorType, s) }

func normaliseClosed(e enum, s string) (string, bool) {
	v, ok := e.normalise(s)
	if v == "" {
		return "", false
	}
	return v, ok
}
