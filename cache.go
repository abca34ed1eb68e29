package clientcache

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/clientcache/clientcache/internal/cachekey"
	"github.com/clientcache/clientcache/internal/entry"
	"github.com/clientcache/clientcache/storage"
)

// Cache is the management API of a store: inspection and cleanup, as
// requests-cache's session.cache. Session.Cache and Transport.Cache return one. Errors
// wrap the store's error once, with the operation and key; errors.Is finds
// storage.ErrNotFound and the store's own errors through them.
type Cache struct {
	cfg     *config
	backend *storage.Backend
	secrets *secretSource
}

// CachedResponse is one stored response, as Responses and Response return it.
type CachedResponse struct {
	// Key is the cache key the response is stored under.
	Key string
	// Method is the request method that fetched it.
	Method string
	// URL is the request URL, as stored: credentials and ignored
	// parameters redacted.
	URL string
	// Proto is the response's protocol, such as "HTTP/1.1".
	Proto string
	// StatusCode is the response's status code.
	StatusCode int
	// Header is the response's header as stored (no hop-by-hop fields).
	Header http.Header
	// Body is the response body.
	Body []byte
	// RequestHeader holds the request headers the response was selected by.
	RequestHeader http.Header
	// CreatedAt is when the response was received (or last revalidated).
	CreatedAt time.Time
	// Expires is when the response goes stale; zero means never.
	Expires time.Time
	// Size is the number of bytes the entry takes in the store (all the
	// variants of a Vary response share their key's bytes).
	Size int
}

// IsExpired reports whether the response is stale at now.
func (r *CachedResponse) IsExpired(now time.Time) bool {
	return !r.Expires.IsZero() && !now.Before(r.Expires)
}

func cachedResponse(key string, e *entry.Entry, size int) *CachedResponse {
	return &CachedResponse{
		Key: key, Method: e.Method, URL: e.URL, Proto: e.Proto, StatusCode: e.Status, Header: e.Header, Body: e.Body,
		RequestHeader: e.ReqHeader, CreatedAt: e.Created, Expires: e.Expires, Size: size,
	}
}

// opError wraps a store error once with what was being done. An error the
// core already wrapped is returned as it is, so that no message says the
// operation twice.
func opError(op, key string, err error) error {
	var done *cacheError
	if errors.As(err, &done) {
		return err
	}
	return &cacheError{op: op, key: key, err: err}
}

// cacheError is a store error with the operation and key the core was at.
type cacheError struct {
	op, key string
	err     error
}

func (e *cacheError) Error() string {
	if e.key == "" {
		return "clientcache: " + e.op + ": " + e.err.Error()
	}
	return fmt.Sprintf("clientcache: %s %q: %v", e.op, e.key, e.err)
}

func (e *cacheError) Unwrap() error { return e.err }

// storedValue is what one key holds: one entry, or the variants of a
// response that varies.
type storedValue struct {
	key      string // where it was found: the key read, or its alias's target
	single   *entry.Entry
	variants []*entry.Entry
	size     int // bytes in the store
}

// newest returns the entry stored last.
func (v storedValue) newest() *entry.Entry {
	if v.single != nil {
		return v.single
	}
	return v.variants[len(v.variants)-1]
}

// readAll returns what is stored for key, following a redirect alias when
// key holds nothing of its own. A value that cannot be decoded is deleted
// and reads as absent. Absent keys give an error for which
// errors.Is(err, storage.ErrNotFound) is true.
//
// With view, a store that can hand out its bytes without a copy does so: the
// entries then alias the store's immutable value and must not be modified.
func (c *Cache) readAll(ctx context.Context, key string, view bool) (storedValue, error) {
	v, err := c.readEntries(ctx, key, view)
	if !errors.Is(err, storage.ErrNotFound) {
		return v, err
	}
	target, aerr := c.backend.Redirects.Read(ctx, key)
	if aerr != nil {
		if errors.Is(aerr, storage.ErrNotFound) {
			return storedValue{}, err
		}
		return storedValue{}, opError("read alias", key, aerr)
	}
	return c.readEntries(ctx, string(target), view)
}

