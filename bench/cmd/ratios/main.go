// Command ratios reads the output of the bench module's benchmarks
// (`go test -bench . -benchmem`, any -count, several runs concatenated) and
// prints, in Markdown, the median of every measurement and the acceptance
// ratios of docs/BENCHMARKS.md next to their targets:
//
//   - a memstore hit is at least 3× faster than gregjones/httpcache's
//     MemoryCache hit;
//   - a hit through a store costs at most 1.5× (that store's raw read of the
//     same entry + a memstore hit);
//   - a miss+store allocates at most 2.5× the body size, counting the bytes
//     allocated above the no-cache floor (a plain round trip to the
//     in-process origin); the gross figure is shown too.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 5 > bench.txt
//	go run ./cmd/ratios < bench.txt
//
// With -strict it exits with status 1 when a target is missed. It only reads
// numbers; it never runs a benchmark.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
)

func main() {
	strict := flag.Bool("strict", false, "exit with status 1 when a ratio misses its target")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/ratios [-strict] < bench.txt")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "ratios: no benchmark results on standard input (lines like BenchmarkHit/cache=memstore/size=2KB-2 ...)")
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	missed := report(w, res)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
	if *strict && missed > 0 {
		os.Exit(1)
	}
}
