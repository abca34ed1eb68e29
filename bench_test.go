package clientcache_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// BenchmarkHit measures a memstore hit through the Transport: lookup,
// decode, building the response and draining its body. The peer comparison
// lives in the bench module.
func BenchmarkHit(b *testing.B) { benchmarkHit(b, nil) }

// BenchmarkHitWithStoreDeadline is BenchmarkHit with a deadline on each
// store operation, as a store on a server has (storeguard.go): the cost of
// the guard's context.WithTimeout, measured on a store that costs nothing.
func BenchmarkHitWithStoreDeadline(b *testing.B) {
	benchmarkHit(b, &clientcache.Options{StoreTimeout: time.Second})
}

func benchmarkHit(b *testing.B, opts *clientcache.Options) {
	for _, size := range []int{2 << 10, 100 << 10} {
		b.Run(byteSize(size), func(b *testing.B) {
			body := strings.Repeat("x", size)
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
				io.WriteString(w, body)
			}))
			defer origin.Close()
			tr, err := clientcache.NewTransport(newMemBackend(b), opts)
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, origin.URL+"/item?id=1", nil)
			roundTrip(b, tr, req)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				roundTrip(b, tr, req)
			}
		})
	}
}

func roundTrip(b *testing.B, tr http.RoundTripper, req *http.Request) {
	resp, err := tr.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func byteSize(n int) string { return fmt.Sprintf("%dKB", n>>10) }

// BenchmarkMissStore measures a miss whose response is stored: each
// iteration asks for a new URL and reads the body to its end.
func BenchmarkMissStore(b *testing.B) {
	for _, size := range []int{2 << 10, 100 << 10} {
		b.Run(byteSize(size), func(b *testing.B) {
			body := strings.Repeat("x", size)
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				io.WriteString(w, body)
			}))
			defer origin.Close()
			tr, err := clientcache.NewTransport(newMemBackend(b), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				req, _ := http.NewRequest(http.MethodGet, origin.URL+"/item?id="+fmt.Sprint(i), nil)
				roundTrip(b, tr, req)
			}
		})
	}
}

// BenchmarkNoCache is the floor of BenchmarkMissStore: the same requests
// without a cache.
func BenchmarkNoCache(b *testing.B) {
	body := strings.Repeat("x", 2<<10)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		io.WriteString(w, body)
	}))
	defer origin.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req, _ := http.NewRequest(http.MethodGet, origin.URL+"/item?id="+fmt.Sprint(i), nil)
		roundTrip(b, http.DefaultTransport, req)
	}
}

// BenchmarkHitWithCredentials is BenchmarkHit for a request with an
// Authorization header: its key and lookup include the keyed digest of the
// credentials.
func BenchmarkHitWithCredentials(b *testing.B) {
	body := strings.Repeat("x", 2<<10)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer origin.Close()
	tr, err := clientcache.NewTransport(newMemBackend(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, origin.URL+"/item?id=1", nil)
	req.Header.Set("Authorization", "Bearer 0123456789abcdef0123456789abcdef")
	roundTrip(b, tr, req)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		roundTrip(b, tr, req)
	}
}
