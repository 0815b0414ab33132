package mail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/illdesk/illdesk/domain"
)

// Outbox writes each notice as an RFC 5322 .eml file into Dir, for staff to
// send from their own mail program (the file carries "X-Unsent: 1", so
// Outlook opens it as a draft ready to send). Files are named
// <date>-<request ref>.eml (the notice id when it has no ref), get -2, -3 …
// on collision, and are readable by the owner only: they hold a patron's
// name and address.
type Outbox struct {
	Dir string
	// From is the sender written into the files; it may be empty.
	From string
}

var _ domain.Mailer = Outbox{}

// Send writes the notice into the outbox; where is the file's path.
func (o Outbox) Send(n domain.Notice) (where string, err error) {
	if o.Dir == "" {
		return "", errors.New("no outbox folder is configured")
	}
	at := n.Created
	if at.IsZero() {
		at = time.Now()
	}
	msg, err := message(n, o.From, at)
	if err != nil {
		return "", err
	}
	return o.write(msg, at.Format(domain.DateLayout)+"-"+outboxName(n))
}

// write puts a message into the outbox as STEM.eml (STEM-2.eml … on a
// clash), through a temporary file, readable by the owner only.
func (o Outbox) write(msg *gomail.Msg, stem string) (string, error) {
	msg.SetGenHeader(gomail.Header("X-Unsent"), "1")
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return "", fmt.Errorf("outbox folder %s: %w", o.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the outbox folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".notice-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write into the outbox folder %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return "", fmt.Errorf("cannot protect the outbox file: %w", err)
	}
	if _, err := msg.WriteTo(tmp); err != nil {
		return "", fmt.Errorf("cannot write the notice into the outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("cannot write the notice into the outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("cannot write the notice into the outbox: %w", err)
	}
	for i := 1; i < 1000; i++ {
		name := stem + ".eml"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.eml", stem, i)
		}
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); err == nil {
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("cannot check the outbox file %s: %w", path, err)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return "", fmt.Errorf("cannot put the notice into the outbox as %s: %w", path, err)
		}
		done = true
		return path, nil
	}
	return "", fmt.Errorf("the outbox folder %s already holds too many notices named %s", dir, stem)
}

// outboxName is the file name stem of a notice: its request's reference, or
// its own id, made safe as a file name.
func outboxName(n domain.Notice) string {
	switch {
	case n.Ref != "":
		return domain.SanitizeFileName(n.Ref)
	case n.ID != "":
		return domain.SanitizeFileName(n.ID)
	}
	return "notice"
}
