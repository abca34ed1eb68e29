package clientcache

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/storage"
)

// fetch sends req to the origin, revalidating stored when it has validators,
// and stores the response when it may. c is the flight call this request
// leads, nil when it leads none.
func (t *Transport) fetch(req *http.Request, key string, s *settings, stored *entry.Entry, st *Status, c *call) (*http.Response, error) {
	published := false
	publish := func(share func() *http.Response) {
		if c != nil && !published {
			published = true
			c.publish(share)
		}
	}
	forget := func() {
		if c != nil {
			t.flights.forget(key, c)
		}
	}
	done := func(share func() *http.Response) { publish(share); forget() }

	out := req
	validating := stored != nil && !s.forceRefresh && hasValidators(stored.Header)
	if validating {
		out = conditionalRequest(req, stored.Header)
	}
	requested := t.cfg.now()
	resp, err := t.cfg.next.RoundTrip(out)
	now := t.cfg.now()
	if err != nil {
		done(nil)
		if t.canServeStale(stored, now) {
			t.cfg.logger.InfoContext(req.Context(), "clientcache: origin failed; serving a stale response", "url", req.URL.Redacted(), "err", err)
			st.Expired = true
			return t.serve(req, stored, st, now), nil
		}
		return nil, err
	}
	if validating && resp.StatusCode == http.StatusNotModified {
		discard(resp.Body)
		e := t.refreshed(stored, resp.Header, s, requested, now)
		stored := t.store(req.Context(), key, e.Encode(), e)
		done(func() *http.Response { return t.responseFrom(req, e, now) })
		st.Revalidated, st.Stored = true, stored
		resp := t.serve(req, e, st, now)
		st.Forward = "stale"
		resp.Header.Set("Cache-Status", st.header(now))
		return resp, nil
	}
	if resp.StatusCode >= 500 && t.canServeStale(stored, now) {
		discard(resp.Body)
		done(nil)
		st.Expired = true
		return t.serve(req, stored, st, now), nil
	}

	e, ok := t.storable(req, resp, s, requested, now)
	if !ok {
		done(nil)
		attachStatus(req, resp, st, now)
		return resp, nil
	}
	st.Stored = true
	// Followers get copies of the response as it is now: the caller may
	// change its own copy as soon as it has it.
	template, sharedHeader := *resp, resp.Header.Clone()
	share := func(body io.ReadCloser) *http.Response {
		r := template
		r.Header = sharedHeader.Clone()
		r.Body = body
		return &r
	}
	if bodyless(req, resp) {
		e.Body = nil
		st.Stored = t.store(req.Context(), key, e.Encode(), e)
		done(func() *http.Response { return share(http.NoBody) })
		attachStatus(req, resp, st, now)
		return resp, nil
	}
	storeCtx := context.WithoutCancel(req.Context())
	f := newFlight(resp.Body, e.AppendPrefix(nil), resp.ContentLength, int(t.cfg.MaxBodySize),
		func(whole []byte) { t.store(storeCtx, key, whole, e) }, forget)
	resp.Body = f.newReader()
	publish(func() *http.Response {
		if body := f.newReader(); body != nil {
			return share(body)
		}
		return nil
	})
	attachStatus(req, resp, st, now)
	return resp, nil
}

// storable returns the entry for resp, without its body, or false when resp
// must not be stored.
func (t *Transport) storable(req *http.Request, resp *http.Response, s *settings, requested, now time.Time) (*entry.Entry, bool) {
	if t.cfg.ReadOnly || !t.cfg.codeAllowed(resp.StatusCode) || resp.ContentLength > t.cfg.MaxBodySize {
		return nil, false
	}
	expires, ok := s.expiry(now)
	if !ok {
		return nil, false
	}
	reqHeader, ok := t.selectedRequestHeader(req.Header, resp.Header)
	if !ok {
		return nil, false // Vary: * — never reusable
	}
	if t.cfg.Filter != nil && !t.cfg.Filter(resp) {
		return nil, false
	}
	return &entry.Entry{
		Status:    resp.StatusCode,
		Proto:     resp.Proto,
		Header:    storedHeader(resp.Header),
		Created:   now,
		Expires:   expires,
		Requested: requested,
		Method:    req.Method,
		URL:       t.cfg.keyer.NormalizeURL(req.URL, true),
		ReqHeader: reqHeader,
	}, true
}

// store writes an encoded entry and reports whether it was stored. A failure
// is logged, never returned: the response is served all the same.
func (t *Transport) store(ctx context.Context, key string, data []byte, e *entry.Entry) bool {
	if t.cfg.ReadOnly {
		return false
	}
	err := t.cache.write(ctx, key, data, e.Expires)
	switch {
	case err == nil:
		return true
	case errors.Is(err, storage.ErrReadOnly):
		t.cfg.logger.DebugContext(ctx, "clientcache: store is read-only; response not stored", "key", key)
	default:
		t.cfg.logger.WarnContext(ctx, "clientcache: cache write failed; response served uncached", "key", key, "err", err)
	}
	return false
}

// refreshed returns stored updated by a 304 response's header (RFC 9111
// §4.3.4) and with a new expiry.
func (t *Transport) refreshed(stored *entry.Entry, h http.Header, s *settings, requested, now time.Time) *entry.Entry {
	e := *stored
	e.Header = stored.Header.Clone()
	for name, values := range h {
		if !notUpdatedBy304[name] && !isHopByHop(h, name) {
			e.Header[name] = values
		}
	}
	e.Created, e.Requested = now, requested
	if expires, ok := s.expiry(now); ok {
		e.Expires = expires
	}
	return &e
}

// notUpdatedBy304 lists the fields a 304 must not change in the stored
// response: its body is unchanged, and so are the fields that describe it.
var notUpdatedBy304 = map[string]bool{
	"Content-Length": true, "Content-Encoding": true, "Content-Range": true,
	"Transfer-Encoding": true, "Cache-Status": true,
}

func (t *Transport) canServeStale(stored *entry.Entry, now time.Time) bool {
	return stored != nil && t.cfg.StaleIfError > 0 && !stored.Expires.IsZero() &&
		now.Before(stored.Expires.Add(t.cfg.StaleIfError))
}

// finishShared completes a response copied from another request's fetch.
func (t *Transport) finishShared(req *http.Request, resp *http.Response, st *Status) *http.Response {
	attachStatus(req, resp, st, t.cfg.now())
	return resp
}

func hasValidators(h http.Header) bool {
	return h.Get("Etag") != "" || h.Get("Last-Modified") != ""
}

// conditionalRequest returns a copy of req that asks the origin whether the
// stored response is still current.
func conditionalRequest(req *http.Request, stored http.Header) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	if etag := stored.Get("Etag"); etag != "" {
		r.Header.Set("If-None-Match", etag)
	}
	if lm := stored.Get("Last-Modified"); lm != "" {
		r.Header.Set("If-Modified-Since", lm)
	}
	return r
}

// bodyless reports responses that have no body to wait for.
func bodyless(req *http.Request, resp *http.Response) bool {
	return req.Method == http.MethodHead || resp.ContentLength == 0 || resp.Body == nil || resp.Body == http.NoBody ||
		resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified
}

// discard reads a little of an unwanted body, so the connection can be
// reused, and closes it.
func discard(body io.ReadCloser) {
	if body != nil {
		_, _ = io.CopyN(io.Discard, body, 4<<10)
		body.Close()
	}
}
