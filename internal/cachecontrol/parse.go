package cachecontrol

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxDelta is the largest delta-seconds value a cache needs to represent:
// RFC 9111 §1.2.2 says a larger value, or an overflowing calculation, is to be
// taken as 2147483648 (2^31) seconds, a little over 68 years.
const MaxDelta = 1 << 31

// Delta is the argument of a delta-seconds directive (RFC 9111 §1.2.2), such
// as max-age, after the duplicate and invalid-value rules of this package
// have been applied (see the package documentation).
type Delta struct {
	// Present reports whether the directive appeared at all.
	Present bool
	// Invalid reports that the argument was missing or malformed, or, in a
	// response, that the directive appeared with different values. Seconds
	// then already holds the most restrictive reading, so callers can use
	// Seconds alone; Invalid is informational.
	Invalid bool
	// Seconds is the value, from 0 to MaxDelta. It is 0 when !Present.
	Seconds int64
}

// Duration returns d.Seconds as a time.Duration; MaxDelta seconds fits.
func (d Delta) Duration() time.Duration {
	return time.Duration(d.Seconds) * time.Second
}

// directive is one list member of a Cache-Control or Pragma field value
// (RFC 9111 §5.2: token [ "=" ( token / quoted-string ) ]).
type directive struct {
	name     string // lower-cased; directive names are case-insensitive (§5.2)
	value    string // the argument, with a quoted-string unquoted (RFC 9110 §5.6.4)
	hasValue bool   // "=" was present
	bad      bool   // the member had a name but was otherwise malformed
}

// plain reports whether d is a well-formed directive without an argument.
func (d directive) plain() bool { return !d.hasValue && !d.bad }

// parse calls fn for every directive of every field line in lines, in order.
// Field lines are combined as RFC 9110 §5.3 says (as if joined with commas),
// empty list members are ignored (RFC 9110 §5.6.1), and a member that does not
// start with a token is skipped. A member that starts with a token but is
// otherwise malformed ("max-age = 5", "max-age=5 6", an unterminated
// quoted-string) is reported with bad set, so that the caller can apply the
// most restrictive reading. It returns the number of directives reported.
func parse(lines []string, fn func(directive)) int {
	n := 0
	for _, s := range lines {
		i := 0
		for {
			for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
				i++
			}
			if i >= len(s) {
				break
			}
			start := i
			for i < len(s) && isTchar(s[i]) {
				i++
			}
			if i == start { // no name to recover: ignore the member
				i = skipMember(s, i)
				continue
			}
			d := directive{name: strings.ToLower(s[start:i])}
			if i < len(s) && s[i] == '=' {
				i++
				d.hasValue = true
				if i < len(s) && s[i] == '"' {
					v, m, ok := unquote(s[i:])
					if ok {
						d.value = v
						i += m
					} else {
						d.bad = true
						i = skipMember(s, i)
					}
				} else {
					vs := i
					for i < len(s) && isTchar(s[i]) {
						i++
					}
					d.value = s[vs:i]
					d.bad = i == vs
				}
			}
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			if j < len(s) && s[j] != ',' {
				d.bad = true
				j = skipMember(s, j)
			}
			i = j
			n++
			fn(d)
		}
	}
	return n
}

// skipMember returns the index of the next comma at or after i that is not
// inside a quoted-string, or len(s).
func skipMember(s string, i int) int {
	inQuote := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			return i
		}
	}
	return len(s)
}

// unquote parses the quoted-string at the start of s (RFC 9110 §5.6.4),
// returning its content with quoted-pairs unescaped and the number of bytes it
// spans. It fails on an unterminated string or a character that qdtext and
// quoted-pair do not allow (controls other than HTAB, and DEL).
func unquote(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, true
		case c == '\\':
			i++
			if i == len(s) || !isQDText(s[i]) && s[i] != '"' && s[i] != '\\' {
				return "", 0, false
			}
			b.WriteByte(s[i])
		case isQDText(c):
			b.WriteByte(c)
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// isQDText reports whether c is qdtext: HTAB, SP, VCHAR except DQUOTE and
// backslash, or obs-text.
func isQDText(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
}

// isTchar reports whether c is a tchar (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return s != ""
}

// seconds parses d's argument as delta-seconds (RFC 9111 §1.2.2: 1*DIGIT, in
// token or quoted-string form per §5.2), capping it at MaxDelta.
func seconds(d directive) (int64, bool) {
	if !d.hasValue || d.bad || d.value == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(d.value); i++ {
		c := d.value[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < MaxDelta {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, MaxDelta), true
}

// fieldNames parses the argument of the qualified forms of no-cache and
// private (RFC 9111 §5.2.2.4, §5.2.2.7: a quoted-string holding #field-name;
// the token form is accepted too) and appends the canonical names to dst,
// skipping duplicates. It fails on a missing or empty list or a member that
// is not a token, which the callers treat as the unqualified directive.
func fieldNames(dst []string, d directive) ([]string, bool) {
	if !d.hasValue || d.bad {
		return dst, false
	}
	var names []string
	for m := range strings.SplitSeq(d.value, ",") {
		m = strings.Trim(m, " \t")
		if m == "" {
			continue
		}
		if !isToken(m) {
			return dst, false
		}
		names = append(names, http.CanonicalHeaderKey(m))
	}
	if len(names) == 0 {
		return dst, false
	}
	for _, n := range names {
		if !contains(dst, n) {
			dst = append(dst, n)
		}
	}
	return dst, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// addExtension records an unrecognised, well-formed directive, keeping the
// first occurrence (RFC 9111 §5.2.3: unknown directives are ignored, but a
// caller may understand them).
func addExtension(m map[string]string, d directive) map[string]string {
	if d.bad {
		return m
	}
	if m == nil {
		m = make(map[string]string)
	}
	if _, ok := m[d.name]; !ok {
		m[d.name] = d.value
	}
	return m
}

// appendArg appends name, or name=value with value as a token or a
// quoted-string, and a separator when b is not empty.
func appendArg(b []byte, name, value string, quote bool) []byte {
	if len(b) > 0 {
		b = append(b, ", "...)
	}
	b = append(b, name...)
	if value == "" && !quote {
		return b
	}
	b = append(b, '=')
	if !quote && isToken(value) {
		return append(b, value...)
	}
	b = append(b, '"')
	for i := 0; i < len(value); i++ {
		if value[i] == '"' || value[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, value[i])
	}
	return append(b, '"')
}

func appendDelta(b []byte, name string, d Delta) []byte {
	if !d.Present {
		return b
	}
	return appendArg(b, name, strconv.FormatInt(d.Seconds, 10), false)
}

func appendFlag(b []byte, name string, on bool) []byte {
	if !on {
		return b
	}
	return appendArg(b, name, "", false)
}
