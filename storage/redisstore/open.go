package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// New returns a Backend whose two stores use client, a single-node client,
// a *redis.ClusterClient or any other [redis.UniversalClient]. The caller
// keeps the client: closing the Backend never closes it. New does no I/O.
func New(client redis.UniversalClient, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("redisstore: New needs a client, got nil")
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

// Open connects to a single Redis server with go-redis options, nil meaning
// go-redis's defaults (localhost:6379). It sends a PING, failing with an error that names the
// address when the server does not answer. Closing the Backend closes the
// client.
func Open(ctx context.Context, ropts *redis.Options, opts *Options) (*storage.Backend, error) {
	if ropts == nil {
		ropts = &redis.Options{}
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	c := redis.NewClient(ropts)
	return openClient(ctx, c, c.Options().Addr, opts)
}

// OpenCluster connects to a Redis Cluster through the seed addresses of
// copts. It sends a PING, failing with an error that names the addresses
// when the Cluster does not answer. Closing the Backend closes the client.
func OpenCluster(ctx context.Context, copts *redis.ClusterOptions, opts *Options) (*storage.Backend, error) {
	if copts == nil || len(copts.Addrs) == 0 {
		return nil, errors.New("redisstore: OpenCluster needs ClusterOptions with at least one address in Addrs")
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	return openClient(ctx, redis.NewClusterClient(copts), strings.Join(copts.Addrs, ","), opts)
}

// OpenUniversal connects through [redis.NewUniversalClient]: a Cluster when
// uopts has two or more addresses or IsClusterMode, a Sentinel-backed
// failover client when MasterName is set, else a single node (nil uopts
// meaning localhost:6379). It sends a PING, failing with an error that names
// the addresses when the server does not answer. Closing the Backend closes
// the client.
func OpenUniversal(ctx context.Context, uopts *redis.UniversalOptions, opts *Options) (*storage.Backend, error) {
	if uopts == nil {
		uopts = &redis.UniversalOptions{}
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	addrs := strings.Join(uopts.Addrs, ",")
	if addrs == "" {
		addrs = "localhost:6379"
	}
	return openClient(ctx, redis.NewUniversalClient(uopts), addrs, opts)
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
