package clientcache

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/internal/freshness"
)

// CacheStatusName is the cache's name in the Cache-Status header (RFC 9211).
const CacheStatusName = "clientcache"

// Status says what the cache did for one response. StatusOf returns it.
type Status struct {
	// FromCache is true when the body comes from the store (a hit, or a
	// stored body reused after a 304 revalidation or on error).
	FromCache bool
	// CreatedAt is when the stored response was received from the origin.
	CreatedAt time.Time
	// Expires is when the response goes stale; zero means never.
	Expires time.Time
	// Expired is true whenever the response served from the store was stale:
	// under stale-if-error, stale-while-revalidate or a request's max-stale.
	Expired bool
	// Revalidated is true when the origin confirmed the stored response with
	// a 304 Not Modified.
	Revalidated bool
	// Stored is true when the response was stored. A response from the
	// origin is stored when its body has been read to the end: until then
	// Stored is false, and so it stays, with NotStored saying why, when the
	// store failed or the body did not arrive whole. Ask StatusOf again
	// after reading the body.
	Stored bool
	// NotStored says why a response the cache meant to store was not, once
	// that is known: one of the NotStored constants. It is empty when the
	// response was stored, is still being read, or was never meant to be
	// stored (the rules or the options did not allow it).
	NotStored string
	// Collapsed is true when the response came from another request's fetch
	// of the same resource.
	Collapsed bool
	// Key is the cache key of the request, empty when the cache was bypassed.
	Key string
	// Forward is the RFC 9211 fwd reason when the request went to the origin,
	// one of the Forward constants.
	Forward string
	// Detail says more, when there is more to say: one of the Detail
	// constants.
	Detail string

	ttl time.Duration // freshness left, for Cache-Status
}

// Why a request went to the origin (Status.Forward, Cache-Status's fwd,
// RFC 9211 §2.2).
const (
	// ForwardBypass: the cache was not used for this request (its method,
	// its settings, a range request, credentials without a key secret).
	ForwardBypass = "bypass"
	// ForwardURIMiss: nothing is stored for the request's key.
	ForwardURIMiss = "uri-miss"
	// ForwardVaryMiss: responses are stored for the key, but none that the
	// request selects (Vary).
	ForwardVaryMiss = "vary-miss"
	// ForwardMiss: a stored response could not answer the request (and,
	// with only-if-cached, none was sent to the origin either).
	ForwardMiss = "miss"
	// ForwardStale: the stored response was stale and was validated or
	// replaced.
	ForwardStale = "stale"
	// ForwardRequest: the request asked for a validated or new response
	// (no-cache, max-age, Refresh, ForceRefresh).
	ForwardRequest = "request"
)

// More about what the cache did (Status.Detail, Cache-Status's detail).
const (
	// DetailStaleIfError: a stale response served because the origin
	// failed.
	DetailStaleIfError = "stale-if-error"
	// DetailStaleIfUnreachable: a stale response served because the origin
	// could not be reached (Options.StaleIfUnreachable).
	DetailStaleIfUnreachable = "stale-if-unreachable"
	// DetailStaleWhileRevalidate: a stale response served while it is
	// revalidated in the background.
	DetailStaleWhileRevalidate = "stale-while-revalidate"
	// DetailOnlyIfCached: a 504 for an only-if-cached request with nothing
	// usable stored.
	DetailOnlyIfCached = "only-if-cached"
	// DetailNotModified: a 304 answering the client's own conditional
	// request from the store.
	DetailNotModified = "not-modified"
	// DetailStoreError: the store failed to answer the request's read (or
	// was skipped, failing: see Options.StoreTimeout), and the request went
	// to the network.
	DetailStoreError = "store-error"
	// DetailNoKeySecret: a request with credentials bypassed the cache, the
	// key secret being neither readable nor creatable in the store.
	DetailNoKeySecret = "no-key-secret"
)

// Why a response the cache meant to store was not stored (Status.NotStored).
const (
	// NotStoredStoreError: the store failed (the failure is logged).
	NotStoredStoreError = "store-error"
	// NotStoredReadOnly: the store is read-only, or Options.ReadOnly is set.
	NotStoredReadOnly = "read-only"
	// NotStoredTooLarge: the body is larger than Options.MaxBodySize.
	NotStoredTooLarge = "too-large"
	// NotStoredIncomplete: the origin's body ended with an error, cut short.
	NotStoredIncomplete = "incomplete"
	// NotStoredAbandoned: the caller closed the body before its end.
	NotStoredAbandoned = "abandoned"
)

