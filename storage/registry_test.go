package storage_test

import (
	"errors"
	"testing"

	"github.com/clientcache/clientcache/storage"
	_ "github.com/clientcache/clientcache/storage/filestore"
	_ "github.com/clientcache/clientcache/storage/memstore"
)

func TestOpenURLMistakes(t *testing.T) {
	for _, u := range []string{"nope://x", "no-scheme", "memory://?max_entrys=1", "file://host/dir", "%zz://"} {
		b, err := storage.Open(t.Context(), u)
		if err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", u)
			continue
		}
		if !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("Open(%q) err = %v, not an ErrInvalidURL", u, err)
		}
	}
	b, err := storage.Open(t.Context(), "memory://")
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if got := storage.Schemes(); len(got) < 2 {
		t.Errorf("Schemes() = %v", got)
	}
}
