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
	lru      *lru // the budget and its index; nil without a budget (budget.go)
}

// Interface checks: the optional abilities a store has.
var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
	_ storage.Budgeted       = (*store)(nil)
)

// Close marks the store closed; it holds no open files between calls. Later
// calls of other methods return an error wrapping storage.ErrClosed; Close
// itself may be called again. The files stay.
//
// With a budget, Close also stops a scan of the directory running in the
// background, and waits for it.
func (s *store) Close() error {
	if s.closed.Close() && s.lru != nil {
		s.lru.close()
	}
	return nil
}

// fileName is the name of key's entry file: the hex SHA-256 of the key. It
// is made of [0-9a-f] only, so it cannot leave the directory, and it is the
// same length for every key, well under any file system's name limit.
func fileName(key string) string { return digestOf(key).name() }

// digest is the SHA-256 of a key, which names its entry file; the budget's
// index holds it rather than the name, at half the size.
type digest [sha256.Size]byte

func digestOf(key string) digest { return sha256.Sum256([]byte(key)) }

// name is the entry file's name: the digest in lower-case hex.
func (d digest) name() string { return hex.EncodeToString(d[:]) }

// digestOfName is the inverse of name; ok is false for a name that is not
// an entry file's.
func digestOfName(name string) (d digest, ok bool) {
	if !isEntryName(name) {
		return d, false
	}
	_, err := hex.Decode(d[:], []byte(name))
	return d, err == nil
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
