package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// store is a storage.Storage in one directory, safe for concurrent use, also
// by several processes sharing the directory. Open makes them.
type store struct {
	dir      string // absolute
	readOnly bool
	closed   storeutil.Closed
}

// Interface checks: the optional abilities a store has.
var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
)

// Close marks the store closed; it holds no open files between calls. Later
// calls of other methods return an error wrapping storage.ErrClosed; Close
// itself may be called again. The files stay.
func (s *store) Close() error {
	s.closed.Close()
	return nil
}

// fileName is the name of key's entry file: the hex SHA-256 of the key. It
// is made of [0-9a-f] only, so it cannot leave the directory, and it is the
// same length for every key, well under any file system's name limit.
func fileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// isEntryName reports whether name could be an entry file's: anything else
// in the directory (temporary files, a user's notes) is not the store's.
func isEntryName(name string) bool {
	if len(name) != 2*sha256.Size {
		return false
	}
	for i := range len(name) {
		if c := name[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// tempSuffix ends the name of every file a write has not yet renamed into
// place.
const tempSuffix = ".tmp"

func isTempName(name string) bool { return strings.HasSuffix(name, tempSuffix) }

func (s *store) pathOf(name string) string { return filepath.Join(s.dir, name) }

// ready reports why the store cannot serve a call now, if it cannot.
func (s *store) ready(ctx context.Context) error { return s.closed.Check(ctx) }

// writable is ready for a call that would change the directory.
func (s *store) writable(ctx context.Context) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return storage.ErrReadOnly
	}
	return nil
}

// wrap gives err the shape of the store's errors: "filestore: ", the
// directory and the cause. The core adds the operation and the key.
func (s *store) wrap(err error) error {
	return &storeutil.Error{Store: "filestore", Namespace: s.dir, Err: err}
}
