package domain

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Holding is one holding the library's catalogue lists for a title: where
// the copy stands, its call number and barcode, a note, and which record
// of which catalogue said so.
type Holding struct {
	Location    string `json:"location"`
	CallNumber  string `json:"call_number"`
	ItemBarcode string `json:"item_barcode"`
	Note        string `json:"note"`
	Source      string `json:"source"`
}

// HoldingsLookup records the last time a request's holdings were looked up
// in the catalogue: when, where, whether the catalogue had the title, and
// why the lookup failed when it did.
type HoldingsLookup struct {
	At     time.Time `json:"at"`
	Source string    `json:"source,omitempty"`
	// NotFound: the catalogue answered, with neither holdings nor e-resources.
	NotFound bool `json:"not_found,omitempty"`
	// Problem is the failure as the catalogue or the network gave it.
	Problem string `json:"problem,omitempty"`
}

// Catalogue is the library's own catalogue, searched for a citation's
// holdings and e-resources (an SRU server). It answers nil, nil, nil when
// it holds nothing for the citation.
type Catalogue interface {
	Holdings(ctx context.Context, c Citation) ([]Holding, []EResource, error)
	// Check asks the catalogue one search and reports whether it answered
	// as a catalogue should.
	Check(ctx context.Context) error
	// Where names the catalogue for staff: its address.
	Where() string
}

// Resolver reaches the library's OpenURL link resolver.
type Resolver interface {
	// Check asks the resolver for an OpenURL link and reports whether it
	// answered over HTTP without an error status.
	Check(ctx context.Context, link string) error
}

// resolverProbe is the citation the link resolver is tested with.
var resolverProbe = Citation{Title: "Nature", Journal: "Nature", ISSN: "0028-0836", Year: "2020"}

// ErrCatalogue means the catalogue or the link resolver could not be
// searched or did not answer as expected.
var ErrCatalogue = errors.New("catalogue unavailable")

// Catalogue setting keys, as the command line names them.
const (
	KeySRUURL      = "sru-url"
	KeySRUProfile  = "sru-profile"
	KeySRUVersion  = "sru-version"
	KeySRUIndexes  = "sru-indexes"
	KeySRUFields   = "sru-fields"
	KeyOpenURLBase = "openurl-base"
)

// CatalogueKeys are the catalogue settings in the order they are shown.
var CatalogueKeys = []string{KeySRUURL, KeySRUProfile, KeySRUVersion, KeySRUIndexes, KeySRUFields, KeyOpenURLBase}

// SRU profiles: where holdings are in the catalogue's MARCXML records.
const (
	ProfileMARC852 = "marc852"
	ProfileKoha    = "koha"
	ProfileAlma    = "alma"
)

// CatalogueSettings say how the catalogue and the link resolver are
// reached. Empty fields take the profile's defaults.
type CatalogueSettings struct {
	SRUURL      string `json:"sru_url"`
	Profile     string `json:"sru_profile"`
	Version     string `json:"sru_version"`
	Indexes     string `json:"sru_indexes"`
	Fields      string `json:"sru_fields"`
	OpenURLBase string `json:"openurl_base"`
}

// settingKey is the stored name of a catalogue setting.
func settingKey(key string) string { return strings.ReplaceAll(key, "-", "_") }

// Get is the value of a catalogue setting by its command-line name.
func (c CatalogueSettings) Get(key string) string {
	switch key {
	case KeySRUURL:
		return c.SRUURL
	case KeySRUProfile:
		return c.Profile
	case KeySRUVersion:
		return c.Version
	case KeySRUIndexes:
		return c.Indexes
	case KeySRUFields:
		return c.Fields
	case KeyOpenURLBase:
		return c.OpenURLBase
	}
	return ""
}

func (c *CatalogueSettings) set(key, v string) {
	switch key {
	case KeySRUURL:
		c.SRUURL = v
	case KeySRUProfile:
		c.Profile = v
	case KeySRUVersion:
		c.Version = v
	case KeySRUIndexes:
		c.Indexes = v
	case KeySRUFields:
		c.Fields = v
	case KeyOpenURLBase:
		c.OpenURLBase = v
	}
}

