package redisstore_test

import (
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/clientcache/clientcache/storage/storagetest"
	"github.com/redis/go-redis/v9"
)

func runSuite(t *testing.T, client redis.UniversalClient, pick func(*storage.Backend) storage.Storage) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		return pick(newBackend(t, client, uniqueName()))
	})
}

func responses(b *storage.Backend) storage.Storage { return b.Responses }
func redirects(b *storage.Backend) storage.Storage { return b.Redirects }

func TestConformanceSingleNode(t *testing.T) {
	c := singleClient(t)
	t.Run("Responses", func(t *testing.T) { runSuite(t, c, responses) })
	t.Run("Redirects", func(t *testing.T) { runSuite(t, c, redirects) })
}

func TestConformanceCluster(t *testing.T) {
	runSuite(t, clusterClient(t), responses)
}

// cacheName returns the cache_name of a Backend of this package.
func cacheName(b *storage.Backend) string {
	return strings.TrimSuffix(redisstore.Prefix(b.Responses), ":responses:")
}

// runBackendSuite runs the Backend specification on Backends that New makes
// around client, the caller's, which Close must leave open.
func runBackendSuite(t *testing.T, client redis.UniversalClient) {
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
		return newBackend(t, client, uniqueName())
	}, &storagetest.BackendOptions{
		Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend {
			b2, err := redisstore.New(t.Context(), client, &redisstore.Options{CacheName: cacheName(b)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return b2
		},
		ClientStillWorks: func(t *testing.T, _ *storage.Backend) error { return client.Ping(t.Context()).Err() },
	})
}

func TestBackendSingleNode(t *testing.T) { runBackendSuite(t, singleClient(t)) }
func TestBackendCluster(t *testing.T)    { runBackendSuite(t, clusterClient(t)) }

// TestBackendOpen runs the Backend specification on Backends that Open
// makes: the two storages share the client Open made, which closes with the
// second of them.
func TestBackendOpen(t *testing.T) {
	addr := redisAddr(t)
	raw := singleClient(t)
	open := func(t *testing.T, name string) *storage.Backend {
		t.Helper()
		b, err := redisstore.Open(t.Context(), &redis.UniversalOptions{Addrs: []string{addr}}, &redisstore.Options{CacheName: name})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return b
	}
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
		name := uniqueName()
		t.Cleanup(func() { clearNamespace(t, raw, name) })
		return open(t, name)
	}, &storagetest.BackendOptions{
		Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, cacheName(b)) },
	})
}
