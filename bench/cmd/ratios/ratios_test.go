package main

import (
	"maps"
	"math"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line    string
		want    id
		values  map[string]float64 // nil: not a result
		wantErr bool
	}{
		{line: "BenchmarkHit/cache=memstore/size=2KB-2   \t 1000\t 2127 ns/op\t 1764 B/op\t 16 allocs/op",
			want: id{"Hit", "memstore", "2KB"}, values: map[string]float64{"ns/op": 2127, "B/op": 1764, "allocs/op": 16}},
		{line: "BenchmarkRawRead/cache=gregjones-memory/size=100KB-8  50  21.28 ns/op  0 B/op  0 allocs/op",
			want: id{"RawRead", "gregjones-memory", "100KB"}, values: map[string]float64{"ns/op": 21.28, "B/op": 0, "allocs/op": 0}},
		{line: "BenchmarkMissStore/cache=no-cache/size=2KB 10 33868 ns/op",
			want: id{"MissStore", "no-cache", "2KB"}, values: map[string]float64{"ns/op": 33868}},
		{line: "BenchmarkInterleaved/cache=sqlitestore/size=2KB-2 36025 16046 ns/op 7865 hit-ns/op 2642 memhit-ns/op 5384 raw-ns/op",
			want:   id{"Interleaved", "sqlitestore", "2KB"},
			values: map[string]float64{"ns/op": 16046, "hit-ns/op": 7865, "memhit-ns/op": 2642, "raw-ns/op": 5384}},
		{line: "goos: linux"},
		{line: "PASS"},
		{line: "BenchmarkHit/cache=memstore/size=2KB-2 some log text here"},
		{line: "BenchmarkOther-2 100 5 ns/op 0 B/op 0 allocs/op"},
		{line: "BenchmarkHit/memstore/size=2KB-2 100 5 ns/op", wantErr: true},
		{line: "BenchmarkHit/cache=memstore/size=2KB-2 100 x ns/op", wantErr: true},
		{line: "BenchmarkHit/cache=memstore/size=2KB-2 100 5 B/op 1 allocs/op", wantErr: true},
	}
	for _, tt := range tests {
		k, values, err := parseLine(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseLine(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			continue
		}
		if (values == nil) != (tt.values == nil) {
			t.Errorf("parseLine(%q) values = %v, want %v", tt.line, values, tt.values)
			continue
		}
		if values != nil && (k != tt.want || !maps.Equal(values, tt.values)) {
			t.Errorf("parseLine(%q) = %v %v, want %v %v", tt.line, k, values, tt.want, tt.values)
		}
	}
}

func TestMedianAndSpread(t *testing.T) {
	if _, ok := median(nil); ok {
		t.Error("median of nothing reported ok")
	}
	for _, tt := range []struct {
		in          []float64
		med, spread float64
	}{
		{[]float64{5}, 5, 0},
		{[]float64{3, 1, 2}, 2, 0.5},
		{[]float64{4, 1, 3, 2}, 2.5, 0.6},
	} {
		m, _ := median(tt.in)
		if m != tt.med || math.Abs(spread(tt.in)-tt.spread) > 1e-9 {
			t.Errorf("median, spread of %v = %v, %v; want %v, %v", tt.in, m, spread(tt.in), tt.med, tt.spread)
		}
	}
}