func (c *Cache) readEntries(ctx context.Context, key string, view bool) (storedValue, error) {
	var data []byte
	var err error
	vr, trusted := c.backend.Responses.(storage.ViewReader)
	if trusted && view {
		data, err = vr.ReadView(ctx, key)
	}
	if !trusted || !view || errors.Is(err, storage.ErrNoView) {
		trusted = false
		data, err = c.backend.Responses.Read(ctx, key)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return storedValue{}, err // a miss is common: no wrapping to allocate
	}
	if err != nil {
		return storedValue{}, opError("read", key, err)
	}
	v := storedValue{key: key, size: len(data)}
	// Every entry carries its length and checksum: a value cut short,
	// damaged or written by something else is a miss. A view is the very
	// slice the core wrote in this process (storage.ViewReader), which never
	// crossed a disk or a network: its structure is checked, not its
	// checksum, which would cost as much as copying it.
	switch {
	case entry.IsVariants(data) && trusted:
		v.variants, err = entry.DecodeAllTrusted(data)
	case entry.IsVariants(data):
		v.variants, err = entry.DecodeAll(data)
	case trusted:
		v.single, err = entry.DecodeTrusted(data)
	default:
		v.single, err = entry.Decode(data)
	}
	if err != nil {
		c.cfg.logger.WarnContext(ctx, "clientcache: deleting a damaged or foreign cache entry; it is a miss", "key", key, "err", err)
		if derr := c.backend.Responses.Delete(context.WithoutCancel(ctx), key); derr != nil {
			c.cfg.logger.DebugContext(ctx, "clientcache: could not delete an undecodable entry", "key", key, "err", derr)
		}
		return storedValue{}, opError("read", key, fmt.Errorf("%w (%w)", storage.ErrNotFound, err))
	}
	return v, nil
}

// write stores an encoded entry, with a native expiry where the store has
// one: expires plus KeepExpired, so that stale responses can be revalidated.
// The core never modifies data after writing it, so a store that can keep it
// without a copy (storage.OwnedWriter) does.
func (c *Cache) write(ctx context.Context, key string, data []byte, expires time.Time) error {
	discard := expires
	if !discard.IsZero() {
		discard = discard.Add(c.cfg.KeepExpired)
	}
	var err error
	switch s := c.backend.Responses.(type) {
	case storage.OwnedWriter:
		err = s.WriteOwned(ctx, key, data, discard)
	case storage.ExpiringWriter:
		err = s.WriteWithExpiry(ctx, key, data, discard)
	default:
		err = s.Write(ctx, key, data)
	}
	if err != nil {
		return opError("write", key, err)
	}
	return nil
}

// KeyFor returns the key a GET request for rawURL (with no headers) has. A
// URL with credentials in it needs the key secret, which may be read from
// the store.
func (c *Cache) KeyFor(ctx context.Context, rawURL string) (string, error) {
	return c.keyForMethod(ctx, http.MethodGet, rawURL)
}

func (c *Cache) keyForMethod(ctx context.Context, method, rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("clientcache: invalid URL: %w", storage.RedactError(err, rawURL))
	}
	return c.keyOf(ctx, method, u, nil, nil)
}

// keyOf returns the key of a request, reading the key secret first when the
// request carries credentials and it is not yet known.
func (c *Cache) keyOf(ctx context.Context, method string, u *url.URL, h http.Header, body []byte) (string, error) {
	key, err := c.cfg.keyer.Key(method, u, h, body, c.secrets.loaded())
	if errors.Is(err, cachekey.ErrNeedsSecret) {
		mac, serr := c.secrets.get(ctx)
		if serr != nil {
			return "", serr
		}
		key, err = c.cfg.keyer.Key(method, u, h, body, mac)
	}
	return key, err
}

// Contains reports whether key has a stored response (directly or through a
// redirect alias).
func (c *Cache) Contains(ctx context.Context, key string) (bool, error) {
	ok, err := c.backend.Responses.Contains(ctx, key)
	if err != nil {
		return false, opError("contains", key, err)
	}
	if ok {
		return true, nil
	}
	ok, err = c.backend.Redirects.Contains(ctx, key)
	if err != nil {
		return false, opError("contains alias", key, err)
	}
	return ok, nil
}

// ContainsURL reports whether a GET of rawURL has a stored response.
func (c *Cache) ContainsURL(ctx context.Context, rawURL string) (bool, error) {
	key, err := c.KeyFor(ctx, rawURL)
	if err != nil {
		return false, err
	}
	return c.Contains(ctx, key)
}

