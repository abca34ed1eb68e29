package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// id names one measurement: Benchmark<op>/cache=<cache>/size=<size>.
type id struct {
	op, cache, size string
}

// samples are the values of one measurement, one per run, by unit
// ("ns/op", "B/op", "allocs/op" and custom metrics such as "hit-ns/op").
type samples map[string][]float64

// results maps each measurement to its samples.
type results map[id]samples

// parse reads `go test -bench` output. Lines that are not results of this
// module's benchmarks (headers, logs, PASS) are skipped.
func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		k, values, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if values == nil {
			continue
		}
		s := res[k]
		if s == nil {
			s = samples{}
			res[k] = s
		}
		for unit, v := range values {
			s[unit] = append(s[unit], v)
		}
	}
	return res, sc.Err()
}

// parseLine reads one result line such as
//
//	BenchmarkHit/cache=memstore/size=2KB-2   1000  2127 ns/op  1764 B/op  16 allocs/op
//
// and returns its values by unit; values is nil for lines that are not such
// a result.
func parseLine(line string) (k id, values map[string]float64, err error) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return k, nil, nil
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return k, nil, nil // a log line that starts with a benchmark name
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i] // the GOMAXPROCS suffix
		}
	}
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	k.op = parts[0]
	for _, p := range parts[1:] {
		key, value, found := strings.Cut(p, "=")
		if !found {
			return k, nil, fmt.Errorf("%s: sub-benchmark %q is not key=value", f[0], p)
		}
		switch key {
		case "cache":
			k.cache = value
		case "size":
			k.size = value
		}
	}
	if k.cache == "" || k.size == "" {
		return k, nil, nil // not one of this module's benchmarks
	}
	values = map[string]float64{}
	for i := 2; i+1 < len(f); i += 2 {
		v, perr := strconv.ParseFloat(f[i], 64)
		if perr != nil {
			return k, nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], perr)
		}
		values[f[i+1]] = v
	}
	if _, ok := values["ns/op"]; !ok {
		return k, nil, fmt.Errorf("%s: no ns/op", f[0])
	}
	return k, values, nil
}

// median returns the median of v (NaN-free), and false when v is empty.
func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// spread is the largest distance of a sample from the median, as a fraction
// of the median: benchstat's ±.
func spread(v []float64) float64 {
	m, ok := median(v)
	if !ok || m == 0 {
		return 0
	}
	var d float64
	for _, x := range v {
		d = max(d, abs(x-m))
	}
	return d / m
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// sizeBytes reads a size such as "2KB" or "100KB".
func sizeBytes(size string) (int, error) {
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if n, found := strings.CutSuffix(size, u.suffix); found {
			v, err := strconv.Atoi(n)
			if err != nil {
				return 0, fmt.Errorf("size %q: %w", size, err)
			}
			return v * u.mult, nil
		}
	}
	return 0, fmt.Errorf("size %q: want a number followed by B, KB or MB", size)
}
