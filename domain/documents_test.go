package domain

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- a fake Documents ----

type combineCall struct {
	Inputs []string
	Out    string
}

type slipCall struct {
	Slip PickSlip
	Out  string
}

// fakeDocs records what it is asked to make and writes nothing.
type fakeDocs struct {
	mu         sync.Mutex
	combines   []combineCall
	slips      []slipCall
	combineErr error
	slipErr    error
}

func (d *fakeDocs) Combine(inputs []string, out string) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.combines = append(d.combines, combineCall{Inputs: slices.Clone(inputs), Out: out})
	if d.combineErr != nil {
		return 0, d.combineErr
	}
	return len(inputs), nil
}

func (d *fakeDocs) WritePickSlip(s PickSlip, out string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.slips = append(d.slips, slipCall{Slip: s, Out: out})
	return d.slipErr
}

var _ Documents = (*fakeDocs)(nil)

// ---- a file system in memory ----

// memFolders is Folders in memory: the folders and files a test puts there
// and the folders the desk makes.
type memFolders struct {
	mu       sync.Mutex
	dirs     map[string]bool
	files    map[string][]byte
	mkdirErr error // what MakeDir fails with, when set
}

func newMemFolders() *memFolders {
	return &memFolders{dirs: map[string]bool{}, files: map[string][]byte{}}
}

// mkdir adds dir and its parents.
func (m *memFolders) mkdir(dir string) {
	for ; !m.dirs[dir]; dir = filepath.Dir(dir) {
		m.dirs[dir] = true
	}
}

// dir adds a folder, and its parents, and returns its path.
func (m *memFolders) dir(path string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdir(path)
	return path
}

// put adds a file, and the folders it is in, and returns its path.
func (m *memFolders) put(path string, content []byte) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdir(filepath.Dir(path))
	m.files[path] = content
	return path
}

func (m *memFolders) MakeDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mkdirErr != nil {
		return m.mkdirErr
	}
	m.mkdir(dir)
	return nil
}

func (m *memFolders) IsDir(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dirs[path]
}

func (m *memFolders) Head(path string, n int) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[path]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return bytes.Clone(b[:min(n, len(b))]), nil
}

func (m *memFolders) Files(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: errors.New("no such folder")}
	}
	var names []string
	for p := range m.files {
		if filepath.Dir(p) == dir {
			names = append(names, filepath.Base(p))
		}
	}
	slices.Sort(names)
	return names, nil
}

var _ Folders = (*memFolders)(nil)

// withDocuments is a second Desk over the fixture's store, clock and calendar
// that can make PDFs with docs in workDir.
func (f *deskFixture) withDocuments(docs Documents, workDir string) *Desk {
	return NewDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Folders: f.folders,
		Clock:     ClockFunc(func() time.Time { return f.now }),
		Calendar:  f.desk.Calendar(),
		Documents: docs, WorkDir: workDir})
}

// realPDF is a valid one-page PDF from the preflight corpus.
const realPDF = "../pdf/preflight/testdata/pdf/valid_text_1page.pdf"

// workDir is the work folder of the tests' desks, in memFolders.
var workDir = filepath.FromSlash("/desk/work")

// sample puts a file of the preflight corpus, as it is, into the fixture's
// folders under its own path, and returns the path.
func (f *deskFixture) sample(path string) string {
	f.t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(f.t, err)
	return f.folders.put(path, b)
}

// ---- stageScan ----

