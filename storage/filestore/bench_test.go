package filestore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/filestore"
)

// BenchmarkReadHit measures a cache hit's read of a typical 2 KiB entry.
func BenchmarkReadHit(b *testing.B) {
	ctx := context.Background()
	be, err := filestore.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := be.Responses
	value := make([]byte, 2048)
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = fmt.Sprintf("%064x", i)
		if err := s.Write(ctx, keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Read(ctx, keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWrite measures an atomic write of a typical 2 KiB entry.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	be, err := filestore.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := be.Responses
	value := make([]byte, 2048)
	i := 0
	for b.Loop() {
		if err := s.Write(ctx, fmt.Sprintf("%064x", i%256), value); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// The budget's benchmarks: the same operations on a store without a budget
// and with one, on 1024 entries of 2 KiB (2 MiB, well within the 10 MiB
// budget unless said otherwise). Sub-benchmarks run one after the other;
// BenchmarkBudgetInterleaved takes both sides in turn, which is what the
// ratios in docs/BENCHMARKS.md are computed from.

const (
	benchEntries   = 1024
	benchValueSize = 2048
	benchBudget    = 10 << 20
)

func benchKey(i int) string { return fmt.Sprintf("%064x", i) }

// openBench opens a store in a temporary directory and fills it with
// benchEntries entries.
func openBench(b *testing.B, opts *filestore.Options) storage.Storage {
	b.Helper()
	ctx := context.Background()
	be, err := filestore.Open(ctx, b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	value := make([]byte, benchValueSize)
	for i := range benchEntries {
		if err := be.Responses.Write(ctx, benchKey(i), value); err != nil {
			b.Fatal(err)
		}
	}
	return be.Responses
}

// BenchmarkBudgetRead measures a hit's read without a budget, with one (a
// read moves its entry in the index; a file's time is set at most once a
// minute), and with one whose reads set the file's time every time (what
// touching at most once a minute saves).
func BenchmarkBudgetRead(b *testing.B) {
	for _, bc := range []struct {
		name  string
		opts  *filestore.Options
		touch time.Duration
	}{
		{"budget=none", nil, time.Minute},
		{"budget=10MiB", &filestore.Options{MaxBytes: benchBudget}, time.Minute},
		{"budget=10MiB,touch=every-read", &filestore.Options{MaxBytes: benchBudget}, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			defer filestore.SetTouchEvery(filestore.SetTouchEvery(bc.touch))
			s := openBench(b, bc.opts)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.Read(ctx, benchKey(i%benchEntries)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkBudgetWrite measures writes: overwriting the entries in turn
// without a budget and with one they all fit in (no eviction); and writing
// a new entry each time, which with MaxEntries of 1024 evicts one, next to
// the same file system work by hand without a budget (a Write and a Delete).
func BenchmarkBudgetWrite(b *testing.B) {
	for _, bc := range []struct {
		name   string
		opts   *filestore.Options
		fresh  bool // a new key each time
		delete bool // and Delete the key written benchEntries writes before
	}{
		{"budget=none,overwrite", nil, false, false},
		{"budget=10MiB,overwrite", &filestore.Options{MaxBytes: benchBudget}, false, false},
		{"budget=none,new+delete", nil, true, true},
		{"budget=1024entries,new+evict", &filestore.Options{MaxEntries: benchEntries}, true, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := openBench(b, bc.opts)
			ctx := context.Background()
			value := make([]byte, benchValueSize)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := i % benchEntries
				if bc.fresh {
					k = benchEntries + i
				}
				if err := s.Write(ctx, benchKey(k), value); err != nil {
					b.Fatal(err)
				}
				if bc.delete {
					if err := s.Delete(ctx, benchKey(k-benchEntries)); err != nil {
						b.Fatal(err)
					}
				}
				i++
			}
		})
	}
}

// BenchmarkBudgetInterleaved takes reads on a store without a budget and on
// one with (10 MiB, all entries fitting), and writes of new entries on
// another store without a budget (each Write followed by the Delete of the
// oldest entry, by hand) and one with a budget of 1024 entries (each Write
// evicting the least recently used), in turn, in blocks of 16 operations
// timed apart, so that the two sides of each comparison see the same load on
// a noisy machine, and in both orders. It reports each side's time per operation and their
// ratios as metrics: none-read-ns/op, budget-read-ns/op, read-ratio,
// none-write-ns/op, budget-write-ns/op, write-ratio.
func BenchmarkBudgetInterleaved(b *testing.B) {
	ctx := context.Background()
	stores := [2][2]storage.Storage{ // [read, write][none, budget]
		{openBench(b, nil), openBench(b, &filestore.Options{MaxBytes: benchBudget})},
		{openBench(b, nil), openBench(b, &filestore.Options{MaxEntries: benchEntries})},
	}
	value := make([]byte, benchValueSize)
	const block = 16
	var (
		spent [2][2]time.Duration
		ops   [2][2]int
		next  [2]int // the next new key of each writing store
	)
	i := 0
	for b.Loop() {
		if i%block == 0 {
			// Turns go read, read, write, write; which side goes first
			// alternates from one round of four to the next, so that
			// neither always follows the other's writes.
			turn := i / block
			op, which := (turn/2)%2, (turn%2)^((turn/4)%2)
			s := stores[op][which]
			start := time.Now()
			for j := range block {
				var err error
				if op == 0 {
					_, err = s.Read(ctx, benchKey((i+j)%benchEntries))
				} else {
					k := benchEntries + next[which]
					next[which]++
					if err = s.Write(ctx, benchKey(k), value); err == nil && which == 0 {
						err = s.Delete(ctx, benchKey(k-benchEntries))
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			spent[op][which] += time.Since(start)
			ops[op][which] += block
		}
		i++
	}
	per := func(op, which int) float64 {
		if ops[op][which] == 0 {
			return 0
		}
		return float64(spent[op][which].Nanoseconds()) / float64(ops[op][which])
	}
	b.ReportMetric(per(0, 0), "none-read-ns/op")
	b.ReportMetric(per(0, 1), "budget-read-ns/op")
	b.ReportMetric(per(1, 0), "none-write-ns/op")
	b.ReportMetric(per(1, 1), "budget-write-ns/op")
	if per(0, 0) > 0 && per(1, 0) > 0 {
		b.ReportMetric(per(0, 1)/per(0, 0), "read-ratio")
		b.ReportMetric(per(1, 1)/per(1, 0), "write-ratio")
	}
}
