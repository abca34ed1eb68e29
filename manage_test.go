package clientcache_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

func TestManagementAPI(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.URL.Path) })
	clock := newClock()
	for name, b := range map[string]func() *clientcache.Session{
		"mapstore (fallbacks)": func() *clientcache.Session {
			return newSession(t, newMapBackend(), &clientcache.Options{Now: clock.Now, ExpireAfter: time.Hour})
		},
		"memstore (native expiry, pruning)": func() *clientcache.Session {
			return newSession(t, newMemBackend(t), &clientcache.Options{Now: clock.Now, ExpireAfter: time.Hour})
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := b()
			ctx := t.Context()
			get(t, s.Client, o.URL+"/a")
			get(t, s.Client, o.URL+"/b")
			req, _ := http.NewRequestWithContext(clientcache.WithRequest(ctx, clientcache.RequestOptions{ExpireAfter: time.Minute}), http.MethodGet, o.URL+"/short", nil)
			do(t, s.Client, req)

			if n, err := s.Cache.Size(ctx); err != nil || n != 3 {
				t.Fatalf("Size = %d, %v; want 3", n, err)
			}
			key, _ := s.Cache.KeyFor(context.Background(), o.URL+"/a")
			if ok, err := s.Cache.Contains(ctx, key); err != nil || !ok {
				t.Fatalf("Contains(key of /a) = %v, %v", ok, err)
			}
			r, err := s.Cache.ResponseForURL(ctx, o.URL+"/a")
			if err != nil || string(r.Body) != "/a" || r.StatusCode != 200 || r.Method != "GET" || r.URL != o.URL+"/a" {
				t.Fatalf("ResponseForURL(/a) = %+v, %v", r, err)
			}
			urls, err := s.Cache.URLs(ctx)
			slices.Sort(urls)
			if err != nil || strings.Join(urls, " ") != o.URL+"/a "+o.URL+"/b "+o.URL+"/short" {
				t.Fatalf("URLs = %v, %v", urls, err)
			}

			clock.Advance(2 * time.Minute) // /short is now stale
			if urls, _ := s.Cache.UnexpiredURLs(ctx); len(urls) != 2 || slices.Contains(urls, o.URL+"/short") {
				t.Fatalf("unexpired URLs = %v", urls)
			}
			if n, err := s.Cache.DeleteExpired(ctx); err != nil || n != 1 {
				t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
			}
			if ok, _ := s.Cache.ContainsURL(ctx, o.URL+"/short"); ok {
				t.Fatal("the expired response survived DeleteExpired")
			}
			if err := s.Cache.DeleteURLs(ctx, o.URL+"/a"); err != nil {
				t.Fatal(err)
			}
			if err := s.Cache.Delete(ctx, "no-such-key"); err != nil {
				t.Fatalf("Delete of an absent key: %v", err)
			}
			n := 0
			for r, err := range s.Cache.Responses(ctx) {
				if err != nil || r.URL != o.URL+"/b" || r.Size == 0 {
					t.Fatalf("Responses yielded %+v, %v", r, err)
				}
				n++
			}
			if n != 1 {
				t.Fatalf("Responses yielded %d entries, want 1", n)
			}
			if err := s.Cache.Clear(ctx); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Cache.Size(ctx); n != 0 {
				t.Fatalf("Size after Clear = %d", n)
			}
			if _, err := s.Cache.ResponseForURL(ctx, o.URL+"/b"); err == nil {
				t.Fatal("ResponseForURL after Clear found a response")
			}
		})
	}
}

func TestStaleIfError(t *testing.T) {
	failing := false
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if failing {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "good")
	})
	clock := newClock()
	s := newSession(t, nil, &clientcache.Options{ExpireAfter: time.Minute, StaleIfError: time.Hour, Now: clock.Now})
	get(t, s.Client, o.URL)
	clock.Advance(2 * time.Minute)
	failing = true
	r := get(t, s.Client, o.URL)
	if r.body != "good" || !r.status.Expired || !r.status.FromCache {
		t.Fatalf("origin 503 within stale-if-error: %d %q %+v", r.StatusCode, r.body, r.status)
	}
	o.Close() // unreachable now
	if r := get(t, s.Client, o.URL); r.body != "good" || !r.status.Expired {
		t.Fatalf("origin unreachable within stale-if-error: %q %+v", r.body, r.status)
	}
	clock.Advance(2 * time.Hour)
	if _, err := s.Get(o.URL); err == nil {
		t.Fatal("a response past its stale-if-error window was served")
	}
}

func TestVaryNamesTheFieldsThatMustMatch(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept")
		fmt.Fprint(w, "for "+r.Header.Get("Accept"))
	})
	s := newSession(t, nil, nil)
	req := func(accept string) result {
		r, _ := http.NewRequest(http.MethodGet, o.URL, nil)
		r.Header.Set("Accept", accept)
		return do(t, s.Client, r)
	}
	req("text/html")
	if r := req("text/html"); !r.status.FromCache {
		t.Fatal("same Accept: not a hit")
	}
	if r := req("application/json"); r.status.FromCache || r.body != "for application/json" || r.Header.Get("Cache-Status") != "clientcache; fwd=vary-miss" || !r.status.Stored {
		t.Fatalf("another Accept: %q %q", r.body, r.Header.Get("Cache-Status"))
	}
}

func TestRoundTripperContract(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		fmt.Fprint(w, "x")
	})
	tr, err := clientcache.NewTransport(newMapBackend(), &clientcache.Options{ExpireAfter: clientcache.ExpireImmediately})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // miss, then revalidations
		body := &trackingBody{Reader: strings.NewReader("")}
		req, _ := http.NewRequest(http.MethodGet, o.URL, body)
		req.Header.Set("X-Custom", "1")
		before := fmt.Sprint(req.Header, req.URL, req.Method, req.ContentLength)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if after := fmt.Sprint(req.Header, req.URL, req.Method, req.ContentLength); after != before {
			t.Fatalf("request %d was modified: %s -> %s", i, before, after)
		}
		if !body.closed {
			t.Fatalf("request %d: the request body was not closed", i)
		}
	}
}

type trackingBody struct {
	*strings.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }
