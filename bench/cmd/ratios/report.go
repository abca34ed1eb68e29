package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The benchmarks' operations, in the order the tables show them.
var ops = []struct{ name, title string }{
	{"Hit", "Hit"},
	{"MissStore", "Miss+store"},
	{"RawRead", "Raw store read"},
}

// cacheOrder is the order of the rows; caches not listed follow, sorted.
var cacheOrder = []string{
	"no-cache", "memstore", "memstore-cachecontrol", "filestore", "sqlitestore", "redisstore", "mongostore", "dynamostore",
	"gregjones-memory", "gregjones-disk",
}

// The targets of the acceptance criteria.
const (
	hitSpeedup    = 3.0 // memstore hit vs gregjones MemoryCache hit: at least
	hitOverhead   = 1.5 // store hit / (raw read + memstore hit): at most
	missAllocBody = 2.5 // miss+store B/op / body size: at most
)

// overheadStores are the stores whose hit is held to hitOverhead.
var overheadStores = []string{"filestore", "sqlitestore", "redisstore", "mongostore", "dynamostore"}

// report writes the tables and the ratios and returns how many ratios missed
// their target.
func report(w io.Writer, res results) int {
	caches, sizes := axes(res)
	runs := 0
	for _, s := range res {
		runs = max(runs, len(s["ns/op"]))
	}
	fmt.Fprintf(w, "Medians of %d run(s); ± is the largest distance of a run from the median.\n", runs)
	for _, op := range ops {
		table(w, res, caches, sizes, op.title, op.name, []column{{"ns/op", "time/op", true}, {"B/op", "B/op", false}, {"allocs/op", "allocs/op", false}})
	}
	table(w, res, caches, sizes, "Interleaved: hit, raw read and memstore hit taken in turn", "Interleaved",
		[]column{{"hit-ns/op", "hit", true}, {"raw-ns/op", "raw read", true}, {"memhit-ns/op", "memstore hit", true}})

	fmt.Fprint(w, "\n### Ratios against the acceptance targets\n\n")
	fmt.Fprintln(w, "Time ratios are checked on the separate benchmarks' medians; the same ratios from the")
	fmt.Fprintln(w, "interleaved measurements (same load, shared GC) are shown as a cross-check. Allocation")
	fmt.Fprintln(w, "ratios are exact.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| ratio | size | median | range over runs | target | result |")
	fmt.Fprintln(w, "|---|---|--:|--:|---|---|")
	missed := 0
	row := func(name, size string, r ratio, target string, ok func(float64) bool) {
		if !r.ok {
			return
		}
		result := "(reference)"
		if ok != nil {
			result = "met"
			if !ok(r.median) {
				result = "**missed**"
				missed++
			}
		}
		fmt.Fprintf(w, "| %s | %s | %.2f | %s | %s | %s |\n", name, size, r.median, r.rangeText(), target, result)
	}
	atLeast := func(t float64) func(float64) bool { return func(v float64) bool { return v >= t } }
	atMost := func(t float64) func(float64) bool { return func(v float64) bool { return v <= t } }
	div := func(v map[string]float64) float64 { return v["a"] / v["b"] }
	overhead := func(v map[string]float64) float64 { return v["h"] / (v["r"] + v["m"]) }

	for _, size := range sizes {
		row("gregjones MemoryCache hit ÷ memstore hit", size, combine(res, div,
			term{"a", id{"Hit", "gregjones-memory", size}, "ns/op"},
			term{"b", id{"Hit", "memstore", size}, "ns/op"}),
			fmt.Sprintf("≥ %g", hitSpeedup), atLeast(hitSpeedup))
		row("gregjones MemoryCache hit ÷ memstore hit (interleaved)", size, combine(res, div,
			term{"a", id{"Interleaved", "gregjones-memory", size}, "hit-ns/op"},
			term{"b", id{"Interleaved", "gregjones-memory", size}, "memhit-ns/op"}),
			"–", nil)
	}
	for _, c := range overheadStores {
		for _, size := range sizes {
			row(c+" hit ÷ (raw read + memstore hit)", size, combine(res, overhead,
				term{"h", id{"Hit", c, size}, "ns/op"},
				term{"r", id{"RawRead", c, size}, "ns/op"},
				term{"m", id{"Hit", "memstore", size}, "ns/op"}),
				fmt.Sprintf("≤ %g", hitOverhead), atMost(hitOverhead))
			row(c+" hit ÷ (raw read + memstore hit) (interleaved)", size, combine(res, overhead,
				term{"h", id{"Interleaved", c, size}, "hit-ns/op"},
				term{"r", id{"Interleaved", c, size}, "raw-ns/op"},
				term{"m", id{"Interleaved", c, size}, "memhit-ns/op"}),
				"–", nil)
		}
	}
	for _, c := range caches {
		if c == "no-cache" {
			continue
		}
		var check func(float64) bool
		target := "–"
		if !strings.HasPrefix(c, "gregjones") {
			check, target = atMost(missAllocBody), fmt.Sprintf("≤ %g", missAllocBody)
		}
		for _, size := range sizes {
			body, err := sizeBytes(size)
			if err != nil {
				continue
			}
			// The target applies to what the cache allocates: the B/op
			// above the no-cache floor, which holds the plain round trip's
			// allocations and the in-process origin's.
			r := combine(res, func(v map[string]float64) float64 { return (v["b"] - v["f"]) / float64(body) },
				term{"b", id{"MissStore", c, size}, "B/op"},
				term{"f", id{"MissStore", "no-cache", size}, "B/op"})
			row(c+" miss+store B/op above no-cache ÷ body", size, r, target, check)
			r = combine(res, func(v map[string]float64) float64 { return v["b"] / float64(body) },
				term{"b", id{"MissStore", c, size}, "B/op"})
			row(c+" miss+store B/op ÷ body", size, r, "–", nil)
		}
	}
	if missed > 0 {
		fmt.Fprintf(w, "\n%d ratio(s) missed the target.\n", missed)
	} else {
		fmt.Fprintln(w, "\nEvery ratio measured met its target.")
	}
	return missed
}

// column is one unit a table shows for each size.
type column struct {
	unit, title string
	time        bool // format as a duration, with its spread
}

// table writes the medians of benchmark op, one row per cache, one group of
// columns per size. It writes nothing when op has no results.
func table(w io.Writer, res results, caches, sizes []string, title, op string, cols []column) {
	var rows []string
	for _, c := range caches {
		present := false
		for _, size := range sizes {
			if res[id{op, c, size}] != nil {
				present = true
			}
		}
		if present {
			rows = append(rows, c)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### %s\n\n| cache |", title)
	for _, size := range sizes {
		for _, col := range cols {
			fmt.Fprintf(w, " %s %s |", size, col.title)
		}
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("--:|", len(cols)*len(sizes)))
	for _, c := range rows {
		fmt.Fprintf(w, "| %s |", c)
		for _, size := range sizes {
			s := res[id{op, c, size}]
			for _, col := range cols {
				m, ok := median(s[col.unit])
				switch {
				case !ok:
					fmt.Fprint(w, " – |")
				case col.time:
					fmt.Fprintf(w, " %s ±%.0f%% |", duration(m), 100*spread(s[col.unit]))
				default:
					fmt.Fprintf(w, " %s |", strconv.FormatFloat(m, 'f', 0, 64))
				}
			}
		}
		fmt.Fprintln(w)
	}
}

// axes returns the caches and sizes present, in display order.
func axes(res results) (caches, sizes []string) {
	seenC, seenS := map[string]bool{}, map[string]bool{}
	for k := range res {
		if !seenC[k.cache] {
			seenC[k.cache] = true
			caches = append(caches, k.cache)
		}
		if !seenS[k.size] {
			seenS[k.size] = true
			sizes = append(sizes, k.size)
		}
	}
	rank := func(c string) int {
		if i := slices.Index(cacheOrder, c); i >= 0 {
			return i
		}
		return len(cacheOrder)
	}
	slices.SortFunc(caches, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	slices.SortFunc(sizes, func(a, b string) int {
		x, errA := sizeBytes(a)
		y, errB := sizeBytes(b)
		if errA != nil || errB != nil {
			return cmp.Compare(a, b)
		}
		return cmp.Compare(x, y)
	})
	return caches, sizes
}

// term is one measurement a ratio is computed from: the unit of a
// benchmark's results, called name in the ratio's formula.
type term struct {
	name string
	id   id
	unit string
}

// ratio is a ratio's value from the medians, and its range over the runs
// when every term has one sample per run.
type ratio struct {
	ok       bool
	median   float64
	lo, hi   float64
	perRunOK bool
}

func (r ratio) rangeText() string {
	if !r.perRunOK {
		return "–"
	}
	return fmt.Sprintf("%.2f–%.2f", r.lo, r.hi)
}

// combine computes f over the terms' medians, and over each run's samples
// when the runs line up (run.sh runs the whole suite once per run, so the
// i-th samples of all measurements were taken close together).
func combine(res results, f func(map[string]float64) float64, terms ...term) ratio {
	var r ratio
	meds := map[string]float64{}
	var cols [][]float64
	for _, t := range terms {
		s := res[t.id]
		if s == nil {
			return r
		}
		v := s[t.unit]
		m, ok := median(v)
		if !ok {
			return r
		}
		meds[t.name] = m
		cols = append(cols, v)
	}
	r.ok, r.median = true, f(meds)
	n := len(cols[0])
	for _, c := range cols {
		if len(c) != n {
			return r
		}
	}
	if n < 2 {
		return r
	}
	r.perRunOK = true
	for i := range n {
		v := map[string]float64{}
		for j, t := range terms {
			v[t.name] = cols[j][i]
		}
		x := f(v)
		if i == 0 {
			r.lo, r.hi = x, x
		}
		r.lo, r.hi = min(r.lo, x), max(r.hi, x)
	}
	return r
}

// duration formats a time in ns with three significant figures.
func duration(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gµs", v/1e3)
	}
	return fmt.Sprintf("%.3gns", v)
}
