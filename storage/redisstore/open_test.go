package redisstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

func TestNewErrors(t *testing.T) {
	if _, err := redisstore.New(nil, nil); err == nil {
		t.Error("New(nil client): nil error")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := redisstore.New(c, &redisstore.Options{ScanCount: -1}); err == nil {
		t.Error("New with ScanCount -1: nil error")
	}
	b, err := redisstore.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Responses.(*redisstore.Store).Prefix(); got != "http_cache:responses:" {
		t.Errorf("default Responses prefix = %q, want http_cache:responses:", got)
	}
	if got := b.Redirects.(*redisstore.Store).Prefix(); got != "http_cache:redirects:" {
		t.Errorf("default Redirects prefix = %q, want http_cache:redirects:", got)
	}
}

// TestOpenOwnsClient checks that a Backend from Open closes its client when
// both its stores are closed, and not before.
func TestOpenOwnsClient(t *testing.T) {
	ctx := ctxT(t)
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
	b, err := redisstore.Open(ctx, &redis.Options{Addr: redisAddr(t)}, &redisstore.Options{CacheName: name})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	client := b.Responses.(*redisstore.Store).Client()
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
	if _, ok := b.Responses.(*redisstore.Store).Client().(*redis.ClusterClient); !ok {
		t.Fatalf("client of %s is a %T, want a *redis.ClusterClient", u, b.Responses.(*redisstore.Store).Client())
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