// Response returns the stored response for key (following an alias), or an
// error wrapping storage.ErrNotFound.
func (c *Cache) Response(ctx context.Context, key string) (*CachedResponse, error) {
	v, err := c.readAll(ctx, key, false)
	if err != nil {
		return nil, opError("read", key, err)
	}
	return cachedResponse(v.key, v.newest(), v.size), nil
}

// ResponseForURL returns the stored response to a GET of rawURL.
func (c *Cache) ResponseForURL(ctx context.Context, rawURL string) (*CachedResponse, error) {
	key, err := c.KeyFor(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return c.Response(ctx, key)
}

// Delete removes the responses stored under keys, and the aliases that point
// to them. Absent keys are ignored.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := deleteKeys(ctx, c.backend.Responses, keys); err != nil {
		return opError("delete", "", err)
	}
	if err := deleteKeys(ctx, c.backend.Redirects, keys); err != nil {
		return opError("delete alias", "", err)
	}
	return c.deleteAliasesTo(ctx, keys)
}

// DeleteURLs removes the stored responses to GET and HEAD requests for each
// URL, and the aliases that point to them.
func (c *Cache) DeleteURLs(ctx context.Context, urls ...string) error {
	var keys []string
	for _, u := range urls {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			key, err := c.keyForMethod(ctx, m, u)
			if err != nil {
				return err
			}
			keys = append(keys, key)
		}
	}
	return c.Delete(ctx, keys...)
}

// deleteAliasesTo removes the aliases whose target is one of keys.
func (c *Cache) deleteAliasesTo(ctx context.Context, keys []string) error {
	targets := make(map[string]bool, len(keys))
	for _, k := range keys {
		targets[k] = true
	}
	var doomed []string
	for alias, err := range c.backend.Redirects.Keys(ctx) {
		if err != nil {
			return opError("list aliases", "", err)
		}
		if alias == secretKey {
			continue
		}
		target, err := c.backend.Redirects.Read(ctx, alias)
		if err == nil && targets[string(target)] {
			doomed = append(doomed, alias)
		}
	}
	if err := deleteKeys(ctx, c.backend.Redirects, doomed); err != nil {
		return opError("delete alias", "", err)
	}
	return nil
}

