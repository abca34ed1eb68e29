package entry

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

var decodeAlls = []struct {
	name      string
	decodeAll func([]byte) ([]*Entry, error)
}{
	{"DecodeAll", DecodeAll},
	{"DecodeAllTrusted", DecodeAllTrusted},
}

func sampleSet() (set []byte, a, b *Entry) {
	a, b = sample(), sample()
	b.Body = []byte("other")
	return EncodeVariants([][]byte{a.Encode(), b.Encode()}), a, b
}

func TestVariantsRoundTrip(t *testing.T) {
	data, a, b := sampleSet()
	if !IsVariants(data) || IsVariants(a.Encode()) {
		t.Fatal("IsVariants cannot tell a set from an entry")
	}
	if !bytes.HasPrefix(data, []byte("\xCCcV\x02\x02")) {
		t.Fatalf("set starts % x", data[:6])
	}
	for _, d := range decodeAlls {
		got, err := d.decodeAll(data)
		if err != nil || len(got) != 2 || !reflect.DeepEqual(got[0], a) || !reflect.DeepEqual(got[1], b) {
			t.Fatalf("%s = %v, %v", d.name, got, err)
		}
		single, err := d.decodeAll(a.Encode())
		if err != nil || len(single) != 1 || !reflect.DeepEqual(single[0], a) {
			t.Fatalf("%s of one entry = %v, %v", d.name, single, err)
		}
	}
	parts, err := SplitVariants(data)
	if err != nil || len(parts) != 2 || !bytes.Equal(parts[0], a.Encode()) || !bytes.Equal(parts[1], b.Encode()) {
		t.Fatalf("SplitVariants = %q, %v", parts, err)
	}
	if cap(parts[0]) != len(parts[0]) {
		t.Fatal("a part's capacity reaches into the next")
	}
}

func TestVariantsSayWhatIsWrong(t *testing.T) {
	set, _, _ := sampleSet()
	damaged := bytes.Clone(set)
	damaged[len(damaged)-TrailerSize-1] ^= 1 // the second entry's body
	cases := []struct {
		name string
		data []byte
		want string // from SplitVariants, or DecodeAll if it splits
	}{
		{"zero variants", []byte("\xCCcV\x02\x00"), "entry: variant set of zero variants"},
		{"zero variants, version 1", []byte("\xCCcV\x01\x00"), "entry: variant set version 1 is no longer read"},
		{"version 3", []byte("\xCCcV\x03\x01"), "entry: unknown variant set version 3 (this package reads version 2)"},
		{"no count", []byte("\xCCcV\x02"), "entry: variant set with a malformed count"},
		{"count past the end", []byte("\xCCcV\x02\x80"), "entry: variant set with a malformed count"},
		{"non-minimal count", append([]byte("\xCCcV\x02\x82\x00"), set[5:]...), "entry: variant set with a malformed count"},
		{"huge count", append([]byte("\xCCcV\x02\xFF\xFF\xFF\xFF\x0F"), set[5:]...), "entry: variant set claims 4294967295 variants, more than a value of 355 bytes holds"},
		{"one too many", append([]byte("\xCCcV\x02\x03"), set[5:]...), "entry: variant 3 of 3 is cut short (truncated value)"},
		{"cut short", set[:len(set)-1], "entry: variant 2 of 2 is cut short (truncated value)"},
		{"extra bytes", append(bytes.Clone(set), 0), "entry: 1 bytes after the last of 2 variants (extra bytes)"},
		{"empty part", []byte("\xCCcV\x02\x01\x00"), "entry: variant set claims 1 variants, more than a value of 6 bytes holds (truncated value)"},
		{"version 1 part", EncodeVariants([][]byte{readHex(t, "testdata/v1/entry.hex")}), "entry: variant 1 of 1: version 1 is no longer read"},
		{"damaged part", damaged, "entry: variant 2 of 2: checksum mismatch"},
		{"a set in a set", EncodeVariants([][]byte{set}), "entry: variant 1 of 1: not a cache entry"},
	}
	for _, c := range cases {
		_, serr := SplitVariants(c.data)
		es, err := DecodeAll(c.data)
		if serr != nil && !errors.Is(serr, ErrCorrupt) {
			t.Errorf("%s: SplitVariants err = %v, want ErrCorrupt", c.name, serr)
		}
		if es != nil || !errors.Is(err, ErrCorrupt) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: DecodeAll = %v, %v; want ErrCorrupt saying %q", c.name, es, err, c.want)
		}
	}
	// DecodeAllTrusted does not see the damaged body, and sees the rest.
	if _, err := DecodeAllTrusted(damaged); err != nil {
		t.Errorf("DecodeAllTrusted of a set with a damaged body: %v", err)
	}
}

func TestEveryVariantsTruncationIsCorrupt(t *testing.T) {
	set, _, _ := sampleSet()
	for i := 4; i < len(set); i++ { // shorter values are not sets but entries
		for _, d := range decodeAlls {
			if es, err := d.decodeAll(set[:i]); es != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s of the first %d of %d bytes = %v, %v; want ErrCorrupt", d.name, i, len(set), es, err)
			}
		}
		if IsVariants(set[:i]) {
			if parts, err := SplitVariants(set[:i]); parts != nil || !errors.Is(err, ErrCorrupt) {
				// Every cut ends inside the last entry or before it.
				t.Fatalf("SplitVariants of the first %d of %d bytes = %q, %v; want ErrCorrupt", i, len(set), parts, err)
			}
		}
	}
}

func TestEveryVariantsBitFlipIsCorrupt(t *testing.T) {
	set, _, _ := sampleSet()
	for i := range len(set) {
		for bit := range 8 {
			data := bytes.Clone(set)
			data[i] ^= 1 << bit
			if es, err := DecodeAll(data); es != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeAll with bit %d of byte %d flipped = %v, %v; want ErrCorrupt", bit, i, es, err)
			}
		}
	}
}

// TestSplitVariantsAllocationIsBounded checks that a value claiming more
// variants than it can hold is refused before anything is allocated for them.
func TestSplitVariantsAllocationIsBounded(t *testing.T) {
	for _, count := range []string{"\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F", "\x80\x08"} { // 2^63-1, 1024
		data := append([]byte("\xCCcV\x02"+count), make([]byte, 1000)...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			if _, err := SplitVariants(data); !errors.Is(err, ErrCorrupt) {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		if perCall := (after.TotalAlloc - before.TotalAlloc) / 100; perCall > 512 {
			t.Fatalf("SplitVariants of %d bytes claiming too many variants allocates %d bytes", len(data), perCall)
		}
	}
}
