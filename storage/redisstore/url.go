package redisstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

func init() {
	open := func(ctx context.Context, u *url.URL) (*storage.Backend, error) {
		return openURL(ctx, u.String())
	}
	storage.Register("redis", open, storage.URLForm{Form: "redis://host:port/db?cache_name=NAME", Means: "Redis: keys prefixed NAME: (several addr= parameters: a Cluster)"})
	storage.Register("rediss", open, storage.URLForm{Form: "rediss://host:port/db?cache_name=NAME", Means: "Redis over TLS"})
}

// urlConfig is what [parseURL] reads from a URL: the go-redis options of a
// single node or of a Cluster (exactly one is set), and the store's Options.
type urlConfig struct {
	// Node holds the options of a single-node URL, nil for a Cluster.
	Node *redis.Options
	// Cluster holds the options of a Cluster URL, nil for a single node.
	Cluster *redis.ClusterOptions
	// Store holds the store's own parameters.
	Store Options
}

// parseURL reads a redis:// or rediss:// URL as go-redis does, after taking
// out the store's own query parameters:
//
//   - cache_name=NAME sets [Options.CacheName];
//   - cluster=true makes the URL a Cluster even with a single address.
//
// One or more addr=host:port parameters (beside the URL's host) also make it
// a Cluster, parsed by [redis.ParseClusterURL]; otherwise [redis.ParseURL]
// parses it, database number in the path included. Every other parameter is
// go-redis's (dial_timeout=2s, pool_size=20, ...), and go-redis rejects the
// ones it does not know. Errors never repeat the URL's password.
func parseURL(rawURL string) (*urlConfig, error) {
	cfg, err := parseURLUnredacted(rawURL)
	// go-redis quotes parts of the URL it rejects (its path, say), which
	// may hold a misplaced password (redis:/user:password@host/0).
	return cfg, storage.RedactError(err, rawURL)
}

func parseURLUnredacted(rawURL string) (*urlConfig, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: invalid URL: %w", storage.RedactError(err, rawURL))
	}
	shown := storage.RedactURL(rawURL)
	q := u.Query()
	cfg := &urlConfig{}
	if vs, ok := q["cache_name"]; ok {
		if len(vs) != 1 || vs[0] == "" {
			return nil, fmt.Errorf("redisstore: URL %s: cache_name must be given once and not be empty", shown)
		}
		cfg.Store.CacheName = vs[0]
		q.Del("cache_name")
	}
	cluster := q.Has("addr")
	if vs, ok := q["cluster"]; ok {
		b, err := strconv.ParseBool(vs[len(vs)-1])
		if err != nil || len(vs) != 1 {
			return nil, fmt.Errorf("redisstore: URL %s: cluster must be given once, as true or false", shown)
		}
		cluster = cluster || b
		q.Del("cluster")
	}
	u.RawQuery = q.Encode()
	if cluster {
		cfg.Cluster, err = redis.ParseClusterURL(u.String())
	} else {
		cfg.Node, err = redis.ParseURL(u.String())
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: URL %s: %w", shown, err)
	}
	return cfg, nil
}

// openURL opens a Backend from a URL read by [parseURL], with a single-node
// client or, when the URL says so, a Cluster client (even with one
// address), as [Open] does: with ContextTimeoutEnabled, and, when the server
// cannot be reached, an error wrapping [storage.ErrUnavailable] together
// with a Lazy Backend. Its errors, and those of the Lazy Backend, never show
// the URL's password.
func openURL(ctx context.Context, rawURL string) (*storage.Backend, error) {
	cfg, err := parseURL(rawURL)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	var open func(ctx context.Context) (*storage.Backend, error)
	if cfg.Cluster != nil {
		cfg.Cluster.ContextTimeoutEnabled = true
		addrs := strings.Join(cfg.Cluster.Addrs, ",")
		open = func(ctx context.Context) (*storage.Backend, error) {
			// A copy for each client: go-redis keeps the options it is given.
			co := *cfg.Cluster
			return openClient(ctx, redis.NewClusterClient(&co), addrs, &cfg.Store)
		}
	} else {
		cfg.Node.ContextTimeoutEnabled = true
		open = func(ctx context.Context) (*storage.Backend, error) {
			no := *cfg.Node
			return openClient(ctx, redis.NewClient(&no), no.Addr, &cfg.Store)
		}
	}
	strict := func(ctx context.Context) (*storage.Backend, error) {
		b, err := open(ctx)
		// The errors name the addresses, not the URL; this is for what
		// go-redis may add to them.
		return b, storage.RedactError(err, rawURL)
	}
	o, _ := cfg.Store.withDefaults() // parseURL checked them
	return openOrLazy(ctx, o.timeout(), strict)
}
