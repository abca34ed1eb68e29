package clientcache

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/cachekey"
	"github.com/clientcache/clientcache/internal/credentials"
	"github.com/clientcache/clientcache/internal/glob"
	"github.com/clientcache/clientcache/storage"
)

// Expiration values with a special meaning, for every ExpireAfter field
// (Options, URLPattern, RequestOptions). A positive duration means "fresh for
// that long"; zero means "not set here" (Options: never expire).
const (
	// NeverExpire stores responses that never go stale. It is the default.
	NeverExpire time.Duration = -1
	// ExpireImmediately stores responses already stale: each reuse first
	// revalidates them with the origin (a 304 costs no body transfer).
	ExpireImmediately time.Duration = -2
	// DoNotCache neither reads nor stores responses.
	DoNotCache time.Duration = -3
)

// DefaultMaxBodySize is the default of Options.MaxBodySize.
const DefaultMaxBodySize = 64 << 20

// Options configure a Transport or Session. A nil *Options means all defaults.
// Each field's doc ends with its default.
type Options struct {
	// Next sends the requests the cache does not answer. Default:
	// http.DefaultTransport.
	Next http.RoundTripper

	// ExpireAfter is how long a stored response stays fresh: a positive
	// duration, NeverExpire, ExpireImmediately or DoNotCache. Default:
	// NeverExpire.
	ExpireAfter time.Duration

	// ExpireAt, when set, is the time every stored response goes stale,
	// overriding ExpireAfter. Default: unset.
	ExpireAt time.Time

	// URLPatterns override the expiration for matching URLs; the first
	// match wins. Default: none.
	URLPatterns []URLPattern

	// AllowedCodes lists the status codes that are stored. Default: 200.
	AllowedCodes []int

	// AllowedMethods lists the methods whose responses are stored. For
	// methods with a body (POST) the body is part of the key. Default: GET,
	// HEAD.
	AllowedMethods []string

	// MatchHeaders lists the request headers whose values are part of the
	// key, so that requests differing in them are cached apart. The single
	// entry "*" means every header. Default: none.
	MatchHeaders []string

	// IgnoredParams lists query parameters, form and top-level JSON body
	// fields, and request headers that are left out of the key and redacted
	// in what is stored (nonces, timestamps, or an API key whose holders
	// may share responses). Default: none.
	IgnoredParams []string

	// Credentials adds names to the list of request headers and query
	// parameters that carry credentials. A request that carries credentials
	// never shares an entry with a request carrying other credentials or
	// none: a keyed digest of them (HMAC-SHA256 under KeySecret) is part of
	// its key, and is what is stored for them when a response varies on
	// them. They are never stored, logged or put in a key in clear. A "*"
	// matches any run of characters; names compare case-insensitively, with
	// "-" and "_" alike. The built-in list: Authorization,
	// Proxy-Authorization, Cookie, user information in the URL, and the
	// names auth, jwt, key, sig, session and any containing token, secret,
	// signature, password, passwd, credential, api_key, apikey, session_id,
	// sessionid or sessid (X-Api-Key, access_token, client_secret,
	// X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token...).
	// Default: none beyond the built-in list.
	Credentials []string

	// ShareAcrossCredentials leaves credentials out of the key, so that
	// requests with different credentials, or none, share stored responses,
	// as requests-cache does by default. Only for a cache with a single user
	// (or for responses that are the same for every user): anyone can then
	// be served what was fetched with anyone's credentials. Credentials are
	// still never stored in clear. Default: false.
	ShareAcrossCredentials bool

	// KeySecret, when set, keys the digests that stand for credentials
	// (at least 16 bytes; every process sharing the store must use the same).
	// Default: 32 random bytes the cache makes on first use and keeps in the
	// store, so that every process sharing it agrees. Set it to keep the
	// secret out of the store: whoever reads a copy of the store then cannot
	// test guesses of a credential against its digests.
	KeySecret []byte

	// Filter, when set, decides whether a response is cached: it is called
	// before storing a response and again before serving a stored one (a
	// stored response it rejects is treated as absent). It must not read the
	// body. Default: none (everything allowed is cached).
	Filter func(*http.Response) bool

	// Disabled turns the cache off: every request goes to Next and nothing is
	// read or stored. Default: false.
	Disabled bool

	// ReadOnly serves stored responses but never stores or updates any.
	// Default: false.
	ReadOnly bool

	// MaxBodySize is the largest body that is stored; larger responses pass
	// through uncached. Default: DefaultMaxBodySize (64 MiB).
	MaxBodySize int64

	// StaleIfError lets a stale stored response be served, for up to this
	// long after it expired, when the origin cannot be reached or answers
	// with a 5xx error. Default: 0 (never).
	StaleIfError time.Duration

	// StaleIfUnreachable lets a stale stored response be served, for up to
	// this long after it expired, when the origin cannot be reached at all
	// (a refused connection, a timeout, a name that does not resolve) but
	// not when it answers with an error: RFC 9111 §4.2.4 lets a cache
	// disconnected from the origin serve stale responses. With CacheControl,
	// must-revalidate and no-cache forbid it, and so do, in a shared cache,
	// proxy-revalidate and s-maxage. Cache-Status says
	// "detail=stale-if-unreachable". StaleIfError, which also covers 5xx
	// answers, includes it. Default: 0 (never).
	StaleIfUnreachable time.Duration

	// StoreTimeout is the deadline of each store operation a request makes
	// (a read, a write, a delete): a store slower than that counts as
	// failing, and the request goes on without it. After three failures in
	// a row the store is skipped altogether, requests going straight to the
	// origin, while a probe asks it with a growing back-off (up to 2 s) when
	// it answers again. One line is logged when the store starts being
	// skipped and one when it is back, and at most one a minute in between.
	// Default: the store's own (storage.Backend.Timeout: tens of
	// milliseconds for Redis; see each store's documentation); negative:
	// no deadline but the request's own.
	StoreTimeout time.Duration

	// KeepExpired is how long a stale response stays in the store after it
	// expires, so that it can be revalidated or served on error. Stores with
	// native expiry drop it afterwards; pruning counts from the expiry itself.
	// Default: one hour.
	KeepExpired time.Duration

	// CacheControl turns on HTTP caching as RFC 9111 specifies it: the
	// response's Cache-Control, Expires, Last-Modified and Age decide what is
	// stored and for how long (ExpireAfter and URL patterns then apply only
	// to responses that carry no freshness information of their own, unless a
	// pattern sets OverrideCacheControl); request directives, stale-while-
	// revalidate, stale-if-error, must-revalidate, immutable and Vary are
	// honoured, unsafe methods invalidate what they change, and the status
	// codes RFC 9111 allows are stored (unless AllowedCodes narrows them).
	// Default: false (the requests-cache behaviour: Options decide).
	CacheControl bool

	// Shared makes the cache a shared one in the RFC 9111 sense (a proxy's):
	// s-maxage and proxy-revalidate apply, responses marked private are never
	// stored, and neither are responses to requests with Authorization unless
	// the response allows it (those are only with CacheControl), and
	// responses that set cookies are not stored (see AllowSetCookie).
	// Default: false (a private cache).
	Shared bool

	// AllowSetCookie lets a shared cache store responses that carry
	// Set-Cookie. The stored copy never has the Set-Cookie field: only the
	// client the origin sent it to receives it. Default: false (a shared
	// cache does not store such responses, as nginx and Varnish do not).
	AllowSetCookie bool

	// Logger receives cache failures (which never fail a request). Default:
	// slog.Default().
	Logger *slog.Logger

	// Jar is the cookie jar of a Session. Default: a new empty
	// net/http/cookiejar jar. Ignored by Transport.
	Jar http.CookieJar

	// AutoClose makes Session.Close close the store too. Default: false (the
	// store may serve other sessions).
	AutoClose bool

	// Now returns the current time; tests set it to a fake clock. Default:
	// time.Now.
	Now func() time.Time
}

