// Package cachekey derives cache keys from requests and redacts what is
// stored of them.
//
// A key is the hex SHA-256 of the method, the normalised URL, the body and
// the matched request headers, with ignored parameters removed from all of
// them. Two requests that differ only in what the cache is told to ignore get
// the same key.
package cachekey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Redacted replaces the value of an ignored or secret parameter in what the
// cache stores.
const Redacted = "REDACTED"

// secretHeaders are never stored in clear, whatever the options.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// secretParams are query and form parameters commonly used for credentials;
// they stay in the key (different keys, different responses) but their values
// are never stored in clear.
var secretParams = []string{
	"access_token", "api_key", "apikey", "api-key", "auth", "client_secret",
	"key", "password", "secret", "sig", "signature", "token", "x-api-key",
}

// Keyer derives keys. Its zero value matches no headers and ignores nothing.
type Keyer struct {
	// MatchHeaders lists the request headers that are part of the key; nil
	// means none.
	MatchHeaders []string
	// MatchAll makes every header part of the key, but the Ignored ones.
	MatchAll bool
	// Ignored lists parameter names (query, form and top-level JSON fields)
	// and header names left out of the key and redacted when stored.
	Ignored []string
}

// NewKeyer returns a Keyer with canonical header names and a lower-cased
// ignore list.
func NewKeyer(matchHeaders []string, matchAll bool, ignored []string) *Keyer {
	k := &Keyer{MatchAll: matchAll}
	for _, h := range matchHeaders {
		k.MatchHeaders = append(k.MatchHeaders, http.CanonicalHeaderKey(h))
	}
	slices.Sort(k.MatchHeaders)
	for _, p := range ignored {
		k.Ignored = append(k.Ignored, strings.ToLower(p))
	}
	return k
}

func (k *Keyer) isIgnored(name string) bool {
	return len(k.Ignored) > 0 && slices.Contains(k.Ignored, strings.ToLower(name))
}

func isSecretParam(name string) bool {
	return slices.Contains(secretParams, strings.ToLower(name))
}

