package mongostore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// DefaultCacheName is the database a store uses when no cache_name is given.
const DefaultCacheName = "http_cache"

// The two collections of a cache_name database.
const (
	ResponsesCollection = "responses"
	RedirectsCollection = "redirects"
)

// DefaultTimeout is the deadline of each operation a request makes
// ([Options.Timeout], [storage.Backend.Timeout]) when Options leave it
// zero. A MongoDB server on the same network finds or replaces a document by
// its _id in a millisecond or two; a store slower than this is better
// skipped than waited for (the core then goes to the network). Measured on
// loopback against FerretDB 1.24 on SQLite (the server the tests use,
// slower than MongoDB; two cores), a write takes 3 to 5 ms for 10 KB, 70 to
// 95 ms for 1 MB and 0.6 s for 10 MB, a read 3, 65 to 75 ms and 0.5 s: raise
// the timeout (to a second or more) when responses of a megabyte or more are
// cached, and by the round trip when the server is far away.
const DefaultTimeout = 100 * time.Millisecond

const (
	defaultOpenTimeout            = 10 * time.Second
	defaultServerSelectionTimeout = 5 * time.Second
	deleteChunk                   = 40
	maxDatabaseName               = 63
)

// Options configure a store. A nil *Options means every default.
type Options struct {
	// CacheName is the database that holds the cache's two collections,
	// responses and redirects. Default: "http_cache". (A mongodb:// URL
	// opened with storage.Open names it in its path.)
	CacheName string

	// Logger receives the one warning a store logs when the server cannot
	// create the TTL index. Default: slog.Default().
	Logger *slog.Logger

	// OpenTimeout bounds the round trips made while opening a store: the
	// ping of Open and the creation of the indexes. The context
	// passed to the constructor still applies. Default: 10 seconds.
	OpenTimeout time.Duration

	// Timeout is the deadline clientcache gives each operation a request
	// makes on the store (a read, a write, a delete): [storage.Backend.Timeout],
	// which clientcache's Options.StoreTimeout overrides. Zero means
	// [DefaultTimeout]; a negative value, no deadline but the request's own.
	Timeout time.Duration
}

// timeout is the Backend.Timeout that o asks for.
func (o Options) timeout() time.Duration { return storeutil.Timeout(o.Timeout, DefaultTimeout) }

// resolved returns a copy of o with every default filled in; fallbackName is
// the cache_name to use when o names none.
func (o *Options) resolved(fallbackName string) Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.CacheName == "" {
		r.CacheName = fallbackName
	}
	if r.CacheName == "" {
		r.CacheName = DefaultCacheName
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.OpenTimeout <= 0 {
		r.OpenTimeout = defaultOpenTimeout
	}
	return r
}

// checkCacheName applies MongoDB's rules for database names, so that a bad
// cache_name fails at open with a message saying why.
func checkCacheName(name string) error {
	if len(name) > maxDatabaseName {
		return fmt.Errorf("mongostore: cache_name %q is %d bytes; a MongoDB database name has at most %d", name, len(name), maxDatabaseName)
	}
	if i := strings.IndexAny(name, "/\\. \"$\x00"); i >= 0 {
		return fmt.Errorf("mongostore: cache_name %q contains %q, which a MongoDB database name cannot hold (none of / \\ . space \" $ NUL)", name, name[i])
	}
	return nil
}
