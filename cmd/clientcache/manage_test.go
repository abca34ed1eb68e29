package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// fill stores /a and /b fresh and /old already expired in a new cache.
func fill(t *testing.T, o *origin) string {
	t.Helper()
	cache := sqliteCache(t)
	cli(t, "get", "--cache", cache, o.URL+"/b").want(t, 0)
	cli(t, "get", "--cache", cache, "--expire-after", "1h", o.URL+"/a").want(t, 0)
	cli(t, "get", "--cache", cache, "--expire-after", "0", o.URL+"/old").want(t, 0)
	return cache
}

func TestURLs(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	if r := cli(t, "urls", "--cache", cache); r.code != 0 || r.stdout != o.URL+"/a\n"+o.URL+"/b\n" {
		t.Errorf("urls: status %d, stdout:\n%s\nwant the two fresh URLs, sorted", r.code, r.stdout)
	}
	if r := cli(t, "urls", "--expired", "--cache", cache); r.stdout != o.URL+"/a\n"+o.URL+"/b\n"+o.URL+"/old\n" {
		t.Errorf("urls --expired: stdout:\n%s\nwant all three, sorted", r.stdout)
	}
	if r := cli(t, "urls", "--cache", "memory://"); r.code != 0 || r.stdout != "" {
		t.Errorf("urls of an empty cache: status %d, stdout %q", r.code, r.stdout)
	}
	cli(t, "urls", "--cache", cache, "extra").wantUsage(t, "urls takes no arguments")
}

func TestShow(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	r := cli(t, "show", "--cache", cache, o.URL+"/a")
	r.want(t, 0,
		"URL:      "+o.URL+"/a\n",
		"Method:   GET\n",
		"Status:   200 OK\n",
		"Headers:\n  Content-Length: 11\n  Content-Type: text/plain; charset=utf-8\n  Date: ",
		"Body:     11 bytes: \"body of /a\\n\"\n",
	)
	for _, re := range []string{
		`(?m)^Key:      [0-9a-f]{64}$`,
		`(?m)^Created:  \d{4}-\d\d-\d\dT\S+ \(\d+s ago\)$`,
		`(?m)^Expires:  \d{4}-\d\d-\d\dT\S+ \(in (59m\d+s|1h0m0s)\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("show output does not match %s:\n%s", re, r.stdout)
		}
	}
	old := cli(t, "show", "--cache", cache, o.URL+"/old")
	if !regexp.MustCompile(`(?m)^Expires:  \S+ \(expired \d+s ago\)$`).MatchString(old.stdout) {
		t.Errorf("show of an expired response:\n%s", old.stdout)
	}

	missing := cli(t, "show", "--cache", cache, o.URL+"/nothing")
	if missing.code != 1 {
		t.Fatalf("show of an absent URL: status %d, want 1", missing.code)
	}
	wantOneLine(t, missing, "no stored response to GET "+o.URL+"/nothing")
	cli(t, "show", "--cache", cache).wantUsage(t, "show: missing URL")
	cli(t, "show", "--cache", cache, "a", "b").wantUsage(t, "show: too many arguments")
}

func TestBodySummary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 100) // 200 bytes: the cut falls inside a rune
	for _, tc := range []struct{ body, want string }{
		{"", "empty"},
		{"x", `1 byte: "x"`},
		{"a\tb\n", `4 bytes: "a\tb\n"`},
		{"\x00\x01\x02", "3 bytes, binary"},
		{"\xff\xfe", "2 bytes, binary"},
		{long, `200 bytes: "` + strings.Repeat("é", 60) + `"...`},
	} {
		if got := bodySummary([]byte(tc.body)); got != tc.want {
			t.Errorf("bodySummary(%q) = %s, want %s", tc.body, got, tc.want)
		}
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	cli(t, "get", "--cache", cache, o.URL+"/redirect").want(t, 0, "body of /target")

	cli(t, "delete", "--cache", cache, o.URL+"/a", o.URL+"/nothing").
		want(t, 0, "deleted 1 URL; not cached: "+o.URL+"/nothing\n")
	if r := cli(t, "urls", "--cache", cache); strings.Contains(r.stdout, "/a\n") {
		t.Errorf("urls after delete still lists /a:\n%s", r.stdout)
	}
	// Deleting the target also forgets the redirect that led to it.
	cli(t, "delete", "--cache", cache, o.URL+"/target").want(t, 0, "deleted 1 URL\n")
	cli(t, "stats", "--cache", cache).want(t, 0, "redirects: 0\n")
	cli(t, "delete", "--cache", cache).wantUsage(t, "delete: missing URL...")
}

func TestClear(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	cli(t, "clear", "--cache", cache).want(t, 0, "deleted 3 responses\n")
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 0\n")
	cli(t, "clear", "--cache", cache).want(t, 0, "deleted 0 responses\n")
}

func TestPrune(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	// sqlitestore keeps expiry times in whole seconds: the response
	// stored expired is prunable from the next second on.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	cli(t, "prune", "--cache", cache).want(t, 0, "deleted 1 expired response\n")
	cli(t, "urls", "--expired", "--cache", cache).want(t, 0)
	if r := cli(t, "urls", "--expired", "--cache", cache); strings.Contains(r.stdout, "/old") {
		t.Errorf("prune left /old:\n%s", r.stdout)
	}
	cli(t, "prune", "--cache", cache).want(t, 0, "deleted 0 expired responses\n")
}

func TestStats(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := fill(t, o)
	r := cli(t, "stats", "--cache", cache)
	r.want(t, 0, "cache:     "+cache+"\n", "responses: 3\n", "expired:   1\n", "redirects: 0\n")
	m := regexp.MustCompile(`(?m)^bytes:     (\d+) \((\d+ B|[\d.]+ KiB)\)$`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] == "0" {
		t.Errorf("stats bytes line missing or zero:\n%s", r.stdout)
	}
	cli(t, "stats", "--cache", "memory://").want(t, 0, "responses: 0\n", "bytes:     0 (0 B)\n")
}

func TestHumanBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %s, want %s", n, got, want)
		}
	}
}

// stats shows the store's budget and how much of it is used.
func TestStatsShowsTheBudget(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	dir := t.TempDir()
	budgeted := "file://" + dir + "?max_bytes=1MiB&max_entries=10"
	cli(t, "get", "--cache", budgeted, o.URL+"/a").want(t, 0)
	r := cli(t, "stats", "--cache", budgeted)
	r.want(t, 0, "responses: 1\n")
	if !regexp.MustCompile(`(?m)^budget:    1\.0 MiB, 0% used; 10 entries, 10% used$`).MatchString(r.stdout) {
		t.Errorf("stats with a budget:\n%s", r.stdout)
	}
	cli(t, "stats", "--cache", "file://"+dir).want(t, 0, "budget:    none\n")
}
