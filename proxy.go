package clientcache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ReverseProxy is a caching reverse proxy: an http.Handler that sends every
// request to one upstream server through a Transport, so that programs in
// any language share a clientcache store by talking HTTP to it. Create it
// with NewReverseProxy and serve it with an http.Server.
//
// It is built on net/http/httputil.ReverseProxy, and forwards:
//   - every method, unknown ones too (only those the Transport caches are
//     answered from the store; the others pass through, and in CacheControl
//     mode invalidate what they change);
//   - the path and the query exactly as the client sent them, encoded
//     characters such as %2F included, appended to the upstream URL's path
//     (but see below for dot segments);
//   - the request and response headers, except the hop-by-hop ones
//     (Connection and the fields it names, Keep-Alive, TE, Upgrade...) and
//     the client's Forwarded and X-Forwarded-* fields (see
//     ProxyOptions.XForwarded). The Host is the upstream's, not the
//     client's: the cache keys responses on the upstream URL, so a Host that
//     chose between sites would make their responses share keys;
//   - 1xx interim responses such as 103 Early Hints, trailers, and protocol
//     upgrades (WebSocket), which always bypass the cache;
//   - bodies in both directions as they arrive, flushed at once, never
//     buffered whole (the Transport stores a response body while it streams).
//
// Responses carry the Transport's Cache-Status header (RFC 9211) and, when
// they come from the store, an Age header. A request the upstream does not
// answer gets a 502 Bad Gateway (504 Gateway Timeout on a timeout) with a
// one-line body, and the failure is logged.
//
// The upstream never sees a path outside the upstream URL's path. A request
// whose path could leave it gets a 400 Bad Request with a one-line body,
// logged at level Debug on ProxyOptions.ErrorLog, and nothing is sent
// upstream: a ".." segment (dots possibly percent-encoded, as in %2e%2e or
// .%2E) that climbs above the path's root, as in /../x or /a/../../x; or a
// dot segment hidden where upstreams disagree on how to split a path, by an
// encoded slash or backslash, a backslash, a ";" or a double encoding (as in
// %2e%2e%2F, ..%5C, ..;/ or %252e%252e), wherever it stands. The proxy
// refuses these rather than resolving them because resolving could not
// settle those disagreements, and because it keeps every path it forwards
// exactly as the client sent it. Dot segments that stay within the path, as
// in /a/./b or /a/../b, are forwarded unchanged, for the upstream to resolve
// within its path; clients resolve dot segments before sending a request
// (RFC 3986 §5.2), so nothing legitimate is refused.
//
// A ReverseProxy is safe for concurrent use.
type ReverseProxy struct {
	upstream   *url.URL
	transport  *Transport
	proxy      *httputil.ReverseProxy
	accessLog  *slog.Logger // nil: none
	errorLog   *slog.Logger
	xForwarded bool
}

var _ http.Handler = (*ReverseProxy)(nil)

// ProxyOptions configure a ReverseProxy. A nil *ProxyOptions means all
// defaults. Each field's doc ends with its default.
type ProxyOptions struct {
	// AccessLog receives one line per request, written when the response
	// is done, at level Info, with the method, the path and query
	// (credentials and ignored parameters redacted), the status, the bytes
	// of body sent, the duration, the client's address, and the cache's
	// status as it then stands: its Cache-Status, which says "stored" once
	// a response has been stored, and not_stored with the reason when one
	// the cache meant to store was not (Status.NotStored). Default: nil (no
	// access log).
	AccessLog *slog.Logger

	// ErrorLog receives the failures of requests to the upstream and of
	// copying its responses. Default: the Transport's Options.Logger (itself
	// slog.Default() when unset).
	ErrorLog *slog.Logger

	// XForwarded sets X-Forwarded-For (the client's address),
	// X-Forwarded-Host (the Host the client asked for) and X-Forwarded-Proto
	// on the requests sent upstream. Leave it off when the upstream is a
	// third-party API that has no use for the proxy's clients' addresses;
	// turn it on when it builds links back to the proxy. The client's own
	// X-Forwarded-* and Forwarded fields are never passed on, since anyone
	// can forge them. Default: false.
	XForwarded bool
}

