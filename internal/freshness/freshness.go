// Package freshness implements the pure decisions of RFC 9111: whether a
// response may be stored (§3), how long it is fresh (§4.2.1, §4.2.2), how old
// it is (§4.2.3), and whether a stored response may be reused for a request
// without contacting the origin, or served stale while revalidating or on
// error (§4, §5.2, RFC 5861, RFC 8246).
//
// A cache parses each request once with NewRequest and each response once
// with NewResponse, keeps the Response next to the stored entry (re-parsing
// after a 304 updates its header, RFC 9111 §4.3.4), and calls Storable when a
// response arrives and Decide when a request finds a stored response. Nothing
// here does I/O or reads the clock; every time is an argument.
package freshness

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/cachecontrol"
	"github.com/clientcache/clientcache/internal/httpdate"
)

const (
	// MaxDuration is the largest lifetime or age this package returns:
	// 2^31 seconds, the value RFC 9111 §1.2.2 prescribes when a delta-seconds
	// value or a calculation overflows. Adding it to a time.Time is safe.
	MaxDuration = cachecontrol.MaxDelta * time.Second

	// HeuristicFraction is the fraction of the time since Last-Modified used
	// as a heuristic freshness lifetime, as a divisor: 10 means 10%, the
	// typical setting RFC 9111 §4.2.2 mentions.
	HeuristicFraction = 10

	// MaxHeuristic caps a heuristic freshness lifetime (RFC 9111 §4.2.2
	// leaves the bound to the cache; RFC 7234 §4.2.2 flagged lifetimes above
	// 24 hours).
	MaxHeuristic = 24 * time.Hour
)

// Request is what the decisions need to know about a request.
type Request struct {
	// Method is the request method, compared case-sensitively (RFC 9110 §9.1).
	Method string
	// CacheControl holds the request directives (RFC 9111 §5.2.1), Pragma
	// included.
	CacheControl cachecontrol.Request
	// Authorization reports an Authorization header field (RFC 9111 §3.5).
	// NewRequest sets it from the header; a caller whose client adds
	// credentials later (for example from the URL's user information) sets
	// it too.
	Authorization bool
}

// NewRequest parses the parts of a request that caching depends on.
func NewRequest(method string, h http.Header) Request {
	return Request{
		Method:        method,
		CacheControl:  cachecontrol.ParseRequest(h),
		Authorization: len(h.Values("Authorization")) > 0,
	}
}

// Response is what the decisions need to know about a response and about
// when it was received.
type Response struct {
	// StatusCode is the response status code.
	StatusCode int
	// CacheControl holds the response directives (RFC 9111 §5.2.2).
	CacheControl cachecontrol.Response
	// Date is date_value (RFC 9111 §4.2.3): the Date header field or, when
	// it is absent or invalid, ResponseTime, the time the cache received
	// the response (RFC 9110 §6.6.1).
	Date time.Time
	// HasDate reports whether Date came from a valid Date header field.
	HasDate bool
	// HasExpires reports an Expires header field (RFC 9111 §5.3), valid
	// or not.
	HasExpires bool
	// Expires is the Expires time when ExpiresValid.
	Expires time.Time
	// ExpiresValid reports exactly one Expires field line holding a valid
	// HTTP-date. An invalid Expires, "0" included, or more than one line,
	// means already expired (RFC 9111 §5.3, §4.2.1).
	ExpiresValid bool
	// LastModified is the Last-Modified time when HasLastModified.
	LastModified time.Time
	// HasLastModified reports exactly one valid Last-Modified field line.
	HasLastModified bool
	// Age is age_value (RFC 9111 §5.1): the first member of the Age field
	// value as delta-seconds, or 0 when it is absent or invalid.
	Age time.Duration
	// ContentRange reports a Content-Range header field: a partial response
	// (RFC 9111 §3.3).
	ContentRange bool
	// RequestTime is request_time (RFC 9111 §4.2.3): when the cache sent the
	// request that this response answers.
	RequestTime time.Time
	// ResponseTime is response_time (RFC 9111 §4.2.3): when the cache
	// received the response.
	ResponseTime time.Time
	// Override, when present, is a freshness lifetime the cache's own
	// configuration gives the response in place of what its header says.
	Override Override
}

