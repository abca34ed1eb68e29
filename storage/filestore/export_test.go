package filestore

import (
	"context"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// What the external tests use of a store that Open's Backend holds but the
// package does not export.

// TestStore is every method a store has.
type TestStore interface {
	storage.Storage
	storage.ExpiringWriter
	storage.BulkDeleter
	storage.Pruner
	storage.Budgeted
}

// NewTestStore returns one store keeping its values directly in dir, as
// each of Open's two does in its subdirectory (and as Open, removing the
// temporary files no write is using).
// The budget of opts applies to it.
func NewTestStore(dir string, opts *Options) (TestStore, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	s, err := newStore(context.Background(), dir, opts.ReadOnly, opts.MaxBytes, opts.MaxEntries)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DirOf returns the directory of a store of Open's Backend.
func DirOf(s storage.Storage) string { return s.(*store).dir }

// WaitScans waits for the background scan of s's directory, if one runs, and
// returns how many scans its index has merged since Open.
func WaitScans(s storage.Storage) int {
	l := s.(*store).lru
	if l == nil {
		return 0
	}
	for {
		l.mu.Lock()
		scanning, scans := l.scanning, l.scans
		l.mu.Unlock()
		if !scanning {
			return scans
		}
		time.Sleep(time.Millisecond)
	}
}

// SetTouchEvery sets how often, at most, reads set an entry file's
// modification time, for benchmarks, and returns the previous setting.
func SetTouchEvery(d time.Duration) time.Duration {
	old := touchEvery
	touchEvery = d
	return old
}

// Rescan scans s's directory now and brings its index in line, as the store
// does in the background after enough writes, and evicts what goes over the
// budget.
func Rescan(s storage.Storage) error {
	WaitScans(s)
	st := s.(*store)
	st.lru.mu.Lock()
	claimed := st.lru.claimScanLocked()
	st.lru.mu.Unlock()
	if !claimed {
		return storage.ErrClosed
	}
	return st.rescan(context.Background())
}
