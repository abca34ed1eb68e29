package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/clientcache/clientcache/internal/fspath"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// inlineValueMax is the size up to which a value is copied behind its header
// and written with one system call instead of two.
const inlineValueMax = 64 << 10

// Write stores value under key, replacing any older value and its expiry.
// Readers see the old value or the new one, never a mix.
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	return s.put(ctx, key, value, 0)
}

// WriteWithExpiry is Write with an expiry kept in the file's header: once
// expires has passed, the value reads as absent, and DeleteExpired removes
// it. A zero expires means never, exactly as Write. An expires not after now
// stores nothing and deletes key's older value.
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.put(ctx, key, value, storeutil.ExpiryNanos(expires))
}

// put is Write and WriteWithExpiry; expires is in unix nanoseconds, 0 for
// never.
func (s *store) put(ctx context.Context, key string, value []byte, expires int64) error {
	if err := s.writable(ctx); err != nil {
		return s.wrap(err)
	}
	if len(key) > maxKeyLen {
		return s.wrap(fmt.Errorf("a key of %d bytes is longer than the %d an entry file holds", len(key), maxKeyLen))
	}
	d := digestOf(key)
	if expires != 0 && expires <= time.Now().UnixNano() {
		// Already expired: stored, it would read as absent and wait for a
		// prune. Every store drops such a value at once, and with it the
		// older value the caller meant to replace.
		if err := s.removeEntry(d); err != nil {
			return s.wrap(err)
		}
		return nil
	}
	if err := s.writeFile(ctx, d, key, value, expires); err != nil {
		return s.wrap(err)
	}
	return nil
}

// writeFile writes the entry to a temporary file in the store's directory
// and renames it to name, which replaces any older file atomically. It does
// not sync: a cache may lose its latest writes in a crash, and the rename
// still keeps a reader from ever seeing half a file. Where temporary files
// are locked (templock_unix.go) the lock is held until the file is renamed,
// so that no cleaner takes a finished but unrenamed file for garbage.
//
// With a budget the rename is the index's (lru.publish): it first evicts
// what the new file needs room for.
func (s *store) writeFile(ctx context.Context, d digest, key string, value []byte, expires int64) error {
	name := d.name()
	tmp, err := s.createTemp(name)
	if err != nil {
		return err
	}
	published := false
	defer func() {
		if !published {
			_ = tmp.Close() // may already be closed; the removal is what matters
			_ = os.Remove(tmp.Name())
		}
	}()

	head := appendHeader(make([]byte, 0, fixedHeaderLen+len(key)+min(len(value), inlineValueMax)), key, expires, len(value))
	if len(value) <= inlineValueMax {
		_, err = tmp.Write(append(head, value...))
	} else if _, err = tmp.Write(head); err == nil {
		_, err = tmp.Write(value)
	}
	if err != nil {
		return err
	}
	if !tempLocked {
		if err := tmp.Close(); err != nil {
			return err
		}
	}
	// A write cancelled while the file was written leaves nothing behind.
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.lru == nil {
		err = os.Rename(tmp.Name(), s.pathOf(name))
	} else {
		size := fixedHeaderLen + int64(len(key)) + int64(len(value))
		var rescan bool
		if rescan, err = s.lru.publish(d, tmp.Name(), s.pathOf(name), size, time.Now().UnixNano()); rescan {
			s.startRescan()
		}
	}
	if err != nil {
		return err
	}
	published = true
	if tempLocked {
		return tmp.Close() // releases the lock
	}
	return nil
}

// createTemp creates the temporary file for name's next version, mode 0600
// whatever the directory's mode: the entry is the user's alone, and takes
// the writer's lock on it (lockTemp). A cleaner may take the file for
// abandoned in the moment between its creation and the lock, and remove it:
// then another is created.
func (s *store) createTemp(name string) (*os.File, error) {
	for attempt := 1; ; attempt++ {
		tmp, err := s.createTempFile(name)
		if err != nil {
			return nil, err
		}
		if err := lockTemp(tmp); err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			return nil, err
		}
		held, err := tmp.Stat()
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			return nil, err
		}
		if current, err := os.Lstat(tmp.Name()); err == nil && os.SameFile(held, current) {
			return tmp, nil
		}
		_ = tmp.Close() // removed by a cleaner before the lock
		if attempt == maxTempAttempts {
			return nil, errors.New("temporary files removed as soon as created")
		}
	}
}

// maxTempAttempts bounds createTemp's attempts. Cleaners run at Open, Clear
// and DeleteExpired, and take a file only in the moment between its creation
// and its lock, so that losing this many times in a row means something
// else removes the store's files.
const maxTempAttempts = 20

// createTempFile creates a new temporary file for name's next version, mode
// 0600. If the directory was removed from under the store, say by someone
// clearing the cache with rm, it is created again (mode 0700).
func (s *store) createTempFile(name string) (*os.File, error) {
	pattern := name + ".*" + tempSuffix
	tmp, err := os.CreateTemp(s.dir, pattern) // O_EXCL, mode 0600
	if errors.Is(err, fs.ErrNotExist) {
		if mkErr := fspath.MkdirPrivate(s.dir); mkErr != nil {
			return nil, mkErr
		}
		tmp, err = os.CreateTemp(s.dir, pattern)
	}
	if err != nil {
		return nil, err
	}
	// The umask may have cleared some of the owner's bits (it cannot add
	// any, so a failure here leaves the file no less private).
	_ = tmp.Chmod(0o600)
	return tmp, nil
}
