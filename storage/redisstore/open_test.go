package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

func TestNewErrors(t *testing.T) {
	ctx := t.Context()
	if _, err := redisstore.New(ctx, nil, nil); err == nil {
		t.Error("New(nil client): nil error")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	if _, err := redisstore.New(ctx, c, &redisstore.Options{ScanCount: -1}); err == nil {
		t.Error("New with ScanCount -1: nil error")
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := redisstore.New(done, c, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("New with a done context: %v, want context.Canceled", err)
	}
	b, err := redisstore.New(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := redisstore.Prefix(b.Responses); got != "http_cache:responses:" {
		t.Errorf("default Responses prefix = %q, want http_cache:responses:", got)
	}
	if got := redisstore.Prefix(b.Redirects); got != "http_cache:redirects:" {
		t.Errorf("default Redirects prefix = %q, want http_cache:redirects:", got)
	}
}

// TestOpenOwnsClient checks that a Backend from Open closes its client when
// both its stores are closed, and not before.
func TestOpenOwnsClient(t *testing.T) {
	ctx := ctxT(t)
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
	b, err := redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{redisAddr(t)}}, &redisstore.Options{CacheName: name})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	client := redisstore.Client(b.Responses)
	if err := b.Responses.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatalf("Redirects.Write after Responses.Close: %v, want the shared client still open", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Ping(ctx).Err(); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("the store's own client after Backend.Close: Ping = %v, want redis.ErrClosed", err)
	}
}

func TestStorageOpenURL(t *testing.T) {
	if s := storage.Schemes(); !slices.Contains(s, "redis") || !slices.Contains(s, "rediss") {
		t.Fatalf("storage.Schemes() = %q, want redis and rediss registered", s)
	}
	ctx := ctxT(t)
	raw := singleClient(t)
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, raw, name) })
	b, err := storage.Open(ctx, "redis://"+redisAddr(t)+"/0?cache_name="+name)
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	defer b.Close()
	if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := raw.Get(ctx, name+":responses:k").Result(); err != nil || got != "v" {
		t.Fatalf("raw GET %s:responses:k = (%q, %v), want (\"v\", nil)", name, got, err)
	}
}

func TestStorageOpenClusterURL(t *testing.T) {
	addrs := clusterAddrs(t)
	ctx := ctxT(t)
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, clusterClient(t), name) })
	u := "redis://" + addrs[0] + "?cache_name=" + name
	for _, a := range addrs[1:] {
		u += "&addr=" + a
	}
	b, err := storage.Open(ctx, u)
	if err != nil {
		t.Fatalf("storage.Open(%s): %v", u, err)
	}
	defer b.Close()
	if _, ok := redisstore.Client(b.Responses).(*redis.ClusterClient); !ok {
		t.Fatalf("client of %s is a %T, want a *redis.ClusterClient", u, redisstore.Client(b.Responses))
	}
	var keys []string
	for i := range 20 {
		k := strings.Repeat("k", i+1)
		keys = append(keys, k)
		if err := b.Responses.Write(ctx, k, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != 20 {
		t.Fatalf("Size = (%d, %v), want (20, nil)", n, err)
	}
	if err := b.Responses.(storage.BulkDeleter).DeleteMany(ctx, keys[:15]); err != nil {
		t.Fatalf("DeleteMany across slots: %v", err)
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != 5 {
		t.Fatalf("Size after DeleteMany = (%d, %v), want (5, nil)", n, err)
	}
}

// TestOpenPicksCluster checks that Open makes a Cluster client for several
// addresses, and for one address with IsClusterMode, as the URL's addr= and
// cluster=true do.
func TestOpenPicksCluster(t *testing.T) {
	addrs := clusterAddrs(t)
	ctx := ctxT(t)
	for name, ropts := range map[string]*redis.UniversalOptions{
		"several addresses": {Addrs: addrs},
		"IsClusterMode":     {Addrs: addrs[:1], IsClusterMode: true},
	} {
		b, err := redisstore.Open(ctx, ropts, &redisstore.Options{CacheName: uniqueName()})
		if err != nil {
			t.Fatalf("%s: Open: %v", name, err)
		}
		if _, ok := redisstore.Client(b.Responses).(*redis.ClusterClient); !ok {
			t.Errorf("%s: client is a %T, want a *redis.ClusterClient", name, redisstore.Client(b.Responses))
		}
		_ = b.Close()
	}
}
