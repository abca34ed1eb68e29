package bench

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gregjones/httpcache"
	"github.com/gregjones/httpcache/diskcache"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
	_ "github.com/clientcache/clientcache/storage/dynamostore" // dynamodb://
	"github.com/clientcache/clientcache/storage/filestore"
	"github.com/clientcache/clientcache/storage/memstore"
	"github.com/clientcache/clientcache/storage/mongostore"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/clientcache/clientcache/storage/sqlitestore"
)

// benchName is the cache_name (Redis key prefix, MongoDB database, DynamoDB
// table) the server stores are benchmarked in. It is cleared before and
// after each benchmark.
const benchName = "clientcache_bench"

var quiet = slog.New(slog.DiscardHandler)

// A contender is one cache to measure: a clientcache store or a peer.
type contender struct {
	name string
	// env names the variable that must hold the server's address; empty
	// for caches that need no server.
	env string
	// hitMissOnly marks a variant of another contender's store (another
	// configuration): its raw read is that contender's, so it runs in
	// BenchmarkHit and BenchmarkMissStore only.
	hitMissOnly bool
	open        func(tb testing.TB, next http.RoundTripper) (*instance, error)
}

// instance is an open contender: a caching RoundTripper over next and what
// the benchmarks need to look inside its store.
type instance struct {
	rt http.RoundTripper
	// fromCache reports whether resp was served from the cache.
	fromCache func(resp *http.Response) bool
	// key returns the store key of the entry resp was (or is being) stored
	// under.
	key func(resp *http.Response) string
	// read is the raw store read of key: the bytes of the entry, no HTTP.
	read func(ctx context.Context, key string) ([]byte, error)
	// reset drops every stored entry.
	reset func(tb testing.TB)
}

// contenders lists every cache, clientcache's stores first.
var contenders = []contender{
	{name: "memstore", open: clientcacheOn(func(ctx context.Context, _ testing.TB) (*storage.Backend, error) {
		return memstore.Open(ctx, nil)
	})},
	{name: "memstore-cachecontrol", hitMissOnly: true, open: clientcacheWith(&clientcache.Options{CacheControl: true},
		func(ctx context.Context, _ testing.TB) (*storage.Backend, error) {
			return memstore.Open(ctx, nil)
		})},
	{name: "filestore", open: clientcacheOn(func(ctx context.Context, tb testing.TB) (*storage.Backend, error) {
		return filestore.Open(ctx, tb.TempDir(), nil)
	})},
	{name: "sqlitestore", open: clientcacheOn(func(ctx context.Context, tb testing.TB) (*storage.Backend, error) {
		return sqlitestore.Open(ctx, filepath.Join(tb.TempDir(), "bench.sqlite"), nil)
	})},
	{name: "redisstore", env: "REDIS_ADDR", open: clientcacheOn(func(ctx context.Context, _ testing.TB) (*storage.Backend, error) {
		return redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{os.Getenv("REDIS_ADDR")}}, &redisstore.Options{CacheName: benchName})
	})},
	{name: "mongostore", env: "MONGODB_URI", open: clientcacheOn(func(ctx context.Context, _ testing.TB) (*storage.Backend, error) {
		// FerretDB cannot build the TTL index; the store says so once per
		// open, which is noise here.
		return mongostore.Open(ctx, options.Client().ApplyURI(os.Getenv("MONGODB_URI")), &mongostore.Options{CacheName: benchName, Logger: quiet})
	})},
	{name: "dynamostore", env: "DYNAMODB_ENDPOINT", open: clientcacheOn(func(ctx context.Context, _ testing.TB) (*storage.Backend, error) {
		return storage.Open(ctx, "dynamodb://"+benchName+"?region=us-east-1&endpoint="+url.QueryEscape(os.Getenv("DYNAMODB_ENDPOINT")))
	})},
	{name: "gregjones-memory", open: func(tb testing.TB, next http.RoundTripper) (*instance, error) {
		c := httpcache.NewMemoryCache()
		return gregjones(c, next, func(testing.TB) {
			// MemoryCache has no Clear: a fresh map is the same thing.
			*c = *httpcache.NewMemoryCache()
		}), nil
	}},
	{name: "gregjones-disk", open: func(tb testing.TB, next http.RoundTripper) (*instance, error) {
		dir := tb.TempDir()
		c := diskcache.New(dir)
		return gregjones(c, next, func(tb testing.TB) {
			// diskcache keeps files under dir and up to 100 MB of them in
			// memory: a new Cache on an emptied directory drops both.
			if err := os.RemoveAll(dir); err != nil {
				tb.Fatal(err)
			}
			*c = *diskcache.New(dir)
		}), nil
	}},
}