func TestStageScan(t *testing.T) {
	in := filepath.FromSlash("/scans")
	pdfA, pdfB := filepath.Join(in, "a.pdf"), filepath.Join(in, "b.pdf")
	png, jpg := filepath.Join(in, "page1.png"), filepath.Join(in, "page2.jpg")
	text := filepath.Join(in, "notes.pdf")
	renamed := "../pdf/preflight/testdata/pdf/png_renamed.pdf" // a PNG named .pdf
	dropped := func(f *deskFixture) {
		f.folders.put(pdfA, []byte(pdfContent))
		f.folders.put(pdfB, []byte(pdfContent))
		f.folders.put(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
		f.folders.put(jpg, []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
		f.folders.put(text, []byte("Scanned pages 12-30\n"))
		f.sample(realPDF)
		f.sample(renamed)
	}
	r := Request{ID: "rq-0001-7000-8000-000000007919", Side: Lending, ExternalID: "RAPID/2026:7", Partner: "RAPID", State: Created}

	tests := []struct {
		name    string
		files   []string
		combine bool // whether Documents.Combine is asked
	}{
		{"one real PDF is used as it is", []string{realPDF}, false},
		{"one minimal PDF is used as it is", []string{pdfA}, false},
		{"two PDFs are combined in order", []string{pdfB, pdfA}, true},
		{"one image is made a PDF", []string{png}, true},
		{"a PNG named .pdf is made a PDF", []string{renamed}, true},
		{"images and PDFs keep their order", []string{jpg, realPDF, png}, true},
		{"one missing file is checked as it is, to say it is missing", []string{filepath.Join(in, "gone.pdf")}, false},
		{"one file that is not a PDF is checked as it is, to say so", []string{text}, false},
		{"one JPEG is made a PDF", []string{jpg}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			dropped(f)
			docs := &fakeDocs{}
			d := f.withDocuments(docs, workDir)
			before := f.store.snapshot()

			out, err := d.stageScan(r, slices.Clone(tt.files))
			require.NoError(t, err)
			assert.Equal(t, before, f.store.snapshot(), "preparing a scan stores nothing")
			if !tt.combine {
				assert.Equal(t, tt.files[0], out, "the PDF itself")
				assert.Empty(t, docs.combines, "Documents is not asked")
				return
			}
			require.Len(t, docs.combines, 1)
			assert.Equal(t, tt.files, docs.combines[0].Inputs, "the files, in order")
			assert.Equal(t, out, docs.combines[0].Out, "the combined PDF is what is returned")
			staging := filepath.Join(workDir, "staging")
			assert.Equal(t, staging, filepath.Dir(out), "in the work folder's staging folder")
			assert.True(t, f.folders.IsDir(staging), "the staging folder is made")
			base := filepath.Base(out)
			assert.True(t, strings.HasPrefix(base, "RAPID_2026_7"), "named after the sanitized external id: %s", base)
			assert.Equal(t, ".pdf", filepath.Ext(base))
			assert.NotContains(t, base, "/")
			assert.NotContains(t, base, ":")
		})
	}
}

func TestStageScanWithoutDocumentsUsesASinglePDF(t *testing.T) {
	f := newDeskFixture(t)
	f.sample(realPDF)
	out, err := f.desk.stageScan(Request{ID: "x", Side: Lending, ExternalID: "R-1", State: Created}, []string{realPDF})
	require.NoError(t, err)
	assert.Equal(t, realPDF, out)
}

// A desk that cannot reach the file system cannot tell an image nor
// make a PDF: one file goes to the preflight as it is, several are refused.
func TestStageScanWithoutFolders(t *testing.T) {
	f := newDeskFixture(t)
	f.sample(realPDF)
	png := f.folders.put(filepath.FromSlash("/scans/page1.png"), []byte("\x89PNG\r\n\x1a\n"))
	docs := &fakeDocs{}
	d := NewDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Documents: docs, WorkDir: workDir})
	r := Request{ID: "x", Side: Lending, ExternalID: "R-1", State: Created}
	before := f.store.snapshot()
	out, err := d.stageScan(r, []string{realPDF})
	require.NoError(t, err)
	assert.Equal(t, realPDF, out, "one file is checked as it is")
	out, err = d.stageScan(r, []string{realPDF, png})
	f.refused(err, ErrNoDocuments, before)
	assert.Empty(t, out)
	assert.Empty(t, docs.combines)
}

