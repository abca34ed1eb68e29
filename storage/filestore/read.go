package filestore

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Read returns the value stored under key. An expired or malformed entry
// file reads as absent and is removed. With a budget, a read is a use: it
// makes the entry the most recently used (see "Budget" in the package
// documentation).
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.ready(ctx); err != nil {
		return nil, s.wrap(err)
	}
	d := digestOf(key)
	name := d.name()
	e, err := s.load(name, true)
	if err != nil {
		if s.lru != nil && errors.Is(err, storage.ErrNotFound) {
			s.lru.missing(d, s.pathOf(name))
		}
		return nil, s.wrap(err)
	}
	now := time.Now()
	if e.expiredAt(now) {
		s.discard(name, e.info)
		return nil, s.wrap(storage.ErrNotFound)
	}
	if s.lru != nil && s.lru.use(d, name, e.info, now.UnixNano()) {
		// Recency for a restart and for other processes. A file replaced
		// or removed meanwhile is no matter: the time is only a hint.
		_ = os.Chtimes(s.pathOf(name), time.Time{}, now)
	}
	return e.value, nil
}

// Contains reports whether key holds a value that has not expired. It reads
// only the entry file's header.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, s.wrap(err)
	}
	name := fileName(key)
	e, err := s.load(name, false)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, s.wrap(err)
	case e.expiredAt(time.Now()):
		s.discard(name, e.info)
		return false, nil
	default:
		return true, nil
	}
}
