package clientcache_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// These tests send hand-made request lines over TCP (as curl --path-as-is
// or an attacker would: Go's client, like every client, would resolve the
// dot segments first) to a real proxy in front of a real upstream, which
// records the request target it receives.

// targetRecorder is an upstream that records every request target it
// receives and answers with it.
type targetRecorder struct {
	*origin
	mu   sync.Mutex
	seen []string
}

func newTargetRecorder(t *testing.T) *targetRecorder {
	rec := &targetRecorder{}
	rec.origin = newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.RequestURI)
		rec.mu.Unlock()
		fmt.Fprint(w, r.RequestURI)
	})
	return rec
}

// take returns the targets received since the last call.
func (rec *targetRecorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	seen := rec.seen
	rec.seen = nil
	return seen
}

// rawGet sends "GET target HTTP/1.1" to the server at addr as it is, and
// returns the response's status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", target, err)
	}
	return resp.StatusCode, string(body)
}

func TestProxyConfinesDotSegments(t *testing.T) {
	const refused = ""
	tests := []struct {
		target string
		want   string // the target the upstream receives, after its path; refused: none
	}{
		// The forms of the report.
		{"/../x", refused},
		{"/a/../../x", refused},
		{"/%2e%2e/x", refused},
		{"/%2E%2e%2Fx", refused},
		{"/.%2e/x", refused},
		{"/a/./b", "/a/./b"},
		{"/a%2Fb", "/a%2Fb"},
		// Climbing above the root, spelled otherwise.
		{"/..", refused},
		{"/../", refused},
		{"/%2e%2e", refused},
		{"/a/b/../../..", refused},
		{"/./../x", refused},
		{"//../x", refused},    // an upstream that merges slashes sees /..
		{"/%2F/../x", refused}, // or that decodes %2F and then merges
		{"/a/%2e%2E/%2E./x", refused},
		{"http://example.com/../x", refused}, // absolute form
		{"http:/../x", refused},
		// Dot segments hidden where upstreams disagree: refused even
		// when they would stay within the path.
		{"/..%2Fx", refused},
		{"/..%2fx", refused},
		{"/a/%2e%2e%2fx", refused},
		{"/a%2F..%2F..%2Fx", refused},
		{"/..%5Cx", refused},
		{"/a/.%5C", refused},
		{`/..\x`, refused},
		{`/a\..\..\x`, refused},
		{"/a/..;/..;/x", refused},
		{"/..;x/y", refused},
		{"/%252e%252e/x", refused},
		{"/%25252e%25252e/x", refused},
		{"/a%252F..%252Fx", refused},
		// Dot segments that stay within the path pass unchanged, and so
		// does everything else, encoded slashes included.
		{"/a/../b", "/a/../b"},
		{"/a/b/../../c", "/a/b/../../c"},
		{"/a/..", "/a/.."},
		{"/a/%2e%2e/b", "/a/%2e%2e/b"},
		{"/./a", "/./a"},
		{"/a%2Fb/c%20d?x=%2F&y=..%2F..", "/a%2Fb/c%20d?x=%2F&y=..%2F.."},
		{"/a/.../b", "/a/.../b"},
		{"/a/..b/c..", "/a/..b/c.."},
		{"/a/%2e%2e%2e", "/a/%2e%2e%2e"},
		{"/x/?q=../../etc", "/x/?q=../../etc"},
		{"/a;b=1/c", "/a;b=1/c"},
		{"/100%25/x", "/100%25/x"},
		{"/", "/"},
	}
	up := newTargetRecorder(t)
	for _, base := range []string{"/base/", "/base", ""} {
		t.Run("upstream path "+base, func(t *testing.T) {
			var log syncBuffer
			logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p := startProxy(t, up.URL+base, &clientcache.Options{Disabled: true}, &clientcache.ProxyOptions{ErrorLog: logger})
			addr := strings.TrimPrefix(p.URL, "http://")
			refusals := 0
			for _, tc := range tests {
				up.take()
				code, body := rawGet(t, addr, tc.target)
				seen := up.take()
				if tc.want == refused {
					refusals++
					if len(seen) != 0 {
						t.Errorf("GET %s reached the upstream as %q", tc.target, seen)
					}
					if code != http.StatusBadRequest {
						t.Errorf("GET %s: status %d, want 400", tc.target, code)
					}
					if len(body) > 100 || strings.Count(body, "\n") > 1 || !strings.HasPrefix(body, "400 Bad Request") {
						t.Errorf("GET %s: body %q, want one short line", tc.target, body)
					}
					if n := strings.Count(log.String(), "refused a path outside the upstream's"); n != refusals {
						t.Errorf("GET %s: %d refusals logged, want %d:\n%s", tc.target, n, refusals, log.String())
					}
					continue
				}
				want := strings.TrimSuffix(base, "/") + tc.want
				if code != http.StatusOK || !slices.Equal(seen, []string{want}) || body != want {
					t.Errorf("GET %s reached the upstream as %q (status %d, body %q), want %q", tc.target, seen, code, body, want)
				}
			}
			if lines := log.String(); !strings.Contains(lines, "level=DEBUG") || strings.Contains(lines, "level=WARN") {
				t.Errorf("refusals are not logged at level Debug alone:\n%s", lines)
			}
		})
	}
}

// An opaque request target ("GET x:../y HTTP/1.1", which net/http accepts)
// would be sent upstream as it is, in place of the upstream's path. The
// upstream here reads request lines itself: a Go server would refuse them.
func TestProxyRefusesOpaqueTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	lines := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			lines <- strings.TrimSpace(line)
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
			c.Close()
		}
	}()
	p := startProxy(t, "http://"+ln.Addr().String()+"/base/", &clientcache.Options{Disabled: true}, nil)
	addr := strings.TrimPrefix(p.URL, "http://")
	for _, target := range []string{"x:../../etc/passwd", "http:../x", "http:x"} {
		code, _ := rawGet(t, addr, target)
		if code != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", target, code)
		}
	}
	if code, body := rawGet(t, addr, "/a/./b"); code != http.StatusOK || body != "ok" {
		t.Fatalf("GET /a/./b: %d %q", code, body)
	}
	if line := <-lines; line != "GET /base/a/./b HTTP/1.1" {
		t.Errorf("the upstream received %q first, want the request for /a/./b", line)
	}
}

// A refused request appears in the access log as any other.
func TestProxyAccessLogsRefusals(t *testing.T) {
	up := newTargetRecorder(t)
	var access syncBuffer
	p := startProxy(t, up.URL+"/base/", &clientcache.Options{Disabled: true},
		&clientcache.ProxyOptions{AccessLog: slog.New(slog.NewTextHandler(&access, nil))})
	if code, _ := rawGet(t, strings.TrimPrefix(p.URL, "http://"), "/%2e%2e/secret"); code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", code)
	}
	waitFor(t, &access, "status=400", "GET")
}