// NewReverseProxy returns a ReverseProxy that sends requests to upstream, an
// absolute http or https URL whose path, if any, is a prefix of every
// forwarded path, through t. It fails, with an error wrapping
// ErrInvalidOptions, when t is nil or upstream cannot be proxied to. The
// proxy keeps its own copy of upstream.
func NewReverseProxy(upstream *url.URL, t *Transport, opts *ProxyOptions) (*ReverseProxy, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: NewReverseProxy needs a Transport", ErrInvalidOptions)
	}
	t.init()
	if err := checkUpstream(upstream); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &ProxyOptions{}
	}
	u := *upstream
	p := &ReverseProxy{
		upstream:   &u,
		transport:  t,
		accessLog:  opts.AccessLog,
		errorLog:   opts.ErrorLog,
		xForwarded: opts.XForwarded,
	}
	if p.errorLog == nil {
		p.errorLog = t.cfg.logger
	}
	p.proxy = &httputil.ReverseProxy{
		Rewrite:   p.rewrite,
		Transport: t,
		// Flush after every write: a client must see each part of a body
		// as soon as the upstream sends it (event streams, slow downloads).
		// The server's own buffering already batches small writes.
		FlushInterval:  -1,
		ErrorLog:       slog.NewLogLogger(p.errorLog.Handler(), slog.LevelWarn),
		BufferPool:     &proxyBuffers,
		ErrorHandler:   p.fail,
		ModifyResponse: keepResponse,
	}
	return p, nil
}

// checkUpstream says what is wrong with an upstream URL, if anything.
func checkUpstream(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: NewReverseProxy needs an upstream URL", ErrInvalidOptions)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("%w: upstream %q: the scheme must be http or https", ErrInvalidOptions, u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("%w: upstream %q has no host", ErrInvalidOptions, u.Redacted())
	}
	if u.User != nil {
		// They would be silently dropped: nothing sends a URL's user info.
		return fmt.Errorf("%w: upstream %q holds credentials; clients send their own Authorization", ErrInvalidOptions, u.Redacted())
	}
	return nil
}

// ServeHTTP forwards r to the upstream through the cache.
func (p *ReverseProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.accessLog == nil {
		p.serve(w, r)
		return
	}
	rec := &responseRecorder{ResponseWriter: w}
	start := time.Now()
	completed := false
	// Deferred, so that a response cut short (httputil.ReverseProxy panics
	// with http.ErrAbortHandler when a body copy fails) is logged too.
	defer func() { p.logAccess(r, rec, time.Since(start), completed) }()
	p.serve(rec, r.WithContext(context.WithValue(r.Context(), recorderKey{}, rec)))
	completed = true
}

type recorderKey struct{}

// keepResponse gives the access log the Transport's response, whose status
// says, once its body has been copied, whether it was stored.
func keepResponse(resp *http.Response) error {
	if rec, ok := resp.Request.Context().Value(recorderKey{}).(*responseRecorder); ok {
		rec.resp = resp
	}
	return nil
}

// serve forwards r, unless its path could reach outside the upstream's path
// (see proxy_path.go). The check is made here, before httputil.ReverseProxy
// runs, because rewrite, which appends the path, cannot answer the client.
func (p *ReverseProxy) serve(w http.ResponseWriter, r *http.Request) {
	if why := pathOutsideUpstream(r.URL); why != "" {
		path := p.transport.cfg.logURL(&url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery})
		p.errorLog.DebugContext(r.Context(), "clientcache proxy: refused a path outside the upstream's",
			"method", r.Method, "path", path, "reason", why)
		http.Error(w, "400 Bad Request: the path leaves the upstream's path (dot segments)", http.StatusBadRequest)
		return
	}
	p.proxy.ServeHTTP(w, r)
}

