package clientcache_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// The proxy's tests drive a real loopback origin through a real loopback
// proxy. They never assert timings: where order matters (streaming), the
// origin waits for the client, with a generous deadlock guard.

// startProxy serves a ReverseProxy to upstream through a Transport with o
// over a memory store, and returns its server.
func startProxy(t *testing.T, upstream string, o *clientcache.Options, po *clientcache.ProxyOptions) *httptest.Server {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := clientcache.NewTransport(newMemBackend(t), o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := clientcache.NewReverseProxy(u, tr, po)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(p)
	t.Cleanup(func() {
		s.Close()
		tr.CloseIdleConnections()
	})
	return s
}

// syncBuffer is a bytes.Buffer for logs written by server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitFor returns the first line of b that contains every one of parts,
// waiting for the server to write it: a handler logs after the client has
// its response.
func waitFor(t *testing.T, b *syncBuffer, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for line := range strings.SplitSeq(b.String(), "\n") {
			found := true
			for _, p := range parts {
				found = found && strings.Contains(line, p)
			}
			if found {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q in:\n%s", parts, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProxyServesRepeatsFromStore(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "body of %s", r.URL.Path)
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)
	first := get(t, p.Client(), p.URL+"/twice")
	second := get(t, p.Client(), p.URL+"/twice")
	if first.body != "body of /twice" || second.body != first.body {
		t.Fatalf("bodies %q, %q", first.body, second.body)
	}
	if got := first.Header.Get("Cache-Status"); got != "clientcache; fwd=uri-miss" {
		t.Errorf("first Cache-Status = %q", got)
	}
	if got := second.Header.Get("Cache-Status"); !strings.HasPrefix(got, "clientcache; hit") {
		t.Errorf("second Cache-Status = %q, want a hit", got)
	}
	if second.Header.Get("Age") == "" {
		t.Error("a response from the store has no Age header")
	}
	if n := o.count(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}

// In CacheControl mode, the mode the command-line proxy uses, the origin's
// max-age decides.
func TestProxyCacheControlMaxAge(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		fmt.Fprint(w, "fresh for a minute")
	})
	p := startProxy(t, o.URL, &clientcache.Options{CacheControl: true, Shared: true}, nil)
	get(t, p.Client(), p.URL+"/max-age")
	second := get(t, p.Client(), p.URL+"/max-age")
	if got := second.Header.Get("Cache-Status"); !strings.HasPrefix(got, "clientcache; hit") {
		t.Errorf("second Cache-Status = %q, want a hit", got)
	}
	if second.Header.Get("Age") == "" || second.body != "fresh for a minute" {
		t.Errorf("second response: Age %q, body %q", second.Header.Get("Age"), second.body)
	}
	if n := o.count(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}

func TestProxyPassesPathQueryAndHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen *http.Request
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Clone(r.Context())
		mu.Unlock()
		w.Header().Add("X-Answer", "one")
		w.Header().Add("X-Answer", "two")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		fmt.Fprint(w, r.RequestURI)
	})
	for _, base := range []string{"", "/base"} {
		p := startProxy(t, o.URL+base, &clientcache.Options{Disabled: true}, nil)
		for _, uri := range []string{
			"/plain",
			"/a%2Fb/c%20d",
			"/x?b=2&a=1&b=1",
			"/q?a=1;b=2&c",
			"/%7Euser/?x=%2F&y=a+b&z=%zz",
			"//double//slash/",
			"/dots/../up",
			"/",
		} {
			req, err := http.NewRequest("GET", p.URL+uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Add("X-Custom", "kept")
			req.Header.Add("X-Multi", "1")
			req.Header.Add("X-Multi", "2")
			req.Header.Set("Connection", "X-Hop")
			req.Header.Set("X-Hop", "for the proxy only")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			r := do(t, p.Client(), req)
			want := base + uri
			if base != "" && uri == "/" {
				want = base + "/"
			}
			if r.body != want {
				t.Errorf("upstream %q: %s reached the origin as %q, want %q", base, uri, r.body, want)
			}
			if got := r.Header.Values("X-Answer"); len(got) != 2 || got[0] != "one" || got[1] != "two" {
				t.Errorf("%s: response X-Answer = %q", uri, got)
			}
			if got := r.Header.Values("Set-Cookie"); len(got) != 2 {
				t.Errorf("%s: response Set-Cookie = %q", uri, got)
			}
			mu.Lock()
			h, host := seen.Header, seen.Host
			mu.Unlock()
			if h.Get("X-Custom") != "kept" || len(h.Values("X-Multi")) != 2 {
				t.Errorf("%s: origin saw header %v", uri, h)
			}
			for _, name := range []string{"X-Hop", "X-Forwarded-For", "X-Forwarded-Host"} {
				if v := h.Get(name); v != "" {
					t.Errorf("%s: origin saw %s: %q", uri, name, v)
				}
			}
			if want := strings.TrimPrefix(o.URL, "http://"); host != want {
				t.Errorf("%s: origin saw Host %q, want the upstream's %q", uri, host, want)
			}
		}
	}
}

