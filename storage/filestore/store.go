package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/clientcache/clientcache/internal/fspath"
	"github.com/clientcache/clientcache/storage"
)

// Store is a storage.Storage in one directory, safe for concurrent use, also
// by several processes sharing the directory. Make one with New or Open.
type Store struct {
	dir      string // absolute
	readOnly bool
	closed   atomic.Bool
}

// Interface checks: the optional abilities a Store has.
var (
	_ storage.Storage        = (*Store)(nil)
	_ storage.ExpiringWriter = (*Store)(nil)
	_ storage.BulkDeleter    = (*Store)(nil)
	_ storage.Pruner         = (*Store)(nil)
)

// Names of the two storages' subdirectories in a cache directory.
const (
	responsesDir = "responses"
	redirectsDir = "redirects"
)

// Open returns the Backend for the cache directory dir (the cache_name): its
// Responses in dir/responses and its Redirects in dir/redirects. A leading
// "~" in dir is the home directory. Missing directories are created with
// mode 0700; existing ones keep their mode.
func Open(ctx context.Context, dir string, opts *Options) (*storage.Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: open %q: %w", dir, err)
	}
	root, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	responses, err := New(filepath.Join(root, responsesDir), opts)
	if err != nil {
		return nil, err
	}
	redirects, err := New(filepath.Join(root, redirectsDir), opts)
	if err != nil {
		return nil, err
	}
	return &storage.Backend{Responses: responses, Redirects: redirects}, nil
}

// New returns a Store keeping its values directly in dir. A leading "~" in
// dir is the home directory. A missing directory is created with mode 0700
// (unless opts.ReadOnly, which requires it to exist); an existing one keeps
// its mode and its other files, which the store ignores.
func New(dir string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	path, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("filestore: open %q read-only: %w", path, err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("filestore: open %q read-only: not a directory", path)
		}
	} else if err := fspath.MkdirPrivate(path); err != nil {
		return nil, fmt.Errorf("filestore: create cache directory: %w", err)
	}
	return &Store{dir: path, readOnly: opts.ReadOnly}, nil
}

// resolveDir expands "~" and makes dir absolute, so that a later change of
// the working directory does not move the cache.
func resolveDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("filestore: no cache directory given")
	}
	expanded, err := fspath.ExpandHome(dir)
	if err != nil {
		return "", fmt.Errorf("filestore: %w", err)
	}
	abs, err := filepath.Abs(expanded)
	if err != nil {
		return "", fmt.Errorf("filestore: cache directory %q: %w", dir, err)
	}
	return abs, nil
}

// Dir returns the directory that holds the store's files.
func (s *Store) Dir() string { return s.dir }

// Close marks the store closed; it holds no open files between calls. Later
// calls of other methods return an error wrapping storage.ErrClosed; Close
// itself may be called again. The files stay.
func (s *Store) Close() error {
	s.closed.Store(true)
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

func (s *Store) pathOf(name string) string { return filepath.Join(s.dir, name) }

// ready reports why the store cannot serve a call now, if it cannot.
func (s *Store) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return nil
}

// writable is ready for a call that would change the directory.
func (s *Store) writable(ctx context.Context) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return storage.ErrReadOnly
	}
	return nil
}

func opError(op, key string, err error) error {
	return fmt.Errorf("filestore: %s %q: %w", op, key, err)
}

func opErrorNoKey(op string, err error) error {
	return fmt.Errorf("filestore: %s: %w", op, err)
}
