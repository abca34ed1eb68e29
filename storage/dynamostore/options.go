package dynamostore

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// DefaultCacheName is the table used when Options.CacheName is empty.
const DefaultCacheName = "http_cache"

// DefaultTimeout is the deadline of each operation a request makes
// ([Options.Timeout], [storage.Backend.Timeout]) when Options leave it
// zero. DynamoDB answers a GetItem or PutItem in a few milliseconds from
// within its region, and an HTTPS request that must open a connection
// first, or that the SDK retries once, takes some tens more; a store slower
// than this is better skipped than waited for (the core then goes to the
// network). Measured on loopback (two cores), a write takes 10 to 30 ms for
// 10 KB, 90 to 120 ms for 1 MB (three chunks) and 0.4 s (DynamoDB Local) to
// 1.3 s (dynalite) for 10 MB (thirty chunks), a read 5 to 10 ms, 45 to 55 ms
// and 0.2 to 1.3 s: raise the timeout (to a few seconds) when responses of
// a megabyte or more are cached, and by the round trip when the endpoint is
// far away.
const DefaultTimeout = 250 * time.Millisecond

// Options configures a store. A nil *Options means all defaults.
type Options struct {
	// CacheName is the name of the DynamoDB table that holds the cache: 3 to
	// 255 letters, digits, '_', '-' or '.'. Default: "http_cache".
	CacheName string

	// CreateTable says whether a missing table is created (on-demand billing,
	// partition key "k" of type S, TTL on "expires"), at construction and
	// again if the table vanishes while the store runs. Set it to
	// aws.Bool(false) when the table is managed elsewhere and must already
	// exist. Default: nil, which means true.
	CreateTable *bool

	// ConnectTimeout bounds the DescribeTable call with which construction
	// checks that the service answers; when it does not, construction fails
	// with an error naming the endpoint. Default: 5s.
	ConnectTimeout time.Duration

	// RequestTimeout bounds how long one attempt of a request waits for the
	// service's response after sending it (http.Transport's
	// ResponseHeaderTimeout), so that a service that hangs fails like one that
	// is down. It applies to the HTTP clients that Open (and storage.Open)
	// build, not to a client passed to New. Default: 5s.
	RequestTimeout time.Duration

	// Timeout is the deadline clientcache gives each operation a request
	// makes on the store (a read, a write, a delete): [storage.Backend.Timeout],
	// which clientcache's Options.StoreTimeout overrides. It bounds the whole
	// operation, the SDK's retries included. Zero means [DefaultTimeout]; a
	// negative value, no deadline but the request's own.
	Timeout time.Duration

	// Logger receives the store's warnings: that Time to Live could not be
	// enabled (once per Backend), or that leftover chunks of a replaced
	// value could not be removed. Default: slog.Default().
	Logger *slog.Logger
}

// resolved is Options with the defaults applied.
type resolved struct {
	table          string
	create         bool
	connectTimeout time.Duration
	requestTimeout time.Duration
	timeout        time.Duration // Backend.Timeout
	log            *slog.Logger
}

func (o *Options) resolve() (resolved, error) {
	r := resolved{
		table:          DefaultCacheName,
		create:         true,
		connectTimeout: 5 * time.Second,
		requestTimeout: 5 * time.Second,
		timeout:        DefaultTimeout,
		log:            slog.Default(),
	}
	if o == nil {
		return r, nil
	}
	if o.CacheName != "" {
		r.table = o.CacheName
	}
	if err := validTableName(r.table); err != nil {
		return r, err
	}
	if o.CreateTable != nil {
		r.create = *o.CreateTable
	}
	if o.ConnectTimeout < 0 || o.RequestTimeout < 0 {
		return r, fmt.Errorf("dynamostore: negative timeout in Options (ConnectTimeout %v, RequestTimeout %v)", o.ConnectTimeout, o.RequestTimeout)
	}
	if o.ConnectTimeout > 0 {
		r.connectTimeout = o.ConnectTimeout
	}
	if o.RequestTimeout > 0 {
		r.requestTimeout = o.RequestTimeout
	}
	r.timeout = storeutil.Timeout(o.Timeout, DefaultTimeout)
	if o.Logger != nil {
		r.log = o.Logger
	}
	return r, nil
}

// validTableName applies DynamoDB's rules for table names, so that a bad
// cache_name fails with a clear error before any request.
func validTableName(name string) error {
	if len(name) < 3 || len(name) > 255 {
		return fmt.Errorf("dynamostore: cache name %q is not a valid DynamoDB table name: it must be 3 to 255 characters long", name)
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return fmt.Errorf("dynamostore: cache name %q is not a valid DynamoDB table name: %q is not allowed (use letters, digits, '_', '-' and '.')", name, c)
		}
	}
	return nil
}
