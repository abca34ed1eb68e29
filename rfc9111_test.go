package clientcache_test

// The RFC 9111 conformance suite: its harness.
//
// Every case drives a real loopback origin, scripted per path and counting
// the requests that reach it, through the cache in four configurations:
//
//	transport/private  an http.Client whose transport is the Transport
//	transport/shared   the same, with Options.Shared
//	proxy/private      an http.Client talking to a ReverseProxy of the origin
//	proxy/shared       the same, with Options.Shared
//
// always with Options.CacheControl on. Time is a fake clock (Options.Now):
// the origin's Date header comes from it and tests advance it; nothing sleeps
// for time to pass, nothing asserts timings. Where a test has to wait for a
// goroutine (a background revalidation), it waits for the event itself (a
// store write, a request reaching the origin), with a generous deadlock
// guard.
//
// The cases live in rfc9111_<section>_test.go and rfc5861_test.go, one test
// function per requirement; docs/RFC9111.md maps each requirement to its
// implementation and its test.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// rfcMode is one configuration the cases run in.
type rfcMode struct {
	proxy  bool // through NewReverseProxy rather than the Transport itself
	shared bool // Options.Shared
}

func (m rfcMode) String() string {
	s := "transport"
	if m.proxy {
		s = "proxy"
	}
	if m.shared {
		return s + "/shared"
	}
	return s + "/private"
}

var rfcModes = []rfcMode{{false, false}, {false, true}, {true, false}, {true, true}}

// rfcOption configures the runs of one case.
type rfcOption func(*rfcSetup)

type rfcSetup struct {
	options []func(h *harness, o *clientcache.Options)
}

// rfcWith adjusts the Options of the cache under test; the origin is already
// running, so the adjustment may use its address.
func rfcWith(f func(h *harness, o *clientcache.Options)) rfcOption {
	return func(s *rfcSetup) { s.options = append(s.options, f) }
}

// rfcRun runs one case in every configuration, each as a subtest with a
// fresh origin, store, clock and cache. A case whose expectations differ
// between a private and a shared cache reads h.shared.
func rfcRun(t *testing.T, fn func(t *testing.T, h *harness), opts ...rfcOption) {
	t.Helper()
	var setup rfcSetup
	for _, o := range opts {
		o(&setup)
	}
	for _, m := range rfcModes {
		t.Run(m.String(), func(t *testing.T) {
			h := newHarness(t, m, &setup)
			fn(t, h)
		})
	}
}

// harness is one configuration of one case: an origin, a cache in front of
// it, and the client that talks to the cache.
type harness struct {
	t      *testing.T
	shared bool
	proxy  bool
	clock  *fakeClock
	origin *rfcOrigin
	// tr is the Transport under test (the proxy's, in proxy mode).
	tr *clientcache.Transport
	// client sends requests to base: the origin through tr, or the proxy.
	client *http.Client
	// direct always uses tr itself, for requests the proxy cannot send
	// (another origin).
	direct *http.Client
	// base is the URL the client addresses: the origin's or the proxy's.
	base  string
	store *rfcStore
	log   *rfcLog
}

