package storage_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	_ "github.com/clientcache/clientcache/storage/filestore"
	_ "github.com/clientcache/clientcache/storage/memstore"
)

// pw is the password of the tests' URLs; no message may show it.
const pw = "s3cr3tPW"

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		// Nothing to hide: unchanged, as written.
		"memory://":                         "memory://",
		"redis://h:6379/0?cache_name=a%3Ab": "redis://h:6379/0?cache_name=a%3Ab",
		"redis://user@h/0":                  "redis://user@h/0",
		"redis://user:@h/0":                 "redis://user:@h/0",
		"mongodb://h/db?appName=me@home":    "mongodb://h/db?appName=me@home",
		"%zz://":                            "%zz://",
		"/abs/path.sqlite":                  "/abs/path.sqlite",
		"/home/me@work:8/c.sqlite":          "/home/me@work:8/c.sqlite",
		"file:///home/me@work/dir":          "file:///home/me@work/dir",
		"sqlite:///a:b/me@work/c.sqlite":    "sqlite:///a:b/me@work/c.sqlite",
		// A password where url.Parse finds it, the rest kept as written.
		"redis://user:" + pw + "@h:6379/0?cache_name=x": "redis://user:xxxxx@h:6379/0?cache_name=x",
		"REDIS://:" + pw + "@h":                         "REDIS://:xxxxx@h",
		"mongodb://u:" + pw + "@h1:1,h2:2/db?x=%2F":     "mongodb://u:xxxxx@h1:1,h2:2/db?x=%2F",
		"mongodb://u:s3cr%3Aet@h/db":                    "mongodb://u:xxxxx@h/db",
		"mongodb://u:s3cr3t@PW@h/db":                    "mongodb://u:xxxxx@h/db",
		"sqlite://user:" + pw + "@localhost/c.sqlite":   "sqlite://user:xxxxx@localhost/c.sqlite",
		"//user:" + pw + "@h:6379":                      "//user:xxxxx@h:6379",
		// Where url.Parse fails or misreads it.
		"redis://user:" + pw + "@host:port:bad/": "redis://user:xxxxx@host:port:bad/",
		"redis://user:" + pw + "%zz@h/":          "redis://user:xxxxx@h/",
		"redis://user:s3cr3t/PW@h/0":             "redis://user:xxxxx@h/0",
		"redis://user:s3cr3t#PW@h/0":             "redis://user:xxxxx@h/0",
		"redis://user:s3cr3t?PW@h/0":             "redis://user:xxxxx@h/0",
		"redis:/user:" + pw + "@h/0":             "redis:/user:xxxxx@h/0",
		"redis:user:" + pw + "@h/0":              "redis:user:xxxxx@h/0",
		"user:" + pw + "@h:6379":                 "user:xxxxx@h:6379",
		// URLs in the query.
		"dynamodb://t?endpoint=http://user:" + pw + "@127.0.0.1:8000&region=r":    "dynamodb://t?endpoint=http://user:xxxxx@127.0.0.1:8000&region=r",
		"dynamodb://t?endpoint=http%3A%2F%2Fuser%3A" + pw + "%40127.0.0.1%3A8000": "dynamodb://t?endpoint=http%3A%2F%2Fuser%3Axxxxx%40127.0.0.1%3A8000",
		"dynamodb://t?http://user:" + pw + "@127.0.0.1:8000":                      "dynamodb://t?http://user:xxxxx@127.0.0.1:8000",
		"redis://u:" + pw + "@h/0?x=http://v:other-password@h2":                   "redis://u:xxxxx@h/0?x=http://v:xxxxx@h2",
	} {
		if got := storage.RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestRedactError(t *testing.T) {
	if storage.RedactError(nil, "redis://u:"+pw+"@h") != nil {
		t.Error("RedactError(nil) is not nil")
	}
	plain := errors.New("no password here")
	if got := storage.RedactError(plain, "redis://h:1"); got != plain {
		t.Errorf("RedactError without a password = %v, want err itself", got)
	}

	// A message that quotes the password, in any spelling, wraps err.
	raw := "redis://u:s3cr%2F3tPW@h/0"
	err := fmt.Errorf("driver: %w: bad %q, %q, %q", storage.ErrInvalidURL, "s3cr%2F3tPW", "s3cr/3tPW", "s3cr%252F3tPW")
	got := storage.RedactError(err, raw)
	if strings.Contains(got.Error(), "3tPW") {
		t.Errorf("RedactError = %q, shows the password", got)
	}
	if !errors.Is(got, storage.ErrInvalidURL) || !strings.HasPrefix(got.Error(), "driver: ") {
		t.Errorf("RedactError = %q does not keep err's message and chain", got)
	}

	// url.Parse's own errors, whose cause may quote a part of the password.
	for raw, cause := range map[string]string{
		"redis://user:" + pw + "@host:port:bad/": `invalid port ":bad" after host`,
		"redis://user:" + pw + "@ho st/":         `invalid character " " in host name`,
		"redis://user:" + pw + "%zz@h/":          "percent-encode",
		"redis://user:s3cr3t/PW@h/":              "percent-encode",
		"redis://user:s3cr3t#PW@h/":              "percent-encode",
		"mongodb://u:" + pw + "@h/db%zz":         `invalid URL escape "%zz"`,
	} {
		_, perr := url.Parse(raw)
		if perr == nil {
			t.Fatalf("url.Parse(%q) succeeded", raw)
		}
		got := storage.RedactError(perr, raw)
		var ue *url.Error
		if !errors.As(got, &ue) || ue.URL != storage.RedactURL(raw) {
			t.Errorf("RedactError(url.Parse(%q)) = %#v, want a *url.Error about the redacted URL", raw, got)
		}
		if msg := got.Error(); strings.Contains(msg, "s3cr3t") || !strings.Contains(msg, cause) {
			t.Errorf("RedactError(url.Parse(%q)) = %q, want a message with %q and without the password", raw, msg, cause)
		}
	}
}

// TestOpenHidesPassword opens URLs that hold a password and fail, in every
// way storage.Open can fail on its own or through the stores of this module.
func TestOpenHidesPassword(t *testing.T) {
	for _, raw := range []string{
		"redis://user:" + pw + "@host:port:bad/", // does not parse
		"mongodb://user:" + pw + "@h/db%zz",
		"redis://user:s3cr3t/PW@h/0",
		"redis://user:s3cr3t#PW@h/0",
		"nope://user:" + pw + "@h/", // unknown scheme
		"user:" + pw + "@h:6379",    // the user name read as a scheme
		"//user:" + pw + "@h:6379",  // no scheme
		"memory://user:" + pw + "@", // the stores' own checks
		"memory:user:" + pw + "@h",
		"memory://user:" + pw + "@?max_entries=many",
		"file://user:" + pw + "@localhost/tmp/x",
		"file:user:" + pw + "@h?mode=maybe",
	} {
		b, err := storage.Open(t.Context(), raw)
		if err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", raw)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Open(%q) error %q shows the password", raw, err)
		}
		if !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("Open(%q) error %q is not an ErrInvalidURL", raw, err)
		}
	}
}
