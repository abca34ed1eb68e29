package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

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
// already, the context's error is wrapped too; so is
// context.DeadlineExceeded when err is the socket timeout that ctx's
// deadline set, reported an instant before ctx itself says it is done.
func (s *store) fail(ctx context.Context, err error) error {
	return &storeutil.Error{Store: "redisstore", Namespace: s.ns, Err: withContextError(ctx, err)}
}

// withContextError returns err wrapping ctx's error when ctx is done (or
// its deadline has passed and err is the socket timeout it set) and err does
// not say so already.
func withContextError(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if d, ok := ctx.Deadline(); cerr == nil && ok && !time.Now().Before(d) && isTimeout(err) {
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
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