func TestSizeBytes(t *testing.T) {
	for in, want := range map[string]int{"2KB": 2048, "100KB": 102400, "1MB": 1 << 20, "512B": 512} {
		if got, err := sizeBytes(in); err != nil || got != want {
			t.Errorf("sizeBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "KB", "2GB", "x2KB"} {
		if _, err := sizeBytes(in); err == nil {
			t.Errorf("sizeBytes(%q) succeeded", in)
		}
	}
}

// TestReport checks the tables and ratios on made-up numbers from two runs:
// medians, the per-run range, checked ratios and cross-checks.
func TestReport(t *testing.T) {
	in := `
BenchmarkHit/cache=memstore/size=2KB-2         100  1000 ns/op  1000 B/op  10 allocs/op
BenchmarkHit/cache=gregjones-memory/size=2KB-2 100  4000 ns/op  6000 B/op  30 allocs/op
BenchmarkMissStore/cache=no-cache/size=2KB-2   100 30000 ns/op  6144 B/op  69 allocs/op
BenchmarkMissStore/cache=memstore/size=2KB-2   100 50000 ns/op 10240 B/op 130 allocs/op
BenchmarkInterleaved/cache=gregjones-memory/size=2KB-2 100 9000 ns/op 6000 hit-ns/op 2000 memhit-ns/op 50 raw-ns/op
BenchmarkInterleaved/cache=sqlitestore/size=2KB-2      100 9000 ns/op 9000 hit-ns/op 1000 memhit-ns/op 5000 raw-ns/op
BenchmarkHit/cache=memstore/size=2KB-2         100  1000 ns/op  1000 B/op  10 allocs/op
BenchmarkHit/cache=gregjones-memory/size=2KB-2 100  2000 ns/op  6000 B/op  30 allocs/op
BenchmarkMissStore/cache=no-cache/size=2KB-2   100 30000 ns/op  6144 B/op  69 allocs/op
BenchmarkMissStore/cache=memstore/size=2KB-2   100 50000 ns/op 10240 B/op 130 allocs/op
BenchmarkInterleaved/cache=gregjones-memory/size=2KB-2 100 9000 ns/op 4000 hit-ns/op 2000 memhit-ns/op 50 raw-ns/op
BenchmarkInterleaved/cache=sqlitestore/size=2KB-2      100 9000 ns/op 7000 hit-ns/op 1000 memhit-ns/op 5000 raw-ns/op
`
	res, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	missed := report(&out, res)
	got := out.String()
	for _, want := range []string{
		"Medians of 2 run(s)",
		"| gregjones MemoryCache hit ÷ memstore hit | 2KB | 3.00 | 2.00–4.00 | ≥ 3 | met |",
		"| gregjones MemoryCache hit ÷ memstore hit (interleaved) | 2KB | 2.50 | 2.00–3.00 | – | (reference) |",
		"| sqlitestore hit ÷ (raw read + memstore hit) (interleaved) | 2KB | 1.33 | 1.17–1.50 | – | (reference) |",
		"| memstore miss+store B/op above no-cache ÷ body | 2KB | 2.00 | 2.00–2.00 | ≤ 2.5 | met |",
		"| memstore miss+store B/op ÷ body | 2KB | 5.00 | 5.00–5.00 | – | (reference) |",
		"| memstore | 1µs ±0% | 1000 | 10 |",
		"| sqlitestore | 8µs ±12% | 5µs ±0% | 1µs ±0% |",
		"Every ratio measured met its target.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q\n%s", want, got)
		}
	}
	if missed != 0 {
		t.Errorf("report counted %d missed targets, want 0\n%s", missed, got)
	}
}

func TestReportMissed(t *testing.T) {
	in := `
BenchmarkMissStore/cache=no-cache/size=2KB-2   100 30000 ns/op  6144 B/op  69 allocs/op
BenchmarkMissStore/cache=filestore/size=2KB-2  100 50000 ns/op 18432 B/op 150 allocs/op
BenchmarkHit/cache=memstore/size=100KB-2         100 2000 ns/op 1000 B/op 10 allocs/op
BenchmarkHit/cache=gregjones-memory/size=100KB-2 100 5000 ns/op 6000 B/op 30 allocs/op
`
	res, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if missed := report(&out, res); missed != 2 {
		t.Errorf("report counted %d missed targets, want 2\n%s", missed, out.String())
	}
	for _, want := range []string{
		"| filestore miss+store B/op above no-cache ÷ body | 2KB | 6.00 | – | ≤ 2.5 | **missed** |",
		"| gregjones MemoryCache hit ÷ memstore hit | 100KB | 2.50 | – | ≥ 3 | **missed** |",
		"2 ratio(s) missed the target.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q\n%s", want, out.String())
		}
	}
}
