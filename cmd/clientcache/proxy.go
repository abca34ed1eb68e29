package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clientcache/clientcache"
)

const (
	// defaultListen keeps the proxy on loopback unless told otherwise: a
	// cache may hold responses meant for one user.
	defaultListen = "127.0.0.1:8080"
	// shutdownTimeout is how long requests in flight may take to finish
	// after SIGINT or SIGTERM before their connections are closed.
	shutdownTimeout = 10 * time.Second
)

var proxyCommand = &command{
	name:     "proxy",
	synopsis: "--upstream URL",
	summary:  "serve a caching reverse proxy in front of one HTTP server",
	help: `Every request to the proxy goes to the upstream server through the cache:
its method (unknown ones too), path, query and headers, its body as it
streams, and the 1xx interim responses, trailers and streamed body of the
answer. Programs in any language thus share one clientcache store. Responses
carry a Cache-Status header (RFC 9211), and an Age header when they come from
the store. A request the upstream does not answer gets 502 Bad Gateway.

HTTP caching rules (RFC 9111: Cache-Control, Expires, validation, Vary,
invalidation by unsafe methods) decide what is stored and reused, as the cache
of one user (a private cache) unless --shared is given: with several users
behind the proxy, --shared stops it storing responses marked private, answers
to requests with Authorization (unless the response allows it) and responses
that set cookies (unless --allow-set-cookie). Either way, requests carrying
credentials (Authorization, Cookie, an api_key parameter, the --credential
names...) never share a stored response with requests carrying other
credentials or none, unless --share-credentials is given.

One line per request goes to stderr (method, path, status, bytes, duration,
cache status). SIGINT or SIGTERM stops accepting connections and lets the
requests in flight finish for up to 10s (a second signal cuts them short),
then closes the store; the exit status is then 0. It is 1 when the address
cannot be listened on or the store cannot be opened, 2 for a usage error.

Example:
  clientcache proxy --upstream https://api.example.com --listen 127.0.0.1:8080
  curl -i http://127.0.0.1:8080/items?page=2
`,
	flags: `  --upstream URL        the server to forward to: http://HOST[:PORT][/PATH] or
                        https://...; a path is prefixed to every request's path
  --listen ADDR         the address to serve on, HOST:PORT (port 0 picks a free
                        one, printed at start). Default: ` + defaultListen + `
  --shared              be a shared cache (RFC 9111), for several users
  --allow-set-cookie    with --shared, store responses that set cookies too,
                        without their Set-Cookie field (only the client whose
                        request fetched one receives the cookie). Without
                        --shared it changes nothing: a private cache stores
                        such responses, cookie included
  --cache-control=false ignore the HTTP caching rules: store every GET and HEAD
                        200 response and reuse it until --expire-after
  --expire-after D      how long responses stay fresh when the server does not
                        say (with --cache-control=false: all responses): a Go
                        duration (90s, 1h), a number of seconds, never, or 0.
                        Default: the server decides; never with
                        --cache-control=false
` + outageFlagsHelp,
	keyed: true,
	run:   runProxy,
}

// proxyConfig is the proxy's command line, checked.
type proxyConfig struct {
	listen           string
	upstream         *url.URL
	shared           bool
	cacheControl     bool
	expireAfter      time.Duration
	allowSetCookie   bool
	shareCredentials bool
}

