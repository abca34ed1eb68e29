// Package storage is the contract between clientcache and the places it keeps
// responses: a small Storage interface that moves keys and bytes, a Backend
// that pairs the two storages a cache needs, optional interfaces for what some
// stores do natively, and a registry that opens any store from a URL.
//
// Everything HTTP (keys, encoding, expiry, redirect aliases) lives once, in
// package clientcache; a store only keeps bytes under string keys.
//
// # Writing a store
//
// A store implements the nine methods of Storage. Any type will do. The
// package's example CustomStore (Example_customStore, example_test.go) is a
// whole store in one file: nine methods over a map, plugged into a Session
// and run. Its Read:
//
//	type mapStore struct {
//		mu sync.Mutex
//		m  map[string][]byte
//	}
//
//	func (s *mapStore) Read(ctx context.Context, key string) ([]byte, error) {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		v, ok := s.m[key]
//		if !ok {
//			return nil, storage.ErrNotFound
//		}
//		return bytes.Clone(v), nil
//	}
//	// ... Contains, Write, Delete, Clear, Size, Keys, Values, Close
//
// Plug it into a session with a Backend:
//
//	b := &storage.Backend{Responses: newMapStore(), Redirects: newMapStore()}
//	s, err := clientcache.NewSession(b, nil)
//
// and prove it with the conformance suites of package storagetest (Run for
// one Storage, RunBackend for a whole Backend), as mapstore_test.go does for
// the example's store:
//
//	func TestMapStore(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Storage { return newMapStore() })
//	}
//
// # Optional interfaces
//
// A store may implement more; the core finds these by type assertion and
// falls back when they are absent:
//
//   - [ExpiringWriter]: native expiry (a key TTL, an indexed column). Without
//     it the core calls Write and relies on the expiry inside the entry, which
//     it checks on every read.
//   - [BulkDeleter]: delete many keys in one round trip. Without it the core
//     calls Delete once per key.
//   - [Pruner]: delete expired values without decoding them. Without it the
//     core reads and decodes every value to find the expired ones.
//   - [ViewReader]: read a value without copying it, for in-process stores
//     whose values are immutable and never leave memory. Without it the core
//     calls Read.
//   - [OwnedWriter]: keep a written value without copying it. Without it the
//     core calls WriteWithExpiry or Write, which copy.
//   - [Budgeted]: report a size budget and how full it is (the store evicts
//     to keep within it). Without it, Cache.Budget and `clientcache stats`
//     say there is none.
//
// # Outages
//
// A store whose server cannot be reached says so with an error wrapping
// [ErrUnavailable] ([Unavailable] marks one). Its Open then returns, with
// that error, a Backend made by [Lazy], which connects once the server
// answers; a Backend's Timeout is the deadline the core gives each of a
// request's operations, after which, and after repeated failures, it skips
// the store until it answers again.
//
// # URLs
//
// [Open] opens a Backend from a URL whose scheme a store package registered
// when it was imported (memory://, file://, sqlite://, redis://, mongodb://,
// dynamodb://). Import a store for its side effect to make its scheme known:
//
//	import _ "github.com/clientcache/clientcache/storage/filestore"
package storage

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrNotFound is returned, possibly wrapped, by Read when the key is absent.
// Test for it with errors.Is.
var ErrNotFound = errors.New("storage: key not found")

// ErrClosed is returned, possibly wrapped, by a store's methods after Close.
var ErrClosed = errors.New("storage: store is closed")

// ErrInvalidURL is wrapped by the errors Open returns for a URL that names no
// usable store (an unknown scheme, a bad parameter), as opposed to a store
// that could not be reached. Openers wrap it around their URL mistakes.
var ErrInvalidURL = errors.New("invalid cache URL")

// InvalidURL marks err as a URL mistake: the result has err's message,
// unwraps to err, and errors.Is(result, ErrInvalidURL) is true.
func InvalidURL(err error) error {
	if err == nil {
		return nil
	}
	return invalidURLError{err}
}

type invalidURLError struct{ err error }

func (e invalidURLError) Error() string        { return e.err.Error() }
func (e invalidURLError) Unwrap() error        { return e.err }
func (e invalidURLError) Is(target error) bool { return target == ErrInvalidURL }

// ErrNoView is returned by ViewReader.ReadView for a value the store holds
// but cannot hand out as a view; the caller then reads it with Read.
var ErrNoView = errors.New("storage: value cannot be read as a view")

// ErrReadOnly is returned, possibly wrapped, by writes to a store opened
// read-only. Such a store never tries the write; the core treats the error as
// "not stored" and does not log it as a failure.
var ErrReadOnly = errors.New("storage: store is read-only")

// ErrTooLarge is returned, possibly wrapped, by a write of a value the store
// cannot keep because of its size alone (larger than its whole budget, or
// than what its server accepts in one value). Nothing is stored; the core
// reports the response as not stored (too-large) and does not count it as a
// failure of the store.
var ErrTooLarge = errors.New("storage: value too large for the store")

