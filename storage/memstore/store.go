package memstore

import (
	"errors"
	"fmt"
	"sync"

	"github.com/clientcache/clientcache/storage"
)

// ErrTooLarge is returned, wrapped, by a write of a value that alone is
// bigger than the store's Options.MaxBytes. Such a value is not stored, and
// any older value under its key is removed.
var ErrTooLarge = errors.New("memstore: value is larger than the store's MaxBytes")

// Store is an in-process storage.Storage, safe for concurrent use. Make one
// with New; the zero value is not usable.
type Store struct {
	maxEntries int
	maxBytes   int64
	budgeted   bool // maxEntries or maxBytes is set: keep the recency list

	mu       sync.RWMutex
	entries  map[string]*entry // nil once closed
	recency  recencyList       // kept only when budgeted
	bytes    int64             // sum of entry costs
	expiring int               // entries with an expiry; 0 lets Size skip its scan
}

// Interface checks: the optional abilities a Store has.
var (
	_ storage.Storage        = (*Store)(nil)
	_ storage.ExpiringWriter = (*Store)(nil)
	_ storage.BulkDeleter    = (*Store)(nil)
	_ storage.Pruner         = (*Store)(nil)
)

// New returns an empty store. A nil opts means the defaults: no budget.
func New(opts *Options) *Store {
	s := &Store{entries: map[string]*entry{}}
	if opts != nil {
		s.maxEntries = max(opts.MaxEntries, 0)
		s.maxBytes = max(opts.MaxBytes, 0)
	}
	s.budgeted = s.maxEntries > 0 || s.maxBytes > 0
	return s
}

// NewBackend returns a Backend of two independent stores. The budget of opts
// applies to Responses; Redirects, which holds only short keys, has none.
func NewBackend(opts *Options) *storage.Backend {
	return &storage.Backend{Responses: New(opts), Redirects: New(nil)}
}

func opError(op, key string, err error) error {
	return fmt.Errorf("memstore: %s %q: %w", op, key, err)
}

func opErrorNoKey(op string, err error) error {
	return fmt.Errorf("memstore: %s: %w", op, err)
}

// Close drops every value. Later calls of other methods return an error
// wrapping storage.ErrClosed; Close itself may be called again.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = nil
	s.recency = recencyList{}
	s.bytes, s.expiring = 0, 0
	return nil
}
