package entry

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sample() *Entry {
	now := time.Unix(1700000000, 123456789)
	return &Entry{
		Status:     200,
		Proto:      "HTTP/1.1",
		Header:     http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "Etag": {`"x"`}},
		Created:    now,
		Expires:    now.Add(time.Hour),
		Requested:  now.Add(-time.Millisecond),
		InitialAge: 3 * time.Second,
		Method:     "GET",
		URL:        "https://example.com/a?b=c",
		ReqHeader:  http.Header{"Accept": {"*/*"}},
		Body:       []byte("hello\x00world"),
	}
}

// withBody returns sample with a body of n bytes.
func withBody(n int) *Entry {
	e := sample()
	e.Body = make([]byte, n)
	for i := range e.Body {
		e.Body[i] = byte(i*7 + i>>8)
	}
	return e
}

// decoders are Decode and DecodeTrusted, for the checks both make.
var decoders = []struct {
	name   string
	decode func([]byte) (*Entry, error)
}{
	{"Decode", Decode},
	{"DecodeTrusted", DecodeTrusted},
}

func TestRoundTrip(t *testing.T) {
	entries := []*Entry{
		sample(),
		{Status: 204, Body: []byte{}},
		{Status: 100, Flags: OptionsExpiry, Body: []byte{}},
		withBody(100 << 10),
		{ // extreme values: every one of them is encoded and read back
			Status:     999,
			Flags:      OptionsExpiry,
			Header:     http.Header{"Empty": {}, "Many": {"", "a", "", "b"}, "X": {"\x00\xff"}},
			Created:    time.Unix(0, math.MinInt64),
			Expires:    time.Unix(0, math.MaxInt64),
			Requested:  time.Unix(-1, 0),
			InitialAge: math.MaxInt64,
			ReqHeader:  http.Header{"": {"empty name"}},
			Body:       []byte("\xCCcE\x02"),
		},
	}
	for _, e := range entries {
		for _, d := range decoders {
			got, err := d.decode(e.Encode())
			if err != nil {
				t.Fatalf("%s: %v", d.name, err)
			}
			if !reflect.DeepEqual(got, e) {
				t.Fatalf("%s round trip:\n got %+v\nwant %+v", d.name, got, e)
			}
		}
	}
}

func TestLayout(t *testing.T) {
	e := sample()
	data := e.Encode()
	prefix := e.AppendPrefix(nil)
	if want := len(prefix) + len(e.Body) + TrailerSize; len(data) != want {
		t.Fatalf("len(Encode()) = %d, want prefix %d + body %d + trailer %d", len(data), len(prefix), len(e.Body), TrailerSize)
	}
	if !bytes.HasPrefix(data, []byte("\xCCcE\x02")) || Version != 2 {
		t.Fatalf("header % x, Version %d", data[:4], Version)
	}
	if meta := binary.LittleEndian.Uint32(data[4:8]); int(meta) != len(prefix)-8 {
		t.Fatalf("metadata length %d, want %d", meta, len(prefix)-8)
	}
	trailer := data[len(data)-TrailerSize:]
	if n := binary.LittleEndian.Uint64(trailer); n != uint64(len(e.Body)) {
		t.Fatalf("trailer body length %d, want %d", n, len(e.Body))
	}
	if sum, stored := crc32c(data[:len(data)-4]), binary.LittleEndian.Uint32(trailer[8:]); sum != stored {
		t.Fatalf("stored CRC %08x, CRC-32C of the bytes before it %08x", stored, sum)
	}
	if min := (&Entry{Status: 100}).Encode(); len(min) != minEntrySize {
		t.Fatalf("smallest entry is %d bytes, minEntrySize = %d", len(min), minEntrySize)
	}
}

func crc32c(b []byte) uint32 {
	return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
}

func TestSealIsTheEncoding(t *testing.T) {
	e := sample()
	data := e.Encode()
	if got := Seal(append(e.AppendPrefix(nil), e.Body...)); !bytes.Equal(got, data) {
		t.Fatal("Seal(AppendPrefix + body) differs from Encode")
	}
	// A Sealer fed the same bytes in any pieces gives the same trailer.
	unsealed := data[:len(data)-TrailerSize]
	for _, piece := range []int{1, 3, 7, 64, len(unsealed)} {
		var s Sealer
		for rest := unsealed; len(rest) > 0; {
			n := min(piece, len(rest))
			if k, err := s.Write(rest[:n]); k != n || err != nil {
				t.Fatalf("Write = %d, %v", k, err)
			}
			rest = rest[n:]
		}
		if got := s.AppendTrailer(nil); !bytes.Equal(got, data[len(unsealed):]) {
			t.Fatalf("Sealer fed %d-byte pieces: trailer % x, want % x", piece, got, data[len(unsealed):])
		}
	}
}

