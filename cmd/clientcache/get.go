package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/clientcache/clientcache"
)

var getCommand = &command{
	name:     "get",
	synopsis: "URL",
	summary:  "fetch a URL through the cache and write its body to stdout",
	help: `Redirects are followed. The exit status is 0 when a response arrived, whatever
its status code, 1 when the request failed (no response), 2 for a usage error.
Flags may come before or after the URL.

With -i the status line and headers of the final response come first, then a
blank line; its Cache-Status header (RFC 9211) says what the cache did, e.g.
"clientcache; hit; ttl=3542" or "clientcache; fwd=uri-miss". It cannot say
whether a response from the origin was stored: that is known only once its
body has been read. When the cache meant to store it and could not, one line
on stderr says why after the body, such as
"clientcache: the response was not stored: read-only" (or too-large, or
store-error); the exit status stays 0.

Requests carrying credentials (Authorization, Cookie, an api_key parameter,
the --credential names...) never share a stored response with requests
carrying other credentials or none, unless --share-credentials is given.

The request's own Cache-Control is honoured: -H 'Cache-Control: no-cache'
revalidates the stored response, 'no-store' bypasses the cache,
'only-if-cached' answers 504 instead of contacting the origin.
`,
	flags: `  -X, --request METHOD  the method (default GET, or POST with -d)
  -H, --header 'Name: value'
                        a request header; repeatable
  -d, --data DATA       the request body; @FILE reads a file, @- stdin; repeated
                        -d are joined with '&'. Implies POST, and POST responses
                        are then cached too, keyed on the body. Content-Type
                        defaults to application/x-www-form-urlencoded
  -i, --include         print the status line and headers before the body
  --expire-after D      how long the response stays fresh when it is stored now:
                        a Go duration (90s, 1h30m), a number of seconds, never,
                        or 0 (stored already stale: revalidated on each use).
                        Default: never
` + outageFlagsHelp,
	keyed: true,
	run:   runGet,
}

func runGet(ctx context.Context, e *env, c *command, args []string) error {
	fs, common := newFlagSet(c)
	var (
		method, expire string
		headers, data  stringList
		include        bool
		outage         outageFlags
	)
	outage.define(fs)
	for _, name := range []string{"X", "request"} {
		fs.StringVar(&method, name, "", "")
	}
	for _, name := range []string{"H", "header"} {
		fs.Var(&headers, name, "")
	}
	for _, name := range []string{"d", "data"} {
		fs.Var(&data, name, "")
	}
	for _, name := range []string{"i", "include"} {
		fs.BoolVar(&include, name, false, "")
	}
	fs.StringVar(&expire, "expire-after", "", "")
	pos, err := parseArgs(e, c, fs, common, args)
	if err != nil {
		return err
	}
	r, err := parseGetRequest(pos, method, headers, data, include, expire)
	if err != nil {
		return err
	}
	opts := &clientcache.Options{
		Credentials:            common.credentials,
		ShareAcrossCredentials: common.shareCredentials,
		Logger:                 e.logger,
		AutoClose:              true,
	}
	if err := outage.apply(c, opts); err != nil {
		return err
	}
	if r.hasBody {
		// A body means an API call such as a search: cache it, keyed on
		// the body, as requests-cache's allowable_methods does.
		opts.AllowedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	where, err := cacheURL(common.cache)
	if err != nil {
		return err
	}
	b, err := openCache(ctx, where, true, e.logger)
	if err != nil {
		return err
	}
	s, err := clientcache.NewSession(b, opts)
	if err != nil {
		_ = b.Close()
		return optionsError(c, err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			e.logger.Warn("clientcache: closing the cache failed", "err", err)
		}
	}()
	return fetch(ctx, e, s, r)
}

// fetch sends r through s and writes the response to e.stdout.
func fetch(ctx context.Context, e *env, s *clientcache.Session, r *getRequest) error {
	if r.expireAfter != 0 {
		ctx = clientcache.WithRequest(ctx, clientcache.RequestOptions{ExpireAfter: r.expireAfter})
	}
	var body io.Reader
	if r.hasBody {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return usagef("get: %v", err)
	}
	req.Header = r.header
	if r.host != "" {
		req.Host = r.host
	}
	resp, err := s.Do(req)
	if err != nil {
		return fmt.Errorf("clientcache: %w", err) // *url.Error: `Get "URL": what failed`
	}
	defer resp.Body.Close()
	if r.include {
		if err := writeHead(e.stdout, resp); err != nil {
			return err
		}
	}
	// Reading to the end is also what stores the response.
	out := &recordingWriter{w: e.stdout}
	if _, err := io.Copy(out, resp.Body); err != nil {
		if out.err != nil {
			return fmt.Errorf("clientcache: writing the body: %w", out.err)
		}
		return fmt.Errorf("clientcache: reading the body of %s: %w", resp.Request.URL.Redacted(), err)
	}
	// Only now is it known whether the response was stored: Cache-Status,
	// sent before the body, cannot say. The response arrived all the same:
	// a warning, not an error.
	if why := clientcache.StatusOf(resp).NotStored; why != "" {
		fmt.Fprintf(e.stderr, "clientcache: the response was not stored: %s\n", why)
	}
	return nil
}

// recordingWriter remembers its write error, so that a closed stdout is
// told apart from a failed download.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

// writeHead prints the status line and the headers of resp, sorted, then a
// blank line, as curl -i does (with plain newlines, for grep).
func writeHead(w io.Writer, resp *http.Response) error {
	var b strings.Builder
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	status := resp.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	fmt.Fprintf(&b, "%s %s\n", proto, status)
	writeHeader(&b, resp.Header, "")
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeHeader prints h sorted by name, one "Name: value" line per value,
// each line starting with indent.
func writeHeader(b *strings.Builder, h http.Header, indent string) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range h[name] {
			fmt.Fprintf(b, "%s%s: %s\n", indent, name, v)
		}
	}
}
