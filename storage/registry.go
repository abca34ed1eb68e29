package storage

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Opener opens a Backend from a URL whose scheme it registered for. It
// returns an error, never panics, on a URL it cannot use; the error should
// say what to fix.
type Opener func(ctx context.Context, u *url.URL) (*Backend, error)

var registry = struct {
	sync.RWMutex
	m map[string]Opener
}{m: map[string]Opener{}}

// Register makes a URL scheme known to Open. Store packages call it from
// init. It panics, as sql.Register does, on an empty scheme, a nil opener or
// a scheme registered twice: those are programming errors.
func Register(scheme string, open Opener) {
	scheme = strings.ToLower(scheme)
	registry.Lock()
	defer registry.Unlock()
	if scheme == "" || open == nil {
		panic("storage: Register needs a scheme and an opener")
	}
	if _, dup := registry.m[scheme]; dup {
		panic("storage: Register called twice for scheme " + scheme)
	}
	registry.m[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.m))
	for s := range registry.m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Open opens the Backend that rawURL names, through the store registered for
// its scheme. The caller closes the Backend.
func Open(ctx context.Context, rawURL string) (*Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: %w %q: %w", ErrInvalidURL, rawURL, err)
	}
	if u.Scheme == "" {
		return nil, fmt.Errorf("storage: %w: %q has no scheme; use one of %s", ErrInvalidURL, rawURL, schemeList())
	}
	registry.RLock()
	open := registry.m[strings.ToLower(u.Scheme)]
	registry.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("storage: %w: unknown scheme %q in %q; use one of %s", ErrInvalidURL, u.Scheme, rawURL, schemeList())
	}
	return open(ctx, u)
}

func schemeList() string {
	s := Schemes()
	if len(s) == 0 {
		return "(none: import a store package)"
	}
	for i := range s {
		s[i] += "://"
	}
	return strings.Join(s, ", ")
}
