// Package entry is the versioned binary encoding of one cached response.
//
// Layout:
//
//	magic "\xCCcE"  version byte  metadata length (4 bytes, little endian)
//	metadata:
//	  status, flags, proto                                  (unsigned varints, strings)
//	  created, expires, requested (unix ns), initial age (ns) (zig-zag varints; 0 = unset)
//	  method, url
//	  response header block, request header block
//	body: every remaining byte
//
// A string is a length followed by its bytes; a header block is a count of
// names, then per name the name, a count of values and the values. Putting the
// body last lets an encoder append it as it streams in (the entry is built in
// the buffer that collects the body) and lets Decode return it without
// copying; the metadata length lets Decode turn the metadata into one string
// in one pass and carve every field out of it.
package entry

import (
	"encoding/binary"
	"errors"
	"net/http"
	"slices"
	"time"
)

// Version is the format version this package writes.
const Version = 1

var magic = [3]byte{0xCC, 'c', 'E'}

// ErrCorrupt is returned by Decode for bytes that are not a whole entry of a
// known version.
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

// AppendPrefix appends the encoding of everything but the body to dst. The
// complete entry is that prefix followed by the body bytes.
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
// that a buffer for the whole entry can be allocated once.
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

// Encode returns the whole encoded entry in one new slice.
func (e *Entry) Encode() []byte {
	buf := e.AppendPrefix(make([]byte, 0, e.PrefixSize()+len(e.Body)))
	return append(buf, e.Body...)
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
