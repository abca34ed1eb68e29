// Package mongostore keeps a clientcache in MongoDB, or in a server that
// speaks its wire protocol such as FerretDB, through the official driver
// go.mongodb.org/mongo-driver/v2.
//
// # cache_name and layout
//
// cache_name (default "http_cache") is the database, as in requests-cache and
// aiohttp-client-cache. It holds two collections, one per storage of the
// [storage.Backend]:
//
//	<cache_name>.responses   cache key -> encoded response
//	<cache_name>.redirects   alias key -> cache key
//
// Every document has the same shape:
//
//	{_id: <key string>, value: <BinData subtype 0>, expires: <Date>}
//
// expires is absent when the value never expires (a plain Write). Clear
// deletes the documents of its own collection and nothing else; the store
// never drops a database or a collection.
//
// # Expiry
//
// At open the store creates a TTL index on expires (expireAfterSeconds: 0),
// so that MongoDB removes expired documents by itself, within about a minute
// of their expiry. Until then they are still on the server, so the store also
// checks expiry itself: an expired document is absent to Read, Contains,
// Size, Keys and Values. DeleteExpired ([storage.Pruner]) removes them at
// once.
//
// When the server cannot create a TTL index (FerretDB answers NotImplemented,
// a read-only user is refused) the store logs one warning through log/slog,
// creates a plain index on expires instead when it can, and keeps working:
// expired documents then stay on the server until DeleteExpired (the
// storage.Pruner the core uses when it prunes the cache) removes them.
//
// # Opening a store
//
// [Open] takes the driver's client options, opens a client of its own, pings
// it, and disconnects it when both storages of the Backend are closed. [New]
// uses a *mongo.Client the caller made and keeps; Close never disconnects it.
// Importing the package registers the URL schemes mongodb:// and
// mongodb+srv:// with [storage.Open]:
//
//	mongodb://host:port/NAME?serverSelectionTimeoutMS=2000
//
// where NAME, the database in the path, is cache_name (http_cache when the
// path is empty) and the query holds the driver's connection-string options.
// The driver sees the connection string without the path, so credentials are
// checked against the admin database unless it sets authSource. Errors from
// a URL never show its password.
//
// # Errors
//
// Errors say "mongostore: <cache_name>.<collection>: " and wrap the cause;
// the caller (clientcache's core) adds the operation and the key. Read of an
// absent or expired key wraps [storage.ErrNotFound]; any method after Close
// wraps [storage.ErrClosed]; a done context wraps its error.
//
// # Deadlines and outages
//
// The driver honours contexts: every operation ends when its context does.
// clientcache gives each operation a request makes a deadline,
// [storage.Backend.Timeout]: for this store [Options.Timeout], by default
// [DefaultTimeout] (100 ms; raise it when entries of a megabyte or more are
// cached, see DefaultTimeout for measurements). A server that goes away
// makes operations fail and the store works again, without reopening, once
// it is back. A server that cannot be reached when the store is opened
// makes [Open], [New] and [storage.Open] fail with an error wrapping
// [storage.ErrUnavailable], returned with a Backend that connects once the
// server answers (see Open); a mistake, such as credentials the server
// rejects, is an error that does not wrap it.
//
// # Limits
//
// A MongoDB document is at most 16 MiB, so a value must stay a little under
// that; cached responses are far smaller in practice. Bulk deletes are sent in
// chunks of 40 keys.
//
// # FerretDB
//
// The store's tests run against FerretDB 1.24 with its SQLite backend. It has
// no TTL indexes (see above), and one bulk write that changes more than about
// fifty existing documents can hang it, which is why DeleteMany is chunked.
// Everything else the store does works the same as on MongoDB.
package mongostore
