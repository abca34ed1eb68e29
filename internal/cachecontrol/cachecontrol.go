// Package cachecontrol parses the Cache-Control header field (RFC 9111 §5.2)
// of requests and responses strictly, into structs a cache reads without
// parsing again.
//
// # Syntax
//
// Every field line of the header is read, as if the lines were joined with
// commas (RFC 9110 §5.3). Directive names are case-insensitive (RFC 9111
// §5.2); arguments may be a token or a quoted-string, whose quoted-pairs are
// unescaped, for every directive (RFC 9111 §5.2: "recipients ought to accept
// both forms"). There is no whitespace around "=". Empty list members are
// ignored (RFC 9110 §5.6.1). A member that does not start with a token is
// ignored; a member that starts with a directive name but is otherwise
// malformed ("max-age = 5", "max-age=5 6", "max-age=5;x") counts as that
// directive with an invalid argument. Parsing never panics.
//
// # Invalid and duplicate values
//
// RFC 9111 §4.2.1 says that when a directive has more than one value "either
// the first occurrence should be used or the response should be considered
// stale", that the most restrictive of conflicting directives should be
// honoured, and encourages caches to treat invalid freshness information (for
// example a non-integer max-age) as stale. This package reads that as:
//
//   - Response max-age, s-maxage, stale-while-revalidate and stale-if-error:
//     a missing or malformed value, or two occurrences with different values,
//     give Seconds 0 with Invalid set, so the response is stale and has no
//     stale window. Repeating the same value is not a conflict.
//   - Request directives combine to the most restrictive value, and an
//     invalid value is the most restrictive value there is: max-age, max-stale
//     and stale-if-error keep the smallest (invalid: 0), min-fresh the largest
//     (invalid: MaxDelta, so that no stored response is fresh enough).
//     max-stale without a value accepts any staleness (RFC 9111 §5.2.1.2);
//     with a valued max-stale as well, the value wins.
//   - Values above 2^31 are capped at MaxDelta (RFC 9111 §1.2.2).
//   - no-cache and private with a field list (§5.2.2.4, §5.2.2.7) that is empty
//     or holds something other than field names count as the unqualified
//     directive, which forbids more.
//   - A directive defined without an argument still applies when it has one
//     ("no-store=1" is no-store), except public and immutable, which only ever
//     allow more: those are ignored when they carry an argument or are
//     malformed.
package cachecontrol

import (
	"maps"
	"net/http"
	"slices"
)

// Response holds the response directives of RFC 9111 §5.2.2 and of the
// extensions a cache commonly understands (RFC 5861, RFC 8246).
type Response struct {
	// MaxAge is max-age (§5.2.2.1).
	MaxAge Delta
	// SMaxAge is s-maxage (§5.2.2.10), for shared caches only.
	SMaxAge Delta
	// NoStore is no-store (§5.2.2.5).
	NoStore bool
	// NoCache is the unqualified no-cache (§5.2.2.4): the response must be
	// validated before every reuse.
	NoCache bool
	// NoCacheFields are the canonical field names of the qualified no-cache
	// (§5.2.2.4): those fields must not be sent in a reuse without successful
	// validation. The rest of the response is unrestricted.
	NoCacheFields []string
	// Private is the unqualified private (§5.2.2.7): a shared cache must not
	// store the response.
	Private bool
	// PrivateFields are the canonical field names of the qualified private
	// (§5.2.2.7): a shared cache must not store those fields.
	PrivateFields []string
	// Public is public (§5.2.2.9).
	Public bool
	// MustRevalidate is must-revalidate (§5.2.2.2).
	MustRevalidate bool
	// ProxyRevalidate is proxy-revalidate (§5.2.2.8), for shared caches only.
	ProxyRevalidate bool
	// MustUnderstand is must-understand (§5.2.2.3).
	MustUnderstand bool
	// NoTransform is no-transform (§5.2.2.6).
	NoTransform bool
	// Immutable is immutable (RFC 8246 §2).
	Immutable bool
	// StaleWhileRevalidate is stale-while-revalidate (RFC 5861 §3).
	StaleWhileRevalidate Delta
	// StaleIfError is stale-if-error (RFC 5861 §4).
	StaleIfError Delta
	// Extensions holds the other well-formed directives (§5.2.3), by
	// lower-case name, with their unquoted argument ("" when there is none);
	// the first occurrence wins. It is nil when there are none.
	Extensions map[string]string
}

