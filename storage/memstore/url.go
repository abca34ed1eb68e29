package memstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

func init() {
	storage.Register("memory", openURL, storage.URLForm{Form: "memory://?max_entries=N&max_bytes=64MiB", Means: "in this process only, with an optional budget"})
}

// openURL is the storage.Opener for memory:// URLs.
func openURL(ctx context.Context, u *url.URL) (*storage.Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: open memory:// URL: %w", err)
	}
	opts, err := optionsFromURL(u)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	return Open(ctx, opts)
}

// optionsFromURL reads the budget from a memory:// URL's query and rejects
// anything else, so that a typo is an error rather than a silently ignored
// setting.
func optionsFromURL(u *url.URL) (*Options, error) {
	const usage = "use memory:// with optional ?max_entries=N&max_bytes=N"
	if u.Opaque != "" || u.Host != "" || (u.Path != "" && u.Path != "/") || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("memstore: memory:// URL %q names a place, but an in-process store has none; %s", u.Redacted(), usage)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("memstore: memory:// URL: bad query: %w", err)
	}
	opts := &Options{}
	for name, values := range query {
		if len(values) != 1 {
			return nil, fmt.Errorf("memstore: memory:// URL: parameter %s is given %d times, want once", name, len(values))
		}
		value := values[0]
		switch name {
		case "max_entries":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("memstore: memory:// URL: max_entries=%q is not a count (want a whole number, 0 for no limit)", value)
			}
			opts.MaxEntries = n
		case "max_bytes":
			n, err := storeutil.ParseByteSize(value)
			if err != nil {
				return nil, fmt.Errorf("memstore: memory:// URL: max_bytes=%q: %w", value, err)
			}
			opts.MaxBytes = n
		default:
			return nil, fmt.Errorf("memstore: memory:// URL: unknown parameter %q; %s", name, usage)
		}
	}
	return opts, nil
}
