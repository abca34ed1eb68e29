package clientcache

import (
	"net/url"
	"strings"
)

// Confining forwarded paths to the upstream URL's path.
//
// The proxy appends the client's path, exactly as sent, to the upstream
// URL's path. A dot segment in it could make an upstream that resolves dot
// segments (RFC 3986 §5.2.4) serve a path outside that prefix:
// "GET /../../x" to upstream http://h/base/ would reach it as
// /base/../../x, that is /x. So could the same segment spelled with
// percent-encoded dots (%2e%2e, .%2E), or delimited by something that only
// some servers split paths on: an encoded slash (%2F), a backslash or its
// encoding (%5C), a ";" parameter (Tomcat reads "..;x" as ".."), or a
// double encoding (%252e).
//
// The proxy refuses such a request (400 Bad Request) rather than resolving
// its dot segments, for three reasons. Resolving alone cannot confine a
// path: whether the upstream splits on %2F, \ or ";", or decodes twice, is
// the upstream's business, so those forms would have to be refused anyway.
// Refusing keeps every request it forwards exactly as the client sent it,
// as the ReverseProxy doc promises (the cache keys it verbatim too), where
// resolving would rewrite legitimate paths that upstreams may treat as
// distinct. And nothing legitimate is lost: clients remove dot segments
// before sending (RFC 3986 §5.2), so a ".." that climbs above the root comes
// from a hand-made request line (curl --path-as-is, a raw socket) or an
// attack. Dot segments that stay within the path, as in /a/./b or
// /a/../b, are forwarded as they are, for the upstream to resolve or not:
// either way the result stays under its path.

// pathOutsideUpstream says why the path of a request to the proxy could
// reach outside the upstream URL's path once appended to it, or returns ""
// when it cannot.
//
// It walks the path's "/"-separated segments, as forwarded (the escaped
// path), counting the depth below the upstream's path: a plain "." or ".."
// (dots possibly percent-encoded) counts as every server resolves it, and
// a ".." that climbs above the start is refused. A segment that hides a dot
// segment any other way (see above) is refused wherever it stands. An empty
// segment, or one made only of encoded slashes and backslashes, counts for
// nothing, since some servers merge slashes; every other segment counts one
// level. Counting the least depth any server could see makes the check hold
// for every way of reading the path.
func pathOutsideUpstream(u *url.URL) string {
	if u.Opaque != "" {
		// "GET x:../y HTTP/1.1": net/http would forward the opaque part as
		// the request target, bypassing the upstream's path entirely.
		return "the request target is an opaque URL"
	}
	depth := 0
	for seg := range strings.SplitSeq(u.EscapedPath(), "/") {
		switch d := decodeDots(seg); {
		case d == ".":
		case d == "..":
			if depth--; depth < 0 {
				return "a .. segment climbs above the upstream's path"
			}
		default:
			hidden, empty := readSegment(seg)
			if hidden {
				return "a dot segment is hidden by an encoded slash, a backslash, a ';' or a double encoding"
			}
			if !empty {
				depth++
			}
		}
	}
	return ""
}

// decodeDots returns seg with its percent-encoded dots decoded.
func decodeDots(seg string) string {
	if !strings.Contains(seg, "%") {
		return seg
	}
	return strings.NewReplacer("%2e", ".", "%2E", ".").Replace(seg)
}

// readSegment reads one "/"-separated segment of an escaped path the way the
// most liberal server could: percent-decoded repeatedly, split on '/' and
// '\', each part cut at ';'. hidden reports a part that is "." or "..";
// empty reports that every part is empty.
func readSegment(seg string) (hidden, empty bool) {
	s := seg
	// Each round decodes one level of encoding and shortens s; a few
	// rounds cover every double encoding anyone has exploited.
	for range 4 {
		d := unescapeLenient(s)
		if d == s {
			break
		}
		s = d
	}
	empty = true
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		part, _, _ = strings.Cut(part, ";")
		if part == "." || part == ".." {
			return true, false
		}
		if part != "" {
			empty = false
		}
	}
	return false, empty
}

// unescapeLenient decodes the valid %XX escapes of s and leaves the rest,
// such as a lone '%', as it is.
func unescapeLenient(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
