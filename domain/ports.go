package domain

import "time"

// Clock tells the current time; logic never calls time.Now directly.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls the function.
func (f ClockFunc) Now() time.Time { return f() }

// Store is the persistence port. Every change runs inside Update, which
// commits all of its writes atomically or none of them. A store may run
// Update's fn again when its transaction met another's: fn keeps its
// effects inside the transaction and sets its results afresh on each run.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	Close() error
}

// Tx is one read or read-write transaction on the store. Values returned are
// copies; changing them changes nothing until they are put back. It is made
// of one small port per stored entity, so that a use case can name the one
// it needs.
type Tx interface {
	RequestStore
	PartnerStore
	SettingStore
	NoticeStore
	OutboxStore
	DeliveryStore
	SeenMessageStore
	OperatorStore
	ConfigAuditStore
	StructureStore
	QuarantineStore
	ILSCallStore
}

// RequestStore keeps the requests, their lookup indexes and summaries.
type RequestStore interface {
	// Request returns the request with the id, or an error wrapping ErrNotFound.
	Request(id string) (Request, error)
	// RequestsByIDs returns the requests with the ids, in that order, read
	// at once (one round trip to a server); an error wrapping ErrNotFound
	// names the first that is not stored.
	RequestsByIDs(ids []string) ([]Request, error)
	// RequestsByIDPrefix returns the requests whose id starts with prefix.
	RequestsByIDPrefix(prefix string) ([]Request, error)
	// RequestsByIDSuffix returns the requests whose id ends with suffix (the
	// short reference shown for requests without an external identifier).
	RequestsByIDSuffix(suffix string) ([]Request, error)
	// RequestsByExternalID returns the requests of any partner with that external identifier.
	RequestsByExternalID(externalID string) ([]Request, error)
	// RequestByBarcode returns the request whose ActiveBarcode is code.
	RequestByBarcode(code string) (Request, bool, error)
	// PutRequest creates or replaces a request and keeps the indexes in step.
	// It refuses (ErrDuplicateExternalID, ErrBarcodeInUse) a request that
	// would break the uniqueness of external identifiers per partner, of
	// active barcodes or of numbers.
	PutRequest(r Request) error
	// RequestByNumber returns the request with that number (Request.Number).
	RequestByNumber(number string) (Request, bool, error)
	// NextRequestNumber advances the sequence of a number series
	// (NumberSeries) and returns its new value, 1 for the series' first
	// request. The step is part of the transaction: undone with it.
	NextRequestNumber(series string) (uint64, error)
	// ForEachRequest calls fn for every request in creation order until fn returns an error.
	ForEachRequest(fn func(Request) error) error
	// RequestCount is the number of requests stored.
	RequestCount() (int, error)
	// ForEachSummary calls fn for every request's summary (Request.Summary,
	// kept in step by PutRequest) in creation order until fn returns an
	// error, without decoding the requests.
	ForEachSummary(fn func(Summary) error) error
}

// RequestLoader is what a store may offer for seeding: storing many new
// requests at once, faster than PutRequest one at a time. Seed uses it when
// the store has it.
type RequestLoader interface {
	// LoadRequests stores new requests with their summaries and indexes, as
	// PutRequest would, in one transaction of its own. It gives those
	// without a number theirs, in order, as AssignNumber would, and
	// refuses the whole batch when a request's id, external identifier,
	// barcode or number is taken.
	LoadRequests(rs []Request) error
}

// StructureStore is what Check and repair ask of the store itself.
type StructureStore interface {
	// IndexEntries calls fn for every entry of the store's lookup indexes
	// (active barcodes, external identifiers), for Check.
	IndexEntries(fn func(IndexEntry) error) error
	// Reindex rebuilds the indexes and summaries from the requests.
	Reindex() error
	// Verify checks the store's own structure (pages, free space) and
	// describes the first damage it finds; nil when sound.
	Verify() error
}