func TestSealAppendsInPlace(t *testing.T) {
	e := withBody(2 << 10)
	buf := e.AppendPrefix(make([]byte, 0, e.PrefixSize()+len(e.Body)+TrailerSize))
	buf = append(buf, e.Body...)
	sealed := Seal(buf)
	if &sealed[0] != &buf[0] {
		t.Fatal("Seal reallocated a buffer sized PrefixSize()+len(body)+TrailerSize")
	}
	if allocs := testing.AllocsPerRun(100, func() { Seal(buf) }); allocs != 0 {
		t.Fatalf("Seal allocates %v times with room for the trailer", allocs)
	}
}

func TestSealPanicsOnForeignBytes(t *testing.T) {
	prefix := sample().AppendPrefix(nil)
	for name, data := range map[string][]byte{
		"empty":           nil,
		"header only":     prefix[:headerLen],
		"short metadata":  prefix[:len(prefix)-1],
		"not an entry":    []byte("not an entry at all"),
		"another version": append([]byte{0xCC, 'c', 'E', 1}, prefix[4:]...),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Seal did not panic", name)
				}
			}()
			Seal(data)
		}()
	}
}

func TestDecodeBodyIsZeroCopy(t *testing.T) {
	data := sample().Encode()
	for _, d := range decoders {
		got, err := d.decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if &got.Body[0] != &data[len(data)-TrailerSize-len(got.Body)] {
			t.Fatalf("%s: Body does not alias the encoded bytes", d.name)
		}
		if cap(got.Body) != len(got.Body) {
			t.Fatalf("%s: Body's capacity reaches past its end: an append could overwrite the trailer", d.name)
		}
	}
}

// reseal returns data with its trailer recomputed, so that a test can get
// past the checksum to the check it is about.
func reseal(data []byte) []byte {
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32c(out[:len(out)-4]))
	return out
}

// withMeta returns a sealed entry of the given metadata and body.
func withMeta(meta []byte, body string) []byte {
	data := append([]byte{0xCC, 'c', 'E', Version}, binary.LittleEndian.AppendUint32(nil, uint32(len(meta)))...)
	return Seal(append(append(data, meta...), body...))
}

// minimalMeta is the metadata of the smallest entry, status 100, with the
// header blocks left to the caller.
var minimalMeta = []byte{100, 0, 0, 0, 0, 0, 0, 0, 0}

