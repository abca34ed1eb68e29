package filestore

import (
	"context"
	"errors"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Read returns the value stored under key. An expired or malformed entry
// file reads as absent and is removed.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.ready(ctx); err != nil {
		return nil, s.wrap(err)
	}
	name := fileName(key)
	e, err := s.load(name, true)
	if err != nil {
		return nil, s.wrap(err)
	}
	if e.expiredAt(time.Now()) {
		s.discard(name, e.info)
		return nil, s.wrap(storage.ErrNotFound)
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
