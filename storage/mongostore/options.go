package mongostore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultCacheName is the database a store uses when no cache_name is given.
const DefaultCacheName = "http_cache"

// The two collections of a cache_name database.
const (
	ResponsesCollection = "responses"
	RedirectsCollection = "redirects"
)

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
}

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
