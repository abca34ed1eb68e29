package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests here run the binary TestMain built, as a user would.

func TestBinaryGetTwice(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	first := cliBin(t, nil, "get", "-i", "--cache", cache, o.URL+"/twice")
	first.want(t, 0, "HTTP/1.1 200 OK\n", "body of /twice\n")
	if got := cacheStatus(t, first); got != "clientcache; fwd=uri-miss" || first.stderr != "" {
		t.Errorf("first Cache-Status = %q, stderr %q; want a miss, stored (the second is a hit)", got, first.stderr)
	}
	second := cliBin(t, nil, "get", o.URL+"/twice", "-i", "--cache", cache)
	second.want(t, 0, "HTTP/1.1 200 OK\n", "body of /twice\n")
	if got := cacheStatus(t, second); got != "clientcache; hit" {
		t.Errorf("second Cache-Status = %q, want a hit", got)
	}
	if n := o.count("GET /twice"); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
	if second.stderr != "" {
		t.Errorf("stderr not empty: %s", second.stderr)
	}
	cliBin(t, nil, "urls", "--cache", cache).want(t, 0, o.URL+"/twice\n")
}

func TestBinaryGetHTTPBin(t *testing.T) {
	t.Parallel()
	bin := newHTTPBin(t)
	cache := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(t.TempDir(), "files"))}).String()
	// The first is stored once its body is read, after the header: the
	// second is a hit.
	for i, want := range []string{"clientcache; fwd=uri-miss", "clientcache; hit"} {
		r := cliBin(t, nil, "get", "-i", "--cache", cache, "-H", "X-Test: yes", bin.URL+"/redirect/2")
		r.want(t, 0, `"url": "`+bin.URL+`/get"`, `"X-Test": [`)
		if got := cacheStatus(t, r); got != want || r.stderr != "" {
			t.Errorf("run %d: Cache-Status = %q, stderr %q; want %q", i+1, got, r.stderr, want)
		}
	}
}

func TestBinaryExitStatus(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	cliBin(t, nil, "get", "--cache", cache, o.URL+"/status/503").want(t, 0, "status 503\n")

	r := cliBin(t, nil, "get", "--cache", cache, closedPort(t))
	if r.code != 1 {
		t.Fatalf("closed port: status %d, want 1; stderr %q", r.code, r.stderr)
	}
	wantOneLine(t, r, "connection refused")

	cliBin(t, nil, "get", "--nope", "--cache", cache, o.URL).wantUsage(t, "-nope")
	cliBin(t, nil, "get", "--cache", cache).wantUsage(t, "no URL given")
	cliBin(t, nil, "get", "--cache", "foo://x", o.URL).wantUsage(t, `unknown cache URL scheme "foo"`, "sqlite://")
	cliBin(t, nil, "frob").wantUsage(t, `unknown command "frob"`)
	cliBin(t, nil, "help").want(t, 0, "Commands:")
}

// The default cache is $CLIENTCACHE_CACHE, else the SQLite file in the
// user cache directory.
func TestBinaryDefaultCache(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the user cache directory checked here is Linux's")
	}
	o := newOrigin(t)
	dir := t.TempDir()

	fromEnv := filepath.Join(dir, "env", "cache.sqlite")
	env := []string{cacheEnv + "=" + sqliteURL(fromEnv)}
	cliBin(t, env, "get", o.URL+"/env").want(t, 0, "body of /env\n")
	if _, err := os.Stat(fromEnv); err != nil {
		t.Errorf("CLIENTCACHE_CACHE was not used: %v", err)
	}
	cliBin(t, env, "urls").want(t, 0, o.URL+"/env\n")

	home := filepath.Join(dir, "home")
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"XDG_CACHE_HOME=" + filepath.Join(dir, "xdg")}, filepath.Join(dir, "xdg", "clientcache", "http_cache.sqlite")},
		{[]string{"XDG_CACHE_HOME="}, filepath.Join(home, ".cache", "clientcache", "http_cache.sqlite")},
	} {
		env := append([]string{cacheEnv + "=", "HOME=" + home}, tc.env...)
		r := cliBin(t, env, "get", "-i", o.URL+"/default")
		r.want(t, 0, "body of /default\n")
		if _, err := os.Stat(tc.want); err != nil {
			t.Errorf("with %v: no cache at %s: %v", tc.env, tc.want, err)
		}
		cliBin(t, env, "stats").want(t, 0, "cache:     "+sqliteURL(tc.want)+"\n", "responses: 1\n")
	}
	if n := o.count("GET /default"); n != 2 {
		t.Errorf("origin saw %d requests for /default, want 2 (one per cache)", n)
	}

	// No HOME and no XDG_CACHE_HOME: say what to set.
	r := cliBin(t, []string{cacheEnv + "=", "HOME=", "XDG_CACHE_HOME="}, "get", o.URL+"/nohome")
	r.wantUsage(t, "pass --cache URL or set CLIENTCACHE_CACHE")
}

