package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/clientcache/clientcache/storage"
)

// TestContenders checks, once per contender, what the benchmarks rely on: a
// first request is a miss that gets stored, the next is a hit that never
// reaches the origin, the raw read finds the entry under the key the
// benchmarks use, and reset empties the store. It asserts no timing.
func TestContenders(t *testing.T) {
	for _, c := range contenders {
		t.Run(c.name, func(t *testing.T) {
			for _, size := range sizes {
				t.Run(sizeName(size), func(t *testing.T) {
					o := newOrigin(t, size)
					inst := c.openOrSkip(t, o.transport())
					ctx := context.Background()
					req := newRequest(t, o.URL+"/items/42?page=2")
					key := warm(t, inst, req)
					if n := o.requests.Load(); n != 1 {
						t.Fatalf("origin reached %d times for a miss and a hit, want 1", n)
					}
					v, err := inst.read(ctx, key)
					if err != nil {
						t.Fatalf("raw read of %q: %v", key, err)
					}
					if len(v) < size {
						t.Fatalf("raw read returned %d bytes, less than the %d-byte body", len(v), size)
					}

					miss := roundTrip(t, inst.rt, withQuery(req, "page=3"))
					if inst.fromCache(miss) {
						t.Fatal("a request for a new URL was served from the cache")
					}
					if _, err := inst.read(ctx, inst.key(miss)); err != nil {
						t.Fatalf("the miss was not stored when its body ended: %v", err)
					}

					inst.reset(t)
					if _, err := inst.read(ctx, key); !errors.Is(err, storage.ErrNotFound) {
						t.Fatalf("after reset, raw read: %v, want ErrNotFound", err)
					}
					if resp := roundTrip(t, inst.rt, req); inst.fromCache(resp) {
						t.Fatal("after reset, a request was served from the cache")
					}
				})
			}
		})
	}
}
