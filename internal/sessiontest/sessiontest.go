// Package sessiontest is for a store's outage tests: it checks, through a
// clientcache.Session on the store's Backend, that requests are served from
// the cache while the store's server is up and go to the network, without
// failing, while it is down (a cache failure never fails a request).
//
// It is a package apart from storagetest, which depends on neither package
// clientcache nor net/http.
//
//	probe := sessiontest.NewProbe(t, b)
//	probe.WantCached("with the server up")
//	stopTheServer()
//	probe.WantFromNetwork("with the server down")
//	startTheServer()
//	probe.WantCached("after the server came back")
package sessiontest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/storage"
)

// body is what the origin answers.
const body = "from the origin"

// Probe GETs one URL of a loopback origin through a Session on a Backend.
type Probe struct {
	t        testing.TB
	s        *clientcache.Session
	url      string
	warnings *warningCounter
}

// NewProbe starts a loopback origin, stopped when t ends, and returns a
// Probe that GETs it through a Session on b. The Session's log is counted
// (Warnings), not shown.
func NewProbe(t testing.TB, b *storage.Backend) *Probe {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(origin.Close)
	w := &warningCounter{}
	s, err := clientcache.NewSession(b, &clientcache.Options{Logger: slog.New(w)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &Probe{t: t, s: s, url: origin.URL + "/item", warnings: w}
}

// Warnings returns how many warnings the Session has logged.
func (p *Probe) Warnings() int64 { return p.warnings.n.Load() }

// RideOut is the acceptance of a store outage, through the Session: once
// fail has made the store fail (refuse connections, or never answer), 20
// GETs all come from the network, with at most 5 warnings logged; once heal
// has brought it back, GETs are served from the cache again within 30 s.
// The 20 GETs' duration is logged, not asserted.
func (p *Probe) RideOut(what string, fail, heal func()) {
	p.t.Helper()
	before := p.Warnings()
	fail()
	began := time.Now()
	for range 20 {
		p.Get()
	}
	p.t.Logf("store %s: 20 GETs in %v", what, time.Since(began))
	if n := p.Warnings() - before; n > 5 {
		p.t.Errorf("store %s: %d warnings for 20 GETs, want at most 5", what, n)
	}
	heal()
	p.WantCachedSoon("after the store " + what + " came back")
}

// RidesOutProxyOutages is issue #9's acceptance through a Session on b,
// opened through p: GETs are served from the cache with the server up, and
// the Session rides out (RideOut) p refusing connections, then p never
// answering.
func RidesOutProxyOutages(t testing.TB, b *storage.Backend, p *outagetest.Proxy) {
	t.Helper()
	probe := NewProbe(t, b)
	probe.WantCachedSoon("with the server up")
	probe.RideOut("refusing connections", p.Refuse, p.Forward)
	probe.RideOut("never answering", p.Blackhole, p.Forward)
}

// OpenedWhileRefusing is the acceptance of a store opened through p while p
// refuses connections. b and err are what the store's constructor, named
// how, returned: they must be a Backend (a Lazy one) and an error wrapping
// storage.ErrUnavailable. The Backend fails at once, and GETs through a
// Session on it come from the network; once p forwards again, the Backend
// connects by itself (outagetest.WaitWorks) and GETs are served from the
// cache again. b is closed when t ends.
func OpenedWhileRefusing(t testing.TB, how string, p *outagetest.Proxy, b *storage.Backend, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrUnavailable) || b == nil {
		if b != nil {
			b.Close()
		}
		t.Fatalf("%s with the server refusing = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", how, b, err)
	}
	t.Logf("%s with the server refusing: %v", how, err)
	t.Cleanup(func() { b.Close() })
	if _, err := b.Responses.Read(t.Context(), "k"); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Read before the server answers = %v, want an error wrapping storage.ErrUnavailable", err)
	}
	probe := NewProbe(t, b)
	probe.WantFromNetwork("with the server refusing")

	p.Forward()
	outagetest.WaitWorks(t, b.Responses)
	probe.WantCachedSoon("once the server answered")
}

// WantCachedSoon is WantCached, tried again for up to 30 s: after an outage
// the store is used again once the core's probe finds it back.
func (p *Probe) WantCachedSoon(when string) {
	p.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		p.Get()
		if p.Get().FromCache {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s, no GET was served from the cache within 30 s", when)
		}
	}
}

// warningCounter is a slog.Handler that counts warnings and drops all.
type warningCounter struct{ n atomic.Int64 }

func (w *warningCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (w *warningCounter) Handle(context.Context, slog.Record) error {
	w.n.Add(1)
	return nil
}

func (w *warningCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warningCounter) WithGroup(string) slog.Handler      { return w }

// Get GETs the URL and returns what the cache did. It fails the test unless
// the origin's body arrives, whether the store is up or down.
func (p *Probe) Get() clientcache.Status {
	p.t.Helper()
	resp, err := p.s.Get(p.url)
	if err != nil {
		p.t.Fatalf("GET through the cache: %v", err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != body {
		p.t.Fatalf("GET through the cache: body %q, %v", got, err)
	}
	return clientcache.StatusOf(resp)
}

// WantCached GETs the URL twice and fails the test unless the second answer
// came from the cache: the first stores it (again: a restarted server may
// have lost it). when says when, for the message ("with the server up").
func (p *Probe) WantCached(when string) {
	p.t.Helper()
	p.Get()
	if !p.Get().FromCache {
		p.t.Fatalf("%s, the second GET was not served from the cache", when)
	}
}

// WantFromNetwork GETs the URL and fails the test if the answer came from
// the cache. when says when, for the message ("with the server down").
func (p *Probe) WantFromNetwork(when string) {
	p.t.Helper()
	if p.Get().FromCache {
		p.t.Fatalf("%s, a GET was served from the cache", when)
	}
}
