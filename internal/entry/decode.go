package entry

import (
	"encoding/binary"
	"net/http"
	"time"
)

// Decode parses an encoded entry. The returned entry's Body aliases data, and
// its strings are carved out of one copy of the metadata, so a decode costs a
// handful of allocations whatever the number of headers. Bytes that are not a
// whole entry of this version give an error wrapping ErrCorrupt.
func Decode(data []byte) (*Entry, error) {
	if len(data) < headerLen || [3]byte(data[:3]) != magic || data[3] != Version {
		return nil, ErrCorrupt
	}
	metaLen := binary.LittleEndian.Uint32(data[4:headerLen])
	if uint64(metaLen) > uint64(len(data)-headerLen) {
		return nil, ErrCorrupt
	}
	end := headerLen + int(metaLen)
	d := decoder{data: data[:end], pos: headerLen, meta: string(data[headerLen:end])}
	e := &Entry{}
	d.fields(e)
	if d.bad || d.pos != end || e.Status < 100 || e.Status > 999 {
		return nil, ErrCorrupt
	}
	e.Body = data[end:len(data):len(data)]
	return e, nil
}

type decoder struct {
	data []byte
	meta string // the metadata as one string; string fields are substrings
	pos  int
	bad  bool
}

func (d *decoder) fields(e *Entry) {
	e.Status = int(d.uvarint())
	e.Flags = Flags(d.uvarint())
	e.Proto = d.string()
	e.Created = fromUnixNano(d.varint())
	e.Expires = fromUnixNano(d.varint())
	e.Requested = fromUnixNano(d.varint())
	e.InitialAge = time.Duration(d.varint())
	e.Method = d.string()
	e.URL = d.string()
	e.Header = d.header()
	e.ReqHeader = d.header()
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.pos:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.data[d.pos:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.data)-d.pos) {
		d.bad = true
		return ""
	}
	start := d.pos - headerLen // meta starts at data[headerLen]
	d.pos += int(n)
	return d.meta[start : start+int(n)]
}

// count reads a count of items, bounded by the bytes left so that untrusted
// input cannot make it allocate more than it holds.
func (d *decoder) count() int {
	n := d.uvarint()
	// Every counted item takes at least one byte.
	if d.bad || n > uint64(len(d.data)-d.pos) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *decoder) header() http.Header {
	n := d.count()
	if d.bad || n == 0 {
		return nil
	}
	h := make(http.Header, n)
	// Most fields have one value: share one backing array among them.
	pool := make([]string, n)
	for range n {
		name := d.string()
		nv := d.count()
		if d.bad {
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
		if d.bad {
			return nil
		}
		h[name] = values
	}
	return h
}
