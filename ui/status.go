package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// StatusLine is the line at the bottom of the window saying what the last
// action did or why it was refused; everything it says also goes to the log.
type StatusLine struct {
	label *widget.Label
	log   func(string)
	// refused sees every refusal shown (the storage bar's cue), and
	// succeeded every success (the cue that the database answers again).
	refused   func(error)
	succeeded func()
}

func newStatusLine(log func(string)) *StatusLine {
	s := &StatusLine{label: widget.NewLabel(""), log: log}
	s.label.Wrapping = fyne.TextWrapWord
	s.label.TextStyle = fyne.TextStyle{Bold: true}
	return s
}

func (s *StatusLine) object() fyne.CanvasObject { return s.label }

// info says what went well.
func (s *StatusLine) info(msg string) {
	s.log(msg)
	s.label.Importance = widget.SuccessImportance
	s.label.SetText(msg)
	if s.succeeded != nil {
		s.succeeded()
	}
}

// fail puts a refusal on the status line; its message is a sentence for staff.
func (s *StatusLine) fail(err error) {
	msg := refusalText(err)
	var ref *domain.Refusal
	if !errors.As(err, &ref) {
		msg = "Something went wrong: " + msg
	}
	s.log(msg)
	s.label.Importance = widget.DangerImportance
	s.label.SetText(msg)
	if s.refused != nil {
		s.refused(err)
	}
}

// Text is what the status line says now.
func (s *StatusLine) Text() string { return s.label.Text }
