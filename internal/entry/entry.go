// Package entry is the versioned binary encoding of one cached response.
//
// Layout (version 2):
//
//	header:   magic "\xCCcE"  version byte (2)  metadata length (4 bytes, little endian)
//	metadata:
//	  status, flags, proto                                    (unsigned varints, strings)
//	  created, expires, requested (unix ns), initial age (ns) (zig-zag varints; 0 = unset)
//	  method, url
//	  response header block, request header block
//	body:     the response body
//	trailer:  body length (8 bytes, little endian)
//	          CRC-32C (Castagnoli) of every byte before it (4 bytes, little endian)
//
// A string is a length followed by its bytes; a header block is a count of
// names, then per name (in increasing order) the name, a count of values and
// the values. Varints are minimal, so an entry has exactly one encoding: equal
// entries, equal bytes.
//
// Putting the body after the metadata lets an encoder append it as it streams
// in (the entry is built in the buffer that collects the body, and [Seal]
// appends the trailer at EOF, when the length is known) and lets Decode return
// it without copying; the metadata length lets Decode turn the metadata into
// one string in one pass and carve every field out of it. The trailer's body
// length catches a value cut short (or padded) in a store, the checksum
// catches bytes damaged in one.
//
// [Decode] checks everything; [DecodeTrusted] skips only the checksum, for
// bytes that never left the process. Both refuse, with an error wrapping
// [ErrCorrupt], bytes that are not one whole, well-formed entry of this
// version. Version 1 entries (no trailer), and version 1 sets of variants,
// are no longer read: they are ErrCorrupt, which the cache treats as a miss
// (it deletes them), so they are never served.
package entry

import (
	"encoding/binary"
	"errors"
	"net/http"
	"slices"
	"time"
)

// Version is the format version this package writes and reads. Version 1
// entries, which have no trailer, are refused as corrupt.
const Version = 2

var magic = [3]byte{0xCC, 'c', 'E'}

// ErrCorrupt is wrapped by the errors Decode and its kin return for bytes
// that are not one whole, intact entry (or set of variants) of this version.
// The wrapping error says what was wrong.
var ErrCorrupt = errors.New("entry: corrupt or foreign cache entry")

// Entry is one cached response and what is needed to reuse it.
type Entry struct {
	// Status is the response's status code.
	Status int
	// Flags record how the entry was stored.
	Flags Flags
	// Proto is the response's protocol, such as "HTTP/1.1".
	Proto string
	// Header is the response's header, without hop-by-hop fields.
	Header http.Header

	// Created is when the response was received (RFC 9111's response_time).
	Created time.Time
	// Expires is when the response stops being fresh; zero means never.
	Expires time.Time
	// Requested is when the request was sent (RFC 9111's request_time).
	Requested time.Time
	// InitialAge is the response's age when it was received (RFC 9111
	// §4.2.3's corrected_initial_age): its current age is InitialAge plus
	// the time since Created.
	InitialAge time.Duration

	// Method is the request's method.
	Method string
	// URL is the request's URL, redacted: credentials and ignored
	// parameters masked.
	URL string

	// ReqHeader holds the request headers the entry was selected by (matched
	// headers and those its Vary names), redacted.
	ReqHeader http.Header

	// Body is the response body. After Decode it aliases the decoded bytes.
	Body []byte
}

// Flags record how an entry was stored.
type Flags uint64

// OptionsExpiry marks an entry whose freshness comes from Expires, set by the
// cache's options, rather than from its Cache-Control and Expires headers.
const OptionsExpiry Flags = 1

// knownFlags are the flags this version defines. Decode refuses others: an
// entry with a flag it does not know would be misread, so a new flag that
// old readers must not ignore comes with a new Version.
const knownFlags = OptionsExpiry

// Age returns the entry's current age at now (RFC 9111 §4.2.3).
func (e *Entry) Age(now time.Time) time.Duration {
	return e.InitialAge + max(now.Sub(e.Created), 0)
}

// IsExpired reports whether the entry is stale at now.
func (e *Entry) IsExpired(now time.Time) bool {
	return !e.Expires.IsZero() && !now.Before(e.Expires)
}

// headerLen is the size of the fixed part before the metadata.
const headerLen = len(magic) + 1 + 4

// TrailerSize is the size of the trailer [Seal] appends after the body: the
// body length (8 bytes) and the checksum (4 bytes).
const TrailerSize = 12

// AppendPrefix appends the encoding of everything before the body to dst.
// The complete entry is that prefix followed by the body bytes, sealed by
// [Seal] (or followed by a [Sealer]'s trailer).
func (e *Entry) AppendPrefix(dst []byte) []byte {
	dst = append(dst, magic[:]...)
	dst = append(dst, Version, 0, 0, 0, 0)
	start := len(dst)
	dst = binary.AppendUvarint(dst, uint64(e.Status))
	dst = binary.AppendUvarint(dst, uint64(e.Flags))
	dst = appendString(dst, e.Proto)
	for _, t := range [...]time.Time{e.Created, e.Expires, e.Requested} {
		dst = binary.AppendVarint(dst, unixNano(t))
	}
	dst = binary.AppendVarint(dst, int64(e.InitialAge))
	dst = appendString(dst, e.Method)
	dst = appendString(dst, e.URL)
	dst = appendHeader(dst, e.Header)
	dst = appendHeader(dst, e.ReqHeader)
	binary.LittleEndian.PutUint32(dst[start-4:start], uint32(len(dst)-start))
	return dst
}

// PrefixSize returns an upper bound of the size of AppendPrefix's output, so
// that a buffer for the whole entry, PrefixSize()+len(body)+[TrailerSize]
// bytes, can be allocated once.
func (e *Entry) PrefixSize() int {
	n := headerLen + 7*binary.MaxVarintLen64 + len(e.Proto) + len(e.Method) + len(e.URL)
	for _, h := range [...]http.Header{e.Header, e.ReqHeader} {
		n += binary.MaxVarintLen64
		for name, values := range h {
			n += 2*binary.MaxVarintLen64 + len(name)
			for _, v := range values {
				n += binary.MaxVarintLen64 + len(v)
			}
		}
	}
	return n
}

// Encode returns the whole encoded entry, sealed, in one new slice.
func (e *Entry) Encode() []byte {
	buf := e.AppendPrefix(make([]byte, 0, e.PrefixSize()+len(e.Body)+TrailerSize))
	return Seal(append(buf, e.Body...))
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendHeader(dst []byte, h http.Header) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(h)))
	// Sorted names make the encoding deterministic: equal entries, equal
	// bytes. The array keeps the usual few names off the heap.
	var arr [32]string
	names := arr[:0]
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := h[name]
		dst = appendString(dst, name)
		dst = binary.AppendUvarint(dst, uint64(len(values)))
		for _, v := range values {
			dst = appendString(dst, v)
		}
	}
	return dst
}
