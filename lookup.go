package clientcache

import (
	"context"
	"errors"
	"net/http"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/storage"
)

// roundTrip serves req, whose key is key, from the store or the origin.
func (t *Transport) roundTrip(req *http.Request, key string, s *settings) (*http.Response, error) {
	ctx := req.Context()
	st := Status{Key: key, Forward: ForwardRequest}
	var stored *entry.Entry
	if !s.forceRefresh {
		stored = t.lookup(ctx, key, req, &st)
	}
	clientConditional := hasClientValidators(req.Header)
	now := t.cfg.now()
	var d decision
	if stored != nil {
		d = t.cfg.policy.decide(s, stored, now)
		switch {
		case d.serve:
			closeBody(req)
			st.Forward = "" // a hit
			if clientConditional && notModified(req, stored.Header) {
				return t.serveNotModified(req, stored, st, d, now), nil
			}
			return t.serve(req, stored, st, 0, d, now), nil
		case d.staleWhileRevalidate && !clientConditional:
			closeBody(req)
			t.revalidateInBackground(req, key, s, stored)
			st.Forward, st.Detail = "", DetailStaleWhileRevalidate
			return t.serve(req, stored, st, 0, d, now), nil
		}
	}
	if s.onlyIfCached {
		closeBody(req)
		return t.gatewayTimeout(req, st), nil
	}
	if stored != nil {
		st.Forward = ForwardStale
		if rc := &s.cc.CacheControl; s.refresh || d.ttl > 0 && (rc.NoCache || rc.MaxAge.Present || rc.MinFresh.Present) {
			st.Forward = ForwardRequest
		}
	}
	return t.miss(req, &fetchState{key: key, s: *s, stored: stored, d: d, st: st,
		validate: stored != nil && !s.forceRefresh && !clientConditional && hasValidators(stored.Header)})
}

// lookup returns the stored entry for key that req selects, or nil, and
// sets st's fwd reason should it not answer (and its detail when the store
// failed). Store failures are logged by the guard (storeguard.go), here only
// at debug level; undecodable entries are deleted.
func (t *Transport) lookup(ctx context.Context, key string, req *http.Request, st *Status) *entry.Entry {
	v, err := t.cache.readAll(ctx, key, true)
	if err != nil {
		st.Forward = ForwardURIMiss
		if !errors.Is(err, storage.ErrNotFound) {
			st.Detail = DetailStoreError
			t.cfg.logger.DebugContext(ctx, "clientcache: cache read failed; using the network", "key", key, "err", err)
		}
		return nil
	}
	e := t.cache.selectFor(ctx, v, req.Header)
	if e == nil {
		st.Forward = ForwardVaryMiss
		return nil
	}
	if t.cfg.Filter != nil && !t.cfg.Filter(t.responseFrom(req, e, 0)) {
		st.Forward = ForwardURIMiss
		return nil
	}
	st.Forward = ForwardMiss
	return e
}