// ParseResponse parses every Cache-Control field line of a response header.
func ParseResponse(h http.Header) Response {
	var r Response
	parse(h["Cache-Control"], func(d directive) { // canonical name: read directly, on every request
		switch d.name {
		case "max-age":
			r.MaxAge = responseDelta(r.MaxAge, d)
		case "s-maxage":
			r.SMaxAge = responseDelta(r.SMaxAge, d)
		case "stale-while-revalidate":
			r.StaleWhileRevalidate = responseDelta(r.StaleWhileRevalidate, d)
		case "stale-if-error":
			r.StaleIfError = responseDelta(r.StaleIfError, d)
		case "no-store":
			r.NoStore = true
		case "no-cache":
			if d.plain() {
				r.NoCache = true
				return
			}
			var ok bool
			if r.NoCacheFields, ok = fieldNames(r.NoCacheFields, d); !ok {
				r.NoCache = true
			}
		case "private":
			if d.plain() {
				r.Private = true
				return
			}
			var ok bool
			if r.PrivateFields, ok = fieldNames(r.PrivateFields, d); !ok {
				r.Private = true
			}
		case "public":
			r.Public = r.Public || d.plain()
		case "immutable":
			r.Immutable = r.Immutable || d.plain()
		case "must-revalidate":
			r.MustRevalidate = true
		case "proxy-revalidate":
			r.ProxyRevalidate = true
		case "must-understand":
			r.MustUnderstand = true
		case "no-transform":
			r.NoTransform = true
		default:
			r.Extensions = addExtension(r.Extensions, d)
		}
	})
	return r
}

// responseDelta merges another occurrence d of a delta-seconds response
// directive into prev: invalid or conflicting values mean stale (§4.2.1).
func responseDelta(prev Delta, d directive) Delta {
	n, ok := seconds(d)
	if !ok || prev.Present && (prev.Invalid || prev.Seconds != n) {
		return Delta{Present: true, Invalid: true}
	}
	return Delta{Present: true, Seconds: n}
}

// String formats r as a Cache-Control field value, in a fixed order, with
// invalid values written as their most restrictive reading. Parsing the
// result gives r back, apart from the Invalid flags.
func (r Response) String() string {
	var b []byte
	b = appendFlag(b, "public", r.Public)
	b = appendFlag(b, "private", r.Private)
	if len(r.PrivateFields) > 0 {
		b = appendArg(b, "private", joinFields(r.PrivateFields), true)
	}
	b = appendFlag(b, "no-cache", r.NoCache)
	if len(r.NoCacheFields) > 0 {
		b = appendArg(b, "no-cache", joinFields(r.NoCacheFields), true)
	}
	b = appendFlag(b, "no-store", r.NoStore)
	b = appendDelta(b, "max-age", r.MaxAge)
	b = appendDelta(b, "s-maxage", r.SMaxAge)
	b = appendFlag(b, "must-revalidate", r.MustRevalidate)
	b = appendFlag(b, "proxy-revalidate", r.ProxyRevalidate)
	b = appendFlag(b, "must-understand", r.MustUnderstand)
	b = appendFlag(b, "no-transform", r.NoTransform)
	b = appendFlag(b, "immutable", r.Immutable)
	b = appendDelta(b, "stale-while-revalidate", r.StaleWhileRevalidate)
	b = appendDelta(b, "stale-if-error", r.StaleIfError)
	return string(appendExtensions(b, r.Extensions))
}

