// Package fspath resolves the cache_name of the stores that live in the file
// system (a leading "~" means the user's home directory) and creates their
// directories.
package fspath

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ExpandHome replaces a leading "~" or "~/" in p with the user's home
// directory and cleans the result.
func ExpandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return filepath.Clean(p), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expanding %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

// MkdirPrivate creates dir and any missing parents, each with mode 0700, and
// returns nil if dir exists already. A cache holds what its responses said,
// so the directories made for it are the user's alone: each one MkdirPrivate
// creates is then chmod'ed to exactly 0700, as the umask may have cleared
// some of the owner's bits (it cannot add any). Directories that already
// exist, dir included, keep their mode: they may be the user's own, such as
// /tmp or ~/.cache, which are not the cache's to change.
func MkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		// Another process opening the same cache may have made it meanwhile.
		if fi, lerr := os.Lstat(dir); lerr == nil && fi.IsDir() {
			return nil
		}
		return err
	}
	return os.Chmod(dir, 0o700)
}
