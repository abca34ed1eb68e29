package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// Store is one namespace of a cache in Redis: the keys under one prefix,
// "<cache_name>:responses:" or "<cache_name>:redirects:". It implements
// [storage.Storage], [storage.ExpiringWriter] and [storage.BulkDeleter], and
// is safe for concurrent use. [New] and the Open functions return two of them
// in a [storage.Backend].
type Store struct {
	conn   *conn
	prefix string // every Redis key of this store starts with it
	match  string // SCAN MATCH pattern: the glob-escaped prefix, then *
	opts   Options
	closed atomic.Bool
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

func newStore(c *conn, prefix string, opts Options) *Store {
	c.refs.Add(1)
	return &Store{conn: c, prefix: prefix, match: globEscape(prefix) + "*", opts: opts}
}

// Prefix returns the prefix of every Redis key of this store, such as
// "http_cache:responses:".
func (s *Store) Prefix() string { return s.prefix }

// Client returns the go-redis client the store uses.
func (s *Store) Client() redis.UniversalClient { return s.conn.client }

// check returns an error if the store is closed or ctx is done.
func (s *Store) check(ctx context.Context, op, key string) error {
	if s.closed.Load() {
		return s.fail(ctx, op, key, storage.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return s.fail(ctx, op, key, err)
	}
	return nil
}

// fail wraps err with the operation and the Redis key (or the prefix for
// operations on the whole namespace). When ctx is done and err does not say
// so already, the context's error is wrapped too.
func (s *Store) fail(ctx context.Context, op, redisKey string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("redisstore: %s %q: %w: %w", op, redisKey, cerr, err)
	}
	return fmt.Errorf("redisstore: %s %q: %w", op, redisKey, err)
}

// Contains reports whether key holds a value.
func (s *Store) Contains(ctx context.Context, key string) (bool, error) {
	k := s.prefix + key
	if err := s.check(ctx, "contains", k); err != nil {
		return false, err
	}
	n, err := s.conn.client.Exists(ctx, k).Result()
	if err != nil {
		return false, s.fail(ctx, "contains", k, err)
	}
	return n > 0, nil
}

// Read returns the value under key, or an error wrapping
// [storage.ErrNotFound] when there is none.
func (s *Store) Read(ctx context.Context, key string) ([]byte, error) {
	k := s.prefix + key
	if err := s.check(ctx, "read", k); err != nil {
		return nil, err
	}
	v, err := s.conn.client.Get(ctx, k).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, storage.ErrNotFound // a miss is common: no wrapping to allocate
	}
	if err != nil {
		return nil, s.fail(ctx, "read", k, err)
	}
	return v, nil
}

// Write stores value under key without a TTL, replacing any earlier value
// and TTL.
func (s *Store) Write(ctx context.Context, key string, value []byte) error {
	k := s.prefix + key
	if err := s.check(ctx, "write", k); err != nil {
		return err
	}
	if err := s.conn.client.Set(ctx, k, value, 0).Err(); err != nil {
		return s.fail(ctx, "write", k, err)
	}
	return nil
}

// WriteWithExpiry stores value under key with a TTL that ends at expires
// (millisecond precision, rounded up). A zero expires means no TTL, as
// Write. An expires already past deletes the key: the value would be gone
// at once anyway.
func (s *Store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	if expires.IsZero() {
		return s.Write(ctx, key, value)
	}
	k := s.prefix + key
	if err := s.check(ctx, "write", k); err != nil {
		return err
	}
	ttl := time.Until(expires)
	if ttl <= 0 {
		if err := s.conn.client.Unlink(ctx, k).Err(); err != nil {
			return s.fail(ctx, "write (already expired, so delete)", k, err)
		}
		return nil
	}
	if r := ttl % time.Millisecond; r != 0 {
		ttl += time.Millisecond - r
	}
	if err := s.conn.client.Set(ctx, k, value, ttl).Err(); err != nil {
		return s.fail(ctx, "write", k, err)
	}
	return nil
}

// Delete removes key. Deleting an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	k := s.prefix + key
	if err := s.check(ctx, "delete", k); err != nil {
		return err
	}
	if err := s.conn.client.Unlink(ctx, k).Err(); err != nil {
		return s.fail(ctx, "delete", k, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, in as few round trips as
// the client allows: one UNLINK per 500 keys on a single node, one pipeline
// of single-key UNLINKs (one round trip per node) on a Cluster.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.check(ctx, "delete many", s.prefix); err != nil {
		return err
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.prefix + k
	}
	if err := s.unlink(ctx, full); err != nil {
		return s.fail(ctx, fmt.Sprintf("delete %d keys under", len(keys)), s.prefix, err)
	}
	return nil
}

// unlink deletes Redis keys. A multi-key UNLINK must not span hash slots on
// a Cluster (CROSSSLOT) nor shards on a Ring, so only a single-node client
// gets one; the others get one single-key UNLINK per key in a pipeline,
// which go-redis sends to each node in one round trip.
func (s *Store) unlink(ctx context.Context, full []string) error {
	const chunk = 500
	single, _ := s.conn.client.(*redis.Client)
	for len(full) > 0 {
		n := min(chunk, len(full))
		part := full[:n]
		full = full[n:]
		if single != nil {
			if err := single.Unlink(ctx, part...).Err(); err != nil {
				return err
			}
			continue
		}
		pipe := s.conn.client.Pipeline()
		for _, k := range part {
			pipe.Unlink(ctx, k)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close marks the store closed; its methods then return errors wrapping
// [storage.ErrClosed]. When the store opened its client itself, closing the
// second store of the Backend closes the client; a client the caller passed
// to [New] is never closed. Close is idempotent.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	if err := s.conn.release(); err != nil {
		return fmt.Errorf("redisstore: close the client: %w", err)
	}
	return nil
}

var (
	_ storage.Storage        = (*Store)(nil)
	_ storage.ExpiringWriter = (*Store)(nil)
	_ storage.BulkDeleter    = (*Store)(nil)
)