// Request holds the request directives of RFC 9111 §5.2.1 and RFC 5861 §4.
type Request struct {
	// NoCache is no-cache (§5.2.1.4), or a Pragma: no-cache when the request
	// has no Cache-Control directive (RFC 7234 §5.4; RFC 9111 §5.4 keeps
	// Pragma for backward compatibility).
	NoCache bool
	// NoStore is no-store (§5.2.1.5).
	NoStore bool
	// MaxAge is max-age (§5.2.1.1).
	MaxAge Delta
	// MaxStale is max-stale (§5.2.1.2). Without a value, MaxStaleAny is set
	// and Seconds is MaxDelta.
	MaxStale Delta
	// MaxStaleAny reports a max-stale without a value: any staleness is
	// acceptable (§5.2.1.2).
	MaxStaleAny bool
	// MinFresh is min-fresh (§5.2.1.3).
	MinFresh Delta
	// OnlyIfCached is only-if-cached (§5.2.1.7).
	OnlyIfCached bool
	// NoTransform is no-transform (§5.2.1.6).
	NoTransform bool
	// StaleIfError is stale-if-error in a request (RFC 5861 §4).
	StaleIfError Delta
	// Extensions holds the other well-formed directives (§5.2.3), by
	// lower-case name, with their unquoted argument ("" when there is none);
	// the first occurrence wins. It is nil when there are none.
	Extensions map[string]string
}

// ParseRequest parses every Cache-Control field line of a request header.
// When there is no Cache-Control directive at all, a "no-cache" member of
// Pragma sets NoCache (RFC 7234 §5.4, RFC 9111 §5.4).
func ParseRequest(h http.Header) Request {
	var r Request
	n := parse(h["Cache-Control"], func(d directive) { // canonical name: read directly, on every request
		switch d.name {
		case "no-cache":
			r.NoCache = true
		case "no-store":
			r.NoStore = true
		case "max-age":
			r.MaxAge = requestDelta(r.MaxAge, d, 0, minInt)
		case "max-stale":
			if d.plain() {
				r.MaxStaleAny = !r.MaxStale.Present || r.MaxStaleAny
				r.MaxStale = requestDelta(r.MaxStale, directive{hasValue: true, value: "2147483648"}, 0, minInt)
				return
			}
			r.MaxStaleAny = false
			r.MaxStale = requestDelta(r.MaxStale, d, 0, minInt)
		case "min-fresh":
			r.MinFresh = requestDelta(r.MinFresh, d, MaxDelta, maxInt)
		case "stale-if-error":
			r.StaleIfError = requestDelta(r.StaleIfError, d, 0, minInt)
		case "only-if-cached":
			r.OnlyIfCached = true
		case "no-transform":
			r.NoTransform = true
		default:
			r.Extensions = addExtension(r.Extensions, d)
		}
	})
	if n == 0 {
		parse(h["Pragma"], func(d directive) {
			if d.name == "no-cache" {
				r.NoCache = true
			}
		})
	}
	return r
}

// requestDelta merges another occurrence d of a delta-seconds request
// directive into prev with pick (min or max, whichever is more restrictive);
// an invalid value counts as invalid, the most restrictive value.
func requestDelta(prev Delta, d directive, invalid int64, pick func(a, b int64) int64) Delta {
	n, ok := seconds(d)
	next := Delta{Present: true, Seconds: n}
	if !ok {
		next = Delta{Present: true, Invalid: true, Seconds: invalid}
	}
	if prev.Present {
		next.Seconds = pick(prev.Seconds, next.Seconds)
		next.Invalid = next.Invalid || prev.Invalid
	}
	return next
}

// String formats r as a Cache-Control field value, in a fixed order, with
// invalid values written as their most restrictive reading. Parsing the
// result gives r back, apart from the Invalid flags.
func (r Request) String() string {
	var b []byte
	b = appendFlag(b, "no-cache", r.NoCache)
	b = appendFlag(b, "no-store", r.NoStore)
	b = appendDelta(b, "max-age", r.MaxAge)
	if r.MaxStaleAny {
		b = appendFlag(b, "max-stale", true)
	} else {
		b = appendDelta(b, "max-stale", r.MaxStale)
	}
	b = appendDelta(b, "min-fresh", r.MinFresh)
	b = appendFlag(b, "only-if-cached", r.OnlyIfCached)
	b = appendFlag(b, "no-transform", r.NoTransform)
	b = appendDelta(b, "stale-if-error", r.StaleIfError)
	return string(appendExtensions(b, r.Extensions))
}

func minInt(a, b int64) int64 { return min(a, b) }

func maxInt(a, b int64) int64 { return max(a, b) }

func joinFields(names []string) string {
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, n...)
	}
	return string(b)
}

func appendExtensions(b []byte, ext map[string]string) []byte {
	for _, name := range slices.Sorted(maps.Keys(ext)) {
		b = appendArg(b, name, ext[name], false)
	}
	return b
}