// Storage is a namespace of byte values under string keys (requests-cache's
// BaseStorage). Implementations must be safe for concurrent use by many
// goroutines. Every method that does I/O takes a context first and must give
// up, returning an error that wraps ctx.Err(), once that context is done.
//
// Keys are arbitrary non-empty strings of at most 512 bytes chosen by the core
// (hex digests today); values are arbitrary bytes, possibly empty, possibly
// many megabytes.
type Storage interface {
	// Contains reports whether key holds a value.
	Contains(ctx context.Context, key string) (bool, error)

	// Read returns the value stored under key. The returned slice belongs to
	// the caller, who may keep and modify it. When key is absent Read returns
	// an error for which errors.Is(err, ErrNotFound) is true.
	Read(ctx context.Context, key string) ([]byte, error)

	// Write stores value under key, replacing any previous value. The store
	// must not keep or modify value after Write returns.
	Write(ctx context.Context, key string, value []byte) error

	// Delete removes key. Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error

	// Clear removes every key of this storage's namespace and nothing else.
	Clear(ctx context.Context) error

	// Size returns the number of keys in the namespace.
	Size(ctx context.Context) (int, error)

	// Keys yields every key of the namespace, in no particular order. A
	// failure is yielded as a final ("", err) pair. Keys written or deleted
	// during the iteration may or may not be seen. Stopping early is allowed
	// and releases what the iteration held.
	Keys(ctx context.Context) iter.Seq2[string, error]

	// Values yields every value of the namespace, in no particular order,
	// under the same rules as Keys. Each yielded slice belongs to the caller.
	Values(ctx context.Context) iter.Seq2[[]byte, error]

	// Close releases what the store opened itself. It never closes a client,
	// database handle or connection the caller passed in. After Close, other
	// methods return an error wrapping ErrClosed. Close is idempotent.
	Close() error
}

// ExpiringWriter is implemented by stores with native expiry (a TTL). Once
// expires is a second behind, the value is gone from every method (Read,
// Contains, Size, Keys, Values), whether or not the server has removed it
// yet, so that every store agrees on what it holds (storagetest checks it).
// A zero expires means the value never expires, exactly as Write; an expires
// already past stores nothing and deletes the key.
type ExpiringWriter interface {
	WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error
}

// BulkDeleter is implemented by stores that delete many keys in one round
// trip. Absent keys are ignored.
type BulkDeleter interface {
	DeleteMany(ctx context.Context, keys []string) error
}

// Pruner is implemented by stores that can delete, without decoding them,
// values whose expiry (given to WriteWithExpiry) is before now. It returns
// how many it deleted. A wrapper whose store turns out not to prune (Lazy's)
// returns an error wrapping errors.ErrUnsupported; the core then decodes the
// values itself.
type Pruner interface {
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// ViewReader is implemented by in-process stores that can hand out a stored
// value without copying it, because they never modify a value once written (a
// Write replaces it). ReadView hands out only values given to WriteOwned
// (OwnedWriter), which the core wrote in this process and which never left
// its memory: the core trusts them, checking their structure but not their
// checksum. For any other value it returns ErrNoView, and the core reads it
// with Read and checks it whole. The caller must not modify the returned
// slice. Absent keys are reported as by Read.
type ViewReader interface {
	ReadView(ctx context.Context, key string) ([]byte, error)
}

// OwnedWriter is implemented by in-process stores that can keep a value
// without copying it. The caller hands value over: it never modifies it
// afterwards, and the store never modifies it either (a later write replaces
// it). expires is as for ExpiringWriter.
type OwnedWriter interface {
	WriteOwned(ctx context.Context, key string, value []byte, expires time.Time) error
}

// Backend is the two storages one cache needs (requests-cache's BaseCache).
// Responses maps a cache key to an encoded entry; Redirects maps an alias key
// (a URL that redirected, a request that matched another's key) to a cache key.
//
// The two may share one connection; Close closes both.
type Backend struct {
	// Responses maps cache keys to encoded responses.
	Responses Storage
	// Redirects maps alias keys to the cache keys they stand for.
	Redirects Storage
	// Timeout is the deadline the core gives each store operation a request
	// makes (a read, a write, a delete), so that a store that hangs costs a
	// request at most this long; the core then skips a store that keeps
	// failing until it answers again. A store's Open sets it to the default
	// its documentation gives; clientcache's Options.StoreTimeout overrides
	// it. Zero: no deadline but the request's own.
	Timeout time.Duration
}

// Close closes Redirects and Responses and returns their errors joined.
func (b *Backend) Close() error {
	var errs []error
	if b.Redirects != nil {
		errs = append(errs, b.Redirects.Close())
	}
	if b.Responses != nil {
		errs = append(errs, b.Responses.Close())
	}
	return errors.Join(errs...)
}
