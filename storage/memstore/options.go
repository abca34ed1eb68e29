package memstore

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// MaxEntries is the most values the store keeps; a write beyond it evicts
	// the least recently used value. Zero or less means no limit.
	// Default: 0 (no limit).
	MaxEntries int

	// MaxBytes is the most bytes of keys and values the store keeps (the
	// bookkeeping around each value is not counted); a write beyond it evicts
	// the least recently used values until the new one fits. A single value
	// bigger than the whole budget is not stored: its Write returns an error
	// wrapping ErrTooLarge. Zero or less means no limit.
	// Default: 0 (no limit).
	MaxBytes int64
}
