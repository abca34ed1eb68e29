package filestore

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url      string
		dir      string
		readOnly bool
	}{
		{"file:///var/cache/app", "/var/cache/app", false},
		{"file://localhost/var/cache/app", "/var/cache/app", false},
		{"file:///var/cache/with%20space", "/var/cache/with space", false},
		{"file://~/.cache/app", "~/.cache/app", false},
		{"file://~", "~", false},
		{"file:relative/dir", "relative/dir", false},
		{"file:~/dir", "~/dir", false},
		{"file:rel%20dir?mode=ro", "rel dir", true},
		{"file:///var/cache/app?mode=ro", "/var/cache/app", true},
		{"file:///var/cache/app?mode=rw", "/var/cache/app", false},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tc.url, err)
		}
		dir, opts, err := parseURL(u)
		if err != nil || dir != tc.dir || opts.ReadOnly != tc.readOnly || opts.MaxBytes != 0 || opts.MaxEntries != 0 {
			t.Errorf("parseURL(%q) = (%q, %+v, %v), want (%q, ReadOnly %v)", tc.url, dir, opts, err, tc.dir, tc.readOnly)
		}
	}
}

func TestParseURLBudget(t *testing.T) {
	tests := []struct {
		query      string
		maxBytes   int64
		maxEntries int
	}{
		{"max_bytes=1048576", 1 << 20, 0},
		{"max_bytes=10MiB", 10 << 20, 0},
		{"max_bytes=10MB", 10_000_000, 0},
		{"max_bytes=512KiB", 512 << 10, 0},
		{"max_bytes=512KB", 512_000, 0},
		{"max_bytes=2GiB", 2 << 30, 0},
		{"max_bytes=100B", 100, 0},
		{"max_bytes=0", 0, 0},
		{"max_entries=1000", 0, 1000},
		{"max_entries=0&max_bytes=1TiB", 1 << 40, 0},
		{"mode=ro&max_entries=5&max_bytes=64MiB", 64 << 20, 5},
	}
	for _, tc := range tests {
		u, err := url.Parse("file:///var/cache/app?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		_, opts, err := parseURL(u)
		if err != nil || opts.MaxBytes != tc.maxBytes || opts.MaxEntries != tc.maxEntries {
			t.Errorf("parseURL(?%s) = (%+v, %v), want MaxBytes %d, MaxEntries %d", tc.query, opts, err, tc.maxBytes, tc.maxEntries)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ url, wantInErr string }{
		{"file://", "names no directory"},
		{"file:", "names no directory"},
		{"file://server/share", `names host "server"`},
		{"file:///dir?mode=readonly", `mode="readonly"`},
		{"file:///dir?read_only=1", `unknown parameter "read_only"`},
		{"file:///dir?mode=ro&mode=rw", "2 times"},
		{"file:///dir?mode=%zz", "bad query"},
		{"file:///dir#frag", "fragment"},
		{"file://user@localhost/dir", "user"},
		{"file:bad%zzescape", "invalid URL escape"},
		{"file:///dir?max_bytes=10M", `max_bytes="10M": not a size; want a whole number of bytes, optionally with a unit (KiB, MiB`},
		{"file:///dir?max_bytes=1.5GiB", `max_bytes="1.5GiB": not a size`},
		{"file:///dir?max_bytes=-1", `max_bytes="-1": not a size`},
		{"file:///dir?max_bytes=", `max_bytes="": not a size`},
		{"file:///dir?max_bytes=10EiB", `max_bytes="10EiB": not a size`},
		{"file:///dir?max_bytes=99999999TiB", `max_bytes="99999999TiB": too large a size`},
		{"file:///dir?max_entries=lots", `max_entries="lots" is not a count; want a whole number`},
		{"file:///dir?max_entries=-3", `max_entries="-3" is not a count`},
		{"file:///dir?max_entries=1&max_entries=2", "2 times"},
		{"file:///dir?maxbytes=1", `unknown parameter "maxbytes"; use file:///absolute/dir`},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tc.url, err)
		}
		if dir, _, err := parseURL(u); err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("parseURL(%q) = (%q, %v), want an error mentioning %q", tc.url, dir, err, tc.wantInErr)
		}
	}
}
