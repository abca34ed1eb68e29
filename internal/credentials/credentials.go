// Package credentials names the request fields that carry credentials: the
// header fields and query parameters whose values the cache never stores in
// clear, never writes to a log, and mixes into cache keys and Vary selections
// only as a keyed digest. One list serves the key, the redaction of stored
// URLs and headers, and the proxy's access log, so that they cannot disagree.
package credentials

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clientcache/clientcache/internal/glob"
)

// Defaults are the names every List knows, as patterns over normalised names
// (see Normalize): the credential header fields of HTTP, and the families of
// parameter and header names that APIs use for keys, tokens, signatures and
// sessions (AWS SigV4's X-Amz-Signature, X-Amz-Credential and
// X-Amz-Security-Token among them).
var Defaults = []string{
	"authorization", "proxy_authorization", "cookie",
	"*token*", "*secret*", "*signature*", "*password*", "*passwd*", "*credential*",
	"*api_key*", "*apikey*", "*session_id*", "*sessionid*", "*sessid*",
	"auth", "jwt", "key", "sig", "session",
}

// Normalize returns the form names are compared in: ASCII lower case, with
// '-' read as '_', so that the header X-Api-Key and the parameter x_api_key
// are one name.
func Normalize(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-':
			return '_'
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, name)
}

// List decides which names are credentials. It is safe for concurrent use.
type List struct {
	patterns []string // normalised globs

	// seen remembers answers by the name as given (header and parameter
	// names repeat from request to request): a map replaced, never changed,
	// so that the hot path reads it without a lock. It is bounded, so that
	// hostile names cannot grow it.
	seen atomic.Pointer[map[string]bool]
	mu   sync.Mutex // serialises replacements of seen
}

const maxSeen = 1024

// New returns the List of the Defaults and extra, patterns where "*" matches
// any run of characters ("*-key", "x-internal-*"), compared as Normalize
// does. It fails on an empty pattern or one with spaces or control
// characters.
func New(extra []string) (*List, error) {
	l := &List{}
	for _, p := range slices.Concat(Defaults, extra) {
		if strings.TrimSpace(p) == "" || strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return nil, fmt.Errorf("credential name %q: want a header or parameter name, \"*\" for any run of characters", p)
		}
		l.patterns = append(l.patterns, Normalize(p))
	}
	return l, nil
}

// Contains reports whether name is a credential.
func (l *List) Contains(name string) bool {
	if m := l.seen.Load(); m != nil {
		if found, ok := (*m)[name]; ok {
			return found
		}
	}
	n := Normalize(name)
	found := slices.ContainsFunc(l.patterns, func(p string) bool { return glob.Match(p, n) })
	l.remember(name, found)
	return found
}

// remember adds an answer to seen, in a new map, while there is room.
func (l *List) remember(name string, found bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.seen.Load()
	if old != nil && len(*old) >= maxSeen {
		return
	}
	m := make(map[string]bool, 1)
	if old != nil {
		m = make(map[string]bool, len(*old)+1)
		for k, v := range *old {
			m[k] = v
		}
	}
	m[name] = found
	l.seen.Store(&m)
}
