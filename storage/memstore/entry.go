package memstore

import "time"

// entry is one stored value. Its value slice is never modified once stored
// (a Write replaces the slice), so a reader may copy it after unlocking.
type entry struct {
	key     string
	value   []byte
	expires int64 // unix nanoseconds; 0 means never
	// owned: value came from WriteOwned, so ReadView may hand it out.
	owned bool

	// prev and next link the entry into the store's recency list, which is
	// kept only when the store has a budget.
	prev, next *entry
}

// cost is what the entry counts against Options.MaxBytes.
func (e *entry) cost() int64 { return entryCost(e.key, e.value) }

func entryCost(key string, value []byte) int64 { return int64(len(key)) + int64(len(value)) }

// expiredAt reports whether the entry's expiry has passed at now (unix
// nanoseconds).
func (e *entry) expiredAt(now int64) bool { return e.expires != 0 && e.expires <= now }

// expired reports whether the entry's expiry has passed; it reads the clock
// only for entries that have an expiry.
func (e *entry) expired() bool {
	return e.expires != 0 && e.expires <= time.Now().UnixNano()
}