// URLPattern overrides the expiration of the requests whose URL, without its
// scheme, matches Pattern: a glob where "*" matches any run of characters
// (slashes included) and "?" any one character, with a "*" implied at the
// end. "api.example.com/items" matches "https://api.example.com/items/7?x=1".
type URLPattern struct {
	// Pattern is the glob, without a scheme: "api.example.com/items/*".
	Pattern string
	// ExpireAfter as in Options; zero means "not set by this pattern".
	ExpireAfter time.Duration
	// ExpireAt as in Options.
	ExpireAt time.Time
	// OverrideCacheControl makes this pattern's expiration win over what the
	// server says (no-store, no-cache, private, max-age, Expires) when
	// Options.CacheControl is on: for APIs that send "no-cache" on data that
	// never changes. Everything else stays RFC 9111 correct.
	OverrideCacheControl bool
}

// config is Options validated and completed with defaults.
type config struct {
	Options
	next  http.RoundTripper
	codes []int
	// codesExplicit: AllowedCodes was set (in CacheControl mode it then
	// narrows what RFC 9111 allows).
	codesExplicit bool
	methods       []string
	keyer         *cachekey.Keyer
	policy        policy // the mode, chosen once
	patterns      []compiledPattern
	logger        *slog.Logger
	now           func() time.Time
}

type compiledPattern struct {
	URLPattern
	glob string
}