// outcome is what became of storing a response: 0 while unknown; the
// reasons it was not stored index notStoredReasons.
type outcome int32

const (
	outcomeStored outcome = iota + 1
	outcomeStoreError
	outcomeReadOnly
	outcomeTooLarge
	outcomeIncomplete
	outcomeAbandoned
)

var notStoredReasons = [...]string{
	outcomeStoreError: NotStoredStoreError,
	outcomeReadOnly:   NotStoredReadOnly,
	outcomeTooLarge:   NotStoredTooLarge,
	outcomeIncomplete: NotStoredIncomplete,
	outcomeAbandoned:  NotStoredAbandoned,
}

type statusKey struct{}

// ErrRevalidationFailed is wrapped around the error a Transport returns when
// a stale stored response could not be revalidated (the origin failed) and
// may not be served stale (RFC 9111 §4.2.4, §5.2.2.2). A gateway answers it
// with 504 Gateway Timeout; NewReverseProxy does.
var ErrRevalidationFailed = errors.New("clientcache: a stale stored response could not be revalidated")

// StatusOf returns what the cache did for resp, which a Transport or Session
// of this package returned. For any other response it returns a zero Status.
// Whether a response from the origin was stored is known once its body has
// been read: ask again then.
func StatusOf(resp *http.Response) Status {
	if resp == nil || resp.Request == nil {
		return Status{}
	}
	if c, ok := resp.Request.Context().Value(statusKey{}).(*statusCarrier); ok {
		return c.snapshot()
	}
	return Status{}
}

// statusCarrier is the context of a response's request, carrying what the
// cache did for it, for StatusOf: one allocation for both. The Status is a
// value, complete when the carrier is made, and never changed; only the
// outcome of storing the response is set afterwards, possibly on another
// goroutine (a follower reading a shared body to its end), hence
// atomically.
type statusCarrier struct {
	context.Context
	status  Status
	outcome atomic.Int32
}

// carry returns a carrier of st for req's context, with the outcome of
// storing the response when it is already known (0 otherwise).
func carry(req *http.Request, st Status, o outcome) *statusCarrier {
	c := &statusCarrier{Context: req.Context(), status: st}
	c.outcome.Store(int32(o))
	return c
}

// attach makes resp carry c (for StatusOf) and its Cache-Status header.
func (c *statusCarrier) attach(req *http.Request, resp *http.Response, now time.Time) {
	resp.Request = req.WithContext(c)
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Header["Cache-Status"] = []string{c.header(now)}
}

// Value returns the carrier for StatusOf's key, and otherwise asks the
// request's own context.
func (c *statusCarrier) Value(key any) any {
	if key == (statusKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// setOutcome records what became of storing the response, once.
func (c *statusCarrier) setOutcome(o outcome) {
	c.outcome.CompareAndSwap(0, int32(o))
}

// snapshot returns the Status with the outcome of storing it so far.
func (c *statusCarrier) snapshot() Status {
	st := c.status
	switch o := outcome(c.outcome.Load()); {
	case o == outcomeStored:
		st.Stored = true
	case o > outcomeStored && int(o) < len(notStoredReasons):
		st.NotStored = notStoredReasons[o]
	}
	return st
}

// header formats the status as an RFC 9211 Cache-Status member. It says
// "stored" only of a response already stored.
func (c *statusCarrier) header(now time.Time) string {
	st := &c.status // read in place: a hit formats one per response
	var b strings.Builder
	b.Grow(64)
	b.WriteString(CacheStatusName)
	if st.FromCache && st.Forward == "" {
		b.WriteString("; hit")
		if st.ttl < maxTTL {
			b.WriteString("; ttl=")
			b.WriteString(strconv.FormatInt(int64(st.ttl/time.Second), 10))
		}
	} else if st.Forward != "" {
		b.WriteString("; fwd=")
		b.WriteString(st.Forward)
		if st.Revalidated {
			b.WriteString("; fwd-status=304")
		}
	}
	if outcome(c.outcome.Load()) == outcomeStored {
		b.WriteString("; stored")
	}
	if st.Collapsed {
		b.WriteString("; collapsed")
	}
	if st.Detail != "" {
		b.WriteString("; detail=")
		b.WriteString(st.Detail)
	}
	return b.String()
}

// maxTTL is the ttl of responses that never go stale: none is reported.
const maxTTL = freshness.MaxDuration