// PartnerStore keeps the partners.
type PartnerStore interface {
	// Partner returns the partner with the code, or an error wrapping ErrPartnerNotFound.
	Partner(code string) (Partner, error)
	// Partners returns every partner ordered by code.
	Partners() ([]Partner, error)
	// PutPartner creates or replaces a partner.
	PutPartner(p Partner) error
}

// SettingStore keeps the settings, text by name.
type SettingStore interface {
	// Setting returns a stored setting, "" when unset.
	Setting(key string) (string, error)
	// PutSetting stores a setting.
	PutSetting(key, value string) error
}

// NoticeStore keeps the patron notices.
type NoticeStore interface {
	// PutNotice creates or replaces a patron notice (keyed by its ID, a
	// UUIDv7, so notices list in creation order).
	PutNotice(n Notice) error
	// Notice returns the notice with the id, or an error wrapping ErrNotFound.
	Notice(id string) (Notice, error)
	// Notices returns every notice in creation order.
	Notices() ([]Notice, error)
	// DeleteNotice removes a notice; deleting a missing notice is no error.
	DeleteNotice(id string) error
}

// OutboxStore keeps the messages for partners, keyed by their ID (a
// UUIDv7, so they list in creation order).
type OutboxStore interface {
	// PutOutboxMessage creates or replaces the message stored under m.ID.
	PutOutboxMessage(m OutboxMessage) error
	// OutboxMessage returns the message with the id, ok false when there is none.
	OutboxMessage(id string) (m OutboxMessage, ok bool, err error)
	// ForEachOutboxMessage calls fn for every message in id order until fn
	// returns an error; fn may write.
	ForEachOutboxMessage(fn func(OutboxMessage) error) error
	// DeleteOutboxMessage removes a message; a missing one is no error.
	DeleteOutboxMessage(id string) error
}

// DeliveryStore keeps the deliveries of shipped files, keyed by their ID
// (a UUIDv7, so they list in creation order), and an index of their
// download links' token hashes.
type DeliveryStore interface {
	// PutDelivery creates or replaces the delivery stored under dl.ID and
	// keeps the token index in step. It refuses (ErrInvalidInput) a token
	// hash another delivery has.
	PutDelivery(dl Delivery) error
	// DeliveryByTokenHash returns the delivery whose TokenHash is hash, ok
	// false when none has; it reads the index, not every delivery.
	DeliveryByTokenHash(hash string) (dl Delivery, ok bool, err error)
	// Delivery returns the delivery with the id, ok false when there is none.
	Delivery(id string) (dl Delivery, ok bool, err error)
	// ForEachDelivery calls fn for every delivery in id order until fn
	// returns an error; fn may write.
	ForEachDelivery(fn func(Delivery) error) error
}

// SeenMessageStore keeps what was answered to each partner message
// received, keyed by the SHA-256 in hex of the message's bytes.
type SeenMessageStore interface {
	// PutSeenMessage stores what was answered to the message with the key.
	PutSeenMessage(key string, m SeenMessage) error
	// SeenMessage returns what was answered to the message with the key, ok
	// false when it was never received.
	SeenMessage(key string) (m SeenMessage, ok bool, err error)
}

// OperatorStore keeps the operators, with their PIN hashes, keyed by
// OperatorKey of their names.
type OperatorStore interface {
	// PutOperator creates or replaces the operator with o's name.
	PutOperator(o Operator) error
	// ForEachOperator calls fn for every operator in key order until fn
	// returns an error.
	ForEachOperator(fn func(Operator) error) error
	// DeleteOperator removes the operator with the name; a missing one is no error.
	DeleteOperator(name string) error
}

// ILSCallStore keeps the calls to the library's ILS that the dispatcher
// sends, and those made at once, keyed by their ID (a UUIDv7, so they list
// in the order they were made).
type ILSCallStore interface {
	// PutILSCall creates or replaces the call stored under c.ID.
	PutILSCall(c ILSCall) error
	// ILSCall returns the call with the id, ok false when there is none.
	ILSCall(id string) (c ILSCall, ok bool, err error)
	// ForEachILSCall calls fn for every call in id order until fn returns
	// an error.
	ForEachILSCall(fn func(ILSCall) error) error
}

