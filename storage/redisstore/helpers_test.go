package redisstore_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// redisAddr returns $REDIS_ADDR, or skips the test when it is unset.
func redisAddr(t *testing.T) string {
	t.Helper()
	a := os.Getenv("REDIS_ADDR")
	if a == "" {
		t.Skip("REDIS_ADDR is unset: set it to a Redis server's host:port (eval \"$(scripts/services env)\")")
	}
	return a
}

// clusterAddrs returns $REDIS_CLUSTER_ADDRS split at commas, or skips the
// test when it is unset.
func clusterAddrs(t *testing.T) []string {
	t.Helper()
	a := os.Getenv("REDIS_CLUSTER_ADDRS")
	if a == "" {
		t.Skip("REDIS_CLUSTER_ADDRS is unset: set it to a Redis Cluster's host:port list, comma-separated (eval \"$(scripts/services env)\")")
	}
	return strings.Split(a, ",")
}

// singleClient returns a client of the server at $REDIS_ADDR, closed when
// the test ends.
func singleClient(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: redisAddr(t), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// clusterClient returns a client of the Cluster at $REDIS_CLUSTER_ADDRS,
// closed when the test ends.
func clusterClient(t *testing.T) *redis.ClusterClient {
	t.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(t), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// uniqueName returns a cache_name no other test (nor another run against the
// same server) uses.
func uniqueName() string {
	return "cctest-" + strings.ToLower(rand.Text()[:12])
}

// testTimeout is the Backend.Timeout of the tests' Backends that a Session
// uses: generous, since the tests run under the race detector on machines
// doing much else, and they test what the store does, not how fast.
const testTimeout = 10 * time.Second

// newBackend returns a Backend on client in a fresh namespace that is
// cleared when the test ends.
func newBackend(t *testing.T, client redis.UniversalClient, name string) *storage.Backend {
	t.Helper()
	b, err := redisstore.New(t.Context(), client, &redisstore.Options{CacheName: name, Timeout: testTimeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { clearNamespace(t, client, name) })
	return b
}

// clearNamespace deletes what a test left under name, through a Backend of
// its own (the test's may be closed by then).
func clearNamespace(t *testing.T, client redis.UniversalClient, name string) {
	t.Helper()
	b, err := redisstore.New(context.Background(), client, &redisstore.Options{CacheName: name})
	if err != nil {
		t.Errorf("cleanup: New: %v", err)
		return
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range []storage.Storage{b.Responses, b.Redirects} {
		if err := s.Clear(ctx); err != nil {
			t.Errorf("cleanup: Clear: %v", err)
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
