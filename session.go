package clientcache

import (
	"errors"
	"net/http"
	"net/http/cookiejar"

	"github.com/clientcache/clientcache/storage"
)

// Session is clientcache's CachedSession (as requests-cache and
// aiohttp-client-cache name it): an *http.Client whose transport is the
// cache. Use its Get, Post, Do and friends as usual; Cache manages what
// is stored. A Session follows redirects as http.Client does and records each
// redirected URL as an alias of the response it led to, so that the next
// request for it is answered from the cache without the redirect.
//
// A Session keeps cookies in a jar; a response served from the cache sets
// its cookies there just as the network response did.
type Session struct {
	*http.Client
	// Cache is the management API of the session's store.
	Cache *Cache

	transport *Transport
	backend   *storage.Backend
	autoClose bool
}

// NewSession returns a Session that keeps responses in b. Options (nil for
// defaults) as for NewTransport, plus Jar and AutoClose.
func NewSession(b *storage.Backend, opts *Options) (*Session, error) {
	t, err := NewTransport(b, opts)
	if err != nil {
		return nil, err
	}
	jar := t.cfg.Jar
	if jar == nil {
		jar, _ = cookiejar.New(nil) // never fails with nil options
	}
	s := &Session{Cache: t.admin, transport: t, backend: b, autoClose: t.cfg.AutoClose}
	s.Client = &http.Client{Transport: t, Jar: jar, CheckRedirect: s.checkRedirect}
	return s, nil
}

// Transport returns the session's caching transport.
func (s *Session) Transport() *Transport { return s.transport }

// checkRedirect applies http.Client's default policy (at most 10 redirects)
// and records every earlier request of the chain as an alias of the next one,
// so that each of them is later answered with the final response.
func (s *Session) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	t := s.transport
	if !t.cfg.methodAllowed(req.Method) || t.cfg.ReadOnly {
		return nil
	}
	ctx := req.Context()
	to, err := t.cache.keyOf(ctx, req.Method, req.URL, req.Header, nil)
	if err != nil {
		return nil // no alias: its target's key is unknown
	}
	for _, from := range via {
		if !t.cfg.methodAllowed(from.Method) || (from.Body != nil && from.Body != http.NoBody) {
			continue
		}
		if st := t.cfg.settingsFor(from); st.disabled || st.noStore {
			continue
		}
		alias, err := t.cache.keyOf(ctx, from.Method, from.URL, from.Header, nil)
		if err != nil || alias == to {
			continue
		}
		if err := t.backend.Redirects.Write(ctx, alias, []byte(to)); err != nil {
			t.cfg.logger.DebugContext(ctx, "clientcache: could not record a redirect alias", "from", t.cfg.logURL(from.URL), "err", err)
		}
	}
	return nil
}

// Close stops the session's background revalidations (Transport.Close: at
// most 5 seconds), releases idle connections and, with Options.AutoClose,
// closes the store. Without AutoClose the store stays open for other
// sessions.
func (s *Session) Close() error {
	err := s.transport.Close()
	s.Client.CloseIdleConnections()
	if s.autoClose {
		return errors.Join(err, s.backend.Close())
	}
	return err
}
