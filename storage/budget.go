package storage

import "context"

// Budget is a store's size limit and how much of it is in use, as a
// Budgeted store reports it. A zero limit means none.
type Budget struct {
	// MaxBytes is the most bytes the store keeps, as it counts them (for
	// most stores the keys and values). Zero: no limit.
	MaxBytes int64
	// MaxEntries is the most values the store keeps. Zero: no limit.
	MaxEntries int
	// Bytes and Entries are what the store holds now.
	Bytes   int64
	Entries int
}

// Budgeted is implemented by stores that keep within a size budget, evicting
// the least recently used values to make room for a write. Budget reports
// the limit and the use of the store's namespace (one Storage of a Backend).
type Budgeted interface {
	Budget(ctx context.Context) (Budget, error)
}