func runProxy(ctx context.Context, e *env, c *command, args []string) error {
	fs, common := newFlagSet(c)
	var listen, upstream, expire string
	var shared, cacheControl, allowSetCookie bool
	var outage outageFlags
	outage.define(fs)
	fs.StringVar(&listen, "listen", defaultListen, "")
	fs.StringVar(&upstream, "upstream", "", "")
	fs.BoolVar(&shared, "shared", false, "")
	fs.BoolVar(&cacheControl, "cache-control", true, "")
	fs.StringVar(&expire, "expire-after", "", "")
	fs.BoolVar(&allowSetCookie, "allow-set-cookie", false, "")
	pos, err := parseArgs(e, c, fs, common, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("proxy takes no arguments, got %q; the server to forward to goes in --upstream URL", strings.Join(pos, " "))
	}
	cfg, err := parseProxyFlags(listen, upstream, expire, shared, cacheControl)
	if err != nil {
		return err
	}
	cfg.allowSetCookie, cfg.shareCredentials = allowSetCookie, common.shareCredentials
	opts := &clientcache.Options{
		CacheControl:           cfg.cacheControl,
		Shared:                 cfg.shared,
		AllowSetCookie:         cfg.allowSetCookie,
		ExpireAfter:            cfg.expireAfter,
		Credentials:            common.credentials,
		ShareAcrossCredentials: cfg.shareCredentials,
	}
	if err := outage.apply(c, opts); err != nil {
		return err
	}
	where, err := cacheURL(common.cache)
	if err != nil {
		return err
	}
	// Server goroutines log concurrently: the two loggers share a writer.
	out := &lockedWriter{w: e.stderr}
	errLog := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: e.level}))
	opts.Logger = errLog
	b, err := openCache(ctx, where, true, errLog)
	if err != nil {
		return err
	}
	defer func() {
		if err := b.Close(); err != nil {
			errLog.Warn("clientcache: closing the cache failed", "err", err)
		}
	}()
	t, err := clientcache.NewTransport(b, opts)
	if err != nil {
		return optionsError(c, err)
	}
	defer t.CloseIdleConnections()
	p, err := clientcache.NewReverseProxy(cfg.upstream, t, &clientcache.ProxyOptions{
		AccessLog: slog.New(slog.NewTextHandler(out, nil)),
		ErrorLog:  errLog,
	})
	if err != nil {
		return usagef("proxy: --upstream %s: %v", cfg.upstream.Redacted(), err)
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("clientcache: proxy: cannot listen on %s: %w", cfg.listen, err)
	}
	srv := &http.Server{
		Handler: p,
		// A client gets this long to send its request line and headers.
		// There is no read or write timeout: bodies stream for as long as
		// they take, in both directions.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(errLog.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(out, "clientcache proxy: listening on http://%s, upstream %s, cache %s\n",
		ln.Addr(), cfg.upstream.Redacted(), redactURL(where))
	err = serve(ctx, srv, ln, out)
	// Background revalidations write to the store, closed on return: they
	// get a few seconds to finish, then are cancelled.
	if cerr := t.Close(); cerr != nil {
		fmt.Fprintf(out, "clientcache proxy: %v\n", cerr)
	}
	return err
}

// parseProxyFlags checks the proxy's flags; every mistake is a usage error.
func parseProxyFlags(listen, upstream, expire string, shared, cacheControl bool) (*proxyConfig, error) {
	cfg := &proxyConfig{listen: listen, shared: shared, cacheControl: cacheControl}
	if upstream == "" {
		return nil, usagef("proxy: missing --upstream URL, the server to forward to (such as --upstream https://api.example.com)")
	}
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, usagef("proxy: --upstream %q is not a URL: %v", upstream, unwrapURLError(err))
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return nil, usagef("proxy: --upstream %q: want an absolute http:// or https:// URL, such as https://api.example.com", upstream)
	}
	cfg.upstream = u
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, usagef("proxy: --listen %q: %v; want HOST:PORT, such as 127.0.0.1:8080 or :8080 (every interface)", listen, unwrapAddrError(err))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return nil, usagef("proxy: --listen %q: the port %q is not a number from 0 to 65535", listen, port)
	}
	if strings.ContainsAny(host, " /") {
		return nil, usagef("proxy: --listen %q: %q is not a host name or address", listen, host)
	}
	if shared && !cacheControl {
		return nil, usagef("proxy: --shared applies the HTTP caching rules of a shared cache; it cannot go with --cache-control=false")
	}
	if cfg.expireAfter, err = parseExpireAfter(expire); err != nil {
		return nil, usagef("proxy: --expire-after %q: want a duration such as 90s or 1h, a number of seconds, never, or 0", expire)
	}
	return cfg, nil
}

// unwrapAddrError drops net.SplitHostPort's repetition of the address.
func unwrapAddrError(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

// serve runs srv on ln until ctx is done (SIGINT or SIGTERM), then shuts it
// down gracefully.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, out io.Writer) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("clientcache: proxy: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintf(out, "clientcache proxy: shutting down; waiting up to %v for requests in flight\n", shutdownTimeout)
	// A second signal stops the wait: the user means it.
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	deadline, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(deadline) }()
	var err error
	select {
	case err = <-stopped:
	case <-again:
		err = errors.New("interrupted again")
	}
	if err != nil {
		fmt.Fprintf(out, "clientcache proxy: closing the connections still open (%v)\n", err)
		_ = srv.Close()
	}
	<-served // http.ErrServerClosed
	fmt.Fprintln(out, "clientcache proxy: stopped")
	return nil
}

// lockedWriter serialises writes from concurrent loggers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