// IsCatalogueSetting reports whether key names a catalogue setting.
func IsCatalogueSetting(key string) bool { return slices.Contains(CatalogueKeys, key) }

// SRUIndexes are the CQL index names searched, in the order tried: ISSN,
// ISBN, OCLC number (only when named), then title with author.
type SRUIndexes struct {
	ISSN, ISBN, OCLC, Title, Author string
}

// Subfield names a MARC subfield: tag 852 code b is "852b"; Alma's AVA
// fields are named alike ("AVAc").
type Subfield struct {
	Tag, Code string
}

// FieldMap says which subfields make each part of a holding; a part made
// of several subfields joins them with a space (852h+852i).
type FieldMap struct {
	Location, Call, Barcode, Note []Subfield
	// Holding is the tag whose each occurrence is one holding.
	Holding string
}

// SRUProfile is a catalogue's defaults: its indexes and field map.
type SRUProfile struct {
	Name    string
	Indexes SRUIndexes
	Fields  FieldMap
	// Electronic are the tags whose $u links are e-resources, with the
	// subfields naming them, first found first.
	Electronic []ElectronicField
}

// ElectronicField is a field whose URL subfield links to an e-resource.
type ElectronicField struct {
	Tag   string
	URL   string
	Names []string
}

var profileDefaults = map[string]struct{ indexes, fields string }{
	ProfileMARC852: {"issn=bath.issn,isbn=bath.isbn,title=dc.title,author=dc.creator", "location=852b,call=852h+852i,barcode=852p,note=852z"},
	ProfileKoha:    {"issn=bath.issn,isbn=bath.isbn,title=dc.title,author=dc.creator", "location=952a,call=952o,barcode=952p,note=952z"},
	ProfileAlma:    {"issn=alma.issn,isbn=alma.isbn,title=alma.title,author=alma.creator", "location=AVAq+AVAc,call=AVAd,note=AVAe"},
}

// SRUProfile is the SRU profile the settings make: the named one (marc852
// when blank) with sru-indexes and sru-fields laid over its defaults.
func (c CatalogueSettings) SRUProfile() (SRUProfile, error) {
	name := strings.ToLower(strings.TrimSpace(c.Profile))
	if name == "" {
		name = ProfileMARC852
	}
	def, ok := profileDefaults[name]
	if !ok {
		return SRUProfile{}, refuse(ErrInvalidInput, "%q is not an SRU profile: use marc852, koha or alma.", c.Profile)
	}
	p := SRUProfile{Name: name, Electronic: []ElectronicField{{Tag: "856", URL: "u", Names: []string{"z", "3", "y"}}}}
	if name == ProfileAlma {
		p.Electronic = append(p.Electronic, ElectronicField{Tag: "AVE", URL: "u", Names: []string{"m", "t", "n"}})
	}
	idx, err := parsePairs(KeySRUIndexes, def.indexes, []string{"issn", "isbn", "title", "author", "oclc"})
	if err != nil {
		return SRUProfile{}, err
	}
	over, err := parsePairs(KeySRUIndexes, c.Indexes, []string{"issn", "isbn", "title", "author", "oclc"})
	if err != nil {
		return SRUProfile{}, err
	}
	for k, v := range over {
		idx[k] = v
	}
	p.Indexes = SRUIndexes{ISSN: idx["issn"], ISBN: idx["isbn"], OCLC: idx["oclc"], Title: idx["title"], Author: idx["author"]}
	fields, err := parsePairs(KeySRUFields, def.fields, fieldParts)
	if err != nil {
		return SRUProfile{}, err
	}
	over, err = parsePairs(KeySRUFields, c.Fields, fieldParts)
	if err != nil {
		return SRUProfile{}, err
	}
	for k, v := range over {
		fields[k] = v
	}
	for _, part := range fieldParts {
		subs, err := parseSubfields(fields[part])
		if err != nil {
			return SRUProfile{}, err
		}
		switch part {
		case "location":
			p.Fields.Location = subs
		case "call":
			p.Fields.Call = subs
		case "barcode":
			p.Fields.Barcode = subs
		case "note":
			p.Fields.Note = subs
		}
		for _, s := range subs {
			if p.Fields.Holding == "" {
				p.Fields.Holding = s.Tag
			} else if s.Tag != p.Fields.Holding {
				return SRUProfile{}, refuse(ErrInvalidInput, "sru-fields must all come from one field, the holding's (e.g. 852): %s%s is not.", s.Tag, s.Code)
			}
		}
	}
	if p.Fields.Holding == "" {
		return SRUProfile{}, refuse(ErrInvalidInput, "sru-fields names no subfield: write e.g. location=852b,call=852h+852i,barcode=852p,note=852z.")
	}
	return p, nil
}