// Override is a freshness lifetime set by the cache's configuration, which
// replaces the response's own (RFC 9111 §4.2.1 leaves a cache free to be
// configured so): the response is fresh for Lifetime from when it was
// received, whatever its max-age, s-maxage, Expires, Date and Age say, and
// its no-cache is not consulted. Directives that forbid serving it stale
// (must-revalidate, proxy-revalidate) still apply.
type Override struct {
	Present  bool
	Lifetime time.Duration
}

// NewResponse parses the parts of a response that caching depends on.
// requestTime and responseTime are request_time and response_time of RFC
// 9111 §4.2.3.
func NewResponse(status int, h http.Header, requestTime, responseTime time.Time) Response {
	r := Response{
		StatusCode:   status,
		CacheControl: cachecontrol.ParseResponse(h),
		Date:         responseTime,
		ContentRange: len(h.Values("Content-Range")) > 0,
		RequestTime:  requestTime,
		ResponseTime: responseTime,
	}
	if t, ok := singleDate(h, "Date", responseTime); ok {
		r.Date, r.HasDate = t, true
	}
	r.HasExpires = len(h.Values("Expires")) > 0
	r.Expires, r.ExpiresValid = singleDate(h, "Expires", responseTime)
	r.LastModified, r.HasLastModified = singleDate(h, "Last-Modified", responseTime)
	r.Age = parseAge(h.Values("Age"))
	return r
}

// singleDate parses a field that must hold exactly one HTTP-date; several
// field lines are invalid (RFC 9111 §4.2.1). now resolves rfc850-date years.
func singleDate(h http.Header, name string, now time.Time) (time.Time, bool) {
	vs := h.Values(name)
	if len(vs) != 1 {
		return time.Time{}, false
	}
	return httpdate.ParseAt(vs[0], now)
}

// parseAge implements RFC 9111 §5.1: use the first member of a list-based
// Age value, and ignore an invalid one.
func parseAge(lines []string) time.Duration {
	if len(lines) == 0 {
		return 0
	}
	first, _, _ := strings.Cut(lines[0], ",")
	first = strings.Trim(first, " \t")
	if first == "" {
		return 0
	}
	var n int64
	for i := 0; i < len(first); i++ {
		c := first[i]
		if c < '0' || c > '9' {
			return 0
		}
		if n < cachecontrol.MaxDelta {
			n = n*10 + int64(c-'0')
		}
	}
	return time.Duration(min(n, cachecontrol.MaxDelta)) * time.Second
}

// Lifetime returns the freshness lifetime of r (RFC 9111 §4.2.1), first of:
//
//   - s-maxage, in a shared cache;
//   - max-age;
//   - Expires minus Date (Date is the receipt time when absent); an invalid
//     Expires gives 0, already expired (§5.3);
//   - a heuristic lifetime (§4.2.2), reported by heuristic: for a status code
//     that is heuristically cacheable, or a response marked cacheable with
//     public (or private, in a private cache), HeuristicFraction of the time
//     between Last-Modified and Date, at most MaxHeuristic, or 0 without a
//     valid Last-Modified.
//
// Otherwise it returns 0. The result is never negative nor above MaxDuration.
func (r *Response) Lifetime(shared bool) (d time.Duration, heuristic bool) {
	cc := &r.CacheControl
	switch {
	case r.Override.Present:
		return clamp(r.Override.Lifetime), false
	case shared && cc.SMaxAge.Present:
		return cc.SMaxAge.Duration(), false
	case cc.MaxAge.Present:
		return cc.MaxAge.Duration(), false
	case r.HasExpires:
		if !r.ExpiresValid {
			return 0, false
		}
		return clamp(r.Expires.Sub(r.Date)), false
	case !HeuristicallyCacheable(r.StatusCode) && !cc.Public && !(!shared && markedPrivate(cc)):
		return 0, false
	case !r.HasLastModified:
		return 0, true
	}
	return min(clamp(r.Date.Sub(r.LastModified))/HeuristicFraction, MaxHeuristic), true
}