// Twenty processes share one new SQLite file at once.
func TestBinaryTwentyProcesses(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	const processes, paths = 20, 5
	var wg sync.WaitGroup
	results := make([]result, processes)
	for p := range processes {
		wg.Go(func() {
			results[p] = cliBin(t, nil, "get", "--cache", cache, fmt.Sprintf("%s/shared/%d", o.URL, p%paths))
		})
	}
	wg.Wait()
	for p, r := range results {
		want := fmt.Sprintf("body of /shared/%d\n", p%paths)
		if r.code != 0 || r.stdout != want {
			t.Errorf("process %d: status %d, stdout %q (want %q), stderr:\n%s", p, r.code, r.stdout, want, r.stderr)
		}
	}
	// Every path is stored now: none reaches the origin again.
	before := o.total.Load()
	for i := range paths {
		r := cliBin(t, nil, "get", "-i", "--cache", cache, fmt.Sprintf("%s/shared/%d", o.URL, i))
		if got := cacheStatus(t, r); got != "clientcache; hit" {
			t.Errorf("after the twenty: /shared/%d Cache-Status = %q, want a hit", i, got)
		}
	}
	if after := o.total.Load(); after != before {
		t.Errorf("%d requests reached the origin after the twenty processes", after-before)
	}
	cliBin(t, nil, "stats", "--cache", cache).want(t, 0, fmt.Sprintf("responses: %d\n", paths))
}

// SIGINT stops a get waiting on a slow origin at once.
func TestBinaryInterrupt(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)

	cmd := exec.Command(binary, "get", "--cache", sqliteCache(t), slow.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the request never reached the origin")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Errorf("after SIGINT: %v, want exit status 1; stderr %q", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "interrupt") {
			t.Errorf("stderr %q should say the request was interrupted", stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("get did not stop within 10s of SIGINT")
	}
}

// The stores on servers work from the command line too: each test runs
// when the variable scripts/services exports is set. The cache_name is fixed
// (a DynamoDB table is not dropped afterwards), and each run's origin has
// URLs of its own (its port), which it deletes at the end.
func TestBinaryServerStores(t *testing.T) {
	t.Parallel()
	const name = "clientcache_cli_test"
	for _, tc := range []struct{ store, env, cache string }{
		{"redis", "REDIS_ADDR", "redis://%s/0?cache_name=" + name},
		{"redis-cluster", "REDIS_CLUSTER_ADDRS", ""},
		{"mongodb", "MONGODB_URI", "%s"},
		{"dynamodb", "DYNAMODB_ENDPOINT", "dynamodb://" + name + "?endpoint=%s&region=us-east-1"},
		{"dynalite", "DYNALITE_ENDPOINT", "dynamodb://" + name + "?endpoint=%s&region=us-east-1"},
	} {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			v := os.Getenv(tc.env)
			if v == "" {
				t.Skipf("%s is not set (scripts/services env sets it)", tc.env)
			}
			var cache string
			switch tc.store {
			case "redis-cluster":
				addrs := strings.Split(v, ",")
				cache = "redis://" + addrs[0] + "?cache_name=" + name
				for _, a := range addrs[1:] {
					cache += "&addr=" + a
				}
			case "mongodb":
				cache = strings.TrimSuffix(v, "/") + "/" + name
			default:
				cache = fmt.Sprintf(tc.cache, v)
			}
			o := newOrigin(t)
			target := o.URL + "/" + tc.store
			t.Cleanup(func() { cliBin(t, nil, "delete", "--cache", cache, target) })
			for i, want := range []string{"clientcache; fwd=uri-miss", "clientcache; hit"} {
				r := cliBin(t, nil, "get", "-i", "--cache", cache, target)
				r.want(t, 0, "body of /"+tc.store+"\n")
				// (Emulators may make the store warn on stderr.)
				if got := cacheStatus(t, r); got != want || strings.Contains(r.stderr, "not stored") {
					t.Errorf("run %d: Cache-Status = %q, stderr %q; want %q", i+1, got, r.stderr, want)
				}
			}
			cliBin(t, nil, "urls", "--cache", cache).want(t, 0, target+"\n")
			cliBin(t, nil, "show", "--cache", cache, target).want(t, 0, "URL:      "+target+"\n")
			cliBin(t, nil, "delete", "--cache", cache, target).want(t, 0, "deleted 1 URL\n")
		})
	}
}
