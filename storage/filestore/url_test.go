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
		if err != nil || dir != tc.dir || opts.ReadOnly != tc.readOnly {
			t.Errorf("parseURL(%q) = (%q, %+v, %v), want (%q, ReadOnly %v)", tc.url, dir, opts, err, tc.dir, tc.readOnly)
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
