package clientcache

import (
	"context"
	"net/http"
	"time"

	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/vary"
)

// selectedRequestHeader returns the request headers a stored response is
// selected by: the matched headers and those its Vary field names. ok is
// false for Vary: *, which no later request can match.
func (t *Transport) selectedRequestHeader(reqHeader, respHeader http.Header) (http.Header, bool) {
	sel := t.cfg.keyer.MatchedHeader(reqHeader)
	names, star := varyNames(respHeader)
	if star {
		return nil, false
	}
	if len(names) > 0 && sel == nil {
		sel = make(http.Header, len(names))
	}
	for _, name := range names {
		if vs := reqHeader.Values(name); len(vs) > 0 {
			sel[name] = t.cfg.keyer.RedactHeaderValues(name, vs)
		} else {
			delete(sel, name)
		}
	}
	return sel, true
}

// varyMatches reports whether a request with header h selects e (RFC 9111
// §4.1): every field e's Vary names has the same normalised value in both.
func varyMatches(e *entry.Entry, h http.Header) bool {
	names, star := varyNames(e.Header)
	if star {
		return false
	}
	for _, name := range names {
		if normalizeFieldValue(h.Values(name)) != normalizeFieldValue(e.ReqHeader.Values(name)) {
			return false
		}
		if (len(h.Values(name)) == 0) != (len(e.ReqHeader.Values(name)) == 0) {
			return false
		}
	}
	return true
}

// varyNames returns the canonical field names of all Vary lines, and whether
// one of them is "*" — or is not a field name, which cannot be matched either
// (internal/vary.Fields).
func varyNames(h http.Header) (names []string, star bool) {
	return vary.Fields(h)
}

// normalizeFieldValue joins field lines and normalises the whitespace the
// field syntax allows to add or remove, keeping quoted-strings byte for
// byte, so that equivalent values compare equal (internal/vary.Normalize).
func normalizeFieldValue(values []string) string {
	return vary.Normalize(values)
}

// selectVariant returns the newest stored variant that a request with
// header h selects, or nil.
func selectVariant(variants []*entry.Entry, h http.Header) *entry.Entry {
	for i := len(variants) - 1; i >= 0; i-- {
		if varyMatches(variants[i], h) {
			return variants[i]
		}
	}
	return nil
}

// sameSelection reports whether two entries of one key were selected by the
// same values of the fields they vary on, so that one replaces the other.
func sameSelection(a, b *entry.Entry) bool {
	names, star := varyNames(a.Header)
	if star {
		return false
	}
	return varyMatches(b, a.ReqHeader) && len(names) > 0
}

// withOtherVariants returns the value to store under key for a new variant:
// the variants already stored there (but the one it replaces, and the oldest
// beyond entry.MaxVariants) followed by it, and the latest expiry among them,
// for the store's native expiry (zero when one never expires).
func (t *Transport) withOtherVariants(ctx context.Context, key string, data []byte, e *entry.Entry) ([]byte, time.Time) {
	old, err := t.backend.Responses.Read(ctx, key)
	if err != nil {
		return data, e.Expires
	}
	parts, err := entry.SplitVariants(old)
	if err != nil {
		return data, e.Expires
	}
	keep := make([][]byte, 0, len(parts)+1)
	expires := e.Expires
	for _, p := range parts {
		v, err := entry.Decode(p)
		if err != nil || sameSelection(e, v) {
			continue
		}
		if names, _ := varyNames(v.Header); len(names) == 0 {
			continue // a response that does not vary is replaced by any variant
		}
		keep = append(keep, p)
		if v.Expires.IsZero() || (!expires.IsZero() && v.Expires.After(expires)) {
			expires = v.Expires
		}
	}
	if len(keep) == 0 {
		return data, e.Expires
	}
	keep = append(keep, data)
	if len(keep) > entry.MaxVariants {
		keep = keep[len(keep)-entry.MaxVariants:]
	}
	return entry.EncodeVariants(keep), expires
}
