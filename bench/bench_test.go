package bench

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// Benchmark names are Benchmark<What>/cache=<contender>/size=<body size>,
// the form cmd/ratios reads.

// BenchmarkHit measures a cache hit: the lookup, decoding the stored entry,
// building the *http.Response and draining its body. The origin is never
// reached.
func BenchmarkHit(b *testing.B) {
	each(b, true, func(b *testing.B, c contender, size int) {
		o := newOrigin(b, size)
		inst := c.openOrSkip(b, o.transport())
		req := newRequest(b, o.URL+"/items/42?page=2&sort=name")
		warm(b, inst, req)
		before := o.requests.Load()
		b.ReportAllocs()
		for b.Loop() {
			roundTrip(b, inst.rt, req)
		}
		b.StopTimer()
		if n := o.requests.Load() - before; n != 0 {
			b.Fatalf("%d of the hits reached the origin", n)
		}
	})
}

// BenchmarkMissStore measures a miss that is stored: each iteration asks for
// a URL never asked before (a new query parameter), the origin answers, the
// body is read to its end and the cache stores the entry, which both caches
// do synchronously when the body reaches EOF. Every so many iterations the
// store is emptied, outside the timer, to bound its size.
//
// cache=no-cache is the floor: the same requests through the origin's plain
// transport, no cache at all.
func BenchmarkMissStore(b *testing.B) {
	run := func(b *testing.B, size int, inst *instance, o *origin) {
		tmpl := newRequest(b, o.URL+"/items/42")
		// Check once, outside the timer, that a miss is stored.
		resp := roundTrip(b, inst.rt, withQuery(tmpl, "n=check"))
		if inst.read != nil {
			if _, err := inst.read(context.Background(), inst.key(resp)); err != nil {
				b.Fatalf("a miss was not stored: %v", err)
			}
		}
		every := max(1, (16<<20)/size) // reset after about 16 MB of entries
		before := o.requests.Load()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			roundTrip(b, inst.rt, withQuery(tmpl, "n="+strconv.Itoa(n)))
			if n%every == 0 && inst.reset != nil {
				b.StopTimer()
				inst.reset(b)
				b.StartTimer()
			}
		}
		b.StopTimer()
		if got := o.requests.Load() - before; got != int64(n) {
			b.Fatalf("%d iterations reached the origin %d times: not every one was a miss", n, got)
		}
	}
	b.Run("cache=no-cache", func(b *testing.B) {
		for _, size := range sizes {
			b.Run("size="+sizeName(size), func(b *testing.B) {
				o := newOrigin(b, size)
				run(b, size, &instance{rt: o.transport()}, o)
			})
		}
	})
	each(b, true, func(b *testing.B, c contender, size int) {
		o := newOrigin(b, size)
		run(b, size, c.openOrSkip(b, o.transport()), o)
	})
}

// BenchmarkRawRead measures the store's own read of the entry a hit decodes:
// Storage.Read of its key (for gregjones/httpcache, Cache.Get of the URL),
// no HTTP. A hit should cost about this plus the memstore hit's work.
func BenchmarkRawRead(b *testing.B) {
	each(b, false, func(b *testing.B, c contender, size int) {
		o := newOrigin(b, size)
		inst := c.openOrSkip(b, o.transport())
		req := newRequest(b, o.URL+"/items/42?page=2&sort=name")
		key := warm(b, inst, req)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			v, err := inst.read(ctx, key)
			if err != nil || len(v) < size {
				b.Fatalf("read %d bytes, want at least %d: %v", len(v), size, err)
			}
		}
	})
}

// each runs f for every contender at every size, as sub-benchmarks
// cache=NAME/size=SIZE; for the hitMissOnly ones only with variants.
func each(b *testing.B, variants bool, f func(b *testing.B, c contender, size int)) {
	for _, c := range contenders {
		if c.hitMissOnly && !variants {
			continue
		}
		b.Run("cache="+c.name, func(b *testing.B) {
			for _, size := range sizes {
				b.Run("size="+sizeName(size), func(b *testing.B) { f(b, c, size) })
			}
		})
	}
}

// warm stores the response to req and checks that the next request is a hit.
// It returns the store key of the entry.
func warm(tb testing.TB, inst *instance, req *http.Request) string {
	tb.Helper()
	if resp := roundTrip(tb, inst.rt, req); inst.fromCache(resp) {
		tb.Fatal("the first request was served from the cache")
	}
	resp := roundTrip(tb, inst.rt, req)
	if !inst.fromCache(resp) {
		tb.Fatal("the second request was not served from the cache")
	}
	return inst.key(resp)
}
