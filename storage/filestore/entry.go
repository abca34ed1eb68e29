package filestore

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/clientcache/clientcache/storage"
)

// smallFile is the size up to which a value is read with its header in one
// read; bigger files have their header checked first, so that a big foreign
// file is never read into memory.
const smallFile = 64 << 10

// maxKeyRead is how much of a file a header read asks for at first: the
// fixed part and a key of up to 512 bytes, the longest the core uses.
const maxKeyRead = fixedHeaderLen + 512

// entry is a well-formed entry file as found on disk.
type entry struct {
	header
	value []byte      // nil unless asked for
	info  fs.FileInfo // identifies the file when discarding it
}

// load opens the entry file name and checks it. A missing file is
// storage.ErrNotFound; so is a malformed one, which is discarded on the way.
// Expiry is left to the caller, which knows what "now" is.
func (s *store) load(name string, withValue bool) (entry, error) {
	e, err := readEntryFile(s.pathOf(name), withValue)
	if err == nil && fileName(e.key) != name {
		err = errMalformed // a file copied or renamed from elsewhere
	}
	if errors.Is(err, errMalformed) {
		s.discard(name, e.info) // after the file is closed: Windows removes no open file
		return entry{}, storage.ErrNotFound
	}
	return e, err
}

// readEntryFile reads the entry file at path, its header only unless
// withValue. The returned entry's info is set whenever the file was opened,
// even if it turned out malformed.
func readEntryFile(path string, withValue bool) (entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return entry{}, storage.ErrNotFound
	}
	if err != nil {
		return entry{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return entry{}, err
	}
	e := entry{info: info}
	if withValue {
		e.header, e.value, err = readEntry(f, info)
	} else {
		e.header, err = readHeader(f, info)
	}
	return e, err
}

// discard removes the entry file name if it is still the file described by
// info: a concurrent write may have renamed a new, good file into its place
// since it was read. It reports whether it removed the file. A read-only
// store never removes anything.
func (s *store) discard(name string, info fs.FileInfo) bool {
	if s.readOnly || info == nil {
		return false
	}
	if l := s.lru; l != nil {
		d, ok := digestOfName(name)
		if !ok {
			return false
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if !s.removeIfSame(name, info) {
			return false
		}
		l.forgetLocked(d)
		return true
	}
	return s.removeIfSame(name, info)
}

// removeIfSame removes the file name if it is still the file info
// describes, and reports whether it did.
func (s *store) removeIfSame(name string, info fs.FileInfo) bool {
	path := s.pathOf(name)
	current, err := os.Lstat(path)
	if err != nil || !os.SameFile(current, info) {
		return false
	}
	return os.Remove(path) == nil
}

// readHeader reads and checks the header of the entry file f, usually with
// one read.
func readHeader(f *os.File, info fs.FileInfo) (header, error) {
	size := info.Size()
	if !info.Mode().IsRegular() || size < fixedHeaderLen {
		return header{}, errMalformed
	}
	buf := make([]byte, min(size, maxKeyRead))
	if err := readFullAt(f, buf, 0); err != nil {
		return header{}, err
	}
	_, keyLen, err := parseFixedHeader(buf)
	if err != nil {
		return header{}, err
	}
	if need := int64(fixedHeaderLen + keyLen); need > int64(len(buf)) {
		if need > size {
			return header{}, errMalformed
		}
		have := len(buf)
		buf = append(buf, make([]byte, need-int64(have))...)
		if err := readFullAt(f, buf[have:], int64(have)); err != nil {
			return header{}, err
		}
	}
	return parseHeader(buf, size)
}

// readEntry reads and checks the whole entry file f and returns its header
// and value.
func readEntry(f *os.File, info fs.FileInfo) (header, []byte, error) {
	size := info.Size()
	if !info.Mode().IsRegular() || size < fixedHeaderLen {
		return header{}, nil, errMalformed
	}
	if size <= smallFile {
		buf := make([]byte, size)
		if err := readFullAt(f, buf, 0); err != nil {
			return header{}, nil, err
		}
		h, err := parseHeader(buf, size)
		if err != nil {
			return header{}, nil, err
		}
		return h, buf[h.len():], nil
	}
	h, err := readHeader(f, info)
	if err != nil {
		return header{}, nil, err
	}
	value := make([]byte, h.valueLen)
	if err := readFullAt(f, value, h.len()); err != nil {
		return header{}, nil, err
	}
	return h, value, nil
}

// readFullAt fills buf from offset off. A file shorter than its size said
// (truncated while being read) is malformed, not a failure.
func readFullAt(f *os.File, buf []byte, off int64) error {
	_, err := f.ReadAt(buf, off)
	if errors.Is(err, io.EOF) {
		return errMalformed
	}
	return err
}
