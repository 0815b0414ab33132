package sru

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// Response is what a searchRetrieve answered: its records (MARCXML) and
// diagnostics.
type Response struct {
	NumberOfRecords int
	Records         []Record
	Diagnostics     []Diagnostic
}

// Record is one MARCXML record: its control number (001) and data fields.
type Record struct {
	ID     string
	Fields []Field
}

// Field is one data field: its tag and subfields in order.
type Field struct {
	Tag       string
	Subfields []Sub
}

// Sub is one subfield.
type Sub struct {
	Code, Value string
}

// Diagnostic is an SRU diagnostic: the server's refusal or warning, shown
// to staff as the server words it (its message, details and URI).
type Diagnostic struct {
	URI, Details, Message string
}

func (d Diagnostic) Error() string {
	text := strings.TrimSpace(d.Message)
	if d.Details != "" {
		text = strings.TrimSpace(text + " (" + d.Details + ")")
	}
	if text == "" {
		text = "diagnostic"
	}
	if d.URI != "" {
		text += " [" + d.URI + "]"
	}
	return text
}

// The SRU elements read, by local name: 1.2 (http://www.loc.gov/zing/srw/)
// and 2.0 (http://docs.oasis-open.org/ns/search-ws/sruResponse) differ only
// in their namespaces here.
type xmlResponse struct {
	XMLName         xml.Name
	NumberOfRecords int         `xml:"numberOfRecords"`
	Records         []xmlRecord `xml:"records>record"`
	Diagnostics     []struct {
		URI     string `xml:"uri"`
		Details string `xml:"details"`
		Message string `xml:"message"`
	} `xml:"diagnostics>diagnostic"`
}

type xmlRecord struct {
	Data struct {
		Inner string `xml:",innerxml"`
		Text  string `xml:",chardata"`
	} `xml:"recordData"`
}

type xmlMARC struct {
	Controls []struct {
		Tag   string `xml:"tag,attr"`
		Value string `xml:",chardata"`
	} `xml:"controlfield"`
	Fields []struct {
		Tag  string `xml:"tag,attr"`
		Subs []struct {
			Code  string `xml:"code,attr"`
			Value string `xml:",chardata"`
		} `xml:"subfield"`
	} `xml:"datafield"`
}

// Parse reads a searchRetrieve response. Records packed as strings (XML
// escaped inside recordData) are read like records packed as XML.
func Parse(body []byte) (Response, error) {
	var x xmlResponse
	if err := xml.Unmarshal(body, &x); err != nil {
		return Response{}, fmt.Errorf("unreadable XML: %w", err)
	}
	if x.XMLName.Local != "searchRetrieveResponse" {
		return Response{}, fmt.Errorf("the answer is <%s>, not a searchRetrieveResponse", x.XMLName.Local)
	}
	out := Response{NumberOfRecords: x.NumberOfRecords}
	for _, d := range x.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, Diagnostic{URI: strings.TrimSpace(d.URI),
			Details: strings.TrimSpace(d.Details), Message: strings.TrimSpace(d.Message)})
	}
	for i, r := range x.Records {
		data := r.Data.Inner
		if t := strings.TrimSpace(r.Data.Text); strings.HasPrefix(t, "<") {
			data = t // string packing
		}
		rec, err := parseMARC([]byte(data))
		if err != nil {
			return Response{}, fmt.Errorf("record %d: %w", i+1, err)
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

// parseMARC reads one MARCXML record, in a <record> element or a
// <collection> of one.
func parseMARC(data []byte) (Record, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return Record{}, errors.New("no MARCXML record in recordData (is recordSchema marcxml served?)")
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "record" {
			continue
		}
		var m xmlMARC
		if err := dec.DecodeElement(&m, &start); err != nil {
			return Record{}, fmt.Errorf("unreadable MARCXML: %w", err)
		}
		var rec Record
		for _, c := range m.Controls {
			if c.Tag == "001" {
				rec.ID = strings.TrimSpace(c.Value)
			}
		}
		for _, f := range m.Fields {
			field := Field{Tag: f.Tag}
			for _, s := range f.Subs {
				field.Subfields = append(field.Subfields, Sub{Code: s.Code, Value: strings.TrimSpace(s.Value)})
			}
			rec.Fields = append(rec.Fields, field)
		}
		return rec, nil
	}
}

// Read maps records to holdings and e-resources as profile says: each
// occurrence of the holding field is one holding (one with none of its
// parts is skipped), each link of an electronic field one e-resource. The
// source of each holding names where it was found and its record.
func Read(p domain.SRUProfile, recs []Record, source string) ([]domain.Holding, []domain.EResource) {
	var holdings []domain.Holding
	var eres []domain.EResource
	seen := map[string]bool{}
	for _, rec := range recs {
		src := source
		if rec.ID != "" {
			src = "record " + rec.ID + " at " + source
		}
		for _, f := range rec.Fields {
			if f.Tag == p.Fields.Holding {
				h := domain.Holding{Location: f.join(p.Fields.Location), CallNumber: f.join(p.Fields.Call),
					ItemBarcode: f.join(p.Fields.Barcode), Note: f.join(p.Fields.Note), Source: src}
				if h.Location+h.CallNumber+h.ItemBarcode+h.Note != "" {
					holdings = append(holdings, h)
				}
			}
			for _, ef := range p.Electronic {
				if f.Tag != ef.Tag {
					continue
				}
				link := f.first(ef.URL)
				if u, err := url.Parse(link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || seen[link] {
					continue
				}
				seen[link] = true
				name := ""
				for _, code := range ef.Names {
					if name = f.first(code); name != "" {
						break
					}
				}
				if name == "" {
					name = "Catalogue link"
				}
				eres = append(eres, domain.EResource{Name: name, URL: link})
			}
		}
	}
	return holdings, eres
}

// join is the values of the field's subfields named, space-separated.
func (f Field) join(subs []domain.Subfield) string {
	var parts []string
	for _, want := range subs {
		for _, s := range f.Subfields {
			if s.Code == want.Code && s.Value != "" {
				parts = append(parts, s.Value)
			}
		}
	}
	return strings.Join(parts, " ")
}

// first is the value of the field's first subfield with code.
func (f Field) first(code string) string {
	for _, s := range f.Subfields {
		if s.Code == code && s.Value != "" {
			return s.Value
		}
	}
	return ""
}
