// Package redisstore keeps clientcache's responses in Redis: a single node, a
// Redis Cluster, or anything else behind a go-redis [redis.UniversalClient].
//
// # cache_name and the key layout
//
// cache_name ([Options.CacheName], default "http_cache") is a namespace. The
// two storages of a [storage.Backend] keep one Redis string per entry under
//
//	<cache_name>:responses:<key>   an encoded response
//	<cache_name>:redirects:<key>   the cache key an alias points to
//
// Every key the store writes starts with "<cache_name>:", and nothing outside
// that prefix is ever read, listed or deleted, so many caches (and unrelated
// data) can share one database. Namespaces nest, as prefixes do: avoid a
// cache_name that starts with another's followed by ":responses" or
// ":redirects".
// A cache_name holding a Cluster hash tag, such as "{myapp}", puts every key
// of the cache in one hash slot, on one node.
//
// # Expiry, listing and deleting
//
// WriteWithExpiry ([storage.ExpiringWriter]) sets the key's native TTL (SET
// with PX), so Redis itself removes expired entries and no pruning sweep is
// needed; a plain Write stores the value without a TTL, removing any earlier
// one.
// Keys, Values, Size and Clear walk the namespace with SCAN and a MATCH
// pattern (never KEYS), on every master of a Cluster. Deletes of many keys
// never span hash slots, so they work on a Cluster without CROSSSLOT errors.
//
// # Connecting
//
// [Open] builds a client of its own from [redis.UniversalOptions] (a Cluster
// when there are two or more addresses or IsClusterMode is set, a single node
// otherwise), with ContextTimeoutEnabled, checks with PING that the server
// answers, and closes the client when the Backend is closed. [New] takes a
// client the caller built and keeps; the store never closes it.
//
// Importing the package registers the "redis" and "rediss" URL schemes with
// [storage.Open], which takes a URL as go-redis parses it, plus the store's
// own parameters, cache_name=NAME and cluster=true:
//
//	redis://localhost:6379/0?cache_name=myapp
//	rediss://user:password@redis.example.com:6380/0?cache_name=myapp&dial_timeout=2s
//	redis://redis-1:7000?addr=redis-2:7000&addr=redis-3:7000&cache_name=myapp
//	redis://redis-1:7000?cluster=true&cache_name=myapp
//
// The last two are Clusters: several addresses, each a seed, or one with
// cluster=true. Errors from a URL never show its password.
//
// # Errors
//
// Errors say "redisstore: <cache_name>:responses: " (or redirects) and wrap
// the cause; the caller (clientcache's core) adds the operation and the key.
// Read of an absent key wraps [storage.ErrNotFound]; any method after Close wraps
// [storage.ErrClosed]; a done context wraps its error.
//
// # Deadlines and outages
//
// Every operation ends when its context does. clientcache gives each
// operation a request makes a deadline, [storage.Backend.Timeout]: for this
// store [Options.Timeout], by default [DefaultTimeout] (50 ms: Redis on the
// same network answers in about a millisecond; raise it when entries of
// several megabytes are cached, see DefaultTimeout for measurements). For
// that deadline to bound the socket reads and writes, go-redis needs
// ContextTimeoutEnabled: [Open] and URLs set it; a client given to [New]
// must have been made with it (New logs a warning when it was not).
//
// A server that goes away makes operations fail (at their deadline, or
// after go-redis's own timeouts and retries) and the store works again,
// without reopening, once the server is back. A server that is down when the
// store is opened makes [Open] (and [storage.Open]) fail with an error
// wrapping [storage.ErrUnavailable], returned with a Backend that connects
// once the server answers (see Open); a mistake in the options, such as a
// wrong password, is an error that does not wrap it.
//
// # Size budget
//
// Redis keeps the budget itself: the store sets no limit of its own and
// implements no [storage.Budgeted]. Give Redis a memory limit and an
// eviction policy, in redis.conf:
//
//	maxmemory 256mb
//	maxmemory-policy allkeys-lru
//
// (or at run time: CONFIG SET maxmemory 256mb, CONFIG SET maxmemory-policy
// allkeys-lru). Redis then evicts the least recently used keys to make room
// for a write. allkeys-lru suits a Redis (an instance: maxmemory is not per
// database) that holds the cache alone. On an instance shared with data that
// must not be evicted, use
//
//	maxmemory-policy volatile-lru
//
// which evicts only keys with a TTL: the cache's entries with an expiry,
// written with their native TTL (SET with PX; clientcache sets it to the
// entry's expiry plus Options.KeepExpired), so that expired entries also
// vanish by themselves. Keys without a TTL are never evicted then: entries
// that never expire, the redirect aliases and the key secret, which can
// fill the memory until writes fail with OOM errors (which the core counts
// as the store's failures, requests then going to the network). With
// allkeys-lru the key secret (clientcache:key-secret:v1 in the redirects
// namespace) can be evicted too: processes started afterwards make a new
// one and no longer find the entries of requests with credentials, which age
// out; clientcache's Options.KeySecret keeps the secret out of the store.
// Without maxmemory (the default on 64-bit systems), Redis grows until the
// system runs out of memory.
//
// # Logging
//
// go-redis writes messages of its own (a failed dial, a Sentinel failover)
// through one logger for the whole process, by default to standard error.
// Importing this package sets that logger once, from an init function, with
// [redis.SetLogger]: go-redis's messages then go to [slog.Default] (the one
// set when each message is written) at level Debug, as "redis: ...". The
// failures they tell of also reach the caller as the store's errors, which a
// clientcache Session logs through its Options.Logger. The setting applies
// to every go-redis client of the program; to choose another logger, call
// redis.SetLogger after the import (from main, say).
package redisstore
