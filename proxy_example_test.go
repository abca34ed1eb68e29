package clientcache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage/memstore"
)

// A ReverseProxy puts a cache in front of one server, for clients in any
// language: here the second request never reaches the origin.
func ExampleNewReverseProxy() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	t, err := clientcache.NewTransport(store, &clientcache.Options{CacheControl: true})
	if err != nil {
		panic(err)
	}
	upstream, _ := url.Parse(origin.URL)
	p, err := clientcache.NewReverseProxy(upstream, t, nil)
	if err != nil {
		panic(err)
	}
	proxy := httptest.NewServer(p) // in a program: http.Server{Handler: p, ...}
	defer proxy.Close()

	for range 2 {
		resp, err := http.Get(proxy.URL + "/greeting")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s (hit: %t)\n", body, resp.Header.Get("Age") != "")
	}
	// Output:
	// hello from /greeting (hit: false)
	// hello from /greeting (hit: true)
}
