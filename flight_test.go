package clientcache

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/clientcache/clientcache/internal/flight"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
)

// memBackend opens a memstore Backend without a budget.
func memBackend(tb testing.TB) *storage.Backend {
	tb.Helper()
	b, err := memstore.Open(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestConcurrentIdenticalRequestsAreCoalesced(t *testing.T) {
	const followers = 9
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	var hits atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		arrived <- struct{}{}
		<-release
		fmt.Fprint(w, "shared body")
	}))
	defer origin.Close()
	tr, err := NewTransport(memBackend(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var waiting sync.WaitGroup
	waiting.Add(followers)
	flight.TestHookFollowerWaiting = waiting.Done
	defer func() { flight.TestHookFollowerWaiting = nil }()

	type outcome struct {
		body      string
		collapsed bool
		err       error
	}
	results := make(chan outcome, followers+1)
	fetch := func() {
		req, _ := http.NewRequest(http.MethodGet, origin.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			results <- outcome{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		results <- outcome{string(b), StatusOf(resp).Collapsed, err}
	}
	go fetch()
	<-arrived // the leader's request is at the origin
	for range followers {
		go fetch()
	}
	waiting.Wait() // every follower is waiting for the leader
	close(release)
	collapsed := 0
	for range followers + 1 {
		o := <-results
		if o.err != nil || o.body != "shared body" {
			t.Fatalf("a request got (%q, %v)", o.body, o.err)
		}
		if o.collapsed {
			collapsed++
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("origin saw %d requests, want 1", n)
	}
	if collapsed != followers {
		t.Fatalf("%d responses were collapsed, want %d", collapsed, followers)
	}
}

func TestFollowerReadsWhileLeaderDoesNot(t *testing.T) {
	// The leader never reads its body: a follower must still get the whole
	// body by pulling it from the origin itself, not deadlock.
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1<<20))
	}))
	defer origin.Close()
	tr, _ := NewTransport(memBackend(t), nil)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, origin.URL, nil)
	leader, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer leader.Body.Close()
	follower, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, follower.Body)
	follower.Body.Close()
	if err != nil || n != 1<<20 {
		t.Fatalf("follower read %d bytes, %v", n, err)
	}
	if !StatusOf(follower).Collapsed {
		t.Fatal("the second request was not served from the first one's fetch")
	}
	// The leader can still read the whole body afterwards, from the buffer.
	if n, err := io.Copy(io.Discard, leader.Body); err != nil || n != 1<<20 {
		t.Fatalf("leader read %d bytes, %v", n, err)
	}
}

func TestFollowerWithAnotherVariantFetchesItsOwn(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 2)
	var hits atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Vary", "Accept")
		fmt.Fprint(w, "for "+r.Header.Get("Accept"))
	}))
	defer origin.Close()
	tr, _ := NewTransport(memBackend(t), nil)
	waiting := make(chan struct{})
	flight.TestHookFollowerWaiting = func() { close(waiting) }
	defer func() { flight.TestHookFollowerWaiting = nil }()

	fetch := func(accept string, out chan<- string) {
		req, _ := http.NewRequest(http.MethodGet, origin.URL, nil)
		req.Header.Set("Accept", accept)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			out <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out <- string(b)
	}
	html, js := make(chan string, 1), make(chan string, 1)
	go fetch("text/html", html)
	<-arrived
	go fetch("application/json", js)
	<-waiting // the second request waits for the first one's response
	close(release)
	if got := <-html; got != "for text/html" {
		t.Fatalf("first request got %q", got)
	}
	if got := <-js; got != "for application/json" {
		t.Fatalf("a request for another variant got %q from the first one's fetch", got)
	}
}
