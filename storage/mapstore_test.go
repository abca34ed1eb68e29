package storage_test

import (
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// TestMapStoreConforms proves the store of Example_customStore
// (example_test.go) with the conformance suite.
func TestMapStoreConforms(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage { return newMapStore() })
}
