package entry

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode checks that no input makes Decode, DecodeTrusted, DecodeAll,
// DecodeAllTrusted or SplitVariants panic or fail with an error that does not
// wrap ErrCorrupt; that DecodeTrusted accepts what Decode accepts, as the
// same entry; and that the encoding is canonical: an accepted entry
// re-encodes to the very bytes it came from. (Varints must be minimal,
// header names strictly increasing, flags known and times round-trip
// through Unix nanoseconds, so nothing is lost or reordered.) Inputs rarely
// carry a valid checksum, so the canonical check also runs on what
// DecodeTrusted accepts, all but the checksum. Seeds: the golden files,
// damaged copies of them, and testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, data := range goldenFiles(f) {
		f.Add(data)
		f.Add(data[:len(data)-1])
		flipped := bytes.Clone(data)
		flipped[len(flipped)/2] ^= 0x10
		f.Add(flipped)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		te, terr := DecodeTrusted(data)
		es, aerr := DecodeAll(data)
		tes, taerr := DecodeAllTrusted(data)
		_, serr := SplitVariants(data)
		for _, err := range []error{err, terr, aerr, taerr, serr} {
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		}
		if err == nil {
			if terr != nil || !reflect.DeepEqual(te, e) {
				t.Fatalf("Decode accepts what DecodeTrusted refuses (%v), or decodes it otherwise", terr)
			}
			if aerr != nil || len(es) != 1 || !reflect.DeepEqual(es[0], e) {
				t.Fatalf("DecodeAll of an entry = %v, %v", es, aerr)
			}
			if again := e.Encode(); !bytes.Equal(again, data) {
				t.Fatalf("re-encoding gives other bytes:\n got %q\nwant %q", again, data)
			}
		}
		if terr == nil {
			if taerr != nil || len(tes) != 1 || !reflect.DeepEqual(tes[0], te) {
				t.Fatalf("DecodeAllTrusted of an entry = %v, %v", tes, taerr)
			}
			again := te.Encode()
			if len(again) != len(data) || !bytes.Equal(again[:len(again)-4], data[:len(data)-4]) {
				t.Fatalf("re-encoding gives other bytes (checksum aside):\n got %q\nwant %q", again, data)
			}
		}
		if aerr == nil && taerr != nil {
			t.Fatalf("DecodeAll accepts what DecodeAllTrusted refuses: %v", taerr)
		}
	})
}

// FuzzSplitVariants checks that SplitVariants never panics, refuses with
// ErrCorrupt, and accepts only a set that EncodeVariants writes back
// identically, holding at least one part. Seeds: the golden files, damaged
// copies of them, and testdata/fuzz/FuzzSplitVariants.
func FuzzSplitVariants(f *testing.F) {
	for _, data := range goldenFiles(f) {
		f.Add(data)
		f.Add(data[:len(data)-1])
	}
	f.Add([]byte("\xCCcV\x02\x00"))
	f.Add([]byte("\xCCcV\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts, err := SplitVariants(data)
		if err != nil {
			if parts != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("SplitVariants = %q, %v", parts, err)
			}
			return
		}
		if !IsVariants(data) {
			if len(parts) != 1 || !bytes.Equal(parts[0], data) {
				t.Fatalf("SplitVariants of a single value = %q", parts)
			}
			return
		}
		if len(parts) == 0 {
			t.Fatal("SplitVariants accepted a set of no variants")
		}
		if again := EncodeVariants(parts); !bytes.Equal(again, data) {
			t.Fatalf("EncodeVariants(SplitVariants(data)) gives other bytes:\n got %q\nwant %q", again, data)
		}
		if es, err := DecodeAllTrusted(data); err == nil && len(es) != len(parts) {
			t.Fatalf("DecodeAllTrusted decoded %d of %d parts", len(es), len(parts))
		}
	})
}
