package domain

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFetcher serves pdfContent from a temporary file, or fails with err.
type fakeFetcher struct {
	t    *testing.T
	err  error
	got  []Destination
	done int
}

func (f *fakeFetcher) Fetch(_ context.Context, to Destination, maxBytes int64) (string, func(), error) {
	f.got = append(f.got, to)
	if f.err != nil {
		return "", nil, f.err
	}
	path := filepath.Join(f.t.TempDir(), "copy.pdf")
	require.NoError(f.t, os.WriteFile(path, []byte(pdfContent), 0o600))
	return path, func() { f.done++ }, nil
}

// copyFixture is a rota's request for an article whose first lender
// answered CopyCompleted with a link.
func copyFixture(t *testing.T, email string) (*deskFixture, *fakeFetcher, Request) {
	f := newRotaFixture(t)
	fetch := &fakeFetcher{t: t}
	f.desk.fetcher = fetch
	r := f.rota(func(in *BorrowingInput) { in.ArticleTitle, in.RequesterEmail = "On copies", email })
	f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) {
		in.Reason, in.Status, in.DeliveryURL = "RequestResponse", "CopyCompleted", "https://rapid.example/f/tok"
	})
	return f, fetch, f.stored(r.ID)
}

func TestCopyFetchedStoredAndSentToThePatron(t *testing.T) {
	f, fetch, r := copyFixture(t, "pat@example.org")
	assert.Equal(t, CopyReceived, r.State)
	require.NotNil(t, r.Copy)
	assert.Equal(t, "https://rapid.example/f/tok", r.Copy.URL)

	fetched, failed, err := f.desk.fetchCopies(context.Background())
	require.NoError(t, err)
	assert.Equal(t, [2]int{1, 0}, [2]int{fetched, failed})
	require.Len(t, fetch.got, 1)
	assert.Equal(t, "https://rapid.example/f/tok", fetch.got[0].URL)
	assert.Empty(t, fetch.got[0].Token, "our token to the lender is not sent to a download link")
	assert.Equal(t, 1, fetch.done, "the temporary file is removed")
	r = f.stored(r.ID)
	require.NotNil(t, r.ShippedFile)
	assert.Equal(t, 19, r.ShippedFile.Pages)
	assert.Equal(t, pdfContent, string(f.vault.files[r.ShippedFile.Name]))
	assert.Equal(t, CopyReceived, r.State, "completed once the patron has it")
	assert.Contains(t, r.History[len(r.History)-1].Note, "sent to pat@example.org as an attachment")

	// nothing more to fetch
	fetched, _, err = f.desk.fetchCopies(context.Background())
	require.NoError(t, err)
	assert.Zero(t, fetched)

	s := &fakeSender{}
	delivered, _, err := f.desk.deliverFiles(context.Background(), f.desk.dispatch.holder, s)
	require.NoError(t, err)
	assert.Equal(t, 1, delivered)
	require.Len(t, s.got, 1)
	assert.Equal(t, DeliveryEmail, s.got[0].Method)
	assert.Equal(t, "pat@example.org", s.got[0].Target)
	assert.Equal(t, r.ShippedFile.Name, s.got[0].File)
	r = f.stored(r.ID)
	assert.Equal(t, Completed, r.State)
	assert.Equal(t, ActCopyDelivered, r.History[len(r.History)-1].Action)
}

func TestCopyByDownloadLink(t *testing.T) {
	f, _, r := copyFixture(t, "pat@example.org")
	require.NoError(t, f.desk.SetBorrowingSetting("copy-delivery", "link"))
	require.NoError(t, f.desk.SetPublicURL("https://ill.example.edu"))
	_, _, err := f.desk.fetchCopies(context.Background())
	require.NoError(t, err)
	ns := f.notices()
	require.Len(t, ns, 1)
	assert.Equal(t, NoticeCopyLink, ns[0].Kind)
	assert.Contains(t, ns[0].Body, "https://ill.example.edu"+LinkPath+"tok")
	links, err := f.desk.LiveLinks(r.ID)
	require.NoError(t, err)
	require.Len(t, links, 1)
	assert.Equal(t, "pat@example.org", links[0].Target)

	s := &fakeSender{}
	delivered, _, err := f.desk.deliverFiles(context.Background(), f.desk.dispatch.holder, s)
	require.NoError(t, err)
	assert.Zero(t, delivered, "a link is not sent as a file")
	assert.Equal(t, CopyReceived, f.stored(r.ID).State)
	sent, _, err := f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	r = f.stored(r.ID)
	assert.Equal(t, Completed, r.State)
	assert.Equal(t, "Download link notice sent to pat@example.org by email", r.History[len(r.History)-2].Note)
}

