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
func Open(ctx context.Context, dir string, opts *Options) (*storage.Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: open %q: %w", dir, err)
	}
	root, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	responses, err := newStore(ctx, filepath.Join(root, responsesDir), opts)
	if err != nil {
		return nil, err
	}
	redirects, err := newStore(ctx, filepath.Join(root, redirectsDir), opts)
	if err != nil {
		return nil, err
	}
	return &storage.Backend{Responses: responses, Redirects: redirects}, nil
}

// newStore returns a store keeping its values directly in dir. A leading "~"
// in dir is the home directory. A missing directory is created with mode
// 0700 (unless opts.ReadOnly, which requires it to exist); an existing one
// keeps its mode and its other files, which the store ignores, except the
// temporary files that killed writes left: unless opts.ReadOnly, those are
// removed.
func newStore(ctx context.Context, dir string, opts *Options) (*store, error) {
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
	s := &store{dir: path, readOnly: opts.ReadOnly}
	if !s.readOnly {
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
