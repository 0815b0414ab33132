package ui

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// statusFor is how long the status line keeps a message.
const statusFor = 20 * time.Second

// StatusLine is the line at the bottom of the window for background news
// and what actions that change no request say (messages.go says which
// message goes where); everything it says also goes to the log.
type StatusLine struct {
	label *widget.Label
	log   func(string)
	// refused sees every refusal and reports whether the storage bar shows
	// it instead (MainWindow.diskFault); succeeded sees every success (the
	// cue that the department database answers again).
	refused   func(error) bool
	succeeded func()
	// do runs the clearing timer's work on Fyne's goroutine; gen counts
	// messages so an old timer does not clear a newer one.
	do  func(func())
	gen int
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
	s.say(msg, widget.SuccessImportance)
	if s.succeeded != nil {
		s.succeeded()
	}
}

// fail puts a refusal on the status line; its message is a sentence for
// staff. A disk fault is the storage bar's alone.
func (s *StatusLine) fail(err error) {
	msg := refusalText(err)
	var ref *domain.Refusal
	if !errors.As(err, &ref) {
		msg = "Something went wrong: " + msg
	}
	s.log(msg)
	if s.refused != nil && s.refused(err) {
		return
	}
	s.say(msg, widget.DangerImportance)
}

// say shows msg until statusFor has passed or another message is shown.
func (s *StatusLine) say(msg string, imp widget.Importance) {
	s.gen++
	gen := s.gen
	s.label.Importance = imp
	s.label.SetText(msg)
	if s.do == nil {
		return
	}
	time.AfterFunc(statusFor, func() {
		s.do(func() {
			if s.gen == gen {
				s.clear()
			}
		})
	})
}

// clear empties the status line: a newer message is shown elsewhere.
func (s *StatusLine) clear() {
	s.gen++
	s.label.SetText("")
}

// Text is what the status line says now.
func (s *StatusLine) Text() string { return s.label.Text }
