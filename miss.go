package clientcache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/flight"
	"github.com/clientcache/clientcache/internal/freshness"
	"github.com/clientcache/clientcache/internal/httpdate"
	"github.com/clientcache/clientcache/storage"
)

// fetchState is what fetch needs to know about one request on its way to
// the origin.
type fetchState struct {
	key      string
	s        settings     // a copy: the caller's stays on its stack
	stored   *entry.Entry // the stored entry, stale or to be refreshed; nil if none
	d        decision     // what the cache may do with stored
	validate bool         // ask the origin whether stored is still current
	st       Status       // what led here; completed as the response is made
	call     *flight.Call // the fetch this request leads; nil when it leads none

	published bool
}

// miss answers a request the store could not: it joins a fetch of the same
// key already under way and shares its response (coalescing), or leads one.
func (t *Transport) miss(req *http.Request, f *fetchState) (*http.Response, error) {
	ctx := req.Context()
	c, leader := t.flights.Join(f.key)
	if leader {
		f.call = c
		return t.fetch(req, f)
	}
	resp, err := c.Wait(ctx, func(e *entry.Entry) bool { return t.cache.varyMatches(ctx, e, req.Header) })
	switch {
	case err != nil:
		closeBody(req)
		return nil, err
	case resp != nil:
		closeBody(req)
		f.st.Collapsed = true
		carry(req, f.st, 0).attach(req, resp, t.cfg.now())
		return resp, nil
	}
	// The leader's response could not be shared; it may have been stored.
	var ignored Status
	if again := t.lookup(ctx, f.key, req, &ignored); again != nil && !f.s.refresh && !f.s.forceRefresh {
		if d := t.cfg.policy.decide(&f.s, again, t.cfg.now()); d.serve {
			closeBody(req)
			f.st.Forward = "" // a hit after all
			return t.serve(req, again, f.st, 0, d, t.cfg.now()), nil
		}
	}
	return t.fetch(req, f)
}

// done publishes the outcome to the followers (share may be nil: they then
// fetch for themselves) and ends the call.
func (t *Transport) done(f *fetchState, share func() *http.Response, selected *entry.Entry) {
	t.publish(f, share, selected)
	if f.call != nil {
		t.flights.Forget(f.key, f.call)
	}
}

func (t *Transport) publish(f *fetchState, share func() *http.Response, selected *entry.Entry) {
	if f.call != nil && !f.published {
		f.published = true
		f.call.Publish(share, selected)
	}
}

