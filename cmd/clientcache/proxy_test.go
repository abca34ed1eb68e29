package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// proxyOrigin is a loopback origin for the proxy: /fresh is fresh for a
// minute, /slow answers when release is closed, anything else has no
// freshness information. It counts the requests reaching it.
type proxyOrigin struct {
	*httptest.Server
	hits    atomic.Int64
	arrived chan struct{} // a request for /slow arrived
	release chan struct{} // lets /slow answer
}

func newProxyOrigin(t *testing.T) *proxyOrigin {
	o := &proxyOrigin{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		switch r.URL.Path {
		case "/fresh":
			w.Header().Set("Cache-Control", "max-age=60")
		case "/slow":
			o.arrived <- struct{}{}
			select {
			case <-o.release:
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.RequestURI())
	}))
	t.Cleanup(o.Close)
	return o
}

// lines collects what a proxy writes on stderr, line by line.
type lines struct {
	mu   sync.Mutex
	all  []string
	more chan struct{} // closed and replaced on every new line
}

func newLines() *lines { return &lines{more: make(chan struct{})} }

func (l *lines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, line)
	close(l.more)
	l.more = make(chan struct{})
}

// Write takes output from an in-process run, which writes whole lines.
func (l *lines) Write(p []byte) (int, error) {
	for line := range strings.SplitSeq(strings.TrimSuffix(string(p), "\n"), "\n") {
		l.add(line)
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// wait returns the first line matching re, waiting for it.
func (l *lines) wait(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		for _, line := range l.all {
			if m := rx.FindStringSubmatch(line); m != nil {
				l.mu.Unlock()
				return m
			}
		}
		more := l.more
		l.mu.Unlock()
		select {
		case <-more:
		case <-timeout:
			t.Fatalf("no line matching %q on stderr:\n%s", re, l.String())
		}
	}
}

// startLine is the line the proxy prints once it listens.
const startLine = `^clientcache proxy: listening on (http://127\.0\.0\.1:\d+), upstream (\S+), cache (\S+)$`

func proxyGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestProxyUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing --upstream URL"},
		{[]string{"--upstream", "ftp://example.com"}, "want an absolute http:// or https:// URL"},
		{[]string{"--upstream", "example.com:8080"}, "want an absolute http:// or https:// URL"},
		{[]string{"--upstream", "http://[::1"}, "is not a URL"},
		{[]string{"--upstream", "http://u:secret@example.com"}, "holds credentials"},
		{[]string{"--upstream", "http://example.com", "--listen", "8080"}, "want HOST:PORT"},
		{[]string{"--upstream", "http://example.com", "--listen", "127.0.0.1:99999"}, "not a number from 0 to 65535"},
		{[]string{"--upstream", "http://example.com", "--listen", "127.0.0.1:http"}, "not a number from 0 to 65535"},
		{[]string{"--upstream", "http://example.com", "--shared", "--cache-control=false"}, "--shared"},
		{[]string{"--upstream", "http://example.com", "--expire-after", "soon"}, "--expire-after"},
		{[]string{"--upstream", "http://example.com", "--nope"}, "-nope"},
		{[]string{"http://example.com"}, "takes no arguments"},
		{[]string{"--upstream", "http://example.com", "--cache", "foo://x"}, `unknown cache URL scheme "foo"`},
	} {
		r := cli(t, append([]string{"proxy"}, tc.args...)...)
		r.wantUsage(t, tc.want)
		if strings.Contains(r.stderr, "secret") {
			t.Errorf("%q: stderr shows the password: %s", tc.args, r.stderr)
		}
	}
}

func TestProxyCannotListen(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	r := cli(t, "proxy", "--upstream", "http://example.com", "--listen", busy.Addr().String())
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %q", r.code, r.stderr)
	}
	wantOneLine(t, r, "cannot listen on "+busy.Addr().String(), "address already in use")
}

// run, in-process: serve, answer from the store, stop when the context
// (SIGINT in main) is done.
func TestProxyServesUntilCancelled(t *testing.T) {
	t.Parallel()
	o := newProxyOrigin(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := newLines()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"proxy", "--listen", "127.0.0.1:0", "--upstream", o.URL, "--cache", "memory://"}, io.Discard, stderr)
	}()
	m := stderr.wait(t, startLine)
	if m[2] != o.URL || m[3] != "memory://" {
		t.Errorf("start line %q", m[0])
	}
	// The miss is stored once its body is read, after the header: the
	// second request is a hit.
	for i, want := range []string{miss, hit} {
		resp, body := proxyGet(t, m[1]+"/fresh?q=1")
		if got := resp.Header.Get("Cache-Status"); !statusIs(got, want) || body != "GET /fresh?q=1" {
			t.Errorf("request %d: Cache-Status %q, body %q; want %q", i+1, got, body, want)
		}
	}
	if n := o.hits.Load(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
	stderr.wait(t, `msg="clientcache proxy" method=GET path="/fresh\?q=1" status=200 bytes=14 .*cache="clientcache; hit`)
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit status %d, want 0; stderr:\n%s", c, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the proxy did not stop")
	}
	stderr.wait(t, "^clientcache proxy: shutting down")
	stderr.wait(t, "^clientcache proxy: stopped$")
}

// The binary, as a user runs it: a SQLite store, SIGINT while a request is
// in flight, which completes; the store keeps what the proxy stored.
func TestBinaryProxy(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	o := newProxyOrigin(t)
	cache := sqliteCache(t)
	cmd := exec.Command(binary, "proxy", "--listen", "127.0.0.1:0", "--upstream", o.URL, "--cache", cache)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderr := newLines()
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			stderr.add(sc.Text())
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	m := stderr.wait(t, startLine)
	if m[3] != cache {
		t.Errorf("start line names cache %q, want %q", m[3], cache)
	}
	proxy := m[1]
	for i, want := range []string{miss, hit} {
		resp, body := proxyGet(t, proxy+"/fresh")
		if got := resp.Header.Get("Cache-Status"); !statusIs(got, want) || body != "GET /fresh" {
			t.Errorf("request %d: Cache-Status %q, body %q; want %q", i+1, got, body, want)
		}
	}
	req, _ := http.NewRequest("PROPFIND", proxy+"/dav/a%2Fb?x=1;y", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "PROPFIND /dav/a%2Fb?x=1;y" {
		t.Errorf("origin saw %q", body)
	}

	// A request in flight when SIGINT arrives completes.
	type answer struct {
		body string
		err  error
	}
	slow := make(chan answer, 1)
	go func() {
		resp, err := http.Get(proxy + "/slow")
		if err != nil {
			slow <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- answer{string(b), err}
	}()
	select {
	case <-o.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the slow request never reached the origin")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	stderr.wait(t, "^clientcache proxy: shutting down")
	close(o.release)
	if a := <-slow; a.err != nil || a.body != "GET /slow" {
		t.Errorf("request in flight at shutdown: %q, %v", a.body, a.err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGINT: %v, want exit status 0; stderr:\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the proxy did not stop after SIGINT; stderr:\n%s", stderr)
	}
	stderr.wait(t, `method=PROPFIND path="/dav/a%2Fb\?x=1;y" status=200 .*cache="clientcache; fwd=bypass"`)
	stderr.wait(t, `method=GET path=/slow status=200`)
	if n := o.hits.Load(); n != 3 {
		t.Errorf("origin saw %d requests, want 3", n)
	}
	cliBin(t, nil, "urls", "--cache", cache).want(t, 0, o.URL+"/fresh\n")
}
