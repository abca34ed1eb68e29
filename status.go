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
	// Forward is the RFC 9211 fwd reason when the request went to the origin:
	// "bypass", "miss", "uri-miss", "vary-miss", "request", "stale".
	Forward string
	// Detail says more, when there is more to say: "stale-if-error",
	// "stale-while-revalidate" (a stale response served while it is
	// revalidated in the background), "only-if-cached", "not-modified",
	// "no-key-secret" (a request with credentials bypassed the cache: the
	// key secret could not be read or created in the store).
	Detail string

	ttl time.Duration // freshness left, for Cache-Status
}

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
func StatusOf(resp *http.Response) Status {
	if resp == nil || resp.Request == nil {
		return Status{}
	}
	if sc, ok := resp.Request.Context().Value(statusKey{}).(*statusContext); ok {
		return sc.snapshot()
	}
	return Status{}
}

// attachStatus records st in resp (for StatusOf) and in its Cache-Status
// header, and sets Age on responses served from the store.
func attachStatus(req *http.Request, resp *http.Response, st *statusContext, now time.Time) {
	resp.Request = requestWithStatus(req, st)
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Header["Cache-Status"] = []string{st.header(now)}
}

// statusContext is a response's Status and the context of the request
// carrying it (for StatusOf): one allocation for both. The Status is set
// before the response is returned; only the outcome of storing it changes
// afterwards, possibly on another goroutine (a follower reading the shared
// body to its end), hence atomically.
type statusContext struct {
	context.Context
	Status
	outcome atomic.Int32
}

func newStatus(st Status) *statusContext { return &statusContext{Status: st} }

// Value returns the status for StatusOf's key, and otherwise asks the
// request's own context.
func (c *statusContext) Value(key any) any {
	if key == (statusKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// setOutcome records what became of storing the response, once.
func (c *statusContext) setOutcome(o outcome) {
	c.outcome.CompareAndSwap(0, int32(o))
}

// snapshot returns the Status with the outcome of storing it so far.
func (c *statusContext) snapshot() Status {
	st := c.Status
	switch o := outcome(c.outcome.Load()); {
	case o == outcomeStored:
		st.Stored = true
	case o > outcomeStored && int(o) < len(notStoredReasons):
		st.NotStored = notStoredReasons[o]
	}
	return st
}

// requestWithStatus returns req carrying st, for StatusOf. A Status serves
// one response: it is attached once.
func requestWithStatus(req *http.Request, st *statusContext) *http.Request {
	st.Context = req.Context()
	return req.WithContext(st)
}

// header formats the status as an RFC 9211 Cache-Status member. It says
// "stored" only of a response already stored.
func (c *statusContext) header(now time.Time) string {
	st := &c.Status // read in place: a hit formats one per response
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