// fetch sends req to the origin, revalidating the stored entry when it has
// validators, and stores the response when it may.
func (t *Transport) fetch(req *http.Request, f *fetchState) (*http.Response, error) {
	st := f.st
	resp, requested, now, err := t.send(req, f)
	if err != nil {
		t.done(f, nil, nil)
		if f.stored != nil && (f.d.staleIfError || f.d.staleIfUnreachable) {
			detail := DetailStaleIfError
			if !f.d.staleIfError {
				detail = DetailStaleIfUnreachable
			}
			t.cfg.logger.InfoContext(req.Context(), "clientcache: origin failed; serving a stale response", "url", t.cfg.logURL(req.URL), "err", err)
			return t.serveStale(req, f, now, detail), nil
		}
		if f.stored != nil {
			return nil, fmt.Errorf("%w: %w", ErrRevalidationFailed, err)
		}
		return nil, err
	}
	if f.validate && resp.StatusCode == http.StatusNotModified {
		discard(resp.Body)
		cookies := resp.Header["Set-Cookie"]
		e, keep, why := t.refreshed(f.stored, resp.Header, &f.s, requested, now)
		encoded := e.Encode()
		stored, _ := t.storeRefreshed(req, f.key, encoded, e, keep, why)
		d := t.cfg.policy.decide(&f.s, e, now)
		// Followers decode their own copies: the caller's response gets e's
		// header map, and responses never share one. The bytes were just
		// made here: no checksum to verify.
		selected, _ := entry.DecodeTrusted(encoded)
		t.done(f, func() *http.Response {
			if own, err := entry.DecodeTrusted(encoded); err == nil {
				return t.responseFrom(req, own, d.age)
			}
			return nil
		}, selected)
		st.Forward, st.Revalidated = ForwardStale, true
		resp := t.serve(req, e, st, stored, d, now)
		if len(cookies) > 0 {
			// Meant for this client only (a shared cache stores none).
			resp.Header["Set-Cookie"] = cookies
		}
		return resp, nil
	}
	if f.stored != nil && f.d.staleIfError && t.cfg.policy.serverError(resp.StatusCode) {
		discard(resp.Body)
		t.done(f, nil, nil)
		return t.serveStale(req, f, now, DetailStaleIfError), nil
	}
	if t.cfg.policy.httpSemantics() && req.Method == http.MethodHead && resp.StatusCode == http.StatusOK {
		t.updateStoredGET(req, resp.Header, &f.s, requested, now)
	}

	e, ok, why := t.storable(req, resp, &f.s, requested, now)
	if !ok {
		if why != 0 {
			t.logNotStored(req, f.key, why)
		}
		t.done(f, nil, nil)
		carry(req, st, why).attach(req, resp, now)
		return resp, nil
	}
	// Followers get responses of their own, built from the entry (whose
	// header is a copy), not from resp, which the caller may change as soon
	// as it has it.
	status, code, proto, major, minor, length := resp.Status, resp.StatusCode, resp.Proto, resp.ProtoMajor, resp.ProtoMinor, resp.ContentLength
	share := func(body io.ReadCloser) *http.Response {
		return &http.Response{Status: status, StatusCode: code, Proto: proto, ProtoMajor: major, ProtoMinor: minor,
			Header: e.Header.Clone(), ContentLength: length, Body: body}
	}
	if bodyless(req, resp) {
		e.Body = nil
		stored := t.storeEntry(req.Context(), f.key, e.Encode(), e)
		t.done(f, func() *http.Response { return share(http.NoBody) }, e)
		carry(req, st, stored).attach(req, resp, now)
		return resp, nil
	}
	// The body is stored as the caller reads it: what became of it is known
	// at its end, and told through the carrier made now.
	c := carry(req, st, 0)
	storeCtx := context.WithoutCancel(req.Context())
	end := func() {
		if f.call != nil {
			t.flights.Forget(f.key, f.call)
		}
	}
	store := func(whole []byte, why flight.Reason) {
		o := notStoredBecause[why]
		if whole != nil {
			o = t.storeEntry(storeCtx, f.key, whole, e)
		}
		c.setOutcome(o)
		t.logNotStored(req, f.key, o)
	}
	fl := flight.NewBody(resp.Body, e, resp.ContentLength, int(t.cfg.MaxBodySize), store, end)
	resp.Body = fl.NewReader()
	t.publish(f, func() *http.Response {
		if body := fl.NewReader(); body != nil {
			return share(body)
		}
		return nil
	}, e)
	c.attach(req, resp, now)
	return resp, nil
}

// send sends req to the origin, as a conditional request when f.validate,
// and returns the response with request_time and response_time (RFC 9111
// §4.2.3). A 304 whose validators show it is about another representation
// than the stored one must not update it (RFC 9111 §4.3.4): the request is
// then sent again unconditionally, and f.validate cleared.
func (t *Transport) send(req *http.Request, f *fetchState) (resp *http.Response, requested, now time.Time, err error) {
	out := req
	if f.validate {
		out = conditionalRequest(req, f.stored.Header)
	}
	requested = t.cfg.now()
	resp, err = t.cfg.next.RoundTrip(out)
	now = t.cfg.now()
	if err != nil || !f.validate || resp.StatusCode != http.StatusNotModified || sameRepresentation(f.stored.Header, resp.Header) {
		return resp, requested, now, err
	}
	discard(resp.Body)
	again := req
	if req.GetBody != nil { // a GET with a body, buffered by bufferBody
		body, err := req.GetBody()
		if err != nil {
			return nil, requested, now, err
		}
		again = new(http.Request)
		*again = *req
		again.Body = body
	}
	t.cfg.logger.DebugContext(req.Context(), "clientcache: a 304 for another representation; fetching the full response", "url", t.cfg.logURL(req.URL))
	f.validate = false
	requested = t.cfg.now()
	resp, err = t.cfg.next.RoundTrip(again)
	return resp, requested, t.cfg.now(), err
}

