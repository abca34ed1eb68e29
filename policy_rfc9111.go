package clientcache

import (
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/cachecontrol"
	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// rfcPolicy is Options.CacheControl: RFC 9111 decides, through
// internal/freshness, as a private or (Options.Shared) a shared cache.
// Options' expirations apply to responses without freshness information of
// their own, and a URL pattern with OverrideCacheControl replaces the
// server's (freshness.Override).
type rfcPolicy struct{ cfg *config }

func (p rfcPolicy) readRequest(req *http.Request, s *settings) {
	s.cc = freshness.NewRequest(req.Method, req.Header)
	if req.URL.User != nil {
		s.cc.Authorization = true // credentials in the URL count as Authorization
	}
	s.noStore = s.noStore || s.cc.CacheControl.NoStore
	s.onlyIfCached = s.onlyIfCached || s.cc.CacheControl.OnlyIfCached
}

func (p rfcPolicy) decide(s *settings, e *entry.Entry, now time.Time) decision {
	resp := newFreshness(e)
	if e.Flags&entry.OptionsExpiry != 0 {
		// The options gave it its expiry: fresh until then, whatever its
		// header says.
		lifetime := time.Duration(freshness.MaxDuration)
		if !e.Expires.IsZero() {
			lifetime = max(e.Expires.Sub(e.Created), 0)
		}
		resp.Override = freshness.Override{Present: true, Lifetime: lifetime}
	}
	cc := &resp.CacheControl
	if len(cc.NoCacheFields) > 0 {
		// Qualified no-cache is handled as unqualified, as RFC 9111 §5.2.2.4
		// allows: always revalidate rather than edit the response.
		cc.NoCache = true
	}
	shared := p.cfg.Shared
	u := freshness.Decide(&s.cc, &resp, now, shared)
	d := decision{age: e.Age(now), ttl: u.Lifetime - u.Age}
	d.serve = u.Serve && !s.refresh
	d.staleWhileRevalidate = !d.serve && u.StaleWhileRevalidate && !s.refresh
	overridden := resp.Override.Present
	forbidsStale := cc.MustRevalidate || shared && (cc.ProxyRevalidate || cc.SMaxAge.Present && !overridden)
	mayServeStale := !forbidsStale && !(cc.NoCache && !overridden)
	d.staleIfError = u.StaleIfError || p.cfg.withinStaleIfError(e, now) && mayServeStale
	// RFC 9111 §4.2.4: a cache disconnected from the origin may serve
	// stale responses, unless they forbid it.
	d.staleIfUnreachable = p.cfg.withinStaleIfUnreachable(e, now) && mayServeStale
	return d
}

func (p rfcPolicy) admit(req *http.Request, resp *http.Response, s *settings, requested, now time.Time) (time.Time, entry.Flags, bool) {
	cfg := p.cfg
	if s.override {
		return cfg.admitByOptions(resp, s, now)
	}
	if cfg.codesExplicit && !cfg.codeAllowed(resp.StatusCode) {
		return time.Time{}, 0, false
	}
	fr := freshness.NewResponse(resp.StatusCode, resp.Header, requested, now)
	if ok, reason := freshness.Storable(&s.cc, &fr, cfg.Shared); !ok {
		cfg.logger.DebugContext(req.Context(), "clientcache: response not stored", "url", cfg.logURL(req.URL), "reason", reason)
		return time.Time{}, 0, false
	}
	cc := &fr.CacheControl
	explicit := cc.MaxAge.Present || cfg.Shared && cc.SMaxAge.Present || fr.HasExpires
	if !explicit && s.explicitExpiry {
		// No freshness from the server: the options decide (requests-cache's
		// precedence), unless they say not to cache.
		expires, ok := s.expiry(now)
		return expires, entry.OptionsExpiry, ok
	}
	expires := fr.StaleAt(cfg.Shared)
	if !expires.After(now) && !hasValidators(resp.Header) && !cc.StaleIfError.Present && !cc.StaleWhileRevalidate.Present {
		return time.Time{}, 0, false // stale at once and never revalidatable: storing helps nobody
	}
	return expires, 0, true
}

// refreshed: the updated header is what the cache must obey. When it no
// longer allows storing (the origin now says no-store, or private to a
// shared cache, RFC 9111 §3), the stored response must go rather than be
// kept, and reused, under it.
func (p rfcPolicy) refreshed(e *entry.Entry, s *settings, now time.Time) (time.Time, bool, string) {
	if e.Flags&entry.OptionsExpiry != 0 {
		return optionsPolicy(p).refreshed(e, s, now)
	}
	fr := newFreshness(e)
	if ok, why := freshness.Storable(&s.cc, &fr, p.cfg.Shared); !ok {
		return e.Expires, false, why
	}
	return fr.StaleAt(p.cfg.Shared), true, ""
}

// serverError: the four statuses RFC 5861 §4 names.
func (rfcPolicy) serverError(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (rfcPolicy) qualified(h http.Header) (private, noCache []string) {
	cc := cachecontrol.ParseResponse(h)
	return cc.PrivateFields, cc.NoCacheFields
}
