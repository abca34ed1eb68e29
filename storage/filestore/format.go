package filestore

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// An entry file is a fixed header, the key, then the value:
//
//	offset  size  field
//	0       4     magic "CCFS"
//	4       1     format version (1)
//	5       8     expiry, unix nanoseconds, big-endian; 0 means never
//	13      2     key length, big-endian
//	15      8     value length, big-endian
//	23      n     key
//	23+n    m     value
//
// The value length lets a reader tell a truncated file from a whole one
// without reading the value.
const (
	magic          = "CCFS"
	formatVersion  = 1
	fixedHeaderLen = 23
	maxKeyLen      = math.MaxUint16
)

// errMalformed marks a file that is not a well-formed entry: a miss, never a
// failure.
var errMalformed = errors.New("not a well-formed entry file")

// header is what an entry file says about itself.
type header struct {
	expires  int64 // unix nanoseconds; 0 means never
	key      string
	valueLen int64
}

// len is the number of bytes before the value.
func (h header) len() int64 { return fixedHeaderLen + int64(len(h.key)) }

// expiredAt reports whether the expiry has passed at now.
func (h header) expiredAt(now time.Time) bool {
	return h.expires != 0 && h.expires <= now.UnixNano()
}

// appendHeader appends the header of an entry for key, holding valueLen
// bytes, to b.
func appendHeader(b []byte, key string, expires int64, valueLen int) []byte {
	b = append(b, magic...)
	b = append(b, formatVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(expires))
	b = binary.BigEndian.AppendUint16(b, uint16(len(key)))
	b = binary.BigEndian.AppendUint64(b, uint64(valueLen))
	return append(b, key...)
}

// parseFixedHeader reads the fixed part of a header and returns it with the
// key still unread, and the key's length.
func parseFixedHeader(b []byte) (h header, keyLen int, err error) {
	if len(b) < fixedHeaderLen || string(b[:4]) != magic || b[4] != formatVersion {
		return header{}, 0, errMalformed
	}
	h.expires = int64(binary.BigEndian.Uint64(b[5:13]))
	keyLen = int(binary.BigEndian.Uint16(b[13:15]))
	valueLen := binary.BigEndian.Uint64(b[15:23])
	if valueLen > math.MaxInt64 {
		return header{}, 0, errMalformed
	}
	h.valueLen = int64(valueLen)
	return h, keyLen, nil
}

// parseHeader reads a whole header from the start of b, checking it against
// fileSize, the size of the whole file.
func parseHeader(b []byte, fileSize int64) (header, error) {
	h, keyLen, err := parseFixedHeader(b)
	if err != nil {
		return header{}, err
	}
	if len(b) < fixedHeaderLen+keyLen {
		return header{}, errMalformed
	}
	h.key = string(b[fixedHeaderLen : fixedHeaderLen+keyLen])
	if h.len()+h.valueLen != fileSize {
		return header{}, errMalformed // truncated, or something appended
	}
	return h, nil
}
