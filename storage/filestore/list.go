package filestore

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"iter"
	"os"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// dirBatch is how many directory entries one read of the directory returns,
// which bounds the memory of an iteration over a big cache.
const dirBatch = 256

// Keys yields the keys of the values that have not expired, in no
// particular order, reading only the files' headers. Expired and malformed
// entry files met on the way are removed.
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for e, err := range s.liveEntries(ctx, false) {
			if err != nil {
				yield("", s.wrap(err))
				return
			}
			if !yield(e.key, nil) {
				return
			}
		}
	}
}

// Values yields every value that has not expired, in no particular order,
// under the same rules as Keys.
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for e, err := range s.liveEntries(ctx, true) {
			if err != nil {
				yield(nil, s.wrap(err))
				return
			}
			if !yield(e.value, nil) {
				return
			}
		}
	}
}

// Size returns the number of values that have not expired. It reads every
// entry file's header, so that it always agrees with Keys.
func (s *store) Size(ctx context.Context) (int, error) {
	n := 0
	for _, err := range s.liveEntries(ctx, false) {
		if err != nil {
			return 0, s.wrap(err)
		}
		n++
	}
	return n, nil
}

// liveEntries yields the well-formed entries that have not expired, and
// removes the expired ones it meets. A failure is yielded last.
func (s *store) liveEntries(ctx context.Context, withValue bool) iter.Seq2[entry, error] {
	return func(yield func(entry, error) bool) {
		if err := s.ready(ctx); err != nil {
			yield(entry{}, err)
			return
		}
		for de, err := range s.dirEntries(ctx) {
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				yield(entry{}, err)
				return
			}
			name := de.Name()
			if !isEntryName(name) {
				continue
			}
			e, err := s.load(name, withValue)
			if errors.Is(err, storage.ErrNotFound) {
				continue // removed since the directory was read, or malformed
			}
			if err != nil {
				yield(entry{}, err)
				return
			}
			if e.expiredAt(time.Now()) {
				s.discard(name, e.info)
				continue
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// dirEntries yields the directory's entries a batch at a time, holding the
// directory open only while the iteration runs. A missing directory (removed
// from under the store) is an empty one.
func (s *store) dirEntries(ctx context.Context) iter.Seq2[fs.DirEntry, error] {
	return func(yield func(fs.DirEntry, error) bool) {
		dir, err := os.Open(s.dir)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		defer dir.Close()
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			batch, err := dir.ReadDir(dirBatch)
			for _, de := range batch {
				if !yield(de, nil) {
					return
				}
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
		}
	}
}
