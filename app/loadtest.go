package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/folder"
	pdfdoc "github.com/illdesk/illdesk/pdf"
	"github.com/illdesk/illdesk/pdf/preflight"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/vault"
)

const loadtestUsage = "loadtest --workstations N --duration D [--seed S] [--json]"

// The actions of the load test, as its report names them.
const (
	loadScan    = "scan"
	loadReceive = "receive"
	loadShip    = "ship"
	loadReject  = "reject"
	loadList    = "list"
)

// loadMix is how often each action is drawn, in percent: mostly scans at
// the pickup and RS desks, receipts, shipments and rejections, and now and
// then a list of open requests (today a read of every request's summary).
var loadMix = []struct {
	action string
	weight int
}{{loadScan, 45}, {loadReceive, 18}, {loadShip, 18}, {loadReject, 18}, {loadList, 1}}

// loadReport is what loadtest reports; --json prints it as it is.
type loadReport struct {
	Workstations int          `json:"workstations"`
	DurationS    float64      `json:"duration_s"`
	Actions      []loadAction `json:"actions"`
	// VisibilityP99Ms is how long, at the 99th percentile, another
	// workstation took to hear of a change once it was acknowledged; null
	// when no change was heard.
	VisibilityP99Ms *float64 `json:"visibility_p99_ms"`
}

