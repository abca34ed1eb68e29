// Package cachekey derives cache keys from requests and redacts what is
// stored of them.
//
// A key is the hex SHA-256 of the method, the normalised URL, the body, the
// matched request headers and, for a request that carries credentials, a
// keyed digest of them (see MAC). Ignored parameters are left out of all of
// them: two requests that differ only in what the cache is told to ignore
// get the same key.
//
// What is normalised, and why each step never merges two resources an origin
// could tell apart:
//   - the scheme and host are lower-cased and a default port dropped (RFC
//     3986 §6.2.2.1, §6.2.3: the same origin);
//   - the fragment and the user information are dropped (neither is sent as
//     part of the target; user information is sent as Authorization, and is
//     a credential here);
//   - an empty path is "/" (RFC 9110 §4.2.3);
//   - query parameters are ordered by name, stably: parameters of the same
//     name keep their relative order, and every parameter keeps its bytes as
//     sent ("a+b" and "a%20b" stay apart, as "?id=2&id=1" and "?id=1&id=2"
//     do), since an origin may read them differently.
package cachekey

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/clientcache/clientcache/internal/credentials"
	"github.com/clientcache/clientcache/internal/vary"
)

// Redacted replaces the value of an ignored parameter or a credential in the
// URLs the cache stores and logs.
const Redacted = "REDACTED"

// ErrNeedsSecret is returned by Key when the request carries credentials and
// no MAC was given: its key cannot be derived without the secret.
var ErrNeedsSecret = errors.New("cachekey: the request carries credentials and the key secret is not available")

// Keyer derives keys. Build it with NewKeyer.
type Keyer struct {
	// MatchHeaders lists the request headers that are part of the key; nil
	// means none.
	MatchHeaders []string
	// MatchAll makes every header part of the key, but the Ignored ones.
	MatchAll bool
	// Ignored lists parameter names (query, form and top-level JSON fields)
	// and header names left out of the key and redacted when stored.
	Ignored []string
	// Credentials names the headers and parameters that carry credentials.
	Credentials *credentials.List
	// ShareCredentials leaves credentials out of the key, so that requests
	// with different credentials (or none) share entries: for a cache with
	// one user only.
	ShareCredentials bool
}

