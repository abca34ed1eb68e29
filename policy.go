package clientcache

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
)

// policy is where the cache's two modes differ: what a request's directives
// ask, when a stored response may be served, whether and until when a
// response may be stored, and which of HTTP's other caching rules apply.
// newConfig picks the mode once: optionsPolicy (requests-cache's behaviour:
// the Options decide) or rfcPolicy (RFC 9111: the server's header decides);
// nothing else asks which mode the cache is in. A new request or response
// directive goes into rfcPolicy (and internal/cachecontrol, which parses
// it); a new option that changes decisions goes into the policy it concerns.
//
// It is a struct that dispatches, not an interface: settings passed through
// an interface method would escape to the heap on every request.
type policy struct {
	rfc     bool
	options optionsPolicy
	rfc9111 rfcPolicy
}

func newPolicy(c *config) policy {
	return policy{rfc: c.CacheControl, options: optionsPolicy{c}, rfc9111: rfcPolicy{c}}
}

// readRequest reads req's caching directives (Cache-Control, Pragma) into s.
func (p policy) readRequest(req *http.Request, s *settings) {
	if p.rfc {
		p.rfc9111.readRequest(req, s)
	} else {
		p.options.readRequest(req, s)
	}
}

// decide says what the cache may do with e for a request with s at now.
func (p policy) decide(s *settings, e *entry.Entry, now time.Time) decision {
	if p.rfc {
		return p.rfc9111.decide(s, e, now)
	}
	return p.options.decide(s, e, now)
}

// admit says whether resp, to req with s, may be stored, and until when it
// is fresh.
func (p policy) admit(req *http.Request, resp *http.Response, s *settings, requested, now time.Time) (time.Time, entry.Flags, bool) {
	if p.rfc {
		return p.rfc9111.admit(req, resp, s, requested, now)
	}
	return p.options.admit(req, resp, s, requested, now)
}

// refreshed says until when e, just updated by a 304 or a HEAD response, is
// fresh, and whether it may still be stored (why not).
func (p policy) refreshed(e *entry.Entry, s *settings, now time.Time) (time.Time, bool, string) {
	if p.rfc {
		return p.rfc9111.refreshed(e, s, now)
	}
	return p.options.refreshed(e, s, now)
}

// serverError reports the statuses that let a stale response be served
// instead (stale-if-error).
func (p policy) serverError(code int) bool {
	if p.rfc {
		return p.rfc9111.serverError(code)
	}
	return p.options.serverError(code)
}

// httpSemantics reports RFC 9111's rules beyond freshness: unsafe methods
// invalidate what they change (§4.4), a HEAD response updates the stored GET
// response (§4.3.5).
func (p policy) httpSemantics() bool { return p.rfc }

// qualified returns the fields a response's qualified private and no-cache
// directives name (RFC 9111 §5.2.2.4, §5.2.2.7).
func (p policy) qualified(h http.Header) (private, noCache []string) {
	if p.rfc {
		return p.rfc9111.qualified(h)
	}
	return nil, nil
}

// decision is what the cache may do with one stored entry for one request.
type decision struct {
	// serve: the entry answers the request without contacting the origin.
	serve bool
	// staleWhileRevalidate: serve it now and revalidate in the background.
	staleWhileRevalidate bool
	// staleIfError: serve it if the origin fails.
	staleIfError bool
	// staleIfUnreachable: serve it if the origin cannot be reached.
	staleIfUnreachable bool
	// age is the entry's current age (RFC 9111 §4.2.3), for the Age header.
	age time.Duration
	// ttl is how long it stays fresh (negative once stale).
	ttl time.Duration
}

// withinStaleIfError reports whether Options.StaleIfError lets e be served
// at now when the origin fails.
func (c *config) withinStaleIfError(e *entry.Entry, now time.Time) bool {
	return withinStale(c.StaleIfError, e, now)
}

// withinStaleIfUnreachable reports whether Options.StaleIfUnreachable lets e
// be served at now when the origin cannot be reached.
func (c *config) withinStaleIfUnreachable(e *entry.Entry, now time.Time) bool {
	return withinStale(c.StaleIfUnreachable, e, now)
}

// withinStale reports whether e expired less than bound before now.
func withinStale(bound time.Duration, e *entry.Entry, now time.Time) bool {
	return bound > 0 && !e.Expires.IsZero() && now.Before(e.Expires.Add(bound))
}

// admitByOptions is the Options' storing rule, which both policies use (the
// RFC one for URL patterns that override the server).
func (c *config) admitByOptions(resp *http.Response, s *settings, now time.Time) (time.Time, entry.Flags, bool) {
	if !c.codeAllowed(resp.StatusCode) || resp.StatusCode == http.StatusPartialContent {
		return time.Time{}, 0, false
	}
	expires, ok := s.expiry(now)
	return expires, entry.OptionsExpiry, ok
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
	private, _ := t.cfg.policy.qualified(h)
	for _, name := range private {
		h.Del(name)
	}
}

// qualifiedNames reports whether a qualified private or no-cache directive
// names field: the origin then lets a shared cache store the rest of the
// response (RFC 9111 §5.2.2.4, §5.2.2.7).
func (t *Transport) qualifiedNames(h http.Header, field string) bool {
	private, noCache := t.cfg.policy.qualified(h)
	named := func(name string) bool { return strings.EqualFold(name, field) }
	return slices.ContainsFunc(private, named) || slices.ContainsFunc(noCache, named)
}

// isSafe reports the methods that never change the origin's state (RFC 9110
// §9.2.1); any other method, unknown ones included, invalidates.
func isSafe(method string) bool {
	return slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace}, method)
}
