package sqlitestore

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// The cost of a budget on the hit path and on writes, against the same store
// without one (the numbers are in the package doc, "Budget"):
//
//	go test -run '^$' -bench 'Budget' -benchmem -count 8

// budgetCases are the stores compared: no budget, and a budget too large for
// the benchmark to reach (reads then take the budgeted path, and writes check
// the budget, but nothing is evicted).
var budgetCases = []struct {
	name string
	opts *Options
}{
	{"nobudget", nil},
	{"budget", &Options{MaxBytes: 1 << 40, MaxEntries: 1 << 30}},
}

// benchCheckpoint copies be's WAL into its database file and empties it, so that
// the stores compared read alike: a page in the WAL is found through its
// index, and stores with a budget write more pages.
func benchCheckpoint(b *testing.B, be *storage.Backend) {
	var busy, frames, done int
	if err := be.Responses.(*store).h.db.QueryRowContext(b.Context(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		b.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
}

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%064x", i)
	}
	return keys
}

// BenchmarkBudgetRead is the hit path: reads by key of 200 stored values,
// after one read of each (which, with a budget, counts each as used once;
// the benchmark then measures reads that count as nothing new, the common
// case) and a checkpoint.
func BenchmarkBudgetRead(b *testing.B) {
	for _, size := range []int{2 << 10, 100 << 10} {
		for _, bc := range budgetCases {
			b.Run(fmt.Sprintf("%dKB/%s", size>>10, bc.name), func(b *testing.B) {
				ctx := b.Context() // cancellable, as a request's context is
				be, _ := openTemp(b, bc.opts)
				v := bytes.Repeat([]byte{'x'}, size)
				keys := benchKeys(200)
				for _, k := range keys {
					if err := be.Responses.Write(ctx, k, v); err != nil {
						b.Fatal(err)
					}
				}
				for _, k := range keys {
					if _, err := be.Responses.Read(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
				benchCheckpoint(b, be)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					got, err := be.Responses.Read(ctx, keys[i%len(keys)])
					if err != nil || len(got) != size {
						b.Fatalf("Read = (%d bytes, %v)", len(got), err)
					}
				}
			})
		}
	}
}

// BenchmarkBudgetWrite is writes of 2 KB values: "overwrite" replaces one of
// 200 values with a different one (a budget that is never reached), "insert"
// writes a new key each time into a store of 1000 values (with a budget of
// 1000 entries, every write evicts the least recently used value; without
// one, the table grows).
func BenchmarkBudgetWrite(b *testing.B) {
	const size = 2 << 10
	v := bytes.Repeat([]byte{'x'}, size)
	for _, bc := range budgetCases {
		b.Run("overwrite/"+bc.name, func(b *testing.B) {
			ctx := b.Context()
			be, _ := openTemp(b, bc.opts)
			keys := benchKeys(200)
			b.SetBytes(size)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				v[0], v[1] = byte(i), byte(i>>8) // SQLite writes nothing for an identical value
				if err := be.Responses.Write(ctx, keys[i%len(keys)], v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, bc := range budgetCases {
		opts := bc.opts
		if opts != nil {
			opts = &Options{MaxEntries: 1000}
		}
		b.Run("insert/"+bc.name, func(b *testing.B) {
			ctx := b.Context()
			be, _ := openTemp(b, opts)
			for _, k := range benchKeys(1000) {
				if err := be.Responses.Write(ctx, "old"+k, v); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := be.Responses.Write(ctx, fmt.Sprintf("%064x", i), v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBudgetInterleaved compares the sides of each question in turn,
// in blocks of 16 operations timed apart and in alternating order, so that
// they see the same load on a noisy machine; the ratios in the package doc
// and docs/BENCHMARKS.md come from it. On 1000 entries of 2 KB:
//
//   - reads (hits) on a store without a budget and on one with a budget
//     that all entries fit: read-none-ns/op, read-budget-ns/op, read-ratio;
//     the same with 1000 entries of 100 KB: read100k-none-ns/op,
//     read100k-budget-ns/op, read100k-ratio;
//   - writes of new entries on a store with a budget of 1000 entries (each
//     write evicts the least recently used), on one without a budget (each
//     write followed by a Delete of the oldest entry, by hand), and on one
//     without a budget in a file without auto-vacuum (a file of an earlier
//     version: what the new default of incremental auto-vacuum costs):
//     write-budget-ns/op, write-none-ns/op, write-noautovacuum-ns/op,
//     write-ratio (budget/none), autovacuum-ratio (none/noautovacuum).
func BenchmarkBudgetInterleaved(b *testing.B) {
	ctx := b.Context()
	const (
		entries = 1000
		block   = 16
	)
	value := bytes.Repeat([]byte{'x'}, 2<<10)
	big := bytes.Repeat([]byte{'x'}, 100<<10)
	keys := benchKeys(entries)
	open := func(name string, opts *Options, value []byte) storage.Storage {
		be, err := Open(ctx, name, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = be.Close() })
		for _, k := range keys {
			if err := be.Responses.Write(ctx, k, value); err != nil {
				b.Fatal(err)
			}
		}
		for _, k := range keys { // counts each as used once, as a warm cache has
			if _, err := be.Responses.Read(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
		benchCheckpoint(b, be)
		return be.Responses
	}
	dir := b.TempDir()
	type side struct {
		name string
		s    storage.Storage
		op   func(s storage.Storage, i int) error
		ns   time.Duration
		n    int
	}
	read := func(s storage.Storage, i int) error {
		_, err := s.Read(ctx, keys[i%entries])
		return err
	}
	// write writes entry i, and, unless the store evicts, deletes entry
	// i-entries: the store keeps 1000 entries either way.
	write := func(evicts bool) func(s storage.Storage, i int) error {
		return func(s storage.Storage, i int) error {
			value[0], value[1] = byte(i), byte(i>>8)
			if err := s.Write(ctx, fmt.Sprintf("%064x", entries+i), value); err != nil || evicts {
				return err
			}
			return s.Delete(ctx, fmt.Sprintf("%064x", i))
		}
	}
	reads := []*side{
		{name: "read-none", s: open(filepath.Join(dir, "r0.sqlite"), nil, value), op: read},
		{name: "read-budget", s: open(filepath.Join(dir, "r1.sqlite"), &Options{MaxBytes: 1 << 40}, value), op: read},
	}
	bigReads := []*side{
		{name: "read100k-none", s: open(filepath.Join(dir, "b0.sqlite"), nil, big), op: read},
		{name: "read100k-budget", s: open(filepath.Join(dir, "b1.sqlite"), &Options{MaxBytes: 1 << 40}, big), op: read},
	}
	writes := []*side{
		{name: "write-noautovacuum", s: open("file:"+filepath.Join(dir, "w0.sqlite")+"?_pragma=auto_vacuum(none)", nil, value), op: write(false)},
		{name: "write-none", s: open(filepath.Join(dir, "w1.sqlite"), nil, value), op: write(false)},
		{name: "write-budget", s: open(filepath.Join(dir, "w2.sqlite"), &Options{MaxEntries: entries}, value), op: write(true)},
	}
	next := map[*side]int{}
	round := 0
	for b.Loop() {
		for _, sides := range [][]*side{reads, bigReads, writes} {
			for j := range sides {
				sd := sides[(j+round)%len(sides)] // each side goes first in turn
				start := time.Now()
				for range block {
					if err := sd.op(sd.s, next[sd]); err != nil {
						b.Fatal(err)
					}
					next[sd]++
				}
				sd.ns += time.Since(start)
				sd.n += block
			}
		}
		round++
	}
	per := map[string]float64{}
	for _, sd := range slices.Concat(reads, bigReads, writes) {
		per[sd.name] = float64(sd.ns.Nanoseconds()) / float64(sd.n)
		b.ReportMetric(per[sd.name], sd.name+"-ns/op")
	}
	b.ReportMetric(per["read-budget"]/per["read-none"], "read-ratio")
	b.ReportMetric(per["read100k-budget"]/per["read100k-none"], "read100k-ratio")
	b.ReportMetric(per["write-budget"]/per["write-none"], "write-ratio")
	b.ReportMetric(per["write-none"]/per["write-noautovacuum"], "autovacuum-ratio")
}