// ErrInvalidOptions is wrapped by the error NewTransport, NewSession and
// NewReverseProxy return for options that cannot work.
var ErrInvalidOptions = errors.New("clientcache: invalid options")

func newConfig(o *Options) (*config, error) {
	c := &config{}
	if o != nil {
		c.Options = *o
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...))
	}
	if err := checkExpiration("ExpireAfter", c.ExpireAfter); err != nil {
		return nil, bad("%v", err)
	}
	c.next = c.Next
	if c.next == nil {
		c.next = http.DefaultTransport
	}
	c.codes = slices.Clone(c.AllowedCodes)
	c.codesExplicit = len(c.codes) > 0
	if len(c.codes) == 0 {
		c.codes = []int{http.StatusOK}
	}
	for _, code := range c.codes {
		if code < 100 || code > 999 {
			return nil, bad("AllowedCodes: %d is not an HTTP status code", code)
		}
	}
	for _, m := range c.AllowedMethods {
		if m == "" || strings.ContainsAny(m, " \t\r\n") {
			return nil, bad("AllowedMethods: %q is not a method name", m)
		}
		c.methods = append(c.methods, strings.ToUpper(m))
	}
	if len(c.methods) == 0 {
		c.methods = []string{http.MethodGet, http.MethodHead}
	}
	matchAll := len(c.MatchHeaders) == 1 && c.MatchHeaders[0] == "*"
	var match []string
	if !matchAll {
		for _, h := range c.MatchHeaders {
			if h == "" || h == "*" || strings.ContainsAny(h, " :\t\r\n") {
				return nil, bad("MatchHeaders: %q is not a header name (use a list of names, or just \"*\" for all)", h)
			}
			match = append(match, h)
		}
	}
	creds, err := credentials.New(c.Credentials)
	if err != nil {
		return nil, bad("Credentials: %v", err)
	}
	if c.KeySecret != nil && len(c.KeySecret) < cachekey.MinSecretSize {
		return nil, bad("KeySecret: %d bytes; use at least %d random bytes, the same in every process that shares the store", len(c.KeySecret), cachekey.MinSecretSize)
	}
	c.keyer = cachekey.NewKeyer(match, matchAll, c.IgnoredParams, creds, c.ShareAcrossCredentials)
	for i, p := range c.URLPatterns {
		if strings.TrimSpace(p.Pattern) == "" {
			return nil, bad("URLPatterns[%d]: empty pattern", i)
		}
		if err := checkExpiration(fmt.Sprintf("URLPatterns[%d] (%s).ExpireAfter", i, p.Pattern), p.ExpireAfter); err != nil {
			return nil, bad("%v", err)
		}
		c.patterns = append(c.patterns, compiledPattern{URLPattern: p, glob: glob.CompileURL(p.Pattern)})
	}
	if c.MaxBodySize < 0 {
		return nil, bad("MaxBodySize: %d is negative", c.MaxBodySize)
	}
	if c.MaxBodySize == 0 {
		c.MaxBodySize = DefaultMaxBodySize
	}
	if c.StaleIfUnreachable < 0 {
		return nil, bad("StaleIfUnreachable: %v is negative", c.StaleIfUnreachable)
	}
	if c.StaleIfError < 0 {
		return nil, bad("StaleIfError: %v is negative", c.StaleIfError)
	}
	if c.KeepExpired < 0 {
		return nil, bad("KeepExpired: %v is negative", c.KeepExpired)
	}
	if c.KeepExpired == 0 {
		c.KeepExpired = time.Hour
	}
	c.policy = newPolicy(c)
	c.logger = c.Logger
	if c.logger == nil {
		c.logger = slog.Default()
	}
	c.now = c.Now
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

func checkExpiration(field string, d time.Duration) error {
	if d < DoNotCache {
		return fmt.Errorf("%s: %v is negative; use a positive duration, NeverExpire, ExpireImmediately or DoNotCache", field, d)
	}
	return nil
}

// logURL is how a URL appears in logs: credentials and ignored parameters
// redacted, as stored.
func (c *config) logURL(u *url.URL) string { return c.keyer.NormalizeURL(u) }

func (c *config) methodAllowed(method string) bool { return slices.Contains(c.methods, method) }
func (c *config) codeAllowed(code int) bool        { return slices.Contains(c.codes, code) }

// storeTimeout is the deadline of one store operation of a request on b: the
// option, else the store's own; zero for none.
func (c *config) storeTimeout(b *storage.Backend) time.Duration {
	switch {
	case c.StoreTimeout < 0:
		return 0
	case c.StoreTimeout > 0:
		return c.StoreTimeout
	}
	return max(b.Timeout, 0)
}
