package clientcache

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/freshness"
)

// newFreshness reads the freshness information of a stored entry.
func newFreshness(e *entry.Entry) freshness.Response {
	return freshness.NewResponse(e.Status, e.Header, e.Requested, e.Created)
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
