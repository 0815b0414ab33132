package mail

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/illdesk/illdesk/domain"
)

// Files delivers shipped PDFs to partners (domain.FileSender): by email with
// the PDF attached — through the SMTP server of Settings, or as an .eml file
// in OutboxDir when none is configured — or by copying the PDF into the
// partner's folder.
type Files struct {
	Settings  domain.MailSettings
	OutboxDir string
}

var _ domain.FileSender = Files{}

// SendFile makes one attempt at a delivery; where says where the file went.
func (f Files) SendFile(d domain.Delivery, path string) (where string, err error) {
	switch d.Method {
	case domain.DeliveryEmail:
		return f.email(d, path)
	case domain.DeliveryFolder:
		return copyInto(d.Target, path, d.File)
	}
	return "", fmt.Errorf("delivery method %q cannot be sent", d.Method)
}

func (f Files) email(d domain.Delivery, path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the shipped file %s is missing from the vault: %w", d.File, err)
	}
	n := domain.Notice{ID: d.ID, Ref: d.Ref, To: d.Target,
		Subject: "Interlibrary loan " + d.Ref + ": your requested document",
		Body: "Please find attached the document for your interlibrary loan request " + d.Ref +
			".\n\nWith kind regards,\n" + f.Settings.LibraryName()}
	msg, err := message(n, f.Settings.From, time.Now())
	if err != nil {
		return "", err
	}
	msg.AttachFile(path, gomail.WithFileName(d.File), gomail.WithFileContentType(gomail.ContentType("application/pdf")))
	if f.Settings.SMTP() {
		if err := (SMTP{Settings: f.Settings}).send(msg); err != nil {
			return "", err
		}
		return "email to " + d.Target, nil
	}
	out, err := Outbox{Dir: f.OutboxDir, From: f.Settings.From}.write(msg, time.Now().Format(domain.DateLayout)+"-"+domain.SanitizeFileName(d.Ref)+"-delivery")
	if err != nil {
		return "", err
	}
	return "email to " + d.Target + " written to " + out, nil
}

// copyInto copies the file into dir as name, through a temporary file, so a
// sending tool watching the folder never picks up half a file.
func copyInto(dir, path, name string) (string, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("the delivery folder %s is not reachable", dir)
	}
	src, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("the shipped file %s is missing from the vault: %w", name, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, ".illdesk-*.part")
	if err != nil {
		return "", fmt.Errorf("cannot write into the delivery folder %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return "", fmt.Errorf("copying into %s: %w", dir, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("copying into %s: %w", dir, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("copying into %s: %w", dir, err)
	}
	dest := filepath.Join(dir, domain.SanitizeFileName(name))
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", fmt.Errorf("copying into %s: %w", dir, err)
	}
	return dest, nil
}