// serveStale answers with the stored entry when the origin failed, detail
// saying why it may.
func (t *Transport) serveStale(req *http.Request, f *fetchState, now time.Time, detail string) *http.Response {
	st := f.st
	st.Forward, st.Expired, st.Detail = "", true, detail
	return t.serve(req, f.stored, st, 0, t.cfg.policy.decide(&f.s, f.stored, now), now)
}

// storable returns the entry for resp, without its body, or false when resp
// must not be stored: why is then the reason when the rules allowed storing
// it and something else stood in the way, zero when the rules did not.
func (t *Transport) storable(req *http.Request, resp *http.Response, s *settings, requested, now time.Time) (e *entry.Entry, ok bool, why outcome) {
	expires, flags, ok := t.cfg.policy.admit(req, resp, s, requested, now)
	if !ok {
		return nil, false, 0
	}
	if t.cfg.Shared && len(resp.Header["Set-Cookie"]) > 0 && !t.cfg.AllowSetCookie && !t.qualifiedNames(resp.Header, "Set-Cookie") {
		// The cookie is this client's; a shared cache must not hand the
		// response, with or without it, to others (Options.AllowSetCookie).
		t.cfg.logger.DebugContext(req.Context(), "clientcache: response not stored", "url", t.cfg.logURL(req.URL), "reason", "it sets a cookie")
		return nil, false, 0
	}
	reqHeader, ok := t.selectedRequestHeader(req.Context(), req.Header, resp.Header)
	if !ok {
		return nil, false, 0 // Vary: *, never reusable; or no key secret
	}
	if t.cfg.Filter != nil && !t.cfg.Filter(resp) {
		return nil, false, 0
	}
	switch {
	case t.cfg.ReadOnly:
		return nil, false, outcomeReadOnly
	case resp.ContentLength > t.cfg.MaxBodySize:
		return nil, false, outcomeTooLarge
	}
	header := storedHeader(resp.Header)
	t.strippedForShared(header)
	if _, ok := header["Date"]; !ok {
		// RFC 9110 §6.6.1: a cache records when a response without Date was
		// received, and adds that Date.
		header["Date"] = []string{httpdate.Format(now)}
	}
	return &entry.Entry{
		Status:     resp.StatusCode,
		Flags:      flags,
		Proto:      resp.Proto,
		Header:     header,
		Created:    now,
		InitialAge: initialAge(resp, requested, now),
		Expires:    expires,
		Requested:  requested,
		Method:     req.Method,
		URL:        t.cfg.keyer.NormalizeURL(req.URL),
		ReqHeader:  reqHeader,
	}, true, 0
}

// storeEntry writes an encoded entry, among the other variants stored under
// key when the response varies, and says what became of it. A failure is
// logged, never returned: the response is served all the same.
func (t *Transport) storeEntry(ctx context.Context, key string, data []byte, e *entry.Entry) outcome {
	if t.cfg.ReadOnly {
		return outcomeReadOnly
	}
	expires := e.Expires
	if names, _ := varyNames(e.Header); len(names) > 0 {
		data, expires = t.withOtherVariants(ctx, key, data, e)
	}
	err := t.cache.write(ctx, key, data, expires)
	switch {
	case err == nil:
		if t.cfg.logger.Enabled(ctx, slog.LevelDebug) { // no arguments to box otherwise
			t.cfg.logger.DebugContext(ctx, "clientcache: response stored", "key", key, "bytes", len(data))
		}
		return outcomeStored
	case errors.Is(err, storage.ErrReadOnly):
		return outcomeReadOnly
	case errors.Is(err, storage.ErrTooLarge):
		return outcomeTooLarge
	default:
		t.cfg.logger.DebugContext(ctx, "clientcache: cache write failed; response served uncached", "key", key, "err", err)
		return outcomeStoreError
	}
}

