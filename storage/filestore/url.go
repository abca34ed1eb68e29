package filestore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

func init() {
	storage.Register("file", openURL, storage.URLForm{Form: "file:///abs/dir?max_bytes=1GiB", Means: "a directory, a file per response, with an optional budget"})
}

// openURL is the storage.Opener for file: URLs.
func openURL(ctx context.Context, u *url.URL) (*storage.Backend, error) {
	dir, opts, err := parseURL(u)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	return Open(ctx, dir, opts)
}

const urlUsage = "use file:///absolute/dir, file://~/dir-in-home or file:relative/dir, with optional parameters mode=ro, max_bytes=SIZE (such as 10MiB) and max_entries=N"

// parseURL maps a file: URL to a cache directory and Options, rejecting
// anything it would otherwise ignore.
func parseURL(u *url.URL) (string, *Options, error) {
	var dir string
	switch {
	case u.Opaque != "": // file:relative/dir, file:~/dir
		var err error
		if dir, err = url.PathUnescape(u.Opaque); err != nil {
			return "", nil, fmt.Errorf("filestore: file URL %q: %w", u.Redacted(), err)
		}
	case u.Host == "" || u.Host == "localhost":
		dir = u.Path
	case u.Host == "~":
		dir = "~" + u.Path
	default:
		return "", nil, fmt.Errorf("filestore: file URL %q names host %q, but a cache directory must be local; %s", u.Redacted(), u.Host, urlUsage)
	}
	if dir == "" {
		return "", nil, fmt.Errorf("filestore: file URL %q names no directory; %s", u.Redacted(), urlUsage)
	}
	if u.User != nil || u.Fragment != "" {
		return "", nil, fmt.Errorf("filestore: file URL %q has a user or a fragment, which a directory cannot use; %s", u.Redacted(), urlUsage)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("filestore: file URL %q: bad query: %w", u.Redacted(), err)
	}
	opts := &Options{}
	for name, values := range query {
		if len(values) != 1 {
			return "", nil, fmt.Errorf("filestore: file URL %q: parameter %s is given %d times, want once", u.Redacted(), name, len(values))
		}
		switch value := values[0]; name {
		case "mode":
			switch value {
			case "ro":
				opts.ReadOnly = true
			case "rw":
				opts.ReadOnly = false
			default:
				return "", nil, fmt.Errorf("filestore: file URL %q: mode=%q, want ro (read-only) or rw", u.Redacted(), value)
			}
		case "max_bytes":
			n, err := storeutil.ParseByteSize(value)
			if err != nil {
				return "", nil, fmt.Errorf("filestore: file URL %q: max_bytes=%q: %w", u.Redacted(), value, err)
			}
			opts.MaxBytes = n
		case "max_entries":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return "", nil, fmt.Errorf("filestore: file URL %q: max_entries=%q is not a count; want a whole number of entries, 0 for no limit", u.Redacted(), value)
			}
			opts.MaxEntries = n
		default:
			return "", nil, fmt.Errorf("filestore: file URL %q: unknown parameter %q; %s", u.Redacted(), name, urlUsage)
		}
	}
	return dir, opts, nil
}
