package clientcache

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/cachecontrol"
	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// decision is what the cache may do with one stored entry for one request.
type decision struct {
	// serve: the entry answers the request without contacting the origin.
	serve bool
	// staleWhileRevalidate: serve it now and revalidate in the background.
	staleWhileRevalidate bool
	// staleIfError: serve it if the origin fails.
	staleIfError bool
	// age is the entry's current age (RFC 9111 §4.2.3), for the Age header.
	age time.Duration
	// ttl is how long it stays fresh (negative once stale).
	ttl time.Duration
}

// decide applies the cache's rules to a stored entry at now: the Options'
// expiry in the default mode, RFC 9111 in CacheControl mode.
func (t *Transport) decide(s *settings, e *entry.Entry, now time.Time) decision {
	d := decision{age: e.Age(now)}
	if !t.cfg.CacheControl {
		d.serve = !s.refresh && !e.IsExpired(now)
		d.staleIfError = t.withinStaleIfError(e, now)
		d.ttl = ttlOf(e, now)
		return d
	}
	resp := newFreshness(e)
	if e.Flags&entry.OptionsExpiry != 0 {
		resp = optionsFreshness(resp, e)
	}
	cc := &resp.CacheControl
	if len(cc.NoCacheFields) > 0 {
		// Qualified no-cache is handled as unqualified, as RFC 9111 §5.2.2.4
		// allows: always revalidate rather than edit the response.
		cc.NoCache = true
	}
	u := freshness.Decide(&s.cc, &resp, now, t.cfg.Shared)
	d.serve = u.Serve && !s.refresh
	d.staleWhileRevalidate = !d.serve && u.StaleWhileRevalidate && !s.refresh
	forbidsStale := cc.MustRevalidate || t.cfg.Shared && (cc.ProxyRevalidate || cc.SMaxAge.Present)
	d.staleIfError = u.StaleIfError || t.withinStaleIfError(e, now) && !forbidsStale && !cc.NoCache
	d.ttl = u.Lifetime - u.Age
	return d
}

func ttlOf(e *entry.Entry, now time.Time) time.Duration {
	if e.Expires.IsZero() {
		return freshness.MaxDuration
	}
	return e.Expires.Sub(now)
}

// optionsFreshness replaces the server's freshness information with the
// expiry the options gave the entry: fresh until e.Expires, counted from
// when it was received, whatever max-age, Expires or no-cache said.
func optionsFreshness(r freshness.Response, e *entry.Entry) freshness.Response {
	lifetime := time.Duration(freshness.MaxDuration)
	if !e.Expires.IsZero() {
		lifetime = max(e.Expires.Sub(e.Created), 0)
	}
	cc := r.CacheControl
	cc.NoCache, cc.NoCacheFields, cc.NoStore = false, nil, false
	cc.SMaxAge = cachecontrol.Delta{}
	cc.MaxAge = cachecontrol.Delta{Present: true, Seconds: int64((lifetime + time.Second - 1) / time.Second)}
	r.CacheControl = cc
	r.HasExpires, r.ExpiresValid = false, false
	r.Date, r.HasDate, r.Age = e.Created, true, 0
	return r
}

func (t *Transport) withinStaleIfError(e *entry.Entry, now time.Time) bool {
	return t.cfg.StaleIfError > 0 && !e.Expires.IsZero() && now.Before(e.Expires.Add(t.cfg.StaleIfError))
}

// storePolicy decides whether resp may be stored, until when it is fresh,
// and which of its header fields are kept.
func (t *Transport) storePolicy(req *http.Request, resp *http.Response, s *settings, requested, now time.Time) (expires time.Time, flags entry.Flags, ok bool) {
	if !t.cfg.CacheControl || s.override {
		if !t.cfg.codeAllowed(resp.StatusCode) || resp.StatusCode == http.StatusPartialContent {
			return time.Time{}, 0, false
		}
		expires, ok = s.expiry(now)
		return expires, entry.OptionsExpiry, ok
	}
	if t.cfg.codesExplicit && !t.cfg.codeAllowed(resp.StatusCode) {
		return time.Time{}, 0, false
	}
	fr := freshness.NewResponse(resp.StatusCode, resp.Header, requested, now)
	if ok, reason := freshness.Storable(&s.cc, &fr, t.cfg.Shared); !ok {
		t.cfg.logger.DebugContext(req.Context(), "clientcache: response not stored", "url", t.cfg.logURL(req.URL), "reason", reason)
		return time.Time{}, 0, false
	}
	cc := &fr.CacheControl
	explicit := cc.MaxAge.Present || t.cfg.Shared && cc.SMaxAge.Present || fr.HasExpires
	if !explicit && s.explicitExpiry {
		// No freshness from the server: the options decide (requests-cache's
		// precedence), unless they say not to cache.
		expires, ok = s.expiry(now)
		return expires, entry.OptionsExpiry, ok
	}
	expires = fr.StaleAt(t.cfg.Shared)
	if !expires.After(now) && !hasValidators(resp.Header) && !cc.StaleIfError.Present && !cc.StaleWhileRevalidate.Present {
		return time.Time{}, 0, false // stale at once and never revalidatable: storing helps nobody
	}
	return expires, 0, true
}

// strippedForShared removes from a header a shared cache stores the fields
// meant for one client: Set-Cookie (stored at all only with AllowSetCookie),
// and those a qualified private directive names, which a shared cache may
// store the rest of the response without (RFC 9111 §5.2.2.7).
func (t *Transport) strippedForShared(h http.Header) {
	if !t.cfg.Shared {
		return
	}
	delete(h, "Set-Cookie")
	if !t.cfg.CacheControl {
		return
	}
	for _, name := range cachecontrol.ParseResponse(h).PrivateFields {
		h.Del(name)
	}
}

// qualifiedNames reports, in CacheControl mode, whether a qualified private
// or no-cache directive names field: the origin then lets a shared cache
// store the rest of the response (RFC 9111 §5.2.2.4, §5.2.2.7).
func (t *Transport) qualifiedNames(h http.Header, field string) bool {
	if !t.cfg.CacheControl {
		return false
	}
	cc := cachecontrol.ParseResponse(h)
	named := func(name string) bool { return strings.EqualFold(name, field) }
	return slices.ContainsFunc(cc.PrivateFields, named) || slices.ContainsFunc(cc.NoCacheFields, named)
}

// isSafe reports the methods that never change the origin's state (RFC 9110
// §9.2.1); any other method, unknown ones included, invalidates.
func isSafe(method string) bool {
	return slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace}, method)
}
