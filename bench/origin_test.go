package bench

import (
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// sizes are the body sizes every benchmark runs at.
var sizes = []int{2 << 10, 100 << 10}

func sizeName(n int) string { return fmt.Sprintf("%dKB", n>>10) }

// origin is a loopback HTTP server answering every GET with the same body
// and the headers of a typical cacheable API response. It counts the
// requests that reach it.
type origin struct {
	*httptest.Server
	body     []byte
	requests atomic.Int64
}

// newOrigin starts an origin serving a body of size bytes, closed when tb
// ends. Cache-Control: max-age=3600 makes the response fresh for an hour to
// gregjones/httpcache, which stores only responses with freshness headers.
func newOrigin(tb testing.TB, size int) *origin {
	tb.Helper()
	o := &origin{body: makeBody(size)}
	h := fnv.New64a()
	h.Write(o.body)
	etag := []string{fmt.Sprintf(`"%016x"`, h.Sum64())}
	contentLength := []string{strconv.Itoa(size)}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		hd := w.Header()
		hd["Date"] = []string{time.Now().UTC().Format(http.TimeFormat)}
		hd["Cache-Control"] = []string{"max-age=3600"}
		hd["Etag"] = etag
		if r.Header.Get("If-None-Match") == etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		hd["Content-Type"] = []string{"application/json"}
		hd["Content-Length"] = contentLength
		w.WriteHeader(http.StatusOK)
		w.Write(o.body)
	}))
	tb.Cleanup(o.Close)
	return o
}

// transport is the origin's own client transport (keep-alive on loopback),
// the Next of every cache.
func (o *origin) transport() http.RoundTripper { return o.Client().Transport }

// makeBody returns size bytes of JSON-looking text, the same for every run.
func makeBody(size int) []byte {
	b := make([]byte, 0, size+64)
	b = append(b, '[')
	for i := 0; len(b) < size; i++ {
		b = fmt.Appendf(b, `{"id":%d,"name":"item %d","price":%d.%02d,"tags":["a","b"]},`, i, i*7919%10007, i%997, i%100)
	}
	b = b[:size]
	b[size-1] = ']'
	return b
}

// roundTrip sends req through rt and reads the body to its end, as a client
// does; the cache stores a miss at that moment.
func roundTrip(tb testing.TB, rt http.RoundTripper, req *http.Request) *http.Response {
	resp, err := rt.RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		tb.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		tb.Fatal(err)
	}
	return resp
}

// newRequest returns a GET of url.
func newRequest(tb testing.TB, url string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// withQuery returns a shallow copy of req whose query is q: a request for
// another resource of the same origin.
func withQuery(req *http.Request, q string) *http.Request {
	r := new(http.Request)
	*r = *req
	u := *req.URL
	u.RawQuery = q
	r.URL = &u
	return r
}