// ConfigAuditStore keeps the audited changes of configuration, keyed by
// an id of their own (a UUIDv7, so they list in the order they were made).
type ConfigAuditStore interface {
	// PutConfigChange stores a change under id.
	PutConfigChange(id string, c ConfigChange) error
	// ForEachConfigChange calls fn for every change in id order until fn
	// returns an error.
	ForEachConfigChange(fn func(ConfigChange) error) error
}

// Vault keeps shipped files. Put copies src durably (fsynced) under a name
// derived from name with SanitizeFileName, adding a suffix on collision.
type Vault interface {
	Put(src, name string) (ShippedFile, error)
	// Remove deletes a stored file, used when the change it belonged to failed.
	Remove(name string) error
	// Path is where a stored file is, to send or serve it.
	Path(name string) string
	// Verify reads a stored file through and returns its size and SHA-256 in hex.
	Verify(name string) (size int64, sha256 string, err error)
	// Files lists the names of the files stored.
	Files() ([]string, error)
}

// Verdict is the outcome of a PDF preflight.
type Verdict string

// Preflight verdicts.
const (
	VerdictAccept Verdict = "accept"
	VerdictWarn   Verdict = "warn"
	VerdictReject Verdict = "reject"
)

// PreflightReport is the result of checking one file before shipment.
type PreflightReport struct {
	File    string  `json:"file"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
	Pages   int     `json:"pages"`
	Bytes   int64   `json:"bytes"`
	Message string  `json:"message"`
	// SHA256 is the SHA-256 in hex of the bytes checked, set for a file
	// read whole; a Shipment holds it so that Ship sends those very bytes.
	// The preflight command's JSON leaves it out.
	SHA256 string `json:"-"`
}

// Preflighter checks that a file is a complete, openable PDF, and tells the
// SHA-256 of what it checked.
type Preflighter interface {
	Preflight(path string) PreflightReport
}

// PickSlip is what a printed pick slip shows: the citation, where the item
// stands and its barcode, so staff can pull it and scan it at the target.
type PickSlip struct {
	Kind         string // "Move request" or "Digitization request"
	To           string // the target desk as staff read it
	ExternalID   string
	Partner      string
	Title        string
	ArticleTitle string
	Author       string
	Volume       string
	Number       string
	Year         string
	Pages        string
	Location     string
	CallNumber   string
	ItemBarcode  string
	Requested    time.Time
	Deadline     time.Time
}

// Documents makes PDFs: one file from several scans, and pick slips.
type Documents interface {
	// Combine joins PDFs and JPEG/PNG/TIFF images, in order, into one PDF at out.
	Combine(inputs []string, out string) (pages int, err error)
	// WritePickSlip writes a one-page pick slip PDF at out.
	WritePickSlip(s PickSlip, out string) error
}

// Folders is the file system as the desk uses it: the work folder it writes
// PDFs into, the scan folder it watches and the files staff hand it.
type Folders interface {
	// MakeDir creates a folder, and any missing parents, readable by the
	// user only; a folder that exists already is no error.
	MakeDir(dir string) error
	// IsDir reports whether path is an existing folder.
	IsDir(path string) bool
	// Head returns the first n bytes of a file, fewer when it is shorter; on
	// an error it returns what it read before it, with the error.
	Head(path string, n int) ([]byte, error)
	// Files lists the names of the entries of dir that are not folders.
	Files(dir string) ([]string, error)
}

// SecretStore keeps secrets (the SMTP password) out of the database: in the
// operating system's keyring.
type SecretStore interface {
	// Get returns the secret, "" when there is none.
	Get(key string) (string, error)
	Set(key, value string) error
}
