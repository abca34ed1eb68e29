package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// Open connects through [redis.NewUniversalClient]: a Cluster when ropts has
// two or more addresses or IsClusterMode, a Sentinel-backed failover client
// when MasterName is set, else a single node (nil ropts meaning go-redis's
// defaults, 127.0.0.1:6379). It sends a PING, failing with an error that names
// the addresses when the server does not answer. Closing the Backend closes
// the client.
func Open(ctx context.Context, ropts *redis.UniversalOptions, opts *Options) (*storage.Backend, error) {
	if ropts == nil {
		ropts = &redis.UniversalOptions{}
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	addrs := strings.Join(ropts.Addrs, ",")
	if addrs == "" {
		addrs = "127.0.0.1:6379"
	}
	return openClient(ctx, redis.NewUniversalClient(ropts), addrs, opts)
}

// New returns a Backend whose two stores use client, a single-node client,
// a *redis.ClusterClient or any other [redis.UniversalClient]. The caller
// keeps the client: closing the Backend never closes it. New does no I/O; it
// fails when ctx is already done.
func New(ctx context.Context, client redis.UniversalClient, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("redisstore: New needs a client, got nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: New: %w", err)
	}
	return newBackend(&conn{client: client}, opts)
}

func newBackend(c *conn, opts *Options) (*storage.Backend, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &storage.Backend{
		Responses: newStore(c, o.CacheName+":responses:", o),
		Redirects: newStore(c, o.CacheName+":redirects:", o),
	}, nil
}

// openClient checks that client answers and wraps it in a Backend that owns
// it; on failure it closes the client.
func openClient(ctx context.Context, client redis.UniversalClient, addrs string, opts *Options) (*storage.Backend, error) {
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redisstore: no answer from Redis at %s: %w", addrs, err)
	}
	b, err := newBackend(&conn{client: client, own: true}, opts)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return b, nil
}
