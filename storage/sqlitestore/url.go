package sqlitestore

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/clientcache/clientcache/storage"
)

func init() {
	storage.Register("sqlite", openURL, storage.URLForm{Form: "sqlite:///abs/path.sqlite?max_bytes=1GiB", Means: "a SQLite database file, with an optional budget"})
}

// openURL opens the Backend that a sqlite:// URL names (see the package doc).
func openURL(ctx context.Context, u *url.URL) (*storage.Backend, error) {
	path, err := urlPath(u)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	params, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, storage.InvalidURL(fmt.Errorf("sqlitestore: invalid query in %q: %w", u.Redacted(), err))
	}
	c, err := buildConfig(path, params, nil, u.Redacted())
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	return openConfig(ctx, c)
}

// urlPath is the database path of a sqlite URL: sqlite:///abs/path,
// sqlite://~/path or sqlite:relative/path.
func urlPath(u *url.URL) (string, error) {
	switch {
	case u.User != nil:
		return "", fmt.Errorf("sqlitestore: URL %q has user information; a sqlite URL names a file: sqlite:///absolute/path.sqlite", u.Redacted())
	case u.Opaque != "":
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", fmt.Errorf("sqlitestore: invalid path in URL %q: %w", u.Redacted(), err)
		}
		return p, nil
	case u.Host == "" || u.Host == "localhost":
		if len(u.Path) > 1 && filepath.VolumeName(u.Path[1:]) != "" {
			return u.Path[1:], nil // sqlite:///C:/dir/cache.sqlite on Windows
		}
		return u.Path, nil
	case u.Host == "~":
		return "~" + u.Path, nil
	}
	return "", fmt.Errorf("sqlitestore: URL %q names host %q; use sqlite:///absolute/path.sqlite (three slashes) or sqlite://~/path.sqlite", u.Redacted(), u.Host)
}