// NewKeyer returns a Keyer with canonical header names and a lower-cased
// ignore list. creds nil means the default credential list.
func NewKeyer(matchHeaders []string, matchAll bool, ignored []string, creds *credentials.List, shareCredentials bool) *Keyer {
	k := &Keyer{MatchAll: matchAll, Credentials: creds, ShareCredentials: shareCredentials}
	if k.Credentials == nil {
		k.Credentials, _ = credentials.New(nil) // the defaults are valid
	}
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

// IsCredential reports whether a header or parameter name carries
// credentials (and is not ignored, which wins).
func (k *Keyer) IsCredential(name string) bool {
	return k.Credentials.Contains(name) && !k.isIgnored(name)
}

// Key returns the key of a request with the given method, URL, header and
// body (nil when there is none). mac may be nil; a request carrying
// credentials then gets ErrNeedsSecret, unless credentials are shared.
func (k *Keyer) Key(method string, u *url.URL, header http.Header, body []byte, mac *MAC) (string, error) {
	var scratch [512]byte
	buf := append(scratch[:0], method...)
	for i := range len(method) {
		if c := buf[i]; 'a' <= c && c <= 'z' {
			buf[i] = c - ('a' - 'A')
		}
	}
	buf = append(buf, ' ')
	buf, err := k.appendKeyURL(buf, u, mac)
	if err != nil {
		return "", err
	}
	names := k.matchedNames(header)
	creds := k.credentialNames(header)
	if len(creds) > 0 || u.User != nil && !k.ShareCredentials {
		if mac == nil {
			return "", ErrNeedsSecret
		}
	} else if len(body) == 0 && len(names) == 0 {
		// The common case: no hash state on the heap.
		var out [2 * sha256.Size]byte
		sum := sha256.Sum256(buf)
		hex.Encode(out[:], sum[:])
		return string(out[:]), nil
	}
	h := sha256.New()
	h.Write(buf)
	h.Write([]byte{'\n'})
	if len(body) > 0 {
		h.Write(k.normalizeBody(header.Get("Content-Type"), body))
	}
	for _, name := range names {
		h.Write([]byte{0})
		h.Write([]byte(name))
		values, ok := k.SelectingValue(name, header.Values(name), mac)
		if !ok {
			return "", ErrNeedsSecret
		}
		for _, v := range values {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	if len(creds) > 0 || u.User != nil && !k.ShareCredentials {
		// Credentials select a response of their own: requests with other
		// credentials, or none, never share it. Only their keyed digest
		// goes in, so a key reveals nothing about them.
		parts := make([]string, 0, 2*len(creds)+2)
		if u.User != nil {
			parts = append(parts, "userinfo", u.User.String())
		}
		for _, name := range creds {
			parts = append(parts, name, strings.Join(header.Values(name), "\x00"))
		}
		h.Write([]byte{2})
		h.Write([]byte(mac.Digest("credentials", parts...)))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:]), nil
}

// credentialNames returns the sorted names of the credential headers h
// carries, unless credentials are shared.
func (k *Keyer) credentialNames(h http.Header) []string {
	if k.ShareCredentials {
		return nil
	}
	var names []string
	for name, values := range h {
		if len(values) > 0 && k.IsCredential(name) {
			names = append(names, http.CanonicalHeaderKey(name))
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// appendKeyURL appends the normalised URL used in keys: scheme and host
// lower-cased, default port, user info and fragment dropped, query ordered
// by name, without ignored parameters, credentials digested. It avoids
// url.URL.String on the hot path.
func (k *Keyer) appendKeyURL(buf []byte, u *url.URL, mac *MAC) ([]byte, error) {
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
		if k.plainQuery(u.RawQuery) {
			buf = append(buf, '?')
			buf = append(buf, u.RawQuery...)
		} else {
			q, err := k.normalizeQuery(u.RawQuery, forKey, mac)
			if err != nil {
				return nil, err
			}
			if q != "" { // only ignored or shared parameters: no query at all
				buf = append(buf, '?')
				buf = append(buf, q...)
			}
		}
	}
	return buf, nil
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// plainQuery reports whether a raw query is already what normalizeQuery
// would make of it for a key: its names in order and plain (no escapes, so
// that they compare as normalizeQuery compares them), none ignored and none
// a credential.
func (k *Keyer) plainQuery(q string) bool {
	prev := ""
	for part := range strings.SplitSeq(q, "&") {
		name, _, _ := strings.Cut(part, "=")
		if part == "" || name < prev || strings.ContainsAny(name, "%+;") || k.isIgnored(name) || k.Credentials.Contains(name) {
			return false
		}
		prev = name
	}
	return true
}

// param is one query parameter: its name decoded (for comparing), and the
// part as sent.
type param struct {
	name string
	raw  string
}

// splitQuery splits a raw query into its parameters, keeping each part's
// bytes. Names that cannot be decoded are compared as they are.
func splitQuery(raw string) []param {
	if raw == "" {
		return nil
	}
	var out []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		out = append(out, param{name: name, raw: part})
	}
	return out
}

type queryMode int

const (
	forKey    queryMode = iota // ignored parameters out, credentials digested
	forStore                   // ignored parameters and credentials redacted
	forIgnore                  // ignored parameters out, the rest as is (bodies)
)

// normalizeQuery orders a raw query's parameters by name, stably, and treats
// ignored parameters and credentials as mode says.
func (k *Keyer) normalizeQuery(raw string, mode queryMode, mac *MAC) (string, error) {
	params := splitQuery(raw)
	slices.SortStableFunc(params, func(a, b param) int { return cmp.Compare(a.name, b.name) })
	var b strings.Builder
	for _, p := range params {
		part := p.raw
		ignored, credential := k.isIgnored(p.name), k.Credentials.Contains(p.name)
		switch {
		case ignored && mode != forStore:
			continue
		case ignored || credential && mode == forStore:
			part = url.QueryEscape(p.name) + "=" + Redacted
		case credential && mode == forKey && k.ShareCredentials:
			continue
		case credential && mode == forKey:
			if mac == nil {
				return "", ErrNeedsSecret
			}
			part = url.QueryEscape(p.name) + "=" + mac.Digest("param", p.name, p.raw)
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String(), nil
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

// MatchedHeader returns the request headers that are part of the key, as
// they are stored: credentials as their keyed digest, ignored headers
// redacted. ok is false when a credential is among them and mac is nil.
func (k *Keyer) MatchedHeader(header http.Header, mac *MAC) (h http.Header, ok bool) {
	names := k.matchedNames(header)
	if len(names) == 0 {
		return nil, true
	}
	out := make(http.Header, len(names))
	for _, name := range names {
		if vs := header.Values(name); len(vs) > 0 {
			if out[name], ok = k.SelectingValue(name, vs, mac); !ok {
				return nil, false
			}
		}
	}
	return out, true
}

// SelectingValue returns what is stored of a request header that selects a
// response (a matched header, or one its Vary names): Redacted for an
// ignored header; the keyed digest of a credential, or of a Referer whose
// URL carries credentials, to be compared with Equal; else a copy of the
// values. ok is false when a digest is needed and mac is nil.
func (k *Keyer) SelectingValue(name string, values []string, mac *MAC) ([]string, bool) {
	switch {
	case len(values) == 0:
		return nil, true
	case k.isIgnored(name):
		return []string{Redacted}, true
	case k.Credentials.Contains(name) || k.carriesCredentials(name, values):
		if mac == nil {
			return nil, false
		}
		// Normalised as Vary compares values, so that a digest matches
		// where the values would.
		return []string{mac.Digest("header", http.CanonicalHeaderKey(name), vary.Normalize(values))}, true
	}
	return slices.Clone(values), true
}

// carriesCredentials reports a Referer whose URL holds user information or
// a credential parameter (a browser sends the full URL of the page).
func (k *Keyer) carriesCredentials(name string, values []string) bool {
	if !strings.EqualFold(name, "Referer") {
		return false
	}
	for _, v := range values {
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil || u.User != nil {
			return true // what cannot be read is kept only as a digest
		}
		for _, p := range splitQuery(u.RawQuery) {
			if k.Credentials.Contains(p.name) {
				return true
			}
		}
	}
	return false
}

// NormalizeURL returns u as the cache stores and logs it: a lower-case
// scheme and host, no default port and no fragment, parameters ordered by
// name, and the values of ignored parameters and credentials, and any user
// information, replaced by Redacted.
func (k *Keyer) NormalizeURL(u *url.URL) string {
	n := *u
	n.Scheme = strings.ToLower(n.Scheme)
	n.Host = strings.ToLower(n.Host)
	if port := n.Port(); (port == "80" && n.Scheme == "http") || (port == "443" && n.Scheme == "https") {
		n.Host = strings.TrimSuffix(n.Host, ":"+port)
	}
	n.Fragment, n.RawFragment = "", ""
	if n.User != nil {
		n.User = url.User(Redacted)
	}
	if n.RawQuery != "" {
		n.RawQuery, _ = k.normalizeQuery(n.RawQuery, forStore, nil) // never fails without a key
	}
	if n.Path == "" && n.Opaque == "" && n.Host != "" {
		n.Path = "/"
	}
	return n.String()
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
		q, _ := k.normalizeQuery(string(body), forIgnore, nil) // never fails without a key
		return []byte(q)
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
