package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
	"github.com/redis/go-redis/v9"
)

// store is one namespace of a cache in Redis: the keys under one prefix,
// "<cache_name>:responses:" or "<cache_name>:redirects:". It implements
// [storage.Storage], [storage.ExpiringWriter] and [storage.BulkDeleter], and
// is safe for concurrent use. [New] and [Open] return two of them in a
// [storage.Backend].
type store struct {
	conn   *conn
	prefix string // every Redis key of this store starts with it
	ns     string // the prefix without its last ":", for errors
	match  string // SCAN MATCH pattern: the glob-escaped prefix, then *
	opts   Options
	closed storeutil.Closed
}

// conn is the client the two stores of a Backend share. When the store
// opened the client itself, the last Close closes it.
type conn struct {
	client redis.UniversalClient
	own    bool
	refs   atomic.Int32
}

func (c *conn) release() error {
	if c.refs.Add(-1) == 0 && c.own {
		return c.client.Close()
	}
	return nil
}

func newStore(c *conn, prefix string, opts Options) *store {
	c.refs.Add(1)
	return &store{
		conn:   c,
		prefix: prefix,
		ns:     strings.TrimSuffix(prefix, ":"),
		match:  globEscape(prefix) + "*",
		opts:   opts,
	}
}

// check returns an error if the store is closed or ctx is done.
func (s *store) check(ctx context.Context) error {
	if err := s.closed.Check(ctx); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// fail wraps err with the store's name and namespace (the core adds the
// operation and the key). When ctx is done and err does not say so
// already, the context's error is wrapped too.
func (s *store) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return &storeutil.Error{Store: "redisstore", Namespace: s.ns, Err: err}
}

// Close marks the store closed; its methods then return errors wrapping
// [storage.ErrClosed]. When the store opened its client itself, closing the
// second store of the Backend closes the client; a client the caller passed
// to [New] is never closed. Close is idempotent.
func (s *store) Close() error {
	if !s.closed.Close() {
		return nil
	}
	if err := s.conn.release(); err != nil {
		return &storeutil.Error{Store: "redisstore", Namespace: s.ns, Err: err}
	}
	return nil
}

var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
)
