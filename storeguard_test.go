package clientcache_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// Modes of a sickStorage.
const (
	healthy int32 = iota
	failing       // every operation fails at once, as with a refused connection
	hanging       // every operation waits for its context, as with a server that never answers
)

// sickStorage is a Storage whose health a test switches, counting the
// operations that reach it. It stands for a store's server in the core's
// tests; the stores' own outage tests use the real servers.
type sickStorage struct {
	storage.Storage
	mode *atomic.Int32
	ops  *atomic.Int64
}

func (s sickStorage) sick(ctx context.Context) error {
	s.ops.Add(1)
	switch s.mode.Load() {
	case failing:
		return errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	case hanging:
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (s sickStorage) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.sick(ctx); err != nil {
		return false, err
	}
	return s.Storage.Contains(ctx, key)
}

func (s sickStorage) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.sick(ctx); err != nil {
		return nil, err
	}
	return s.Storage.Read(ctx, key)
}

func (s sickStorage) Write(ctx context.Context, key string, v []byte) error {
	if err := s.sick(ctx); err != nil {
		return err
	}
	return s.Storage.Write(ctx, key, v)
}

func (s sickStorage) Delete(ctx context.Context, key string) error {
	if err := s.sick(ctx); err != nil {
		return err
	}
	return s.Storage.Delete(ctx, key)
}

func (s sickStorage) Size(ctx context.Context) (int, error) {
	if err := s.sick(ctx); err != nil {
		return 0, err
	}
	return s.Storage.Size(ctx)
}

// sickBackend is a map Backend behind one switch.
type sickBackend struct {
	*storage.Backend
	mode atomic.Int32
	ops  atomic.Int64
}

func newSickBackend() *sickBackend {
	m := newMapBackend()
	s := &sickBackend{}
	s.Backend = &storage.Backend{
		Responses: sickStorage{m.Responses, &s.mode, &s.ops},
		Redirects: sickStorage{m.Redirects, &s.mode, &s.ops},
	}
	return s
}

// A store that fails, at once or by never answering, costs the first
// requests a failure each; then it is skipped: requests go straight to the
// origin and the store hears nothing but the probe. One warning says so.
func TestSickStoreIsSkipped(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode int32
	}{{"failing", failing}, {"hanging", hanging}} {
		t.Run(mode.name, func(t *testing.T) {
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "origin") })
			b := newSickBackend()
			b.mode.Store(mode.mode)
			var log syncBuffer
			s := newSession(t, b.Backend, &clientcache.Options{Logger: slogTo(&log), StoreTimeout: 20 * time.Millisecond})
			for i := range 20 {
				r := get(t, s.Client, fmt.Sprintf("%s/%d", o.URL, i))
				if r.body != "origin" || r.status.FromCache {
					t.Fatalf("request %d: %q from cache %v", i, r.body, r.status.FromCache)
				}
				if r.status.Detail != clientcache.DetailStoreError {
					t.Errorf("request %d: detail %q, want %q", i, r.status.Detail, clientcache.DetailStoreError)
				}
			}
			// 3 failures skip the store: a read and (a miss) a write per
			// request, and the probe, which waits at least 250 ms.
			if n := b.ops.Load(); n > 8 {
				t.Errorf("the store saw %d operations from 20 requests, want it skipped after 3 failures", n)
			}
			if n := strings.Count(log.String(), "level=WARN"); n < 1 || n > 2 {
				t.Errorf("%d warnings, want 1 or 2:\n%s", n, log.String())
			}
			if !strings.Contains(log.String(), "requests skip it") {
				t.Errorf("no line says the store is skipped:\n%s", log.String())
			}
		})
	}
}

// When the store answers again, the probe notices and requests use it.
func TestSkippedStoreComesBack(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "origin") })
	b := newSickBackend()
	var log syncBuffer
	s := newSession(t, b.Backend, &clientcache.Options{Logger: slogTo(&log)})
	b.mode.Store(failing)
	for range 4 {
		get(t, s.Client, o.URL+"/a")
	}
	b.mode.Store(healthy)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(log.String(), "the store answers again") {
		if time.Now().After(deadline) {
			t.Fatalf("the store was not used again within 20 s:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	get(t, s.Client, o.URL+"/a")
	if r := get(t, s.Client, o.URL+"/a"); !r.status.FromCache {
		t.Fatalf("after the store came back: %+v", r.status)
	}
}

// A failure or two among successes does not skip the store, and the
// management API, which is not guarded, reaches the store while requests
// skip it.
func TestStoreSkippingIsForRequestsOnly(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "origin") })
	b := newSickBackend()
	var log syncBuffer
	s := newSession(t, b.Backend, &clientcache.Options{Logger: slogTo(&log)})
	for i := range 10 {
		b.mode.Store(failing)
		get(t, s.Client, o.URL+"/x") // a failed read and a failed write
		b.mode.Store(healthy)
		get(t, s.Client, fmt.Sprintf("%s/%d", o.URL, i))
	}
	if strings.Contains(log.String(), "requests skip it") {
		t.Fatalf("isolated failures skipped the store:\n%s", log.String())
	}
	if n := strings.Count(log.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for isolated failures within a minute, want 1:\n%s", n, log.String())
	}

	b.mode.Store(failing)
	for range 3 {
		get(t, s.Client, o.URL+"/y")
	}
	before := b.ops.Load()
	if _, err := s.Cache.Size(context.Background()); err == nil {
		t.Fatal("Cache.Size on a failing store: no error")
	}
	if b.ops.Load() == before {
		t.Fatal("Cache.Size did not reach the store while requests skip it")
	}
}

// A request the caller cancels is no failure of the store.
func TestCallerCancellationIsNoStoreFailure(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "origin") })
	b := newSickBackend()
	b.mode.Store(hanging)
	var log syncBuffer
	s := newSession(t, b.Backend, &clientcache.Options{Logger: slogTo(&log), StoreTimeout: -1})
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
		if resp, err := s.Client.Do(req); err == nil {
			resp.Body.Close()
		}
		cancel()
	}
	if log.String() != "" {
		t.Fatalf("cancelled requests were logged as store failures:\n%s", log.String())
	}
}
