// Package memstore keeps a cache in the memory of the running process: the
// fastest store, and the one to use in tests. Nothing survives the process.
//
// The cache_name of other stores has no meaning here: [Open] makes the two
// namespaces a cache needs, Responses and Redirects, each a store of its own,
// and closing the Backend drops their values.
//
// A store may be given a budget, a number of entries ([Options.MaxEntries]),
// a number of bytes ([Options.MaxBytes]) or both. A write that goes over the
// budget evicts the least recently used values until it fits again; a Read
// counts as a use, a Contains does not.
//
// Besides [storage.Storage], each store implements the optional interfaces
// [storage.ExpiringWriter] (an expired value reads as absent and is dropped on
// that read; a write whose expiry has already passed stores nothing and drops
// the older value, as in every store), [storage.BulkDeleter], [storage.Pruner],
// and the two that make a
// hit copy-free: [storage.ViewReader] (a read hands out the stored bytes, which
// are never modified) and [storage.OwnedWriter] (a write keeps the caller's
// buffer, which the caller gives up).
//
// A store's errors say "memstore: " and the cause, which errors.Is finds
// (storage.ErrClosed, the context's error, [ErrTooLarge]); clientcache adds
// the operation and the key.
//
// Importing the package registers the URL scheme "memory" with
// [storage.Open]:
//
//	memory://
//	memory://?max_entries=10000&max_bytes=64MiB
//
// The budget given in the URL applies to the Responses storage.
package memstore
