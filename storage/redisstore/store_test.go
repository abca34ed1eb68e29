package redisstore_test

import (
	"testing"

	"github.com/clientcache/clientcache/storage"
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