var fieldParts = []string{"location", "call", "barcode", "note"}

// parsePairs reads "name=value,…" with names among allowed; a blank value
// clears the name.
func parsePairs(key, s string, allowed []string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, pair := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(pair, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || !slices.Contains(allowed, name) {
			return nil, refuse(ErrInvalidInput, "%s takes NAME=VALUE pairs separated by commas, NAME one of %s; %q is not one.",
				key, strings.Join(allowed, ", "), strings.TrimSpace(pair))
		}
		value = strings.TrimSpace(value)
		if strings.ContainsAny(value, " \t\"") {
			return nil, refuse(ErrInvalidInput, "%s: %q cannot contain spaces or quotes.", key, value)
		}
		out[name] = value
	}
	return out, nil
}

// parseSubfields reads "852h+852i": each a three-character tag and a
// one-character code.
func parseSubfields(s string) ([]Subfield, error) {
	if s == "" {
		return nil, nil
	}
	var out []Subfield
	for _, part := range strings.Split(s, "+") {
		if len(part) != 4 {
			return nil, refuse(ErrInvalidInput, "%q is not a subfield: write the tag and the code, e.g. 852b or AVAc.", part)
		}
		out = append(out, Subfield{Tag: part[:3], Code: part[3:]})
	}
	return out, nil
}

// check refuses a catalogue setting that cannot work, returning the value
// as it is kept.
func checkCatalogueSetting(key, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch key {
	case KeySRUURL, KeyOpenURLBase:
		if v == "" {
			return "", nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", refuse(ErrInvalidInput, "%s takes an http:// or https:// address, e.g. https://catalogue.example.edu/sru.", key)
		}
		if plainHTTP(v) {
			return "", refuse(ErrInvalidInput, "%s %s is plain http to another computer: give its https:// address "+
				"(plain http:// is allowed only on this computer: localhost, 127.0.0.1, ::1).", key, u.Redacted())
		}
	case KeySRUProfile:
		v = strings.ToLower(v)
		if _, err := (CatalogueSettings{Profile: v}).SRUProfile(); err != nil {
			return "", err
		}
	case KeySRUVersion:
		if v != "" && v != "1.2" && v != "2.0" {
			return "", refuse(ErrInvalidInput, "sru-version takes 1.2 or 2.0.")
		}
	case KeySRUIndexes:
		if _, err := parsePairs(key, v, []string{"issn", "isbn", "title", "author", "oclc"}); err != nil {
			return "", err
		}
	case KeySRUFields:
		pairs, err := parsePairs(key, v, fieldParts)
		if err != nil {
			return "", err
		}
		for _, p := range pairs {
			if _, err := parseSubfields(p); err != nil {
				return "", err
			}
		}
	default:
		return "", refuse(ErrInvalidInput, "%q is not a catalogue setting.", key)
	}
	return v, nil
}

// catalogueGroup is how the catalogue and link resolver settings are kept.
var catalogueGroup = settingGroup[CatalogueSettings]{
	keys: CatalogueKeys, area: "catalogue", task: "Changing the catalogue settings",
	check: checkCatalogueSetting,
	set:   (*CatalogueSettings).set,
	valid: func(c CatalogueSettings) error { _, err := c.SRUProfile(); return err },
}