func markedPrivate(cc *cachecontrol.Response) bool {
	return cc.Private || len(cc.PrivateFields) > 0
}

// CurrentAge returns current_age of r at now (RFC 9111 §4.2.3); with an
// Override, the time since the response was received.
func (r *Response) CurrentAge(now time.Time) time.Duration {
	if r.Override.Present {
		return clamp(now.Sub(r.ResponseTime))
	}
	return CurrentAge(r.Age, r.Date, r.RequestTime, r.ResponseTime, now)
}

// StaleAt returns the instant at which r stops being fresh (RFC 9111 §4.2):
// when its current_age reaches its freshness lifetime. It is at or before
// ResponseTime when r is stale on arrival.
func (r *Response) StaleAt(shared bool) time.Time {
	life, _ := r.Lifetime(shared)
	return r.ResponseTime.Add(life - r.CurrentAge(r.ResponseTime))
}

// CurrentAge implements the age calculation of RFC 9111 §4.2.3:
//
//	apparent_age = max(0, response_time - date_value)
//	response_delay = response_time - request_time
//	corrected_age_value = age_value + response_delay
//	corrected_initial_age = max(apparent_age, corrected_age_value)
//	resident_time = now - response_time
//	current_age = corrected_initial_age + resident_time
//
// A negative age_value, response_delay or resident_time (a clock that went
// backwards) counts as 0, and the result is capped at MaxDuration (§1.2.2),
// so it is never negative and never overflows.
func CurrentAge(ageValue time.Duration, dateValue, requestTime, responseTime, now time.Time) time.Duration {
	apparentAge := clamp(responseTime.Sub(dateValue))
	responseDelay := clamp(responseTime.Sub(requestTime))
	// Each term is within [0, MaxDuration] (2^31 s), so sums cannot overflow.
	correctedAgeValue := clamp(clamp(ageValue) + responseDelay)
	correctedInitialAge := max(apparentAge, correctedAgeValue)
	residentTime := clamp(now.Sub(responseTime))
	return clamp(correctedInitialAge + residentTime)
}

// AgeHeader formats age as the value of an Age header field (RFC 9111 §5.1):
// whole seconds, at most 2147483648 (§1.2.2).
func AgeHeader(age time.Duration) string {
	return strconv.FormatInt(int64(clamp(age)/time.Second), 10)
}

// clamp limits d to [0, MaxDuration].
func clamp(d time.Duration) time.Duration {
	return min(max(d, 0), MaxDuration)
}

// HeuristicallyCacheable reports whether responses with the status code may
// be given a heuristic freshness lifetime (RFC 9111 §4.2.2): those RFC 9110
// §15.1 lists (200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501)
// and 451 (RFC 7725 §3).
func HeuristicallyCacheable(status int) bool {
	switch status {
	case 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501:
		return true
	}
	return false
}

// understood reports whether this cache "understands" the status code in the
// sense of RFC 9111 §3 and §5.2.2.3 (must-understand): it is a final status
// code defined by RFC 9110 (or 451, RFC 7725) whose caching requirements are
// the general ones this package implements. 206 and 304 are not, since this
// cache neither combines partial responses (§3.3, §3.4) nor stores a 304 as
// a response (§4.3.4).
func understood(status int) bool {
	switch status {
	case 200, 201, 202, 203, 204, 205,
		300, 301, 302, 303, 307, 308,
		400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 451,
		500, 501, 502, 503, 504, 505:
		return true
	}
	return false
}

