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
// it. A zero expires means never, exactly as Write.
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
	if err := s.writeFile(ctx, fileName(key), key, value, expires); err != nil {
		return s.wrap(err)
	}
	return nil
}

// writeFile writes the entry to a temporary file in the store's directory
// and renames it to name, which replaces any older file atomically. It does
// not sync: a cache may lose its latest writes in a crash, and the rename
// still keeps a reader from ever seeing half a file.
func (s *store) writeFile(ctx context.Context, name, key string, value []byte, expires int64) error {
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
	if err := tmp.Close(); err != nil {
		return err
	}
	// A write cancelled while the file was written leaves nothing behind.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.pathOf(name)); err != nil {
		return err
	}
	published = true
	return nil
}

// createTemp creates the temporary file for name's next version, mode 0600
// whatever the directory's mode: the entry is the user's alone. If the
// directory was removed from under the store, say by someone clearing the
// cache with rm, it is created again (mode 0700).
func (s *store) createTemp(name string) (*os.File, error) {
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
