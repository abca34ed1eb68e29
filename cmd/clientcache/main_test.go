package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// binary is the command built once by TestMain, for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	// No test may touch the user's real cache: a test that means to use
	// the default sets its own HOME and XDG_CACHE_HOME.
	os.Setenv(cacheEnv, "memory://")
	dir, err := os.MkdirTemp("", "clientcache-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "clientcache")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

// cli calls run in-process.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	code := run(ctx, args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// cliBin runs the built binary with the environment env added to the
// test's. It may run in a t.Cleanup, after t.Context is done.
func cliBin(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", binary, strings.Join(args, " "), err)
	}
	return r
}

// want fails the test unless r exited with code and its stdout contains
// every one of outs.
func (r result) want(t *testing.T, code int, outs ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, o := range outs {
		if !strings.Contains(r.stdout, o) {
			t.Fatalf("stdout lacks %q\nstdout:\n%s\nstderr:\n%s", o, r.stdout, r.stderr)
		}
	}
}

// wantUsage fails the test unless r is a usage error: status 2 and one
// line on stderr that contains each of parts.
func (r result) wantUsage(t *testing.T, parts ...string) {
	t.Helper()
	if r.code != 2 {
		t.Fatalf("exit status %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	wantOneLine(t, r, parts...)
}

// wantOneLine checks that stderr is one line holding each of parts, and
// stdout is empty.
func wantOneLine(t *testing.T, r result, parts ...string) {
	t.Helper()
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Fatalf("stderr is not one line:\n%s", r.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Fatalf("stderr %q lacks %q", r.stderr, p)
		}
	}
	if r.stdout != "" {
		t.Fatalf("stdout not empty:\n%s", r.stdout)
	}
}

// cacheStatus returns the Cache-Status line of get -i output.
func cacheStatus(t *testing.T, r result) string {
	t.Helper()
	for line := range strings.SplitSeq(r.stdout, "\n") {
		if v, ok := strings.CutPrefix(line, "Cache-Status: "); ok {
			return v
		}
		if line == "" {
			break
		}
	}
	t.Fatalf("no Cache-Status header in:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	return ""
}

// The Cache-Status of a miss and of a hit. A response fetched from the
// origin is stored once its body has been read, after the header was sent:
// a miss never says "stored" (HEAD and 304 revalidations, stored before the
// response is returned, may).
const (
	miss = "clientcache; fwd=uri-miss"
	hit  = "clientcache; hit"
)

// statusIs reports whether the Cache-Status got is want: a miss exactly, a
// hit with or without a ttl.
func statusIs(got, want string) bool {
	return got == want || want == hit && strings.HasPrefix(got, hit+"; ttl=")
}

// origin is a loopback HTTP server that counts the requests reaching it.
type origin struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int // "METHOD /path" -> requests
	total  atomic.Int64
}

// newOrigin starts an origin that serves "body of PATH" (and, for a
// request with a body, "METHOD PATH: BODY"), /redirect to /target, and
// /status/N with status N.
func newOrigin(t *testing.T) *origin {
	o := &origin{counts: map[string]int{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.total.Add(1)
		o.mu.Lock()
		o.counts[r.Method+" "+r.URL.Path]++
		o.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if v := r.Header.Get("X-Test"); v != "" {
			w.Header().Set("X-Seen-Header", v)
		}
		switch {
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, "/target", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/status/"):
			var code int
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/status/"), "%d", &code)
			w.WriteHeader(code)
			fmt.Fprintf(w, "status %d\n", code)
		default:
			body, _ := io.ReadAll(r.Body)
			if len(body) > 0 {
				fmt.Fprintf(w, "%s %s: %s\n", r.Method, r.URL.Path, body)
				return
			}
			fmt.Fprintf(w, "body of %s\n", r.URL.Path)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

// count returns how many requests for "METHOD /path" reached the origin.
func (o *origin) count(methodPath string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[methodPath]
}

// newHTTPBin starts go-httpbin on loopback.
func newHTTPBin(t *testing.T) *httptest.Server {
	s := httptest.NewServer(httpbin.New())
	t.Cleanup(s.Close)
	return s
}

// closedPort returns a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}

// sqliteCache returns a sqlite:// URL for a new database in a temp dir.
func sqliteCache(t *testing.T) string {
	return sqliteURL(filepath.Join(t.TempDir(), "cache.sqlite"))
}
