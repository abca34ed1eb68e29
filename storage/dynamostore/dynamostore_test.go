package dynamostore_test

import (
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// TestConformance runs the storage conformance suite against each server,
// on a fresh table per subtest: the responses namespace in even subtests,
// the redirects namespace in odd ones.
func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		client := testClient(endpointOrSkip(t, env))
		n := 0
		storagetest.Run(t, func(t *testing.T) storage.Storage {
			name := uniqueTable(t, client)
			b, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{CacheName: name, Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			n++
			if n%2 == 0 {
				_ = b.Responses.Close()
				return b.Redirects
			}
			_ = b.Redirects.Close()
			return b.Responses
		})
	})
}