func TestDecodeSaysWhatIsWrong(t *testing.T) {
	good := sample().Encode()
	n := len(good)
	bodyLen := len(sample().Body)
	flipped := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	cases := []struct {
		name    string
		data    []byte
		want    string
		trusted bool // DecodeTrusted catches it too
	}{
		{"empty", nil, "entry: 0 bytes are too few for an entry", true},
		{"foreign", []byte(`{"status": 200}`), `entry: not a cache entry (it starts with "{\"s")`, true},
		{"version 1", append([]byte{0xCC, 'c', 'E', 1}, good[4:]...), "entry: version 1 is no longer read", true},
		{"version 3", append([]byte{0xCC, 'c', 'E', 3}, good[4:]...), "entry: unknown version 3 (this package reads version 2)", true},
		{"header only", good[:headerLen], "entry: 8 bytes are too few for an entry (truncated value)", true},
		{"metadata cut short", good[:headerLen+TrailerSize+5], "does not fit in a value of 25 bytes (truncated value)", true},
		{"body cut short", good[:n-5], fmt.Sprintf("entry: body is %d bytes, trailer says ", bodyLen-5), true},
		{"trailer length", flipped(n - TrailerSize), fmt.Sprintf("entry: body is %d bytes, trailer says %d (extra bytes)", bodyLen, bodyLen^1), true},
		{"a byte too many", append(bytes.Clone(good), 0), fmt.Sprintf("entry: body is %d bytes, trailer says ", bodyLen+1), true},
		{"body bit", flipped(n - TrailerSize - 1), "entry: checksum mismatch", false},
		{"checksum bit", flipped(n - 1), "entry: checksum mismatch", false},
		{"metadata length", flipped(4), "entry: body is", true},
		{"resealed foreign version", reseal(append([]byte{0xCC, 'c', 'E', 9}, good[4:]...)), "entry: unknown version 9", true},
		{"status 0", withMeta(append([]byte{0}, minimalMeta[1:]...), ""), "entry: metadata byte 0: status 0 is not in 100..999", true},
		{"status 1000", withMeta(append([]byte{0xE8, 0x07}, minimalMeta[1:]...), ""), "entry: metadata byte 0: status 1000 is not in 100..999", true},
		{"unknown flags", withMeta([]byte{100, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ""), "entry: metadata byte 1: unknown flags 0x2", true},
		{"negative age", withMeta([]byte{100, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, ""), "entry: metadata byte 6: negative initial age -1ns", true},
		{"non-minimal varint", withMeta([]byte{100, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ""), "entry: metadata byte 1: varint is not minimal", true},
		{"overlong varint", withMeta([]byte{100, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, ""), "entry: metadata byte 1: varint overflows 64 bits", true},
		{"varint past the metadata", withMeta([]byte{0xC8}, ""), "entry: metadata byte 0: varint runs past the metadata", true},
		{"long string", withMeta([]byte{100, 0, 50, 'H'}, ""), "entry: metadata byte 2: string of 50 bytes runs past the metadata", true},
		{"huge count", withMeta(append(bytes.Clone(minimalMeta), 0x7F, 0), ""), "entry: metadata byte 9: count of 127 items runs past the metadata", true},
		{"names out of order", withMeta(append(bytes.Clone(minimalMeta), 2, 1, 'b', 1, 0, 1, 'a', 1, 0, 0), ""), `entry: metadata byte 14: header name "a" is not after "b"`, true},
		{"duplicate names", withMeta(append(bytes.Clone(minimalMeta), 0, 2, 1, 'a', 0, 1, 'a', 0), ""), `entry: metadata byte 14: header name "a" is not after "a"`, true},
		{"left over", withMeta(append(bytes.Clone(minimalMeta), 0, 0, 0), "body"), "entry: metadata byte 11: 1 bytes left over", true},
	}
	for _, c := range cases {
		for _, d := range decoders {
			e, err := d.decode(c.data)
			if d.name == "DecodeTrusted" && !c.trusted {
				if err != nil {
					t.Errorf("%s: DecodeTrusted: %v, want it to skip the checksum", c.name, err)
				}
				continue
			}
			if e != nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(fmt.Sprint(err), c.want) {
				t.Errorf("%s: %s = %v, %v; want ErrCorrupt saying %q", c.name, d.name, e, err, c.want)
			}
		}
	}
	// The helpers above build a valid entry from valid metadata.
	if _, err := Decode(withMeta(append(bytes.Clone(minimalMeta), 0, 0), "")); err != nil {
		t.Fatalf("minimal entry: %v", err)
	}
}

func TestEveryTruncationIsCorrupt(t *testing.T) {
	for _, good := range [][]byte{sample().Encode(), (&Entry{Status: 204}).Encode(), withBody(300).Encode()} {
		for i := range len(good) {
			for _, d := range decoders {
				if e, err := d.decode(good[:i]); e != nil || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s of the first %d of %d bytes = %v, %v; want ErrCorrupt", d.name, i, len(good), e, err)
				}
			}
		}
	}
}

func TestEveryBitFlipIsCorrupt(t *testing.T) {
	e := sample()
	good := e.Encode()
	bodyStart := len(good) - TrailerSize - len(e.Body)
	for i := range len(good) {
		for bit := range 8 {
			data := bytes.Clone(good)
			data[i] ^= 1 << bit
			if got, err := Decode(data); got != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode with bit %d of byte %d flipped = %v, %v; want ErrCorrupt", bit, i, got, err)
			}
			// DecodeTrusted promises the framing: header, metadata length and
			// body length are checked; a flip in the body goes unnoticed.
			got, err := DecodeTrusted(data)
			switch {
			case i < headerLen || (i >= len(good)-TrailerSize && i < len(good)-4):
				if got != nil || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("DecodeTrusted with bit %d of byte %d (framing) flipped = %v, %v; want ErrCorrupt", bit, i, got, err)
				}
			case i >= bodyStart && i < len(good)-TrailerSize:
				if err != nil || !bytes.Equal(got.Body, data[bodyStart:len(good)-TrailerSize]) {
					t.Fatalf("DecodeTrusted with bit %d of body byte %d flipped = %v", bit, i-bodyStart, err)
				}
			case err != nil && !errors.Is(err, ErrCorrupt):
				t.Fatalf("DecodeTrusted with bit %d of byte %d flipped: %v, not ErrCorrupt", bit, i, err)
			}
		}
	}
}

func TestBodyDamageIsCorrupt(t *testing.T) {
	e := withBody(2 << 10)
	data := e.Encode()
	bodyStart := len(data) - TrailerSize - len(e.Body)
	for _, at := range []int{0, 1000, len(e.Body) - 64} {
		damaged := bytes.Clone(data)
		for i := range 64 {
			damaged[bodyStart+at+i] ^= 0x5A
		}
		if _, err := Decode(damaged); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Fatalf("64 damaged body bytes at %d: Decode err = %v, want a checksum mismatch", at, err)
		}
		// Zeroed rather than flipped, as a store losing a page might.
		clear(damaged[bodyStart+at : bodyStart+at+64])
		if _, err := Decode(damaged); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("64 zeroed body bytes at %d: Decode err = %v, want ErrCorrupt", at, err)
		}
	}
}

