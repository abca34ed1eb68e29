package clientcache

import (
	"bytes"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// responseFrom builds the response a stored entry stands for, age old. The
// entry's header map becomes the response's: entries are decoded afresh for
// each use.
func (t *Transport) responseFrom(req *http.Request, e *entry.Entry, age time.Duration) *http.Response {
	return &t.hitFrom(req, e, age).resp
}

// hitFrom is responseFrom, keeping the room for the Cache-Status value.
func (t *Transport) hitFrom(req *http.Request, e *entry.Entry, age time.Duration) *hitResponse {
	major, minor, ok := http.ParseHTTPVersion(e.Proto)
	if !ok {
		e.Proto, major, minor = "HTTP/1.1", 1, 1
	}
	// One allocation holds the response, its body reader and the values of
	// the fields a hit adds: a hit is the hot path.
	h := &hitResponse{resp: http.Response{
		Status:        statusLine(e.Status),
		StatusCode:    e.Status,
		Proto:         e.Proto,
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        e.Header,
		ContentLength: int64(len(e.Body)),
		Request:       req,
	}}
	resp := &h.resp
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
		resp.ContentLength = -1
		if cl := resp.Header.Get("Content-Length"); cl != "" {
			resp.ContentLength, _ = strconv.ParseInt(cl, 10, 64)
		}
	} else {
		h.body.Reset(e.Body)
		resp.Body = &h.body
	}
	// Every reuse says how old the response is (RFC 9111 §5.1).
	h.age[0] = freshness.AgeHeader(age)
	resp.Header["Age"] = h.age[:]
	return h
}

type hitResponse struct {
	resp        http.Response
	body        bodyReader
	age         [1]string
	cacheStatus [1]string
}

// newFreshness reads the freshness information of a stored entry.
func newFreshness(e *entry.Entry) freshness.Response {
	return freshness.NewResponse(e.Status, e.Header, e.Requested, e.Created)
}

// bodyReader is the body of a response served from the store.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// statusLines holds "200 OK" and its kind, built once, so that a hit does not
// build its status line.
var statusLines = func() map[int]string {
	m := map[int]string{}
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			m[code] = strconv.Itoa(code) + " " + text
		}
	}
	return m
}()

func statusLine(code int) string {
	if s, ok := statusLines[code]; ok {
		return s
	}
	return strconv.Itoa(code)
}

// storedHeader is the part of a response header worth storing: all of it
// but the hop-by-hop fields and our own Cache-Status.
func storedHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for name, values := range h {
		if name == "Cache-Status" || isHopByHop(h, name) {
			continue
		}
		out[name] = append([]string(nil), values...)
	}
	return out
}

var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// isHopByHop reports fields that describe one connection, including those
// the Connection field names (RFC 9110 §7.6.1).
func isHopByHop(h http.Header, name string) bool {
	if hopByHop[name] {
		return true
	}
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(f)) == name {
				return true
			}
		}
	}
	return false
}