// CatalogueSettings reads how the catalogue and the link resolver are reached.
func (d *CatalogueService) CatalogueSettings() (CatalogueSettings, error) {
	return catalogueGroup.view(d.core)
}

// SetCatalogueSetting checks and sets one catalogue setting by its
// command-line name (sru-url, sru-profile, …); "" clears it. It is a
// Fulfillment Services Operator's task, audited like every setting.
func (d *CatalogueService) SetCatalogueSetting(key, value string, by ...Actor) error {
	return catalogueGroup.put(d.core, key, value, by)
}

// applyLookup records what the catalogue found on r. Holdings never
// overwrite what staff typed or picked: the first holding fills location
// and call number only where they are empty, and the item barcode is left
// for staff to choose when they create a pick. E-resources found are added
// to the request's; the format follows what was found when staff left it
// blank: physical, electronic, or still blank when both were found.
func applyLookup(r *Request, found []Holding, eres []EResource, lookup HoldingsLookup) {
	r.Lookup = &lookup
	if lookup.Problem != "" {
		return
	}
	r.CatalogueHoldings = found
	lookup.NotFound = len(found) == 0 && len(eres) == 0
	r.Lookup = &lookup
	if len(found) > 0 {
		if r.Location == "" {
			r.Location = found[0].Location
		}
		if r.CallNumber == "" {
			r.CallNumber = found[0].CallNumber
		}
	}
	for _, e := range eres {
		if !slices.ContainsFunc(r.EResources, func(x EResource) bool { return x.URL == e.URL }) {
			r.EResources = append(r.EResources, e)
		}
	}
	if r.Format == FormatUnknown {
		switch {
		case len(found) > 0 && len(eres) == 0:
			r.Format = FormatPhysical
		case len(found) == 0 && len(eres) > 0:
			r.Format = FormatElectronic
		}
	}
}

// HoldingBarcodes are the item barcodes the catalogue listed for r, offered
// when staff create a pick.
func (r Request) HoldingBarcodes() []string {
	var out []string
	for _, h := range r.CatalogueHoldings {
		if h.ItemBarcode != "" && !slices.Contains(out, h.ItemBarcode) {
			out = append(out, h.ItemBarcode)
		}
	}
	return out
}

// CatalogueService looks up requests' holdings in the library's catalogue
// and builds OpenURL links to its link resolver; it keeps the settings
// that say how both are reached. Lookups of new requests
// run in the background, outside any transaction; Wait lets a command wait
// for them before it ends.
type CatalogueService struct {
	*core
	catalogues func(CatalogueSettings) (Catalogue, error)
	resolver   Resolver
	timeout    time.Duration
	running    sync.WaitGroup
	hookMu     sync.Mutex
	// lookedUp is told of each request a background lookup changed.
	lookedUp func(Request)
}

// DefaultLookupTimeout bounds one holdings lookup (all its searches).
const DefaultLookupTimeout = 15 * time.Second

// OnLookedUp sets what is told of each request a background lookup
// changed: the window refreshes its row.
func (d *CatalogueService) OnLookedUp(fn func(Request)) {
	d.hookMu.Lock()
	d.lookedUp = fn
	d.hookMu.Unlock()
}

// catalogue is the catalogue as the settings now say, nil when no SRU
// address is set.
func (d *CatalogueService) catalogue() (Catalogue, error) {
	if d.catalogues == nil {
		return nil, nil
	}
	set, err := d.CatalogueSettings()
	if err != nil || set.SRUURL == "" {
		return nil, err
	}
	return d.catalogues(set)
}

// LookUpHoldings searches the catalogue for the request's citation now and
// stores what it found: first the search, outside any transaction, then
// one short transaction. A failed search is recorded with the request and
// returned, wrapping ErrCatalogue, with the catalogue's own words.
func (d *CatalogueService) LookUpHoldings(ctx context.Context, ref string, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Looking up holdings"); err != nil {
		return Request{}, err
	}
	r, err := d.Find(ref)
	if err != nil {
		return Request{}, err
	}
	cat, err := d.catalogue()
	if err != nil {
		return Request{}, err
	}
	if cat == nil {
		return Request{}, refuse(ErrInvalidInput, "No catalogue is set: set its SRU address first (config set sru-url URL).")
	}
	return d.lookUp(ctx, cat, r.ID)
}