func TestProxyXForwarded(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s|%s", r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-Host"), r.Header.Get("X-Forwarded-Proto"))
	})
	p := startProxy(t, o.URL, &clientcache.Options{Disabled: true}, &clientcache.ProxyOptions{XForwarded: true})
	req, _ := http.NewRequest("GET", p.URL+"/xff", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9") // forged: replaced
	r := do(t, p.Client(), req)
	if want := "127.0.0.1|" + strings.TrimPrefix(p.URL, "http://") + "|http"; r.body != want {
		t.Errorf("origin saw %q, want %q", r.body, want)
	}
}

func TestProxyPassesUnknownMethods(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, body)
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)
	for i, method := range []string{"PURGEX", "PROPFIND", "PURGEX"} {
		req, _ := http.NewRequest(method, p.URL+"/dav", strings.NewReader("<propfind/>"))
		r := do(t, p.Client(), req)
		if want := method + " /dav <propfind/>"; r.body != want {
			t.Errorf("%s: origin answered %q, want %q", method, r.body, want)
		}
		if got := r.Header.Get("Cache-Status"); got != "clientcache; fwd=bypass" {
			t.Errorf("%s: Cache-Status = %q", method, got)
		}
		if n := o.count(); n != int64(i+1) {
			t.Errorf("after %d requests the origin saw %d", i+1, n)
		}
	}
}

// A request body reaches the origin as the client sends it: the origin
// reads the first part before the client sends the rest.
func TestProxyStreamsRequestBody(t *testing.T) {
	const half = 512 << 10
	gotFirst := make(chan struct{})
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		first := make([]byte, half)
		if _, err := io.ReadFull(r.Body, first); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		close(gotFirst)
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%d %x", half+len(rest), sha256.Sum256(append(first, rest...)))
	})
	p := startProxy(t, o.URL, nil, nil)
	body := bytes.Repeat([]byte("0123456789abcdef"), 2*half/16)
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(body[:half])
		select {
		case <-gotFirst:
		case <-time.After(30 * time.Second):
			pw.CloseWithError(errors.New("the origin never got the first half: the proxy buffers request bodies"))
			return
		}
		_, _ = pw.Write(body[half:])
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", p.URL+"/upload", pr)
	r := do(t, p.Client(), req)
	if want := fmt.Sprintf("%d %x", len(body), sha256.Sum256(body)); r.body != want {
		t.Errorf("origin answered %q, want %q", r.body, want)
	}
}

