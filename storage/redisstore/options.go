package redisstore

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// DefaultCacheName is the cache_name used when [Options.CacheName] is empty.
const DefaultCacheName = "http_cache"

// DefaultTimeout is the deadline of each operation a request makes
// ([Options.Timeout], [storage.Backend.Timeout]) when Options leave it
// zero: tens of milliseconds, since Redis on the same network answers a
// cache entry's GET or SET in about a millisecond and a store that takes
// longer than this is better skipped than waited for (the core then goes to
// the network). Measured on loopback (Redis 7, two cores), a SET takes
// 0.5 ms for 10 KB, 2 ms for 1 MB and 40 ms for 10 MB, a GET 0.1 ms, 3 ms and
// 75 to 85 ms: raise the timeout to 250 ms or more when responses of several
// megabytes are cached, and by the round trip when Redis is far away.
const DefaultTimeout = 50 * time.Millisecond

// Options configure a store. A nil *Options means all defaults.
type Options struct {
	// CacheName is the namespace: every key the store writes starts with
	// CacheName followed by ":". Default "http_cache".
	CacheName string

	// ScanCount is the COUNT hint of each SCAN that Keys, Values, Size and
	// Clear send: how many keys Redis looks at per round trip. Default 1000.
	ScanCount int

	// ValuesBatch is how many values Values fetches in one round trip (a
	// pipeline of GETs). Larger is faster and holds more values in memory at
	// once. Default 50.
	ValuesBatch int

	// Timeout is the deadline clientcache gives each operation a request
	// makes on the store (a read, a write, a delete): [storage.Backend.Timeout],
	// which clientcache's Options.StoreTimeout overrides. Zero means
	// [DefaultTimeout]; a negative value, no deadline but the request's own.
	// A deadline reaches the socket only through a client made with
	// ContextTimeoutEnabled, as [Open]'s are (see [New]).
	Timeout time.Duration

	// Logger receives the store's one warning: that the client given to
	// [New] ignores deadlines. Default: slog.Default().
	Logger *slog.Logger
}

// timeout is the Backend.Timeout that o asks for.
func (o Options) timeout() time.Duration { return storeutil.Timeout(o.Timeout, DefaultTimeout) }

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.CacheName == "" {
		out.CacheName = DefaultCacheName
	}
	switch {
	case out.ScanCount < 0:
		return out, fmt.Errorf("redisstore: Options.ScanCount is %d, want 0 (default) or more", out.ScanCount)
	case out.ScanCount == 0:
		out.ScanCount = 1000
	}
	switch {
	case out.ValuesBatch < 0:
		return out, fmt.Errorf("redisstore: Options.ValuesBatch is %d, want 0 (default) or more", out.ValuesBatch)
	case out.ValuesBatch == 0:
		out.ValuesBatch = 50
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out, nil
}
