package entry

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http"
	"time"
)

// Decode parses an encoded entry and checks all of it: the header and
// version, that the metadata and the body have the lengths the header and
// the trailer give, the checksum, and every field. Bytes that are not one
// whole, intact entry of this version (version 1 included) give an error
// wrapping [ErrCorrupt] that says what was wrong.
//
// The returned entry's Body aliases data (without the trailer, and with no
// capacity past its end), and its strings are carved out of one copy of the
// metadata, so a decode costs a handful of allocations whatever the number of
// headers.
func Decode(data []byte) (*Entry, error) {
	return decode(data, true)
}

// DecodeTrusted is [Decode] without the checksum, for bytes that never left
// the process, such as the very slice [Entry.Encode] or [Seal] returned,
// handed back by an in-memory store: verifying the checksum there would cost
// a pass over the body for nothing. It still checks the header, the version,
// the lengths (a value cut short or padded is refused) and every field, but
// not bytes damaged in place, in the body for one.
func DecodeTrusted(data []byte) (*Entry, error) {
	return decode(data, false)
}

func decode(data []byte, verify bool) (*Entry, error) {
	end, err := frame(data, verify)
	if err != nil {
		return nil, err
	}
	d := decoder{data: data[:end], pos: headerLen, meta: string(data[headerLen:end])}
	e := &Entry{}
	d.fields(e)
	if d.err == nil && d.pos != end {
		d.fail(d.pos, "%d bytes left over", end-d.pos)
	}
	if d.err != nil {
		return nil, d.err
	}
	bodyEnd := len(data) - TrailerSize
	e.Body = data[end:bodyEnd:bodyEnd]
	return e, nil
}

// frame checks everything around the metadata: the header, the version, the
// lengths and, if verify, the checksum. It returns where the metadata ends.
func frame(data []byte, verify bool) (metaEnd int, err error) {
	switch {
	case len(data) < len(magic)+1:
		return 0, corruptf("entry: %d bytes are too few for an entry", len(data))
	case [3]byte(data[:3]) != magic:
		return 0, corruptf("entry: not a cache entry (it starts with %q)", data[:3])
	case data[3] == 1:
		return 0, corruptf("entry: version 1 is no longer read")
	case data[3] != Version:
		return 0, corruptf("entry: unknown version %d (this package reads version %d)", data[3], Version)
	case len(data) < headerLen+TrailerSize:
		return 0, corruptf("entry: %d bytes are too few for an entry (truncated value)", len(data))
	}
	metaLen := binary.LittleEndian.Uint32(data[len(magic)+1 : headerLen])
	room := len(data) - headerLen - TrailerSize // for the metadata and the body
	if uint64(metaLen) > uint64(room) {
		return 0, corruptf("entry: metadata of %d bytes does not fit in a value of %d bytes (truncated value)", metaLen, len(data))
	}
	body := uint64(room - int(metaLen))
	trailer := data[len(data)-TrailerSize:]
	if n := binary.LittleEndian.Uint64(trailer); n != body {
		how := "truncated value"
		if n < body {
			how = "extra bytes"
		}
		return 0, corruptf("entry: body is %d bytes, trailer says %d (%s)", body, n, how)
	}
	if verify {
		sum := crc32.Checksum(data[:len(data)-4], castagnoli)
		if binary.LittleEndian.Uint32(trailer[8:]) != sum {
			return 0, corruptf("entry: checksum mismatch")
		}
	}
	return headerLen + int(metaLen), nil
}

// corruptError says what is wrong with bytes refused as corrupt.
type corruptError struct{ msg string }

func (e *corruptError) Error() string { return e.msg }
func (e *corruptError) Unwrap() error { return ErrCorrupt }

func corruptf(format string, args ...any) error {
	return &corruptError{fmt.Sprintf(format, args...)}
}

type decoder struct {
	data []byte // the header and the metadata
	meta string // the metadata as one string; string fields are substrings
	pos  int
	err  error // the first problem found
}

// fail records a problem with the item at data[at:], unless one was found
// before: after it, the decoder reads zeros and empty strings.
func (d *decoder) fail(at int, format string, args ...any) {
	if d.err == nil {
		d.err = corruptf("entry: metadata byte %d: %s", at-headerLen, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) fields(e *Entry) {
	at := d.pos
	if status := d.uvarint(); status < 100 || status > 999 {
		d.fail(at, "status %d is not in 100..999", status)
	} else {
		e.Status = int(status)
	}
	at = d.pos
	e.Flags = Flags(d.uvarint())
	if unknown := e.Flags &^ knownFlags; unknown != 0 {
		d.fail(at, "unknown flags %#x", uint64(unknown))
	}
	e.Proto = d.string()
	e.Created = fromUnixNano(d.varint())
	e.Expires = fromUnixNano(d.varint())
	e.Requested = fromUnixNano(d.varint())
	at = d.pos
	if e.InitialAge = time.Duration(d.varint()); e.InitialAge < 0 {
		d.fail(at, "negative initial age %v", e.InitialAge)
	}
	e.Method = d.string()
	e.URL = d.string()
	e.Header = d.header()
	e.ReqHeader = d.header()
}

// uvarint reads an unsigned varint, refusing a longer encoding than
// binary.AppendUvarint writes so that an entry has one encoding only.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	// Most varints are one byte (lengths, counts): read those inline.
	if d.pos < len(d.data) && d.data[d.pos] < 0x80 {
		d.pos++
		return uint64(d.data[d.pos-1])
	}
	v, n := binary.Uvarint(d.data[d.pos:])
	switch {
	case n == 0:
		d.fail(d.pos, "varint runs past the metadata")
		return 0
	case n < 0:
		d.fail(d.pos, "varint overflows 64 bits")
		return 0
	case n > 1 && d.data[d.pos+n-1] == 0:
		d.fail(d.pos, "varint is not minimal")
		return 0
	}
	d.pos += n
	return v
}

// varint reads a zig-zag varint (as binary.AppendVarint writes it).
func (d *decoder) varint() int64 {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *decoder) string() string {
	at := d.pos
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.data)-d.pos) {
		d.fail(at, "string of %d bytes runs past the metadata", n)
		return ""
	}
	start := d.pos - headerLen // meta starts at data[headerLen]
	d.pos += int(n)
	return d.meta[start : start+int(n)]
}

// count reads a count of items, bounded by the bytes left so that untrusted
// input cannot make it allocate more than it holds.
func (d *decoder) count() int {
	at := d.pos
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	// Every counted item takes at least one byte.
	if n > uint64(len(d.data)-d.pos) {
		d.fail(at, "count of %d items runs past the metadata", n)
		return 0
	}
	return int(n)
}

func (d *decoder) header() http.Header {
	n := d.count()
	if d.err != nil || n == 0 {
		return nil
	}
	h := make(http.Header, n)
	// Most fields have one value: share one backing array among them.
	pool := make([]string, n)
	var prev string
	for i := range n {
		at := d.pos
		name := d.string()
		if i > 0 && name <= prev {
			d.fail(at, "header name %q is not after %q", name, prev)
		}
		prev = name
		nv := d.count()
		if d.err != nil {
			return nil
		}
		var values []string
		if nv <= len(pool) {
			values, pool = pool[:nv:nv], pool[nv:]
		} else {
			values = make([]string, nv)
		}
		for i := range values {
			values[i] = d.string()
		}
		if d.err != nil {
			return nil
		}
		h[name] = values
	}
	return h
}
