package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clientcache/clientcache/storage"
)

// cacheEnv names the environment variable that holds the default --cache.
const cacheEnv = "CLIENTCACHE_CACHE"

// defaultCacheShown says, for usage, where the default cache is.
func defaultCacheShown() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return sqliteURL(filepath.Join(dir, "clientcache", "http_cache.sqlite"))
	}
	return "clientcache/http_cache.sqlite in the user cache directory (none here)"
}

// cacheURLForms returns the --cache URL forms, for usage: those the stores
// this tool imports registered, so that no list is kept by hand.
func cacheURLForms() []string {
	var out []string
	for _, f := range storage.URLForms() {
		out = append(out, fmt.Sprintf("%-56s %s", f.Form, f.Means))
	}
	return out
}

// cacheURL returns the cache URL a command uses: the --cache flag, else
// $CLIENTCACHE_CACHE, else the SQLite file in the user cache directory.
func cacheURL(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if v := os.Getenv(cacheEnv); v != "" {
		return v, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", usagef("no default cache: %v; pass --cache URL or set %s", err, cacheEnv)
	}
	return sqliteURL(filepath.Join(dir, "clientcache", "http_cache.sqlite")), nil
}

// sqliteURL returns the sqlite:// URL of an absolute file path, escaped so
// that any path survives ("sqlite://" + path breaks on '?', '#' or '%').
func sqliteURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: sqlite:///C:/Users/...
	}
	return (&url.URL{Scheme: "sqlite", Path: p}).String()
}

// openCache opens the store rawURL names. A URL without a registered scheme,
// or with a bad parameter, is a usage error (exit 2); a store that cannot be
// opened (a server down, a file it may not create) is an ordinary error
// (exit 1), except that with startWithout a server that cannot be reached is
// an outage: one warning on logger, and a Backend that connects once the
// server answers (requests go to the network until then).
//
// No message shows the URL's password: the URL appears as redactURL shows
// it, and errors go through storage.RedactError.
func openCache(ctx context.Context, rawURL string, startWithout bool, logger *slog.Logger) (*storage.Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, usagef("--cache %q is not a URL (%v); use one of %s", redactURL(rawURL), unwrapURLError(storage.RedactError(err, rawURL)), schemeList())
	}
	if u.Scheme == "" {
		hint := ""
		// Not for //user:password@host, which is no file either.
		if filepath.IsAbs(rawURL) && redactURL(rawURL) == rawURL {
			hint = fmt.Sprintf(" (for a SQLite file: --cache %s)", sqliteURL(rawURL))
		}
		return nil, usagef("--cache %q has no scheme%s; use one of %s", redactURL(rawURL), hint, schemeList())
	}
	if !slices.Contains(storage.Schemes(), strings.ToLower(u.Scheme)) {
		return nil, usagef("unknown cache URL scheme %q in --cache %q; use one of %s", u.Scheme, redactURL(rawURL), schemeList())
	}
	b, err := storage.Open(ctx, rawURL)
	if errors.Is(err, storage.ErrInvalidURL) {
		return nil, usagef("--cache %s: %v", redactURL(rawURL), err)
	}
	if startWithout && b != nil && errors.Is(err, storage.ErrUnavailable) {
		logger.Warn("clientcache: the cache cannot be reached; requests go to the network until it answers",
			"cache", redactURL(rawURL), "err", err)
		return b, nil
	}
	if err != nil {
		if b != nil {
			_ = b.Close()
		}
		return nil, fmt.Errorf("clientcache: cannot open cache %s: %w", redactURL(rawURL), err)
	}
	return b, nil
}

// redactURL hides the password of a cache URL (redis://user:secret@host),
// also where url.Parse misreads it (user:secret@host, a password with an
// unescaped '/'), and otherwise leaves the URL as the user wrote it
// (url.URL.Redacted would turn memory:// into memory:).
func redactURL(raw string) string { return storage.RedactURL(raw) }

// unwrapURLError drops url.Parse's repetition of the whole input.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func schemeList() string {
	var out []string
	for _, s := range storage.Schemes() {
		out = append(out, s+"://")
	}
	return strings.Join(out, ", ")
}
