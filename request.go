package clientcache

import (
	"context"
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/freshness"
	"github.com/clientcache/clientcache/internal/glob"
)

// RequestOptions are per-request settings, carried by the request's context
// (see WithRequest). They override the Options and URL patterns of the
// Transport for that one request.
type RequestOptions struct {
	// ExpireAfter as in Options; zero means "not set for this request".
	ExpireAfter time.Duration
	// ExpireAt as in Options.
	ExpireAt time.Time
	// Refresh revalidates a stored response with the origin before using it
	// (a conditional request when it has validators).
	Refresh bool
	// ForceRefresh fetches from the origin whatever is stored, and stores
	// the new response.
	ForceRefresh bool
	// OnlyIfCached never contacts the origin: a request with no usable stored
	// response gets a 504 Gateway Timeout response.
	OnlyIfCached bool
	// Disabled sends this request straight to the origin, reading and storing
	// nothing.
	Disabled bool
}

type requestOptionsKey struct{}

// WithRequest returns a context carrying per-request settings. Use it with
// http.NewRequestWithContext or req.WithContext.
func WithRequest(ctx context.Context, o RequestOptions) context.Context {
	return context.WithValue(ctx, requestOptionsKey{}, o)
}

// settings are what applies to one request once session options, URL
// patterns, the request's context and its Cache-Control are combined.
type settings struct {
	expireAfter  time.Duration
	expireAt     time.Time
	refresh      bool
	forceRefresh bool
	onlyIfCached bool
	disabled     bool
	noStore      bool
	// explicitExpiry is true when options, a pattern or the request set an
	// expiration (in CacheControl mode it then applies to responses that
	// carry no freshness information of their own).
	explicitExpiry bool
	// override is true when a matching pattern's expiration wins over the
	// server's Cache-Control (URLPattern.OverrideCacheControl).
	override bool
	// cc is the request's Cache-Control, parsed in CacheControl mode.
	cc freshness.Request
}

func (c *config) settingsFor(req *http.Request) settings {
	s := settings{expireAfter: c.ExpireAfter, expireAt: c.ExpireAt, disabled: c.Disabled}
	s.explicitExpiry = s.expireAfter != 0 || !s.expireAt.IsZero()
	if len(c.patterns) > 0 {
		target := req.URL.String()
		for _, p := range c.patterns {
			if glob.MatchURL(p.glob, target) {
				if p.ExpireAfter != 0 || !p.ExpireAt.IsZero() {
					s.expireAfter, s.expireAt = p.ExpireAfter, p.ExpireAt
					s.explicitExpiry = true
				}
				s.override = p.OverrideCacheControl
				break
			}
		}
	}
	if o, ok := req.Context().Value(requestOptionsKey{}).(RequestOptions); ok {
		if o.ExpireAfter != 0 || !o.ExpireAt.IsZero() {
			s.expireAfter, s.expireAt = o.ExpireAfter, o.ExpireAt
			s.explicitExpiry = true
		}
		s.refresh = o.Refresh
		s.forceRefresh = o.ForceRefresh
		s.onlyIfCached = o.OnlyIfCached
		s.disabled = s.disabled || o.Disabled
	}
	c.policy.readRequest(req, &s)
	if s.expireAfter == DoNotCache {
		s.disabled = true
	}
	return s
}

// expiry returns when a response received at now goes stale under s; ok is
// false when it must not be stored.
func (s *settings) expiry(now time.Time) (expires time.Time, ok bool) {
	if !s.expireAt.IsZero() {
		return s.expireAt, true
	}
	switch d := s.expireAfter; {
	case d == DoNotCache:
		return time.Time{}, false
	case d == ExpireImmediately:
		return now, true
	case d > 0:
		return now.Add(d), true
	}
	return time.Time{}, true // zero or NeverExpire
}