// A 20 MB response streams through a cache that stores it: the client gets
// the first megabyte while the origin still waits to send the rest.
func TestProxyStreamsLargeResponse(t *testing.T) {
	const size, mb = 20 << 20, 1 << 20
	chunk := bytes.Repeat([]byte("clientcache 1 MB"), mb/16) // 16 bytes a line
	clientGotBytes := make(chan struct{})
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			if sent == 0 {
				select {
				case <-clientGotBytes:
				case <-time.After(30 * time.Second):
					return // a short body: the client reports it
				}
			}
		}
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)

	resp, err := p.Client().Get(p.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 4096)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	close(clientGotBytes)
	rest, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first) + len(rest); n != size {
		t.Fatalf("client got %d bytes, want %d (did the proxy wait for the whole body?)", n, size)
	}
	if !bytes.Equal(first, chunk[:len(first)]) || !bytes.Equal(rest[len(rest)-len(chunk):], chunk) {
		t.Fatal("the body is not what the origin sent")
	}

	// It was stored while it streamed.
	again := get(t, p.Client(), p.URL+"/big")
	if len(again.body) != size || !strings.HasPrefix(again.Header.Get("Cache-Status"), "clientcache; hit") {
		t.Errorf("second request: %d bytes, Cache-Status %q; want a %d-byte hit", len(again.body), again.Header.Get("Cache-Status"), size)
	}
	if n := o.count(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}

func TestProxyForwardsEarlyHints(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		fmt.Fprint(w, "the page")
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)
	var mu sync.Mutex
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		mu.Lock()
		defer mu.Unlock()
		hints = append(hints, fmt.Sprintf("%d %s", code, h.Get("Link")))
		return nil
	}}
	req, _ := http.NewRequest("GET", p.URL+"/page", nil)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	r := do(t, p.Client(), req)
	mu.Lock()
	defer mu.Unlock()
	if len(hints) != 1 || hints[0] != "103 </style.css>; rel=preload; as=style" {
		t.Errorf("client saw interim responses %q, want one 103 with its Link", hints)
	}
	if r.StatusCode != http.StatusOK || r.body != "the page" || r.Header.Get("Link") != "" {
		t.Errorf("final response: %d %q, Link %q", r.StatusCode, r.body, r.Header.Get("Link"))
	}
}

func TestProxyForwardsTrailers(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		fmt.Fprint(w, "body with a trailer")
		w.Header().Set("X-Checksum", "c0ffee")
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)
	for _, method := range []string{"GET", "PURGEX"} { // stored, and passed through
		req, _ := http.NewRequest(method, p.URL+"/trailer", nil)
		r := do(t, p.Client(), req)
		if r.body != "body with a trailer" || r.Trailer.Get("X-Checksum") != "c0ffee" {
			t.Errorf("%s: body %q, trailer %v", method, r.body, r.Trailer)
		}
	}
}

// A protocol upgrade reaches the origin every time, and the two ends talk
// through the proxy.
func TestProxyForwardsUpgrades(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			fmt.Fprint(w, "plain")
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		rw.Flush()
		line, _ := rw.ReadString('\n')
		fmt.Fprint(rw, "echo: "+line)
		rw.Flush()
	})
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute}, nil)
	get(t, p.Client(), p.URL+"/ws") // stores a plain answer the upgrades must not get
	for i := range 2 {
		req, _ := http.NewRequest("GET", p.URL+"/ws", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "echo")
		resp, err := p.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusSwitchingProtocols {
			resp.Body.Close()
			t.Fatalf("upgrade %d: status %d, Cache-Status %q", i, resp.StatusCode, resp.Header.Get("Cache-Status"))
		}
		conn, ok := resp.Body.(io.ReadWriteCloser)
		if !ok {
			t.Fatalf("upgrade %d: the body is not a connection", i)
		}
		fmt.Fprint(conn, "ping\n")
		line, err := bufio.NewReader(conn).ReadString('\n')
		conn.Close()
		if line != "echo: ping\n" {
			t.Errorf("upgrade %d: read %q, %v", i, line, err)
		}
	}
	if n := o.count(); n != 3 {
		t.Errorf("origin saw %d requests, want 3", n)
	}
}

func TestProxyUpstreamDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	var errs, access syncBuffer
	p := startProxy(t, down, nil, &clientcache.ProxyOptions{
		ErrorLog:  slog.New(slog.NewTextHandler(&errs, nil)),
		AccessLog: slog.New(slog.NewTextHandler(&access, nil)),
	})
	r := get(t, p.Client(), p.URL+"/nobody?token=s3cret")
	if r.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", r.StatusCode)
	}
	if r.body != "502 Bad Gateway: the upstream server did not answer\n" {
		t.Errorf("body %q", r.body)
	}
	line := waitFor(t, &errs, "upstream request failed")
	for _, want := range []string{"level=WARN", "method=GET", "/nobody?token=REDACTED", "connection refused"} {
		if !strings.Contains(line, want) {
			t.Errorf("error log line lacks %q: %s", want, line)
		}
	}
	waitFor(t, &access, "status=502")
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestProxyUpstreamTimeout(t *testing.T) {
	timeout := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("no answer: %w", context.DeadlineExceeded)
	})
	var errs syncBuffer
	p := startProxy(t, "http://upstream.invalid", &clientcache.Options{Next: timeout},
		&clientcache.ProxyOptions{ErrorLog: slog.New(slog.NewTextHandler(&errs, nil))})
	r := get(t, p.Client(), p.URL+"/slow")
	if r.StatusCode != http.StatusGatewayTimeout || r.body != "504 Gateway Timeout: the upstream server did not answer\n" {
		t.Errorf("status %d, body %q; want a 504", r.StatusCode, r.body)
	}
	waitFor(t, &errs, "upstream request failed", "url=http://upstream.invalid/slow", "deadline exceeded")
}

func TestProxyAccessLog(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "logged")
	})
	var log syncBuffer
	p := startProxy(t, o.URL, &clientcache.Options{ExpireAfter: time.Minute},
		&clientcache.ProxyOptions{AccessLog: slog.New(slog.NewTextHandler(&log, nil))})
	get(t, p.Client(), p.URL+"/logged?b=2&api_key=s3cret")
	get(t, p.Client(), p.URL+"/logged?b=2&api_key=s3cret")
	req, _ := http.NewRequest("PURGEX", p.URL+"/logged", nil)
	do(t, p.Client(), req)

	miss := waitFor(t, &log, "fwd=uri-miss")
	for _, want := range []string{"level=INFO", "method=GET", "path=\"/logged?api_key=REDACTED&b=2\"", "status=200", "bytes=6", "duration=", "remote=127.0.0.1:"} {
		if !strings.Contains(miss, want) {
			t.Errorf("access log line lacks %q: %s", want, miss)
		}
	}
	waitFor(t, &log, "method=GET", `cache="clientcache; hit`)
	waitFor(t, &log, "method=PURGEX", "path=/logged", `cache="clientcache; fwd=bypass"`)
	if strings.Contains(log.String(), "s3cret") {
		t.Errorf("the access log shows a secret:\n%s", log.String())
	}
}

func TestNewReverseProxyRejects(t *testing.T) {
	tr, err := clientcache.NewTransport(newMemBackend(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"", "/relative", "ftp://example.com/", "http://", "http://user:pw@example.com/"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := clientcache.NewReverseProxy(u, tr, nil); !errors.Is(err, clientcache.ErrInvalidOptions) {
			t.Errorf("upstream %q: err = %v, want ErrInvalidOptions", raw, err)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("upstream %q: the error shows the password: %v", raw, err)
		}
	}
	u, _ := url.Parse("http://example.com/")
	if _, err := clientcache.NewReverseProxy(nil, tr, nil); !errors.Is(err, clientcache.ErrInvalidOptions) {
		t.Errorf("nil upstream: err = %v", err)
	}
	if _, err := clientcache.NewReverseProxy(u, nil, nil); !errors.Is(err, clientcache.ErrInvalidOptions) {
		t.Errorf("nil Transport: err = %v", err)
	}
}
