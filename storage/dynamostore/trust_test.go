package dynamostore_test

import (
	"testing"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
)

func TestTrust(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		trusttest.Run(t, func(t *testing.T) *storage.Backend {
			b, _, _ := openBackend(t, env, nil)
			return b
		}, nil)
	})
}
