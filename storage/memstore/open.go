package memstore

import (
	"context"
	"fmt"

	"github.com/clientcache/clientcache/storage"
)

// Open returns a Backend of two independent, empty stores in this process's
// memory. The budget of opts applies to Responses; Redirects, which holds
// only short keys, has none. A nil opts means the defaults: no budget. Open
// fails for a negative budget, or a done ctx. Closing the Backend drops
// every value.
func Open(ctx context.Context, opts *Options) (*storage.Backend, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: open: %w", err)
	}
	return &storage.Backend{Responses: newStore(opts), Redirects: newStore(nil)}, nil
}

// newStore returns an empty store; opts has been checked.
func newStore(opts *Options) *store {
	s := &store{entries: map[string]*entry{}}
	if opts != nil {
		s.maxEntries = opts.MaxEntries
		s.maxBytes = opts.MaxBytes
	}
	s.budgeted = s.maxEntries > 0 || s.maxBytes > 0
	return s
}