func deleteKeys(ctx context.Context, s storage.Storage, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if bd, ok := s.(storage.BulkDeleter); ok {
		return bd.DeleteMany(ctx, keys)
	}
	for _, k := range keys {
		if err := s.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Clear removes every stored response and alias.
func (c *Cache) Clear(ctx context.Context) error {
	if err := c.backend.Responses.Clear(ctx); err != nil {
		return opError("clear", "", err)
	}
	if err := c.backend.Redirects.Clear(ctx); err != nil {
		return opError("clear aliases", "", err)
	}
	// The key secret lives among the aliases: a process that knows it puts
	// it back, so that every process sharing the store keeps agreeing.
	if err := c.secrets.restore(ctx); err != nil {
		return opError("restore the key secret", "", err)
	}
	return nil
}

// DeleteExpired removes the stored responses that are stale, then the
// aliases left pointing nowhere, and returns how many responses it removed.
// A store with native pruning does it without decoding entries.
func (c *Cache) DeleteExpired(ctx context.Context) (int, error) {
	now := c.cfg.now()
	var n int
	native := false
	if p, ok := c.backend.Responses.(storage.Pruner); ok {
		// Native expiries are set KeepExpired after the responses go stale.
		var err error
		n, err = p.DeleteExpired(ctx, now.Add(c.cfg.KeepExpired))
		switch {
		case err == nil:
			native = true
		case !errors.Is(err, errors.ErrUnsupported): // a wrapper over a store without it
			return 0, opError("delete expired", "", err)
		}
	}
	if !native {
		// A key goes when every variant stored under it is stale.
		stale := map[string]bool{}
		for r, err := range c.Responses(ctx) {
			if err != nil {
				return 0, err
			}
			if old, seen := stale[r.Key]; !seen || old {
				stale[r.Key] = r.IsExpired(now)
			}
		}
		var doomed []string
		for key, expired := range stale {
			if expired {
				doomed = append(doomed, key)
			}
		}
		if err := deleteKeys(ctx, c.backend.Responses, doomed); err != nil {
			return 0, opError("delete expired", "", err)
		}
		n = len(doomed)
	}
	return n, c.deleteDanglingAliases(ctx)
}

func (c *Cache) deleteDanglingAliases(ctx context.Context) error {
	var doomed []string
	for alias, err := range c.backend.Redirects.Keys(ctx) {
		if err != nil {
			return opError("list aliases", "", err)
		}
		if alias == secretKey {
			continue
		}
		target, err := c.backend.Redirects.Read(ctx, alias)
		if err != nil {
			continue
		}
		if ok, err := c.backend.Responses.Contains(ctx, string(target)); err == nil && !ok {
			doomed = append(doomed, alias)
		}
	}
	if err := deleteKeys(ctx, c.backend.Redirects, doomed); err != nil {
		return opError("delete alias", "", err)
	}
	return nil
}

// Size returns the number of keys that hold stored responses: a response
// stored in several Vary variants counts once, and redirect aliases are not
// counted (see Aliases). Stale responses kept for revalidation count until
// they are pruned.
func (c *Cache) Size(ctx context.Context) (int, error) {
	n, err := c.backend.Responses.Size(ctx)
	if err != nil {
		return 0, opError("size", "", err)
	}
	return n, nil
}

// Aliases returns the number of redirect aliases stored (the Redirects
// namespace, but for the key secret the cache may keep there).
func (c *Cache) Aliases(ctx context.Context) (int, error) {
	n, err := c.backend.Redirects.Size(ctx)
	if err != nil {
		return 0, opError("count aliases", "", err)
	}
	if ok, err := c.backend.Redirects.Contains(ctx, secretKey); err != nil {
		return 0, opError("count aliases", "", err)
	} else if ok {
		n--
	}
	return n, nil
}

// Responses yields every stored response. Entries that cannot be decoded are
// skipped (and deleted). A failure is yielded last.
func (c *Cache) Responses(ctx context.Context) iter.Seq2[*CachedResponse, error] {
	return func(yield func(*CachedResponse, error) bool) {
		var corrupt []string
		defer func() {
			if len(corrupt) > 0 {
				_ = deleteKeys(ctx, c.backend.Responses, corrupt)
			}
		}()
		for key, err := range c.backend.Responses.Keys(ctx) {
			if err != nil {
				yield(nil, opError("list", "", err))
				return
			}
			data, err := c.backend.Responses.Read(ctx, key)
			if errors.Is(err, storage.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				yield(nil, opError("read", key, err))
				return
			}
			es, err := entry.DecodeAll(data)
			if err != nil {
				corrupt = append(corrupt, key)
				continue
			}
			for _, e := range es {
				if !yield(cachedResponse(key, e, len(data)/len(es)), nil) {
					return
				}
			}
		}
	}
}

// URLs returns the URLs of the stored responses, stale ones included, each
// once, in no particular order, as stored (credentials and ignored
// parameters redacted).
func (c *Cache) URLs(ctx context.Context) ([]string, error) {
	return c.urls(ctx, false)
}

// UnexpiredURLs is URLs without the responses that are stale now.
func (c *Cache) UnexpiredURLs(ctx context.Context) ([]string, error) {
	return c.urls(ctx, true)
}

func (c *Cache) urls(ctx context.Context, unexpiredOnly bool) ([]string, error) {
	now := c.cfg.now()
	seen := map[string]bool{}
	var out []string
	for r, err := range c.Responses(ctx) {
		if err != nil {
			return out, err
		}
		if (unexpiredOnly && r.IsExpired(now)) || seen[r.URL] {
			continue
		}
		seen[r.URL] = true
		out = append(out, r.URL)
	}
	return out, nil
}

// Budget returns the size budget of the stored responses and how much of it
// is in use, as the store reports it (storage.Budgeted: memstore, filestore,
// sqlitestore). ok is false for a store that keeps no budget of its own (a
// Redis server keeps its own: maxmemory).
func (c *Cache) Budget(ctx context.Context) (b storage.Budget, ok bool, err error) {
	bs, ok := c.backend.Responses.(storage.Budgeted)
	if !ok {
		return storage.Budget{}, false, nil
	}
	b, err = bs.Budget(ctx)
	switch {
	case errors.Is(err, errors.ErrUnsupported): // a wrapper over a store without one
		return storage.Budget{}, false, nil
	case err != nil:
		return storage.Budget{}, false, opError("budget", "", err)
	}
	return b, true, nil
}