func newHarness(t *testing.T, m rfcMode, setup *rfcSetup) *harness {
	t.Helper()
	h := &harness{t: t, shared: m.shared, proxy: m.proxy, clock: newClock(), log: &rfcLog{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cache log:\n%s", h.log.String())
		}
	})
	h.origin = newRFCOrigin(t, h.clock)
	h.store = &rfcStore{Storage: newMapStore(), changed: make(chan struct{})}
	next := &http.Transport{DisableCompression: true}
	t.Cleanup(next.CloseIdleConnections)
	o := &clientcache.Options{
		CacheControl: true,
		Shared:       m.shared,
		Next:         next,
		Now:          h.clock.Now,
		Logger:       slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range setup.options {
		f(h, o)
	}
	tr, err := clientcache.NewTransport(&storage.Backend{Responses: h.store, Redirects: newMapStore()}, o)
	if err != nil {
		t.Fatal(err)
	}
	h.tr = tr
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.direct = &http.Client{Transport: tr, CheckRedirect: noRedirects}
	if !m.proxy {
		h.client, h.base = h.direct, h.origin.URL
		return h
	}
	u, err := url.Parse(h.origin.URL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := clientcache.NewReverseProxy(u, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	toProxy := &http.Transport{DisableCompression: true}
	t.Cleanup(toProxy.CloseIdleConnections)
	h.client = &http.Client{Transport: toProxy, CheckRedirect: noRedirects}
	h.base = ps.URL
	return h
}

// route scripts the origin's answers for path; fn gets the number of the
// request to path (1 for the first).
func (h *harness) route(path string, fn rfcHandler) { h.origin.route(path, fn) }

// originURL is the absolute URL of path at the origin, as the cache keys it.
func (h *harness) originURL(path string) string { return h.origin.URL + path }

// rfcResult is a response with its body read to the end.
type rfcResult struct {
	status int
	header http.Header
	body   string
}

// cacheStatus is the response's Cache-Status header.
func (r rfcResult) cacheStatus() string { return r.header.Get("Cache-Status") }

// hit reports a response the cache answered from its store without
// contacting the origin.
func (r rfcResult) hit() bool { return strings.HasPrefix(r.cacheStatus(), "clientcache; hit") }

// get sends a GET for path with the given header lines ("Name: value"; a
// name may repeat).
func (h *harness) get(path string, header ...string) rfcResult {
	h.t.Helper()
	return h.do(http.MethodGet, path, "", header...)
}

// do sends a request to the cache under test.
func (h *harness) do(method, path, body string, header ...string) rfcResult {
	h.t.Helper()
	return h.send(h.client, method, h.base+path, body, header...)
}

func (h *harness) send(c *http.Client, method, target, body string, header ...string) rfcResult {
	h.t.Helper()
	r, err := h.trySend(c, method, target, body, header...)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// tryGet is get for a request that may fail, and for other goroutines than
// the test's.
func (h *harness) tryGet(path string, header ...string) (rfcResult, error) {
	return h.trySend(h.client, http.MethodGet, h.base+path, "", header...)
}

func (h *harness) trySend(c *http.Client, method, target, body string, header ...string) (rfcResult, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return rfcResult{}, err
	}
	for _, line := range header {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return rfcResult{}, fmt.Errorf("header line %q has no colon", line)
		}
		req.Header.Add(name, strings.TrimSpace(value))
	}
	resp, err := c.Do(req)
	if err != nil {
		return rfcResult{}, fmt.Errorf("%s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return rfcResult{}, fmt.Errorf("%s %s: reading the body: %w", method, target, err)
	}
	return rfcResult{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

// expectHits fails unless the origin received exactly n requests for path.
func (h *harness) expectHits(path string, n int) {
	h.t.Helper()
	if got := h.origin.hits(path); got != n {
		h.t.Errorf("origin received %d requests for %s, want %d", got, path, n)
	}
}

// expect fails unless r has the status and body wanted.
func (h *harness) expect(r rfcResult, status int, body string) {
	h.t.Helper()
	if r.status != status || r.body != body {
		h.t.Errorf("got %d %q (Cache-Status %q), want %d %q", r.status, r.body, r.cacheStatus(), status, body)
	}
}

// expectAge fails unless r carries an Age header of want seconds.
func (h *harness) expectAge(r rfcResult, want int) {
	h.t.Helper()
	if got := r.header.Values("Age"); len(got) != 1 || got[0] != strconv.Itoa(want) {
		h.t.Errorf("Age = %q, want %d", got, want)
	}
}

// stored reports whether a GET of path at the origin has a stored response.
func (h *harness) stored(path string) bool {
	h.t.Helper()
	ok, err := h.tr.Cache().ContainsURL(context.Background(), h.originURL(path))
	if err != nil {
		h.t.Fatal(err)
	}
	return ok
}

// storedHeader returns the header of the response stored for a GET of path.
func (h *harness) storedHeader(path string) http.Header {
	h.t.Helper()
	r, err := h.tr.Cache().ResponseForURL(context.Background(), h.originURL(path))
	if err != nil {
		h.t.Fatalf("%s: %v", path, err)
	}
	return r.Header
}

// advance moves the fake clock.
func (h *harness) advance(d time.Duration) { h.clock.Advance(d) }

// date formats a time of the fake clock as an HTTP-date.
func (h *harness) date(d time.Duration) string {
	return h.clock.Now().Add(d).UTC().Format(http.TimeFormat)
}

// rfcHandler answers the n-th request for a path.
type rfcHandler func(w http.ResponseWriter, r *http.Request, n int)

// rfcOrigin is a loopback origin scripted per path. It counts the requests
// reaching each path, keeps a copy of each, and dates its responses with the
// fake clock (a handler may override or delete Date).
type rfcOrigin struct {
	*httptest.Server
	clock *fakeClock

	mu     sync.Mutex
	routes map[string]rfcHandler
	seen   map[string][]*http.Request
	// arrived is closed and replaced whenever a request arrives.
	arrived chan struct{}
}

func newRFCOrigin(t *testing.T, clock *fakeClock) *rfcOrigin {
	o := &rfcOrigin{clock: clock, routes: map[string]rfcHandler{}, seen: map[string][]*http.Request{}, arrived: make(chan struct{})}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.Close)
	return o
}

func (o *rfcOrigin) serve(w http.ResponseWriter, r *http.Request) {
	copied := r.Clone(context.Background())
	copied.Body = nil
	o.mu.Lock()
	o.seen[r.URL.Path] = append(o.seen[r.URL.Path], copied)
	n := len(o.seen[r.URL.Path])
	fn := o.routes[r.URL.Path]
	close(o.arrived)
	o.arrived = make(chan struct{})
	o.mu.Unlock()
	w.Header().Set("Date", o.clock.Now().UTC().Format(http.TimeFormat))
	if fn == nil {
		http.Error(w, "no route for "+r.URL.Path, http.StatusNotFound)
		return
	}
	fn(w, r, n)
}

func (o *rfcOrigin) route(path string, fn rfcHandler) {
	o.mu.Lock()
	o.routes[path] = fn
	o.mu.Unlock()
}

// hits returns the number of requests that reached path, any method.
func (o *rfcOrigin) hits(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.seen[path])
}

// requests returns copies of the requests that reached path, oldest first.
func (o *rfcOrigin) requests(path string) []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.seen[path]...)
}

