package clientcache

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
)

// backgroundTimeout bounds a background revalidation, which no caller waits
// for.
const backgroundTimeout = time.Minute

// revalidateInBackground refreshes a stale stored response that was just
// served under stale-while-revalidate (RFC 5861 §3). Concurrent requests for
// the same key share one revalidation: it joins the flight group as leader or
// not at all.
func (t *Transport) revalidateInBackground(req *http.Request, key string, s *settings, stored *entry.Entry) {
	c, leader := t.flights.join(key)
	if !leader {
		return // a fetch of this key is already under way
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), backgroundTimeout)
	bg := req.Clone(ctx)
	bg.Body, bg.GetBody, bg.ContentLength = nil, nil, 0
	bgSettings := *s
	bgSettings.refresh = true
	// The caller serves stored, and its header map becomes the response's,
	// which the caller's client may change: the revalidation reads its own.
	own := *stored
	own.Header = stored.Header.Clone()
	f := &fetchState{key: key, s: bgSettings, stored: &own, st: newStatus(Status{Key: key}),
		validate: hasValidators(own.Header), call: c}
	t.background.Add(1)
	go func() {
		defer t.background.Done()
		defer cancel()
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
