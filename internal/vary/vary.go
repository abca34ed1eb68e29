// Package vary implements the Vary matching of RFC 9111 §4.1: which request
// header fields a stored response was selected by, and whether a new request
// presents the same values.
//
// A cache stores, with each response, the values of the request fields that
// Fields(response.Header) names; a later request may reuse the response only
// if it presents the same values. Values are compared after Normalize,
// which applies the transformations RFC 9111 §4.1 lists that hold for any
// field: combining field lines and adding or removing whitespace where the
// syntax allows it. Normalizations specific to one field (reordering, case)
// are not applied, so a difference they would hide only costs a cache miss.
package vary

import (
	"net/http"
	"strings"
)

// Fields returns the request field names the Vary field lines of a response
// header nominate (RFC 9110 §12.5.5), canonicalised and without duplicates, in
// order of appearance, and whether the response varies on "*" — a member "*"
// in any position, on any line. A stored response with star set never matches
// a later request (RFC 9111 §4.1). A member that is not a field name (a token)
// cannot be matched either, so it sets star too.
func Fields(h http.Header) (names []string, star bool) {
	for _, line := range h["Vary"] { // canonical name: no need to canonicalise per call
		for m := range strings.SplitSeq(line, ",") {
			m = strings.Trim(m, " \t")
			switch {
			case m == "":
				// Empty list members are ignored (RFC 9110 §5.6.1).
			case m == "*" || !isToken(m):
				star = true
			default:
				name := http.CanonicalHeaderKey(m)
				if !contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	return names, star
}

// Normalize returns the field value of values, the field lines of one field,
// in a normal form: the lines are combined as one comma-separated list (RFC
// 9110 §5.3), and, outside quoted-strings, whitespace around commas is
// removed, runs of spaces and tabs become one space, leading and trailing
// whitespace is dropped, empty list members are dropped (RFC 9110 §5.6.1) and
// the members are joined with ", ". Quoted-strings are kept byte for byte.
// Normalize is idempotent: Normalize([]string{Normalize(v)}) == Normalize(v).
func Normalize(values []string) string {
	var out []byte
	var member []byte
	pending := false // a whitespace run outside quotes not yet written
	inQuote, escaped := false, false
	flush := func() {
		if len(member) > 0 {
			if len(out) > 0 {
				out = append(out, ", "...)
			}
			out = append(out, member...)
		}
		member = member[:0]
		pending = false
	}
	feed := func(c byte) {
		switch {
		case inQuote:
			member = append(member, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
		case c == ',':
			flush()
		case c == ' ' || c == '\t':
			pending = len(member) > 0
		default:
			if pending {
				member = append(member, ' ')
				pending = false
			}
			member = append(member, c)
			inQuote = c == '"'
		}
	}
	for i, v := range values {
		if i > 0 {
			// Field lines combine as if joined by a comma (RFC 9110 §5.3); an
			// unterminated quoted-string swallows it like any other byte.
			feed(',')
		}
		for j := 0; j < len(v); j++ {
			feed(v[j])
		}
	}
	flush()
	return string(out)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isToken reports whether s is a token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}
