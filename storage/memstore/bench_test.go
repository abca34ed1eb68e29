package memstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientcache/clientcache/storage/memstore"
)

// BenchmarkReadHit measures the hot path of a cache hit: a lookup and one
// copy of a typical 2 KiB entry, from many goroutines at once.
func BenchmarkReadHit(b *testing.B) {
	for name, opts := range map[string]*memstore.Options{
		"unbudgeted": nil,
		"budgeted":   {MaxEntries: 1 << 20},
	} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s := open(b, opts)
			value := make([]byte, 2048)
			keys := make([]string, 1024)
			for i := range keys {
				keys[i] = fmt.Sprintf("%064x", i)
				if err := s.Write(ctx, keys[i], value); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.Read(ctx, keys[i%len(keys)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}
