package filestore

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// ReadOnly opens an existing directory without ever changing it: writes
	// and deletes return an error wrapping storage.ErrReadOnly, and expired
	// or malformed files read as absent but are left in place. The directory
	// must exist. Default: false (read and write; the directory is created).
	ReadOnly bool
}