// Storable reports whether a cache may store resp, received for req (RFC 9111
// §3), and if not, why. The response is storable when:
//
//   - the method is GET or HEAD (RFC 9110 §9.2.3; this cache does not
//     store POST responses, which §9.3.3 allows only in narrow cases);
//   - the request has no no-store (§5.2.1.5);
//   - the status code is final (200 to 599), not 206 and without
//     Content-Range, since partial content is never stored as a full response
//     (§3.3), and not 304, which updates a stored response instead (§4.3.4);
//   - with must-understand, the status code is understood, and then no-store
//     is ignored (§5.2.2.3); otherwise there is no no-store (§5.2.2.5);
//   - in a shared cache, there is no unqualified private (§5.2.2.7) and, if
//     the request had Authorization, the response has must-revalidate, public
//     or s-maxage (§3.5);
//   - the response has public, private (private cache only), Expires,
//     max-age, s-maxage (shared cache only), or a heuristically cacheable
//     status code.
//
// A qualified private in a shared cache allows storing the response without
// the named fields; removing them is the caller's job (§5.2.2.7).
func Storable(req *Request, resp *Response, shared bool) (ok bool, reason string) {
	cc := &resp.CacheControl
	status := resp.StatusCode
	switch {
	case req.Method != http.MethodGet && req.Method != http.MethodHead:
		return false, "method " + strconv.Quote(req.Method) + " is not cached (RFC 9111 §3)"
	case req.CacheControl.NoStore:
		return false, "request has no-store (RFC 9111 §5.2.1.5)"
	case status < 200 || status > 599:
		return false, "status " + strconv.Itoa(status) + " is not final (RFC 9111 §3)"
	case status == http.StatusPartialContent || resp.ContentRange:
		return false, "partial content is not stored (RFC 9111 §3.3)"
	case status == http.StatusNotModified:
		return false, "a 304 updates a stored response and is not stored (RFC 9111 §4.3.4)"
	case cc.MustUnderstand && !understood(status):
		return false, "must-understand with status " + strconv.Itoa(status) + ", which this cache does not understand (RFC 9111 §5.2.2.3)"
	case cc.NoStore && !cc.MustUnderstand:
		return false, "response has no-store (RFC 9111 §5.2.2.5)"
	case shared && cc.Private:
		return false, "response is private (RFC 9111 §5.2.2.7)"
	case shared && req.Authorization && !cc.MustRevalidate && !cc.Public && !cc.SMaxAge.Present:
		return false, "request has Authorization and the response does not allow shared caching (RFC 9111 §3.5)"
	case cc.Public, !shared && markedPrivate(cc), resp.HasExpires, cc.MaxAge.Present,
		shared && cc.SMaxAge.Present, HeuristicallyCacheable(status):
		return true, ""
	}
	return false, "no explicit freshness, no public, and status " + strconv.Itoa(status) + " is not heuristically cacheable (RFC 9111 §3)"
}

// Reuse is the result of Decide: what a cache may do with a stored response
// for a request.
type Reuse struct {
	// Age is current_age (RFC 9111 §4.2.3), the value of the Age header
	// field to send with the stored response (see AgeHeader).
	Age time.Duration
	// Lifetime is the freshness lifetime (RFC 9111 §4.2.1).
	Lifetime time.Duration
	// Heuristic reports that Lifetime is heuristic (RFC 9111 §4.2.2).
	Heuristic bool
	// Fresh reports Lifetime > Age (RFC 9111 §4.2).
	Fresh bool
	// Staleness is how long the response has been stale: Age - Lifetime, or
	// 0 when fresh.
	Staleness time.Duration
	// Serve reports that the stored response may be sent without contacting
	// the origin: it is fresh and satisfies the request's directives, or it
	// is stale within the request's max-stale and nothing forbids serving it
	// stale (RFC 9111 §4, §4.2.4). When false the cache must validate or
	// fetch (or, with only-if-cached, answer 504, RFC 9111 §5.2.1.7).
	Serve bool
	// Reason says why Serve is false.
	Reason string
	// StaleWhileRevalidate reports, when Serve is false, that the stored
	// response may still be sent now while the cache validates it in the
	// background (RFC 5861 §3).
	StaleWhileRevalidate bool
	// StaleIfError reports that the stored response may be sent if
	// validation fails: the origin is unreachable or answers 500, 502, 503
	// or 504 (RFC 5861 §4, RFC 9111 §4.3.3).
	StaleIfError bool
}

