package sqlitestore

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
)

func TestTrust(t *testing.T) {
	var paths []string
	open := func(t *testing.T) *storage.Backend {
		b, path := openTemp(t, nil)
		paths = []string{path} // the backend under test is the last opened
		return b
	}
	// The database and its -wal and -shm files, free pages included.
	raw := func(t *testing.T) []byte {
		var all bytes.Buffer
		for _, path := range paths {
			files, _ := filepath.Glob(path + "*")
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				all.Write(data)
			}
		}
		return all.Bytes()
	}
	trusttest.Run(t, open, &trusttest.Options{RawBytes: raw})
}