func TestStageScanRefusals(t *testing.T) {
	png := filepath.FromSlash("/scans/page1.png")
	two := []string{realPDF, png}
	boom := errors.New("page1.png is not an image we can read")
	r := Request{ID: "rq-1", Side: Lending, ExternalID: "R-1", Partner: "RAPID", State: Created}
	tests := []struct {
		name       string
		docs       bool
		workDir    bool
		combineErr error
		files      []string
		want       error
		asked      bool // whether Combine was called
	}{
		{"no files", true, true, nil, nil, ErrInvalidInput, false},
		{"empty list", true, true, nil, []string{}, ErrInvalidInput, false},
		{"no files and no documents", false, false, nil, nil, ErrInvalidInput, false},
		{"combine fails", true, true, boom, two, ErrPreflightRejected, true},
		{"combine fails on one image", true, true, boom, []string{png}, ErrPreflightRejected, true},
		{"no documents", false, true, nil, two, ErrNoDocuments, false},
		{"no work folder", true, false, nil, two, ErrNoDocuments, false},
		{"neither", false, false, nil, []string{png}, ErrNoDocuments, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.sample(realPDF)
			f.folders.put(png, []byte("\x89PNG\r\n\x1a\n"))
			fake := &fakeDocs{combineErr: tt.combineErr}
			var docs Documents
			if tt.docs {
				docs = fake
			}
			work := ""
			if tt.workDir {
				work = workDir
			}
			d := f.withDocuments(docs, work)
			before := f.store.snapshot()
			out, err := d.stageScan(r, tt.files)
			f.refused(err, tt.want, before)
			assert.Empty(t, out)
			assert.Equal(t, tt.asked, len(fake.combines) == 1, "combine asked: %v", fake.combines)
			if tt.combineErr != nil {
				assert.Contains(t, err.Error(), tt.combineErr.Error(), "staff see why")
			}
		})
	}
}

// ---- pick slips ----

func TestWritePickSlip(t *testing.T) {
	tests := []struct {
		name     string
		ext      string
		to       Station
		kind     string
		label    string
		fileName string
	}{
		{"digitization request", "RAPID-9", scanLab, "Digitization request", "Scan Lab (digitization)", "RAPID-9-slip.pdf"},
		{"move request", "RAPID-10", RSDesk, "Move request", "RS desk", "RAPID-10-slip.pdf"},
		{"external id that is not a file name", "../BVB:12/3", digitizationAt("Photo Lab"), "Digitization request",
			"Photo Lab (digitization)", SanitizeFileName("../BVB:12/3") + "-slip.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			docs := &fakeDocs{}
			d := f.withDocuments(docs, workDir)
			l := f.lending("RAPID", tt.ext, func(in *LendingInput) {
				in.Author = "Doe, Jane"
				in.Volume = "12"
				in.Number = "3"
				in.Year = "2024"
				in.Location = "Stacks, level 2"
				in.CallNumber = "QA76.9 .D3"
				in.ItemBarcode = "39000000009"
			})
			picked := wednesday.Add(90 * time.Minute)
			f.now = picked
			_, err := f.desk.Pick(l.ID, tt.to, "", atRS)
			require.NoError(t, err)
			f.now = wednesday.Add(3 * time.Hour) // the slip is printed later

			before := f.store.snapshot()
			out, err := d.WritePickSlip(l.ID)
			require.NoError(t, err)
			assert.Equal(t, before, f.store.snapshot(), "printing a slip stores nothing")
			assert.Equal(t, filepath.Join(workDir, "slips", tt.fileName), out)
			assert.True(t, f.folders.IsDir(filepath.Join(workDir, "slips")), "the slips folder is made")
			require.Len(t, docs.slips, 1)
			assert.Equal(t, out, docs.slips[0].Out)
			assert.Equal(t, PickSlip{
				Kind: tt.kind, To: tt.label, ExternalID: tt.ext, Partner: "RAPID",
				Title: "Journal of Tests", ArticleTitle: "On desks", Author: "Doe, Jane",
				Volume: "12", Number: "3", Year: "2024", Pages: "12-30",
				Location: "Stacks, level 2", CallNumber: "QA76.9 .D3", ItemBarcode: "39000000009",
				Requested: picked, Deadline: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC),
			}, docs.slips[0].Slip)
			assert.True(t, l.Deadline.Equal(docs.slips[0].Slip.Deadline))
		})
	}
}