// rewrite turns the client's request into the upstream's.
func (p *ReverseProxy) rewrite(pr *httputil.ProxyRequest) {
	// httputil.ReverseProxy drops query parameters that url.ParseQuery
	// rejects (those with ';'); the upstream is the judge of its own URLs,
	// and the cache keys such queries verbatim.
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	// SetURL appends the path as the client sent it: serve has refused the
	// paths whose dot segments could climb out of the upstream's path, and
	// forwards the others verbatim (see proxy_path.go for why it does not
	// resolve them).
	pr.SetURL(p.upstream)
	if p.xForwarded {
		pr.SetXForwarded()
	}
	if pr.Out.Header.Get("Upgrade") != "" {
		// A protocol switch is one connection's business: never answer it
		// from the store, nor share it with a concurrent request.
		pr.Out = pr.Out.WithContext(WithRequest(pr.Out.Context(), RequestOptions{Disabled: true}))
	}
}

// fail answers a request the upstream did not answer.
func (p *ReverseProxy) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusBadGateway
	var ne net.Error
	// A stale response that may not be served stale: RFC 9111 §5.2.2.2 asks
	// for a 504, as for a timeout.
	if errors.Is(err, ErrRevalidationFailed) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		code = http.StatusGatewayTimeout
	}
	target := p.transport.cfg.logURL(r.URL)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away: nobody waits for the answer, and the
		// upstream did nothing wrong.
		p.errorLog.DebugContext(r.Context(), "clientcache proxy: client gone", "method", r.Method, "url", target, "err", err)
	} else {
		p.errorLog.WarnContext(r.Context(), "clientcache proxy: upstream request failed", "method", r.Method, "url", target, "err", err)
	}
	// The details stay in the log: they name internal hosts and addresses.
	http.Error(w, fmt.Sprintf("%d %s: the upstream server did not answer", code, http.StatusText(code)), code)
}

// logAccess writes the access log line of one request.
func (p *ReverseProxy) logAccess(r *http.Request, rec *responseRecorder, d time.Duration, completed bool) {
	status := rec.code
	if status == 0 && completed {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	path := p.transport.cfg.logURL(&url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery})
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", d),
		slog.String("cache", rec.cacheStatus),
		slog.String("remote", r.RemoteAddr),
	}
	// Written once the body has been copied: the cache's status now says
	// what became of the response, which the header sent before could not.
	if rec.resp != nil {
		if c, ok := rec.resp.Request.Context().Value(statusKey{}).(*statusCarrier); ok {
			attrs[5] = slog.String("cache", c.header(time.Now()))
			if st := c.snapshot(); st.NotStored != "" {
				attrs = append(attrs, slog.String("not_stored", st.NotStored))
			}
		}
	}
	if !completed {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	p.accessLog.LogAttrs(r.Context(), slog.LevelInfo, "clientcache proxy", attrs...)
}

// responseRecorder is an http.ResponseWriter that remembers the final
// status, the Cache-Status and the body bytes written, for the access log.
// Flush and Hijack reach the wrapped writer, and Unwrap gives it to
// http.ResponseController for the rest.
type responseRecorder struct {
	http.ResponseWriter
	code        int // the final status; 0 until sent
	cacheStatus string
	bytes       int64
	resp        *http.Response // the Transport's response, when there was one
}

func (w *responseRecorder) WriteHeader(code int) {
	// 1xx interim responses (103 Early Hints) precede the final status;
	// 101 Switching Protocols is final.
	if w.code == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.record(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.record(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *responseRecorder) record(code int) {
	w.code = code
	w.cacheStatus = w.Header().Get("Cache-Status")
}

// Flush implements http.Flusher.
func (w *responseRecorder) Flush() { _ = w.FlushError() }

// FlushError flushes as http.ResponseController does, returning its error.
func (w *responseRecorder) FlushError() error {
	if w.code == 0 {
		w.record(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker, for protocol upgrades.
func (w *responseRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.code == 0 {
		w.code = http.StatusSwitchingProtocols // written on the hijacked connection
	}
	return conn, rw, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// proxyBuffers recycles the buffers that copy bodies, shared by every
// ReverseProxy.
var proxyBuffers bufferPool

// bufferPool is an httputil.BufferPool of 32 KiB buffers.
type bufferPool struct{ pool sync.Pool }

func (b *bufferPool) Get() []byte {
	if buf, ok := b.pool.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.pool.Put(&buf) }
