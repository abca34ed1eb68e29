package filestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clientcache/clientcache/internal/fspath"
	"github.com/clientcache/clientcache/storage"
)

// Names of the two storages' subdirectories in a cache directory.
const (
	responsesDir = "responses"
	redirectsDir = "redirects"
)

// Open returns the Backend for the cache directory dir (the cache_name): its
// Responses in dir/responses and its Redirects in dir/redirects. A leading
// "~" in dir is the home directory. Missing directories are created with
// mode 0700 (unless opts.ReadOnly, which requires them to exist); existing
// ones keep their mode and their other files, which the stores ignore.
// Closing the Backend closes no file (none is held open between calls) and
// keeps the files. opts may be nil.
//
// The budget of opts (MaxBytes, MaxEntries) applies to Responses; Redirects
// has none. With a budget, Open reads the directory of Responses (a stat
// per file) to learn what it holds, and evicts the least recently used
// responses if it holds more than the budget (unless read-only).
//
// The Backend's Timeout is zero, no deadline of the store's own: see
// "Timeout" in the package documentation for why.
func Open(ctx context.Context, dir string, opts *Options) (*storage.Backend, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: open %q: %w", dir, err)
	}
	root, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	responses, err := newStore(ctx, filepath.Join(root, responsesDir), opts.ReadOnly, opts.MaxBytes, opts.MaxEntries)
	if err != nil {
		return nil, err
	}
	redirects, err := newStore(ctx, filepath.Join(root, redirectsDir), opts.ReadOnly, 0, 0)
	if err != nil {
		_ = responses.Close()
		return nil, err
	}
	return &storage.Backend{Responses: responses, Redirects: redirects, Timeout: 0}, nil
}

// newStore returns a store keeping its values directly in dir. A leading "~"
// in dir is the home directory. A missing directory is created with mode
// 0700 (unless readOnly, which requires it to exist); an existing one keeps
// its mode and its other files, which the store ignores, except the
// temporary files that killed writes left: unless readOnly, those are
// removed. A non-zero maxBytes or maxEntries (checked: not negative) gives
// the store a budget, and its index is built from the directory.
func newStore(ctx context.Context, dir string, readOnly bool, maxBytes int64, maxEntries int) (*store, error) {
	path, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	if readOnly {
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
	s := &store{dir: path, readOnly: readOnly}
	switch {
	case maxBytes > 0 || maxEntries > 0:
		if err := s.openBudget(ctx, maxBytes, maxEntries); err != nil {
			return nil, fmt.Errorf("filestore: open %q: %w", path, err)
		}
	case !readOnly:
		if err := s.removeAbandonedTemps(ctx); err != nil {
			return nil, fmt.Errorf("filestore: open %q: %w", path, err)
		}
	}
	return s, nil
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
