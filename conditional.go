package clientcache

import (
	"net/http"
	"strings"

	"github.com/clientcache/clientcache/internal/httpdate"
)

// hasClientValidators reports a request that carries its own validators: it
// may be answered with a 304 from a fresh stored response.
func hasClientValidators(h http.Header) bool {
	// Direct map reads: names are canonical, and this runs on every request.
	return len(h["If-None-Match"]) > 0 || len(h["If-Modified-Since"]) > 0
}

// notModified evaluates a GET or HEAD request's If-None-Match, or failing
// that its If-Modified-Since, against a stored response (RFC 9110 §13.1.2,
// §13.1.3, §13.2.2): true means the client's copy is current.
func notModified(req *http.Request, stored http.Header) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	if inm := req.Header.Values("If-None-Match"); len(inm) > 0 {
		return etagMatchesWeakly(inm, stored.Get("Etag"))
	}
	ims, ok := httpdate.Parse(req.Header.Get("If-Modified-Since"))
	if !ok {
		return false
	}
	lm, ok := httpdate.Parse(stored.Get("Last-Modified"))
	return ok && !lm.After(ims)
}

// etagMatchesWeakly reports whether etag is in the If-None-Match lists,
// with the weak comparison If-None-Match uses (RFC 9110 §8.8.3.2).
func etagMatchesWeakly(lists []string, etag string) bool {
	if etag == "" {
		return false
	}
	for _, list := range lists {
		for candidate := range strings.SplitSeq(list, ",") {
			candidate = strings.TrimSpace(candidate)
			if candidate == "*" || opaqueTag(candidate) == opaqueTag(etag) && opaqueTag(etag) != "" {
				return true
			}
		}
	}
	return false
}

// opaqueTag strips the weakness indicator: weak comparison ignores it.
func opaqueTag(etag string) string {
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) < 2 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return ""
	}
	return etag
}

// sameRepresentation reports whether a 304 received in answer to a
// validation request may update the stored response whose header is stored
// (RFC 9111 §4.3.4): a strong entity tag in the 304 must equal the stored
// one by the strong comparison, a weak one by the weak comparison (RFC 9110
// §8.8.3.2); without an entity tag, a Last-Modified in both must be the same
// date. A 304 with no validator at all answers the validators the cache sent
// for this very response, and updates it.
func sameRepresentation(stored, notModified http.Header) bool {
	if etag := notModified.Get("Etag"); etag != "" {
		have := stored.Get("Etag")
		if !strings.HasPrefix(etag, "W/") {
			return opaqueTag(etag) != "" && etag == have // strong comparison
		}
		return opaqueTag(etag) != "" && opaqueTag(etag) == opaqueTag(have)
	}
	lm, ok := httpdate.Parse(notModified.Get("Last-Modified"))
	if !ok {
		return true
	}
	had, ok := httpdate.Parse(stored.Get("Last-Modified"))
	return !ok || had.Equal(lm)
}
