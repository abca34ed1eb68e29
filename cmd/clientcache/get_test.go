package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

func TestGetStoresThenHits(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	for _, form := range []struct{ name, cache string }{
		{"sqlite", sqliteCache(t)},
		{"file", (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(t.TempDir(), "dir"))}).String()},
	} {
		t.Run(form.name, func(t *testing.T) {
			path := "/" + form.name
			first := cli(t, "get", "-i", "--cache", form.cache, o.URL+path)
			first.want(t, 0, "HTTP/1.1 200 OK\n", "Content-Type: text/plain; charset=utf-8\n", "\n\nbody of "+path+"\n")
			// Sent before the body, which is what gets stored: the header
			// cannot say "stored". The hit below shows it was.
			if got := cacheStatus(t, first); got != "clientcache; fwd=uri-miss" || first.stderr != "" {
				t.Errorf("first Cache-Status = %q, stderr %q; want a miss, and no not-stored line", got, first.stderr)
			}
			second := cli(t, "get", "-i", "--cache", form.cache, o.URL+path)
			second.want(t, 0, "HTTP/1.1 200 OK\n", "Age: ", "\n\nbody of "+path+"\n")
			if got := cacheStatus(t, second); got != "clientcache; hit" {
				t.Errorf("second Cache-Status = %q, want a hit", got)
			}
			// Without -i only the body is printed.
			cli(t, "get", "--cache", form.cache, o.URL+path).want(t, 0)
			if r := cli(t, "get", "--cache", form.cache, o.URL+path); r.stdout != "body of "+path+"\n" {
				t.Errorf("get without -i printed %q, want the body alone", r.stdout)
			}
			if n := o.count("GET " + path); n != 1 {
				t.Errorf("origin saw %d requests, want 1", n)
			}
		})
	}
}

// memory:// lives as long as the process: two runs share nothing.
func TestGetMemoryCache(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	for range 2 {
		r := cli(t, "get", "-i", "--cache", "memory://", o.URL+"/mem")
		r.want(t, 0, "body of /mem\n")
		if got := cacheStatus(t, r); got != "clientcache; fwd=uri-miss" || r.stderr != "" {
			t.Errorf("Cache-Status = %q, stderr %q; want a miss, stored (no not-stored line)", got, r.stderr)
		}
	}
	if n := o.count("GET /mem"); n != 2 {
		t.Errorf("origin saw %d requests, want 2", n)
	}
}

func TestGetFlagsAfterURL(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	r := cli(t, "get", o.URL+"/after", "-i", "--cache", cache, "-H", "X-Test: late")
	r.want(t, 0, "HTTP/1.1 200 OK\n", "X-Seen-Header: late\n", "body of /after\n")
	// "--" ends the flags.
	cli(t, "get", "--cache", cache, "--", o.URL+"/after").want(t, 0, "body of /after\n")
	// "--" as a flag's value is a value.
	cli(t, "get", "--cache", cache, "-d", "--", o.URL+"/after").want(t, 0, "POST /after: --\n")
}

func TestGetHeaders(t *testing.T) {
	t.Parallel()
	bin := newHTTPBin(t)
	cache := sqliteCache(t)
	r := cli(t, "get", "--cache", cache, "-H", "X-Test: one", "--header=X-Other:two", "-H", "Host: example.test", bin.URL+"/headers")
	r.want(t, 0, `"X-Test": [`, `"one"`, `"X-Other": [`, `"two"`, `"Host": [`, `"example.test"`)
}

