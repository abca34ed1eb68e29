package entry

import (
	"encoding/binary"
	"errors"
)

// A response that varies (RFC 9111 §4.1) may be stored in several variants
// under one key. They are kept together, in one value, so that one read finds
// them all and one delete (an invalidation) removes them all:
//
//	magic "\xCCcV"  version byte  count  (length  entry)...

var variantsMagic = [3]byte{0xCC, 'c', 'V'}

// MaxVariants bounds how many variants of one key are kept; the oldest go.
const MaxVariants = 8

// IsVariants reports whether data is a set of variants rather than one entry.
func IsVariants(data []byte) bool {
	return len(data) >= 4 && [3]byte(data[:3]) == variantsMagic
}

// EncodeVariants joins encoded entries into one value.
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
// when it is one entry. The slices alias data.
func SplitVariants(data []byte) ([][]byte, error) {
	if !IsVariants(data) {
		return [][]byte{data}, nil
	}
	if data[3] != Version {
		return nil, ErrCorrupt
	}
	rest := data[4:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)) {
		return nil, ErrCorrupt
	}
	rest = rest[k:]
	out := make([][]byte, 0, n)
	for range n {
		size, k := binary.Uvarint(rest)
		if k <= 0 || size > uint64(len(rest)-k) {
			return nil, errors.Join(ErrCorrupt, errors.New("entry: truncated variant"))
		}
		out = append(out, rest[k:k+int(size):k+int(size)])
		rest = rest[k+int(size):]
	}
	if len(rest) != 0 {
		return nil, ErrCorrupt
	}
	return out, nil
}

// DecodeAll decodes a value holding one entry or several variants.
func DecodeAll(data []byte) ([]*Entry, error) {
	parts, err := SplitVariants(data)
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(parts))
	for _, p := range parts {
		e, err := Decode(p)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
