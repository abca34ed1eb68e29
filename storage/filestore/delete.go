package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// staleTempAge is how old a temporary file must be for DeleteExpired to take
// it for a crashed write's leftover: no write takes that long.
const staleTempAge = time.Hour

// Delete removes key's entry file; an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	if err := removeIfExists(s.pathOf(fileName(key))); err != nil {
		return s.wrap(err)
	}
	return nil
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
		if err := removeIfExists(s.pathOf(fileName(key))); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.wrap(err)
	}
	return nil
}

// Clear removes every entry file of the directory. Other files, including
// the temporary files of writes in progress, stay.
func (s *store) Clear(ctx context.Context) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	for de, err := range s.dirEntries(ctx) {
		if err != nil {
			return s.wrap(err)
		}
		if !isEntryName(de.Name()) {
			continue
		}
		if err := removeIfExists(s.pathOf(de.Name())); err != nil {
			return s.wrap(err)
		}
	}
	return nil
}

// DeleteExpired removes the entry files whose expiry is not after now,
// reading only their headers, and returns how many it removed. Malformed
// entry files and temporary files older than an hour are removed too, but
// not counted.
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
			if info, err := de.Info(); err == nil && time.Since(info.ModTime()) > staleTempAge {
				_ = os.Remove(s.pathOf(name))
			}
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