// Decide reports what a cache may do with the stored response resp for the
// request req at now (RFC 9111 §4), once the caller has matched the method,
// the target URI and Vary. Its readings:
//
//   - An unqualified response no-cache requires validation (§5.2.2.4), and
//     so does a request no-cache (§5.2.1.4).
//   - A request max-age requires Age <= max-age (§5.2.1.1), except for a
//     fresh immutable response (RFC 8246 §2: it will not change while fresh,
//     so a reload need not validate it); a request no-cache still validates
//     it.
//   - A request min-fresh requires Lifetime >= Age + min-fresh (§5.2.1.3).
//   - A stale response is served only within a request max-stale
//     (§5.2.1.2) and never when must-revalidate (§5.2.2.2), or, in a shared
//     cache, proxy-revalidate (§5.2.2.8) or s-maxage (§5.2.2.10), forbid it
//     (§4.2.4).
//   - stale-while-revalidate applies within its window when serving stale is
//     not forbidden, and not when the request has no-cache, max-age or
//     min-fresh, which ask for a validated or fresh response.
//   - stale-if-error applies within its window, from the response, from the
//     request, or the smaller of the two when both have it. RFC 5861 §4 lets
//     it override freshness information ("regardless of other freshness
//     information"), so the request's no-cache, max-age and min-fresh do not
//     block it, but the response's no-cache and, once stale, the directives
//     that forbid serving stale do (§4.2.4, "the most restrictive directive
//     should be honored", §4.2.1).
func Decide(req *Request, resp *Response, now time.Time, shared bool) Reuse {
	rc, cc := &req.CacheControl, &resp.CacheControl
	var u Reuse
	u.Age = resp.CurrentAge(now)
	u.Lifetime, u.Heuristic = resp.Lifetime(shared)
	u.Fresh = u.Lifetime > u.Age
	if !u.Fresh {
		u.Staleness = u.Age - u.Lifetime
	}
	staleForbidden := cc.MustRevalidate || shared && (cc.ProxyRevalidate || cc.SMaxAge.Present && !resp.Override.Present)
	noCache := cc.NoCache && !resp.Override.Present

	switch {
	case noCache:
		u.Reason = "response has no-cache (RFC 9111 §5.2.2.4)"
	case rc.NoCache:
		u.Reason = "request has no-cache (RFC 9111 §5.2.1.4)"
	case rc.MaxAge.Present && u.Age > rc.MaxAge.Duration() && !(u.Fresh && cc.Immutable):
		u.Reason = "older than the request's max-age (RFC 9111 §5.2.1.1)"
	case rc.MinFresh.Present && u.Lifetime < u.Age+rc.MinFresh.Duration():
		u.Reason = "not fresh for the request's min-fresh (RFC 9111 §5.2.1.3)"
	case u.Fresh:
		u.Serve = true
	case staleForbidden:
		u.Reason = "stale, and the response forbids serving it stale (RFC 9111 §4.2.4)"
	case rc.MaxStaleAny || rc.MaxStale.Present && u.Staleness <= rc.MaxStale.Duration():
		u.Serve = true
	default:
		u.Reason = "stale (RFC 9111 §4.2)"
	}

	u.StaleWhileRevalidate = !u.Serve && !u.Fresh && !staleForbidden &&
		cc.StaleWhileRevalidate.Present && u.Staleness <= cc.StaleWhileRevalidate.Duration() &&
		!noCache && !rc.NoCache && !rc.MaxAge.Present && !rc.MinFresh.Present

	window, ok := time.Duration(0), false
	if cc.StaleIfError.Present {
		window, ok = cc.StaleIfError.Duration(), true
	}
	if rc.StaleIfError.Present {
		if ok {
			window = min(window, rc.StaleIfError.Duration())
		} else {
			window, ok = rc.StaleIfError.Duration(), true
		}
	}
	u.StaleIfError = ok && !noCache && (u.Fresh || !staleForbidden) && u.Staleness <= window
	return u
}
