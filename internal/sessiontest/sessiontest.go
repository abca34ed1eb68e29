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
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// body is what the origin answers.
const body = "from the origin"

// Probe GETs one URL of a loopback origin through a Session on a Backend.
type Probe struct {
	t   testing.TB
	s   *clientcache.Session
	url string
}

// NewProbe starts a loopback origin, stopped when t ends, and returns a
// Probe that GETs it through a Session on b. The Session's log is
// discarded: with the store down, it is all failures.
func NewProbe(t testing.TB, b *storage.Backend) *Probe {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(origin.Close)
	s, err := clientcache.NewSession(b, &clientcache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return &Probe{t: t, s: s, url: origin.URL + "/item"}
}

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
