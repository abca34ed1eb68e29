package clientcache

import (
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/cachecontrol"
	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// optionsPolicy is the default mode, requests-cache's: the Options, URL
// patterns and per-request settings decide what is stored and for how long;
// of the request's directives, no-cache and max-age=0 revalidate, no-store
// bypasses the cache and only-if-cached never forwards (RFC 9111 §5.2.1).
type optionsPolicy struct{ cfg *config }

func (p optionsPolicy) readRequest(req *http.Request, s *settings) {
	rc := cachecontrol.ParseRequest(req.Header) // Pragma: no-cache included (§5.4)
	s.noStore = s.noStore || rc.NoStore
	s.refresh = s.refresh || rc.NoCache || rc.MaxAge.Present && rc.MaxAge.Seconds == 0
	s.onlyIfCached = s.onlyIfCached || rc.OnlyIfCached
}

func (p optionsPolicy) decide(s *settings, e *entry.Entry, now time.Time) decision {
	ttl := time.Duration(freshness.MaxDuration)
	if !e.Expires.IsZero() {
		ttl = e.Expires.Sub(now)
	}
	return decision{
		age:                e.Age(now),
		serve:              !s.refresh && !e.IsExpired(now),
		staleIfError:       p.cfg.withinStaleIfError(e, now),
		staleIfUnreachable: p.cfg.withinStaleIfUnreachable(e, now),
		ttl:                ttl,
	}
}

func (p optionsPolicy) admit(_ *http.Request, resp *http.Response, s *settings, _, now time.Time) (time.Time, entry.Flags, bool) {
	return p.cfg.admitByOptions(resp, s, now)
}

func (p optionsPolicy) refreshed(e *entry.Entry, s *settings, now time.Time) (time.Time, bool, string) {
	if expires, ok := s.expiry(now); ok {
		return expires, true, ""
	}
	return e.Expires, true, ""
}

// serverError: any 5xx lets a stale response be served.
func (optionsPolicy) serverError(code int) bool { return code >= 500 }
