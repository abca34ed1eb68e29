package memstore

import "fmt"

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// MaxEntries is the most values the store keeps; a write beyond it evicts
	// the least recently used value. Zero means no limit; a negative value is
	// an error from Open.
	// Default: 0 (no limit).
	MaxEntries int

	// MaxBytes is the most bytes of keys and values the store keeps (the
	// bookkeeping around each value is not counted); a write beyond it evicts
	// the least recently used values until the new one fits. A single value
	// bigger than the whole budget is not stored: its Write returns an error
	// wrapping ErrTooLarge. Zero means no limit; a negative value is an error
	// from Open.
	// Default: 0 (no limit).
	MaxBytes int64
}

// check reports a budget that means nothing.
func (o *Options) check() error {
	if o == nil {
		return nil
	}
	if o.MaxEntries < 0 {
		return fmt.Errorf("memstore: Options.MaxEntries is %d; want 0 (no limit) or more", o.MaxEntries)
	}
	if o.MaxBytes < 0 {
		return fmt.Errorf("memstore: Options.MaxBytes is %d; want 0 (no limit) or more", o.MaxBytes)
	}
	return nil
}
