// Package dynamostore keeps a clientcache in an Amazon DynamoDB table (or a
// server that speaks its API: DynamoDB Local, dynalite).
//
// # cache_name is the table
//
// As in requests-cache and aiohttp-client-cache, cache_name
// ([Options.CacheName], default "http_cache"; the host part of a
// dynamodb:// URL) names the table. Both storages of a cache, responses and
// redirects, live in that one table. The table is created when it is missing,
// with on-demand billing (PAY_PER_REQUEST), unless [Options.CreateTable] is
// false (URL: create=false); then it must exist already, with the key schema
// below. A table this package created is never deleted by it.
//
//	b, err := dynamostore.Open(ctx, awsCfg, &dynamostore.Options{CacheName: "myapp_cache"})
//	b, err := dynamostore.New(ctx, myClient, nil) // the caller's *dynamodb.Client, never closed
//	b, err := storage.Open(ctx, "dynamodb://myapp_cache?region=eu-west-1")
//	b, err := storage.Open(ctx, "dynamodb://myapp_cache?endpoint=http://localhost:8000&region=us-east-1")
//
// A dynamodb:// URL loads the standard AWS configuration and credential chain
// (environment, shared files, SSO, IMDS). An endpoint on the loopback
// interface is taken for an emulator (DynamoDB Local, dynalite), which accepts
// any credentials: the EC2 metadata service is not asked, placeholder
// credentials are used when the chain finds none, and the region defaults to
// us-east-1.
//
// # Key schema: one partition per value
//
// The table has a single partition key, the string attribute "k", and no sort
// key. A value stored under key K in namespace N (responses or redirects) is
// the item k = "N#K". Every cache entry therefore hashes to its own partition,
// and the hot operations, Read (GetItem) and Write (PutItem), spread over the
// whole table however many requests a fleet of clients makes: no partition
// ever holds more than one entry, so the per-partition limits (3,000 reads and
// 1,000 writes a second) apply to one URL, not to a namespace.
//
// The price is paid by the rare management operations. Keys, Values and Size
// list a namespace with a Scan filtered on the key prefix "N#" (Clear and
// DeleteExpired also match the namespace's chunk prefix "N@"), strongly
// consistent, page by page, 1 MB at a time. A Scan reads, and is billed for,
// the whole table, both namespaces and all chunks included. The alternatives
// were weighed and rejected:
//
//   - the namespace as partition key and the cache key as sort key makes
//     listing a Query, but puts every response of a cache in one partition: a
//     hot partition that throttles the hot path at internet scale;
//   - a global secondary index keyed by namespace has the same hot partition,
//     in the index, and doubles the write cost of every Write;
//   - a sharded sparse index (namespace plus a shard number) avoids the hot
//     partition but still doubles every write to save cost on operations a
//     cache runs rarely, if ever.
//
// Keys are the core's key strings and must be valid UTF-8 (the core's keys
// are hex digests); any other key is rejected with an error.
//
// # Values larger than an item
//
// DynamoDB rejects items of 400 KB or more. A value of up to 350 KiB is stored
// inline, in the item's binary attribute "v". A larger value is split into
// chunks of 350 KiB, each an item of its own:
//
//	N#K                   head: g = generation, n = chunk count, z = size
//	N@<generation>.<i>#K  chunk i (from 0): v = bytes
//
// Chunk keys live outside the "N#" prefix, so listings never see them, and
// each chunk hashes to a partition of its own. A write of a large value first
// writes all of its chunks under a fresh random generation (BatchWriteItem),
// then puts the head; the head, written last, is the commit. Chunks are never
// modified after they are written, so a reader that fetches the head and then
// the chunks named by its generation (GetItem and BatchGetItem, both with
// ConsistentRead) can never mix the bytes of two writes. When a concurrent
// write or delete has replaced the head and removed the old chunks, the reader
// finds a chunk missing, reads the head again and retries with the new
// generation; a head whose own chunks are gone (a writer that died between
// writing its chunks and removing them) is deleted and reads as absent.
//
// Each write or delete learns the item it replaced from the service (a put or
// delete conditional on the old item being inline, and, only when it was not,
// one returning the old item), then removes the old value's chunks. A failed
// write removes the chunks it wrote. Chunks orphaned by a process that died
// mid-write are never read; they carry the value's expiry, so the TTL sweep
// and DeleteExpired remove them once it has passed, and Clear removes them
// in any case.
//
// TransactWriteItems is not used: a transaction holds at most 4 MB, smaller
// than the values this package must store, and dynalite has no transactions.
// Head-last ordering with immutable, generation-named chunks gives readers
// the same guarantee on every server.
//
// # Expiry
//
// WriteWithExpiry stores the expiry time, rounded up to a whole second, in the
// number attribute "expires" (Unix seconds) of the head and of every chunk,
// and the store enables DynamoDB's Time to Live on that attribute
// (UpdateTimeToLive) when the table's TTL is off. DynamoDB deletes expired
// items in the background, but only eventually (AWS says within a few days),
// so the store also checks the expiry itself: an expired value reads as
// absent, and Keys, Size and Values skip it. A service without TTL (dynalite)
// or a role without permission to enable it is reported once through the
// logger and the store keeps working; DeleteExpired still removes expired
// values.
//
// # Errors and outages
//
// Construction checks the table with DescribeTable, bounded by
// [Options.ConnectTimeout], and fails with an error naming the endpoint when
// the service does not answer. That error wraps [storage.ErrUnavailable]
// and comes with a Backend that opens the table once the service answers
// (see [Open]); a mistake (credentials the service rejects, a table of
// another key schema) is an error that does not wrap it.
//
// The SDK honours contexts: every call ends when its context does, its
// retries included. clientcache gives each operation a request makes a
// deadline, [storage.Backend.Timeout]: for this store [Options.Timeout], by
// default [DefaultTimeout] (250 ms; raise it when entries of a megabyte or
// more are cached, see DefaultTimeout for measurements). The SDK's default
// retries stay in force; a client this package builds also bounds each
// attempt's wait for a response ([Options.RequestTimeout]), so during an
// outage every call returns an error within seconds even without a
// deadline. When the table vanishes under a running store (an in-memory
// server restarted, a table deleted by hand) and CreateTable is on, the
// first call that meets ResourceNotFoundException creates the table again
// and retries once, so the store recovers by itself.
//
// Missing keys give errors wrapping [storage.ErrNotFound]; calls after Close
// give errors wrapping [storage.ErrClosed]; a done context gives an error
// wrapping the context's error. Errors say "dynamostore: TABLE/responses: "
// (or redirects) and wrap the cause; the caller (clientcache's core) adds the
// operation and the key.
//
// # Optional interfaces
//
// Both storages of a Backend implement [storage.ExpiringWriter] (TTL attribute),
// [storage.BulkDeleter] (BatchWriteItem in batches of 25, retrying unprocessed
// items) and [storage.Pruner] (a filtered Scan, then deletes conditional on
// the value still being expired).
package dynamostore
