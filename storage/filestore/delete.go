package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// Delete removes key's entry file; an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	if err := s.removeEntry(digestOf(key)); err != nil {
		return s.wrap(err)
	}
	return nil
}

// removeEntry removes d's entry file, if any, and with a budget forgets it.
func (s *store) removeEntry(d digest) error {
	path := s.pathOf(d.name())
	if s.lru != nil {
		return s.lru.remove(d, path)
	}
	return removeIfExists(path)
}

// DeleteMany removes the entry files of keys; absent keys are ignored. It
// goes on past a failure and returns every failure joined.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	var errs []error
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := s.removeEntry(digestOf(key)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.wrap(err)
	}
	return nil
}

// Clear removes every entry file of the directory and every temporary file
// no write is using (removeAbandonedTemp). Other files, including the
// temporary files of writes in progress, stay.
func (s *store) Clear(ctx context.Context) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	for de, err := range s.dirEntries(ctx) {
		if err != nil {
			return s.wrap(err)
		}
		name := de.Name()
		if d, ok := digestOfName(name); ok {
			if err := s.removeEntry(d); err != nil {
				return s.wrap(err)
			}
		} else if isTempName(name) {
			removeAbandonedTemp(s.pathOf(name), de)
		}
	}
	return nil
}

// removeAbandonedTemps removes the temporary files no write is using: those
// of writes killed or crashed before their rename. Open calls it, as Clear
// and DeleteExpired do on their way through the directory, so that what a
// killed process left does not outlive the next use of the cache.
func (s *store) removeAbandonedTemps(ctx context.Context) error {
	for de, err := range s.dirEntries(ctx) {
		if err != nil {
			return err
		}
		if isTempName(de.Name()) {
			removeAbandonedTemp(s.pathOf(de.Name()), de)
		}
	}
	return nil
}

// DeleteExpired removes the entry files whose expiry is not after now,
// reading only their headers, and returns how many it removed. Malformed
// entry files and temporary files no write is using (removeAbandonedTemp)
// are removed too, but not counted.
func (s *store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, s.wrap(err)
	}
	removed := 0
	for de, err := range s.dirEntries(ctx) {
		if err != nil {
			return removed, s.wrap(err)
		}
		name := de.Name()
		switch {
		case isEntryName(name):
			e, err := s.load(name, false) // discards a malformed file
			if err != nil {
				continue // gone meanwhile, malformed, or unreadable: not ours to report
			}
			if e.expiredAt(now) && s.discard(name, e.info) {
				removed++
			}
		case isTempName(name):
			removeAbandonedTemp(s.pathOf(name), de)
		}
	}
	return removed, nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
