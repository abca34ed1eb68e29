package clientcache

import (
	"io"
	"net/http"

	"github.com/clientcache/clientcache/internal/entry"
)

// revalidateInBackground refreshes a stale stored response that was just
// served under stale-while-revalidate (RFC 5861 §3). Concurrent requests for
// the same key share one revalidation: it joins the flight group as leader or
// not at all.
func (t *Transport) revalidateInBackground(req *http.Request, key string, s *settings, stored *entry.Entry) {
	ctx, finished, ok := t.background.start(req.Context())
	if !ok {
		return // the Transport is closed: the stale response is served as is
	}
	c, leader := t.flights.Join(key)
	if !leader {
		finished()
		return // a fetch of this key is already under way
	}
	bg := req.Clone(ctx)
	bg.Body, bg.GetBody, bg.ContentLength = nil, nil, 0
	bgSettings := *s
	bgSettings.refresh = true
	// The caller serves stored, and its header map becomes the response's,
	// which the caller's client may change: the revalidation reads its own.
	own := *stored
	own.Header = stored.Header.Clone()
	f := &fetchState{key: key, s: bgSettings, stored: &own, st: Status{Key: key},
		validate: hasValidators(own.Header), call: c}
	go func() {
		defer finished()
		resp, err := t.fetch(bg, f)
		if err != nil {
			t.cfg.logger.InfoContext(ctx, "clientcache: background revalidation failed", "url", t.cfg.logURL(req.URL), "err", err)
			return
		}
		// Reading the body to its end is what stores it.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
}
