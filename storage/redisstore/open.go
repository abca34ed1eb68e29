package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// Open connects through [redis.NewUniversalClient]: a Cluster when ropts has
// two or more addresses or IsClusterMode, a Sentinel-backed failover client
// when MasterName is set, else a single node (nil ropts meaning go-redis's
// defaults, 127.0.0.1:6379). It sends a PING, failing with an error that names
// the addresses when the server does not answer. Closing the Backend closes
// the client.
//
// The client is built from a copy of ropts with ContextTimeoutEnabled set
// (ropts itself is not modified), so that the deadline of an operation's
// context, such as the one clientcache gives each operation from
// Backend.Timeout ([Options.Timeout]), also bounds its socket reads and
// writes: without it go-redis waits for ReadTimeout and WriteTimeout (3 s
// by default) whatever the context says.
//
// When the server cannot be reached (the connection is refused, reset or
// times out, the host name does not resolve, the PING is not answered
// within a second or ctx's deadline, or Redis answers that it cannot serve
// yet: LOADING, BUSY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN), the error wraps
// [storage.ErrUnavailable] and Open returns it together with a non-nil
// Backend made by [storage.Lazy]. That Backend holds nothing (no client, no
// goroutine) until it is used; used, it connects in the background, as Open
// does, and fails every operation at once with an error wrapping
// ErrUnavailable until Redis answers, then uses the store. A caller that
// wants to start while Redis is down keeps it (and closes it); a caller that
// treats every error as fatal ignores it, and need not close it. Any other
// error is a mistake in the options to fix, not an outage: invalid Options,
// a wrong user name or password (WRONGPASS, NOAUTH), a database number out
// of range, a TLS certificate that does not verify. It does not wrap
// ErrUnavailable, and the Backend is nil. (TLS against a server without
// TLS is not told apart from a server that does not answer: Redis waits for
// the rest of what it takes for a command.)
func Open(ctx context.Context, ropts *redis.UniversalOptions, opts *Options) (*storage.Backend, error) {
	if ropts == nil {
		ropts = &redis.UniversalOptions{}
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	addrs := strings.Join(ropts.Addrs, ",")
	if addrs == "" {
		addrs = "127.0.0.1:6379"
	}
	ro := *ropts
	ro.ContextTimeoutEnabled = true
	return openOrLazy(ctx, o.timeout(), func(ctx context.Context) (*storage.Backend, error) {
		// A copy for each client: go-redis keeps the options it is given.
		ro := ro
		return openClient(ctx, redis.NewUniversalClient(&ro), addrs, opts)
	})
}

// New returns a Backend whose two stores use client, a single-node client,
// a *redis.ClusterClient or any other [redis.UniversalClient]. The caller
// keeps the client: closing the Backend never closes it. New does no I/O; it
// fails when ctx is already done.
//
// The deadline clientcache gives each operation (Backend.Timeout,
// [Options.Timeout]) bounds the client's socket reads and writes only when
// the client was made with ContextTimeoutEnabled; otherwise an operation on
// a server that hangs lasts until the client's ReadTimeout or WriteTimeout
// (3 s by default), though its context ended long before. New does not
// change the caller's client: for a *redis.Client, *redis.ClusterClient or
// *redis.Ring made without ContextTimeoutEnabled it logs one warning through
// [Options.Logger], and goes on.
func New(ctx context.Context, client redis.UniversalClient, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("redisstore: New needs a client, got nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: New: %w", err)
	}
	b, err := newBackend(&conn{client: client}, opts)
	if err != nil {
		return nil, err
	}
	if o, _ := opts.withDefaults(); ignoresDeadlines(client) && o.timeout() > 0 {
		o.Logger.Warn("redisstore: the client was made without ContextTimeoutEnabled, so an operation's deadline does not bound its socket reads and writes: "+
			"against a server that hangs, each operation lasts until the client's ReadTimeout or WriteTimeout, not Options.Timeout",
			"timeout", o.timeout())
	}
	return b, nil
}

// ignoresDeadlines reports whether client is known to have been made without
// ContextTimeoutEnabled.
func ignoresDeadlines(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return !c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return !c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return !c.Options().ContextTimeoutEnabled
	}
	return false
}

func newBackend(c *conn, opts *Options) (*storage.Backend, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &storage.Backend{
		Responses: newStore(c, o.CacheName+":responses:", o),
		Redirects: newStore(c, o.CacheName+":redirects:", o),
		Timeout:   o.timeout(),
	}, nil
}

// openOrLazy runs open, which never returns a Lazy Backend itself. When
// open fails because the server cannot be reached, openOrLazy returns its
// error with a Lazy Backend that runs open again once it is used.
func openOrLazy(ctx context.Context, timeout time.Duration, open func(ctx context.Context) (*storage.Backend, error)) (*storage.Backend, error) {
	b, err := open(ctx)
	if err != nil && errors.Is(err, storage.ErrUnavailable) {
		return storage.Lazy(timeout, open), err
	}
	return b, err
}

// openPingTimeout bounds the PING with which Open checks that the server
// answers: a Redis answers one in well under a millisecond, and one that has
// not answered within a second is an outage (Open then returns a Lazy
// Backend), so that a program starts quickly while its Redis hangs.
const openPingTimeout = time.Second

// openClient checks that client answers and wraps it in a Backend that owns
// it; on failure it closes the client. An error that means the server could
// not be reached wraps storage.ErrUnavailable.
func openClient(ctx context.Context, client redis.UniversalClient, addrs string, opts *Options) (*storage.Backend, error) {
	pctx, cancel := context.WithTimeout(ctx, openPingTimeout)
	err := client.Ping(pctx).Err()
	if err != nil {
		err = withContextError(pctx, err) // before cancel: the deadline, not the cancel
	}
	cancel()
	if err != nil {
		_ = client.Close()
		if unreachable(ctx, err) {
			return nil, storage.Unavailable(fmt.Errorf("redisstore: no answer from Redis at %s: %w", addrs, err))
		}
		return nil, fmt.Errorf("redisstore: Redis at %s: %w", addrs, err)
	}
	b, err := newBackend(&conn{client: client, own: true}, opts)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return b, nil
}
