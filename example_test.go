package clientcache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage/memstore"
)

// A Session is an *http.Client that answers repeated requests from its store.
func ExampleNewSession() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, &clientcache.Options{ExpireAfter: time.Hour})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for range 2 {
		resp, err := s.Get(origin.URL)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body) // the response is stored once read to the end
		resp.Body.Close()
		fmt.Println(string(body), clientcache.StatusOf(resp).FromCache)
	}
	// Output:
	// hello false
	// hello true
}

// A Transport adds the cache to an *http.Client you already have.
func ExampleNewTransport() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "data")
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	tr, err := clientcache.NewTransport(store, &clientcache.Options{
		Next: http.DefaultTransport,
		URLPatterns: []clientcache.URLPattern{
			{Pattern: "*/static/*", ExpireAfter: clientcache.NeverExpire},
			{Pattern: "*/live/*", ExpireAfter: clientcache.DoNotCache},
		},
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: tr}
	for _, path := range []string{"/static/a", "/static/a", "/live/b"} {
		resp, err := client.Get(origin.URL + path)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body) // reading to the end stores it
		resp.Body.Close()
		fmt.Println(path, resp.Header.Get("Cache-Status"), "| stored:", clientcache.StatusOf(resp).Stored)
	}
	// Output:
	// /static/a clientcache; fwd=uri-miss | stored: true
	// /static/a clientcache; hit | stored: false
	// /live/b clientcache; fwd=bypass | stored: false
}

// Per-request settings travel in the request's context.
func ExampleWithRequest() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "fresh")
	}))
	defer origin.Close()
	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, _ := clientcache.NewSession(store, nil)
	defer s.Close()

	ctx := clientcache.WithRequest(context.Background(), clientcache.RequestOptions{OnlyIfCached: true})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, origin.URL, nil)
	resp, err := s.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode) // nothing stored yet, and the origin may not be asked
	// Output:
	// 504
}