// notStoredBecause maps why a shared body is not stored to the outcome.
var notStoredBecause = map[flight.Reason]outcome{
	flight.TooLarge:   outcomeTooLarge,
	flight.Incomplete: outcomeIncomplete,
	flight.Abandoned:  outcomeAbandoned,
}

// logNotStored tells, at debug level, why a response the cache meant to
// store was not (a store failure is logged as a warning where it happens).
func (t *Transport) logNotStored(req *http.Request, key string, o outcome) {
	if o == outcomeStored || o == outcomeStoreError || !t.cfg.logger.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	t.cfg.logger.DebugContext(req.Context(), "clientcache: response not stored", "url", t.cfg.logURL(req.URL), "key", key, "reason", notStoredReasons[o])
}

// refreshed returns stored updated by a 304 (or HEAD) response's header
// (RFC 9111 §4.3.4) and with a new expiry.
func (t *Transport) refreshed(stored *entry.Entry, h http.Header, s *settings, requested, now time.Time) (updated *entry.Entry, keep bool, why string) {
	e := *stored
	e.Header = stored.Header.Clone()
	for name, values := range h {
		if !notUpdatedBy304[name] && !isHopByHop(h, name) {
			e.Header[name] = values
		}
	}
	// The stored Age and Date described the message first received. The
	// update is a newer message: its own Age (or none) and its own Date (or
	// the time it was received) say how old the response now is (RFC 9111
	// §4.2.3, RFC 9110 §6.6.1).
	if _, ok := h["Age"]; !ok {
		delete(e.Header, "Age")
	}
	if _, ok := h["Date"]; !ok {
		e.Header["Date"] = []string{httpdate.Format(now)}
	}
	t.strippedForShared(e.Header)
	e.Created, e.Requested = now, requested
	fr := newFreshness(&e)
	e.InitialAge = fr.CurrentAge(now)
	e.Expires, keep, why = t.cfg.policy.refreshed(&e, s, now)
	return &e, keep, why
}

// storeRefreshed stores an entry updated by a 304 or a HEAD response, and
// says what became of it. When the updated header no longer allows storing
// it (keep is false, for the reason why), the stored response is removed
// rather than kept, and reused, under that header; attempted is then false.
func (t *Transport) storeRefreshed(req *http.Request, key string, encoded []byte, e *entry.Entry, keep bool, why string) (o outcome, attempted bool) {
	ctx := req.Context()
	if !keep {
		t.cfg.logger.DebugContext(ctx, "clientcache: stored response removed after an update", "url", t.cfg.logURL(req.URL), "reason", why)
		if err := t.backend.Responses.Delete(context.WithoutCancel(ctx), key); err != nil {
			t.cfg.logger.DebugContext(ctx, "clientcache: could not remove a response that may no longer be stored", "key", key, "err", err)
		}
		return 0, false
	}
	return t.storeEntry(ctx, key, encoded, e), true
}

// notUpdatedBy304 lists the fields a 304 must not change in the stored
// response: its body is unchanged, and so are the fields that describe it.
var notUpdatedBy304 = map[string]bool{
	"Content-Length": true, "Content-Encoding": true, "Content-Range": true,
	"Transfer-Encoding": true, "Cache-Status": true,
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

// initialAge is the age a response arrived with (RFC 9111 §4.2.3), computed
// once when it is stored so that a hit need not parse Date and Age again.
func initialAge(resp *http.Response, requested, received time.Time) time.Duration {
	fr := freshness.NewResponse(resp.StatusCode, resp.Header, requested, received)
	return fr.CurrentAge(received)
}
