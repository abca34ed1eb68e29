package clientcache

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// serve answers req with a stored entry.
// st says what led here (its Forward is empty for a hit); o is what became
// of storing e, when e was just stored.
func (t *Transport) serve(req *http.Request, e *entry.Entry, st Status, o outcome, d decision, now time.Time) *http.Response {
	h := t.hitFrom(req, e, d.age)
	st.FromCache = true
	st.CreatedAt, st.Expires, st.ttl = e.Created, e.Expires, d.ttl
	st.Expired = st.Expired || d.ttl <= 0
	c := carry(req, st, o)
	h.resp.Request = req.WithContext(c)
	h.cacheStatus[0] = c.header(now)
	h.resp.Header["Cache-Status"] = h.cacheStatus[:]
	return &h.resp
}

func (t *Transport) gatewayTimeout(req *http.Request, st Status) *http.Response {
	resp := &http.Response{
		Status:     "504 Gateway Timeout",
		StatusCode: http.StatusGatewayTimeout,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:    http.NoBody,
		Request: req,
	}
	st.Forward, st.Detail = ForwardMiss, DetailOnlyIfCached
	carry(req, st, 0).attach(req, resp, t.cfg.now())
	return resp
}

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

// serveNotModified answers a client's conditional request from a fresh
// stored response: a 304 with the stored response's metadata (RFC 9110
// §15.4.5) and no body.
func (t *Transport) serveNotModified(req *http.Request, e *entry.Entry, st Status, d decision, now time.Time) *http.Response {
	st.Detail = DetailNotModified
	resp := t.serve(req, e, st, 0, d, now)
	resp.Body.Close()
	resp.StatusCode, resp.Status = http.StatusNotModified, statusLine(http.StatusNotModified)
	resp.Body, resp.ContentLength = http.NoBody, 0
	for _, name := range []string{"Content-Length", "Content-Encoding", "Content-Range", "Transfer-Encoding"} {
		resp.Header.Del(name)
	}
	return resp
}
