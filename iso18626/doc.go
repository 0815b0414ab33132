// Package iso18626 reads and writes ISO 18626 interlibrary-loan messages
// (namespace http://illtransactions.org/2013/iso18626).
//
// Parse is liberal where the meaning is clear and strict where it is not. It
// accepts the six message kinds with or without the ISO18626Message envelope,
// with or without the namespace and under any prefix, versions 1.0, 1.1, 1.2
// and 2021, elements in any order, empty optional elements, xs:dateTime
// values and their common variants (a +0000 offset, no zone, a date alone),
// and enumerated values in any letter case. It refuses, with a *ParseError
// naming the line and element, anything whose meaning is unclear: a DTD or
// entity declaration, a malformed document, a value that is not of the type
// the element needs (a template placeholder such as ${now} in a timestamp),
// an unknown enumerated value, an element given twice, or a message without
// what an ILL workstation needs to act on it (agency ids, the requesting
// agency's request id, a title, a status...). Elements it does not know are
// skipped. requestingAgencyAuthentication is read so that the desk can check
// a partner's security code; the desk never stores it.
//
// Marshal writes version 1.2: the ISO18626Message envelope, the ill: prefix,
// elements in schema order and RFC 3339 timestamps. It refuses a message the
// schema or Parse would refuse, so whatever it writes both validates against
// ISO-18626-v1_2.xsd and parses back to the same Message.
//
// NewSupplyingAgencyMessage, NewRequestingAgencyMessage, Confirm and
// ConfirmParseError build the messages a workstation sends.
//
// Codec connects the desk to the standard: it implements domain.MessageCodec,
// turning partner messages into the desk's Incoming and its Outgoing into
// schema-valid XML.
package iso18626