// lookUp searches cat for request id's citation and stores the result.
func (d *CatalogueService) lookUp(ctx context.Context, cat Catalogue, id string) (Request, error) {
	r, err := d.Find(id)
	if err != nil {
		return Request{}, err
	}
	timeout := d.timeout
	if timeout == 0 {
		timeout = DefaultLookupTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	found, eres, serr := cat.Holdings(ctx, r.Citation)
	cancel()
	lookup := HoldingsLookup{At: d.clock.Now(), Source: cat.Where()}
	if serr != nil {
		lookup.Problem = serr.Error()
	}
	r, err = d.change(id, func(_ Tx, r *Request) error {
		applyLookup(r, found, eres, lookup)
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	if serr != nil {
		return r, refuse(ErrCatalogue, "The catalogue could not be searched: %s", serr.Error())
	}
	return r, nil
}

// lookUpNew looks up, in the background, the holdings of lending requests
// just created (any way but seed), when a catalogue is set.
func (d *CatalogueService) lookUpNew(ids []string) {
	cat, err := d.catalogue()
	if err != nil || cat == nil {
		return
	}
	d.running.Add(1)
	go func() {
		defer d.running.Done()
		for _, id := range ids {
			r, err := d.lookUp(context.Background(), cat, id)
			if r.ID == "" && err != nil {
				continue // the request is gone, or the store refused
			}
			d.hookMu.Lock()
			fn := d.lookedUp
			d.hookMu.Unlock()
			if fn != nil {
				fn(r)
			}
		}
	}()
}

// WaitLookups waits until the background lookups end or ctx is done.
func (d *CatalogueService) WaitLookups(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		d.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// TestCatalogue checks that the system named answers as expected: "sru"
// runs one search in the catalogue, "openurl" asks the link resolver's
// base address. The error says why not, wrapping ErrCatalogue.
func (d *CatalogueService) TestCatalogue(ctx context.Context, system string) (string, error) {
	set, err := d.CatalogueSettings()
	if err != nil {
		return "", err
	}
	switch system {
	case "sru":
		if set.SRUURL == "" {
			return "", refuse(ErrInvalidInput, "No catalogue is set: config set sru-url URL.")
		}
		cat, err := d.catalogue()
		if err != nil {
			return "", err
		}
		if cat == nil {
			return "", refuse(ErrCatalogue, "This desk cannot reach a catalogue.")
		}
		if err := cat.Check(ctx); err != nil {
			return "", refuse(ErrCatalogue, "The catalogue at %s did not answer as expected: %s", cat.Where(), err.Error())
		}
		return fmt.Sprintf("The catalogue at %s answered a search.", cat.Where()), nil
	case "openurl":
		if set.OpenURLBase == "" {
			return "", refuse(ErrInvalidInput, "No link resolver is set: config set openurl-base URL.")
		}
		if d.resolver == nil {
			return "", refuse(ErrCatalogue, "This desk cannot reach a link resolver.")
		}
		if err := d.resolver.Check(ctx, OpenURL(set.OpenURLBase, resolverProbe)); err != nil {
			return "", refuse(ErrCatalogue, "The link resolver at %s did not answer: %s", set.OpenURLBase, err.Error())
		}
		return fmt.Sprintf("The link resolver at %s answered.", set.OpenURLBase), nil
	}
	return "", refuse(ErrInvalidInput, "%q cannot be tested here: use sru or openurl.", system)
}

// ResolverLink is the OpenURL link for r at the configured resolver; ok is
// false when none is set.
func (d *CatalogueService) ResolverLink(r Request) (EResource, bool) {
	set, err := d.CatalogueSettings()
	if err != nil || set.OpenURLBase == "" {
		return EResource{}, false
	}
	return EResource{Name: "Link resolver (OpenURL)", URL: OpenURL(set.OpenURLBase, r.Citation)}, true
}
