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
// Size, Keys and Values. [Store.DeleteExpired] removes them at once.
//
// When the server cannot create a TTL index (FerretDB answers NotImplemented,
// a read-only user is refused) the store logs one warning through log/slog,
// creates a plain index on expires instead when it can, and keeps working:
// expired documents then stay on the server until DeleteExpired (the
// storage.Pruner the core uses when it prunes the cache) removes them.
//
// # Opening a store
//
// [New] uses a *mongo.Client the caller made and keeps; Close never
// disconnects it. [Open] takes a connection string and [Connect] client
// options; both open a client of their own, ping it, and disconnect it when
// both storages of the Backend are closed. Importing the package registers
// the URL schemes mongodb:// and mongodb+srv:// with [storage.Open]:
//
//	mongodb://host:port/NAME?serverSelectionTimeoutMS=2000
//
// where NAME, the database in the path, is cache_name (http_cache when the
// path is empty) and the query holds the driver's connection-string options.
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
