package domain

import (
	"bytes"
	"fmt"
)

// ImportFile is one file staff chose to import (illdesk import, the
// window's File → Import…): its name and contents, or why the front end
// could not read it.
type ImportFile struct {
	Name    string
	Data    []byte
	ReadErr error
}

// FileImport is what became of one imported file: a partner message's
// result and the confirmation it was answered with, or a history file's
// result; Err says why the file was refused, with nothing of it stored.
type FileImport struct {
	Name         string
	Err          error
	Message      ImportResult
	Confirmation []byte
	// History is set for a history .csv file, refused or not (its bad
	// lines are in Problems).
	History *HistoryResult
}

// ImportSummary is what an import did, file by file, in the order given.
type ImportSummary struct {
	Files []FileImport
}

// Refused is how many files were refused.
func (s ImportSummary) Refused() int {
	n := 0
	for _, f := range s.Files {
		if f.Err != nil {
			n++
		}
	}
	return n
}

// Outcome is the sentence for staff of what an imported file did: the
// message's outcome, or how many past requests a history file added.
func (f FileImport) Outcome() string {
	if f.History != nil {
		return fmt.Sprintf("Imported %d past requests (%d closed, %d open).", f.History.Imported, f.History.Closed, f.History.Open)
	}
	return f.Message.Outcome
}

// Import takes in the files staff chose: ISO 18626 partner messages, each
// on its own (a refused one stores nothing and the others go on), or one
// history .csv file, whose requests are imported all together or, when a
// line is bad, none of them. A history file with other files is refused
// before anything is read.
func (d *Desk) Import(files []ImportFile, by Actor) (ImportSummary, error) {
	for _, f := range files {
		if IsHistoryFile(f.Name) && len(files) > 1 {
			return ImportSummary{}, refuse(ErrInvalidInput, "Import a history .csv file on its own, not with other files.")
		}
	}
	var s ImportSummary
	for _, f := range files {
		fi := FileImport{Name: f.Name, Err: f.ReadErr}
		switch {
		case fi.Err != nil:
		case IsHistoryFile(f.Name):
			res, err := d.ImportHistory(bytes.NewReader(f.Data), by)
			fi.History, fi.Err = &res, err
		default:
			fi.Message, fi.Confirmation, fi.Err = d.Intake(f.Data)
		}
		s.Files = append(s.Files, fi)
	}
	return s, nil
}