// loadAction is one action's figures.
type loadAction struct {
	Action string  `json:"action"`
	Count  int     `json:"count"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	P99Ms  float64 `json:"p99_ms"`
	// Errors are failures other than conflicts; any makes loadtest exit 1.
	Errors int `json:"errors"`
	// Conflicts are refusals because another workstation changed the
	// request first, as intended when two act on one request.
	Conflicts int `json:"conflicts"`
}

// cmdLoadtest runs simulated workstations against the department database
// for a while and reports how long each action took.
func (s *dataCommands) cmdLoadtest(args []string) error {
	fs := newFlags("loadtest")
	n := fs.Int("workstations", 20, "how many workstations to simulate")
	d := fs.Duration("duration", time.Minute, "how long they work, e.g. 60s")
	seed := fs.Uint64("seed", 1, "the same seed gives the same choices and think times")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, loadtestUsage); err != nil {
		return err
	}
	switch {
	case *n < 1 || *n > 200:
		return usagef("loadtest: --workstations must be from 1 to 200")
	case *d <= 0 || *d > 24*time.Hour:
		return usagef("loadtest: --duration must be a positive time up to 24h, e.g. 60s")
	}
	if s.dbPath == "" || !postgres.IsURL(s.dbPath) {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The load test needs a department database on PostgreSQL " +
			"(--db postgres://USER@127.0.0.1/DB): its workstations work on one server at once, which a workstation's database file does not allow. Nothing was changed."}
	}
	if !postgres.OnThisComputer(s.dbPath) {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The load test runs only on a department database on this computer " +
			"(127.0.0.1 or localhost), as it makes thousands of changes: seed a test database for it. Nothing was changed."}
	}
	lt, err := newLoadTest(s.dbPath, *n, *seed)
	if err != nil {
		return err
	}
	defer lt.close()
	rep := lt.run(*d)
	if *asJSON {
		if err := s.printJSON(rep); err != nil {
			return err
		}
	} else {
		s.printLoadReport(rep)
	}
	for _, e := range lt.errs {
		fmt.Fprintln(s.stderr, "illdesk: loadtest:", worded(e))
	}
	if lt.errCount > 0 {
		return fmt.Errorf("%d actions failed for other reasons than another workstation's change (the first ones are above)", lt.errCount)
	}
	return nil
}

func (s *dataCommands) printLoadReport(rep loadReport) {
	s.printf("%d workstations for %.0f s\n", rep.Workstations, rep.DurationS)
	s.printf("%-8s %7s %8s %8s %8s %8s %7s %9s\n", "action", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "errors", "conflicts")
	for _, a := range rep.Actions {
		s.printf("%-8s %7d %8.1f %8.1f %8.1f %8.1f %7d %9d\n", a.Action, a.Count, float64(a.Count)/rep.DurationS,
			a.P50Ms, a.P95Ms, a.P99Ms, a.Errors, a.Conflicts)
	}
	if rep.VisibilityP99Ms == nil {
		s.printf("No change was heard by another workstation.\n")
	} else {
		s.printf("A change was seen by another workstation within %.1f ms (p99).\n", *rep.VisibilityP99Ms)
	}
}

// loadTest is one run: the workstations, the requests they work on, and
// what they measured.
type loadTest struct {
	dir      string // the shared vault, the work folders and the PDF shipped
	pdf      string
	stations []*loadStation
	seed     uint64
	runTag   string // makes the barcodes received in this run new

	pools map[string]*loadPool

	mu       sync.Mutex
	took     map[string][]time.Duration
	errors   map[string]int
	clashes  map[string]int
	errs     []error // the first few unexpected errors
	errCount int
	seen     *loadVisibility
}

// loadStation is one simulated workstation: its own connections (at most
// two for its actions, one listening for changes) and its own desk.
type loadStation struct {
	n     int
	name  string
	store *postgres.DB
	desk  *domain.Desk
}

// newLoadTest opens n workstations on the database and gathers the
// requests they will work on.
func newLoadTest(dbURL string, n int, seed uint64) (*loadTest, error) {
	dir, err := os.MkdirTemp("", "illdesk-loadtest-")
	if err != nil {
		return nil, err
	}
	lt := &loadTest{dir: dir, seed: seed, runTag: strconv.FormatInt(time.Now().UnixNano(), 36),
		took: map[string][]time.Duration{}, errors: map[string]int{}, clashes: map[string]int{}, seen: newLoadVisibility()}
	if err := lt.open(dbURL, n); err != nil {
		lt.close()
		return nil, err
	}
	return lt, nil
}

func (lt *loadTest) open(dbURL string, n int) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("pool_max_conns", "3") // two for actions, one held by Watch
	u.RawQuery = q.Encode()
	files, err := vault.New(filepath.Join(lt.dir, "vault"))
	if err != nil {
		return err
	}
	for i := range n {
		pg, err := postgres.Open(context.Background(), u.String())
		if err != nil {
			return err
		}
		ws := &loadStation{n: i, name: fmt.Sprintf("ws%02d", i+1), store: pg}
		lt.stations = append(lt.stations, ws)
		work := filepath.Join(lt.dir, ws.name)
		if ws.desk, err = domain.OpenDesk(domain.Config{Store: pg, Vault: files, Preflight: preflight.New(),
			Clock: domain.ClockFunc(time.Now), Documents: pdfdoc.Documents{}, WorkDir: work, Folders: folder.OS{}}); err != nil {
			return err
		}
	}
	if ops, err := lt.stations[0].desk.Operators(); err != nil {
		return err
	} else if len(ops) > 0 {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The load test acts as staff of a desk without operators, " +
			"and this database has operators set up: seed a test database for it. Nothing was changed."}
	}
	if lt.pdf, err = loadPDF(lt.dir, lt.seed); err != nil {
		return fmt.Errorf("cannot make the PDF to ship: %w", err)
	}
	return lt.gather()
}

func (lt *loadTest) close() {
	for _, ws := range lt.stations {
		_ = ws.store.Close()
	}
	_ = os.RemoveAll(lt.dir)
}

// loadPDF writes a one-page PDF of about 200 KB, a scanned page of noise,
// to ship again and again.
func loadPDF(dir string, seed uint64) (string, error) {
	rnd := rand.New(rand.NewPCG(seed, 2))
	img := image.NewGray(image.Rect(0, 0, 620, 620))
	for i := range img.Pix {
		img.Pix[i] = uint8(rnd.IntN(256))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		return "", err
	}
	page := filepath.Join(dir, "page.jpg")
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "scan.pdf")
	_, err := pdfdoc.Combine([]string{page}, out)
	return out, err
}

// loadItem is a request a workstation may act on, as the list shows it.
type loadItem struct {
	id, barcode, pickup string
	state               domain.State
}

// loadPool is the requests waiting for one kind of action. A request
// drawn is out of the pool while a workstation acts on it, except that now
// and then a workstation takes one another has just taken, as two staff
// working the top of one list do.
type loadPool struct {
	// contended pools lend the requests just taken to a second workstation
	contended bool
	mu        sync.Mutex
	items     []loadItem
	recent    []loadItem
}

// draw takes a request out of the pool; ok is false when it is empty.
func (p *loadPool) draw(rnd *rand.Rand) (loadItem, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.contended && len(p.recent) > 0 && rnd.IntN(20) == 0 {
		return p.recent[rnd.IntN(len(p.recent))], true
	}
	if len(p.items) == 0 {
		return loadItem{}, false
	}
	i := rnd.IntN(len(p.items))
	it := p.items[i]
	p.items[i] = p.items[len(p.items)-1]
	p.items = p.items[:len(p.items)-1]
	if p.contended {
		p.recent = append(p.recent, it)
		if len(p.recent) > 8 {
			p.recent = p.recent[1:]
		}
	}
	return it, true
}

func (p *loadPool) put(it loadItem) {
	p.mu.Lock()
	p.items = append(p.items, it)
	p.mu.Unlock()
}

// gather reads the open requests once, as the server lists them, into the
// pools: lending requests to ship (not physical) or reject, borrowing
// requests to receive, and items to scan on their way.
func (lt *loadTest) gather() error {
	q, ok := lt.stations[0].desk.ServerList()
	if !ok {
		return errors.New("the load test needs a department database")
	}
	rows, err := q.ListRows(domain.Filter{}, domain.ListOrder{}, nil, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	lt.pools = map[string]*loadPool{loadScan: {}, loadReceive: {contended: true}, loadShip: {contended: true}, loadReject: {contended: true}}
	for _, s := range rows {
		it := loadItem{id: s.ID, barcode: s.ItemBarcode, pickup: s.Pickup, state: s.State}
		switch {
		case s.Side == domain.Lending && s.State == domain.Created && s.Format != domain.FormatPhysical:
			lt.pools[loadShip].put(it)
		case s.Side == domain.Lending && s.State == domain.Created:
			lt.pools[loadReject].put(it)
		case s.Side == domain.Borrowing && s.State == domain.Created:
			lt.pools[loadReceive].put(it)
		case s.Side == domain.Borrowing && scanned(it):
			lt.pools[loadScan].put(it)
		}
	}
	// rows are in the listing's order; the pools' order comes from the seed
	for _, p := range lt.pools {
		rnd := rand.New(rand.NewPCG(lt.seed, 3))
		rnd.Shuffle(len(p.items), func(i, j int) { p.items[i], p.items[j] = p.items[j], p.items[i] })
	}
	return nil
}

// scanned reports whether scanning the borrowed item moves it on: to the
// hold shelf, out to the patron, back in, and closed at the RS desk.
func scanned(it loadItem) bool {
	switch it.state {
	case domain.Received, domain.OnHoldShelf, domain.Loaned, domain.ReturnedByPatron:
		return it.barcode != ""
	}
	return false
}

// run lets every workstation work for d and reports.
func (lt *loadTest) run(d time.Duration) loadReport {
	ctx, stopWatching := context.WithCancel(context.Background())
	var watching sync.WaitGroup
	for _, ws := range lt.stations {
		watching.Add(1)
		go func() {
			defer watching.Done()
			ws.store.Watch(ctx, func(ids []string) { lt.seen.heard(ws.n, ids) })
		}()
	}
	time.Sleep(300 * time.Millisecond) // the watchers listen
	start := time.Now()
	end := start.Add(d)
	var working sync.WaitGroup
	for _, ws := range lt.stations {
		working.Add(1)
		go func() {
			defer working.Done()
			lt.work(ws, end)
		}()
	}
	working.Wait()
	elapsed := time.Since(start)
	time.Sleep(time.Second) // the last changes are heard
	stopWatching()
	watching.Wait()

	rep := loadReport{Workstations: len(lt.stations), DurationS: math.Round(elapsed.Seconds()*10) / 10}
	for _, m := range loadMix {
		took := lt.took[m.action]
		rep.Actions = append(rep.Actions, loadAction{Action: m.action, Count: len(took),
			P50Ms: percentileMs(took, 0.50), P95Ms: percentileMs(took, 0.95), P99Ms: percentileMs(took, 0.99),
			Errors: lt.errors[m.action], Conflicts: lt.clashes[m.action]})
	}
	if v := lt.seen.samples(); len(v) > 0 {
		p := percentileMs(v, 0.99)
		rep.VisibilityP99Ms = &p
	}
	return rep
}

// percentileMs is the q-th percentile of ds (nearest rank) in
// milliseconds to a tenth; 0 for none.
func percentileMs(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return math.Round(float64(s[max(i, 0)])/float64(time.Millisecond)*10) / 10
}

// work is one workstation's shift: an action about once a second, chosen
// by the mix, until end.
func (lt *loadTest) work(ws *loadStation, end time.Time) {
	rnd := rand.New(rand.NewPCG(lt.seed, uint64(ws.n)+100))
	think := func() time.Duration { return 500*time.Millisecond + time.Duration(rnd.Int64N(int64(time.Second))) }
	time.Sleep(time.Duration(rnd.Int64N(int64(time.Second)))) // the desks do not start in step
	for count := 0; time.Now().Before(end); count++ {
		lt.act(ws, rnd, count)
		if wait := think(); time.Now().Add(wait).Before(end) {
			time.Sleep(wait)
		} else {
			break
		}
	}
}

// act draws an action by the mix (a list when no request waits for it)
// and does it, timing it.
func (lt *loadTest) act(ws *loadStation, rnd *rand.Rand, count int) {
	x := rnd.IntN(100)
	action := loadList
	for _, m := range loadMix {
		if x < m.weight {
			action = m.action
			break
		}
		x -= m.weight
	}
	var it loadItem
	if action != loadList {
		var ok bool
		if it, ok = lt.pools[action].draw(rnd); !ok {
			action = loadList
		}
	}
	rs := domain.Actor{Operator: ws.name, Station: domain.RSDesk}
	if it.id != "" {
		lt.seen.begin(ws.n, it.id)
	}
	start := time.Now()
	var r domain.Request
	var err error
	switch action {
	case loadList:
		err = listAsAWindow(ws.desk, domain.Filter{Side: domain.Lending, State: domain.Created,
			Partner: []string{"RAPID", "OCLC-ZCU", "NYPL", "UMICH", "BVB"}[rnd.IntN(5)]})
	case loadReceive:
		barcode := fmt.Sprintf("LT%s%02d%05d", lt.runTag, ws.n, count)
		r, err = ws.desk.Receive(it.id, barcode, rs)
	case loadReject:
		reasons := domain.Reasons()
		r, err = ws.desk.Reject(it.id, reasons[rnd.IntN(len(reasons)-1)], "", "", rs) // not Other, which needs a note
	case loadShip:
		var sh domain.Shipment
		if sh, err = ws.desk.Prepare(it.id, []string{lt.pdf}, rs); err == nil {
			r, err = ws.desk.Ship(sh, true, rs)
		}
	case loadScan:
		by := rs
		if it.state != domain.ReturnedByPatron {
			by.Station = domain.Station{Kind: domain.StationPickup, Name: it.pickup}
		}
		var res domain.ScanResult
		res, err = ws.desk.Scan(it.barcode, "", by)
		r = res.Request
	}
	took := time.Since(start)
	if it.id != "" {
		lt.seen.end(ws.n, it.id, err == nil)
	}
	if err == nil && r.ID != "" {
		next := loadItem{id: r.ID, barcode: r.ItemBarcode, pickup: r.Pickup, state: r.State}
		if r.Active() && scanned(next) {
			lt.pools[loadScan].put(next)
		}
	}
	lt.record(action, took, err)
}

// record counts one action's outcome.
func (lt *loadTest) record(action string, took time.Duration, err error) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.took[action] = append(lt.took[action], took)
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrIllegalTransition), errors.Is(err, domain.ErrWrongState),
		errors.Is(err, domain.ErrWrongDesk), errors.Is(err, domain.ErrBarcodeInUse):
		lt.clashes[action]++ // another workstation changed the request first
	default:
		lt.errors[action]++
		lt.errCount++
		if len(lt.errs) < 5 {
			lt.errs = append(lt.errs, fmt.Errorf("%s: %w", action, err))
		}
	}
}

// loadVisibility measures how long after one workstation's change was
// acknowledged the others heard of it.
type loadVisibility struct {
	mu sync.Mutex
	// busy are the requests a workstation is changing, by which one.
	busy map[string]int
	// last is each request's last change: by which workstation, when.
	last map[string]loadChange
	// early are the workstations that heard of a change before it was
	// acknowledged to its own: they saw it at once.
	early map[string][]int
	took  []time.Duration
}

type loadChange struct {
	by int
	at time.Time
}

func newLoadVisibility() *loadVisibility {
	return &loadVisibility{busy: map[string]int{}, last: map[string]loadChange{}, early: map[string][]int{}}
}

// begin records that workstation ws is about to change the request.
func (v *loadVisibility) begin(ws int, id string) {
	v.mu.Lock()
	v.busy[id] = ws
	v.mu.Unlock()
}

// end records that workstation ws's change ended, changed says whether it
// was acknowledged.
func (v *loadVisibility) end(ws int, id string, changed bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.busy[id] == ws {
		delete(v.busy, id)
	}
	if !changed {
		return
	}
	v.last[id] = loadChange{by: ws, at: time.Now()}
	for _, other := range v.early[id] {
		if other != ws {
			v.took = append(v.took, 0)
		}
	}
	delete(v.early, id)
}

// heard records that workstation ws heard of changes to the requests.
func (v *loadVisibility) heard(ws int, ids []string) {
	now := time.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, id := range ids {
		if by, ok := v.busy[id]; ok {
			if by != ws {
				v.early[id] = append(v.early[id], ws)
			}
		} else if c, ok := v.last[id]; ok && c.by != ws {
			v.took = append(v.took, now.Sub(c.at))
		}
	}
}

func (v *loadVisibility) samples() []time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.took)
}

// listAsAWindow asks what a window on the department database asks when
// staff choose a facet: the facet counts and the first page of rows.
func listAsAWindow(d *domain.Desk, f domain.Filter) error {
	q, ok := d.ServerList()
	if !ok {
		return errors.New("the load test needs a department database")
	}
	all, err := q.ListGroups("")
	if err != nil {
		return err
	}
	domain.CountGroups(f, all, all)
	_, err = q.ListRows(f, domain.ListOrder{}, nil, 0, 100)
	return err
}
