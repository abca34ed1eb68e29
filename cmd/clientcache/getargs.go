package main

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clientcache/clientcache"
)

// The get command line, parsed and checked: every mistake is a usageError.

// getRequest is a parsed get command line.
type getRequest struct {
	method      string
	url         string
	header      http.Header
	host        string
	body        []byte
	hasBody     bool
	include     bool
	expireAfter time.Duration // 0: not given
}

// parseGetRequest checks the get command line and builds the request it
// describes; every mistake is a usageError.
func parseGetRequest(pos []string, method string, headers, data stringList, include bool, expire string) (*getRequest, error) {
	switch len(pos) {
	case 0:
		return nil, usagef("get: no URL given; usage: clientcache get [flags] URL")
	case 1:
	default:
		return nil, usagef("get: one URL at a time, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	}
	r := &getRequest{include: include}
	var err error
	if r.url, err = checkTargetURL(pos[0]); err != nil {
		return nil, err
	}
	if r.expireAfter, err = parseExpireAfter(expire); err != nil {
		return nil, err
	}
	if r.header, r.host, err = parseHeaders(headers); err != nil {
		return nil, err
	}
	if len(data) > 0 {
		r.hasBody = true
		if r.body, err = readData(data); err != nil {
			return nil, err
		}
		if r.header.Get("Content-Type") == "" {
			r.header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	r.method = strings.ToUpper(method)
	switch {
	case method == "" && r.hasBody:
		r.method = http.MethodPost
	case method == "":
		r.method = http.MethodGet
	case strings.ContainsAny(method, " \t\r\n:/"):
		return nil, usagef("get: -X %q is not a method name (GET, POST, ...)", method)
	}
	return r, nil
}

// checkTargetURL accepts absolute http and https URLs only: anything else
// would fail later with a less helpful message.
func checkTargetURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", usagef("get: %q is not a URL: %v", raw, unwrapURLError(err))
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", usagef("get: URL %q has no scheme; write http://%s or https://%s", raw, raw, raw)
	default:
		return "", usagef("get: URL %q: scheme %q is not supported; use http:// or https://", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return "", usagef("get: URL %q has no host", u.Redacted())
	}
	return raw, nil
}

// parseHeaders turns "Name: value" arguments into a header; a Host header
// becomes the request's Host, as net/http wants it.
func parseHeaders(lines []string) (http.Header, string, error) {
	h := http.Header{}
	var host string
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, "", usagef("get: -H %q: want 'Name: value'", line)
		}
		value = strings.TrimSpace(value)
		if http.CanonicalHeaderKey(name) == "Host" {
			host = value
			continue
		}
		h.Add(name, value)
	}
	return h, host, nil
}

// readData returns the request body of the -d arguments: each one literal,
// or a file's contents with @FILE (@- is stdin), joined with '&' as curl
// does.
func readData(data []string) ([]byte, error) {
	var parts [][]byte
	for _, d := range data {
		file, ok := strings.CutPrefix(d, "@")
		if !ok {
			parts = append(parts, []byte(d))
			continue
		}
		var (
			b   []byte
			err error
		)
		if file == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, usagef("get: -d %s: %v", d, err)
		}
		parts = append(parts, b)
	}
	return bytes.Join(parts, []byte("&")), nil
}

// parseExpireAfter reads --expire-after: "" (not given), a positive Go
// duration or number of seconds, "never", or 0 for
// clientcache.ExpireImmediately (as requests-cache's expire_after=0: the
// response is stored, and revalidated before each use).
func parseExpireAfter(s string) (time.Duration, error) {
	switch s = strings.TrimSpace(s); strings.ToLower(s) {
	case "":
		return 0, nil
	case "never":
		return clientcache.NeverExpire, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, serr := strconv.ParseInt(s, 10, 64)
		if serr != nil || secs > int64(math.MaxInt64/time.Second) {
			return 0, usagef("get: --expire-after %q: want a duration such as 90s or 1h, a number of seconds, never, or 0", s)
		}
		d = time.Duration(secs) * time.Second
	}
	switch {
	case d < 0:
		return 0, usagef("get: --expire-after %q is negative; want a duration such as 90s or 1h, never, or 0", s)
	case d == 0:
		return clientcache.ExpireImmediately, nil
	}
	return d, nil
}
