package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// facetGroup is one facet: a heading and a radio group of values with counts.
type facetGroup struct {
	title  *widget.Label
	radio  *widget.RadioGroup
	values []string
	// setting is true while the pane changes the selection itself, so that
	// onPick is not called back.
	setting bool
	onPick  func(value string)
}

func newFacetGroup(title string, onPick func(string)) *facetGroup {
	g := &facetGroup{title: widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), onPick: onPick}
	g.radio = widget.NewRadioGroup(nil, func(label string) {
		if g.setting {
			return
		}
		for i, o := range g.radio.Options {
			if o == label {
				g.onPick(g.values[i])
				return
			}
		}
	})
	g.radio.Required = true
	return g
}

// set shows the facet's values with their counts and marks the chosen one.
func (g *facetGroup) set(values []domain.FacetValue, chosen string) {
	g.values = g.values[:0]
	opts := make([]string, 0, len(values))
	selected := ""
	for _, v := range values {
		label := fmt.Sprintf("%s (%d)", v.Label, v.Count)
		if v.Counting {
			label = v.Label + " (…)" // a department database counts it a moment later
		}
		g.values = append(g.values, v.Value)
		opts = append(opts, label)
		if v.Value == chosen {
			selected = label
		}
	}
	g.setting = true
	g.radio.Options = opts
	g.radio.Selected = selected
	g.radio.Refresh()
	g.setting = false
}

// FacetPane is the left pane: Side, Status, Partner and Format with
// counts; and the search field above the list.
type FacetPane struct {
	side, status, partner, format *facetGroup
	formatBox                     *fyne.Container
	box                           *fyne.Container
	search                        *keyEntry
	// clear empties the search field; it shows only while there is text.
	clear *widget.Button
	// onSearch filters the list by the text in the search field; onScan
	// takes a code scanned while the field has the focus.
	onSearch, onScan func(string)
	// onKey is the window's handling of the navigation keys the search
	// field does not keep for itself (Escape on an empty field, arrows).
	onKey func(*fyne.KeyEvent) bool
}

func newFacetPane(onSide, onStatus, onPartner, onFormat func(string)) *FacetPane {
	p := &FacetPane{
		side:    newFacetGroup("Side", onSide),
		status:  newFacetGroup("Status", onStatus),
		partner: newFacetGroup("Partner", onPartner),
		format:  newFacetGroup("Format", onFormat),
	}
	p.search = newKeyEntry()
	p.search.SetPlaceHolder("Search title, external id, barcode, requester  (" + shortcutText("F") + ")")
	p.search.OnChanged = p.SetSearch
	p.search.OnSubmitted = func(code string) {
		p.search.SetText("")
		p.onScan(code)
	}
	p.search.onKey = p.searchKey
	p.clear = widget.NewButtonWithIcon("", theme.ContentClearIcon(), p.ClearSearch)
	p.clear.Importance = widget.LowImportance
	p.clear.Hide()
	p.search.ActionItem = p.clear
	p.formatBox = container.NewVBox(widget.NewSeparator(), p.format.title, p.format.radio)
	p.box = container.NewVBox(
		p.side.title, p.side.radio, widget.NewSeparator(),
		p.status.title, p.status.radio, widget.NewSeparator(),
		p.partner.title, p.partner.radio,
		p.formatBox)
	return p
}

func (p *FacetPane) object() fyne.CanvasObject { return container.NewVScroll(p.box) }

// show updates the counts and the chosen values from a filter.
func (p *FacetPane) show(fs domain.Facets, f domain.Filter) {
	p.side.set(fs.Side, string(f.Side))
	p.status.set(fs.Status, string(f.State))
	p.partner.set(fs.Partner, f.Partner)
	format := ""
	if f.Format != nil {
		format = string(*f.Format)
		if *f.Format == domain.FormatUnknown {
			format = domain.FormatBlank
		}
	}
	p.format.set(fs.Format, format)
	if f.Side == domain.Borrowing {
		p.formatBox.Hide()
	} else {
		p.formatBox.Show()
	}
}

// SetSearch filters the list by text (title, external id, barcode, requester).
func (p *FacetPane) SetSearch(text string) {
	if p.search.Text != text {
		p.search.SetText(text) // calls back here through OnChanged
		return
	}
	if text == "" {
		p.clear.Hide()
	} else {
		p.clear.Show()
	}
	p.onSearch(text)
}

// ClearSearch empties the search field, so the list shows every request
// the facets choose again: the field's clear button and Escape in it.
func (p *FacetPane) ClearSearch() { p.SetSearch("") }

// searchKey lets Escape clear a search first; Escape in an empty field and
// the arrows go to the window.
func (p *FacetPane) searchKey(k *fyne.KeyEvent) bool {
	if k.Name == fyne.KeyEscape && p.search.Text != "" {
		p.ClearSearch()
		return true
	}
	return p.onKey != nil && p.onKey(k)
}
