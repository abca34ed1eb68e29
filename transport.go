package clientcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/clientcache/clientcache/internal/flight"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
)

// Transport is an http.RoundTripper that answers requests from a cache and
// sends the rest to Options.Next, storing what it may. It honours the
// RoundTripper contract: it is safe for concurrent use, does not modify the
// request, closes its body, returns an error only when there is no response,
// and does not follow redirects.
//
// A cache failure never fails a request: it is logged and the request goes
// to the network. Every response carries a Cache-Status header (RFC 9211)
// and StatusOf tells what the cache did.
//
// The zero value is a Transport with default options and its own memory
// store; NewTransport makes one for a store of your choice.
type Transport struct {
	initOnce sync.Once

	cfg     *config
	backend *storage.Backend // the store behind health's guard
	cache   *Cache           // requests' view of backend
	admin   *Cache           // Cache(): the store itself
	health  *storeHealth
	flights flight.Group
	// background tracks the revalidations that no caller waits for.
	background *background
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport returns a Transport that keeps responses in b. It fails, with
// an error wrapping ErrInvalidOptions that says what to fix, on options that
// cannot work. Closing the Transport's store is the caller's business.
func NewTransport(b *storage.Backend, opts *Options) (*Transport, error) {
	if b == nil || b.Responses == nil || b.Redirects == nil {
		return nil, fmt.Errorf("%w: the backend needs both a Responses and a Redirects storage", ErrInvalidOptions)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	t := &Transport{}
	t.setup(b, cfg)
	t.initOnce.Do(func() {}) // complete: the zero value's defaults do not apply
	return t, nil
}

func (t *Transport) setup(b *storage.Backend, cfg *config) {
	t.cfg, t.background = cfg, newBackground()
	// Requests reach the store through the guard (a deadline, and skipping
	// a store that keeps failing); the management API does not.
	t.health = newStoreHealth(b, cfg.storeTimeout(b), cfg.logger)
	t.backend = t.health.guard(b)
	secrets := newSecretSource(cfg.KeySecret, t.backend.Redirects, cfg.now, cfg.logger)
	t.cache = &Cache{cfg: cfg, backend: t.backend, secrets: secrets}
	t.admin = &Cache{cfg: cfg, backend: b, secrets: secrets}
}

// init gives a zero-value Transport its defaults: a memory store and
// default options.
func (t *Transport) init() {
	t.initOnce.Do(func() {
		cfg, _ := newConfig(nil)                         // the defaults are valid
		b, _ := memstore.Open(context.Background(), nil) // so are memstore's
		t.setup(b, cfg)
	})
}

// Cache returns the management API of the Transport's store.
func (t *Transport) Cache() *Cache {
	t.init()
	return t.admin
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.init()
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("clientcache: request has no URL")
	}
	s := t.cfg.settingsFor(req)
	if t.cfg.policy.httpSemantics() && !isSafe(req.Method) {
		return t.forwardAndInvalidate(req, &s)
	}
	if s.disabled || s.noStore || !t.cfg.methodAllowed(req.Method) || isPartial(req.Header) {
		return t.forward(req, Status{Forward: ForwardBypass})
	}
	req, body, ok := t.bufferBody(req)
	if !ok {
		return t.forward(req, Status{Forward: ForwardBypass})
	}
	key, err := t.cache.keyOf(req.Context(), req.Method, req.URL, req.Header, body)
	if err != nil {
		// Credentials whose key cannot be derived: never risk serving them
		// another's response, nor storing theirs where another may find it.
		return t.forward(req, Status{Forward: ForwardBypass, Detail: DetailNoKeySecret})
	}
	return t.roundTrip(req, key, &s)
}

// forward sends req to the origin without the cache.
func (t *Transport) forward(req *http.Request, st Status) (*http.Response, error) {
	resp, err := t.cfg.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	carry(req, st, 0).attach(req, resp, t.cfg.now())
	return resp, nil
}

// bufferBody reads the body of a request whose method is cached, since the
// body is part of the key, and returns a request that can be sent with it.
// ok is false when the body is larger than MaxBodySize: the returned request
// then streams it unchanged and must bypass the cache.
func (t *Transport) bufferBody(req *http.Request) (*http.Request, []byte, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil, true
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, t.cfg.MaxBodySize+1))
	r2 := new(http.Request)
	*r2 = *req
	if err != nil || int64(len(body)) > t.cfg.MaxBodySize {
		// Hand the next transport what was read followed by the rest.
		r2.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
		return r2, nil, false
	}
	req.Body.Close()
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r2.ContentLength = int64(len(body))
	return r2, body, true
}

// isPartial reports requests whose answer may be a part of the
// representation, or depends on preconditions the cache does not evaluate:
// those go straight to the origin, and their responses are not stored.
func isPartial(h http.Header) bool {
	for _, name := range [...]string{"Range", "If-Range", "If-Match", "If-Unmodified-Since"} {
		if _, ok := h[name]; ok {
			return true
		}
	}
	return false
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// Wait blocks until the background revalidations under way
// (stale-while-revalidate) have finished, or ctx is done; it leaves nothing
// behind when ctx ends first.
func (t *Transport) Wait(ctx context.Context) error {
	t.init()
	return t.background.wait(ctx)
}

// Close stops the Transport's background work: it lets the revalidations
// under way finish for up to 4 seconds (so that what they fetch is stored),
// then cancels the rest and waits up to 1 second for them to return; no new
// one starts (a stale-while-revalidate response is then served without
// one). It returns an error only when cancelled work did not return in time.
// Requests keep working after Close; closing the store is the caller's
// business, after Close.
func (t *Transport) Close() error {
	t.init()
	t.health.close()
	return t.background.close()
}

// CloseIdleConnections closes the idle connections of Options.Next, when it
// has any.
func (t *Transport) CloseIdleConnections() {
	t.init()
	if c, ok := t.cfg.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