func TestWritePickSlipByReferenceAndAfterArrival(t *testing.T) {
	f := newDeskFixture(t)
	docs := &fakeDocs{}
	d := f.withDocuments(docs, workDir)
	l := f.lending("BVB", "BVB-5")
	f.now = wednesday.Add(time.Hour)
	_, err := f.desk.Pick("BVB-5", RSDesk, "39000000005", atRS)
	require.NoError(t, err)
	f.now = wednesday.Add(2 * time.Hour)
	_, err = f.desk.Scan("39000000005", "", atRS)
	require.NoError(t, err)
	require.Equal(t, ItemAtDesk, f.stored(l.ID).State)

	out, err := d.WritePickSlip(" BVB-5 ")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(workDir, "slips", "BVB-5-slip.pdf"), out)
	require.Len(t, docs.slips, 1)
	s := docs.slips[0].Slip
	assert.Equal(t, "Move request", s.Kind)
	assert.Equal(t, "BVB", s.Partner)
	assert.Equal(t, "39000000005", s.ItemBarcode)
	assert.Equal(t, wednesday.Add(time.Hour), s.Requested, "the time of the pick, not of the arrival")
}

func TestWritePickSlipRefusals(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		docs    bool
		workDir bool
		want    error
	}{
		{"no pick requested", "RAPID-1", true, true, ErrInvalidInput},
		{"borrowing request", "BVB-B", true, true, ErrInvalidInput},
		{"unknown request", "NOPE-1", true, true, ErrNotFound},
		{"blank reference", "  ", true, true, ErrInvalidInput},
		{"no documents", "RAPID-P", false, true, ErrNoDocuments},
		{"no work folder", "RAPID-P", true, false, ErrNoDocuments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			fake := &fakeDocs{}
			var docs Documents
			if tt.docs {
				docs = fake
			}
			work := ""
			if tt.workDir {
				work = workDir
			}
			d := f.withDocuments(docs, work)
			f.lending("RAPID", "RAPID-1", func(in *LendingInput) { in.ItemBarcode = "39000000001" })
			p := f.lending("RAPID", "RAPID-P")
			_, err := f.desk.Pick(p.ID, scanLab, "39000000002", atRS)
			require.NoError(t, err)
			f.borrowing("BVB", "BVB-B")

			before := f.store.snapshot()
			out, err := d.WritePickSlip(tt.ref)
			f.refused(err, tt.want, before)
			assert.Empty(t, out)
			assert.Empty(t, fake.slips)
			if tt.workDir {
				assert.False(t, f.folders.IsDir(filepath.Join(work, "slips")), "no folder made for a refused slip")
			}
		})
	}
}

func TestWritePickSlipDocumentsFailure(t *testing.T) {
	f := newDeskFixture(t)
	boom := errors.New("disk full")
	docs := &fakeDocs{slipErr: boom}
	d := f.withDocuments(docs, workDir)
	l := f.lending("RAPID", "RAPID-1")
	_, err := f.desk.Pick(l.ID, RSDesk, "39000000001", atRS)
	require.NoError(t, err)
	before := f.store.snapshot()
	out, err := d.WritePickSlip(l.ID)
	require.ErrorIs(t, err, boom)
	assert.Empty(t, out)
	assert.Equal(t, before, f.store.snapshot())
}

func TestWritePickSlipWorkFolderFailure(t *testing.T) {
	f := newDeskFixture(t)
	boom := errors.New("permission denied")
	f.folders.mkdirErr = boom
	docs := &fakeDocs{}
	d := f.withDocuments(docs, workDir)
	l := f.lending("RAPID", "RAPID-1")
	_, err := f.desk.Pick(l.ID, RSDesk, "39000000001", atRS)
	require.NoError(t, err)
	before := f.store.snapshot()
	out, err := d.WritePickSlip(l.ID)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), filepath.Join(workDir, "slips"), "the folder is named")
	assert.Empty(t, out)
	assert.Empty(t, docs.slips, "no slip is written")
	assert.Equal(t, before, f.store.snapshot())
}
