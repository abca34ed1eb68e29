package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
)

// TestFailedOpenHidesPassword opens URLs with a password that fail in every
// way: they do not parse, have a bad parameter, or name a closed port.
func TestFailedOpenHidesPassword(t *testing.T) {
	const pw = "s3cr3tPW"
	closed := freeAddr(t)
	for _, tc := range []struct {
		url     string
		invalid bool   // a URL mistake, not an unreachable server
		want    string // in the message
	}{
		{"redis://user:" + pw + "@host:port:bad/", true, "invalid port"},
		{"redis://user:" + pw + "%zz@h/0", true, "percent-encode"},
		{"redis://user:s3cr3t/PW@h/0", true, "percent-encode"},
		{"redis://user:" + pw + "@h:1/0?bogus=1", true, "bogus"},
		{"redis://user:" + pw + "@h:1/0?dial_timeout=soon", true, "dial_timeout"},
		{"redis://user:" + pw + "@h:1/x", true, "database"},
		{"redis://user:" + pw + "@h:1?cache_name=", true, "cache_name"},
		{"redis://user:" + pw + "@h:1?addr=nonsense", true, "addr"},
		{"redis:/user:" + pw + "@h/0", true, "path"}, // a slash missing: go-redis quotes the path
		{"redis://user:" + pw + "@" + closed + "/0?cache_name=x&dial_timeout=1s", false, closed},
		{"redis://:" + pw + "@" + closed + "/0?dial_timeout=1s", false, closed},
		{"rediss://user:" + pw + "@" + closed + "/0?dial_timeout=1s", false, closed},
		{"redis://user:" + pw + "@" + closed + "?addr=" + closed + "&dial_timeout=1s", false, closed}, // a Cluster
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			b, err := storage.Open(ctx, tc.url)
			cancel()
			if err == nil {
				b.Close()
				t.Fatal("storage.Open succeeded")
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("storage.Open error %q shows the password", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("storage.Open error %q does not mention %q", err, tc.want)
			}
			if got := errors.Is(err, storage.ErrInvalidURL); got != tc.invalid {
				t.Errorf("storage.Open error %q: errors.Is(ErrInvalidURL) = %v, want %v", err, got, tc.invalid)
			}
			if tc.invalid {
				if _, err := redisstore.ParseURL(tc.url); err == nil || strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("ParseURL error = %v, want one without the password", err)
				}
			}
		})
	}
}
