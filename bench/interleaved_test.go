package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkInterleaved measures, for every contender but memstore, the three
// operations the acceptance ratios compare, in turn within each iteration:
// the contender's hit, its raw store read of the same entry, and a memstore
// hit. Each is timed on its own and reported as hit-ns/op, raw-ns/op and
// memhit-ns/op. On a shared, noisy machine the separate benchmarks run
// seconds apart and see different loads; here the three see the same load,
// microseconds apart, so their ratios hold even when absolute times swing.
// They also share one heap: a contender that allocates more makes the
// garbage collector run during the others' turns too, so this measure
// understates the gap between a lean and a heavy allocator. cmd/ratios
// therefore checks the targets on the separate benchmarks and shows these
// as a cross-check.
// Each operation runs batch times in a row, so that it runs with warm CPU
// caches as in its separate benchmark rather than after the others evicted
// its data; the order of the three batches rotates every iteration so that
// none always runs first.
func BenchmarkInterleaved(b *testing.B) {
	const batch = 16
	var mem contender
	for _, c := range contenders {
		if c.name == "memstore" {
			mem = c
		}
	}
	for _, c := range contenders {
		if c.name == "memstore" || c.hitMissOnly {
			continue
		}
		b.Run("cache="+c.name, func(b *testing.B) {
			for _, size := range sizes {
				b.Run("size="+sizeName(size), func(b *testing.B) {
					o := newOrigin(b, size)
					inst := c.openOrSkip(b, o.transport())
					memInst := mem.openOrSkip(b, o.transport())
					req := newRequest(b, o.URL+"/items/42?page=2&sort=name")
					key := warm(b, inst, req)
					warm(b, memInst, req)
					ctx := context.Background()
					ops := [3]func(){
						func() { roundTrip(b, inst.rt, req) },
						func() {
							if v, err := inst.read(ctx, key); err != nil || len(v) < size {
								b.Fatalf("read %d bytes, want at least %d: %v", len(v), size, err)
							}
						},
						func() { roundTrip(b, memInst.rt, req) },
					}
					var spent [3]time.Duration
					before := o.requests.Load()
					n := 0
					for b.Loop() {
						for j := range 3 {
							k := (n + j) % 3
							start := time.Now()
							for range batch {
								ops[k]()
							}
							spent[k] += time.Since(start)
						}
						n++
					}
					n *= batch
					b.StopTimer()
					if got := o.requests.Load() - before; got != 0 {
						b.Fatalf("%d of the hits reached the origin", got)
					}
					for i, unit := range [3]string{"hit-ns/op", "raw-ns/op", "memhit-ns/op"} {
						b.ReportMetric(float64(spent[i].Nanoseconds())/float64(n), unit)
					}
				})
			}
		})
	}
}