func readHex(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data
}

// TestVersion1IsCorrupt reads entries written by the version 1 encoder
// (testdata/v1: sample() and a set of two variants of it).
func TestVersion1IsCorrupt(t *testing.T) {
	v1 := readHex(t, "testdata/v1/entry.hex")
	for _, d := range decoders {
		if e, err := d.decode(v1); e != nil || !errors.Is(err, ErrCorrupt) || err.Error() != "entry: version 1 is no longer read" {
			t.Errorf("%s(a version 1 entry) = %v, %v", d.name, e, err)
		}
	}
	for _, decodeAll := range []func([]byte) ([]*Entry, error){DecodeAll, DecodeAllTrusted} {
		if es, err := decodeAll(v1); es != nil || !errors.Is(err, ErrCorrupt) {
			t.Errorf("DecodeAll(a version 1 entry) = %v, %v", es, err)
		}
		set := readHex(t, "testdata/v1/variants.hex")
		if es, err := decodeAll(set); es != nil || !errors.Is(err, ErrCorrupt) || err.Error() != "entry: variant set version 1 is no longer read" {
			t.Errorf("DecodeAll(a version 1 set) = %v, %v", es, err)
		}
	}
}

// TestDecodeAllocs keeps a decode to a fixed handful of allocations (the
// entry, the metadata string, and per header block a map and one array of
// values), whatever the number of headers: a map of more than 8 fields takes
// two more, then no more however many fields.
func TestDecodeAllocs(t *testing.T) {
	withHeaders := func(n int) *Entry {
		e := sample()
		for i := range n {
			e.Header.Set(fmt.Sprintf("X-Field-%d", i), "v")
		}
		return e
	}
	for _, c := range []struct {
		e    *Entry
		want float64
	}{
		{sample(), 9}, {withBody(100 << 10), 9}, {withHeaders(40), 11}, {withHeaders(400), 11},
	} {
		data := c.e.Encode()
		for _, d := range decoders {
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := d.decode(data); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > c.want {
				t.Errorf("%s of an entry with %d headers: %v allocations, want at most %v", d.name, len(c.e.Header), allocs, c.want)
			}
		}
	}
}

func TestIsExpired(t *testing.T) {
	now := time.Now()
	if (&Entry{}).IsExpired(now) {
		t.Error("an entry without Expires expired")
	}
	if !(&Entry{Expires: now}).IsExpired(now) {
		t.Error("an entry is still fresh at its expiry")
	}
	if (&Entry{Expires: now.Add(time.Second)}).IsExpired(now) {
		t.Error("an entry expired before its expiry")
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range []int{2 << 10, 100 << 10} {
		data := withBody(size).Encode()
		for _, d := range decoders {
			b.Run(fmt.Sprintf("%s/%dKB", d.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	for _, size := range []int{2 << 10, 100 << 10} {
		e := withBody(size)
		buf := e.AppendPrefix(make([]byte, 0, e.PrefixSize()+len(e.Body)+TrailerSize))
		buf = append(buf, e.Body...)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				Seal(buf)
			}
		})
	}
}
