package redisstore_test

import (
	"testing"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
)

func TestTrustSingleNode(t *testing.T) {
	trusttest.Run(t, func(t *testing.T) *storage.Backend {
		return newBackend(t, singleClient(t), uniqueName())
	}, nil)
}

func TestTrustCluster(t *testing.T) {
	trusttest.Run(t, func(t *testing.T) *storage.Backend {
		return newBackend(t, clusterClient(t), uniqueName())
	}, nil)
}
