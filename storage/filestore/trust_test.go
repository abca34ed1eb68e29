package filestore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/filestore"
)

func TestTrust(t *testing.T) {
	var dirs []string
	open := func(t *testing.T) *storage.Backend {
		dir := t.TempDir()
		dirs = []string{dir} // the backend under test is the last opened
		b, err := filestore.Open(t.Context(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	// Every file under the directories, temporary ones included.
	raw := func(t *testing.T) []byte {
		var all bytes.Buffer
		for _, dir := range dirs {
			err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				all.Write(data)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return all.Bytes()
	}
	trusttest.Run(t, open, &trusttest.Options{RawBytes: raw})
}
