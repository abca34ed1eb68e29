package mongostore_test

import (
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
)

func TestTrust(t *testing.T) {
	trusttest.Run(t, func(t *testing.T) *storage.Backend {
		c := testClient(t)
		b, err := mongostore.New(ctxFor(t, time.Minute), c, &mongostore.Options{CacheName: uniqueName(t, c), Logger: quietLogger(), Timeout: testTimeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}, nil)
}
