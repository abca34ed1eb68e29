package filestore

import "fmt"

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// ReadOnly opens an existing directory without ever changing it: writes
	// and deletes return an error wrapping storage.ErrReadOnly, and expired
	// or malformed files read as absent but are left in place. The directory
	// must exist. A read-only store with a budget reports its use (Budget)
	// but evicts nothing. Default: false (read and write; the directory is
	// created).
	ReadOnly bool

	// MaxBytes is the most bytes the Responses storage keeps: the sum of the
	// sizes of its entry files as stat reports them (each file is the value,
	// the key and a 23-byte header), not the disk blocks they occupy, and not
	// the temporary files of writes in progress. A write that would go over
	// it first evicts the least recently used responses until the new one
	// fits; a single value bigger than the whole budget is still stored,
	// alone. Redirects, which holds only short keys, has no budget. See
	// "Budget" in the package documentation for how recency is kept and what
	// happens when several processes share the directory. Zero means no
	// limit; a negative value is an error from Open.
	// Default: 0 (no limit).
	MaxBytes int64

	// MaxEntries is the most entry files the Responses storage keeps,
	// expired ones included until they are removed. A write of a new key
	// beyond it first evicts the least recently used response. Zero means no
	// limit; a negative value is an error from Open.
	// Default: 0 (no limit).
	MaxEntries int
}

// check reports a budget that means nothing.
func (o *Options) check() error {
	if o.MaxBytes < 0 {
		return fmt.Errorf("filestore: Options.MaxBytes is %d; want 0 (no limit) or more", o.MaxBytes)
	}
	if o.MaxEntries < 0 {
		return fmt.Errorf("filestore: Options.MaxEntries is %d; want 0 (no limit) or more", o.MaxEntries)
	}
	return nil
}
