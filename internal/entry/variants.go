package entry

import (
	"encoding/binary"
	"strings"
)

// A response that varies (RFC 9111 §4.1) may be stored in several variants
// under one key. They are kept together, in one value, so that one read finds
// them all and one delete (an invalidation) removes them all:
//
//	magic "\xCCcV"  version byte (2)  count (at least 1)  (length  entry)...
//
// The count and the lengths are minimal unsigned varints; each entry is a
// whole, sealed entry, so its own trailer guards it. Version 1 sets, which
// held version 1 entries, are refused as corrupt.

var variantsMagic = [3]byte{0xCC, 'c', 'V'}

// MaxVariants bounds how many variants of one key are kept; the oldest go.
const MaxVariants = 8

// minEntrySize is the size of the smallest entry: a header, metadata of one
// byte per field (a status below 128, empty strings, unset times, no
// headers) and a trailer. It bounds the count a set of variants may claim.
const minEntrySize = headerLen + 11 + TrailerSize

// IsVariants reports whether data is a set of variants rather than one entry.
func IsVariants(data []byte) bool {
	return len(data) >= 4 && [3]byte(data[:3]) == variantsMagic
}

// EncodeVariants joins encoded entries into one value. It is meant for at
// least one entry: SplitVariants refuses a set of none.
func EncodeVariants(encoded [][]byte) []byte {
	size := 4 + binary.MaxVarintLen64
	for _, e := range encoded {
		size += binary.MaxVarintLen64 + len(e)
	}
	out := append(make([]byte, 0, size), variantsMagic[:]...)
	out = append(out, Version)
	out = binary.AppendUvarint(out, uint64(len(encoded)))
	for _, e := range encoded {
		out = binary.AppendUvarint(out, uint64(len(e)))
		out = append(out, e...)
	}
	return out
}

// SplitVariants returns the encoded entries a value holds: the value itself
// when it is one entry. The slices alias data. It checks the set's framing,
// not the entries: decode each (or use [DecodeAll]). A set that is not whole
// and well formed, or holds no entry, gives an error wrapping [ErrCorrupt].
func SplitVariants(data []byte) ([][]byte, error) {
	if !IsVariants(data) {
		return [][]byte{data}, nil
	}
	switch data[3] {
	case Version:
	case 1:
		return nil, corruptf("entry: variant set version 1 is no longer read")
	default:
		return nil, corruptf("entry: unknown variant set version %d (this package reads version %d)", data[3], Version)
	}
	rest := data[4:]
	n, k := uvarint(rest)
	switch {
	case k <= 0:
		return nil, corruptf("entry: variant set with a malformed count")
	case n == 0:
		return nil, corruptf("entry: variant set of zero variants")
	case n > uint64(len(rest)-k)/uint64(1+minEntrySize):
		return nil, corruptf("entry: variant set claims %d variants, more than a value of %d bytes holds (truncated value)", n, len(data))
	}
	rest = rest[k:]
	out := make([][]byte, 0, n)
	for i := range n {
		size, k := uvarint(rest)
		if k <= 0 || size > uint64(len(rest)-k) {
			return nil, corruptf("entry: variant %d of %d is cut short (truncated value)", i+1, n)
		}
		out = append(out, rest[k:k+int(size):k+int(size)])
		rest = rest[k+int(size):]
	}
	if len(rest) != 0 {
		return nil, corruptf("entry: %d bytes after the last of %d variants (extra bytes)", len(rest), n)
	}
	return out, nil
}

// uvarint is binary.Uvarint refusing (with k = 0) a longer encoding than
// binary.AppendUvarint writes, so that a set has one encoding only.
func uvarint(b []byte) (v uint64, k int) {
	v, k = binary.Uvarint(b)
	if k > 1 && b[k-1] == 0 {
		return 0, 0
	}
	return v, k
}

// DecodeAll decodes a value holding one entry or a set of variants, checking
// every entry as [Decode] does. Any problem gives an error wrapping
// [ErrCorrupt]: a value is served whole or not at all.
func DecodeAll(data []byte) ([]*Entry, error) {
	return decodeAll(data, true)
}

// DecodeAllTrusted is [DecodeAll] decoding each entry as [DecodeTrusted]
// does, without checksums, for bytes that never left the process.
func DecodeAllTrusted(data []byte) ([]*Entry, error) {
	return decodeAll(data, false)
}

func decodeAll(data []byte, verify bool) ([]*Entry, error) {
	parts, err := SplitVariants(data)
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(parts))
	for i, p := range parts {
		e, err := decode(p, verify)
		if err != nil {
			if !IsVariants(data) {
				return nil, err
			}
			return nil, corruptf("entry: variant %d of %d: %s", i+1, len(parts), strings.TrimPrefix(err.Error(), "entry: "))
		}
		out = append(out, e)
	}
	return out, nil
}