// Key returns the key of a request with the given method, URL, header and
// body (nil when there is none).
func (k *Keyer) Key(method string, u *url.URL, header http.Header, body []byte) string {
	var scratch [512]byte
	buf := append(scratch[:0], method...)
	for i := range len(method) {
		if c := buf[i]; 'a' <= c && c <= 'z' {
			buf[i] = c - ('a' - 'A')
		}
	}
	buf = append(buf, ' ')
	buf = k.appendKeyURL(buf, u)
	names := k.matchedNames(header)
	var sum [sha256.Size]byte
	if len(body) == 0 && len(names) == 0 {
		sum = sha256.Sum256(buf) // the common case: no hash state on the heap
	} else {
		h := sha256.New()
		h.Write(buf)
		h.Write([]byte{'\n'})
		if len(body) > 0 {
			h.Write(k.normalizeBody(header.Get("Content-Type"), body))
		}
		for _, name := range names {
			h.Write([]byte{0})
			h.Write([]byte(name))
			for _, v := range header.Values(name) {
				h.Write([]byte{1})
				h.Write([]byte(v))
			}
		}
		h.Sum(sum[:0])
	}
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// appendKeyURL appends the normalised URL used in keys: scheme and host
// lower-cased, default port, user info and fragment dropped, query sorted
// and without ignored parameters. It avoids url.URL.String on the hot path.
func (k *Keyer) appendKeyURL(buf []byte, u *url.URL) []byte {
	start := len(buf)
	buf = append(buf, u.Scheme...)
	buf = append(buf, "://"...)
	host := u.Host
	if port := u.Port(); (port == "80" && strings.EqualFold(u.Scheme, "http")) || (port == "443" && strings.EqualFold(u.Scheme, "https")) {
		host = host[:len(host)-len(port)-1]
	}
	buf = append(buf, host...)
	lowerASCII(buf[start:])
	if u.Opaque != "" {
		buf = append(buf, u.Opaque...)
	} else if p := u.EscapedPath(); p != "" {
		buf = append(buf, p...)
	} else {
		buf = append(buf, '/')
	}
	if u.RawQuery != "" {
		buf = append(buf, '?')
		if len(k.Ignored) == 0 && sortedPlainQuery(u.RawQuery) {
			buf = append(buf, u.RawQuery...)
		} else {
			buf = append(buf, k.normalizeQuery(u.RawQuery, false)...)
		}
	}
	return buf
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// sortedPlainQuery reports whether a raw query is already what
// normalizeQuery would make of it: parameters in order, and only characters
// that url.Values.Encode leaves as they are.
func sortedPlainQuery(q string) bool {
	prev := ""
	for part := range strings.SplitSeq(q, "&") {
		if part == "" || part < prev {
			return false
		}
		for i := range len(part) {
			c := part[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '=') {
				return false
			}
		}
		if strings.Count(part, "=") != 1 {
			return false
		}
		prev = part
	}
	return true
}

// VariantKey derives the key of one Vary variant of a response stored under
// base, from the normalised values of the headers it varies on.
func VariantKey(base string, varyValues []string) string {
	h := sha256.New()
	h.Write([]byte(base))
	for _, v := range varyValues {
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

func (k *Keyer) matchedNames(header http.Header) []string {
	if k.MatchAll {
		names := make([]string, 0, len(header))
		for name := range header {
			if !k.isIgnored(name) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		return names
	}
	return k.MatchHeaders
}

// MatchedHeader returns the request headers that are part of the key,
// redacted for storage.
func (k *Keyer) MatchedHeader(header http.Header) http.Header {
	names := k.matchedNames(header)
	if len(names) == 0 {
		return nil
	}
	out := make(http.Header, len(names))
	for _, name := range names {
		if vs := header.Values(name); len(vs) > 0 {
			out[name] = k.RedactHeaderValues(name, vs)
		}
	}
	return out
}

// RedactHeaderValues returns values, or a redacted copy when the header is
// secret or ignored.
func (k *Keyer) RedactHeaderValues(name string, values []string) []string {
	if slices.Contains(secretHeaders, http.CanonicalHeaderKey(name)) || k.isIgnored(name) {
		return []string{Redacted}
	}
	return slices.Clone(values)
}

// NormalizeURL returns u with a lower-case scheme and host, the default port
// and the fragment dropped, and the query sorted. Ignored parameters are
// removed; when redact is true they, and credential-like parameters, are kept
// with their values replaced by Redacted instead, and any user info is masked.
func (k *Keyer) NormalizeURL(u *url.URL, redact bool) string {
	n := *u
	n.Scheme = strings.ToLower(n.Scheme)
	n.Host = strings.ToLower(n.Host)
	if port := n.Port(); (port == "80" && n.Scheme == "http") || (port == "443" && n.Scheme == "https") {
		n.Host = strings.TrimSuffix(n.Host, ":"+port)
	}
	n.Fragment, n.RawFragment = "", ""
	if n.User != nil {
		if redact {
			n.User = url.User(Redacted)
		} else {
			n.User = nil // credentials select no different resource for the cache
		}
	}
	if n.RawQuery != "" {
		n.RawQuery = k.normalizeQuery(n.RawQuery, redact)
	}
	if n.Path == "" {
		n.Path = "/"
	}
	return n.String()
}

func (k *Keyer) normalizeQuery(raw string, redact bool) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		// Unparseable queries are kept as they are: the key still separates them.
		return raw
	}
	for name, vs := range q {
		switch {
		case k.isIgnored(name) && !redact:
			delete(q, name)
		case redact && (k.isIgnored(name) || isSecretParam(name)):
			q[name] = []string{Redacted}
		default:
			slices.Sort(vs)
		}
	}
	return q.Encode() // Encode sorts by name
}

// normalizeBody removes ignored fields from a form or top-level JSON body so
// that they do not change the key. Other bodies are used as they are.
func (k *Keyer) normalizeBody(contentType string, body []byte) []byte {
	if len(k.Ignored) == 0 {
		return body
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		return []byte(k.normalizeQuery(string(body), false))
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return body
		}
		for name := range obj {
			if k.isIgnored(name) {
				delete(obj, name)
			}
		}
		if out, err := json.Marshal(obj); err == nil { // sorted keys
			return out
		}
	}
	return body
}