// clientcacheOn returns the opener of a clientcache Transport over the
// Backend that newBackend returns, with the default options but for an
// expiry of an hour (ExpireAfter), as the origin's max-age=3600 tells
// gregjones/httpcache: both caches keep an expiry. The Backend is cleared
// when opened (a server store may hold a previous run's entries) and cleared
// and closed when the benchmark ends.
func clientcacheOn(newBackend func(context.Context, testing.TB) (*storage.Backend, error)) func(testing.TB, http.RoundTripper) (*instance, error) {
	return clientcacheWith(&clientcache.Options{ExpireAfter: time.Hour}, newBackend)
}

// clientcacheWith is clientcacheOn with other options; their Next is set to
// the origin's transport.
func clientcacheWith(opts *clientcache.Options, newBackend func(context.Context, testing.TB) (*storage.Backend, error)) func(testing.TB, http.RoundTripper) (*instance, error) {
	return func(tb testing.TB, next http.RoundTripper) (*instance, error) {
		ctx := context.Background()
		b, err := newBackend(ctx, tb)
		if err != nil {
			return nil, err
		}
		reset := func(tb testing.TB) {
			if err := clientcacheClear(ctx, b); err != nil {
				tb.Fatal(err)
			}
		}
		reset(tb)
		tb.Cleanup(func() {
			reset(tb)
			if err := b.Close(); err != nil {
				tb.Error(err)
			}
		})
		o := *opts
		o.Next = next
		tr, err := clientcache.NewTransport(b, &o)
		if err != nil {
			return nil, err
		}
		return &instance{
			rt:        tr,
			fromCache: func(resp *http.Response) bool { return clientcache.StatusOf(resp).FromCache },
			key:       func(resp *http.Response) string { return clientcache.StatusOf(resp).Key },
			read:      b.Responses.Read,
			reset:     reset,
		}, nil
	}
}

func clientcacheClear(ctx context.Context, b *storage.Backend) error {
	return errors.Join(b.Responses.Clear(ctx), b.Redirects.Clear(ctx))
}

// gregjones returns an instance of gregjones/httpcache's Transport over c.
// Its key for a GET is the URL; a hit carries the X-From-Cache header.
func gregjones(c httpcache.Cache, next http.RoundTripper, reset func(testing.TB)) *instance {
	tr := httpcache.NewTransport(c)
	tr.Transport = next
	return &instance{
		rt:        tr,
		fromCache: func(resp *http.Response) bool { return resp.Header.Get(httpcache.XFromCache) == "1" },
		key:       func(resp *http.Response) string { return resp.Request.URL.String() },
		read: func(_ context.Context, key string) ([]byte, error) {
			v, ok := c.Get(key)
			if !ok {
				return nil, storage.ErrNotFound
			}
			return v, nil
		},
		reset: reset,
	}
}

// unreachable remembers, by contender, a server that could not be used, so
// that the process's later benchmarks of it fail at once instead of each
// waiting for the connection timeout again.
var unreachable sync.Map

// openOrSkip opens c over next, or skips tb when c's server variable is
// unset. It fails tb when the store cannot be opened.
func (c contender) openOrSkip(tb testing.TB, next http.RoundTripper) *instance {
	tb.Helper()
	if c.env != "" && os.Getenv(c.env) == "" {
		tb.Skipf("%s is unset: set it to the server's address to measure %s (eval \"$(../scripts/services env)\")", c.env, c.name)
	}
	if err, ok := unreachable.Load(c.name); ok {
		tb.Fatalf("%s: not tried again after: %v", c.name, err)
	}
	inst, err := c.open(tb, next)
	if err != nil {
		if c.env != "" {
			unreachable.Store(c.name, err)
		}
		tb.Fatalf("%s: %v", c.name, err)
	}
	return inst
}
