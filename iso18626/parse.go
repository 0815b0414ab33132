package iso18626

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of Parse. A real message is a few kilobytes, a few hundred
// elements, at most seven levels deep.
const (
	// MaxSize is the largest message Parse reads, in bytes.
	MaxSize = 1 << 20
	// MaxDepth is the deepest nesting of elements Parse accepts.
	MaxDepth = 32
	// MaxElements is the largest number of elements Parse accepts.
	MaxElements = 20000
)

// Sentinel errors a *ParseError may wrap, for errors.Is.
var (
	// ErrDTD means the message has a DTD or entity declaration.
	ErrDTD = errors.New("DTDs and entities are not accepted")
	// ErrTooLarge means the message is larger than MaxSize.
	ErrTooLarge = errors.New("message too large")
	// ErrTooDeep means elements nest deeper than MaxDepth, or there are more than MaxElements.
	ErrTooDeep = errors.New("message nested too deep or too many elements")
	// ErrNotISO18626 means the document is not an ISO 18626 message at all.
	ErrNotISO18626 = errors.New("not an ISO 18626 message")
)

// ParseError says why Parse refused a message, and where.
type ParseError struct {
	// Line is the 1-based line of the element at fault (or of the syntax
	// error); 0 when the fault is not at a place (e.g. the message is too large).
	Line int
	// Element is the local name of the element at fault, "" when none.
	Element string
	// Msg says what is wrong.
	Msg string
	// Err is a sentinel such as ErrDTD when one applies, else nil.
	Err error

	errorType string // the ISO 18626 errorType to confirm with
}

// Error writes e.g. `line 12, element <timestamp>: not a date and time: "yesterday"`.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d", e.Line)
	}
	if e.Element != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "element <%s>", e.Element)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// ErrorType is the ISO 18626 errorType that answers this error:
// UnsupportedActionType for an unknown action, UnsupportedReasonForMessageType
// for an unknown reasonForMessage, UnrecognisedDataValue for another value
// of the wrong type, BadlyFormedMessage for everything else.
func (e *ParseError) ErrorType() string {
	if e.errorType == "" {
		return ErrorBadlyFormedMessage
	}
	return e.errorType
}

// node is an element of the message as read, before its meaning is checked.
type node struct {
	local string
	space string
	attr  []xml.Attr
	text  strings.Builder
	kids  []*node
	line  int
}

// value is the text of the element without surrounding white space.
func (n *node) value() string { return strings.TrimSpace(n.text.String()) }

// Parse reads one ISO 18626 message; see the package documentation for what
// it accepts. Every refusal is a *ParseError. Parse reads at most MaxSize+1
// bytes of r.
func Parse(r io.Reader) (Message, error) {
	if r == nil {
		return Message{}, &ParseError{Msg: "no message", Err: ErrNotISO18626}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Message{}, &ParseError{Msg: "cannot read message: " + err.Error(), Err: err}
	}
	if len(data) > MaxSize {
		return Message{}, &ParseError{Msg: fmt.Sprintf("message larger than %d bytes (1 MiB)", MaxSize), Err: ErrTooLarge}
	}
	root, err := readTree(data)
	if err != nil {
		return Message{}, err
	}
	return decodeMessage(root)
}

// readTree reads the document into a tree of nodes, refusing DTDs, bad
// syntax and documents too deep or too large.
func readTree(data []byte) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	var (
		root  *node
		stack []*node
		count int
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(err, line, stack)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &ParseError{Line: line, Element: t.Name.Local, Msg: "content after the end of the message"}
			}
			count++
			if len(stack) >= MaxDepth || count > MaxElements {
				msg := fmt.Sprintf("elements nested deeper than %d", MaxDepth)
				if count > MaxElements {
					msg = fmt.Sprintf("more than %d elements", MaxElements)
				}
				return nil, &ParseError{Line: line, Element: t.Name.Local, Msg: msg, Err: ErrTooDeep}
			}
			n := &node{local: t.Name.Local, space: t.Name.Space, attr: t.Attr, line: line}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				el := ""
				if root != nil {
					el = root.local
				}
				return nil, &ParseError{Line: line, Element: el, Msg: "text outside the message element"}
			}
		case xml.Directive:
			return nil, &ParseError{Line: line, Msg: ErrDTD.Error(), Err: ErrDTD}
		}
	}
	if root == nil {
		return nil, &ParseError{Line: 1, Msg: "no XML element: not an ISO 18626 message", Err: ErrNotISO18626}
	}
	return root, nil
}

func syntaxError(err error, line int, stack []*node) error {
	el := ""
	if len(stack) > 0 {
		el = stack[len(stack)-1].local
	}
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, msg = se.Line, se.Msg
	}
	return &ParseError{Line: line, Element: el, Msg: "not well-formed XML: " + msg}
}

// charsetReader decodes the single-byte encodings a message may declare
// besides UTF-8.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
		return &singleByteReader{r: input}, nil
	case "windows-1252", "cp1252", "x-cp1252":
		return &singleByteReader{r: input, cp1252: true}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", label)
}

// cp1252 maps bytes 0x80-0x9F of windows-1252; the rest is ISO-8859-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

type singleByteReader struct {
	r      io.Reader
	cp1252 bool
	in     [512]byte
	out    []byte
}

// Read decodes the next bytes of the input to UTF-8.
func (s *singleByteReader) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		n, err := s.r.Read(s.in[:])
		for _, c := range s.in[:n] {
			r := rune(c)
			if s.cp1252 && c >= 0x80 && c < 0xA0 {
				r = cp1252[c-0x80]
			}
			s.out = utf8.AppendRune(s.out, r)
		}
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}
