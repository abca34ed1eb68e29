// Package clientcache is a persistent, pluggable cache for Go HTTP clients:
// the Go counterpart of Python's requests-cache and aiohttp-client-cache.
//
// Wrap a client once and repeated requests are answered from a store that
// survives restarts and can be shared between processes and machines:
//
//	store, err := sqlitestore.Open(ctx, "~/.cache/myapp.sqlite", nil)
//	if err != nil { ... }
//	s, err := clientcache.NewSession(store, &clientcache.Options{ExpireAfter: time.Hour})
//	if err != nil { ... }
//	defer s.Close()
//	resp, err := s.Get("https://api.example.com/items?page=2") // s embeds *http.Client
//	st := clientcache.StatusOf(resp) // FromCache, CreatedAt, Expires, Revalidated, Key
//
// Session is the CachedSession: an *http.Client with the cache as its
// transport, redirect aliases, a cookie jar and the management API
// (Session.Cache). Transport is the same cache as an http.RoundTripper, for
// programs that already have their own *http.Client.
//
// # What is cached
//
// Responses to GET and HEAD with status 200 (Options.AllowedMethods and
// AllowedCodes change that; a POST is keyed on its body). A response is
// stored once the caller has read its body to the end, never read ahead of
// the caller; bodies larger than Options.MaxBodySize pass through uncached.
// Concurrent identical requests are coalesced into one upstream fetch.
//
// Expiration comes from Options.ExpireAfter (a duration, NeverExpire,
// ExpireImmediately, DoNotCache) or ExpireAt, then the first matching
// Options.URLPatterns entry, then the request's own settings (WithRequest)
// and its Cache-Control: no-cache, max-age=0, no-store and only-if-cached are
// honoured. A stale response with an ETag or Last-Modified is revalidated
// with a conditional request; a 304 refreshes it and its stored body is
// served.
//
// # Keys
//
// The key is the SHA-256 of the method, the normalised URL, the body, the
// headers named by Options.MatchHeaders and, for a request that carries
// credentials, a keyed digest of them. The URL is normalised only where that
// cannot merge two resources: scheme and host lower-cased, default port,
// fragment and user information dropped, parameters ordered by name with
// repeated ones kept in their order and every parameter kept byte for byte.
// Options.IgnoredParams are left out of the key and redacted in what is
// stored.
//
// # Credentials
//
// Authorization, Proxy-Authorization, Cookie, user information in the URL
// and the headers and parameters of one list of credential names (X-Api-Key,
// access_token, X-Amz-Signature, any name containing token, secret,
// signature or password..., extended by Options.Credentials) are
// credentials. A request that carries credentials never shares a stored
// response with a request carrying other credentials or none: an HMAC-SHA256
// of them, under a secret kept in the store (or Options.KeySecret), is part
// of its key. What is stored of them, for a response whose Vary names one,
// is that digest, compared in constant time; they are never stored, logged
// or put in a key in clear. Options.ShareAcrossCredentials lets a cache with
// one user share responses across credentials. A shared cache does not store
// responses that set cookies (Options.AllowSetCookie), and never replays a
// Set-Cookie. docs/SECURITY.md has the threat model.
//
// # Integrity
//
// Each stored entry carries its body's length and a CRC-32C of the whole: a
// value cut short, damaged or written by something else is a miss, and is
// deleted.
//
// # Backends
//
// A store is a storage.Backend: two storage.Storage namespaces, Responses and
// Redirects. The module ships memstore and filestore; sqlitestore (the
// default of the command-line tool), redisstore, mongostore and dynamostore
// are modules of their own, so that their dependencies stay out of programs
// that do not use them. Every store opens with Open, which returns the
// Backend and whose Close closes what Open opened: memstore.Open(ctx, opts),
// filestore.Open(ctx, dir, opts), sqlitestore.Open(ctx, path, opts),
// redisstore.Open(ctx, *redis.UniversalOptions, opts),
// mongostore.Open(ctx, *options.ClientOptions, opts),
// dynamostore.Open(ctx, aws.Config, opts). A store
// of a server, and sqlitestore, also has New(ctx, client, opts), which wraps
// the caller's client (sqlitestore: a *sql.DB) and never closes it. A custom store implements the nine methods of
// storage.Storage and proves itself with storagetest.Run; package storage
// shows one.
//
// # URLs
//
// storage.Open opens any registered store from a URL, as the command-line
// tool's --cache flag does (storage.URLForms lists the forms the imported
// stores registered):
//
//	memory://?max_entries=N&max_bytes=64MiB
//	file:///abs/dir?max_bytes=1GiB
//	sqlite:///abs/path.sqlite?max_bytes=1GiB
//	redis://host:port/db?cache_name=NAME
//	rediss://host:port/db?cache_name=NAME
//	mongodb://host:port/NAME
//	mongodb+srv://host/NAME
//	dynamodb://TABLE?endpoint=URL&region=REGION
//
// # When the store fails
//
// A cache failure never fails a request, and a sick store never makes
// requests slow: each store operation a request makes runs under a deadline
// (Options.StoreTimeout, by default the store's own: tens of milliseconds for
// Redis), and after three failures in a row the store is skipped, requests
// going straight to the origin and paying nothing for it, while a probe asks
// it with a growing back-off (up to 2 s) until it answers again. One line is
// logged when the store starts being skipped, one when it is back, and at
// most one a minute in between; Cache-Status says "detail=store-error" for a
// request whose read failed. The management API (Cache) is not skipped: its
// calls wait for the store as long as their context lets them.
//
// A store's server that cannot be reached when the program starts is an
// outage, not a mistake: the server stores' Open returns, with an error
// wrapping storage.ErrUnavailable, a Backend (storage.Lazy) that connects
// once the server answers, and a Session or Transport made on it answers
// from the network until then. The command line starts this way.
//
// When the origin cannot be reached, Options.StaleIfUnreachable (or
// StaleIfError, which also covers 5xx answers) serves a stale response
// within its bound, as RFC 9111 §4.2.4 allows a disconnected cache to.
//
// # Errors
//
// A cache failure never fails a request: it is logged with log/slog
// (Options.Logger) and the request goes to the network. An entry that cannot
// be decoded is a miss and is deleted. Every response says what the cache did
// in an RFC 9211 Cache-Status header (for example "clientcache; hit; ttl=42"
// or "clientcache; fwd=uri-miss"), and StatusOf returns the same as a
// Status. A response from the origin is stored once its body has been read to
// the end, after the header was sent: StatusOf, asked then, says whether it
// was (Status.Stored) or why not (Status.NotStored). Management calls (Cache) return errors that wrap the store's error
// once with the operation and key; a store's own error says only the store's
// name, its namespace (a directory, a table) and the cause. Bad options fail NewTransport and
// NewSession with an error wrapping ErrInvalidOptions.
package clientcache
