package clientcache

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// forwardAndInvalidate sends a request with an unsafe method to the origin
// and, when the response is not an error, removes the stored responses it
// may have changed: the target URI's and those of the Location and
// Content-Location URIs on the same origin (RFC 9111 §4.4).
func (t *Transport) forwardAndInvalidate(req *http.Request, s *settings) (*http.Response, error) {
	resp, err := t.forward(req, Status{Forward: ForwardBypass})
	if err != nil || resp.StatusCode >= 400 || t.cfg.ReadOnly {
		return resp, err
	}
	targets := []*url.URL{req.URL}
	for _, name := range []string{"Location", "Content-Location"} {
		if v := resp.Header.Get(name); v != "" {
			if u, err := req.URL.Parse(v); err == nil && sameOrigin(u, req.URL) {
				targets = append(targets, u)
			}
		}
	}
	ctx := context.WithoutCancel(req.Context())
	var keys []string
	for _, u := range targets {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			key, err := t.cache.keyOf(ctx, m, u, req.Header, nil)
			if err != nil {
				t.cfg.logger.DebugContext(ctx, "clientcache: could not invalidate stored responses", "url", t.cfg.logURL(u), "err", err)
				continue
			}
			keys = append(keys, key)
		}
	}
	for _, s := range []struct {
		what string
		del  func() error
	}{
		{"responses", func() error { return deleteKeys(ctx, t.backend.Responses, keys) }},
		{"aliases", func() error { return deleteKeys(ctx, t.backend.Redirects, keys) }},
	} {
		if err := s.del(); err != nil {
			t.cfg.logger.DebugContext(ctx, "clientcache: could not invalidate stored "+s.what, "url", t.cfg.logURL(req.URL), "err", err)
		}
	}
	return resp, nil
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Host == b.Host
}

// updateStoredGET applies a HEAD response to the stored GET response of the
// same URI (RFC 9111 §4.3.5): when the validators or the length differ the
// stored response is out of date and is removed; otherwise its header is
// updated, as by a 304.
func (t *Transport) updateStoredGET(req *http.Request, h http.Header, s *settings, requested, now time.Time) {
	if t.cfg.ReadOnly {
		return
	}
	ctx := req.Context()
	key, err := t.cache.keyOf(ctx, http.MethodGet, req.URL, req.Header, nil)
	if err != nil {
		return
	}
	v, err := t.cache.readAll(ctx, key, false)
	if err != nil {
		return
	}
	stored := t.cache.selectFor(ctx, v, req.Header)
	if stored == nil {
		return
	}
	for _, name := range []string{"Etag", "Last-Modified", "Content-Length"} {
		if got, had := h.Get(name), stored.Header.Get(name); got != "" && had != "" && got != had {
			if err := t.backend.Responses.Delete(ctx, key); err != nil {
				t.cfg.logger.DebugContext(ctx, "clientcache: could not remove an outdated response", "key", key, "err", err)
			}
			return
		}
	}
	e, keep, why := t.refreshed(stored, h, s, requested, now)
	_, _ = t.storeRefreshed(req, key, e.Encode(), e, keep, why)
}
