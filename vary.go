package clientcache

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/cachekey"
	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/internal/vary"
)

// selectedRequestHeader returns the request headers a stored response is
// selected by, as they are stored: the matched headers and those its Vary
// field names, credentials as their keyed digest. ok is false for Vary: *,
// which no later request can match, and when a credential is among them and
// the key secret is not available.
func (t *Transport) selectedRequestHeader(ctx context.Context, reqHeader, respHeader http.Header) (http.Header, bool) {
	names, star := varyNames(respHeader)
	if star {
		return nil, false
	}
	sel, ok := t.selectingHeader(ctx, reqHeader, names, t.cache.secrets.loaded())
	if !ok {
		mac, err := t.cache.secrets.get(ctx)
		if err != nil {
			return nil, false
		}
		sel, ok = t.selectingHeader(ctx, reqHeader, names, mac)
	}
	return sel, ok
}

func (t *Transport) selectingHeader(ctx context.Context, reqHeader http.Header, names []string, mac *cachekey.MAC) (http.Header, bool) {
	sel, ok := t.cfg.keyer.MatchedHeader(reqHeader, mac)
	if !ok {
		return nil, false
	}
	if len(names) > 0 && sel == nil {
		sel = make(http.Header, len(names))
	}
	for _, name := range names {
		if vs := reqHeader.Values(name); len(vs) > 0 {
			if sel[name], ok = t.cfg.keyer.SelectingValue(name, vs, mac); !ok {
				return nil, false
			}
		} else {
			delete(sel, name)
		}
	}
	return sel, true
}

// varyMatches reports whether a request with header h selects e (RFC 9111
// §4.1): every field e's Vary names has the same normalised value in both. A
// credential is compared as its keyed digest, in constant time: what is
// stored of it is never a value a client could send.
func (c *Cache) varyMatches(ctx context.Context, e *entry.Entry, h http.Header) bool {
	names, star := varyNames(e.Header)
	if star {
		return false
	}
	for _, name := range names {
		got, had := h.Values(name), e.ReqHeader.Values(name)
		if (len(got) == 0) != (len(had) == 0) {
			return false
		}
		if len(got) == 0 {
			continue
		}
		// The request's value in the form it would be stored in: a
		// credential's digest, never a value a client could send to match.
		want, ok := c.cfg.keyer.SelectingValue(name, got, c.secrets.loaded())
		if !ok {
			mac, err := c.secrets.get(ctx)
			if err != nil {
				return false
			}
			want, _ = c.cfg.keyer.SelectingValue(name, got, mac)
		}
		if len(want) == 1 && strings.HasPrefix(want[0], cachekey.DigestPrefix) {
			if len(had) != 1 || !cachekey.Equal(want[0], had[0]) {
				return false
			}
			continue
		}
		if normalizeFieldValue(want) != normalizeFieldValue(had) {
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

// selectFor returns the newest stored entry that a request with header h
// selects (RFC 9111 §4.1), or nil.
func (c *Cache) selectFor(ctx context.Context, v storedValue, h http.Header) *entry.Entry {
	if v.single != nil {
		if c.varyMatches(ctx, v.single, h) {
			return v.single
		}
		return nil
	}
	for i := len(v.variants) - 1; i >= 0; i-- {
		if c.varyMatches(ctx, v.variants[i], h) {
			return v.variants[i]
		}
	}
	return nil
}

// sameSelection reports whether two entries of one key were selected by the
// same values of the fields they vary on, so that one replaces the other.
// Both hold what is stored of those values (digests for credentials), which
// compare as they are.
func sameSelection(a, b *entry.Entry) bool {
	names, star := varyNames(a.Header)
	if star || len(names) == 0 {
		return false
	}
	for _, name := range names {
		x, y := a.ReqHeader.Values(name), b.ReqHeader.Values(name)
		if (len(x) == 0) != (len(y) == 0) || normalizeFieldValue(x) != normalizeFieldValue(y) {
			return false
		}
	}
	return true
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