// last returns the latest request that reached path.
func (o *rfcOrigin) last(path string) *http.Request {
	rs := o.requests(path)
	if len(rs) == 0 {
		return nil
	}
	return rs[len(rs)-1]
}

// waitHits waits until n requests have reached path.
func (o *rfcOrigin) waitHits(t *testing.T, path string, n int) {
	t.Helper()
	guard := time.After(10 * time.Second) // a deadlock guard, not a timing
	for {
		o.mu.Lock()
		got, ch := len(o.seen[path]), o.arrived
		o.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-guard:
			t.Fatalf("the origin received %d requests for %s, still waiting for %d", got, path, n)
		}
	}
}

// reply writes a response: status, header lines ("Name: value"; a name may
// repeat; "Name:" with nothing after deletes the field) and body.
func reply(w http.ResponseWriter, status int, body string, header ...string) {
	for _, line := range header {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		if value == "" {
			w.Header()[http.CanonicalHeaderKey(name)] = nil
			continue
		}
		w.Header().Add(name, value)
	}
	w.WriteHeader(status)
	if body != "" {
		io.WriteString(w, body)
	}
}

// static scripts path to answer every request with status, a body "v<n>"
// (n counting the requests to path) and the header lines.
func (h *harness) static(path string, status int, header ...string) {
	h.route(path, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, status, "v"+strconv.Itoa(n), header...)
	})
}

// rfcStore is a map store that signals every change, so that a test can wait
// for a background revalidation to store its response.
type rfcStore struct {
	storage.Storage

	mu      sync.Mutex
	writes  int
	changed chan struct{}
}

func (s *rfcStore) Write(ctx context.Context, key string, value []byte) error {
	err := s.Storage.Write(ctx, key, value)
	s.mu.Lock()
	s.writes++
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return err
}

// written returns the number of writes so far.
func (s *rfcStore) written() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// waitWrites waits until the store has been written n times in all.
func (s *rfcStore) waitWrites(t *testing.T, n int) {
	t.Helper()
	guard := time.After(10 * time.Second) // a deadlock guard, not a timing
	for {
		s.mu.Lock()
		got, ch := s.writes, s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-guard:
			t.Fatalf("the store was written %d times, still waiting for %d", got, n)
		}
	}
}

// rfcLog collects the cache's log lines, shown when a test fails.
type rfcLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *rfcLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *rfcLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRFC9111Harness checks the harness itself: every configuration reaches
// the origin through the cache, and the origin dates responses with the fake
// clock.
func TestRFC9111Harness(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/h", http.StatusOK, "Cache-Control: max-age=60")
		first := h.get("/h")
		h.expect(first, http.StatusOK, "v1")
		if got, want := first.header.Get("Date"), h.date(0); got != want {
			t.Errorf("Date = %q, want the fake clock's %q", got, want)
		}
		// Sent before the body, which is what is stored: the header cannot
		// know yet, and must not claim it.
		if strings.Contains(first.cacheStatus(), "stored") {
			t.Errorf("Cache-Status %q claims a body not yet read was stored", first.cacheStatus())
		}
		second := h.get("/h")
		h.expect(second, http.StatusOK, "v1")
		if !second.hit() {
			t.Errorf("Cache-Status %q, want a hit", second.cacheStatus())
		}
		h.expectHits("/h", 1)
		if !h.stored("/h") {
			t.Error("the response is not in the store")
		}
	})
}
