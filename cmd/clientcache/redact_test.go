package main

import (
	"net"
	"strings"
	"testing"
)

// TestCacheURLPasswordNotShown runs commands whose --cache URL holds a
// password and cannot be opened, in every way: it does not parse, names no
// store, has a bad parameter, or names a server that does not answer. No
// line on stderr may show the password.
func TestCacheURLPasswordNotShown(t *testing.T) {
	const pw = "s3cr3tPW"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, tc := range []struct {
		args []string
		code int
		want string // on stderr
	}{
		{[]string{"stats", "--cache", "redis://user:" + pw + "@host:port:bad/"}, 2, "invalid port"},
		{[]string{"stats", "--cache", "redis://user:s3cr3t/PW@h/0"}, 2, "percent-encode"},
		{[]string{"stats", "--cache", "redsi://user:" + pw + "@h/0"}, 2, "unknown cache URL scheme"},
		{[]string{"stats", "--cache", "user:" + pw + "@h:6379"}, 2, "unknown cache URL scheme"},
		{[]string{"stats", "--cache", "//user:" + pw + "@h:6379"}, 2, "no scheme"},
		{[]string{"stats", "--cache", "redis://user:" + pw + "@h:1/0?bogus=1"}, 2, "bogus"},
		{[]string{"stats", "--cache", "redis:/user:" + pw + "@h/0"}, 2, "path"},
		{[]string{"urls", "--cache", "redis://user:" + pw + "@" + closed + "/0?cache_name=x"}, 1, "no answer from Redis"},
		// get (and proxy) start without a store they cannot reach, with a
		// warning naming it; get then fails on the origin.
		{[]string{"get", "--cache", "redis://user:" + pw + "@" + closed + "/0", "http://127.0.0.1:1/"}, 1, closed},
		{[]string{"get", "--cache", "mongodb://user:" + pw + "@" + closed + "/db?serverSelectionTimeoutMS=500", "http://127.0.0.1:1/"}, 1, closed},
		{[]string{"stats", "--cache", "mongodb://user:" + pw + "@" + closed + "/db?serverSelectionTimeoutMS=soon"}, 2, "serverSelectionTimeoutMS"},
		{[]string{"stats", "--cache", "dynamodb://t_1?endpoint=http://user:" + pw + "@" + closed + "&region=us-east-1"}, 1, closed},
		{[]string{"stats", "--cache", "dynamodb://t_1?endpoint=http://user:" + pw + "@" + closed + "&bogus=1"}, 2, "bogus"},
		{[]string{"stats", "--cache", "sqlite://user:" + pw + "@localhost/tmp/c.sqlite"}, 2, "user information"},
		{[]string{"stats", "--cache", "file://user:" + pw + "@localhost/tmp/c"}, 2, "user or a fragment"},
		{[]string{"stats", "--cache", "memory://user:" + pw + "@"}, 2, "names a place"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := cli(t, append(tc.args, "-v")...)
			if r.code != tc.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if strings.Contains(r.stderr, "s3cr3t") || strings.Contains(r.stdout, "s3cr3t") {
				t.Errorf("the output shows the password:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "xxxxx") {
				t.Errorf("stderr lacks %q or the redacted URL:\n%s", tc.want, r.stderr)
			}
		})
	}
}

// TestCacheURLPasswordNotLogged runs the command itself with -v, so that
// go-redis's own log lines reach its stderr too.
func TestCacheURLPasswordNotLogged(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	r := cliBin(t, nil, "stats", "-v", "--cache", "redis://user:s3cr3tPW@"+closed+"/0?cache_name=x")
	if r.code != 1 || !strings.Contains(r.stderr, closed) {
		t.Errorf("exit status %d, want 1 and a message naming %s; stderr:\n%s", r.code, closed, r.stderr)
	}
	if strings.Contains(r.stderr, "s3cr3t") {
		t.Errorf("stderr shows the password:\n%s", r.stderr)
	}
}
