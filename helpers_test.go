package clientcache_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
)

// newMemBackend opens a memstore Backend without a budget.
func newMemBackend(tb testing.TB) *storage.Backend {
	tb.Helper()
	b, err := memstore.Open(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// origin is a loopback HTTP server that counts the requests reaching it.
type origin struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	last *http.Request
}

func newOrigin(t *testing.T, h http.HandlerFunc) *origin {
	t.Helper()
	o := &origin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		o.mu.Lock()
		o.last = r.Clone(r.Context())
		o.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) count() int64 { return o.hits.Load() }

func (o *origin) lastRequest() *http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// newClock starts at the real time, since stores with native expiry use the
// real clock.
func newClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newSession(t *testing.T, b *storage.Backend, o *clientcache.Options) *clientcache.Session {
	t.Helper()
	if b == nil {
		b = newMapBackend()
	}
	s, err := clientcache.NewSession(b, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// result is a response with its body read to the end.
type result struct {
	*http.Response
	body   string
	status clientcache.Status
}

func do(t *testing.T, c *http.Client, req *http.Request) result {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of %s: %v", req.URL, err)
	}
	return result{resp, string(b), clientcache.StatusOf(resp)}
}

func get(t *testing.T, c *http.Client, url string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
