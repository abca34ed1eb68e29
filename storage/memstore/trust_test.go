package memstore_test

import (
	"testing"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
)

func TestTrust(t *testing.T) {
	trusttest.Run(t, func(t *testing.T) *storage.Backend {
		b, err := memstore.Open(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, nil)
}