func TestCopyFetchProblems(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *deskFixture, fetch *fakeFetcher)
		stopped bool
		note    string
	}{
		{"lender unreachable: retried", func(f *deskFixture, fetch *fakeFetcher) { fetch.err = errors.New("connection refused") },
			false, "connection refused; will retry"},
		{"not a PDF: left to staff", func(f *deskFixture, fetch *fakeFetcher) {
			f.pf.report = PreflightReport{Verdict: VerdictReject, Message: "It is not a PDF."}
		}, true, "fails preflight: It is not a PDF."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, fetch, r := copyFixture(t, "pat@example.org")
			tt.setup(f, fetch)
			fetched, failed, err := f.desk.fetchCopies(context.Background())
			require.NoError(t, err)
			assert.Equal(t, [2]int{0, 1}, [2]int{fetched, failed})
			r = f.stored(r.ID)
			assert.Equal(t, CopyReceived, r.State)
			assert.Nil(t, r.ShippedFile)
			assert.Equal(t, tt.stopped, r.Copy.Stopped)
			assert.Contains(t, r.History[len(r.History)-1].Note, tt.note)
			assert.Empty(t, f.vault.files)
			// not tried again at once
			_, failed, err = f.desk.fetchCopies(context.Background())
			require.NoError(t, err)
			assert.Zero(t, failed)
		})
	}
}

func TestCopyForAPatronWithoutEmail(t *testing.T) {
	f, _, r := copyFixture(t, "")
	_, _, err := f.desk.fetchCopies(context.Background())
	require.NoError(t, err)
	r = f.stored(r.ID)
	require.NotNil(t, r.ShippedFile)
	assert.True(t, strings.Contains(r.History[len(r.History)-1].Note, "close the request by hand"))
	dls, err := f.desk.Deliveries(r.ID)
	require.NoError(t, err)
	assert.Empty(t, dls)
}

func TestCopyDeliverySetting(t *testing.T) {
	f := newRotaFixture(t)
	for _, v := range []string{"link", "attachment"} {
		require.NoError(t, f.desk.SetBorrowingSetting("copy-delivery", v))
	}
	assert.ErrorIs(t, f.desk.SetBorrowingSetting("copy-delivery", "fax"), ErrInvalidInput)
}

func TestAttachACopyThatCameByEmail(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota(func(in *BorrowingInput) { in.ArticleTitle, in.RequesterEmail = "On copies", "pat@example.org" })
	file := filepath.Join(t.TempDir(), "scan.pdf")
	require.NoError(t, os.WriteFile(file, []byte(pdfContent), 0o600))
	_, err := f.desk.AttachCopy(r.ID, file, atRS)
	require.ErrorIs(t, err, ErrIllegalTransition, "not before the lender's CopyCompleted")

	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("CopyCompleted")) // sent by email: no link
	require.Nil(t, f.stored(r.ID).Copy)
	f.pf.report = PreflightReport{Verdict: VerdictReject, Message: "It is not a PDF."}
	_, err = f.desk.AttachCopy(r.ID, file, atRS)
	require.ErrorIs(t, err, ErrPreflightRejected)
	assert.Empty(t, f.vault.files, "a refused file is not kept")

	f.pf.report = PreflightReport{Verdict: VerdictAccept, Pages: 4}
	got, err := f.desk.AttachCopy(r.ID, file, atRS)
	require.NoError(t, err)
	require.NotNil(t, got.ShippedFile)
	assert.Equal(t, 4, got.ShippedFile.Pages)
	assert.Contains(t, got.History[len(got.History)-1].Note, "sent to pat@example.org as an attachment")
	_, err = f.desk.AttachCopy(r.ID, file, atRS)
	require.ErrorIs(t, err, ErrIllegalTransition, "once")
	delivered, _, err := f.desk.deliverFiles(context.Background(), f.desk.dispatch.holder, &fakeSender{})
	require.NoError(t, err)
	assert.Equal(t, 1, delivered)
	assert.Equal(t, Completed, f.stored(r.ID).State)
}
