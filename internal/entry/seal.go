package entry

import (
	"encoding/binary"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Seal appends the trailer to data, a prefix written by [Entry.AppendPrefix]
// followed by the body, and returns the extended slice, the whole entry. As
// with append, it allocates only when data has less than [TrailerSize] bytes
// of spare capacity. It panics when data does not start with such a prefix.
func Seal(data []byte) []byte {
	var s Sealer
	s.Write(data)
	return s.AppendTrailer(data)
}

// A Sealer computes the trailer of an entry that is written out in pieces
// rather than collected in one buffer: write it every byte of the prefix and
// the body, in order, then append its trailer. The zero Sealer is ready to
// use.
type Sealer struct {
	head [headerLen]byte // the first bytes written, for the metadata length
	n    uint64          // bytes written
	crc  uint32          // CRC-32C of the bytes written
}

// Write adds p to the bytes the trailer seals. It never fails.
func (s *Sealer) Write(p []byte) (int, error) {
	if s.n < uint64(headerLen) {
		copy(s.head[s.n:], p)
	}
	s.n += uint64(len(p))
	s.crc = crc32.Update(s.crc, castagnoli, p)
	return len(p), nil
}

// AppendTrailer appends the trailer sealing the bytes written so far to dst
// and returns the extended slice. It panics when those bytes do not start
// with a prefix written by [Entry.AppendPrefix].
func (s *Sealer) AppendTrailer(dst []byte) []byte {
	const h = uint64(headerLen)
	metaLen := uint64(binary.LittleEndian.Uint32(s.head[len(magic)+1:]))
	if s.n < h || [3]byte(s.head[:3]) != magic || s.head[3] != Version || s.n-h < metaLen {
		panic("entry: sealing bytes that do not start with a prefix from AppendPrefix")
	}
	// The body length is appended first and summed where it lies: summing a
	// local array would move it to the heap.
	start := len(dst)
	dst = binary.LittleEndian.AppendUint64(dst, s.n-h-metaLen)
	return binary.LittleEndian.AppendUint32(dst, crc32.Update(s.crc, castagnoli, dst[start:]))
}