func TestGetData(t *testing.T) {
	t.Parallel()
	bin := newHTTPBin(t)
	cache := sqliteCache(t)
	first := cli(t, "get", "-i", "--cache", cache, "-d", "a=1", "-d", "b=2", bin.URL+"/post")
	first.want(t, 0, `"form": {`, `"a": [`, `"b": [`, `application/x-www-form-urlencoded`)
	if got := cacheStatus(t, first); got != "clientcache; fwd=uri-miss" || first.stderr != "" {
		t.Errorf("POST Cache-Status = %q, stderr %q; want a miss (POST is cached with -d: the same POST next is a hit)", got, first.stderr)
	}
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 1\n")
	if got := cacheStatus(t, cli(t, "get", "-i", "--cache", cache, "-d", "a=1", "-d", "b=2", bin.URL+"/post")); got != "clientcache; hit" {
		t.Errorf("same POST again: Cache-Status = %q, want a hit", got)
	}
	if got := cacheStatus(t, cli(t, "get", "-i", "--cache", cache, "-d", "a=3", bin.URL+"/post")); got == "clientcache; hit" {
		t.Errorf("POST with another body was a hit: the body must be part of the key")
	}

	// @FILE reads the body from a file; -H Content-Type wins.
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, []byte(`{"k":"from file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, "get", "--cache", cache, "-H", "Content-Type: application/json", "-d", "@"+file, bin.URL+"/post").
		want(t, 0, `"json": {`, `"k": "from file"`)
	cli(t, "get", "--cache", cache, "-d", "@"+file+".missing", bin.URL+"/post").wantUsage(t, "body.json.missing")
}

func TestGetMethod(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	for range 2 {
		r := cli(t, "get", "-i", "-X", "put", "-d", "x", "--cache", cache, o.URL+"/put")
		r.want(t, 0, "PUT /put: x\n")
		if got := cacheStatus(t, r); got != "clientcache; fwd=bypass" {
			t.Errorf("PUT Cache-Status = %q, want a bypass", got)
		}
	}
	cli(t, "get", "-X", "DELETE", "--cache", cache, o.URL+"/thing").want(t, 0, "body of /thing\n")
	if o.count("PUT /put") != 2 || o.count("DELETE /thing") != 1 {
		t.Errorf("origin counts %v, want 2 PUT and 1 DELETE", o.counts)
	}
	// HEAD prints no body; -i shows its headers.
	r := cli(t, "get", "-i", "-X", "HEAD", "--cache", cache, o.URL+"/head")
	r.want(t, 0, "HTTP/1.1 200 OK\n")
	if !strings.HasSuffix(r.stdout, "\n\n") {
		t.Errorf("HEAD output %q should end with the blank line after the headers", r.stdout)
	}
}

func TestGetFollowsRedirects(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	r := cli(t, "get", "-i", "--cache", cache, o.URL+"/redirect")
	r.want(t, 0, "HTTP/1.1 200 OK\n", "body of /target\n")
	second := cli(t, "get", "-i", "--cache", cache, o.URL+"/redirect")
	second.want(t, 0, "body of /target\n")
	if got := cacheStatus(t, second); got != "clientcache; hit" {
		t.Errorf("redirected URL again: Cache-Status = %q, want a hit through the alias", got)
	}
	if o.count("GET /redirect") != 1 || o.count("GET /target") != 1 {
		t.Errorf("origin counts %v, want one request each", o.counts)
	}

	// go-httpbin's chain of redirects.
	bin := newHTTPBin(t)
	cli(t, "get", "--cache", cache, bin.URL+"/redirect/3").want(t, 0, `"url": "`+bin.URL+`/get"`)
}

func TestGetErrorStatusIsSuccess(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	for _, code := range []string{"404", "500"} {
		r := cli(t, "get", "-i", "--cache", cache, o.URL+"/status/"+code)
		r.want(t, 0, "HTTP/1.1 "+code+" ", "status "+code+"\n")
		// Never meant to be stored: no not-stored line either.
		if got := cacheStatus(t, r); got != "clientcache; fwd=uri-miss" || r.stderr != "" {
			t.Errorf("status %s: Cache-Status %q, stderr %q; want a miss", code, got, r.stderr)
		}
		again := cli(t, "get", "-i", "--cache", cache, o.URL+"/status/"+code)
		if got := cacheStatus(t, again); got != "clientcache; fwd=uri-miss" {
			t.Errorf("status %s again: Cache-Status %q, want a miss: only 200 is stored", code, got)
		}
		if n := o.count("GET /status/" + code); n != 2 {
			t.Errorf("origin saw %d requests for status %s, want 2", n, code)
		}
	}
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 0\n")
}

func TestGetExpireAfter(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)

	cli(t, "get", "--expire-after", "1h", "--cache", cache, o.URL+"/hour").want(t, 0)
	show := cli(t, "show", "--cache", cache, o.URL+"/hour")
	show.want(t, 0, "Expires:  ")
	if !strings.Contains(show.stdout, "(in 59m") && !strings.Contains(show.stdout, "(in 1h0m0s)") {
		t.Errorf("show after --expire-after 1h:\n%s", show.stdout)
	}

	cli(t, "get", "--expire-after", "never", "--cache", cache, o.URL+"/never").want(t, 0)
	cli(t, "show", "--cache", cache, o.URL+"/never").want(t, 0, "Expires:  never\n")

	// 0: stored already stale, so the next get goes to the origin.
	cli(t, "get", "--expire-after", "0", "--cache", cache, o.URL+"/zero").want(t, 0)
	r := cli(t, "get", "-i", "--cache", cache, o.URL+"/zero")
	if got := cacheStatus(t, r); got != "clientcache; fwd=stale" || r.stderr != "" {
		t.Errorf("get after --expire-after 0: Cache-Status = %q, stderr %q; want fwd=stale", got, r.stderr)
	}
	// The refetched response was stored, under the default expiry (never):
	// the next get is a hit.
	if got := cacheStatus(t, cli(t, "get", "-i", "--cache", cache, o.URL+"/zero")); got != "clientcache; hit" {
		t.Errorf("third get of /zero: Cache-Status = %q, want a hit on the refetched response", got)
	}
	if n := o.count("GET /zero"); n != 2 {
		t.Errorf("origin saw %d requests for /zero, want 2", n)
	}
}

func TestParseExpireAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", 0, false},
		{"90s", 90 * time.Second, false},
		{"1h30m", 90 * time.Minute, false},
		{"120", 2 * time.Minute, false},
		{"never", clientcache.NeverExpire, false},
		{"NEVER", clientcache.NeverExpire, false},
		{"0", clientcache.ExpireImmediately, false},
		{"0s", clientcache.ExpireImmediately, false},
		{"-1s", 0, true},
		{"-5", 0, true},
		{"soon", 0, true},
		{"99999999999999999999", 0, true},
	} {
		got, err := parseExpireAfter(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("parseExpireAfter(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestGetTransportError(t *testing.T) {
	t.Parallel()
	r := cli(t, "get", "--cache", sqliteCache(t), closedPort(t))
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %q", r.code, r.stderr)
	}
	wantOneLine(t, r, "clientcache: Get ", "connection refused")
}

func TestGetUsageErrors(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"get"}, []string{"no URL given"}},
		{[]string{"get", "--bogus", o.URL}, []string{"flag provided but not defined: -bogus", "clientcache get -h"}},
		{[]string{"get", o.URL, "-H"}, []string{"flag needs an argument: -H"}},
		{[]string{"get", "-H", "no colon", o.URL}, []string{`-H "no colon"`, "Name: value"}},
		{[]string{"get", "--expire-after", "soon", o.URL}, []string{`--expire-after "soon"`}},
		{[]string{"get", "-X", "GET /", o.URL}, []string{"not a method name"}},
		{[]string{"get", "example.com/x"}, []string{`"example.com/x" has no scheme`, "http://example.com/x"}},
		{[]string{"get", "ftp://example.com/x"}, []string{`scheme "ftp" is not supported`}},
		{[]string{"get", "http:///path"}, []string{"has no host"}},
		{[]string{"get", o.URL + "/a", o.URL + "/b"}, []string{"one URL at a time"}},
		{[]string{"get", "--cache", "foo://x", o.URL}, []string{`unknown cache URL scheme "foo" in --cache "foo://x"`, "memory://", "sqlite://", "file://", "redis://"}},
		{[]string{"get", "--cache", "/tmp/x.sqlite", o.URL}, []string{"has no scheme", "--cache sqlite:///tmp/x.sqlite"}},
		{[]string{"get", "--cache", "%zz", o.URL}, []string{"is not a URL"}},
		{[]string{"frob"}, []string{`unknown command "frob"`}},
		{[]string{"--cache", "memory://", "get", o.URL}, []string{"flags go after"}},
		{[]string{"help", "frob"}, []string{`unknown command "frob"`}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cli(t, tc.args...).wantUsage(t, tc.want...)
		})
	}
	if n := o.total.Load(); n != 0 {
		t.Errorf("usage errors sent %d requests", n)
	}
}

// A store that cannot be opened fails with status 1 and one line.
func TestGetCacheCannotOpen(t *testing.T) {
	t.Parallel()
	// A file where the SQLite database's directory should be.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "get", "--cache", sqliteURL(filepath.Join(file, "db.sqlite")), closedPort(t))
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %q", r.code, r.stderr)
	}
	wantOneLine(t, r, "clientcache: cannot open cache sqlite://")
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := cli(t, args...)
		r.want(t, 0, "Usage:", "--cache URL", "memory://", "sqlite:///abs/path.sqlite?max_bytes=1GiB", "file:///abs/dir?max_bytes=1GiB")
		for _, c := range commands {
			if !strings.Contains(r.stdout, "\n  "+c.name+" ") {
				t.Errorf("%v does not list %s:\n%s", args, c.name, r.stdout)
			}
		}
	}
	for _, c := range commands {
		cli(t, c.name, "-h").want(t, 0, "Usage: clientcache "+c.name)
		cli(t, "help", c.name).want(t, 0, "Usage: clientcache "+c.name)
	}
	cli(t, "get", "-h").want(t, 0, "--expire-after", "-X, --request", "-H, --header", "-d, --data", "-i, --include", "--cache URL")

	// No command: the list, on stderr, and status 2.
	r := cli(t)
	if r.code != 2 || !strings.Contains(r.stderr, "Commands:") || !strings.Contains(r.stderr, "no command given") {
		t.Errorf("no arguments: status %d, stderr:\n%s", r.code, r.stderr)
	}

	for _, args := range [][]string{{"version"}, {"--version"}} {
		cli(t, args...).want(t, 0, "clientcache ", "go1.")
	}
	cli(t, "version", "extra").wantUsage(t, "version takes no arguments")
}

// -v shows the library's debug messages; without it stderr stays empty.
func TestGetVerbose(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	dir := filepath.ToSlash(filepath.Join(t.TempDir(), "ro"))
	cli(t, "get", "--cache", "file://"+dir, o.URL+"/x").want(t, 0) // creates the directory
	readOnly := "file://" + dir + "?mode=ro"
	// Without -v only the line saying the response was not stored.
	notStored := "clientcache: the response was not stored: read-only\n"
	if r := cli(t, "get", "--cache", readOnly, o.URL+"/quiet"); r.code != 0 || r.stderr != notStored {
		t.Errorf("without -v: status %d, stderr %q; want only %q", r.code, r.stderr, notStored)
	}
	r := cli(t, "get", "-v", "--cache", readOnly, o.URL+"/loud")
	r.want(t, 0, "body of /loud\n")
	if !strings.Contains(r.stderr, "level=DEBUG") || !strings.Contains(r.stderr, "read-only") || !strings.HasSuffix(r.stderr, "\n"+notStored) {
		t.Errorf("with -v: stderr %q lacks the debug message or the not-stored line", r.stderr)
	}
}
