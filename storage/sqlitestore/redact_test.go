package sqlitestore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	_ "github.com/clientcache/clientcache/storage/sqlitestore"
)

// TestFailedOpenHidesPassword opens sqlite:// URLs with a password (which a
// file has no use for) that fail: they do not parse, or have a bad
// parameter, or name a host.
func TestFailedOpenHidesPassword(t *testing.T) {
	const pw = "s3cr3tPW"
	dir := t.TempDir()
	for _, tc := range []struct{ url, want string }{
		{"sqlite://user:" + pw + "@host:port:bad/", "invalid port"},
		{"sqlite://user:" + pw + "@localhost" + dir + "/c.sqlite", "user information"},
		{"sqlite://user:" + pw + "@localhost" + dir + "/c.sqlite?bogus=1", "user information"},
		{"sqlite://user:" + pw + "@example.com/c.sqlite", "user information"},
		{"sqlite://user:s3cr3t/PW@localhost/c.sqlite", "percent-encode"},
	} {
		b, err := storage.Open(t.Context(), tc.url)
		if err == nil {
			b.Close()
			t.Errorf("storage.Open(%q) succeeded", tc.url)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("storage.Open error %q shows the password", err)
		}
		if !strings.Contains(err.Error(), tc.want) || !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("storage.Open(%q) error %q: want an ErrInvalidURL that mentions %q", storage.RedactURL(tc.url), err, tc.want)
		}
	}
}
