package sqlitestore_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/sqlitestore"
)

// TestOpenRefusesURLs passes URLs where Open takes a path: each is an error
// that says to pass a path or use storage.Open, wraps storage.ErrInvalidURL,
// hides the password, and creates nothing (no directory named "sqlite:").
func TestOpenRefusesURLs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const pw = "s3cr3tPW"
	for _, name := range []string{
		"sqlite:///x.sqlite",
		"sqlite://~/x.sqlite",
		"sqlite:relative/x.sqlite",
		"SQLITE:x",
		"redis://user:" + pw + "@localhost:6379/0",
		"rediss://:" + pw + "@h:6380",
		"mongodb+srv://u:" + pw + "@cluster.example/db",
		"memory://",
		"s3://bucket/cache",
	} {
		b, err := sqlitestore.Open(t.Context(), name, nil)
		if err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", name)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("Open(%q) error %q does not wrap storage.ErrInvalidURL", name, msg)
		}
		if !strings.Contains(msg, "is a URL, not a database path") || !strings.Contains(msg, "storage.Open(ctx, ") {
			t.Errorf("Open(%q) error %q does not say to pass a path or use storage.Open", name, msg)
		}
		if strings.Contains(msg, pw) {
			t.Errorf("Open(%q) error %q shows the password", name, msg)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("Open of a URL created %q", e.Name())
	}
}

// TestOpenTakesPathsThatLookLikeURLs opens names that only look like URLs: a
// SQLite "file:" URI, a relative path made explicit with "./", and a name
// whose colon is followed by no slash.
func TestOpenTakesPathsThatLookLikeURLs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{
		"file:" + dir + "/uri.sqlite",
		"file://" + dir + "/uri2.sqlite",
		"./sqlite:/x.sqlite",
		"cache:v2.sqlite",
		"C:/windows-like/x.sqlite", // a drive letter on Windows; a directory "C:" elsewhere
	} {
		b, err := sqlitestore.Open(t.Context(), name, nil)
		if err != nil {
			t.Errorf("Open(%q): %v", name, err)
			continue
		}
		if err := b.Close(); err != nil {
			t.Errorf("Close of %q: %v", name, err)
		}
	}
}
